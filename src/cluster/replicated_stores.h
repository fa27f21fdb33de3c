// ReplicatedShardStores: the engine's ShardStoreFactory in cluster mode
// (docs/cluster.md, "Replication"). Each shard this node holds a replica of
// is a ReplicaLog (replica_log.h) over the shard's segmented log in its
// usual folder (shard_log_local_log.h) and its leader epoch history beside
// it; a ReplicaManager (replica_manager.h) makes the followers fetch from
// their leaders and the leaders check their followers' lag; fetches from the
// other nodes are answered here (the peer endpoint's FetchHandler), a fetch
// that finds nothing new held until the shard's next records are durable in
// the leader's log (fetch_waits.h).
//
// Roles come from the shard leadership records: Apply() hands every record
// naming this node among its replicas to its replica (opening it first),
// with the leader's advertised address. The engine's stores are handles on
// those replicas (opened on first use), so that the engine appends to a
// shard while this node leads it and is refused with NotLeader otherwise;
// its reads see the high watermark. ISR proposals of the leaders go to the
// sink set with SetIsrSink().
//
// Lifecycle: construct; the engine opens stores at any time; Apply() on
// every change of the records; Stop() (the engine's, once it appends no
// more) ends the fetching and closes every replica.
// Threading: every method is thread-safe.
#pragma once

#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "cluster/cluster_view.h"
#include "cluster/fetch_waits.h"
#include "cluster/peer_service.h"
#include "cluster/replica_log.h"
#include "cluster/replica_manager.h"
#include "cluster/replication_metrics.h"
#include "engine/local_shard_store.h"
#include "util/rate_limiter.h"

namespace sluice::cluster {

struct ReplicatedStoreOptions {
  std::string node_id;
  std::string data_dir;  // shards live in engine::ShardDir(engine::StreamDir(data_dir, ...), index)
  size_t min_insync_replicas = 2;
  int64_t replica_lag_time_max_ms = 10'000;
  // The followers' long poll: how long a leader holds a fetch that finds
  // nothing new (0: no long poll; followers then ask every
  // manager.fetch_idle_ms).
  uint32_t fetch_max_wait_ms = 500;
  ReplicaManagerOptions manager;
};

class ReplicatedShardStores final : public engine::ShardStoreFactory, public FetchHandler {
 public:
  // Opens the replicas' logs through `local` (its options, its group
  // commit); `fetcher` asks the leaders. Both must outlive this object.
  ReplicatedShardStores(std::shared_ptr<engine::LocalShardStoreFactory> local, PeerFetcher* fetcher,
                        ReplicatedStoreOptions options);
  ~ReplicatedShardStores() override;

  // Where the leaders' ISR proposals go (called with no lock held; must be
  // quick). Set it before the first Apply().
  void SetIsrSink(IsrProposalCallback sink);
  // Starts the fetching, and a thread that applies `view` again every
  // second while a record failed to apply (a folder or file that could not
  // be made), so a quiet cluster does not leave a replica without its role.
  void Start(std::function<ClusterView::Snapshot()> view);
  // Brings this node's replicas in line with `view`: each record naming this
  // node among its replicas is applied to its replica (opened if need be)
  // when it changed since last applied; a replica whose record no longer
  // names this node stops fetching. Failures are logged (at most a line a
  // second) and retried at the next Apply().
  void Apply(const ClusterView::Snapshot& view);

  // The followers' lag of every shard this node leads (for /metrics).
  std::vector<ReplicaLagSample> LagSamples() const;

  // The replica of `shard` here, null when none is open.
  std::shared_ptr<ReplicaLog> Find(const ShardId& shard) const;

  // ---- engine::ShardStoreFactory ----
  Result<std::unique_ptr<engine::ShardStore>> Open(const engine::ShardKey& shard, const std::string& dir) override;
  void Stop() override;
  void AddMetrics(engine::StorageMetrics* out) const override { local_->AddMetrics(out); }

  // ---- FetchHandler (the peer endpoint) ----
  void Fetch(const FetchRequest& request, std::function<void(FetchResponse)> reply) override;

  // For the engine's handles (replicated_stores.cc): the replica of `shard`,
  // opened in `dir` when it is not open yet. Errors: IoError after Stop() or
  // once the shard was destroyed; those of opening the log and its history.
  Result<std::shared_ptr<ReplicaLog>> Acquire(const ShardId& shard, const std::string& dir);
  // Destroys the replica of `shard` and its records (stream deletion), open
  // or not; it is never opened again.
  Status Destroy(const ShardId& shard, const std::string& dir);

 private:
  struct Applied {
    int64_t mod_revision = 0;
    std::string leader_address;
  };
  Result<std::shared_ptr<ReplicaLog>> AcquireLocked(const ShardId& shard, const std::string& dir);
  std::string DirOf(const ShardId& shard) const;
  bool IsDestroyed(const ShardId& shard) const;

  const std::shared_ptr<engine::LocalShardStoreFactory> local_;
  const ReplicatedStoreOptions options_;
  ReplicaManager manager_;
  FetchWaits waits_;
  RateLimiter log_limit_;

  std::mutex apply_mu_;                 // one Apply() at a time; outer to mu_
  std::map<ShardId, Applied> applied_;  // guarded by apply_mu_

  mutable std::mutex mu_;
  IsrProposalCallback isr_sink_;
  std::map<ShardId, std::shared_ptr<ReplicaLog>> replicas_;
  std::set<ShardId> destroyed_;
  bool stopped_ = false;
  bool apply_failed_ = false;  // the last Apply() left a record unapplied
  std::condition_variable stop_cv_;
  std::thread retry_thread_;
};

}  // namespace sluice::cluster
