// Engine: the stream engine. Owns every stream's metadata and shard logs,
// routes records to shards, issues sequence numbers and shard iterators,
// enforces retention, and moves streams through their states. It composes
// named parts, each with its contracts in its own header: control() (the
// streams' control plane, engine/stream_control.h), records() (the data
// path, engine/record_path.h), consumers() (engine/consumer_registry.h),
// subscriptions() (SubscribeToShard, engine/subscriptions.h), accounts()
// (account settings, engine/account_control.h) and policies() (resource
// policies, engine/resource_policies.h).
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

#include "engine/account_control.h"
#include "engine/account_persistence.h"
#include "engine/consumer_registry.h"
#include "engine/engine_metrics.h"
#include "engine/placement.h"
#include "engine/remote_shards.h"
#include "engine/stream_catalog.h"
#include "engine/record_path.h"
#include "engine/resource_policies.h"
#include "engine/shard_store.h"
#include "engine/stream_control.h"
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
  // Where the records of a PutRecords go for shards another node leads
  // (engine/remote_shards.h); null: such a call fails with NotLeader, and
  // the layer above forwards it whole.
  std::shared_ptr<RemoteShardWriter> remote_writer;
  // Where every stream's metadata is kept (engine/stream_catalog.h). Null:
  // the data directory's own (engine/metadata_log.h).
  std::shared_ptr<StreamCatalog> catalog;
  // Where the account settings and resource policies are kept
  // (engine/account_persistence.h). Null: the data directory's own.
  std::shared_ptr<AccountPersistence> accounts;
  int64_t create_stream_delay_ms = 0;  // time spent in CREATING
  // A new stream stays CREATING, past create_stream_delay_ms, until every
  // shard has a leader in `placement` (cluster mode: the controller assigns
  // them after the stream appears), and a resharded one UPDATING until its
  // children have, so a client that waits for ACTIVE finds every open shard
  // writable.
  bool active_once_led = false;
  int64_t delete_stream_delay_ms = 0;  // time spent in DELETING
  // A stream of at least this many shards is built (CreateStream) and
  // destroyed (DeleteStream) on the control-plane worker thread
  // (engine/control_worker.h): CreateStream returns with it CREATING, and no
  // caller waits for its shard logs.
  int background_min_shards = 64;
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
  // The key that signs shard iterators (kIteratorKeySize bytes), when it is
  // kept elsewhere (a cluster shares one in etcd); empty: the data
  // directory's iterator.key (created when missing), or a random one in
  // memory mode.
  std::string iterator_key;
  Clock* clock = nullptr;  // defaults to SystemClock
  // How often the housekeeping thread trims shard logs past retention; also
  // the longest it sleeps between passes.
  int64_t retention_check_interval_ms = 5000;
  // A shard log unused for this long is unloaded by that same pass (its
  // files closed, its index and state freed; the next use loads it again,
  // as after a restart). 0: never.
  int64_t shard_idle_unload_ms = 5 * 60 * 1000;
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
  // CreateStream, DeleteStream, DescribeStream, ListStreams, ListShards,
  // stream tags and settings, resharding, DescribeLimits
  // (engine/stream_control.h).
  StreamControl& control();

  // --- stream consumers (enhanced fan-out registrations) ---
  // Register, describe, list, deregister, consumer tags
  // (engine/consumer_registry.h).
  ConsumerRegistry& consumers();

  // --- account settings (engine/account_control.h) ---
  // DescribeAccountSettings, UpdateAccountSettings, and whether the minimum
  // throughput commitment is in force.
  AccountControl& accounts();

  // --- resource policies (engine/resource_policies.h) ---
  // Put/Get/DeleteResourcePolicy of a stream or a consumer.
  ResourcePolicies& policies();

  // --- data plane ---
  // PutRecords, GetShardIterator, GetRecords, LatestRecords
  // (engine/record_path.h).
  RecordPath& records();

  // SubscribeToShard: push subscriptions of enhanced fan-out consumers
  // (engine/subscriptions.h).
  Subscriptions& subscriptions();

  const EngineOptions& options() const;

  // A copy of the activity counters of every stream (and of the shards
  // `detail` asks for), the active subscriptions and the storage's
  // group-commit and recovery counters, for the metrics endpoint and the
  // console. Takes the table and stream locks shared, briefly.
  EngineMetrics Metrics(ShardDetail detail = ShardDetail::kAll) const;

  // Runs one housekeeping pass now: finishes CREATING/UPDATING/DELETING
  // transitions that are due and trims logs past retention. The housekeeping
  // thread calls it (engine/housekeeping.h); tests driving a ManualClock may
  // call it directly.
  void RunHousekeeping();

  // --- a shared catalogue (cluster mode) ---
  // Applies a change another node made to the catalogue: the stream is
  // opened here (its logs created empty), updated (shards a reshard added
  // are opened), replaced by a new incarnation, or dropped with its logs.
  // `admit` runs under the control lock before anything changes, so that it
  // is ordered with this node's own saves; false skips the change (the
  // catalogue has seen it: this node's own, or older than what it holds).
  // Errors: IoError opening logs (the stream stays as it was).
  Status ApplyStreamChange(const StreamChange& change, const std::function<bool()>& admit);

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
