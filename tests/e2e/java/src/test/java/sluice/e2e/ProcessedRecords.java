package sluice.e2e;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import software.amazon.kinesis.exceptions.KinesisClientLibException;
import software.amazon.kinesis.exceptions.ShutdownException;
import software.amazon.kinesis.lifecycle.events.InitializationInput;
import software.amazon.kinesis.lifecycle.events.LeaseLostInput;
import software.amazon.kinesis.lifecycle.events.ProcessRecordsInput;
import software.amazon.kinesis.lifecycle.events.ShardEndedInput;
import software.amazon.kinesis.lifecycle.events.ShutdownRequestedInput;
import software.amazon.kinesis.processor.RecordProcessorCheckpointer;
import software.amazon.kinesis.processor.ShardRecordProcessor;
import software.amazon.kinesis.processor.ShardRecordProcessorFactory;
import software.amazon.kinesis.retrieval.KinesisClientRecord;

/**
 * What the record processors of one KCL application saw, in the order they saw it: every record
 * (worker, shard, partition key, sequence number, data), the shards each worker is processing now
 * (from initialize to leaseLost, shardEnded or shutdownRequested), and checkpoint errors.
 *
 * <p>A processor records a batch, then checkpoints at its last record, so a checkpoint in the
 * lease table never runs ahead of what was recorded here.
 */
final class ProcessedRecords {
  record Processed(String worker, String shardId, String partitionKey, String sequenceNumber, String data) {}

  private final List<Processed> processed = new ArrayList<>();
  private final Map<String, Set<String>> held = new ConcurrentHashMap<>();
  private final List<String> errors = new ArrayList<>();

  /** The factory a worker's Scheduler makes its processors with. */
  ShardRecordProcessorFactory factory(String worker) {
    return () -> new Processor(worker);
  }

  synchronized List<Processed> all() {
    return new ArrayList<>(processed);
  }

  /**
   * Each partition key's records (their data) in the order they were first processed: a record
   * processed again after a lease moved, from the last checkpoint, is not a first time.
   */
  synchronized Map<String, List<String>> firstSeenByKey() {
    Map<String, Set<String>> firstSeen = new HashMap<>();
    for (Processed p : processed) firstSeen.computeIfAbsent(p.partitionKey(), k -> new LinkedHashSet<>()).add(p.data());
    Map<String, List<String>> byKey = new HashMap<>();
    firstSeen.forEach((key, data) -> byKey.put(key, new ArrayList<>(data)));
    return byKey;
  }

  /** The shards `worker`'s processors are processing now. */
  Set<String> held(String worker) {
    return Set.copyOf(held.computeIfAbsent(worker, w -> ConcurrentHashMap.newKeySet()));
  }

  synchronized List<String> errors() {
    return new ArrayList<>(errors);
  }

  private synchronized void add(Processed record) {
    processed.add(record);
  }

  private synchronized void error(String what) {
    errors.add(what);
  }

  private final class Processor implements ShardRecordProcessor {
    private final String worker;
    private String shardId;

    Processor(String worker) {
      this.worker = worker;
    }

    private Set<String> shards() {
      return held.computeIfAbsent(worker, w -> ConcurrentHashMap.newKeySet());
    }

    @Override
    public void initialize(InitializationInput input) {
      shardId = input.shardId();
      shards().add(shardId);
    }

    @Override
    public void processRecords(ProcessRecordsInput input) {
      for (KinesisClientRecord r : input.records()) {
        add(new Processed(worker, shardId, r.partitionKey(), r.sequenceNumber(),
            StandardCharsets.UTF_8.decode(r.data()).toString()));
      }
      if (!input.records().isEmpty()) checkpoint(input.checkpointer(), "processRecords");
    }

    @Override
    public void leaseLost(LeaseLostInput input) {
      shards().remove(shardId);
    }

    @Override
    public void shardEnded(ShardEndedInput input) {
      checkpoint(input.checkpointer(), "shardEnded");
      shards().remove(shardId);
    }

    @Override
    public void shutdownRequested(ShutdownRequestedInput input) {
      checkpoint(input.checkpointer(), "shutdownRequested");
      shards().remove(shardId);
    }

    private void checkpoint(RecordProcessorCheckpointer checkpointer, String where) {
      try {
        checkpointer.checkpoint();
      } catch (ShutdownException e) {
        // The lease went to another worker meanwhile: that worker goes on from the last checkpoint.
      } catch (KinesisClientLibException | RuntimeException e) {
        error(worker + " " + shardId + " " + where + ": " + e);
      }
    }
  }
}
