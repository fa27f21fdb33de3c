// Controller election (docs/cluster.md, "The controller"): one node at a time
// holds /sluice/v1/controller/leader, bound to that node's lease, so the key
// goes when the node dies or stops. Every node campaigns: a transaction
// creates the key if it is absent and raises /sluice/v1/controller/epoch by
// one, so each new controller has a higher epoch. The others watch the
// controller prefix and campaign again as soon as the key is deleted (and
// every recheck_ms in any case).
//
// The controller's writes name the key's mod_revision (Term::claim_revision)
// in their compares, so a deposed controller cannot write anything.
//
// Threading: the campaign runs on a thread of its own; the callbacks run on
// it, one at a time. is_controller() and term() may be read from any thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "cluster/etcd_client.h"
#include "cluster/etcd_watch.h"
#include "util/status.h"

namespace sluice::cluster {

inline constexpr std::string_view kControllerPrefix = "/sluice/v1/controller/";
inline constexpr std::string_view kControllerKey = "/sluice/v1/controller/leader";
inline constexpr std::string_view kControllerEpochKey = "/sluice/v1/controller/epoch";

// One controller's tenure.
struct Term {
  int64_t epoch = 0;           // 1 for the first controller, +1 for each next one
  int64_t claim_revision = 0;  // the controller key's mod_revision: a compare that fences writes
};

// {"node":"n1","epoch":3}, the controller key's value.
struct ControllerInfo {
  std::string node;
  int64_t epoch = 0;
};

struct ElectionOptions {
  std::string node_id;
  // The lease to bind the controller key to (the node's session); 0 while
  // there is none, and the node does not campaign.
  std::function<int64_t()> lease;
  std::function<void(const Term&)> on_elected;  // optional
  std::function<void()> on_deposed;             // optional
  int64_t recheck_ms = 1000;
};

class ControllerElection {
 public:
  // Starts campaigning. `client` must outlive the election.
  ControllerElection(EtcdClient& client, ElectionOptions options);
  ~ControllerElection();  // Stop()
  ControllerElection(const ControllerElection&) = delete;
  ControllerElection& operator=(const ControllerElection&) = delete;

  // Ends the campaign; a controller resigns (deletes its key, so another
  // node takes over at once). Idempotent.
  void Stop();

  bool is_controller() const { return is_controller_.load(); }
  // The current term while is_controller().
  Term term() const;
  // Campaign rounds completed (each asks etcd once).
  int64_t rounds() const { return rounds_.load(); }

 private:
  void Run();
  // One round: claim the key if absent, or learn who holds it.
  Status Campaign();
  void SetController(std::optional<Term> term);
  void Wake();

  EtcdClient& client_;
  const ElectionOptions options_;
  std::atomic<bool> is_controller_{false};
  std::atomic<int64_t> rounds_{0};
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  bool woken_ = false;
  Term term_;
  std::unique_ptr<EtcdWatch> watch_;
  std::thread thread_;
};

// Who is the controller now; nullopt when none. Errors: those of the etcd
// calls, BadResponse for a value that does not parse.
Result<std::optional<ControllerInfo>> GetController(EtcdClient& client);

}  // namespace sluice::cluster
