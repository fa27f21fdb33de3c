// Changes that move a stream through UPDATING: SplitShard, MergeShards,
// UpdateShardCount (rules in engine/resharding.h), UpdateStreamMode,
// UpdateMaxRecordSize, UpdateStreamWarmThroughput and
// UpdateStreamRecordDistributionStrategy.
//
// A reshard is persisted before anything is created: with an UPDATING delay
// the request is saved as the stream's pending reshard and applied by the
// housekeeping pass when the delay ends (or after a restart); without one it
// is applied at once. Applying creates the children's logs, saves the
// metadata naming them, then swaps the live shard list under the stream's
// exclusive lock — so a crash leaves either the old lineage (plus, at worst,
// empty child folders the next start removes) or the new one, never half.
#include <algorithm>
#include <filesystem>
#include <mutex>
#include <shared_mutex>

#include "engine/current_state.h"
#include "engine/data_layout.h"
#include "engine/engine.h"
#include "engine/pending_marks.h"
#include "engine/resharding.h"
#include "engine/stream_control.h"
#include "storage/file_util.h"
#include "util/log.h"

namespace sluice::engine {
namespace {

Status OnDemandRefused(const StreamRef& stream, const char* operation) {
  return Status(ErrorCode::kValidation, std::string(operation) + " is not supported for stream " + stream.name +
                                            " under account " + stream.account +
                                            " because it is in ON_DEMAND capacity mode.");
}

Status ShardNotFound(const StreamRef& stream, std::string_view shard_id) {
  return Status::NotFound("Could not find shard " + std::string(shard_id) + " in stream " + stream.name +
                          " under account " + stream.account + ".");
}

}  // namespace

Status StreamControl::ShardQuotaExceeded(const StreamRef& stream, int current, int limit, int additional) {
  return Status::LimitExceeded(
      "This request would exceed the shard limit for the account " + stream.account + " in " + stream.region +
      ". Current shard count for the account: " + std::to_string(current) + ". Limit: " + std::to_string(limit) +
      ". Number of additional shards that would have resulted from this request: " + std::to_string(additional) +
      ". Refer to the AWS Service Limits page "
      "(http://docs.aws.amazon.com/general/latest/gr/aws_service_limits.html) for "
      "current limits and how to request higher limits.");
}

Status StreamControl::OnDemandQuotaExceeded(const StreamRef& stream, int current, int limit) {
  return Status::LimitExceeded("This request would exceed the on-demand stream count limit for the account " +
                               stream.account + " in " + stream.region +
                               ". Current on-demand stream count for the account: " + std::to_string(current) +
                               ". Limit: " + std::to_string(limit) + ".");
}

Status StreamControl::SplitShard(const StreamRef& stream, std::string_view shard_to_split,
                                 HashKey new_starting_hash_key) {
  const std::optional<int> index = ParseShardId(shard_to_split);
  ReshardOp op;
  op.kind = ReshardOp::Kind::kSplit;
  op.shard = index.value_or(-1);
  op.key = new_starting_hash_key;
  // An id that cannot name a shard is refused before the stream is looked
  // up, as the service does.
  if (!index) return ShardNotFound(stream, shard_to_split);
  return Reshard(stream, op).status();
}

Status StreamControl::MergeShards(const StreamRef& stream, std::string_view shard_to_merge,
                                  std::string_view adjacent_shard_to_merge) {
  const std::optional<int> a = ParseShardId(shard_to_merge);
  const std::optional<int> b = ParseShardId(adjacent_shard_to_merge);
  if (!a || !b) return ShardNotFound(stream, !a ? shard_to_merge : adjacent_shard_to_merge);
  ReshardOp op;
  op.kind = ReshardOp::Kind::kMerge;
  op.shard = *a;
  op.adjacent = *b;
  return Reshard(stream, op).status();
}

Result<ShardCountUpdate> StreamControl::UpdateShardCount(const StreamRef& stream, int target_shard_count) {
  ReshardOp op;
  op.kind = ReshardOp::Kind::kScale;
  op.target = target_shard_count;
  SLUICE_ASSIGN_OR_RETURN(int current, Reshard(stream, op));
  return ShardCountUpdate{current, target_shard_count};
}

Result<int> StreamControl::Reshard(const StreamRef& stream, ReshardOp op) {
  std::lock_guard control(streams_.control_mu());
  return ChangeCurrentLocked(streams_, KeyOf(stream), [&] { return ReshardLocked(stream, op); });
}

Result<int> StreamControl::ReshardLocked(const StreamRef& stream, const ReshardOp& op) {
  if (!streams_.Find(stream)) return Status::NotFound(StreamNotFoundMessage(stream));
  std::vector<StreamMeta> snapshot = streams_.SnapshotLocked();
  SLUICE_ASSIGN_OR_RETURN(StreamMeta * target, ActiveIn(snapshot, stream));
  const int open_before = OpenShardCount(*target);
  if (target->mode == StreamMode::kOnDemand) {
    return OnDemandRefused(stream, op.kind == ReshardOp::Kind::kSplit   ? "SplitShard"
                                   : op.kind == ReshardOp::Kind::kMerge ? "MergeShards"
                                                                        : "UpdateShardCount");
  }
  SLUICE_RETURN_IF_ERROR(CheckReshard(*target, op));
  std::deque<int64_t>* scalings = nullptr;
  if (op.kind == ReshardOp::Kind::kScale && limits_on_ && options_.limits.scalings_per_day > 0) {
    constexpr int64_t kDayMs = 24 * 3600 * 1000;
    scalings = &streams_.Find(stream)->scalings_ms;
    const int64_t now = Now();
    while (!scalings->empty() && scalings->front() <= now - kDayMs) scalings->pop_front();
    const auto allowed = static_cast<size_t>(options_.limits.scalings_per_day);
    if (scalings->size() >= allowed) {
      return Status::LimitExceeded("Stream " + stream.name + " under account " + stream.account +
                                   " has reached the limit of " + std::to_string(allowed) +
                                   " UpdateShardCount scaling operations in a rolling 24-hour period.");
    }
  }
  const int additional = OpenShardCountAfter(*target, op) - open_before;
  if (additional > 0) {
    const int in_namespace = DescribeLimits(stream.account, stream.region).open_shard_count;
    if (in_namespace + additional > options_.quotas.shard_limit) {
      return ShardQuotaExceeded(stream, in_namespace, options_.quotas.shard_limit, additional);
    }
  }

  const bool background = ReshardsInBackground(op);
  if (options_.update_stream_delay_ms <= 0 && !background) {
    SLUICE_RETURN_IF_ERROR(ApplyReshardLocked(snapshot, *target, op));
    if (scalings) scalings->push_back(Now());
    return open_before;
  }
  // Saved as the stream's pending reshard, UPDATING until it is applied: by
  // the housekeeping pass when the delay ends, or at once on the worker (a
  // large one without a delay). A restart before then applies it.
  target->status = StreamStatus::kUpdating;
  target->transition_at_ms = Now() + std::max<int64_t>(options_.update_stream_delay_ms, 0);
  target->pending = op;
  SLUICE_RETURN_IF_ERROR(streams_.SaveStreamLocked(*target));
  if (scalings) scalings->push_back(Now());
  LogStreamState(stream, StreamStatusName(StreamStatus::kActive), StreamStatusName(StreamStatus::kUpdating));
  std::shared_ptr<StreamState> state = streams_.Find(stream);
  {
    std::unique_lock lock(state->mu);
    state->meta.status = target->status;
    state->meta.transition_at_ms = target->transition_at_ms;
    state->meta.pending = op;
  }
  NoteUsage(*target);
  if (options_.update_stream_delay_ms > 0) {
    kick_housekeeping_();
  } else {
    StartReshardLocked(KeyOf(stream), op);
  }
  return open_before;
}

Result<StreamControl::PlannedReshard> StreamControl::PlanReshard(const StreamMeta& target, const ReshardOp& op) const {
  PlannedReshard plan{target, {}};
  SLUICE_ASSIGN_OR_RETURN(plan.made, ApplyReshard(plan.changed, op, Now()));
  plan.changed.pending = ReshardOp{};
  // UPDATING until the children have leaders (cluster mode), else ACTIVE.
  plan.changed.status = options_.active_once_led ? StreamStatus::kUpdating : StreamStatus::kActive;
  plan.changed.transition_at_ms = options_.active_once_led ? Now() : 0;
  if (!OpenShardsCoverKeySpace(plan.changed)) {
    return Status::Internal("reshard of stream " + target.ref.name + " would leave the hash key space uncovered");
  }
  return plan;
}

Status StreamControl::ApplyReshardLocked(std::vector<StreamMeta>& snapshot, StreamMeta& target, const ReshardOp& op) {
  std::shared_ptr<StreamState> state = streams_.Find(target.ref);
  if (!state) return Status::NotFound(StreamNotFoundMessage(target.ref));
  SLUICE_ASSIGN_OR_RETURN(PlannedReshard plan, PlanReshard(target, op));
  // The children's logs first: the metadata must never name a shard whose
  // folder does not exist yet.
  SLUICE_ASSIGN_OR_RETURN(ChildLogs logs, OpenChildLogs(options_, stores_, plan.changed, plan.made, state->dir));
  return CommitReshardLocked(*state, target, plan.changed, logs);
}

Status StreamControl::CommitReshardLocked(StreamState& state, StreamMeta& target, const StreamMeta& changed,
                                          ChildLogs& logs) {
  const StreamMeta before = target;
  target = changed;
  Status saved = streams_.SaveStreamLocked(target);
  if (!saved.ok()) {
    target = before;
    // Closed, not destroyed, and still marked: a save that failed after its
    // rename may have left a document naming these folders. The document on
    // disk decides at the next start.
    for (auto& shard : logs.shards) {
      if (shard->log) (void)shard->log->Close();
      shard->log.reset();
    }
    return saved;
  }
  InstallReshardLocked(state, before, changed, logs);
  if (changed.transition_at_ms != 0) kick_housekeeping_();  // ACTIVE once the children are led
  return Status::Ok();
}

void StreamControl::InstallReshardLocked(StreamState& state, const StreamMeta& before, const StreamMeta& changed,
                                         ChildLogs& logs) {
  for (const std::string& dir : logs.dirs) {
    Status cleared = ClearPending(dir, /*sync=*/false);
    if (!cleared.ok()) log::Warn("engine: {} (the next start removes it)", cleared.ToString());
  }
  {
    std::unique_lock lock(state.mu);
    state.meta = changed;
    for (auto& shard : logs.shards) state.shards.push_back(std::move(shard));
    state.RebuildRouter();
  }
  logs = ChildLogs{};
  NoteUsage(changed);
  // Subscribers of the closed parents move on to their final event.
  for (size_t i = 0; i < before.shards.size(); ++i) {
    if (before.shards[i].open() && !changed.shards[i].open()) state.shards[i]->waiters.Notify();
  }
  // Every reshard appends shards; a change without any (from the shared
  // catalogue: tags, settings) only swaps the metadata.
  if (changed.shards.size() != before.shards.size()) {
    log::Event(log::Level::kInfo, "engine: stream resharded",
               {{"stream", changed.ref.name},
                {"account", changed.ref.account},
                {"region", changed.ref.region},
                {"open_shards", OpenShardCount(changed)},
                {"shards", changed.shards.size()}});
  }
  if (before.status != changed.status) {
    LogStreamState(changed.ref, StreamStatusName(before.status), StreamStatusName(changed.status));
  }
}

Status StreamControl::UpdateStreamMode(const StreamRef& stream, StreamMode mode,
                                       std::optional<int> warm_throughput_mibps) {
  if (warm_throughput_mibps && mode != StreamMode::kOnDemand) {
    return Status::InvalidArgument("WarmThroughputMiBps can only be set for streams in ON_DEMAND capacity mode.");
  }
  return ChangeActiveStream(
      stream,
      [&](StreamMeta& m) {
        if (mode == StreamMode::kOnDemand && m.mode != StreamMode::kOnDemand) {
          // Runs under the control lock, so the count cannot change meanwhile.
          const int on_demand = DescribeLimits(stream.account, stream.region).on_demand_stream_count;
          if (on_demand >= options_.quotas.on_demand_stream_limit) {
            return OnDemandQuotaExceeded(stream, on_demand, options_.quotas.on_demand_stream_limit);
          }
        }
        if (warm_throughput_mibps) SLUICE_RETURN_IF_ERROR(CheckWarmThroughput(stream, *warm_throughput_mibps));
        m.mode = mode;
        if (mode == StreamMode::kOnDemand) {
          if (warm_throughput_mibps) m.warm_throughput_mibps = *warm_throughput_mibps;
        } else {
          // Provisioned streams route by key only: AUTO does not survive.
          m.warm_throughput_mibps.reset();
          m.record_distribution = RecordDistribution::kUserPartitionKey;
        }
        return Status::Ok();
      },
      /*updating=*/true);
}

Status StreamControl::UpdateMaxRecordSize(const StreamRef& stream, int max_record_size_kib) {
  return ChangeActiveStream(
      stream,
      [&](StreamMeta& m) {
        m.max_record_size_kib = max_record_size_kib;
        return Status::Ok();
      },
      /*updating=*/true);
}

Status StreamControl::UpdateRecordDistribution(const StreamRef& stream, RecordDistribution strategy) {
  return ChangeActiveStream(
      stream,
      [&](StreamMeta& m) {
        if (m.mode != StreamMode::kOnDemand) {
          return Status::InvalidArgument(
              "Record distribution strategy can only be updated for streams in ON_DEMAND capacity mode. Stream " +
              stream.name + " under account " + stream.account + " is in PROVISIONED mode.");
        }
        m.record_distribution = strategy;
        return Status::Ok();
      },
      /*updating=*/true);
}

Result<WarmThroughput> StreamControl::UpdateWarmThroughput(const StreamRef& stream, int mibps) {
  WarmThroughput out;
  Status st = ChangeActiveStream(
      stream,
      [&](StreamMeta& m) {
        if (m.mode != StreamMode::kOnDemand) {
          return Status::InvalidArgument(
              "Warm throughput can only be updated for streams in ON_DEMAND capacity "
              "mode. Stream " +
              stream.name + " under account " + stream.account + " is in PROVISIONED mode.");
        }
        SLUICE_RETURN_IF_ERROR(CheckWarmThroughput(stream, mibps));
        out.current_mibps = CurrentWarmThroughputMiBps(m);
        m.warm_throughput_mibps = mibps;
        out.target_mibps = mibps;
        return Status::Ok();
      },
      /*updating=*/true);
  if (!st.ok()) return st;
  if (options_.update_stream_delay_ms <= 0) out.current_mibps = std::max(out.current_mibps, mibps);
  return out;
}

Status StreamControl::CheckWarmThroughput(const StreamRef& stream, int mibps) const {
  if (mibps > kMaxWarmThroughputMiBps) {
    return Status::InvalidArgument("WarmThroughputMiBps " + std::to_string(mibps) + " exceeds the maximum of " +
                                   std::to_string(kMaxWarmThroughputMiBps) + " MiB/s.");
  }
  if (!accounts_.CommitmentInForce(stream.account, stream.region)) {
    return Status::InvalidArgument(
        "Warm throughput requires the minimum throughput billing commitment to be "
        "enabled for account " +
        stream.account + " in " + stream.region + " (UpdateAccountSettings).");
  }
  return Status::Ok();
}

}  // namespace sluice::engine
