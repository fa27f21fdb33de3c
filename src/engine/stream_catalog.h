// StreamCatalog: where the engine keeps every stream's metadata. A change is
// a put (the stream's whole record, engine/metadata_codec.h) or a removal,
// keyed by (account, region, name): one key per stream.
//
// A single node keeps its own catalogue in its data directory
// (engine/metadata_log.h, the default). In cluster mode the catalogue is
// shared: every node's changes go to one store (cluster/etcd_stream_catalog.h,
// an etcd key per stream), and each node applies the changes others make
// through Engine::ApplyStreamChange.
//
// Threading: the engine calls it under its control lock, one call at a time.
#pragma once

#include <functional>
#include <optional>
#include <vector>

#include "engine/stream_meta.h"
#include "engine/stream_table.h"
#include "util/status.h"

namespace sluice::engine {

struct StreamChange;

class StreamCatalog {
 public:
  virtual ~StreamCatalog() = default;

  // Every stream, in key order. nullopt when there is no catalogue (a local
  // one never saved, or lost). Called once, before any change. Errors:
  // Corruption for a record that does not decode; the store's own.
  virtual Result<std::optional<std::vector<StreamMeta>>> Load() = 0;
  // Writes an empty catalogue (a new data directory), so that a missing one
  // always means a lost one.
  virtual Status Init() = 0;
  // Saves each stream's metadata, all or nothing. A shared catalogue creates
  // a stream it does not hold only if no other node has (ResourceInUse
  // "Stream <name> under account <acct> already exists." otherwise), and
  // changes one only if nobody else has since this node last saw it
  // (ResourceInUse otherwise, nothing saved).
  virtual Status Put(const std::vector<const StreamMeta*>& streams) = 0;
  Status Put(const StreamMeta& stream) { return Put(std::vector<const StreamMeta*>{&stream}); }
  // Saves the stream's removal (a no-op when it was never saved).
  virtual Status Erase(const StreamKey& key) = 0;
  // Whether other nodes share the catalogue: then a stream may have been
  // created elsewhere and have no folder here yet, and a transition is
  // driven by the node that started it (StreamControl::SettleLocked).
  virtual bool shared() const { return false; }
  // A shared catalogue: reads the stream `key`'s current record and, when
  // it is a change this node has not seen (newer than the last it saved or
  // applied), notes it as seen and hands it to `apply` (under the engine's
  // control lock, as Engine::ApplyStreamChange), so the watch's later
  // delivery of it is skipped. Returns whether `apply` ran. A local
  // catalogue: false. Errors: the store's; Corruption for a record that does
  // not decode; `apply`'s (the stream is then held as the watch holds a
  // change it failed to apply).
  virtual Result<bool> Refresh(const StreamKey& key, const std::function<Status(const StreamChange&)>& apply) {
    return false;
  }
};

// A change of a shared catalogue made by another node (Engine::ApplyStreamChange).
struct StreamChange {
  StreamKey key;
  std::optional<StreamMeta> meta;  // the stream's metadata now; nullopt: it is gone
};

}  // namespace sluice::engine
