// StreamControl (engine/stream_control.h): stream lifecycle, listing, tags
// and settings. Every change follows the same steps under the control lock:
// snapshot the metadata, change the copy, save it, then apply the change to
// the live state — so nothing is acknowledged (or visible) before it is
// durable. Resharding and the settings that pass through UPDATING are in
// stream_updates.cc, the housekeeping transitions in stream_transitions.cc.
#include "engine/stream_control.h"

#include <algorithm>
#include <functional>
#include <map>
#include <mutex>
#include <shared_mutex>

#include "engine/current_state.h"
#include "engine/data_layout.h"
#include "engine/engine.h"
#include "engine/hash_ranges.h"
#include "engine/pending_marks.h"
#include "engine/resharding.h"
#include "engine/shard_filter.h"
#include "engine/stream_logs.h"
#include "util/log.h"

namespace sluice::engine {
namespace {

Status TooManyTags(const StreamRef& stream) {
  return Status::InvalidArgument("Failed to add tags to stream " + stream.name + " under account " + stream.account +
                                 " because a given stream cannot have more than " + std::to_string(kMaxTagsPerStream) +
                                 " tags associated with it.");
}

}  // namespace

StreamControl::StreamControl(const EngineOptions& options, const Clock& clock, StreamRegistry& streams,
                             AccountStore& accounts, ShardStoreFactory& stores, std::function<void()> kick_housekeeping)
    : options_(options),
      limits_on_(options.limits.Any()),
      clock_(clock),
      streams_(streams),
      accounts_(accounts),
      stores_(stores),
      kick_housekeeping_(std::move(kick_housekeeping)) {}

Result<StreamMeta*> StreamControl::ActiveIn(std::vector<StreamMeta>& snapshot, const StreamRef& stream) {
  auto target = std::find_if(snapshot.begin(), snapshot.end(),
                             [&](const StreamMeta& m) { return KeyOf(m.ref) == KeyOf(stream); });
  if (target == snapshot.end()) return Status::NotFound(StreamNotFoundMessage(stream));
  if (target->status != StreamStatus::kActive) return Status::InUse(StreamNotActiveMessage(stream, target->status));
  return &*target;
}

void StreamControl::NoteLoaded(const StreamMeta& meta) {
  last_creation_ms_ = std::max(last_creation_ms_, meta.creation_ms);
  NoteUsage(meta);
}

Status StreamControl::CreateStream(const StreamRef& stream, const CreateStreamParams& params) {
  std::lock_guard control(streams_.control_mu());
  return ChangeCurrentLocked(streams_, KeyOf(stream), [&] { return CreateStreamLocked(stream, params); });
}

Status StreamControl::CreateStreamLocked(const StreamRef& stream, const CreateStreamParams& params) {
  if (streams_.Find(stream)) {
    return Status::InUse("Stream " + stream.name + " under account " + stream.account + " already exists.");
  }
  const int shard_count = params.shard_count.value_or(params.mode == StreamMode::kOnDemand ? 4 : 0);
  if (shard_count < 1) {
    return Status::InvalidArgument("ShardCount must be given and at least 1 for stream " + stream.name + ".");
  }
  if (params.warm_throughput_mibps) {
    if (params.mode != StreamMode::kOnDemand) {
      return Status::InvalidArgument("WarmThroughputMiBps can only be set for streams in ON_DEMAND capacity mode.");
    }
    SLUICE_RETURN_IF_ERROR(CheckWarmThroughput(stream, *params.warm_throughput_mibps));
  }
  if (params.record_distribution == RecordDistribution::kAuto && params.mode != StreamMode::kOnDemand) {
    return Status::InvalidArgument(
        "RecordDistributionStrategy AUTO can only be set for streams in ON_DEMAND capacity mode.");
  }
  {
    const AccountLimits used = DescribeLimits(stream.account, stream.region);
    if (used.open_shard_count + shard_count > options_.quotas.shard_limit) {
      return ShardQuotaExceeded(stream, used.open_shard_count, options_.quotas.shard_limit, shard_count);
    }
    if (params.mode == StreamMode::kOnDemand && used.on_demand_stream_count >= options_.quotas.on_demand_stream_limit) {
      return OnDemandQuotaExceeded(stream, used.on_demand_stream_count, options_.quotas.on_demand_stream_limit);
    }
  }
  const int64_t now = Now();
  const int64_t creation_ms = std::max(now, last_creation_ms_ + 1);

  StreamMeta meta;
  meta.ref = stream;
  meta.mode = params.mode;
  meta.creation_ms = creation_ms;
  if (options_.create_stream_delay_ms > 0 || options_.active_once_led) {
    meta.status = StreamStatus::kCreating;
    meta.transition_at_ms = creation_ms + options_.create_stream_delay_ms;
  } else {
    meta.status = StreamStatus::kActive;
  }
  meta.max_record_size_kib = params.max_record_size_kib.value_or(1024);
  meta.warm_throughput_mibps = params.warm_throughput_mibps;
  meta.record_distribution = params.record_distribution;
  std::map<std::string, std::string> tags;
  for (const auto& [k, v] : params.tags) tags[k] = v;  // the last value of a key wins
  if (tags.size() > kMaxTagsPerStream) return TooManyTags(stream);
  meta.tags.assign(tags.begin(), tags.end());
  const std::vector<HashKeyRange> ranges = EvenHashRanges(shard_count);
  for (int i = 0; i < shard_count; ++i) {
    ShardMeta shard;
    shard.index = i;
    shard.range = ranges[i];
    shard.created_seconds = creation_ms / 1000;
    shard.open_ms = creation_ms;
    meta.shards.push_back(shard);
  }

  // The folder is marked before it exists and until the metadata names it, so
  // that what a crash in between leaves is removed at the next start
  // (pending_marks.h).
  const bool memory = options_.durability == storage::Durability::kMemory;
  const bool sync = options_.durability == storage::Durability::kFsync;
  const std::string dir = memory ? std::string() : StreamDir(options_.data_dir, stream, creation_ms);
  if (!memory) SLUICE_RETURN_IF_ERROR(MarkPending(dir, sync));
  if (shard_count < options_.background_min_shards) {
    SLUICE_RETURN_IF_ERROR(CommitCreatedLocked(meta, dir, OpenStreamLogs(options_, stores_, meta)));
    last_creation_ms_ = creation_ms;
    return Status::Ok();
  }
  // A large stream: CREATING, without logs, until the worker has built them
  // (the shards count against the quota meanwhile). Nothing is saved yet.
  auto placeholder = std::make_shared<StreamState>();
  placeholder->meta = meta;
  placeholder->meta.status = StreamStatus::kCreating;
  placeholder->meta.transition_at_ms = 0;  // not the housekeeping pass's to settle
  placeholder->dir = dir;
  for (int i = 0; i < shard_count; ++i) placeholder->shards.push_back(std::make_shared<ShardState>(nullptr));
  last_creation_ms_ = creation_ms;
  building_.insert(KeyOf(stream));
  streams_.InsertLocked(KeyOf(stream), placeholder);
  NoteUsage(placeholder->meta);
  LogStreamState(stream, "", StreamStatusName(StreamStatus::kCreating));
  worker_.Submit(
      [this, meta = std::move(meta), dir, placeholder]() mutable { BuildStream(std::move(meta), dir, placeholder); });
  return Status::Ok();
}

Status StreamControl::CommitCreatedLocked(const StreamMeta& meta, const std::string& dir,
                                          Result<std::shared_ptr<StreamState>> opened) {
  // The stream's folders must be durable before the metadata naming it is.
  Status saved = opened.ok() ? SyncStreamDirParents(options_, dir) : opened.status();
  if (saved.ok()) saved = streams_.SaveStreamLocked(meta);
  if (!saved.ok()) {
    if (opened.ok()) ReleaseStreamLogs(**opened, /*destroy=*/true);
    if (!dir.empty()) (void)RemoveMarked(dir, /*sync=*/false);  // or the next start does
    return saved;
  }
  if (!dir.empty()) {
    Status cleared = ClearPending(dir, options_.durability == storage::Durability::kFsync);
    if (!cleared.ok()) log::Warn("engine: {} (the next start removes it)", cleared.ToString());
  }
  std::shared_ptr<StreamState> previous = streams_.Find(meta.ref);  // a placeholder, when built in the background
  streams_.InsertLocked(KeyOf(meta.ref), std::move(opened).value());
  NoteUsage(meta);
  const StreamStatus was = previous ? previous->meta.status : meta.status;
  if (!previous || was != meta.status)
    LogStreamState(meta.ref, previous ? StreamStatusName(was) : "", StreamStatusName(meta.status));
  if (meta.transition_at_ms != 0) kick_housekeeping_();
  return Status::Ok();
}

void StreamControl::BuildStream(StreamMeta meta, const std::string& dir,
                                const std::shared_ptr<StreamState>& placeholder) {
  const int64_t started = Now();
  Result<std::shared_ptr<StreamState>> opened = OpenStreamLogs(options_, stores_, meta);
  std::lock_guard control(streams_.control_mu());
  building_.erase(KeyOf(meta.ref));
  // It stays CREATING for what remains of create_stream_delay_ms (none
  // without one: a creation time made later than the clock to keep it
  // unique is no reason to wait).
  const int64_t due = meta.creation_ms + options_.create_stream_delay_ms;
  meta.status = (options_.create_stream_delay_ms > 0 && due > Now()) || options_.active_once_led
                    ? StreamStatus::kCreating
                    : StreamStatus::kActive;
  meta.transition_at_ms = meta.status == StreamStatus::kCreating ? due : 0;
  if (opened.ok()) (*opened)->meta = meta;
  Status s = CommitCreatedLocked(meta, dir, std::move(opened));
  if (s.ok()) {
    log::Info("engine: built the {} shards of stream {} (account {}, region {}) in {} ms", meta.shards.size(),
              meta.ref.name, meta.ref.account, meta.ref.region, Now() - started);
    return;
  }
  log::Error("engine: creating stream {} (account {}, region {}) of {} shards failed, the stream is dropped: {}",
             meta.ref.name, meta.ref.account, meta.ref.region, meta.shards.size(), s.ToString());
  if (streams_.Find(meta.ref) == placeholder) {
    streams_.EraseLocked(KeyOf(meta.ref));
    usage_.Erase(KeyOf(meta.ref));
  }
  LogStreamState(meta.ref, StreamStatusName(StreamStatus::kCreating), "GONE");
}

Status StreamControl::DeleteStream(const StreamRef& stream, bool enforce_consumer_deletion) {
  std::lock_guard control(streams_.control_mu());
  return ChangeCurrentLocked(streams_, KeyOf(stream),
                             [&] { return DeleteStreamLocked(stream, enforce_consumer_deletion); });
}

Status StreamControl::DeleteStreamLocked(const StreamRef& stream, bool enforce_consumer_deletion) {
  std::shared_ptr<StreamState> state = streams_.Find(stream);
  if (!state) return Status::NotFound(StreamNotFoundMessage(stream));
  if (building_.contains(KeyOf(stream))) {  // CREATING, or UPDATING with its reshard on the worker
    std::shared_lock lock(state->mu);
    return Status::InUse(StreamNotActiveMessage(stream, state->meta.status));
  }
  {
    // Registered consumers keep the stream unless the caller enforces their
    // deletion (they then go with it). The service's words, typographic
    // apostrophe included.
    std::shared_lock lock(state->mu);
    if (!state->meta.consumers.empty() && !enforce_consumer_deletion && state->meta.status != StreamStatus::kDeleting) {
      return Status::InUse("DeleteStream can\u2019t delete " + stream.account + ":" + stream.name +
                           " because there are consumers associated with this data stream. To delete " + stream.name +
                           " anyway, set the EnforceConsumerDeletion parameter to true to force the deletion of "
                           "all the consumers that are associated with it.");
    }
  }
  if (options_.delete_stream_delay_ms <= 0) return RemoveStreamLocked(KeyOf(stream));

  const int64_t due = Now() + options_.delete_stream_delay_ms;
  StreamMeta m;
  {
    std::shared_lock lock(state->mu);
    m = state->meta;
  }
  if (m.status == StreamStatus::kDeleting) return Status::Ok();  // already on its way out
  m.status = StreamStatus::kDeleting;
  m.transition_at_ms = due;
  for (ConsumerMeta& c : m.consumers) {  // they go with the stream
    c.status = ConsumerStatus::kDeleting;
    c.transition_at_ms = due;
  }
  SLUICE_RETURN_IF_ERROR(streams_.SaveStreamLocked(m));
  {
    std::unique_lock lock(state->mu);
    state->meta.status = StreamStatus::kDeleting;
    state->meta.transition_at_ms = due;
    for (ConsumerMeta& c : state->meta.consumers) {
      c.status = ConsumerStatus::kDeleting;
      c.transition_at_ms = due;
    }
  }
  LogStreamState(stream, StreamStatusName(StreamStatus::kActive), StreamStatusName(StreamStatus::kDeleting));
  kick_housekeeping_();
  return Status::Ok();
}

Status StreamControl::RemoveStreamLocked(const StreamKey& key) {
  std::shared_ptr<StreamState> state = streams_.Find(RefOf(key));
  if (!state) return Status::Ok();
  // Marked before the metadata stops naming the folder, so that a crash
  // before the folder is gone leaves it recognisable (pending_marks.h).
  const bool sync = options_.durability == storage::Durability::kFsync;
  if (!state->dir.empty()) SLUICE_RETURN_IF_ERROR(MarkPending(state->dir, sync));
  // A failed save keeps the mark: the metadata on disk decides at the next
  // start (it still names the stream, unless the record was written before
  // the failure was seen, and then the folder goes as the deletion asked).
  SLUICE_RETURN_IF_ERROR(streams_.SaveRemovalLocked(key));
  DropStreamLocked(key, state);
  return Status::Ok();
}

void StreamControl::DropStreamLocked(const StreamKey& key, const std::shared_ptr<StreamState>& state) {
  const bool sync = options_.durability == storage::Durability::kFsync;
  streams_.EraseLocked(key);
  usage_.Erase(key);
  others_transitions_.erase(key);
  auto destroy = [state, sync] {
    ReleaseStreamLogs(*state, /*destroy=*/true);
    if (!state->dir.empty()) {
      Status removed = RemoveMarked(state->dir, sync);
      if (!removed.ok()) log::Warn("engine: {} (the next start removes it)", removed.ToString());
    }
  };
  // Gone from the table and the metadata already: a large stream's logs go
  // on the worker, and its folder (marked) at the next start if it stops first.
  if (static_cast<int>(state->shards.size()) >= options_.background_min_shards) {
    worker_.Submit(std::move(destroy));
  } else {
    destroy();
  }
  LogStreamState(state->meta.ref, StreamStatusName(state->meta.status), "GONE");
  ErasePoliciesLocked(key, state->meta.creation_ms);
  // Its subscribers find the stream gone and end.
  for (const auto& shard : state->shards) shard->waiters.Notify();
}

Result<StreamDescription> StreamControl::DescribeStream(const StreamRef& stream, const ShardPageRequest& page) const {
  return ReadCurrent(streams_, KeyOf(stream), [&] { return DescribeHeld(stream, page); });
}

Result<StreamDescription> StreamControl::DescribeHeld(const StreamRef& stream, const ShardPageRequest& page) const {
  std::shared_ptr<StreamState> state = streams_.Find(stream);
  if (!state) return Status::NotFound(StreamNotFoundMessage(stream));
  const int64_t now = Now();
  std::shared_lock lock(state->mu);
  const StreamMeta& m = state->meta;
  StreamDescription d;
  d.name = m.ref.name;
  d.arn = StreamArn(m.ref);
  d.status = m.status;
  d.mode = m.mode;
  d.retention_hours = m.retention_hours;
  d.creation_ms = m.creation_ms;
  d.encryption_type = m.encryption_type;
  d.key_id = m.key_id;
  d.shard_level_metrics = m.shard_level_metrics;
  d.max_record_size_kib = m.max_record_size_kib;
  d.consumer_count = static_cast<int>(m.consumers.size());
  // The router holds exactly the open shards.
  const int open_shards = static_cast<int>(state->router.size());
  if (m.mode == StreamMode::kOnDemand) {
    const int current = CurrentWarmThroughputMiBps(m, open_shards);
    d.warm_throughput = WarmThroughput{m.warm_throughput_mibps.value_or(current), current};
    d.record_distribution = m.record_distribution;
  }
  // Like the service, a stream being created shows no shards yet.
  if (m.status != StreamStatus::kCreating) {
    ShardPage shards = FilterShardPage(m, ShardFilter{}, now, page);
    d.shards = std::move(shards.shards);
    d.has_more_shards = shards.more;
    d.open_shard_count = open_shards;
  }
  return d;
}

std::vector<StreamSummary> StreamControl::ListStreams(const std::string& account, const std::string& region) const {
  return ListStreamPage(account, region, "", SIZE_MAX).streams;
}

StreamPage StreamControl::ListStreamPage(const std::string& account, const std::string& region, std::string_view after,
                                         size_t limit) const {
  StreamPage out;
  streams_.ForEachInNamespace(account, region, after, [&](const StreamMeta& m) {
    if (out.streams.size() == limit) {
      out.more = true;
      return false;
    }
    out.streams.push_back({m.ref.name, StreamArn(m.ref), m.status, m.mode, m.creation_ms});
    return true;
  });
  return out;
}

Result<std::vector<Shard>> StreamControl::ListShards(const StreamRef& stream, const ShardFilter& filter,
                                                     std::optional<int64_t> stream_creation_ms) const {
  SLUICE_ASSIGN_OR_RETURN(ShardPage page, ListShardPage(stream, filter, stream_creation_ms, ShardPageRequest{}));
  return std::move(page.shards);
}

Result<ShardPage> StreamControl::ListShardPage(const StreamRef& stream, const ShardFilter& filter,
                                               std::optional<int64_t> stream_creation_ms,
                                               const ShardPageRequest& page) const {
  std::shared_ptr<StreamState> state = streams_.Find(stream);
  if (!state) return Status::NotFound(StreamNotFoundMessage(stream));
  const int64_t now = Now();
  std::shared_lock lock(state->mu);
  const StreamMeta& m = state->meta;
  // Compared in whole seconds: clients echo the timestamp they were given,
  // which may have gone through a floating-point seconds value.
  if (stream_creation_ms && *stream_creation_ms / 1000 != m.creation_ms / 1000) {
    return Status::NotFound(StreamNotFoundMessage(stream));
  }
  if (m.status == StreamStatus::kCreating) {
    return Status::InUse(StreamNotActiveMessage(stream, m.status));
  }
  return FilterShardPage(m, filter, now, page);
}

Result<std::vector<std::pair<std::string, std::string>>> StreamControl::ListTags(const StreamRef& stream) const {
  std::shared_ptr<StreamState> state = streams_.Find(stream);
  if (!state) return Status::NotFound(StreamNotFoundMessage(stream));
  std::shared_lock lock(state->mu);
  return state->meta.tags;
}

}  // namespace sluice::engine

namespace sluice::engine {
namespace {}  // namespace

Status StreamControl::ChangeActiveStream(const StreamRef& stream, const std::function<Status(StreamMeta&)>& change,
                                         bool updating) {
  std::lock_guard control(streams_.control_mu());
  return ChangeCurrentLocked(streams_, KeyOf(stream),
                             [&] { return ChangeActiveStreamLocked(stream, change, updating); });
}

Status StreamControl::ChangeActiveStreamLocked(const StreamRef& stream,
                                               const std::function<Status(StreamMeta&)>& change, bool updating) {
  std::shared_ptr<StreamState> state = streams_.Find(stream);
  if (!state) return Status::NotFound(StreamNotFoundMessage(stream));
  std::vector<StreamMeta> snapshot = streams_.SnapshotLocked();
  SLUICE_ASSIGN_OR_RETURN(StreamMeta * target, ActiveIn(snapshot, stream));
  SLUICE_RETURN_IF_ERROR(change(*target));
  if (updating && options_.update_stream_delay_ms > 0) {
    target->status = StreamStatus::kUpdating;
    target->transition_at_ms = Now() + options_.update_stream_delay_ms;
  }
  SLUICE_RETURN_IF_ERROR(streams_.SaveStreamLocked(*target));
  if (target->status == StreamStatus::kUpdating) {
    LogStreamState(stream, StreamStatusName(StreamStatus::kActive), StreamStatusName(StreamStatus::kUpdating));
  }
  {
    std::unique_lock lock(state->mu);
    // Only metadata fields a control-plane change owns are replaced; the
    // shards are left alone (resharding swaps them in resharding.cc).
    StreamMeta& live = state->meta;
    live.status = target->status;
    live.transition_at_ms = target->transition_at_ms;
    live.mode = target->mode;
    live.retention_hours = target->retention_hours;
    live.encryption_type = target->encryption_type;
    live.key_id = target->key_id;
    live.encrypted_since_ms = target->encrypted_since_ms;
    live.shard_level_metrics = target->shard_level_metrics;
    live.max_record_size_kib = target->max_record_size_kib;
    live.warm_throughput_mibps = target->warm_throughput_mibps;
    live.record_distribution = target->record_distribution;
    live.tags = target->tags;
  }
  NoteUsage(*target);  // the mode may have changed
  if (target->transition_at_ms != 0) kick_housekeeping_();
  return Status::Ok();
}

Status StreamControl::AddTags(const StreamRef& stream, const std::vector<std::pair<std::string, std::string>>& tags) {
  return ChangeActiveStream(stream, [&](StreamMeta& m) {
    std::map<std::string, std::string> merged(m.tags.begin(), m.tags.end());
    for (const auto& [k, v] : tags) merged[k] = v;
    if (merged.size() > kMaxTagsPerStream) return TooManyTags(stream);
    m.tags.assign(merged.begin(), merged.end());
    return Status::Ok();
  });
}

Status StreamControl::RemoveTags(const StreamRef& stream, const std::vector<std::string>& keys) {
  return ChangeActiveStream(stream, [&](StreamMeta& m) {
    std::erase_if(m.tags,
                  [&](const auto& tag) { return std::find(keys.begin(), keys.end(), tag.first) != keys.end(); });
    return Status::Ok();
  });
}

Status StreamControl::UpdateRetention(const StreamRef& stream, int64_t hours, bool increase) {
  return ChangeActiveStream(
      stream,
      [&](StreamMeta& m) {
        const std::string requested = "Requested retention period (" + std::to_string(hours) + " hours)";
        if (hours < kMinRetentionHours) {
          return Status::InvalidArgument("Minimum allowed retention period is " + std::to_string(kMinRetentionHours) +
                                         " hours. " + requested + " is too short.");
        }
        if (hours > kMaxRetentionHours) {
          return Status::InvalidArgument("Maximum allowed retention period is " + std::to_string(kMaxRetentionHours) +
                                         " hours. " + requested + " is too long.");
        }
        if (increase && hours < m.retention_hours) {
          return Status::InvalidArgument(
              requested + " for stream " + stream.name + " can not be shorter than existing retention period (" +
              std::to_string(m.retention_hours) + " hours). Use DecreaseStreamRetentionPeriod API.");
        }
        if (!increase && hours > m.retention_hours) {
          return Status::InvalidArgument(
              requested + " for stream " + stream.name + " can not be longer than existing retention period (" +
              std::to_string(m.retention_hours) + " hours). Use IncreaseStreamRetentionPeriod API.");
        }
        m.retention_hours = static_cast<int>(hours);
        return Status::Ok();
      },
      /*updating=*/true);
}

Result<std::pair<std::vector<std::string>, std::vector<std::string>>> StreamControl::UpdateShardLevelMetrics(
    const StreamRef& stream, const std::vector<std::string>& metrics, bool enable) {
  std::vector<std::string> current, desired;
  Status st = ChangeActiveStream(stream, [&](StreamMeta& m) {
    current = m.shard_level_metrics;
    desired.clear();
    for (std::string_view name : kShardLevelMetrics) {
      const bool had = std::find(current.begin(), current.end(), name) != current.end();
      const bool named = std::find(metrics.begin(), metrics.end(), name) != metrics.end();
      if (enable ? (had || named) : (had && !named)) desired.emplace_back(name);
    }
    m.shard_level_metrics = desired;
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return std::make_pair(std::move(current), std::move(desired));
}

Status StreamControl::UpdateEncryption(const StreamRef& stream, std::optional<std::string> key_id) {
  const int64_t now = Now();
  return ChangeActiveStream(
      stream,
      [&](StreamMeta& m) {
        if (key_id) {
          if (m.encryption_type != "KMS") m.encrypted_since_ms = now;
          m.encryption_type = "KMS";
          m.key_id = *key_id;
        } else {
          m.encryption_type = "NONE";
          m.key_id.reset();
          m.encrypted_since_ms.reset();
        }
        return Status::Ok();
      },
      /*updating=*/true);
}

AccountLimits StreamControl::DescribeLimits(const std::string& account, const std::string& region) const {
  AccountLimits limits;
  limits.shard_limit = options_.quotas.shard_limit;
  limits.on_demand_stream_count_limit = options_.quotas.on_demand_stream_limit;
  const NamespaceUsage::Totals used = usage_.Of(account, region);
  limits.open_shard_count = used.open_shards;
  limits.on_demand_stream_count = used.on_demand_streams;
  return limits;
}

void StreamControl::ErasePoliciesLocked(const StreamKey& key, int64_t creation_ms) {
  const StreamRef ref = RefOf(key);
  Status s = accounts_.ErasePoliciesOf(StreamArn(ref), creation_ms);
  if (!s.ok()) {
    // The stream is gone either way; a policy left behind is never shown on
    // a recreated stream (policies remember the stream's creation time).
    log::Warn("engine: removing the resource policies of deleted stream {} (account {}, region {}): {}", ref.name,
              ref.account, ref.region, s.ToString());
  }
}

}  // namespace sluice::engine
