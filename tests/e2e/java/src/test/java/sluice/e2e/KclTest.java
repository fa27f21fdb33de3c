package sluice.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static sluice.e2e.KclChecks.allProcessed;
import static sluice.e2e.KclChecks.assertAfterCheckpoints;
import static sluice.e2e.KclChecks.assertInOrderPerKey;
import static sluice.e2e.KclChecks.awaitCheckpointsAtLastRecords;
import static sluice.e2e.KclChecks.dynamoClient;
import static sluice.e2e.KclChecks.evenlyShared;
import static sluice.e2e.KclChecks.crashAndAwaitTakeover;
import static sluice.e2e.KclChecks.putAndAwaitAllProcessed;
import static sluice.e2e.KclChecks.state;
import static sluice.e2e.KclChecks.waitFor;

import java.math.BigInteger;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudwatch.CloudWatchClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.Shard;

/**
 * The Kinesis Client Library 3.x, unmodified, against one `sluice serve` that serves its stream
 * and its lease table (DynamoDB; KCL 3.5 keeps its leader lock, migration state and worker metrics
 * there too) on one endpoint: two workers in this JVM share a 4-shard stream that a producer
 * writes keyed records to, in both retrieval modes (enhanced fan-out, the KCL's default, and
 * polling).
 */
class KclTest {
  private static final int SHARDS = KclChecks.SHARDS;
  private static final int PER_KEY = KclChecks.PER_KEY;
  /** A lease can move only once it expired and the leader's next assignment ran: allow both, twice. */
  private static final Duration TAKEOVER = Duration.ofMillis(4 * KclWorker.FAILOVER_MS);

  @ParameterizedTest(name = "{0}")
  @EnumSource(KclWorker.Retrieval.class)
  @Timeout(180)
  void twoWorkersShareTheShardsInOrderAndTheSurvivorTakesAllWhenOneCrashes(KclWorker.Retrieval retrieval)
      throws Exception {
    try (SluiceServer server = SluiceServer.start()) {
      KinesisClient kinesis = new Clients(server).syncClient(Transport.APACHE_HTTP11);
      DynamoDbClient dynamo = dynamoClient(server);
      KeyedProducer producer = streamWithRecords(kinesis);
      String application = Streams.uniqueName("kcl-app");
      ProcessedRecords seen = new ProcessedRecords();
      try (KclWorker a = KclWorker.start(server.httpEndpoint(), producer.stream(), application, "worker-a",
               retrieval, seen.factory("worker-a"));
           KclWorker b = startOnceLeasesExist(server, dynamo, producer.stream(), application, "worker-b", retrieval,
               seen)) {
        // KCL 3.x moves a lease to a worker with less load (here: throughput, the same on every
        // shard) every few assignment rounds, so the producer keeps writing until the two are even.
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!evenlyShared(dynamo, application, seen, a.id(), b.id())) {
          if (System.nanoTime() > deadline) {
            throw new AssertionError("two leases and two processing shards for each worker within 60 s; "
                + state(dynamo, application, seen) + "\nserver log:\n" + server.log());
          }
          producer.put(1);
          Thread.sleep(100);  // the producer's pace, bounded by the deadline
        }
        putAndAwaitAllProcessed(server, producer, seen);
        crashAndAwaitTakeover(server, dynamo, application, seen, b, a, TAKEOVER, retrieval.toString());
        putAndAwaitAllProcessed(server, producer, seen);
        awaitCheckpointsAtLastRecords(server, dynamo, application, producer);
        try (CloudWatchClient cloudWatch = CloudWatchClient.builder().endpointOverride(server.httpEndpoint())
            .region(Region.US_EAST_1).credentialsProvider(Clients.credentials()).build()) {
          // The KCL's metrics, published to Sluice under the application's name.
          waitFor(server, () -> !cloudWatch.listMetrics(r -> r.namespace(application).metricName("RecordsProcessed"))
              .metrics().isEmpty(), Duration.ofSeconds(15), "the KCL's RecordsProcessed metric in CloudWatch");
        }
      }

      assertInOrderPerKey(producer, seen);
      assertEquals(List.of(), seen.errors(), "checkpoint errors");
      dynamo.close();
      kinesis.close();
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(KclWorker.Retrieval.class)
  @Timeout(180)
  void checkpointsSurviveAKillOfSluiceAndTheWorkerGoesOnFromThem(KclWorker.Retrieval retrieval) throws Exception {
    try (SluiceServer server = SluiceServer.start()) {
      Clients clients = new Clients(server);
      KinesisClient kinesis = clients.syncClient(Transport.APACHE_HTTP11);
      DynamoDbClient dynamo = dynamoClient(server);
      KeyedProducer producer = streamWithRecords(kinesis);
      String application = Streams.uniqueName("kcl-app");
      ProcessedRecords seen = new ProcessedRecords();
      try (KclWorker worker = KclWorker.start(server.httpEndpoint(), producer.stream(), application, "worker-a",
          retrieval, seen.factory("worker-a"))) {
        waitFor(server, () -> allProcessed(producer, seen), Duration.ofSeconds(60), "every record processed");
        Map<String, String> checkpoints = awaitCheckpointsAtLastRecords(server, dynamo, application, producer);
        int processedBeforeKill = seen.all().size();

        server.kill9();
        server.restart();
        DynamoDbClient restarted = dynamoClient(server);
        Map<String, String> survived = new HashMap<>();
        LeaseTable.read(restarted, application).forEach((shard, lease) -> survived.put(shard, lease.checkpoint()));
        assertEquals(checkpoints, survived, "checkpoints after kill -9 and restart");

        producer.useClient(clients.syncClient(Transport.APACHE_HTTP11));
        producer.put(PER_KEY);
        waitFor(server, () -> allProcessed(producer, seen), Duration.ofSeconds(60),
            "every record processed after the restart");
        awaitCheckpointsAtLastRecords(server, restarted, application, producer);
        assertAfterCheckpoints(seen, processedBeforeKill, checkpoints);
        restarted.close();
      }
      assertInOrderPerKey(producer, seen);
      assertEquals(List.of(), seen.errors(), "checkpoint errors");
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(KclWorker.Retrieval.class)
  @Timeout(180)
  void parentShardsAreFinishedBeforeTheirChildrenThroughASplitAndAMerge(KclWorker.Retrieval retrieval)
      throws Exception {
    try (SluiceServer server = SluiceServer.start()) {
      KinesisClient kinesis = new Clients(server).syncClient(Transport.APACHE_HTTP11);
      KeyedProducer producer = KclChecks.streamWithRecords(kinesis, 2);
      String stream = producer.stream();
      ProcessedRecords seen = new ProcessedRecords();
      try (KclWorker worker = KclWorker.start(server.httpEndpoint(), stream, Streams.uniqueName("kcl-app"),
          "worker-a", retrieval, seen.factory("worker-a"))) {
        waitFor(server, () -> allProcessed(producer, seen), Duration.ofSeconds(60), "every record processed");
        // Split shard 0 in two halves, then merge its upper half with shard 1: two generations.
        Shard first = kinesis.listShards(r -> r.streamName(stream)).shards().get(0);
        BigInteger start = new BigInteger(first.hashKeyRange().startingHashKey());
        BigInteger end = new BigInteger(first.hashKeyRange().endingHashKey());
        kinesis.splitShard(r -> r.streamName(stream).shardToSplit(first.shardId())
            .newStartingHashKey(start.add(end).shiftRight(1).add(BigInteger.ONE).toString()));
        Streams.waitActive(kinesis, stream);
        producer.put(PER_KEY);
        List<Shard> open = kinesis.listShards(r -> r.streamName(stream)).shards().stream()
            .filter(shard -> shard.sequenceNumberRange().endingSequenceNumber() == null).toList();
        Shard upperHalf = open.stream().filter(shard -> first.shardId().equals(shard.parentShardId())
            && !shard.hashKeyRange().startingHashKey().equals(first.hashKeyRange().startingHashKey())).findFirst()
            .orElseThrow();
        Shard second = open.stream().filter(shard -> shard.parentShardId() == null).findFirst().orElseThrow();
        kinesis.mergeShards(r -> r.streamName(stream).shardToMerge(upperHalf.shardId())
            .adjacentShardToMerge(second.shardId()));
        Streams.waitActive(kinesis, stream);
        producer.put(PER_KEY);
        waitFor(server, () -> allProcessed(producer, seen), Duration.ofSeconds(60),
            () -> "every record processed through the split and the merge; processing " + seen.held("worker-a"));
      }

      List<ProcessedRecords.Processed> processed = seen.all();
      List<Shard> shards = kinesis.listShards(r -> r.streamName(stream)).shards();
      assertEquals(5, shards.size(), "shards after a split and a merge: " + shards);
      for (Shard child : shards) {
        for (String parent : Arrays.asList(child.parentShardId(), child.adjacentParentShardId())) {
          if (parent == null) continue;
          int lastOfParent = lastIndexOf(processed, parent);
          int firstOfChild = firstIndexOf(processed, child.shardId());
          assertTrue(lastOfParent >= 0, "records of parent " + parent + " processed");
          assertTrue(firstOfChild < 0 || firstOfChild > lastOfParent, "child " + child.shardId()
              + " first processed at " + firstOfChild + ", before its parent " + parent + " ended at " + lastOfParent);
        }
      }
      assertTrue(firstIndexOf(processed, shards.get(4).shardId()) >= 0, "the merged shard's records processed");
      long childrenWithRecords = shards.stream()
          .filter(shard -> shard.parentShardId() != null && firstIndexOf(processed, shard.shardId()) >= 0).count();
      assertTrue(childrenWithRecords >= 2, "records of a split child and of the merged shard processed");
      assertInOrderPerKey(producer, seen);
      assertEquals(List.of(), seen.errors(), "checkpoint errors");
    }
  }

  private static int firstIndexOf(List<ProcessedRecords.Processed> processed, String shardId) {
    for (int i = 0; i < processed.size(); i++) {
      if (processed.get(i).shardId().equals(shardId)) return i;
    }
    return -1;
  }

  private static int lastIndexOf(List<ProcessedRecords.Processed> processed, String shardId) {
    for (int i = processed.size() - 1; i >= 0; i--) {
      if (processed.get(i).shardId().equals(shardId)) return i;
    }
    return -1;
  }

  /** A new 4-shard stream and a producer that has put its first records to it. */
  private static KeyedProducer streamWithRecords(KinesisClient kinesis) throws Exception {
    return KclChecks.streamWithRecords(kinesis, SHARDS);
  }

  /**
   * Starts a second worker once the first has made the application's leases. Two workers of a new
   * application started together race to create its migration state in the lease table, and
   * the KCL (3.5.1) worker that loses never completes its initialization ("AssignmentMode is not
   * initialized" on every retry); a fleet that starts its workers one after the other does not
   * meet this.
   */
  private static KclWorker startOnceLeasesExist(SluiceServer server, DynamoDbClient dynamo, String stream,
                                                String application, String worker, KclWorker.Retrieval retrieval,
                                                ProcessedRecords seen) throws InterruptedException {
    waitFor(server, () -> LeaseTable.read(dynamo, application).size() == SHARDS, Duration.ofSeconds(60),
        "the first worker's " + SHARDS + " leases");
    return KclWorker.start(server.httpEndpoint(), stream, application, worker, retrieval, seen.factory(worker));
  }
}
