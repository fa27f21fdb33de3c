// Engine::Impl: the engine's state and the helpers its operation files share.
// Internal to src/engine/. Operations are split by concern:
//   engine.cc          Open, Start/Stop, metadata load/save, forwarding
//   control_plane.cc   Create/Delete/Describe/List
//   put_records.cc,    the data path, RecordPath (engine/record_path.h); the
//   get_records.cc     Impl is its StreamLookup and owns it
//   stream_updates.cc  SplitShard, MergeShards, UpdateShardCount, and the
//                      settings that pass through UPDATING (mode, record
//                      size, warm throughput); the rules are in resharding.h
//   housekeeping.cc    the housekeeping thread: transitions, retention
//   consumer_registry.cc
//                      stream consumers, ConsumerRegistry
//                      (engine/consumer_registry.h); the Impl is its
//                      StreamTable and owns it
#pragma once

#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "engine/account_store.h"
#include "engine/consumer_registry.h"
#include "engine/engine.h"
#include "engine/record_path.h"
#include "engine/resharding.h"
#include "engine/shard_iterator.h"
#include "engine/subscription_hub.h"
#include "engine/stream_state.h"
#include "engine/stream_table.h"
#include "storage/metadata_store.h"

namespace sluice::engine {

class Engine::Impl final : public StreamTable {
 public:
  Impl(const EngineOptions& options, IteratorCodec codec);
  ~Impl();

  // engine.cc
  Status Load();
  void Start();
  void Stop();

  // control_plane.cc
  Status CreateStream(const StreamRef& stream, const CreateStreamParams& params);
  Status DeleteStream(const StreamRef& stream, bool enforce_consumer_deletion);
  Result<StreamDescription> DescribeStream(const StreamRef& stream) const;
  std::vector<StreamSummary> ListStreams(const std::string& account, const std::string& region) const;
  Result<std::vector<Shard>> ListShards(const StreamRef& stream, const ShardFilter& filter,
                                        std::optional<int64_t> stream_creation_ms) const;
  Result<std::vector<std::pair<std::string, std::string>>> ListTags(const StreamRef& stream) const;
  Status AddTags(const StreamRef& stream, const std::vector<std::pair<std::string, std::string>>& tags);
  Status RemoveTags(const StreamRef& stream, const std::vector<std::string>& keys);
  Status UpdateRetention(const StreamRef& stream, int64_t hours, bool increase);
  Result<std::pair<std::vector<std::string>, std::vector<std::string>>> UpdateShardLevelMetrics(
      const StreamRef& stream, const std::vector<std::string>& metrics, bool enable);
  Status UpdateEncryption(const StreamRef& stream, std::optional<std::string> key_id);

  // stream_updates.cc: resharding and the settings that pass through UPDATING
  Status SplitShard(const StreamRef& stream, std::string_view shard_to_split, HashKey new_starting_hash_key);
  Status MergeShards(const StreamRef& stream, std::string_view shard_to_merge,
                     std::string_view adjacent_shard_to_merge);
  Result<ShardCountUpdate> UpdateShardCount(const StreamRef& stream, int target_shard_count);
  Status UpdateStreamMode(const StreamRef& stream, StreamMode mode, std::optional<int> warm_throughput_mibps);
  Status UpdateMaxRecordSize(const StreamRef& stream, int max_record_size_kib);
  Result<WarmThroughput> UpdateWarmThroughput(const StreamRef& stream, int mibps);

  AccountLimits DescribeLimits(const std::string& account, const std::string& region) const;

  // account_settings.cc: account settings and resource policies.
  static std::unique_ptr<AccountStore> NewAccountStore(const EngineOptions& options, const Clock& clock);
  Status LoadAccounts();
  AccountSettings DescribeAccountSettings(const std::string& account, const std::string& region) const;
  Result<AccountSettings> UpdateAccountSettings(const std::string& account, const std::string& region, bool enable);
  bool MinimumThroughputCommitmentEnabled(const std::string& account, const std::string& region) const;
  Status PutResourcePolicy(std::string_view resource_arn, std::string policy);
  Result<std::string> GetResourcePolicy(std::string_view resource_arn) const;
  Status DeleteResourcePolicy(std::string_view resource_arn);
  // Drops the policies of the stream `key` and of its consumers; logs (does
  // not fail) when that cannot be saved. Caller holds control_mu_.
  void ErasePoliciesLocked(const StreamKey& key);
  // The stored key (canonical ARN) and the stream's creation time for the
  // policy of `resource_arn`, once the resource is known to exist. Caller
  // holds control_mu_.
  Result<std::pair<std::string, int64_t>> PolicyTargetLocked(std::string_view resource_arn) const;

  // subscriptions.cc
  Result<std::shared_ptr<Subscription>> SubscribeToShard(const ConsumerRef& consumer, std::string_view shard_id,
                                                         IteratorType type,
                                                         std::optional<std::string_view> starting_sequence_number,
                                                         std::optional<int64_t> timestamp_ms,
                                                         std::shared_ptr<SubscriptionSink> sink);
  // Runs one subscription on the delivery thread: ends it, or sends what is
  // due and sets its next timer.
  void RunSubscription(ShardSubscription& sub);

  // engine_metrics.cc: a copy of every counter (Engine::Metrics).
  EngineMetrics Metrics() const;

  // housekeeping.cc: one pass; returns the clock time of the next due work.
  int64_t RunHousekeeping();

  // control_plane.cc / engine.cc: StreamTable, over the stream table.
  std::shared_ptr<StreamState> Find(const StreamRef& stream) const override;
  std::mutex& control_mu() const override { return control_mu_; }
  std::vector<StreamMeta> SnapshotLocked() const override;
  Status SaveLocked(const std::vector<StreamMeta>& streams) override;

  RecordPath& records() { return *records_; }
  ConsumerRegistry& consumers() { return *consumers_; }
  const EngineOptions& options() const { return options_; }
  int64_t Now() const { return clock_->NowMillis(); }

 private:
  // --- engine.cc ---
  // Opens (creating if needed) the logs of `meta` into a new StreamState.
  Result<std::shared_ptr<StreamState>> OpenStream(StreamMeta meta);
  // Closes (destroy=false) or destroys every log of `stream`.
  static void ReleaseLogs(StreamState& stream, bool destroy);
  // kFsync: fsyncs every directory from the parent of `stream_dir` up to the
  // data directory, so the entries of a newly created stream folder chain
  // (<account>/<region>/<name>-<ms>) survive a power loss before the
  // metadata naming the stream does. The stream folder itself is synced by
  // its shard logs as they create their directories. No-op in other modes.
  Status SyncStreamDirParents(const std::string& stream_dir) const;
  // Logs an ERROR for each shard of `meta` (loaded from the metadata) whose
  // directory is missing: its records, if it had any, are gone, and the
  // shard restarts empty. Returns the number missing.
  int ReportMissingShardDirs(const StreamMeta& meta) const;

  // --- control_plane.cc ---
  // Persists the removal, drops the stream from the table and destroys its
  // logs. Caller holds control_mu_.
  Status RemoveStreamLocked(const StreamKey& key);
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

  // --- stream_updates.cc ---
  // Checks and then applies (or, with an UPDATING delay, persists as
  // pending) `op` on `stream`. Returns the open-shard count before it.
  Result<int> Reshard(const StreamRef& stream, ReshardOp op);
  // Applies `target`'s pending reshard (or `op` directly) to the live stream:
  // creates the children's logs, saves `snapshot` (in which `target` lives)
  // with the change, then swaps the live metadata and shard list. Caller
  // holds control_mu_. On error nothing visible changed.
  Status ApplyReshardLocked(std::vector<StreamMeta>& snapshot, StreamMeta& target, const ReshardOp& op);
  void KickHousekeeping();

  EngineOptions options_;
  const bool limits_on_;  // options_.limits.Any(): the quotas cost one branch when off
  Clock* clock_;
  IteratorCodec codec_;
  storage::MetadataStore meta_store_;
  std::unique_ptr<AccountStore> accounts_;       // account settings, resource policies
  std::shared_ptr<ShardStoreFactory> stores_;    // opens every shard log
  std::shared_ptr<ShardPlacement> placement_;    // who leads each shard
  std::unique_ptr<RecordPath> records_;          // the shard data path
  std::unique_ptr<ConsumerRegistry> consumers_;  // stream consumers

  mutable std::shared_mutex table_mu_;
  std::map<StreamKey, std::shared_ptr<StreamState>> streams_;  // guarded by table_mu_

  // Push subscriptions: the delivery thread and one subscription per
  // (consumer, shard) for the takeover rule.
  std::unique_ptr<SubscriptionHub> hub_;
  mutable std::mutex subs_mu_;
  std::map<std::string, std::weak_ptr<ShardSubscription>> subscriptions_;  // guarded by subs_mu_
  // SubscribeToShard calls per (consumer, shard), when limited.
  std::map<std::string, TokenBucket> subscribe_calls_;  // guarded by subs_mu_
  size_t subscribe_calls_sweep_at_ = 1024;              // guarded by subs_mu_ (SweepFullBuckets)
  // Unregisters a subscription the delivery thread is done with.
  void FinishSubscription(ShardSubscription& sub);
  // Finishes it, then tells its sink with `status`.
  void EndSubscription(ShardSubscription& sub, const Status& status);

  // Serialises control-plane changes, so each is snapshot → save → apply.
  mutable std::mutex control_mu_;
  int64_t last_creation_ms_ = 0;     // guarded by control_mu_
  uint64_t missing_shard_dirs_ = 0;  // found by Load(), before serving

  // Housekeeping thread.
  std::mutex hk_mu_;
  std::condition_variable hk_cv_;
  std::thread hk_thread_;
  bool hk_stop_ = false;           // guarded by hk_mu_
  bool hk_kicked_ = false;         // guarded by hk_mu_
  bool stopped_ = false;           // guarded by hk_mu_
  int64_t next_retention_ms_ = 0;  // touched by RunHousekeeping only (single caller at a time)
  std::mutex hk_pass_mu_;          // one housekeeping pass at a time
};

// Logs one line for a stream's state change: "engine: stream state" with
// the stream, its namespace and the old and new state ("" when the stream
// did not exist before, "GONE" once it no longer does).
void LogStreamState(const StreamRef& stream, std::string_view from, std::string_view to);

// Messages shared by several operations (StreamNotFoundMessage: engine/stream_table.h).
std::string ShardNotFoundMessage(const StreamRef& stream, std::string_view shard_id);
// LimitExceeded for the account quotas, in the service's wording
// (stream_updates.cc).
Status ShardQuotaExceeded(const StreamRef& stream, int current, int limit, int additional);
Status OnDemandQuotaExceeded(const StreamRef& stream, int current, int limit);

}  // namespace sluice::engine
