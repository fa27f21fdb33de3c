// The shard logs of one stream: opening them into a live StreamState,
// releasing them, and making a new stream's folders durable. Used by the
// engine when it loads and stops, and by StreamControl when it creates,
// reshards and removes streams.
#pragma once

#include <memory>
#include <string>

#include "engine/shard_store.h"
#include "engine/stream_state.h"
#include "util/status.h"

namespace sluice::engine {

struct EngineOptions;

// Opens (creating if needed) through `stores` the log of every shard of
// `meta` that is open or has a folder, into a new StreamState with its
// router built. A closed shard without a folder (one that never held a
// record) gets no log. On error every log opened so far is closed again.
Result<std::shared_ptr<StreamState>> OpenStreamLogs(const EngineOptions& options, ShardStoreFactory& stores,
                                                    StreamMeta meta);

// Closes (destroy=false) or destroys every log of `stream`, each under its
// shard's life lock held exclusively; destroying also removes the stream's
// folder. Failures are logged.
void ReleaseStreamLogs(StreamState& stream, bool destroy);

// kFsync: fsyncs every directory from the parent of `stream_dir` up to the
// data directory, so the entries of a newly created stream folder chain
// (<account>/<region>/<name>-<ms>) survive a power loss before the metadata
// naming the stream does. The stream folder itself is synced by its shard
// logs as they create their directories. No-op in other modes.
Status SyncStreamDirParents(const EngineOptions& options, const std::string& stream_dir);

}  // namespace sluice::engine
