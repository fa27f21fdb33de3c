package sluice.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.PutRecordResponse;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResultEntry;
import software.amazon.awssdk.services.kinesis.model.Record;
import software.amazon.awssdk.services.kinesis.model.Shard;
import software.amazon.awssdk.services.kinesis.model.ShardIteratorType;
import software.amazon.awssdk.services.kinesis.model.StreamDescription;
import software.amazon.awssdk.services.kinesis.model.StreamDescriptionSummary;

/**
 * Every data-plane operation through the sync client (Apache, HTTP/1.1) and the async client
 * (Netty, HTTP/2: h2c, TLS with ALPN, TLS without ALPN), on plain and TLS ports of one server.
 */
class DataPlaneTest {
  private static final BigInteger MAX_HASH_KEY = BigInteger.TWO.pow(128).subtract(BigInteger.ONE);

  private static SluiceServer server;
  private static Clients clients;

  @BeforeAll
  static void startServer() throws Exception {
    server = SluiceServer.start("--tls");
    clients = new Clients(server);
  }

  @AfterAll
  static void stopServer() throws Exception {
    server.close();
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void recordsPutComeBackByteForByteAndStreamAndShardsAreDescribed(Transport transport) throws Exception {
    try (KinesisClient kinesis = clients.kinesis(transport)) {
      String name = Streams.uniqueName("data");
      Instant beforeCreate = Instant.now().truncatedTo(ChronoUnit.MILLIS);
      Streams.create(kinesis, name, 2);
      Instant afterCreate = Instant.now();

      StreamDescriptionSummary summary = kinesis.describeStreamSummary(r -> r.streamName(name))
          .streamDescriptionSummary();
      assertEquals(2, summary.openShardCount());
      assertEquals(24, summary.retentionPeriodHours());
      Instant created = summary.streamCreationTimestamp();
      assertTrue(!created.isBefore(beforeCreate) && !created.isAfter(afterCreate),
          created + " not within [" + beforeCreate + ", " + afterCreate + "]");

      StreamDescription description = kinesis.describeStream(r -> r.streamName(name)).streamDescription();
      assertEquals(summary.streamARN(), description.streamARN());
      List<Shard> listed = kinesis.listShards(r -> r.streamName(name)).shards();
      assertEquals(description.shards(), listed);
      assertEquals(2, listed.size());
      assertEquals(BigInteger.ZERO, new BigInteger(listed.get(0).hashKeyRange().startingHashKey()));
      assertEquals(new BigInteger(listed.get(0).hashKeyRange().endingHashKey()).add(BigInteger.ONE),
          new BigInteger(listed.get(1).hashKeyRange().startingHashKey()));
      assertEquals(MAX_HASH_KEY, new BigInteger(listed.get(1).hashKeyRange().endingHashKey()));

      // PutRecord: every byte value, routed by an explicit hash key to the second shard.
      byte[] everyByte = new byte[256];
      for (int i = 0; i < 256; i++) everyByte[i] = (byte) i;
      PutRecordResponse single = kinesis.putRecord(r -> r.streamName(name).partitionKey("single")
          .explicitHashKey(MAX_HASH_KEY.toString()).data(SdkBytes.fromByteArray(everyByte)));
      assertEquals(listed.get(1).shardId(), single.shardId());

      // PutRecords: 40 random binary records (empty to 2 KiB) under 8 keys.
      Random random = new Random(15);
      List<PutRecordsRequestEntry> entries = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        byte[] data = new byte[i == 0 ? 1 : random.nextInt(2048) + 1];
        random.nextBytes(data);
        entries.add(PutRecordsRequestEntry.builder().partitionKey("key-" + (i % 8))
            .data(SdkBytes.fromByteArray(data)).build());
      }
      List<PutRecordsResultEntry> results = kinesis.putRecords(r -> r.streamName(name).records(entries)).records();
      assertEquals(entries.size(), results.size());

      Map<String, PutRecordsRequestEntry> expected = new HashMap<>();
      Map<String, Integer> perShard = new HashMap<>();
      for (int i = 0; i < entries.size(); i++) {
        assertNotNull(results.get(i).sequenceNumber(), "entry " + i + ": " + results.get(i));
        expected.put(results.get(i).sequenceNumber(), entries.get(i));
        perShard.merge(results.get(i).shardId(), 1, Integer::sum);
      }
      expected.put(single.sequenceNumber(), PutRecordsRequestEntry.builder().partitionKey("single")
          .data(SdkBytes.fromByteArray(everyByte)).build());
      perShard.merge(single.shardId(), 1, Integer::sum);

      int read = 0;
      for (Shard shard : listed) {
        int count = perShard.getOrDefault(shard.shardId(), 0);
        List<Record> records = Streams.read(kinesis, name, shard.shardId(), count,
            r -> r.shardIteratorType(ShardIteratorType.TRIM_HORIZON));
        assertEquals(count, records.size(), shard.shardId());
        for (Record record : records) {
          PutRecordsRequestEntry sent = expected.get(record.sequenceNumber());
          assertNotNull(sent, "unexpected sequence number " + record.sequenceNumber());
          assertEquals(sent.partitionKey(), record.partitionKey());
          assertArrayEquals(sent.data().asByteArray(), record.data().asByteArray());
        }
        read += records.size();
      }
      assertEquals(expected.size(), read);
      assertEquals(Clients.EXPECTED_CONTENT_TYPE, String.join(",", clients.contentTypes));
    }
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void everyShardIteratorTypeStartsWhereItSays(Transport transport) throws Exception {
    try (KinesisClient kinesis = clients.kinesis(transport)) {
      String name = Streams.uniqueName("iterators");
      String shardId = Streams.createOneShard(kinesis, name);
      List<String> sequence = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        String data = "r" + i;
        sequence.add(kinesis.putRecord(r -> r.streamName(name).partitionKey("k")
            .data(SdkBytes.fromUtf8String(data))).sequenceNumber());
      }
      String latest = kinesis.getShardIterator(r -> r.streamName(name).shardId(shardId)
          .shardIteratorType(ShardIteratorType.LATEST)).shardIterator();
      sequence.add(kinesis.putRecord(r -> r.streamName(name).partitionKey("k")
          .data(SdkBytes.fromUtf8String("r5"))).sequenceNumber());

      assertEquals(List.of("r0", "r1", "r2", "r3", "r4", "r5"), texts(Streams.read(kinesis, name, shardId, 6,
          r -> r.shardIteratorType(ShardIteratorType.TRIM_HORIZON))));
      assertEquals(List.of("r2", "r3", "r4", "r5"), texts(Streams.read(kinesis, name, shardId, 4,
          r -> r.shardIteratorType(ShardIteratorType.AT_SEQUENCE_NUMBER).startingSequenceNumber(sequence.get(2)))));
      assertEquals(List.of("r3", "r4", "r5"), texts(Streams.read(kinesis, name, shardId, 3,
          r -> r.shardIteratorType(ShardIteratorType.AFTER_SEQUENCE_NUMBER).startingSequenceNumber(sequence.get(2)))));
      assertEquals(List.of("r5"), texts(kinesis.getRecords(r -> r.shardIterator(latest)).records()));

      List<Record> all = Streams.read(kinesis, name, shardId, 6, r -> r.shardIteratorType(ShardIteratorType.TRIM_HORIZON));
      Instant third = all.get(3).approximateArrivalTimestamp();
      List<Record> fromThird = Streams.read(kinesis, name, shardId, 1,
          r -> r.shardIteratorType(ShardIteratorType.AT_TIMESTAMP).timestamp(third));
      // The first record at or after the third's arrival: the third itself, or one before it put
      // in the same millisecond.
      int first = all.indexOf(fromThird.get(0));
      assertTrue(first >= 0 && first <= 3 && all.get(first).approximateArrivalTimestamp().equals(third),
          "AT_TIMESTAMP " + third + " started at " + fromThird.get(0));
    }
  }

  private static List<String> texts(List<Record> records) {
    List<String> texts = new ArrayList<>();
    for (Record record : records) texts.add(record.data().asUtf8String());
    return texts;
  }
}
