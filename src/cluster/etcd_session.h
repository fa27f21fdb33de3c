// A lease kept alive on a thread of its own: what a node's keys are bound to
// (etcd's "session"). Keys put with lease() disappear about ttl_s seconds
// after the process stops renewing it (kill -9, a partition), and at once
// when the session is stopped cleanly (the lease is revoked).
//
// Start grants the lease and calls `on_granted(lease)`, which puts the keys
// bound to it; its error fails Start (and the lease is revoked). The thread
// then renews the lease every ttl/3. If the lease is lost all the same (etcd
// unreachable for longer than the TTL, or it answers that the lease is gone),
// the session grants a new lease and calls `on_granted` again, retrying every
// second until it succeeds or is stopped; each loss is logged.
//
// Threading: on_granted runs on the caller of Start, then on the session's
// thread. lease() may be read from any thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>

#include "cluster/etcd_client.h"
#include "util/status.h"

namespace sluice::cluster {

class EtcdSession {
 public:
  using OnGranted = std::function<Status(int64_t lease_id)>;

  // `client` must outlive the session.
  EtcdSession(EtcdClient& client, int64_t ttl_s, OnGranted on_granted);
  ~EtcdSession();  // Stop()
  EtcdSession(const EtcdSession&) = delete;
  EtcdSession& operator=(const EtcdSession&) = delete;

  // Grants the first lease, runs on_granted, starts renewing. Errors: those of
  // the etcd calls and of on_granted.
  Status Start();
  // Ends the thread and revokes the lease (its keys go at once). Idempotent.
  void Stop();

  int64_t lease() const { return lease_.load(); }
  int64_t ttl_s() const { return ttl_s_; }
  // Leases lost and granted again since Start.
  int64_t renewals_lost() const { return lost_.load(); }

 private:
  Status Grant();
  void Run();
  // Waits up to `ms` or until Stop; false when stopping.
  bool WaitFor(int64_t ms);

  EtcdClient& client_;
  const int64_t ttl_s_;
  const OnGranted on_granted_;
  std::atomic<int64_t> lease_{0};
  std::atomic<int64_t> lost_{0};
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace sluice::cluster
