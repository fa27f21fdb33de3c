// IsrWriter: writes the in-sync set changes this node's leaders propose
// (replica_log.h, IsrProposal) into their shards' leadership records in
// etcd, off the replicas' threads. A proposal is written only while the
// record still has this node as leader at the proposal's epoch and the ISR
// the proposal changes (`from_isr`), by one compare-and-swap on the record's
// mod_revision; otherwise, or when the swap loses a race, it is dropped (the
// leader proposes again while its ISR has not changed: ReplicaOptions::
// isr_proposal_retry_ms). The change reaches the leader back through the
// cluster view, as every record change does.
//
// Threading: Propose() from any thread (quick: it queues); one thread writes.
#pragma once

#include <condition_variable>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include "cluster/cluster_view.h"
#include "cluster/etcd_client.h"
#include "cluster/replica_log.h"
#include "util/rate_limiter.h"

namespace sluice::cluster {

class IsrWriter {
 public:
  // `client` and `view` must outlive the writer.
  IsrWriter(EtcdClient& client, const ClusterView& view, std::string node_id);
  ~IsrWriter();  // Stop()s

  // Queues `proposal`; a later one for the same shard replaces it.
  void Propose(const IsrProposal& proposal);
  // Writes `proposal` now, on the caller's thread; true when written.
  // Errors: those of the etcd calls.
  Result<bool> Write(const IsrProposal& proposal);

  void Start();
  void Stop();  // drops what is queued; idempotent

 private:
  void Loop();

  EtcdClient& client_;
  const ClusterView& view_;
  const std::string node_id_;
  RateLimiter log_limit_;

  std::mutex mu_;
  std::condition_variable wake_;
  std::map<ShardId, IsrProposal> pending_;
  bool stopping_ = false;
  std::thread thread_;
};

// At a node's start: every shard record still naming this node as leader
// (from before a restart its session outlived) is taken back under a new
// epoch, by compare-and-swap, before the node appends anything. What it
// appends from then on is so told apart from what its followers may hold of
// a tail it lost in the crash (written, replicated, not synced here):
// divergence is found by epoch, and that tail is cut from them. Returns how
// many records it renewed. Errors: those of the etcd calls.
Result<int> RenewOwnLeaderships(EtcdClient& client, const std::string& node_id);

}  // namespace sluice::cluster
