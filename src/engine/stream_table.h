// StreamTable: the engine's stream table as the control-plane parts see it
// (ConsumerRegistry, engine/consumer_registry.h): find a live stream, and
// change metadata in the control plane's steps (copy the metadata, change
// the copy, save the streams changed, then make it live), all under the
// table's control lock. StreamRegistry adds what the streams' own control
// plane (StreamControl, engine/stream_control.h) and the housekeeping pass
// (engine/housekeeping.h) need: adding and dropping live streams, listing
// them, and walking a namespace. The engine implements both.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "engine/record_path.h"
#include "engine/stream_meta.h"
#include "util/status.h"

namespace sluice::engine {

using StreamKey = std::tuple<std::string, std::string, std::string>;  // account, region, name

inline StreamKey KeyOf(const StreamRef& r) { return {r.account, r.region, r.name}; }
inline StreamRef RefOf(const StreamKey& k) { return {std::get<0>(k), std::get<1>(k), std::get<2>(k)}; }

// "Stream <name> under account <acct> not found."
std::string StreamNotFoundMessage(const StreamRef& stream);
// "Stream <name> under account <acct> not ACTIVE, instead in state <status>"
std::string StreamNotActiveMessage(const StreamRef& stream, StreamStatus status);

// Logs one line for a stream's state change: "engine: stream state" with
// the stream, its namespace and the old and new state ("" when the stream
// did not exist before, "GONE" once it no longer does).
void LogStreamState(const StreamRef& stream, std::string_view from, std::string_view to);

class StreamTable : public StreamLookup {
 public:
  // Serialises control-plane changes, so each is snapshot -> save -> apply.
  // Taken before any stream's lock.
  virtual std::mutex& control_mu() const = 0;
  // Every stream's metadata, read under the table lock. Caller holds
  // control_mu().
  virtual std::vector<StreamMeta> SnapshotLocked() const = 0;
  // Saves the metadata of each of `streams` (the others are left as they
  // are: the cost is that of the streams saved, not of the table). Caller
  // holds control_mu().
  virtual Status SaveStreamsLocked(const std::vector<const StreamMeta*>& streams) = 0;
  Status SaveStreamLocked(const StreamMeta& stream) { return SaveStreamsLocked({&stream}); }
  // Saves that the stream `key` is gone. Caller holds control_mu().
  virtual Status SaveRemovalLocked(const StreamKey& key) = 0;
  // Whether other nodes share the stream catalogue (cluster mode), so that
  // the metadata held here may lag a change made through another node.
  virtual bool shared_catalog() const { return false; }
  // A shared catalogue: reads the stream `key`'s current record from it and,
  // when it is newer than what this node holds, applies it as
  // Engine::ApplyStreamChange does (once: the watch's delivery of it is then
  // skipped). Returns whether it applied anything; always false for a local
  // catalogue. Errors: the catalogue's, or applying it (IoError opening
  // logs). Caller holds control_mu() (engine/current_state.h).
  virtual Result<bool> RefreshLocked(const StreamKey& key) { return false; }
};

class StreamRegistry : public StreamTable {
 public:
  // Makes `state` the live stream `key`, under the table lock. Caller holds
  // control_mu().
  virtual void InsertLocked(const StreamKey& key, std::shared_ptr<StreamState> state) = 0;
  // Drops the live stream `key` from the table, under the table lock (its
  // logs are the caller's to release). Caller holds control_mu().
  virtual void EraseLocked(const StreamKey& key) = 0;
  // Every live stream, copied under the table lock shared.
  virtual std::vector<std::shared_ptr<StreamState>> Streams() const = 0;
  // Calls `visit` with the metadata of each stream of the namespace named
  // after `after` ("": from the first), in name order, until it returns
  // false, holding the table lock and that stream's lock, both shared.
  // Starts at `after` (the table is ordered), so the streams before it cost
  // nothing.
  virtual void ForEachInNamespace(const std::string& account, const std::string& region, std::string_view after,
                                  const std::function<bool(const StreamMeta&)>& visit) const = 0;
};

}  // namespace sluice::engine
