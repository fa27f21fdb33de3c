// Engine: the stream engine. Owns every stream's metadata and shard logs,
// routes records to shards, issues sequence numbers and shard iterators,
// enforces retention, and moves streams through their states.
//
// Threading: every public method is thread-safe and may be called from any
// event-loop thread. Control-plane calls take the engine's metadata lock;
// data-plane calls take only a shared lock on the stream table plus the
// shard log's append lock. PutRecords completes through a callback that may
// run on the flusher thread: callers marshal it back to their own thread.
//
// Errors are Status codes with the service's messages, e.g.
//   ResourceNotFound  "Stream <name> under account <acct> not found."
//   ResourceInUse     "Stream <name> under account <acct> already exists."
//   InvalidArgument   "Invalid ShardIterator."
//   ExpiredIterator   "Iterator expired. The iterator was created at time ..."
// Validation of request shape (lengths, patterns, ranges) is the API layer's
// job; the engine checks semantics.
// Data-plane calls (PutRecords, GetShardIterator, GetRecords, LatestRecords,
// SubscribeToShard) first ask EngineOptions::placement whether this node
// leads the shard, and fail with NotLeader naming the leader when it does
// not (never, with the single-node LocalPlacement).
#pragma once

#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "engine/consumer_registry.h"
#include "engine/engine_metrics.h"
#include "engine/placement.h"
#include "engine/record_path.h"
#include "engine/shard_store.h"
#include "engine/subscriptions.h"
#include "engine/throughput_quota.h"
#include "engine/types.h"
#include "storage/shard_log.h"
#include "util/clock.h"
#include "util/status.h"

namespace sluice::engine {

struct EngineOptions {
  std::string data_dir;  // ignored with Durability::kMemory
  storage::Durability durability = storage::Durability::kFsync;
  storage::LogOptions log;  // durability is copied into it
  // Opens every shard's log (engine/shard_store.h). Null: the local
  // segmented logs (engine/local_shard_store.h) with `log`.
  std::shared_ptr<ShardStoreFactory> shard_stores;
  // Which node leads each shard (engine/placement.h); asked before every
  // append and read. Null: LocalPlacement (this node leads every shard).
  std::shared_ptr<ShardPlacement> placement;
  int64_t create_stream_delay_ms = 0;  // time spent in CREATING
  int64_t delete_stream_delay_ms = 0;  // time spent in DELETING
  // Time spent in UPDATING by resharding and setting changes; a reshard
  // takes effect when it ends (at once when 0).
  int64_t update_stream_delay_ms = 0;
  // Time a registered consumer spends in CREATING, and a deregistered one in
  // DELETING before it is gone (at once when 0).
  int64_t register_consumer_delay_ms = 0;
  int64_t deregister_consumer_delay_ms = 0;
  // SubscribeToShard (engine/subscriptions.h): a subscription's lifetime,
  // the interval of empty events while idle (0: none), and the window in
  // which a second subscription of the same consumer and shard is refused.
  int64_t subscription_lifetime_ms = 5 * 60 * 1000;
  int64_t subscription_heartbeat_ms = 5000;
  int64_t subscription_takeover_ms = 5000;
  AccountQuotas quotas;  // per (account, region)
  // Throughput quotas (engine/throughput_quota.h); none by default.
  ThroughputLimits limits;
  int64_t iterator_ttl_ms = 5 * 60 * 1000;
  Clock* clock = nullptr;  // defaults to SystemClock
  // How often the housekeeping thread trims shard logs past retention; also
  // the longest it sleeps between passes.
  int64_t retention_check_interval_ms = 5000;
};

class Engine {
 public:
  // Opens the engine: loads metadata, opens every shard log (recovering
  // tails), loads or creates the iterator signing key in the data dir.
  static Result<std::unique_ptr<Engine>> Open(const EngineOptions& options);
  ~Engine();

  // Starts / stops the housekeeping thread (state transitions, retention) and
  // the flusher. Stop() completes pending syncs and closes logs.
  void Start();
  void Stop();

  // --- control plane ---
  // Creates the stream (CREATING for create_stream_delay_ms, else ACTIVE at
  // once) with shard_count shards dividing the hash space evenly (4 for
  // ON_DEMAND without a count). Persisted before returning. Errors:
  // ResourceInUse (exists, in any state), InvalidArgument (no shard count),
  // IoError.
  Status CreateStream(const StreamRef& stream, const CreateStreamParams& params);
  // Moves the stream to DELETING for delete_stream_delay_ms, then removes it
  // and its logs (at once when the delay is 0). Deleting a DELETING stream is
  // a no-op. Errors: ResourceNotFound, IoError.
  Status DeleteStream(const StreamRef& stream, bool enforce_consumer_deletion);
  // Every shard within retention (none while CREATING). ResourceNotFound for
  // an unknown stream.
  Result<StreamDescription> DescribeStream(const StreamRef& stream) const;
  // Streams of the namespace, sorted by name.
  std::vector<StreamSummary> ListStreams(const std::string& account, const std::string& region) const;
  // Shards matching `filter`, in shard-id order. ResourceNotFound for an
  // unknown stream; `stream_creation_ms`, when given, must match the stream's
  // creation time (else ResourceNotFound, as the service does).
  Result<std::vector<Shard>> ListShards(const StreamRef& stream, const ShardFilter& filter,
                                        std::optional<int64_t> stream_creation_ms) const;
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
  // persisted first, so a crash never leaves half of it. Errors:
  // ResourceNotFound (stream or shard), ResourceInUse (not ACTIVE),
  // InvalidArgument (closed shard, key outside the shard, shards not
  // adjacent, on-demand stream), LimitExceeded (account shard quota,
  // UpdateShardCount bounds), IoError.
  Status SplitShard(const StreamRef& stream, std::string_view shard_to_split, HashKey new_starting_hash_key);
  Status MergeShards(const StreamRef& stream, std::string_view shard_to_merge,
                     std::string_view adjacent_shard_to_merge);
  Result<ShardCountUpdate> UpdateShardCount(const StreamRef& stream, int target_shard_count);

  // --- stream settings that pass through UPDATING ---
  // PROVISIONED <-> ON_DEMAND (shards are kept); switching to ON_DEMAND
  // counts against the on-demand stream quota (LimitExceeded).
  Status UpdateStreamMode(const StreamRef& stream, StreamMode mode, std::optional<int> warm_throughput_mibps);
  // 1024..10240 KiB (the API validates the range); enforced on puts at once.
  Status UpdateMaxRecordSize(const StreamRef& stream, int max_record_size_kib);
  // On-demand streams only (InvalidArgument otherwise).
  Result<WarmThroughput> UpdateWarmThroughput(const StreamRef& stream, int mibps);

  // --- stream consumers (enhanced fan-out registrations) ---
  // Register, describe, list, deregister, consumer tags
  // (engine/consumer_registry.h).
  ConsumerRegistry& consumers();

  // DescribeLimits of the namespace.
  AccountLimits DescribeLimits(const std::string& account, const std::string& region) const;
  // --- account settings and resource policies (account_settings.cc) ---
  // DescribeAccountSettings of the namespace: the minimum throughput billing
  // commitment as of now (DISABLED with no times until first enabled).
  AccountSettings DescribeAccountSettings(const std::string& account, const std::string& region) const;
  // UpdateAccountSettings: enables or disables the commitment (see
  // AccountStore::UpdateCommitment for the transitions and the 24 h minimum)
  // and returns the new settings. Persisted before returning. Errors: IoError.
  Result<AccountSettings> UpdateAccountSettings(const std::string& account, const std::string& region, bool enable);
  // Whether the namespace's commitment is in force (ENABLED or
  // ENABLED_UNTIL_EARLIEST_ALLOWED_END).
  bool MinimumThroughputCommitmentEnabled(const std::string& account, const std::string& region) const;
  // Put/Get/DeleteResourcePolicy of a stream ARN or a consumer ARN
  // (<stream arn>/consumer/<name>:<seconds>). The policy is stored verbatim
  // (the API layer checks that it is a JSON object) and persisted; Put
  // replaces. A stream without a policy reads as "{}". Deleting a stream
  // deletes its policies and those of its consumers; deregistering a
  // consumer deletes its policy. Errors: ResourceNotFound (stream missing:
  // the usual message; consumer (or its stream) missing: "Consumer <arn> not
  // found."; Delete without a policy: "No resource policy found for resource
  // ARN <arn>."), ResourceInUse (Put on a consumer that is not ACTIVE),
  // InvalidArgument (an ARN naming neither), IoError.
  Status PutResourcePolicy(std::string_view resource_arn, std::string policy);
  Result<std::string> GetResourcePolicy(std::string_view resource_arn) const;
  Status DeleteResourcePolicy(std::string_view resource_arn);

  // --- data plane ---
  // PutRecords, GetShardIterator, GetRecords, LatestRecords
  // (engine/record_path.h).
  RecordPath& records();

  // Starts a push subscription of `consumer` (resolved and ACTIVE) to the
  // shard, from the position GetShardIterator would give (same errors and
  // messages), delivering to `sink` once the handle's Start() is called.
  // ResourceInUse when the same consumer subscribed to the shard less than
  // subscription_takeover_ms ago; an older subscription is otherwise
  // replaced (it ends with ResourceInUse).
  Result<std::shared_ptr<Subscription>> SubscribeToShard(const ConsumerRef& consumer, std::string_view shard_id,
                                                         IteratorType type,
                                                         std::optional<std::string_view> starting_sequence_number,
                                                         std::optional<int64_t> timestamp_ms,
                                                         std::shared_ptr<SubscriptionSink> sink);

  const EngineOptions& options() const;

  // A copy of the activity counters of every stream and shard, the active
  // subscriptions and the storage's group-commit and recovery counters, for
  // the metrics endpoint. Takes the table and stream locks shared, briefly.
  EngineMetrics Metrics() const;

  // Runs one housekeeping pass now: finishes CREATING/UPDATING/DELETING
  // transitions that are due and trims logs past retention. The housekeeping
  // thread calls it; tests driving a ManualClock may call it directly.
  void RunHousekeeping();

 private:
  class Impl;
  explicit Engine(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// ARN of a stream: arn:aws:kinesis:<region>:<account>:stream/<name>
std::string StreamArn(const StreamRef& stream);
// Parses a stream ARN into its namespace and name; nullopt when malformed.
std::optional<StreamRef> ParseStreamArn(std::string_view arn);

}  // namespace sluice::engine
