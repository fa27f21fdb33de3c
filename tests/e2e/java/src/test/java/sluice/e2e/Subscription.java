package sluice.e2e;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.model.ShardIteratorType;
import software.amazon.awssdk.services.kinesis.model.StartingPosition;
import software.amazon.awssdk.services.kinesis.model.SubscribeToShardEvent;
import software.amazon.awssdk.services.kinesis.model.SubscribeToShardResponseHandler;

/**
 * One SubscribeToShard call of the async client: its events queued as they arrive (with the time
 * each came, for gap checks), and its end (normal completion or the error the SDK reported).
 */
final class Subscription {
  /** An event and System.nanoTime() when the SDK handed it over. */
  record Arrival(SubscribeToShardEvent event, long nanos) {}

  private final LinkedBlockingQueue<Arrival> queue = new LinkedBlockingQueue<>();
  private final CompletableFuture<Void> done;
  private Arrival opening;
  final long startedNanos = System.nanoTime();

  Subscription(KinesisAsyncClient kinesis, String consumerArn, String shardId, StartingPosition start) {
    SubscribeToShardResponseHandler handler = SubscribeToShardResponseHandler.builder()
        .subscriber(SubscribeToShardResponseHandler.Visitor.builder()
            .onSubscribeToShardEvent(e -> queue.add(new Arrival(e, System.nanoTime())))
            .build())
        .build();
    done = kinesis.subscribeToShard(r -> r.consumerARN(consumerArn).shardId(shardId).startingPosition(start), handler);
  }

  /** Subscribes from `type` and waits up to 5 s for the first event: the subscription is then live. */
  static Subscription live(KinesisAsyncClient kinesis, String consumerArn, String shardId, ShardIteratorType type)
      throws InterruptedException {
    Subscription subscription =
        new Subscription(kinesis, consumerArn, shardId, StartingPosition.builder().type(type).build());
    subscription.opening = subscription.next(Duration.ofSeconds(5));
    if (subscription.opening == null) throw new AssertionError("no first event within 5 s");
    return subscription;
  }

  /** The first event, taken by live(). */
  Arrival opening() {
    return opening;
  }

  /** The next event within `timeout`, or null. */
  Arrival next(Duration timeout) throws InterruptedException {
    return queue.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Every event until the subscription ends; fails if it does not end within `timeout` or ends in an error. */
  List<Arrival> drainToEnd(Duration timeout) throws Exception {
    done.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    List<Arrival> rest = new ArrayList<>();
    queue.drainTo(rest);
    return rest;
  }

  boolean ended() {
    return done.isDone();
  }

  void cancel() {
    done.cancel(true);
  }
}
