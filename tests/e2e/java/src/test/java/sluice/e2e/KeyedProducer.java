package sluice.e2e;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.Shard;

/**
 * Writes keyed records with PutRecords: as data "key-7#3", the key and the record's number within
 * its key, so each key's records have an order to check. The keys are chosen so that every shard
 * has as many of them (by the MD5 of the key, as Kinesis routes), so every shard gets the same
 * throughput. Remembers where each record landed (shard, sequence number).
 */
final class KeyedProducer {
  record Put(String key, String data, String shardId, String sequenceNumber) {}

  private KinesisClient kinesis;
  private final String stream;
  private final List<String> keys = new ArrayList<>();
  private final Map<String, Integer> next = new HashMap<>();
  private final List<Put> puts = new ArrayList<>();

  /** A producer with `keysPerShard` keys routed to each of the stream's open shards. */
  KeyedProducer(KinesisClient kinesis, String stream, int keysPerShard) throws NoSuchAlgorithmException {
    this.kinesis = kinesis;
    this.stream = stream;
    List<Shard> shards = kinesis.listShards(r -> r.streamName(stream)).shards();
    Map<String, Integer> perShard = new HashMap<>();
    MessageDigest md5 = MessageDigest.getInstance("MD5");
    for (int n = 0; keys.size() < keysPerShard * shards.size(); n++) {
      String key = "key-" + n;
      BigInteger hash = new BigInteger(1, md5.digest(key.getBytes(StandardCharsets.UTF_8)));
      for (Shard shard : shards) {
        if (hash.compareTo(new BigInteger(shard.hashKeyRange().startingHashKey())) >= 0
            && hash.compareTo(new BigInteger(shard.hashKeyRange().endingHashKey())) <= 0
            && perShard.merge(shard.shardId(), 1, Integer::sum) <= keysPerShard) {
          keys.add(key);
        }
      }
    }
  }

  /** Puts `perKey` records of every key in one PutRecords call; fails if any entry failed. */
  void put(int perKey) {
    List<PutRecordsRequestEntry> entries = new ArrayList<>();
    List<String> keyOf = new ArrayList<>();
    for (int n = 0; n < perKey; n++) {
      for (String key : keys) {
        String data = key + "#" + next.merge(key, 1, Integer::sum);
        entries.add(PutRecordsRequestEntry.builder().partitionKey(key)
            .data(SdkBytes.fromString(data, StandardCharsets.UTF_8)).build());
        keyOf.add(key);
      }
    }
    PutRecordsResponse response = kinesis.putRecords(r -> r.streamName(stream).records(entries));
    if (response.failedRecordCount() != 0) throw new AssertionError("PutRecords failed entries: " + response);
    for (int i = 0; i < entries.size(); i++) {
      puts.add(new Put(keyOf.get(i), entries.get(i).data().asUtf8String(), response.records().get(i).shardId(),
          response.records().get(i).sequenceNumber()));
    }
  }

  String stream() {
    return stream;
  }

  /** Puts through `client` from now on (a new client after the server restarted). */
  void useClient(KinesisClient client) {
    kinesis = client;
  }

  List<Put> puts() {
    return List.copyOf(puts);
  }
}
