package sluice.e2e;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResponse;
import software.amazon.kinesis.lifecycle.events.InitializationInput;
import software.amazon.kinesis.lifecycle.events.LeaseLostInput;
import software.amazon.kinesis.lifecycle.events.ProcessRecordsInput;
import software.amazon.kinesis.lifecycle.events.ShardEndedInput;
import software.amazon.kinesis.lifecycle.events.ShutdownRequestedInput;
import software.amazon.kinesis.processor.ShardRecordProcessor;
import software.amazon.kinesis.processor.ShardRecordProcessorFactory;
import software.amazon.kinesis.retrieval.KinesisClientRecord;

/**
 * A benchmark, not a test (`make bench-kcl`): put → processRecords latency of one KCL 3.x worker
 * (KclWorker: polling every 200 ms while idle, or enhanced fan-out) on a 4-shard stream of a fresh
 * `sluice serve` (SLUICE_BIN), at RATE records/s for SECONDS seconds after a WARMUP of 5 s:
 *
 * <pre>java -cp … sluice.e2e.KclLatencyBench [RATE [SECONDS]]</pre>
 *
 * The producer, in the worker's JVM, puts a PutRecords of RATE/100 records every 10 ms, each
 * record's data the System.nanoTime() before the call; the processor takes the difference on
 * arrival. Prints a Markdown table: mode, records measured, p50, p99, max (ms).
 */
final class KclLatencyBench {
  private static final int SHARDS = 4;
  private static final Duration WARMUP = Duration.ofSeconds(5);
  private static final long TICK_NANOS = 10_000_000;  // a PutRecords every 10 ms

  private KclLatencyBench() {}

  public static void main(String[] args) throws Exception {
    int rate = args.length > 0 ? Integer.parseInt(args[0]) : 1_000;
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 30;
    System.out.printf("| retrieval | records/s | records measured | p50 ms | p99 ms | max ms |%n");
    System.out.printf("|---|---:|---:|---:|---:|---:|%n");
    for (KclWorker.Retrieval retrieval : KclWorker.Retrieval.values()) {
      List<Long> latencies = run(retrieval, rate, seconds);
      Collections.sort(latencies);
      System.out.printf("| %s | %,d | %,d | %.1f | %.1f | %.1f |%n", retrieval, rate, latencies.size(),
          millis(percentile(latencies, 0.50)), millis(percentile(latencies, 0.99)),
          millis(latencies.get(latencies.size() - 1)));
    }
    System.exit(0);  // the KCL's and the SDK's non-daemon threads
  }

  /** The latencies (ns) of the records put after the warmup, once every record put arrived. */
  private static List<Long> run(KclWorker.Retrieval retrieval, int rate, int seconds) throws Exception {
    try (SluiceServer server = SluiceServer.start()) {
      KinesisClient kinesis = new Clients(server).syncClient(Transport.APACHE_HTTP11);
      String stream = Streams.uniqueName("kcl-bench");
      Streams.create(kinesis, stream, SHARDS);
      Latencies latencies = new Latencies();
      try (KclWorker worker = KclWorker.start(server.httpEndpoint(), stream, Streams.uniqueName("kcl-bench-app"),
          "worker-a", retrieval, latencies)) {
        Streams.waitUntil(() -> latencies.held.size() == SHARDS, Duration.ofSeconds(60), "the worker on all shards");
        int perTick = rate / 100;
        long start = System.nanoTime();
        long measureFrom = start + WARMUP.toNanos();
        long end = measureFrom + Duration.ofSeconds(seconds).toNanos();
        int sent = 0;
        for (long tick = start; tick < end; tick += TICK_NANOS) {
          long wait = tick - System.nanoTime();
          if (wait > 0) Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));  // the producer's pace
          put(kinesis, stream, perTick, sent);
          sent += perTick;
        }
        int total = sent;
        Streams.waitUntil(() -> latencies.count() == total, Duration.ofSeconds(60), "every record processed");
        if (latencies.repeated() > 0) {
          System.err.printf("%s: %d records processed more than once (counted at their first time)%n", retrieval,
              latencies.repeated());
        }
        return latencies.since(measureFrom);
      }
    }
  }

  private static void put(KinesisClient kinesis, String stream, int count, int first) {
    String now = Long.toString(System.nanoTime());
    List<PutRecordsRequestEntry> entries = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      entries.add(PutRecordsRequestEntry.builder().partitionKey("key-" + (first + i))
          .data(SdkBytes.fromString(now, StandardCharsets.UTF_8)).build());
    }
    PutRecordsResponse response = kinesis.putRecords(r -> r.streamName(stream).records(entries));
    if (response.failedRecordCount() != 0) throw new IllegalStateException("PutRecords failed: " + response);
  }

  private static double percentile(List<Long> sorted, double p) {
    return sorted.get((int) Math.min(sorted.size() - 1, Math.ceil(p * sorted.size()) - 1));
  }

  private static double millis(double nanos) {
    return nanos / 1e6;
  }

  /** Processors that note each record's latency: (sent, arrived) in System.nanoTime(). */
  private static final class Latencies implements ShardRecordProcessorFactory {
    /** By partition key (one per record): the first arrival; a record processed again counts once. */
    private final Map<String, long[]> arrivals = new HashMap<>();
    private int repeated;
    final Set<String> held = ConcurrentHashMap.newKeySet();

    synchronized int count() {
      return arrivals.size();
    }

    synchronized int repeated() {
      return repeated;
    }

    synchronized List<Long> since(long sentFrom) {
      List<Long> out = new ArrayList<>();
      for (long[] a : arrivals.values()) if (a[0] >= sentFrom) out.add(a[1] - a[0]);
      return out;
    }

    private synchronized void arrived(String key, long sent, long now) {
      if (arrivals.putIfAbsent(key, new long[] {sent, now}) != null) repeated++;
    }

    @Override
    public ShardRecordProcessor shardRecordProcessor() {
      return new ShardRecordProcessor() {
        private String shard;

        @Override
        public void initialize(InitializationInput input) {
          shard = input.shardId();
          held.add(shard);
        }

        @Override
        public void processRecords(ProcessRecordsInput input) {
          long now = System.nanoTime();
          for (KinesisClientRecord r : input.records()) {
            arrived(r.partitionKey(), Long.parseLong(StandardCharsets.UTF_8.decode(r.data()).toString()), now);
          }
        }

        @Override
        public void leaseLost(LeaseLostInput input) {
          held.remove(shard);
        }

        @Override
        public void shardEnded(ShardEndedInput input) {
          held.remove(shard);
        }

        @Override
        public void shutdownRequested(ShutdownRequestedInput input) {
          held.remove(shard);
        }
      };
    }
  }
}
