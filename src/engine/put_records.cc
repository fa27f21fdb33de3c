// PutRecords: validate, route, one append per shard, then one completion once
// every touched shard reports its records durable.
#include <algorithm>
#include <atomic>

#include "engine/engine.h"
#include "engine/engine_impl.h"  // the shared not-found messages
#include "engine/record_path.h"
#include "engine/sequence_number.h"
#include "util/log.h"
#include "util/rate_limiter.h"

namespace sluice::engine {
namespace {

Status EntryFailure() { return Status(ErrorCode::kInternalFailure, "Internal Service Failure"); }

// The client sees only InternalFailure; the cause (a full disk, no free
// descriptors, a failed sync) goes to the log, at most once a second. The
// cause names the shard's file, so its directory names the stream.
void LogWriteFailure(int shard_index, const Status& cause) {
  static RateLimiter limiter;
  uint64_t suppressed = 0;
  if (!limiter.Allow(&suppressed)) return;
  log::Error("a put to {} answered InternalFailure: {} ({} more like it not logged)", ShardIdFor(shard_index),
             cause.ToString(), suppressed);
}

}  // namespace

// Shared by the appends of one call; the last reference to finish calls done.
struct RecordPath::PutContext {
  std::vector<PutEntryResult> results;
  std::vector<std::pair<int, int>> order;  // (shard index, entry index), grouped by shard
  std::atomic<int> pending{1};             // one per durability wait, plus the caller's
  RecordPath::PutCallback done;

  void FailRange(size_t begin, size_t end) {
    for (size_t i = begin; i < end; ++i) results[order[i].second].status = EntryFailure();
  }
  void Release() {
    if (pending.fetch_sub(1, std::memory_order_acq_rel) == 1) done(std::move(results));
  }
};

void RecordPath::PutRecords(const StreamRef& stream, std::span<const PutEntry> entries, PutCallback done) {
  std::shared_ptr<StreamState> state = streams_.Find(stream);
  if (!state) return done(Status::NotFound(StreamNotFoundMessage(stream)));

  auto ctx = std::make_shared<PutContext>();
  ctx->done = std::move(done);
  {
    // Held shared across the appends so no control-plane change (closing a
    // shard, deleting the stream) lands between routing and appending.
    std::shared_lock lock(state->mu);
    const StreamMeta& meta = state->meta;
    if (meta.status != StreamStatus::kActive && meta.status != StreamStatus::kUpdating) {
      lock.unlock();
      return ctx->done(Status::NotFound(StreamNotFoundMessage(stream)));
    }
    const size_t max_bytes = static_cast<size_t>(meta.max_record_size_kib) * 1024;
    ctx->order.reserve(entries.size());
    for (size_t i = 0; i < entries.size(); ++i) {
      const PutEntry& e = entries[i];
      const size_t size = e.partition_key.size() + e.data.size();
      if (size > max_bytes) {
        lock.unlock();
        return ctx->done(Status::InvalidArgument(
            "Record " + std::to_string(i) + " of " + std::to_string(size) +
            " bytes (data plus partition key) exceeds the maximum record size of " + std::to_string(max_bytes) +
            " bytes of stream " + stream.name + " under account " + stream.account + "."));
      }
      int shard;
      if (meta.record_distribution == RecordDistribution::kAuto) {
        // Keys (and explicit hash keys) are ignored: one record per open
        // shard in turn, over every producer of the stream.
        shard = state->router.Nth(state->next_auto_record.fetch_add(1, std::memory_order_relaxed));
        if (shard < 0) {
          lock.unlock();
          return ctx->done(Status::Internal("stream " + stream.name + " has no open shard"));
        }
      } else {
        const HashKey key = e.explicit_hash_key ? *e.explicit_hash_key : HashKeyForPartitionKey(e.partition_key);
        shard = state->router.Route(key);
        if (shard < 0) {
          lock.unlock();
          return ctx->done(Status::Internal("no open shard covers hash key " + HashKeyToString(key)));
        }
      }
      ctx->order.emplace_back(shard, static_cast<int>(i));
    }
    // Group by shard, keeping request order within a shard.
    std::sort(ctx->order.begin(), ctx->order.end());
    if (!AppendRouted(stream, *state, lock, entries, ctx, options_.remote_writer != nullptr)) return;
  }
  ctx->Release();
}

void RecordPath::PutToShard(const StreamRef& stream, int64_t stream_creation_ms, int shard_index,
                            std::span<const PutEntry> entries, PutCallback done) {
  std::shared_ptr<StreamState> state = streams_.Find(stream);
  if (!state) return done(Status::NotFound(StreamNotFoundMessage(stream)));
  auto ctx = std::make_shared<PutContext>();
  ctx->done = std::move(done);
  {
    std::shared_lock lock(state->mu);
    const StreamMeta& meta = state->meta;
    if ((meta.status != StreamStatus::kActive && meta.status != StreamStatus::kUpdating) ||
        meta.creation_ms != stream_creation_ms) {
      lock.unlock();
      return ctx->done(Status::NotFound(StreamNotFoundMessage(stream)));
    }
    if (shard_index < 0 || static_cast<size_t>(shard_index) >= meta.shards.size()) {
      lock.unlock();
      return ctx->done(Status::NotFound("Could not find shard " + ShardIdFor(shard_index) + " in stream " +
                                        stream.name + " under account " + stream.account + "."));
    }
    if (!meta.shards[shard_index].open()) {
      lock.unlock();
      return ctx->done(Status::InvalidArgument("Shard " + ShardIdFor(shard_index) + " in stream " + stream.name +
                                               " under account " + stream.account + " is closed."));
    }
    const size_t max_bytes = static_cast<size_t>(meta.max_record_size_kib) * 1024;
    ctx->order.reserve(entries.size());
    for (size_t i = 0; i < entries.size(); ++i) {
      const size_t size = entries[i].partition_key.size() + entries[i].data.size();
      if (size > max_bytes) {
        lock.unlock();
        return ctx->done(Status::InvalidArgument(
            "Record " + std::to_string(i) + " of " + std::to_string(size) +
            " bytes (data plus partition key) exceeds the maximum record size of " + std::to_string(max_bytes) +
            " bytes of stream " + stream.name + " under account " + stream.account + "."));
      }
      ctx->order.emplace_back(shard_index, static_cast<int>(i));
    }
    // Sent here by another node: answered here, never passed on again.
    if (!AppendRouted(stream, *state, lock, entries, ctx, /*pass_on=*/false)) return;
  }
  ctx->Release();
}

bool RecordPath::AppendRouted(const StreamRef& stream, StreamState& state_ref,
                              std::shared_lock<std::shared_mutex>& lock, std::span<const PutEntry> entries,
                              const std::shared_ptr<PutContext>& ctx, bool pass_on) {
  StreamState* state = &state_ref;
  const StreamMeta& meta = state->meta;
  // Only a shard's leader appends to it. A shard led elsewhere fails the
  // whole call, writing nothing (NotLeader: the layer above forwards it),
  // unless its records may be passed on to its leader (`pass_on`, cluster
  // mode): then they go there and the answers are merged here. A shard with
  // no leader at the moment fails the call either way.
  std::vector<std::string> leader_of_group(ctx->order.size());  // by the group's first index; empty: here
  for (size_t i = 0; i < ctx->order.size(); ++i) {
    if (i > 0 && ctx->order[i].first == ctx->order[i - 1].first) continue;
    Status leader = CheckLeader(placement_, ShardKey{stream, meta.creation_ms, ctx->order[i].first});
    if (leader.ok()) continue;
    std::string address = pass_on ? LeaderAddressOf(leader) : std::string();
    if (address.empty()) {
      lock.unlock();
      ctx->done(std::move(leader));
      return false;
    }
    leader_of_group[i] = std::move(address);
  }
  ctx->results.resize(entries.size());

  const int64_t arrival_ms = Now();
  const bool on_demand = meta.mode == StreamMode::kOnDemand;
  std::vector<storage::AppendEntry> batch;
  std::vector<size_t> sizes;
  for (size_t begin = 0; begin < ctx->order.size();) {
    const int shard_index = ctx->order[begin].first;
    size_t end = begin;
    while (end < ctx->order.size() && ctx->order[end].first == shard_index) ++end;
    const size_t group_end = end;
    if (!leader_of_group[begin].empty()) {
      PassOn(stream, meta.creation_ms, shard_index, leader_of_group[begin], entries, ctx, begin, group_end);
      begin = group_end;
      continue;
    }
    ShardState& shard = *state->shards[shard_index];

    if (limits_on_) {
      // Over the quota: this shard's records from the first that does not
      // fit are refused (the later ones too, so a key's records never
      // overtake each other); the rest of the call goes ahead.
      const ThroughputLimits& limits = options_.limits;
      sizes.clear();
      for (size_t j = begin; j < end; ++j) {
        const PutEntry& e = entries[ctx->order[j].second];
        sizes.push_back(e.partition_key.size() + e.data.size());
      }
      const size_t admitted =
          on_demand ? state->on_demand_quota.AdmitWrites(limits.on_demand, sizes.data(), sizes.size(), arrival_ms, true,
                                                         limits.on_demand_scale_delay_ms)
                    : shard.quota.Get().AdmitWrites(limits.shard, sizes.data(), sizes.size(), arrival_ms);
      if (admitted < sizes.size()) {
        const Status throttled(ErrorCode::kProvisionedThroughputExceeded,
                               ShardRateExceededMessage(stream.account, stream.name, ShardIdFor(shard_index)));
        end = begin + admitted;
        for (size_t j = end; j < group_end; ++j) ctx->results[ctx->order[j].second].status = throttled;
        shard.counters.Get().write_throughput_exceeded.fetch_add(group_end - end, std::memory_order_relaxed);
      }
    }
    if (begin == end) {
      begin = group_end;
      continue;
    }

    batch.clear();
    uint64_t data_bytes = 0;
    for (size_t j = begin; j < end; ++j) {
      const PutEntry& e = entries[ctx->order[j].second];
      batch.push_back({e.partition_key, e.data});
      data_bytes += e.data.size();
    }
    std::shared_lock life(shard.life);
    Result<uint64_t> first =
        shard.log ? shard.log->Append(batch, arrival_ms) : Result<uint64_t>(Status::Internal("shard log closed"));
    if (!first.ok()) {
      LogWriteFailure(shard_index, first.status());
      ctx->FailRange(begin, end);
      begin = group_end;
      continue;
    }
    SequenceFields fields;
    fields.shard_created_seconds = meta.shards[shard_index].created_seconds;
    fields.shard_index = static_cast<uint32_t>(shard_index);
    fields.record_seconds = arrival_ms / 1000;
    for (size_t j = begin; j < end; ++j) {
      PutEntryResult& r = ctx->results[ctx->order[j].second];
      r.shard_index = shard_index;
      r.encrypted = meta.encryption_type == "KMS";
      fields.counter = *first + (j - begin) + 1;
      FormatSequenceNumber(fields, &r.sequence_number);
    }
    ctx->pending.fetch_add(1, std::memory_order_relaxed);
    // May run inline (kOs, kMemory): it only counts down, the caller's
    // reference keeps `done` from running under these locks.
    // Subscribers are woken after the producer's acknowledgement is on
    // its way: pushing never delays a put.
    shard.log->WhenDurable(*first + (end - begin),
                           [ctx, begin, end, data_bytes, shard_index, waiter = state->shards[shard_index]](Status s) {
                             if (!s.ok()) {
                               LogWriteFailure(shard_index, s);
                               ctx->FailRange(begin, end);
                             }
                             if (s.ok()) {
                               ShardCounters& counters = waiter->counters.Get();
                               counters.incoming_records.fetch_add(end - begin, std::memory_order_relaxed);
                               counters.incoming_bytes.fetch_add(data_bytes, std::memory_order_relaxed);
                             }
                             ctx->Release();
                             if (s.ok()) waiter->waiters.Notify();
                           });
    begin = group_end;
  }
  return true;
}

void RecordPath::PassOn(const StreamRef& stream, int64_t stream_creation_ms, int shard_index, const std::string& leader,
                        std::span<const PutEntry> entries, const std::shared_ptr<PutContext>& ctx, size_t begin,
                        size_t end) {
  std::vector<PutEntry> group;
  group.reserve(end - begin);
  for (size_t j = begin; j < end; ++j) group.push_back(entries[ctx->order[j].second]);
  ctx->pending.fetch_add(1, std::memory_order_relaxed);
  options_.remote_writer->Append(
      leader, ShardKey{stream, stream_creation_ms, shard_index}, group,
      [ctx, begin, end, shard_index, leader](Result<std::vector<PutEntryResult>> results) {
        if (!results.ok() || results->size() != end - begin) {
          LogWriteFailure(
              shard_index,
              results.ok()
                  ? Status::Internal("the leader at " + leader + " answered " + std::to_string(results->size()) +
                                     " results for " + std::to_string(end - begin) + " records")
                  : Status(results.status().code(),
                           "passing records on to the leader at " + leader + ": " + results.status().message()));
          ctx->FailRange(begin, end);
        } else {
          for (size_t j = begin; j < end; ++j) ctx->results[ctx->order[j].second] = std::move((*results)[j - begin]);
        }
        ctx->Release();
      });
}

}  // namespace sluice::engine
