package sluice.e2e;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.ConsumerStatus;
import software.amazon.awssdk.services.kinesis.model.GetRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.GetShardIteratorRequest;
import software.amazon.awssdk.services.kinesis.model.Record;
import software.amazon.awssdk.services.kinesis.model.StreamStatus;

/** Stream helpers shared by the test classes: unique names, waits that poll with a deadline, reads. */
final class Streams {
  private Streams() {}

  static String uniqueName(String prefix) {
    return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  /** Polls `condition` every 20 ms until it holds; fails naming `what` after `timeout`. */
  static void waitUntil(BooleanSupplier condition, Duration timeout, String what) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) throw new AssertionError("timed out after " + timeout + ": " + what);
      Thread.sleep(20);  // polling interval, bounded by the deadline
    }
  }

  /** Creates a stream of `shards` shards and waits until it is ACTIVE. */
  static void create(KinesisClient kinesis, String name, int shards) throws InterruptedException {
    kinesis.createStream(r -> r.streamName(name).shardCount(shards));
    waitActive(kinesis, name);
  }

  /** Creates a one-shard stream, waits until it is ACTIVE and returns its shard's id. */
  static String createOneShard(KinesisClient kinesis, String name) throws InterruptedException {
    create(kinesis, name, 1);
    return kinesis.listShards(r -> r.streamName(name)).shards().get(0).shardId();
  }

  static void waitActive(KinesisClient kinesis, String name) throws InterruptedException {
    waitUntil(() -> kinesis.describeStreamSummary(r -> r.streamName(name)).streamDescriptionSummary()
        .streamStatus() == StreamStatus.ACTIVE, Duration.ofSeconds(20), name + " ACTIVE");
  }

  /** Registers a consumer and waits until it is ACTIVE; returns its ARN. */
  static String registerConsumer(KinesisClient kinesis, String streamArn, String name) throws InterruptedException {
    String arn = kinesis.registerStreamConsumer(r -> r.streamARN(streamArn).consumerName(name)).consumer().consumerARN();
    waitUntil(() -> kinesis.describeStreamConsumer(r -> r.consumerARN(arn)).consumerDescription().consumerStatus()
        == ConsumerStatus.ACTIVE, Duration.ofSeconds(20), name + " ACTIVE");
    return arn;
  }

  /**
   * Reads one shard with GetRecords from the iterator `start` describes (stream and shard are
   * filled in) until `count` records have come or the shard is drained of them for 10 s.
   */
  static List<Record> read(KinesisClient kinesis, String stream, String shardId, int count,
                           Consumer<GetShardIteratorRequest.Builder> start) throws InterruptedException {
    String iterator = kinesis.getShardIterator(r -> start.accept(r.streamName(stream).shardId(shardId)))
        .shardIterator();
    List<Record> records = new ArrayList<>();
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (records.size() < count && iterator != null) {
      String current = iterator;
      GetRecordsResponse page = kinesis.getRecords(r -> r.shardIterator(current));
      records.addAll(page.records());
      iterator = page.nextShardIterator();
      if (page.records().isEmpty()) {
        if (System.nanoTime() > deadline) break;
        Thread.sleep(20);  // polling interval, bounded by the deadline
      }
    }
    return records;
  }
}
