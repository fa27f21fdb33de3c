// StreamTable: the engine's stream table as the control-plane parts see it
// (ConsumerRegistry, engine/consumer_registry.h): find a live stream, and
// change metadata in the control plane's steps (snapshot every stream's
// metadata, change the copy, save it, then make it live), all under the
// table's control lock. The engine implements it.
#pragma once

#include <mutex>
#include <string>
#include <tuple>
#include <vector>

#include "engine/record_path.h"
#include "engine/stream_meta.h"
#include "util/status.h"

namespace sluice::engine {

using StreamKey = std::tuple<std::string, std::string, std::string>;  // account, region, name

inline StreamKey KeyOf(const StreamRef& r) { return {r.account, r.region, r.name}; }

// "Stream <name> under account <acct> not found."
std::string StreamNotFoundMessage(const StreamRef& stream);

class StreamTable : public StreamLookup {
 public:
  // Serialises control-plane changes, so each is snapshot -> save -> apply.
  // Taken before any stream's lock.
  virtual std::mutex& control_mu() const = 0;
  // Every stream's metadata, read under the table lock. Caller holds
  // control_mu().
  virtual std::vector<StreamMeta> SnapshotLocked() const = 0;
  // Saves `streams` as the metadata document. Caller holds control_mu().
  virtual Status SaveLocked(const std::vector<StreamMeta>& streams) = 0;
};

}  // namespace sluice::engine
