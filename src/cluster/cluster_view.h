// A node's local copy of the cluster's state in etcd: the live nodes, the
// decommissioned ones, every shard's leadership record and the shards of
// every stream, read at one revision and then kept current by a watch from
// the next (docs/cluster.md, "The cluster view"), so that questions about it
// are answered from memory.
//
// Threading: the watch runs on a thread of its own and calls the listeners
// there after each change. Every method may be called from any thread.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "cluster/etcd_client.h"
#include "cluster/etcd_watch.h"
#include "cluster/node_registry.h"
#include "cluster/shard_leadership.h"
#include "util/status.h"

namespace sluice::cluster {

class ClusterView {
 public:
  struct Snapshot {
    std::map<std::string, NodeInfo> live_nodes;  // by id
    std::map<std::string, NodeInfo> members;     // every node that ever registered, by id
    std::set<std::string> decommissioned;        // ids marked for removal (node_registry.h)
    std::vector<ShardRecord> shards;             // in id order
    // Every shard of every stream in the catalogue (etcd_stream_catalog.h),
    // in id order: the shards that should have a record.
    std::vector<ShardId> catalogued;
    int64_t revision = 0;  // the etcd revision it reflects
  };

  // Reads the state and starts the watch. `client` must outlive the view.
  // Errors: those of the etcd calls, BadResponse for a document that does not parse.
  static Result<std::unique_ptr<ClusterView>> Open(EtcdClient& client);
  ~ClusterView();

  Snapshot snapshot() const;
  std::optional<ShardRecord> shard(const ShardId& id) const;
  std::optional<NodeInfo> live_node(const std::string& id) const;
  std::map<std::string, NodeInfo> live_nodes() const;  // by id
  int64_t revision() const;
  // Leader epoch increases the watch has delivered since Open (a first
  // assignment, a failover, a rebalance: each record written with a higher
  // epoch counts once; what Open read counts nothing).
  int64_t leader_changes() const;
  // Waits until the view reflects `revision` or later; false at the deadline.
  bool WaitForRevision(int64_t revision, int64_t timeout_ms) const;
  // `listener` runs after every change the watch delivers, on its thread.
  void AddListener(std::function<void()> listener);
  // Times the view was read whole again because etcd had compacted the
  // history its watch needed.
  int64_t resyncs() const;

 private:
  explicit ClusterView(EtcdClient& client) : client_(client) {}
  // Brings the state to one range of the root (what it lacks is deleted);
  // returns its revision.
  Result<int64_t> Reload();
  std::set<std::string> keys_;  // every key applied and not deleted; guarded by mu_
  // Applies one key's state (a put, or a delete when `deleted`).
  void ApplyLocked(const KeyValue& kv, bool deleted);
  void OnEvents(const std::vector<WatchEvent>& events);

  EtcdClient& client_;
  mutable std::mutex mu_;
  mutable std::condition_variable changed_;
  std::map<std::string, NodeInfo> live_nodes_;
  std::map<std::string, NodeInfo> members_;
  std::set<std::string> decommissioned_;
  std::map<ShardId, ShardRecord> shards_;
  std::map<std::string, std::vector<ShardId>> catalogued_;  // by stream key
  int64_t revision_ = 0;
  int64_t leader_changes_ = 0;
  std::vector<std::function<void()>> listeners_;
  std::unique_ptr<EtcdWatch> watch_;
};

}  // namespace sluice::cluster
