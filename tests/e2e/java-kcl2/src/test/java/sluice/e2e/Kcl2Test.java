package sluice.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static sluice.e2e.KclChecks.PER_KEY;
import static sluice.e2e.KclChecks.SHARDS;
import static sluice.e2e.KclChecks.allProcessed;
import static sluice.e2e.KclChecks.assertAfterCheckpoints;
import static sluice.e2e.KclChecks.assertInOrderPerKey;
import static sluice.e2e.KclChecks.awaitCheckpointsAtLastRecords;
import static sluice.e2e.KclChecks.crashAndAwaitTakeover;
import static sluice.e2e.KclChecks.dynamoClient;
import static sluice.e2e.KclChecks.evenlyShared;
import static sluice.e2e.KclChecks.putAndAwaitAllProcessed;
import static sluice.e2e.KclChecks.state;
import static sluice.e2e.KclChecks.waitFor;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
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

  private SluiceServer server;
  private KinesisClient kinesis;
  private DynamoDbClient dynamo;
  /** Has put the first records to a new 4-shard stream. */
  private KeyedProducer producer;
  private final String application = Streams.uniqueName("kcl2-app");
  private final ProcessedRecords seen = new ProcessedRecords();

  @BeforeEach
  void startServerWithAStream() throws Exception {
    server = SluiceServer.start();
    kinesis = new Clients(server).syncClient(Transport.APACHE_HTTP11);
    dynamo = dynamoClient(server);
    producer = KclChecks.streamWithRecords(kinesis, SHARDS);
  }

  @AfterEach
  void stopServer() throws Exception {
    dynamo.close();
    kinesis.close();
    server.close();
  }

  @Test
  @Timeout(180)
  void twoWorkersShareTheShardsInOrderAndTheSurvivorTakesAllWhenOneCrashes() throws Exception {
    try (KclWorker a = start("worker-a"); KclWorker b = start("worker-b")) {
      // KCL 2.x balances by lease count: worker-b steals one lease per taker run until even.
      waitFor(server, () -> evenlyShared(dynamo, application, seen, a.id(), b.id()), Duration.ofSeconds(60),
          () -> "two leases and two processing shards for each worker; " + state(dynamo, application, seen));
      putAndAwaitAllProcessed(server, producer, seen);
      crashAndAwaitTakeover(server, dynamo, application, seen, b, a, TAKEOVER, "KCL 2.x");
      putAndAwaitAllProcessed(server, producer, seen);
      awaitCheckpointsAtLastRecords(server, dynamo, application, producer);
    }
    assertInOrderPerKey(producer, seen);
    assertEquals(List.of(), seen.errors(), "checkpoint errors");
  }

  @Test
  @Timeout(120)
  void checkpointsSurviveAWorkerRestartAndTheNextWorkerGoesOnFromThem() throws Exception {
    Map<String, String> checkpoints;
    try (KclWorker first = start("worker-a")) {
      waitFor(server, () -> allProcessed(producer, seen), Duration.ofSeconds(60), "every record processed");
      checkpoints = awaitCheckpointsAtLastRecords(server, dynamo, application, producer);
    }
    int processedBeforeRestart = seen.all().size();

    producer.put(PER_KEY);
    try (KclWorker restarted = start("worker-a")) {
      waitFor(server, () -> allProcessed(producer, seen), Duration.ofSeconds(60),
          "every record processed after the restart");
      awaitCheckpointsAtLastRecords(server, dynamo, application, producer);
    }
    assertAfterCheckpoints(seen, processedBeforeRestart, checkpoints);
    assertInOrderPerKey(producer, seen);
    assertEquals(List.of(), seen.errors(), "checkpoint errors");
  }

  private KclWorker start(String worker) {
    return KclWorker.start(server.httpEndpoint(), producer.stream(), application, worker,
        KclWorker.Retrieval.POLLING, seen.factory(worker));
  }
}
