// Where the engine keeps its files under the data directory:
//
//   <data_dir>/iterator.key                     iterator signing key (32 bytes)
//   <data_dir>/metadata                         stream table snapshot (engine/metadata_log.h)
//   <data_dir>/metadata.journal                 stream changes since the snapshot
//   <data_dir>/streams/<account>/<region>/<name>-<creation ms>/shard-<12-digit index>/
//                                               one storage::ShardLog per shard
//
// Path components are escaped (bytes outside [A-Za-z0-9_.-], and a leading
// '.', become %XX) so no account, region or stream name can leave its folder.
// The creation time in the stream folder keeps a recreated stream's logs
// apart from those of a deleted one still being removed. Folders the engine
// may remove carry a `<folder>.pending` mark beside them (pending_marks.h).
#pragma once

#include <string>
#include <string_view>

#include "engine/types.h"

namespace sluice::engine {

std::string IteratorKeyPath(const std::string& data_dir);
std::string MetadataPath(const std::string& data_dir);
std::string StreamsRoot(const std::string& data_dir);
std::string StreamDir(const std::string& data_dir, const StreamRef& stream, int64_t creation_ms);
std::string ShardDir(const std::string& stream_dir, int shard_index);

// `component` made safe to use as one path component.
std::string EscapePathComponent(std::string_view component);

// <data_dir>/accounts: account settings and resource policies (AccountStore,
// one storage::MetadataStore document of its own).
std::string AccountsPath(const std::string& data_dir);

}  // namespace sluice::engine
