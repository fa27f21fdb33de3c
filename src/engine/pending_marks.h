// Pending marks: which folders under <data_dir>/streams the engine may remove.
//
// The engine removes a folder only when it marked it first. A mark is an
// empty file beside the folder, `<folder>.pending`, synced into the parent
// (kFsync) before the step it announces:
//   - a new stream's folder and a reshard's children's shard folders are
//     marked before they are created, because the metadata document names
//     them only afterwards;
//   - a deleted stream's folder is marked before the metadata document that
//     no longer names it is saved.
// The metadata document then settles every mark (SettleStreamFolders, at
// start): a marked folder the document names is kept and its mark is stale
// (removed); one it does not name is removed, the mark last, so a crash
// during the removal leaves the rest still marked. Once a save succeeds the
// engine clears the marks itself, so marks are only found after a crash or a
// failed save. Anything else the document does not name (a user's folder,
// an unknown account, a `shard-N` past the shard list) is logged once and
// left alone. The layout is in docs/engine-formats.md, section 4.
//
// Free functions over the file system; no state. Not for memory mode.
#pragma once

#include <set>
#include <string>

#include "util/status.h"

namespace sluice::engine {

// The mark of `folder`: "<folder>.pending".
std::string PendingMarkPath(const std::string& folder);

// Creates the mark of `folder`, and the folder's parent if missing. With
// `sync`, fsyncs the parent so the mark is durable before what follows.
// Errors: IoError.
Status MarkPending(const std::string& folder, bool sync);

// Removes the mark of `folder` (OK if there is none). With `sync`, fsyncs
// the parent. Errors: IoError.
Status ClearPending(const std::string& folder, bool sync);

bool IsMarkedPending(const std::string& folder);

// Removes `folder` (OK if it is gone already) and then its mark; with
// `sync`, the removal is fsynced into the parent before the mark goes, so a
// crash at any point leaves whatever is left still marked. Errors: IoError,
// and the mark then stays.
Status RemoveMarked(const std::string& folder, bool sync);

// The number of folders under <data_dir>/streams/<account>/<region>/
// (stream folders, whoever made them): what a data directory without a
// metadata document must not hold, since nothing would name them.
int CountStreamFolders(const std::string& data_dir);

// Settles the marks under <data_dir>/streams against `named`, the stream
// and shard folders (lexically normal paths) that the loaded metadata
// document names, and logs a warning for every entry that is neither named
// nor marked ("engine: leaving unknown ... alone"). Only marked folders are
// removed. With `sync`, each removal is synced before its mark goes.
// Failures to remove are logged; the mark stays for the next start.
void SettleStreamFolders(const std::string& data_dir, const std::set<std::string>& named, bool sync);

}  // namespace sluice::engine
