// The shared stream catalogue of cluster mode (docs/cluster.md, "Metadata"):
// every stream's metadata as one etcd key, written by whichever node took the
// call and applied by every node from a watch.
//
//   /sluice/v1/streams/<account>/<region>/<name>
//   the stream's record, engine::EncodeStreamRecord (docs/engine-formats.md)
//
// A stream this node does not hold is created only if the key is absent, so
// of two nodes creating one name one wins and the other answers
// ResourceInUse; a stream it holds is changed or removed only if the key is
// still at the mod_revision this node last saw (its own write, or a change it
// applied), so a node that has not yet seen another's change changes
// nothing. The watch hands every change to Engine::ApplyStreamChange, whose
// admit step (under the engine's control lock, ordered with this node's own
// saves) skips what this catalogue has seen: its own writes, applied once.
// When etcd has compacted the history the watch needs, the catalogue reads
// every stream again and applies what differs from what it has seen.
//
// Threading: the engine calls Load/Put/Erase under its control lock; the
// watch runs on a thread of its own.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "cluster/etcd_client.h"
#include "cluster/etcd_watch.h"
#include "engine/engine.h"
#include "engine/stream_catalog.h"
#include "util/status.h"

namespace sluice::cluster {

inline constexpr std::string_view kStreamsPrefix = "/sluice/v1/streams/";

std::string StreamCatalogKey(const engine::StreamKey& key);
// Errors: BadResponse for a key not under kStreamsPrefix as <account>/<region>/<name>.
Result<engine::StreamKey> ParseStreamCatalogKey(std::string_view key);

class EtcdStreamCatalog final : public engine::StreamCatalog {
 public:
  // `client` must outlive the catalogue.
  explicit EtcdStreamCatalog(EtcdClient& client) : client_(client) {}
  ~EtcdStreamCatalog() override;  // Stop()

  // Every stream under kStreamsPrefix, at one revision. Never nullopt.
  // Errors: those of the etcd calls; Corruption for a record that does not
  // decode, BadResponse for a key that does not parse.
  Result<std::optional<std::vector<engine::StreamMeta>>> Load() override;
  Status Init() override { return Status::Ok(); }
  // One transaction for all of `streams`. Errors: ResourceInUse (above);
  // ServiceUnavailable "…the cluster's metadata store did not answer in
  // time; try again." when etcd does not answer within its deadline (then whether
  // it was written is unknown, and the watch applies it if it was); other
  // errors of the etcd calls.
  Status Put(const std::vector<const engine::StreamMeta*>& streams) override;
  using StreamCatalog::Put;
  // Errors: ResourceInUse when the stream changed since this node saw it;
  // ServiceUnavailable when etcd does not answer in time, as Put; those of the
  // etcd calls.
  Status Erase(const engine::StreamKey& key) override;
  bool shared() const override { return true; }
  // Reads the stream's key (one range, linearizable) and hands a change this
  // node has not seen to `apply`, noted as seen first, so that the watch
  // skips it (engine::StreamCatalog::Refresh). The engine calls it when a
  // call it evaluated against what it held was refused
  // (engine/current_state.h). Errors: those of the etcd call, Corruption
  // for a record that does not decode, `apply`'s.
  Result<bool> Refresh(const engine::StreamKey& key,
                       const std::function<Status(const engine::StreamChange&)>& apply) override;

  // Applies to `engine` every change from the revision Load read on, until
  // Stop. Call once, after the engine opened (its Load called Load here).
  // A change that cannot be applied is logged.
  void Follow(engine::Engine& engine);
  void Stop();

  // Changes made elsewhere applied so far.
  int64_t applied() const;
  // Times the catalogue was read whole again because etcd had compacted the
  // history its watch needed.
  int64_t resyncs() const;

 private:
  // What this node last saw of a key: the revision of its last change, and
  // whether that left it present.
  struct Seen {
    int64_t revision = 0;
    bool exists = false;
  };
  void OnEvents(engine::Engine& engine, const std::vector<WatchEvent>& events);
  // Applies one change of a key through `apply` (Engine::ApplyStreamChange's
  // shape: the change, and the admit step to run under the control lock).
  // Errors: BadResponse for a key that does not parse, Corruption for a
  // record that does not decode, `apply`'s (the key is then held as absent
  // here, so its next change is applied in full).
  using ApplyFn = std::function<Status(const engine::StreamChange&, const std::function<bool()>& admit)>;
  Status ApplyEvent(const WatchEvent& e, const ApplyFn& apply);
  // After a compaction: applies one range of every stream as the changes it
  // implies; returns its revision.
  Result<int64_t> Reload(engine::Engine& engine);
  // Whether the change at `revision` is news; if so, notes it as seen.
  bool Admit(const std::string& key, int64_t revision, bool exists);

  EtcdClient& client_;
  mutable std::mutex mu_;
  std::map<std::string, Seen> seen_;  // guarded by mu_
  int64_t loaded_revision_ = 0;
  int64_t applied_ = 0;  // guarded by mu_
  std::unique_ptr<EtcdWatch> watch_;
};

}  // namespace sluice::cluster
