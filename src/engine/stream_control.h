// StreamControl: the control plane of streams. CreateStream, DeleteStream,
// DescribeStream, ListStreams, ListShards, stream tags, retention, enhanced
// monitoring, encryption, resharding (SplitShard, MergeShards,
// UpdateShardCount, rules and messages in engine/resharding.h), the settings
// that pass through UPDATING (mode, record size, warm throughput),
// DescribeLimits, and the stream transitions of the housekeeping pass. The
// API layer reaches it as Engine::control().
//
// Every change follows the same steps under the table's control lock:
// copy the stream's metadata, change the copy, save it (one journal record
// per stream changed, engine/metadata_log.h), then make it live under the
// stream's lock, so nothing is acknowledged (or visible) before it is
// durable. Building or destroying the logs of a large stream runs on the
// control-plane worker (engine/control_worker.h), outside the control lock.
//
// Ownership: owned by the Engine; holds references to the engine's options,
// clock, stream table, account store and shard store factory, which outlive
// it.
//
// Threading: every method is thread-safe. A change takes the control lock,
// then the table lock, then a stream's lock (the order in
// engine/stream_state.h); a read takes the table lock and the stream's lock,
// both shared.
//
// Errors are Status codes with the service's messages, e.g.
//   ResourceNotFound  "Stream <name> under account <acct> not found."
//   ResourceInUse     "Stream <name> under account <acct> already exists."
//   ResourceInUse     "Stream <name> under account <acct> not ACTIVE, instead
//                     in state <state>"
// Validation of request shape (lengths, patterns, ranges) is the API layer's
// job; StreamControl checks semantics.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/account_store.h"
#include "engine/namespace_usage.h"
#include "engine/control_worker.h"
#include "engine/shard_store.h"
#include "engine/stream_catalog.h"
#include "engine/stream_logs.h"
#include "engine/stream_table.h"
#include "engine/types.h"
#include "util/clock.h"
#include "util/status.h"

namespace sluice::engine {

struct EngineOptions;

class StreamControl {
 public:
  // `kick_housekeeping` wakes the housekeeping pass when a transition is
  // scheduled.
  StreamControl(const EngineOptions& options, const Clock& clock, StreamRegistry& streams, AccountStore& accounts,
                ShardStoreFactory& stores, std::function<void()> kick_housekeeping);

  // --- stream lifecycle and listing ---
  // Creates the stream (CREATING for create_stream_delay_ms, else ACTIVE at
  // once) with shard_count shards dividing the hash space evenly (4 for
  // ON_DEMAND without a count). Persisted before returning, except for a
  // stream of at least options.background_min_shards shards: it is then
  // CREATING (shown without shards, refusing data-plane calls and
  // DeleteStream) until the control-plane worker has built its logs and
  // saved it; should that fail, it is logged with the cause, its folder is
  // removed, and the stream is gone (ResourceNotFound), as a crash before
  // then leaves it. Errors:
  // ResourceInUse (exists, in any state), InvalidArgument (no shard count,
  // too many tags, warm throughput not allowed), LimitExceeded (account
  // quotas), IoError.
  Status CreateStream(const StreamRef& stream, const CreateStreamParams& params);
  // Moves the stream to DELETING for delete_stream_delay_ms, then removes it
  // and its logs (at once when the delay is 0; the logs of a stream of at
  // least options.background_min_shards shards are destroyed on the
  // control-plane worker after it is gone). Deleting a DELETING stream is a
  // no-op. Errors: ResourceNotFound, ResourceInUse (consumers registered
  // and not `enforce_consumer_deletion`; a stream still being built),
  // IoError.
  Status DeleteStream(const StreamRef& stream, bool enforce_consumer_deletion);
  // The stream and one page of its shards within retention (none while
  // CREATING; every one by default), `has_more_shards` set when more follow.
  // The page costs O(its size) (engine/shard_filter.h), the rest O(1) in the
  // stream's shards: open_shard_count is kept, not counted. ResourceNotFound
  // for an unknown stream.
  Result<StreamDescription> DescribeStream(const StreamRef& stream, const ShardPageRequest& page = {}) const;
  // Streams of the namespace, sorted by name.
  std::vector<StreamSummary> ListStreams(const std::string& account, const std::string& region) const;
  // One page of them: those named after `after` ("" : from the first), at
  // most `limit`. Starts at `after` in the ordered table, so it costs
  // O(limit), whatever the namespace holds.
  StreamPage ListStreamPage(const std::string& account, const std::string& region, std::string_view after,
                            size_t limit) const;
  // Shards matching `filter`, in shard-id order. ResourceNotFound for an
  // unknown stream; `stream_creation_ms`, when given, must match the stream's
  // creation time (else ResourceNotFound, as the service does); ResourceInUse
  // while CREATING.
  Result<std::vector<Shard>> ListShards(const StreamRef& stream, const ShardFilter& filter,
                                        std::optional<int64_t> stream_creation_ms) const;
  // One page of them, as FilterShardPage (engine/shard_filter.h) cuts it:
  // O(page), whatever the stream holds. Errors as ListShards.
  Result<ShardPage> ListShardPage(const StreamRef& stream, const ShardFilter& filter,
                                  std::optional<int64_t> stream_creation_ms, const ShardPageRequest& page) const;
  // DescribeLimits of the namespace: the quotas and what its streams use (a
  // reshard waiting in UPDATING counts as done), from running totals
  // (engine/namespace_usage.h): O(1) in its streams and shards.
  AccountLimits DescribeLimits(const std::string& account, const std::string& region) const;

  // --- tags and settings of an ACTIVE stream ---
  // Tags of the stream (CreateStream, AddTags), sorted by key. ResourceNotFound
  // for an unknown stream.
  Result<std::vector<std::pair<std::string, std::string>>> ListTags(const StreamRef& stream) const;
  // Sets each tag (overwriting the value of a key already present). Errors:
  // ResourceNotFound, ResourceInUse (stream not ACTIVE), InvalidArgument
  // (more than kMaxTagsPerStream tags would result), IoError.
  Status AddTags(const StreamRef& stream, const std::vector<std::pair<std::string, std::string>>& tags);
  // Removes the keys present; absent keys are ignored. Errors as AddTags.
  Status RemoveTags(const StreamRef& stream, const std::vector<std::string>& keys);
  // Increase/DecreaseStreamRetentionPeriod: `hours` must be in [24, 8760]
  // and not below (increase) / above (decrease) the current retention.
  // Errors: ResourceNotFound, ResourceInUse, InvalidArgument, IoError.
  Status UpdateRetention(const StreamRef& stream, int64_t hours, bool increase);
  // Enable/DisableEnhancedMonitoring: adds (enable) or removes the metric
  // names (already expanded from ALL). Returns {current, desired}: the
  // stream's metrics before and after. Errors: ResourceNotFound, ResourceInUse.
  Result<std::pair<std::vector<std::string>, std::vector<std::string>>> UpdateShardLevelMetrics(
      const StreamRef& stream, const std::vector<std::string>& metrics, bool enable);
  // Start (key_id set) / Stop (nullopt) server-side encryption: state only,
  // records are not encrypted. Records that arrive while the stream is
  // encrypted report EncryptionType KMS. Errors: ResourceNotFound,
  // ResourceInUse.
  Status UpdateEncryption(const StreamRef& stream, std::optional<std::string> key_id);

  // --- resharding (engine/resharding.h has the rules and messages) ---
  // Each moves the stream to UPDATING for update_stream_delay_ms and takes
  // effect when that ends (before returning when it is 0); the change is
  // persisted first, so a crash never leaves half of it. A reshard that
  // opens many logs (UpdateShardCount to options.background_min_shards or
  // more) is applied on the control-plane worker instead: the call returns
  // with the stream UPDATING, writes go to the parents until the children's
  // logs are open and the shard list is swapped, and the stream is then
  // ACTIVE; DeleteStream is refused meanwhile (ResourceInUse). Should the
  // build fail, it is logged with the cause, the children's folders are
  // removed and the stream is ACTIVE with its old shards. Errors:
  // ResourceNotFound (stream or shard), ResourceInUse (not ACTIVE),
  // InvalidArgument (closed shard, key outside the shard, shards not
  // adjacent, on-demand stream), LimitExceeded (account shard quota,
  // UpdateShardCount bounds, scalings per day), IoError.
  Status SplitShard(const StreamRef& stream, std::string_view shard_to_split, HashKey new_starting_hash_key);
  Status MergeShards(const StreamRef& stream, std::string_view shard_to_merge,
                     std::string_view adjacent_shard_to_merge);
  Result<ShardCountUpdate> UpdateShardCount(const StreamRef& stream, int target_shard_count);

  // --- stream settings that pass through UPDATING ---
  // PROVISIONED <-> ON_DEMAND (shards are kept); switching to ON_DEMAND
  // counts against the on-demand stream quota (LimitExceeded); switching to
  // PROVISIONED drops the warm throughput and resets the record distribution
  // to USER_PARTITION_KEY.
  Status UpdateStreamMode(const StreamRef& stream, StreamMode mode, std::optional<int> warm_throughput_mibps);
  // 1024..10240 KiB (the API validates the range); enforced on puts at once.
  Status UpdateMaxRecordSize(const StreamRef& stream, int max_record_size_kib);
  // On-demand streams only (InvalidArgument otherwise).
  Result<WarmThroughput> UpdateWarmThroughput(const StreamRef& stream, int mibps);
  // On-demand streams only (InvalidArgument otherwise). Records that arrive
  // from the moment it returns are placed by `strategy` (engine/types.h);
  // records already written stay on their shards.
  Status UpdateRecordDistribution(const StreamRef& stream, RecordDistribution strategy);

  // --- for the engine ---
  // Records a stream loaded from the metadata, so that a new stream's
  // creation time is always later than every earlier one's. Called before
  // serving.
  void NoteLoaded(const StreamMeta& meta);
  // Runs the jobs queued on the control-plane worker and stops it; later
  // jobs run on the caller. Called before the stream table goes.
  void StopWorker() { worker_.Stop(); }
  // Blocks until the control-plane worker has run every job queued so far.
  void WaitForWorker() { worker_.WaitIdle(); }
  // Finishes the stream transitions due at `now` (CREATING/UPDATING ->
  // ACTIVE, a pending reshard applied, DELETING -> gone) and lowers
  // `*next_due` to the earliest one still ahead (or a retry in a second after
  // a failed save). Caller holds the control lock (the housekeeping pass).
  void SettleLocked(int64_t now, int64_t* next_due);
  // Whether every open shard of `m` has a leader (EngineOptions::active_once_led).
  bool AllShardsLed(const StreamMeta& m) const;
  // Applies a change another node made to the shared catalogue
  // (Engine::ApplyStreamChange). Caller holds the control lock.
  Status ApplyChangeLocked(const StreamChange& change);
  // How long past its due time a transition another node started waits for
  // that node to finish it before this one does (should it have died).
  static constexpr int64_t kTransitionTakeoverMs = 5000;
  // How often a CREATING stream waiting for its shards' leaders looks again.
  static constexpr int64_t kLeaderPollMs = 20;

 private:
  // CreateStream, DeleteStream, ChangeActiveStream and Reshard evaluated
  // once against the metadata held here; the public calls run them through
  // ChangeCurrentLocked (engine/current_state.h), which in cluster mode
  // evaluates them again against the stream's current record. Caller holds
  // the control lock.
  Status CreateStreamLocked(const StreamRef& stream, const CreateStreamParams& params);
  Status DeleteStreamLocked(const StreamRef& stream, bool enforce_consumer_deletion);
  Status ChangeActiveStreamLocked(const StreamRef& stream, const std::function<Status(StreamMeta&)>& change,
                                  bool updating);
  Result<int> ReshardLocked(const StreamRef& stream, const ReshardOp& op);
  // DescribeStream from the metadata held here; DescribeStream looks again
  // in a shared catalogue when it finds no stream (ReadCurrent).
  Result<StreamDescription> DescribeHeld(const StreamRef& stream, const ShardPageRequest& page) const;
  // The last steps of CreateStream, under the control lock: saves `meta`
  // with the stream's logs `opened`, and makes it live. On error nothing is
  // left (logs destroyed, folder removed).
  Status CommitCreatedLocked(const StreamMeta& meta, const std::string& dir,
                             Result<std::shared_ptr<StreamState>> opened);
  // The worker's part of a CreateStream: opens the logs of `meta` without
  // the control lock, then commits them in place of `placeholder`, or logs
  // the failure and drops the stream.
  void BuildStream(StreamMeta meta, const std::string& dir, const std::shared_ptr<StreamState>& placeholder);
  // Persists the removal, drops the stream from the table, destroys its logs
  // and its resource policies. Caller holds the control lock.
  Status RemoveStreamLocked(const StreamKey& key);
  // RemoveStreamLocked after the removal is saved (or made elsewhere):
  // drops `state` from the table and destroys its logs and its folder
  // (marked pending first) and resource policies. Caller holds the control lock.
  void DropStreamLocked(const StreamKey& key, const std::shared_ptr<StreamState>& state);
  // Makes `meta`, a stream of the shared catalogue this node holds as an
  // earlier version, live: shards a reshard appended are opened. Caller
  // holds the control lock.
  Status UpdateFromCatalogLocked(StreamState& state, const StreamMeta& meta);
  // Changes the metadata of an ACTIVE stream: `change` edits a copy (and may
  // refuse with an error, leaving everything as it was); the copy is saved
  // and then becomes the live metadata. Errors: ResourceNotFound,
  // ResourceInUse (not ACTIVE), the change's own, IoError.
  // With `updating`, the stream then spends update_stream_delay_ms in
  // UPDATING (no-op when that delay is 0).
  Status ChangeActiveStream(const StreamRef& stream, const std::function<Status(StreamMeta&)>& change,
                            bool updating = false);
  // InvalidArgument unless `mibps` is within kMaxWarmThroughputMiBps and the
  // namespace has the minimum throughput commitment enabled.
  Status CheckWarmThroughput(const StreamRef& stream, int mibps) const;
  // Checks and then applies (or, with an UPDATING delay, persists as
  // pending) `op` on `stream`. Returns the open-shard count before it.
  Result<int> Reshard(const StreamRef& stream, ReshardOp op);
  // Applies `op` to `target` (an element of `snapshot`) and the live stream:
  // creates the children's logs, saves `snapshot` with the change, then swaps
  // the live metadata and shard list. Caller holds the control lock. On error
  // nothing visible changed.
  Status ApplyReshardLocked(std::vector<StreamMeta>& snapshot, StreamMeta& target, const ReshardOp& op);
  // `target` with `op` applied now, ACTIVE and without a pending reshard,
  // and the indexes of the shards it appended. Errors: ApplyReshard's, and
  // Internal should the open shards not tile the key space.
  struct PlannedReshard {
    StreamMeta changed;
    std::vector<int> made;
  };
  Result<PlannedReshard> PlanReshard(const StreamMeta& target, const ReshardOp& op) const;
  // Saves `changed` (`target` after the reshard) as `target`, then swaps it
  // and the children's `logs` into the live `state`; `logs` is then empty.
  // Caller holds the control lock. On error `target` and the live stream
  // are as they were, and the logs are closed but their folders still
  // marked (the document on disk decides at the next start).
  Status CommitReshardLocked(StreamState& state, StreamMeta& target, const StreamMeta& changed, ChildLogs& logs);
  // CommitReshardLocked's last step, once `changed` is saved: clears the
  // children's marks and swaps `changed` and the children's `logs` into the
  // live `state` (whose metadata was `before`).
  void InstallReshardLocked(StreamState& state, const StreamMeta& before, const StreamMeta& changed, ChildLogs& logs);
  // Whether `op` opens enough logs (options.background_min_shards) to be
  // applied on the control-plane worker rather than under the control lock.
  bool ReshardsInBackground(const ReshardOp& op) const;
  // Hands the pending reshard `op` of the UPDATING stream `key` to the
  // worker (BuildReshard). Caller holds the control lock.
  void StartReshardLocked(const StreamKey& key, const ReshardOp& op);
  // The worker's part of a reshard: opens the children's logs without the
  // control lock, then, under it, plans `op` again on the stream as it is
  // now and commits; or logs the failure and drops the reshard.
  void BuildReshard(const StreamKey& key, const ReshardOp& op);
  // Drops the pending reshard of `key` after `cause` made it fail: logged,
  // and the stream is ACTIVE with its old shards. Returns whether that was
  // saved (if not, it is logged and the next start tries the reshard
  // again). Caller holds the control lock.
  bool DropPendingReshardLocked(const StreamKey& key, const Status& cause);
  // Drops the policies of the stream `key` and of its consumers put on the
  // incarnation created at `creation_ms` or earlier; logs (does not fail)
  // when that cannot be saved. Caller holds the control lock.
  void ErasePoliciesLocked(const StreamKey& key, int64_t creation_ms);
  int64_t Now() const { return clock_.NowMillis(); }
  // The element of `snapshot` that is `stream`, when it is ACTIVE. Errors:
  // ResourceNotFound, ResourceInUse.
  static Result<StreamMeta*> ActiveIn(std::vector<StreamMeta>& snapshot, const StreamRef& stream);

  // LimitExceeded for the account quotas, in the service's wording.
  static Status ShardQuotaExceeded(const StreamRef& stream, int current, int limit, int additional);
  static Status OnDemandQuotaExceeded(const StreamRef& stream, int current, int limit);

  // Sets what the live stream `meta` counts against the namespace's quotas.
  // Called wherever a change of the live metadata changes it.
  void NoteUsage(const StreamMeta& meta) { usage_.Set(KeyOf(meta.ref), UsageOf(meta)); }

  const EngineOptions& options_;
  const bool limits_on_;  // options_.limits.Any(): the quotas cost one branch when off
  const Clock& clock_;
  StreamRegistry& streams_;
  AccountStore& accounts_;
  ShardStoreFactory& stores_;
  std::function<void()> kick_housekeeping_;
  int64_t last_creation_ms_ = 0;  // guarded by the control lock
  NamespaceUsage usage_;          // DescribeLimits' running totals
  // Streams whose logs the worker is opening (a create or a reshard); guarded by the control lock.
  std::set<StreamKey> building_;
  // Transitions another node started (shared catalogue): each stream's due
  // time as applied, which that node settles; guarded by the control lock.
  std::map<StreamKey, int64_t> others_transitions_;
  ControlWorker worker_;  // last: stopped (joined) before the rest goes
};

}  // namespace sluice::engine
