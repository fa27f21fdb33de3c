// LeaderEpochHistory: which leader epoch appended which stretch of a shard's
// log, as (epoch, start offset) pairs in increasing order of both, after
// Kafka's leader-epoch-checkpoint. An epoch's records run from its start to
// the next entry's start (the log end for the last). The replication logic
// (replica_log.h) adds an entry when a leader of a new epoch appends (and a
// follower copies it), answers a follower's divergence check from it, and
// cuts it when the log is truncated.
//
// Persistence: one small file per shard (`leader-epochs` in the shard's
// folder), a storage::MetadataStore document (magic, version, CRC32C, then
// the payload; replaced atomically: written beside, fsynced, renamed over,
// directory fsynced), so a crash leaves the old or the new history. Payload:
//   u32 count, then count x { i64 epoch, u64 start_offset }, little-endian.
// Every change is saved before the call returns.
//
// Threading: not thread-safe; its owner (one ReplicaLog) serializes calls.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "storage/env.h"
#include "storage/metadata_store.h"
#include "util/status.h"

namespace sluice::cluster {

inline constexpr const char* kLeaderEpochFileName = "leader-epochs";

struct EpochStart {
  int64_t epoch = 0;
  uint64_t start_offset = 0;
  bool operator==(const EpochStart&) const = default;
};

// The answer to "where does epoch E end?" (Kafka's OffsetsForLeaderEpoch).
struct EpochEnd {
  int64_t epoch = 0;        // the largest epoch in the history <= the one asked (0: none)
  uint64_t end_offset = 0;  // where its records end: the next epoch's start, or the log end
};

class LeaderEpochHistory {
 public:
  // Loads the history of the shard folder `dir` (empty when it has none);
  // `in_memory` keeps it in memory only. `env` must outlive the history.
  // Errors: Corruption (checksum, or entries out of order), IoError.
  static Result<std::unique_ptr<LeaderEpochHistory>> Open(const std::string& dir, bool in_memory,
                                                          storage::Env* env = storage::Env::Default());

  // Records that `epoch` appends from `start_offset`. The latest epoch again
  // is a no-op. Errors: InvalidArgument for an epoch older than the latest or
  // a start below the latest entry's; IoError (the history is then unchanged).
  Status Assign(int64_t epoch, uint64_t start_offset);
  // Drops every entry starting at or past `end_offset` (the log was truncated
  // there). Errors: IoError (the history is then unchanged).
  Status TruncateTo(uint64_t end_offset);

  // The latest epoch, 0 when empty.
  int64_t LatestEpoch() const;
  // The epoch that appended the record at `offset` (0 when no entry covers it).
  int64_t EpochAt(uint64_t offset) const;
  // Where the start of `epoch`'s records is; 0 when it is not in the history.
  uint64_t StartOf(int64_t epoch) const;
  // The largest epoch <= `epoch` and where its records end in a log ending at `log_end`.
  EpochEnd EndOf(int64_t epoch, uint64_t log_end) const;

  const std::vector<EpochStart>& entries() const { return entries_; }

 private:
  LeaderEpochHistory(std::unique_ptr<storage::MetadataStore> store, std::vector<EpochStart> entries);
  Status Save(std::vector<EpochStart> next);

  std::unique_ptr<storage::MetadataStore> store_;
  std::vector<EpochStart> entries_;
};

}  // namespace sluice::cluster
