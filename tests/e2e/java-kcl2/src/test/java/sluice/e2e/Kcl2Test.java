package sluice.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static sluice.e2e.KclChecks.PER_KEY;
import static sluice.e2e.KclChecks.SHARDS;
import static sluice.e2e.KclChecks.allProcessed;
import static sluice.e2e.KclChecks.assertAfterCheckpoints;
import static sluice.e2e.KclChecks.assertInOrderPerKey;
import static sluice.e2e.KclChecks.awaitCheckpointsAtLastRecords;
import static sluice.e2e.KclChecks.dynamoClient;
import static sluice.e2e.KclChecks.evenlyShared;
import static sluice.e2e.KclChecks.holdsAll;
import static sluice.e2e.KclChecks.state;
import static sluice.e2e.KclChecks.waitFor;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.kinesis.KinesisClient;

/**
 * The Kinesis Client Library 2.x (the newest, 2.7), unmodified, in polling mode against one
 * `sluice serve` that serves its stream and its lease table: two workers share a 4-shard stream
 * that a producer writes keyed records to, the survivor of a crash takes every lease, and a
 * restarted worker goes on from the checkpoints. KclTest's core assertions for KCL 3.x.
 */
class Kcl2Test {
  /** A lease is taken once it expired, by a taker running every 2 × failover: allow both, twice. */
  private static final Duration TAKEOVER = Duration.ofMillis(6 * KclWorker.FAILOVER_MS);

  @Test
  @Timeout(180)
  void twoWorkersShareTheShardsInOrderAndTheSurvivorTakesAllWhenOneCrashes() throws Exception {
    try (SluiceServer server = SluiceServer.start()) {
      KinesisClient kinesis = new Clients(server).syncClient(Transport.APACHE_HTTP11);
      DynamoDbClient dynamo = dynamoClient(server);
      KeyedProducer producer = KclChecks.streamWithRecords(kinesis, SHARDS);
      String application = Streams.uniqueName("kcl2-app");
      ProcessedRecords seen = new ProcessedRecords();
      try (KclWorker a = start(server, producer, application, "worker-a", seen);
           KclWorker b = start(server, producer, application, "worker-b", seen)) {
        // KCL 2.x balances by lease count: worker-b steals one lease per taker run until even.
        waitFor(server, () -> evenlyShared(dynamo, application, seen, a.id(), b.id()), Duration.ofSeconds(60),
            () -> "two leases and two processing shards for each worker; " + state(dynamo, application, seen));
        producer.put(PER_KEY);
        waitFor(server, () -> allProcessed(producer, seen), Duration.ofSeconds(30), "every record processed");

        b.crash();
        long crashed = System.nanoTime();
        waitFor(server, () -> holdsAll(dynamo, application, seen, a.id()), TAKEOVER,
            () -> "worker-a holding all four shards; " + state(dynamo, application, seen));
        System.out.printf("KCL 2.x: worker-a held all shards %d ms after worker-b crashed%n",
            (System.nanoTime() - crashed) / 1_000_000);

        producer.put(PER_KEY);
        waitFor(server, () -> allProcessed(producer, seen), Duration.ofSeconds(30), "every record processed");
        awaitCheckpointsAtLastRecords(server, dynamo, application, producer);
      }
      assertInOrderPerKey(producer, seen);
      assertEquals(List.of(), seen.errors(), "checkpoint errors");
      dynamo.close();
      kinesis.close();
    }
  }

  @Test
  @Timeout(120)
  void checkpointsSurviveAWorkerRestartAndTheNextWorkerGoesOnFromThem() throws Exception {
    try (SluiceServer server = SluiceServer.start()) {
      KinesisClient kinesis = new Clients(server).syncClient(Transport.APACHE_HTTP11);
      DynamoDbClient dynamo = dynamoClient(server);
      KeyedProducer producer = KclChecks.streamWithRecords(kinesis, SHARDS);
      String application = Streams.uniqueName("kcl2-app");
      ProcessedRecords seen = new ProcessedRecords();
      Map<String, String> checkpoints;
      try (KclWorker first = start(server, producer, application, "worker-a", seen)) {
        waitFor(server, () -> allProcessed(producer, seen), Duration.ofSeconds(60), "every record processed");
        checkpoints = awaitCheckpointsAtLastRecords(server, dynamo, application, producer);
      }
      int processedBeforeRestart = seen.all().size();

      producer.put(PER_KEY);
      try (KclWorker restarted = start(server, producer, application, "worker-a", seen)) {
        waitFor(server, () -> allProcessed(producer, seen), Duration.ofSeconds(60),
            "every record processed after the restart");
        awaitCheckpointsAtLastRecords(server, dynamo, application, producer);
      }
      assertAfterCheckpoints(seen, processedBeforeRestart, checkpoints);
      assertInOrderPerKey(producer, seen);
      assertEquals(List.of(), seen.errors(), "checkpoint errors");
      dynamo.close();
      kinesis.close();
    }
  }

  private static KclWorker start(SluiceServer server, KeyedProducer producer, String application, String worker,
                                 ProcessedRecords seen) {
    return KclWorker.start(server.httpEndpoint(), producer.stream(), application, worker,
        KclWorker.Retrieval.POLLING, seen.factory(worker));
  }
}
