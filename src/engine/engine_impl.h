// Engine::Impl: the engine's state and the helpers its operation files share.
// Internal to src/engine/. Operations are split by concern:
//   engine.cc          Open, Start/Stop, metadata load/save, the stream
//                      table (StreamTable), forwarding
//   stream_control.cc, the control plane, StreamControl
//   stream_updates.cc, (engine/stream_control.h): lifecycle, listing, tags,
//   stream_transitions.cc  settings, resharding, the stream transitions
//   put_records.cc,    the data path, RecordPath (engine/record_path.h); the
//   get_records.cc     Impl is its StreamLookup and owns it
//   housekeeping.cc    the housekeeping thread and pass, Housekeeping
//                      (engine/housekeeping.h)
//   consumer_registry.cc
//                      stream consumers, ConsumerRegistry
//                      (engine/consumer_registry.h)
//   subscriptions.cc   SubscribeToShard and the delivery thread,
//                      Subscriptions (engine/subscriptions.h)
//   account_control.cc account settings, AccountControl
//                      (engine/account_control.h)
//   resource_policies.cc
//                      resource policies, ResourcePolicies
//                      (engine/resource_policies.h)
// The Impl is the StreamRegistry of StreamControl and the StreamTable of
// ConsumerRegistry and ResourcePolicies, and owns every part.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <tuple>
#include <vector>

#include "engine/account_control.h"
#include "engine/account_store.h"
#include "engine/consumer_registry.h"
#include "engine/engine.h"
#include "engine/housekeeping.h"
#include "engine/metadata_log.h"
#include "engine/record_path.h"
#include "engine/resource_policies.h"
#include "engine/shard_iterator.h"
#include "engine/stream_control.h"
#include "engine/subscriptions.h"
#include "engine/stream_state.h"
#include "engine/stream_table.h"

namespace sluice::engine {

class Engine::Impl final : public StreamRegistry {
 public:
  Impl(const EngineOptions& options, IteratorCodec codec);
  ~Impl();

  // engine.cc
  Status Load();
  // Engine::ApplyStreamChange.
  Status ApplyStreamChange(const StreamChange& change, const std::function<bool()>& admit);
  void Start();
  void Stop();

  // engine_metrics.cc: a copy of every counter (Engine::Metrics).
  EngineMetrics Metrics(ShardDetail detail) const;

  // engine.cc: StreamRegistry, over the stream table.
  std::shared_ptr<StreamState> Find(const StreamRef& stream) const override;
  std::mutex& control_mu() const override { return control_mu_; }
  std::vector<StreamMeta> SnapshotLocked() const override;
  Status SaveStreamsLocked(const std::vector<const StreamMeta*>& streams) override;
  Status SaveRemovalLocked(const StreamKey& key) override;
  bool shared_catalog() const override { return catalog_->shared(); }
  Result<bool> RefreshLocked(const StreamKey& key) override;
  void InsertLocked(const StreamKey& key, std::shared_ptr<StreamState> state) override;
  void EraseLocked(const StreamKey& key) override;
  std::vector<std::shared_ptr<StreamState>> Streams() const override;
  void ForEachInNamespace(const std::string& account, const std::string& region, std::string_view after,
                          const std::function<bool(const StreamMeta&)>& visit) const override;

  RecordPath& records() { return *records_; }
  ConsumerRegistry& consumers() { return *consumers_; }
  StreamControl& control() { return *control_; }
  Subscriptions& subscriptions() { return *subscriptions_; }
  AccountControl& accounts() { return *account_control_; }
  ResourcePolicies& policies() { return *policies_; }
  Housekeeping& housekeeping() { return *housekeeping_; }
  const EngineOptions& options() const { return options_; }
  int64_t Now() const { return clock_->NowMillis(); }

 private:
  // --- engine.cc ---
  // Logs an ERROR when the folder of `meta` (loaded from the metadata) is
  // missing: its shards' records, if they had any, are gone, and the shards
  // restart empty. Returns the number of shards whose folders went with it.
  // (A missing shard folder alone is a shard never written: not reported.)
  int ReportMissingStreamDir(const StreamMeta& meta) const;

  EngineOptions options_;
  const bool limits_on_;  // options_.limits.Any(): the quotas cost one branch when off
  Clock* clock_;
  IteratorCodec codec_;
  std::shared_ptr<StreamCatalog> catalog_;           // the stream metadata (EngineOptions::catalog)
  MetadataLog* local_log_ = nullptr;                 // catalog_, when it is the data directory's own
  std::unique_ptr<AccountStore> accounts_;           // stores account settings, resource policies
  std::shared_ptr<ShardStoreFactory> stores_;        // opens every shard log
  std::shared_ptr<ShardPlacement> placement_;        // who leads each shard
  std::unique_ptr<RecordPath> records_;              // the shard data path
  std::unique_ptr<ConsumerRegistry> consumers_;      // stream consumers
  std::unique_ptr<StreamControl> control_;           // the streams' control plane
  std::unique_ptr<Housekeeping> housekeeping_;       // its thread settles transitions, trims logs
  std::unique_ptr<Subscriptions> subscriptions_;     // SubscribeToShard, the delivery thread
  std::unique_ptr<AccountControl> account_control_;  // account settings
  std::unique_ptr<ResourcePolicies> policies_;       // resource policies

  mutable std::shared_mutex table_mu_;
  std::map<StreamKey, std::shared_ptr<StreamState>> streams_;  // guarded by table_mu_

  // Serialises control-plane changes, so each is snapshot → save → apply.
  mutable std::mutex control_mu_;
  uint64_t missing_shard_dirs_ = 0;  // found by Load(), before serving
};

// Messages shared by several operations (StreamNotFoundMessage: engine/stream_table.h).
std::string ShardNotFoundMessage(const StreamRef& stream, std::string_view shard_id);

}  // namespace sluice::engine
