// Reading back a journal: a ShardLog of change records beside a snapshot
// document that covers its records below some offset (DynamoDB tables,
// consumer groups). The owner loads its snapshot, checks that it fits the
// journal, then applies the records after it.
//
// Threading: as the log's reads (any thread).
#pragma once

#include <cstdint>
#include <functional>
#include <string_view>

#include "storage/shard_log.h"
#include "util/status.h"

namespace sluice::storage {

// OK when a snapshot covering the journal to `covered` fits `log` (between
// its start and end offsets); else Corruption: "<what> covers the journal to
// <covered>, which holds offsets <start> to <end>".
Status CheckSnapshotCovers(const ShardLog& log, uint64_t covered, std::string_view what);

// Calls `apply` on every record from `from` to the log's end, in order. The
// first error (of a read, or returned by `apply`) ends the replay and is
// returned.
Status ReplayJournal(const ShardLog& log, uint64_t from, const std::function<Status(const StoredRecord&)>& apply);

}  // namespace sluice::storage
