package sluice.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.Record;
import software.amazon.awssdk.services.kinesis.model.ShardIteratorType;

/**
 * Timestamps exact to the millisecond in both directions: the ApproximateArrivalTimestamp the
 * server sends, and the AT_TIMESTAMP the client sends (CBOR: tag 1 epoch milliseconds; JSON:
 * epoch seconds with a fraction).
 */
class TimestampTest {
  private static SluiceServer server;
  private static Clients clients;

  @BeforeAll
  static void startServer() throws Exception {
    server = SluiceServer.start();
    clients = new Clients(server);
  }

  @AfterAll
  static void stopServer() throws Exception {
    server.close();
  }

  @ParameterizedTest
  @EnumSource(value = Transport.class, names = {"APACHE_HTTP11", "NETTY_H2C"})
  void arrivalTimestampIsAMillisecondBetweenTheClockReadingsAroundThePut(Transport transport) throws Exception {
    try (KinesisClient kinesis = clients.kinesis(transport)) {
      String name = Streams.uniqueName("arrival");
      String shardId = Streams.createOneShard(kinesis, name);
      List<Instant[]> windows = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        Instant before = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        kinesis.putRecord(r -> r.streamName(name).partitionKey("k").data(SdkBytes.fromUtf8String("t")));
        windows.add(new Instant[] {before, Instant.now()});
      }
      List<Record> records = Streams.read(kinesis, name, shardId, 10,
          r -> r.shardIteratorType(ShardIteratorType.TRIM_HORIZON));
      assertEquals(10, records.size());
      for (int i = 0; i < 10; i++) {
        Instant arrival = records.get(i).approximateArrivalTimestamp();
        assertEquals(arrival.truncatedTo(ChronoUnit.MILLIS), arrival, "record " + i + ": not whole milliseconds");
        assertTrue(!arrival.isBefore(windows.get(i)[0]) && !arrival.isAfter(windows.get(i)[1]),
            "record " + i + ": arrival " + arrival + " outside [" + windows.get(i)[0] + ", " + windows.get(i)[1] + "]");
      }
    }
  }

  @ParameterizedTest
  @EnumSource(value = Transport.class, names = {"APACHE_HTTP11", "NETTY_H2C"})
  void atTimestampWithAMillisecondTimestampStartsAtExactlyThatRecord(Transport transport) throws Exception {
    try (KinesisClient kinesis = clients.kinesis(transport)) {
      String name = Streams.uniqueName("at-timestamp");
      String shardId = Streams.createOneShard(kinesis, name);
      // Three records at least 3 ms apart, so a millisecond either side of the middle one's
      // arrival still falls between its neighbours.
      Instant last = Instant.EPOCH;
      for (String data : List.of("a", "b", "c")) {
        Instant previous = last;
        Streams.waitUntil(() -> Instant.now().isAfter(previous.plusMillis(3)), Duration.ofSeconds(1), "3 ms to pass");
        kinesis.putRecord(r -> r.streamName(name).partitionKey("k").data(SdkBytes.fromUtf8String(data)));
        last = Instant.now();
      }
      List<Record> records = Streams.read(kinesis, name, shardId, 3,
          r -> r.shardIteratorType(ShardIteratorType.TRIM_HORIZON));
      assertEquals(3, records.size());
      Instant a = records.get(0).approximateArrivalTimestamp();
      Instant b = records.get(1).approximateArrivalTimestamp();
      Instant c = records.get(2).approximateArrivalTimestamp();
      assertTrue(a.plusMillis(1).isBefore(b) && b.plusMillis(1).isBefore(c), a + " " + b + " " + c);

      assertEquals("b", firstAt(kinesis, name, shardId, b));
      assertEquals("b", firstAt(kinesis, name, shardId, b.minusMillis(1)));
      assertEquals("c", firstAt(kinesis, name, shardId, b.plusMillis(1)));
      assertEquals("a", firstAt(kinesis, name, shardId, a));
      assertEquals(Clients.EXPECTED_CONTENT_TYPE, String.join(",", clients.contentTypes));
    }
  }

  private static String firstAt(KinesisClient kinesis, String name, String shardId, Instant timestamp)
      throws InterruptedException {
    List<Record> records = Streams.read(kinesis, name, shardId, 1,
        r -> r.shardIteratorType(ShardIteratorType.AT_TIMESTAMP).timestamp(timestamp));
    return records.isEmpty() ? "(none)" : records.get(0).data().asUtf8String();
  }
}
