package sluice.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.ChildShard;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResultEntry;
import software.amazon.awssdk.services.kinesis.model.Record;
import software.amazon.awssdk.services.kinesis.model.ShardIteratorType;
import software.amazon.awssdk.services.kinesis.model.StartingPosition;
import software.amazon.awssdk.services.kinesis.model.SubscribeToShardEvent;

/**
 * SubscribeToShard with the async client (Netty, HTTP/2 on h2c and over TLS with and without
 * ALPN), as the KCL's fan-out consumer uses it: records put during a subscription, heartbeats
 * inside the client's read timeout, resubscribing from ContinuationSequenceNumber when a
 * subscription's lifetime ends, and ChildShards with ParentShards at the end of a split shard.
 * The server sends a heartbeat every 250 ms while idle and ends subscriptions after 3 s.
 */
class SubscribeToShardTest {
  private static final Duration READ_TIMEOUT = Duration.ofSeconds(1);
  private static final int HEARTBEAT_MS = 250;
  private static final int LIFETIME_MS = 3000;

  private static SluiceServer server;
  private static Clients clients;

  @BeforeAll
  static void startServer() throws Exception {
    server = SluiceServer.start("--tls", "--subscription-heartbeat-ms", String.valueOf(HEARTBEAT_MS),
        "--subscription-lifetime-ms", String.valueOf(LIFETIME_MS));
    clients = new Clients(server);
  }

  @AfterAll
  static void stopServer() throws Exception {
    server.close();
  }

  /** A one-shard stream with a registered consumer: [stream name, shard id, consumer ARN]. */
  private static String[] streamWithConsumer(KinesisClient kinesis) throws InterruptedException {
    String name = Streams.uniqueName("subscribe");
    String shardId = Streams.createOneShard(kinesis, name);
    String arn = kinesis.describeStreamSummary(r -> r.streamName(name)).streamDescriptionSummary().streamARN();
    return new String[] {name, shardId, Streams.registerConsumer(kinesis, arn, "java-" + name)};
  }

  @ParameterizedTest
  @EnumSource(value = Transport.class, names = {"NETTY_H2C", "NETTY_H2_ALPN", "NETTY_H2_NO_ALPN"})
  void recordsPutDuringASubscriptionArriveInOrderWithTheirContinuation(Transport transport) throws Exception {
    try (KinesisClient kinesis = clients.kinesis(transport);
         KinesisAsyncClient async = clients.asyncClient(transport, READ_TIMEOUT)) {
      String[] s = streamWithConsumer(kinesis);
      // Once the first heartbeat is in, the subscription is live (LATEST is taken at its start).
      Subscription subscription = Subscription.live(async, s[2], s[1], ShardIteratorType.LATEST);

      List<String> sequence = new ArrayList<>();
      List<Instant[]> windows = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        String data = "live-" + i;
        Instant before = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        sequence.add(kinesis.putRecord(r -> r.streamName(s[0]).partitionKey("k")
            .data(SdkBytes.fromUtf8String(data))).sequenceNumber());
        windows.add(new Instant[] {before, Instant.now()});
      }
      List<Record> received = new ArrayList<>();
      while (received.size() < 10) {
        Subscription.Arrival arrival = subscription.next(Duration.ofSeconds(5));
        assertNotNull(arrival, "only " + received.size() + " of 10 records pushed");
        SubscribeToShardEvent event = arrival.event();
        received.addAll(event.records());
        if (!event.records().isEmpty()) {
          assertEquals(last(event.records()).sequenceNumber(), event.continuationSequenceNumber());
        }
      }
      subscription.cancel();
      for (int i = 0; i < 10; i++) {
        Record record = received.get(i);
        assertEquals("live-" + i, record.data().asUtf8String());
        assertEquals(sequence.get(i), record.sequenceNumber());
        Instant at = record.approximateArrivalTimestamp();
        assertTrue(!at.isBefore(windows.get(i)[0]) && !at.isAfter(windows.get(i)[1]),
            "record " + i + ": arrival " + at + " outside [" + windows.get(i)[0] + ", " + windows.get(i)[1] + "]");
      }
    }
  }

  @ParameterizedTest
  @EnumSource(value = Transport.class, names = {"NETTY_H2C", "NETTY_H2_NO_ALPN"})
  void heartbeatsKeepAnIdleSubscriptionWithinTheReadTimeoutUntilItsLifetimeEnds(Transport transport)
      throws Exception {
    try (KinesisClient kinesis = clients.kinesis(transport);
         KinesisAsyncClient async = clients.asyncClient(transport, READ_TIMEOUT)) {
      String[] s = streamWithConsumer(kinesis);
      Subscription subscription = new Subscription(async, s[2], s[1],
          StartingPosition.builder().type(ShardIteratorType.TRIM_HORIZON).build());
      // Ends normally after its 3 s lifetime: the 1 s read timeout never fired on the idle shard.
      List<Subscription.Arrival> events = subscription.drainToEnd(Duration.ofSeconds(10));
      long lasted = events.isEmpty() ? 0 : events.get(events.size() - 1).nanos() - subscription.startedNanos;
      assertTrue(events.size() >= 5, events.size() + " heartbeats in a 3 s subscription at 250 ms");
      assertTrue(lasted > READ_TIMEOUT.toNanos() * 2, "events only for " + lasted / 1_000_000 + " ms");
      long previous = subscription.startedNanos;
      for (Subscription.Arrival arrival : events) {
        assertTrue(arrival.event().records().isEmpty());
        assertNotNull(arrival.event().continuationSequenceNumber());
        assertTrue(arrival.nanos() - previous < READ_TIMEOUT.toNanos(),
            "a gap of " + (arrival.nanos() - previous) / 1_000_000 + " ms between events");
        previous = arrival.nanos();
      }
    }
  }

  @ParameterizedTest
  @EnumSource(value = Transport.class, names = {"NETTY_H2C", "NETTY_H2_NO_ALPN"})
  void resubscribingFromTheContinuationAfterTheLifetimeLosesAndRepeatsNothing(Transport transport)
      throws Exception {
    try (KinesisClient kinesis = clients.kinesis(transport);
         KinesisAsyncClient async = clients.asyncClient(transport, READ_TIMEOUT)) {
      String[] s = streamWithConsumer(kinesis);
      // Records before the first subscription, during it, and between it and the next one.
      List<String> put = new ArrayList<>(putBatch(kinesis, s[0], "before"));
      Subscription first = Subscription.live(async, s[2], s[1], ShardIteratorType.TRIM_HORIZON);
      Subscription.Arrival opening = first.opening();
      put.addAll(putBatch(kinesis, s[0], "during"));
      List<String> received = new ArrayList<>();
      for (Record record : opening.event().records()) received.add(record.sequenceNumber());
      String continuation = opening.event().continuationSequenceNumber();
      int subscriptions = 0;
      for (Subscription subscription = first; subscription != null; ) {
        subscriptions++;
        for (Subscription.Arrival arrival : subscription.drainToEnd(Duration.ofSeconds(10))) {
          for (Record record : arrival.event().records()) received.add(record.sequenceNumber());
          continuation = arrival.event().continuationSequenceNumber();
        }
        if (subscriptions == 1) put.addAll(putBatch(kinesis, s[0], "between"));
        subscription = received.size() < put.size() && subscriptions < 5
            ? new Subscription(async, s[2], s[1], StartingPosition.builder()
                .type(ShardIteratorType.AFTER_SEQUENCE_NUMBER).sequenceNumber(continuation).build())
            : null;
      }
      assertEquals(put, received);
      assertTrue(subscriptions >= 2, subscriptions + " subscription(s)");
    }
  }

  /** PutRecords of 20 records "<label>-<i>" under one key; their sequence numbers in order. */
  private static List<String> putBatch(KinesisClient kinesis, String stream, String label) {
    List<PutRecordsRequestEntry> entries = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      entries.add(PutRecordsRequestEntry.builder().partitionKey("k")
          .data(SdkBytes.fromUtf8String(label + "-" + i)).build());
    }
    List<String> sequence = new ArrayList<>();
    for (PutRecordsResultEntry result : kinesis.putRecords(r -> r.streamName(stream).records(entries)).records()) {
      sequence.add(result.sequenceNumber());
    }
    return sequence;
  }

  @ParameterizedTest
  @EnumSource(value = Transport.class, names = {"NETTY_H2C", "NETTY_H2_NO_ALPN"})
  void aSplitEndsTheSubscriptionWithChildShardsNamingTheParent(Transport transport) throws Exception {
    try (KinesisClient kinesis = clients.kinesis(transport);
         KinesisAsyncClient async = clients.asyncClient(transport, READ_TIMEOUT)) {
      String[] s = streamWithConsumer(kinesis);
      Subscription subscription = Subscription.live(async, s[2], s[1], ShardIteratorType.TRIM_HORIZON);
      for (int i = 0; i < 3; i++) {
        String data = "before-split-" + i;
        kinesis.putRecord(r -> r.streamName(s[0]).partitionKey("k").data(SdkBytes.fromUtf8String(data)));
      }
      String middle = BigInteger.TWO.pow(127).toString();
      kinesis.splitShard(r -> r.streamName(s[0]).shardToSplit(s[1]).newStartingHashKey(middle));

      List<String> data = new ArrayList<>();
      SubscribeToShardEvent last = null;
      for (Subscription.Arrival arrival : subscription.drainToEnd(Duration.ofSeconds(10))) {
        for (Record record : arrival.event().records()) data.add(record.data().asUtf8String());
        last = arrival.event();
      }
      assertEquals(List.of("before-split-0", "before-split-1", "before-split-2"), data);
      assertNotNull(last);
      assertNull(last.continuationSequenceNumber(), "the shard's end has no continuation");
      assertEquals(2, last.childShards().size(), last.toString());
      Set<String> children = ConcurrentHashMap.newKeySet();
      for (ChildShard child : last.childShards()) {
        assertEquals(List.of(s[1]), child.parentShards());
        children.add(child.shardId());
      }
      Streams.waitActive(kinesis, s[0]);
      Set<String> open = ConcurrentHashMap.newKeySet();
      kinesis.listShards(r -> r.streamName(s[0])).shards().stream()
          .filter(shard -> shard.sequenceNumberRange().endingSequenceNumber() == null)
          .forEach(shard -> open.add(shard.shardId()));
      assertEquals(open, children);
    }
  }

  private static Record last(List<Record> records) {
    return records.get(records.size() - 1);
  }
}
