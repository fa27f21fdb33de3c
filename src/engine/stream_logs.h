// The shard logs of one stream: opening them into a live StreamState,
// releasing them, and making a new stream's folders durable. Used by the
// engine when it loads and stops, and by StreamControl when it creates,
// reshards and removes streams.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "engine/shard_store.h"
#include "engine/stream_state.h"
#include "util/status.h"

namespace sluice::engine {

struct EngineOptions;

// Creates the stream's folder if missing, then opens through `stores` the
// log of every shard of `meta` that is open or has a folder, into a new
// StreamState with its router built. An open shard's folder is made by its
// first record (a shard never written has none); a closed shard without a
// folder never held a record and gets no log. On error every log opened so
// far is closed again.
Result<std::shared_ptr<StreamState>> OpenStreamLogs(const EngineOptions& options, ShardStoreFactory& stores,
                                                    StreamMeta meta);

// Closes (destroy=false) or destroys every log of `stream`, each under its
// shard's life lock held exclusively; destroying also removes the stream's
// folder. Failures are logged.
void ReleaseStreamLogs(StreamState& stream, bool destroy);

// The logs of the shards a reshard appends (ApplyReshard's `made`, in
// engine/resharding.h), opened before the metadata names them.
struct ChildLogs {
  std::vector<std::shared_ptr<ShardState>> shards;  // one per index of `made`, in its order
  std::vector<std::string> dirs;                    // the folders created, each marked pending
};

// Opens the logs of the shards `made` appended to `changed` (the stream's
// metadata after the reshard; `stream_dir` its folder, empty in memory
// mode). Each open child's folder is marked pending before it is made
// (engine/pending_marks.h), so that what a crash leaves before the metadata
// names it is removed at the next start; the stream folder is synced in
// kFsync. A shard made and closed by the same change (UpdateShardCount's
// short-lived shards) can never hold a record: it gets a null log and no
// folder. Needs no lock: nothing else touches a stream's new shard folders.
// Errors: IoError (a child's folder exists and was not made by the server;
// an open failed), and then nothing is left behind.
Result<ChildLogs> OpenChildLogs(const EngineOptions& options, ShardStoreFactory& stores, const StreamMeta& changed,
                                const std::vector<int>& made, const std::string& stream_dir);

// Destroys the logs of `logs` and removes their marked folders (failures
// are logged; the next start removes what is left). For children the
// metadata does not name.
void DiscardChildLogs(ChildLogs& logs);

// kFsync: fsyncs every directory from the parent of `stream_dir` up to the
// data directory, so the entries of a newly created stream folder chain
// (<account>/<region>/<name>-<ms>) survive a power loss before the metadata
// naming the stream does. The stream folder itself is synced by its shard
// logs with their first records, which create their folders in it. No-op in
// other modes.
Status SyncStreamDirParents(const EngineOptions& options, const std::string& stream_dir);

}  // namespace sluice::engine
