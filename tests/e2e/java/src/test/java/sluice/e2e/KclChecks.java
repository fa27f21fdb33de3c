package sluice.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.kinesis.KinesisClient;

/**
 * What the KCL tests check, for any KCL major version (KclTest: 3.x; tests/e2e/java-kcl2, which
 * compiles this file too: 2.x): a keyed stream to consume, waits that fail with the server's log,
 * the lease table against the workers' processors, every record processed, each key in order.
 */
final class KclChecks {
  static final int SHARDS = 4;
  static final int KEYS_PER_SHARD = 4;
  static final int PER_KEY = 5;

  private KclChecks() {}

  /** A new stream of `shards` shards and a producer that has put its first records to it. */
  static KeyedProducer streamWithRecords(KinesisClient kinesis, int shards) throws Exception {
    String stream = Streams.uniqueName("kcl");
    Streams.create(kinesis, stream, shards);
    KeyedProducer producer = new KeyedProducer(kinesis, stream, KEYS_PER_SHARD);
    producer.put(PER_KEY);
    return producer;
  }

  static DynamoDbClient dynamoClient(SluiceServer server) {
    return DynamoDbClient.builder().endpointOverride(server.httpEndpoint()).region(Region.US_EAST_1)
        .credentialsProvider(Clients.credentials()).httpClientBuilder(ApacheHttpClient.builder()).build();
  }

  /** Waits until each lease's checkpoint is its shard's last record put; returns them by shard. */
  static Map<String, String> awaitCheckpointsAtLastRecords(SluiceServer server, DynamoDbClient dynamo,
                                                           String application, KeyedProducer producer)
      throws InterruptedException {
    Map<String, String> last = lastSequenceNumberByShard(producer);
    waitFor(server, () -> {
      Map<String, LeaseTable.Lease> leases = LeaseTable.read(dynamo, application);
      return last.entrySet().stream().allMatch(e -> leases.containsKey(e.getKey())
          && e.getValue().equals(leases.get(e.getKey()).checkpoint()));
    }, Duration.ofSeconds(10), "each lease's checkpoint at its shard's last record " + last);
    return last;
  }

  /** Fails naming `what`, with the server's log, unless `condition` holds within `timeout`. */
  static void waitFor(SluiceServer server, BooleanSupplier condition, Duration timeout, String what)
      throws InterruptedException {
    waitFor(server, condition, timeout, () -> what);
  }

  static void waitFor(SluiceServer server, BooleanSupplier condition, Duration timeout, Supplier<String> what)
      throws InterruptedException {
    try {
      Streams.waitUntil(condition, timeout, "");
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + what.get() + "\nserver log:\n" + server.log(), e);
    }
  }

  /** Puts PER_KEY more records of every key and waits until every record put is processed. */
  static void putAndAwaitAllProcessed(SluiceServer server, KeyedProducer producer, ProcessedRecords seen)
      throws InterruptedException {
    producer.put(PER_KEY);
    waitFor(server, () -> allProcessed(producer, seen), Duration.ofSeconds(30), "every record processed");
  }

  /**
   * Crashes `crashed` and waits at most `takeover` until `survivor` owns every lease and processes
   * every shard; prints how long that took, after `label`.
   */
  static void crashAndAwaitTakeover(SluiceServer server, DynamoDbClient dynamo, String application,
                                    ProcessedRecords seen, KclWorker crashed, KclWorker survivor, Duration takeover,
                                    String label) throws InterruptedException {
    crashed.crash();
    long start = System.nanoTime();
    waitFor(server, () -> holdsAll(dynamo, application, seen, survivor.id()), takeover,
        () -> survivor.id() + " holding all four shards; " + state(dynamo, application, seen));
    System.out.printf("%s: %s held all shards %d ms after %s crashed%n", label, survivor.id(),
        (System.nanoTime() - start) / 1_000_000, crashed.id());
  }

  /** Each of workers `a` and `b` owns two of the SHARDS leases and is processing two shards. */
  static boolean evenlyShared(DynamoDbClient dynamo, String application, ProcessedRecords seen, String a, String b) {
    Map<String, LeaseTable.Lease> leases = LeaseTable.read(dynamo, application);
    return leases.size() == SHARDS && LeaseTable.ownedBy(leases, a) == 2 && LeaseTable.ownedBy(leases, b) == 2
        && seen.held(a).size() == 2 && seen.held(b).size() == 2;
  }

  /** `worker` owns all SHARDS leases and is processing all the shards. */
  private static boolean holdsAll(DynamoDbClient dynamo, String application, ProcessedRecords seen, String worker) {
    return LeaseTable.ownedBy(LeaseTable.read(dynamo, application), worker) == SHARDS
        && seen.held(worker).size() == SHARDS;
  }

  /** The lease table and the shards each worker's processors hold, for a failure's message. */
  static String state(DynamoDbClient dynamo, String application, ProcessedRecords seen) {
    return "leases " + LeaseTable.read(dynamo, application) + ", worker-a processing " + seen.held("worker-a")
        + ", worker-b processing " + seen.held("worker-b");
  }

  static boolean allProcessed(KeyedProducer producer, ProcessedRecords seen) {
    Set<String> processed = seen.all().stream().map(p -> p.shardId() + "/" + p.sequenceNumber())
        .collect(Collectors.toSet());
    return producer.puts().stream().allMatch(p -> processed.contains(p.shardId() + "/" + p.sequenceNumber()));
  }

  /** Every record processed after the first `from` came after its shard's checkpoint in `checkpoints`. */
  static void assertAfterCheckpoints(ProcessedRecords seen, int from, Map<String, String> checkpoints) {
    List<ProcessedRecords.Processed> all = seen.all();
    for (ProcessedRecords.Processed p : all.subList(from, all.size())) {
      assertTrue(new BigInteger(p.sequenceNumber()).compareTo(new BigInteger(checkpoints.get(p.shardId()))) > 0,
          "after the restart, " + p + " came after its shard's checkpoint " + checkpoints.get(p.shardId()));
    }
  }

  private static Map<String, String> lastSequenceNumberByShard(KeyedProducer producer) {
    Map<String, String> last = new HashMap<>();
    for (KeyedProducer.Put put : producer.puts()) {
      last.merge(put.shardId(), put.sequenceNumber(),
          (x, y) -> new BigInteger(x).compareTo(new BigInteger(y)) >= 0 ? x : y);
    }
    return last;
  }

  /**
   * Each key's records were first processed in the order they were put (a record processed again
   * after a lease moved, from the last checkpoint, is not a first time), each with its key.
   */
  static void assertInOrderPerKey(KeyedProducer producer, ProcessedRecords seen) {
    Map<String, List<String>> put = new HashMap<>();
    for (KeyedProducer.Put p : producer.puts()) put.computeIfAbsent(p.key(), k -> new ArrayList<>()).add(p.data());
    for (ProcessedRecords.Processed p : seen.all()) {
      assertTrue(p.data().startsWith(p.partitionKey() + "#"), "record " + p + " has its key");
    }
    Map<String, List<String>> firstSeen = seen.firstSeenByKey();
    for (Map.Entry<String, List<String>> key : put.entrySet()) {
      assertEquals(key.getValue(), firstSeen.get(key.getKey()), "order of " + key.getKey());
    }
  }
}
