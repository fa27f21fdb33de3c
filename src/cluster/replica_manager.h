// ReplicaManager: every shard replica on this node (replica_log.h), found by
// shard for the peer endpoint's fetches, and one thread that keeps them
// moving: each follower fetches from its leader, and each leader checks for
// lagging followers every lag_check_ms.
//
// The thread makes passes over the replicas: every follower whose retry
// time has come fetches once; a pass in which no follower's log changed is
// followed by a pause of fetch_idle_ms (the leader answers at once, so an
// idle shard costs one fetch per pause), cut short by Wake(). A failed fetch is logged (at most a
// line a second) and that replica waits fetch_retry_ms before its next one.
//
// With fetch_threads set (what the server does), each replica has a thread
// of its own instead, fetching in a loop as long as it follows a leader: the
// replica's fetches ask the leader to hold them until it has records
// (ReplicaOptions::fetch_max_wait_ms), so an idle shard costs one fetch per
// wait and a new record reaches the follower at once; after a fetch that
// brought records the thread waits for their sync (Wake(shard)) before it
// asks again, so that fetch reports them durable. The pass thread then only
// checks the leaders' laggards.
//
// Lifecycle: Start() once, Stop() (or the destructor) once; replicas may be
// added and removed at any time. Threading: every method is thread-safe.
#pragma once

#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "cluster/peer_fetcher.h"
#include "cluster/replica_log.h"
#include "util/clock.h"
#include "util/rate_limiter.h"

namespace sluice::cluster {

struct ReplicaManagerOptions {
  int64_t fetch_idle_ms = 100;
  int64_t fetch_retry_ms = 500;
  int64_t lag_check_ms = 1'000;
  bool fetch_threads = false;  // a fetch loop per replica (see above)
};

class ReplicaManager {
 public:
  // `fetcher` must outlive the manager.
  explicit ReplicaManager(PeerFetcher* fetcher, ReplicaManagerOptions options = {});
  ~ReplicaManager();  // Stop()s

  // Adds (or replaces) the replica of its shard.
  void Add(std::shared_ptr<ReplicaLog> replica);
  void Remove(const ShardId& shard);
  // Null when this node holds no replica of `shard`.
  std::shared_ptr<ReplicaLog> Find(const ShardId& shard) const;

  // The peer endpoint's Fetch: the shard's replica answers (kUnknownShard
  // when there is none here).
  FetchResponse HandleFetch(const FetchRequest& request);

  // Starts the next pass now rather than after the idle pause (a follower's
  // fetched records became durable: ReplicaOptions::on_follower_durable).
  void Wake();
  // `shard`'s fetched records became durable: with fetch threads, its
  // thread asks again now; else as Wake().
  void Wake(const ShardId& shard);

  // One pass over the replicas, on the caller's thread (what the thread
  // does); true when a follower's log changed. `now_ms` is monotonic.
  bool RunOnce(int64_t now_ms);

  void Start();
  void Stop();

 private:
  // One replica's fetch loop (fetch_threads).
  struct FetchLoop {
    std::shared_ptr<ReplicaLog> replica;
    bool stop = false;     // guarded by mu_
    bool durable = false;  // a Wake(shard) since it last looked; guarded by mu_
    bool exited = false;   // its thread has returned; guarded by mu_
    std::thread thread;
  };
  struct Entry {
    std::shared_ptr<ReplicaLog> replica;
    int64_t next_fetch_ms = 0;        // monotonic
    std::shared_ptr<FetchLoop> loop;  // fetch_threads only
  };
  void Loop();
  void RunFetchLoop(FetchLoop& loop);
  // Ends `entry`'s fetch loop (its thread is joined by ReapRetired() once
  // it has returned, or at Stop()).
  void RetireLocked(Entry& entry);
  // Joins the threads of retired loops that have returned. Not under mu_.
  void ReapRetired();

  PeerFetcher* const fetcher_;
  const ReplicaManagerOptions options_;
  RateLimiter log_limit_;

  mutable std::mutex mu_;
  std::map<ShardId, Entry> replicas_;
  int64_t next_lag_check_ms_ = 0;
  bool stopping_ = false;
  bool woken_ = false;
  std::condition_variable wake_;
  std::vector<std::shared_ptr<FetchLoop>> retired_;  // loops ended, their threads to join
  std::thread thread_;
};

}  // namespace sluice::cluster
