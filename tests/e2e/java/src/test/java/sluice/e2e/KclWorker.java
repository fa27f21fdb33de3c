package sluice.e2e;

import java.net.URI;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudwatch.CloudWatchAsyncClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.kinesis.common.ConfigsBuilder;
import software.amazon.kinesis.common.InitialPositionInStream;
import software.amazon.kinesis.common.InitialPositionInStreamExtended;
import software.amazon.kinesis.common.KinesisClientUtil;
import software.amazon.kinesis.coordinator.Scheduler;
import software.amazon.kinesis.leases.LeaseManagementConfig;
import software.amazon.kinesis.processor.ShardRecordProcessorFactory;
import software.amazon.kinesis.processor.SingleStreamTracker;
import software.amazon.kinesis.retrieval.RetrievalConfig;
import software.amazon.kinesis.retrieval.polling.PollingConfig;

/**
 * One unmodified KCL worker (3.x here; tests/e2e/java-kcl2 compiles this file against 2.x with its
 * own KclLeaseTimings): a Scheduler on a thread of its own whose Kinesis, DynamoDB and CloudWatch
 * clients all go to one Sluice endpoint, reading a stream from TRIM_HORIZON. Its lease timings are
 * tuned for a test that takes seconds (KclLeaseTimings): a lease expires 3 s after its owner last
 * renewed it. Its metrics go to Sluice's CloudWatch under the application's name.
 */
final class KclWorker implements AutoCloseable {
  /** How the worker reads its shards. */
  enum Retrieval {
    /** The KCL's default: a registered consumer and SubscribeToShard (HTTP/2). */
    FAN_OUT,
    /** GetRecords, every 200 ms while a shard is idle. */
    POLLING
  }

  static final long FAILOVER_MS = 3_000;

  private final String worker;
  private final Scheduler scheduler;
  private final Thread thread;
  private final KinesisAsyncClient kinesis;
  private final DynamoDbAsyncClient dynamo;
  private final CloudWatchAsyncClient cloudWatch;

  private KclWorker(String worker, Scheduler scheduler, KinesisAsyncClient kinesis, DynamoDbAsyncClient dynamo,
                    CloudWatchAsyncClient cloudWatch) {
    this.worker = worker;
    this.scheduler = scheduler;
    this.kinesis = kinesis;
    this.dynamo = dynamo;
    this.cloudWatch = cloudWatch;
    this.thread = new Thread(scheduler, "kcl-" + worker);
    thread.setDaemon(true);
  }

  /** Starts worker `worker` of application `application` (also its lease table's name). */
  static KclWorker start(URI endpoint, String stream, String application, String worker, Retrieval retrieval,
                         ShardRecordProcessorFactory processors) {
    KinesisAsyncClient kinesis = KinesisClientUtil.createKinesisAsyncClient(KinesisAsyncClient.builder()
        .endpointOverride(endpoint).region(Region.US_EAST_1).credentialsProvider(Clients.credentials()));
    DynamoDbAsyncClient dynamo = DynamoDbAsyncClient.builder()
        .endpointOverride(endpoint).region(Region.US_EAST_1).credentialsProvider(Clients.credentials()).build();
    CloudWatchAsyncClient cloudWatch = CloudWatchAsyncClient.builder()
        .endpointOverride(endpoint).region(Region.US_EAST_1).credentialsProvider(Clients.credentials()).build();

    ConfigsBuilder configs = new ConfigsBuilder(
        new SingleStreamTracker(stream,
            InitialPositionInStreamExtended.newInitialPosition(InitialPositionInStream.TRIM_HORIZON)),
        application, kinesis, dynamo, cloudWatch, worker, processors);
    LeaseManagementConfig leases = KclLeaseTimings.tune(configs.leaseManagementConfig(), FAILOVER_MS);
    RetrievalConfig retrievalConfig = configs.retrievalConfig();
    if (retrieval == Retrieval.POLLING) {
      retrievalConfig.retrievalSpecificConfig(new PollingConfig(stream, kinesis).idleTimeBetweenReadsInMillis(200));
    }
    Scheduler scheduler = new Scheduler(
        configs.checkpointConfig(),
        configs.coordinatorConfig()
            .parentShardPollIntervalMillis(500)
            .shardConsumerDispatchPollIntervalMillis(100)
            .schedulerInitializationBackoffTimeMillis(500),
        leases,
        configs.lifecycleConfig(),
        // The default level (DETAILED) to Sluice's CloudWatch, namespace = the application's name,
        // flushed every second instead of every 10 s.
        configs.metricsConfig().metricsBufferTimeMillis(1_000),
        configs.processorConfig(),
        retrievalConfig);
    KclWorker started = new KclWorker(worker, scheduler, kinesis, dynamo, cloudWatch);
    started.thread.start();
    return started;
  }

  String id() {
    return worker;
  }

  /**
   * Stops the worker as a crash would for its leases: the Scheduler stops at once, renews nothing
   * and hands nothing over, so its leases are free only once they expire (FAILOVER_MS).
   */
  void crash() throws InterruptedException {
    scheduler.shutdown();
    thread.join(Duration.ofSeconds(20).toMillis());
  }

  /** Shuts the worker down gracefully (checkpointing its shards) unless it has crashed. */
  @Override
  public void close() throws Exception {
    try {
      if (thread.isAlive()) scheduler.startGracefulShutdown().get(30, TimeUnit.SECONDS);
      thread.join(Duration.ofSeconds(20).toMillis());
    } finally {
      kinesis.close();
      dynamo.close();
      cloudWatch.close();
    }
  }
}
