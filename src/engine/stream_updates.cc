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

  if (options_.update_stream_delay_ms <= 0) {
    SLUICE_RETURN_IF_ERROR(ApplyReshardLocked(snapshot, *target, op));
    if (scalings) scalings->push_back(Now());
    return open_before;
  }
  target->status = StreamStatus::kUpdating;
  target->transition_at_ms = Now() + options_.update_stream_delay_ms;
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
  kick_housekeeping_();
  return open_before;
}

Status StreamControl::ApplyReshardLocked(std::vector<StreamMeta>& snapshot, StreamMeta& target, const ReshardOp& op) {
  std::shared_ptr<StreamState> state = streams_.Find(target.ref);
  if (!state) return Status::NotFound(StreamNotFoundMessage(target.ref));
  StreamMeta changed = target;
  SLUICE_ASSIGN_OR_RETURN(std::vector<int> made, ApplyReshard(changed, op, Now()));
  changed.pending = ReshardOp{};
  changed.status = StreamStatus::kActive;
  changed.transition_at_ms = 0;
  if (!OpenShardsCoverKeySpace(changed)) {
    return Status::Internal("reshard of stream " + target.ref.name + " would leave the hash key space uncovered");
  }

  // The children's logs first: the metadata must never name a shard whose
  // folder does not exist yet. Their folders are marked until it does, so
  // that what a crash in between leaves is removed at the next start
  // (pending_marks.h).
  const bool memory = options_.durability == storage::Durability::kMemory;
  const bool sync = options_.durability == storage::Durability::kFsync;
  std::vector<std::string> dirs;  // the children's folders (not in memory mode)
  for (int index : made) {
    // A shard created and closed by this one change (UpdateShardCount's
    // short-lived shards) can never hold a record, so it gets no log, no
    // folder and no file; reads lead straight to its children.
    if (memory || !changed.shards[index].open()) continue;
    std::string dir = ShardDir(state->dir, index);
    std::error_code ec;
    if (std::filesystem::exists(dir, ec) && !IsMarkedPending(dir)) {
      return Status::IoError("the folder " + dir + " of new shard " + ShardIdFor(index) + " of stream " +
                             target.ref.name + " already exists and the server did not make it; move it away");
    }
    // Marked: left by an attempt whose save failed, so never named by the
    // metadata and holding no acknowledged record.
    SLUICE_RETURN_IF_ERROR(storage::file::RemoveAll(dir));
    SLUICE_RETURN_IF_ERROR(MarkPending(dir, /*sync=*/false));
    dirs.push_back(std::move(dir));
  }
  if (sync && !dirs.empty()) SLUICE_RETURN_IF_ERROR(storage::file::SyncDir(state->dir));
  std::vector<std::shared_ptr<ShardState>> logs;
  auto release = [&] {
    for (auto& shard : logs) {
      if (shard->log) (void)shard->log->Destroy();
    }
    for (const std::string& dir : dirs) (void)RemoveMarked(dir, /*sync=*/false);  // or the next start does
  };
  for (int index : made) {
    if (!changed.shards[index].open()) {
      logs.push_back(std::make_shared<ShardState>(nullptr));
      continue;
    }
    std::string dir = memory ? target.ref.name + "/" + ShardIdFor(index) : ShardDir(state->dir, index);
    auto log = stores_.Open(ShardKey{target.ref, target.creation_ms, index}, dir);
    if (!log.ok()) {
      release();
      return log.status();
    }
    logs.push_back(std::make_shared<ShardState>(std::move(log).value()));
  }
  const StreamMeta before = target;
  target = changed;
  Status saved = streams_.SaveStreamLocked(target);
  if (!saved.ok()) {
    target = before;
    // Closed, not destroyed, and still marked: a save that failed after its
    // rename may have left a document naming these folders. The document on
    // disk decides at the next start.
    for (auto& shard : logs) {
      if (shard->log) (void)shard->log->Close();
    }
    return saved;
  }
  for (const std::string& dir : dirs) {
    Status cleared = ClearPending(dir, /*sync=*/false);
    if (!cleared.ok()) log::Warn("engine: {} (the next start removes it)", cleared.ToString());
  }
  {
    std::unique_lock lock(state->mu);
    state->meta = changed;
    for (auto& shard : logs) state->shards.push_back(std::move(shard));
    state->RebuildRouter();
  }
  NoteUsage(changed);
  // Subscribers of the closed parents move on to their final event.
  for (size_t i = 0; i < before.shards.size(); ++i) {
    if (before.shards[i].open() && !changed.shards[i].open()) state->shards[i]->waiters.Notify();
  }
  log::Event(log::Level::kInfo, "engine: stream resharded",
             {{"stream", changed.ref.name},
              {"account", changed.ref.account},
              {"region", changed.ref.region},
              {"open_shards", OpenShardCount(changed)},
              {"shards", changed.shards.size()}});
  if (before.status != StreamStatus::kActive) {
    LogStreamState(changed.ref, StreamStatusName(before.status), StreamStatusName(StreamStatus::kActive));
  }
  return Status::Ok();
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
