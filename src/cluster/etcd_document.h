// EtcdDocument: one etcd key holding a whole document (bytes) that every
// node of the cluster shares, for state small enough to be saved whole: the
// account settings and resource policies (etcd_account_persistence.h).
//
// - Changes by compare-and-swap on the key's mod_revision: Update hands the
//   edit the current document and writes the result only if the key is
//   still at that revision; when another node changed it first, the key as
//   it now is (which the failed transaction read) is taken and the edit is
//   applied to it again. So a change made on a stale copy is never lost and
//   never overwrites another.
// - Every node kept current by a watch of the key (etcd_watch.h) from the
//   revision Load read on; after a compaction it reads the key again.
// - Reads see every change acknowledged through any node: Current() reads
//   the key (one range call) and takes it when newer than what the watch
//   brought. When etcd does not answer, it returns the last document seen
//   (and logs), so reads go on through an etcd outage.
//
// Threading: any method from any thread; Update calls are serialised by the
// caller (two at once are each correct, but may both re-read).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "cluster/etcd_client.h"
#include "cluster/etcd_watch.h"
#include "util/status.h"

namespace sluice::cluster {

class EtcdDocument {
 public:
  // The document as of one revision of the store.
  struct Version {
    bool exists = false;   // false: never written, or deleted (bytes empty)
    int64_t revision = 0;  // the key's mod_revision; when absent, the revision it was seen absent at
    std::string bytes;
  };
  // Given the current version, the next document's bytes, or nullopt for
  // no change; an error ends the update. May be called more than once.
  using Edit = std::function<Result<std::optional<std::string>>(const Version& current)>;

  // `what` names the document in errors and the log ("account settings and
  // resource policies"). `client` must outlive the document.
  EtcdDocument(EtcdClient& client, std::string key, std::string what);
  ~EtcdDocument();  // Stop()
  EtcdDocument(const EtcdDocument&) = delete;
  EtcdDocument& operator=(const EtcdDocument&) = delete;

  // Reads the key and starts the watch after its revision. Call once.
  // Errors: those of the etcd call.
  Status Load();
  // The document as of now (above). Never fails.
  std::shared_ptr<const Version> Current();
  // The last version this node saw (Load, the watch, its own writes,
  // Current), without asking etcd.
  std::shared_ptr<const Version> Held() const;
  // Applies `edit` and writes its result by compare-and-swap, again on the
  // newer version after each conflict (up to 100 times). An edit that fails
  // or changes nothing on the version this node held is applied again to
  // the key as etcd has it, so neither is judged on a stale copy. Returns
  // the version written, or the current one when the edit changed nothing.
  // Errors: the edit's; ServiceUnavailable "<what>: the change could not be
  // confirmed, the cluster's metadata store did not answer in time; try
  // again." when etcd does not answer within its deadline (then whether it
  // was written is unknown: if it was, every node gets it from its watch);
  // ResourceInUse when it kept conflicting; other errors of the etcd calls.
  Result<std::shared_ptr<const Version>> Update(const Edit& edit);
  // Ends the watch. Idempotent.
  void Stop();

  // Versions taken from the watch so far (changes made through other nodes,
  // and this node's own seen again).
  int64_t watched() const;

 private:
  // Takes `next` when it is newer than what is held; returns what is held.
  std::shared_ptr<const Version> Take(std::shared_ptr<const Version> next);
  // The key's version in what a range or transaction read at `revision`.
  std::shared_ptr<const Version> FromKvs(const std::vector<KeyValue>& kvs, int64_t revision) const;

  EtcdClient& client_;
  const std::string key_;
  const std::string what_;
  mutable std::mutex mu_;
  std::shared_ptr<const Version> held_ = std::make_shared<Version>();  // guarded by mu_
  int64_t watched_ = 0;                                                // guarded by mu_
  std::unique_ptr<EtcdWatch> watch_;
};

}  // namespace sluice::cluster
