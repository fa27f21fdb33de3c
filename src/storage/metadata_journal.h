// MetadataJournal: a small document kept as a snapshot plus a journal of
// changes since it, so that a change costs one appended record and one
// fsync, whatever the document holds (after leveldb's MANIFEST: a base and
// the edits since).
//
// Files (byte layout in docs/engine-formats.md, "Metadata journal"):
//   <path>          the snapshot: a storage::MetadataStore document, written
//                   whole and replaced atomically only by Compact();
//   <path>.journal  the records appended since: each CRC32C-framed,
//                   record := crc u32 | length u32 | payload[length],
//                   little-endian, crc over the length field and payload.
// The records are opaque here; their owner gives them meaning and must make
// replaying them over a snapshot that already holds their effect harmless
// (a crash between Compact()'s two steps replays the whole journal over the
// new snapshot).
//
// Recovery: Load() reads records up to the first that is cut short or fails
// its checksum, and cuts the file there, as the shard log's recovery cuts a
// torn batch: only the last append of a crash can be torn, and it was never
// acknowledged. A record failing its checksum with more bytes after it is
// Corruption (damage, not a torn append).
//
// Threading: not thread-safe; the owner serialises calls (the engine holds
// its control lock).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "storage/env.h"
#include "storage/metadata_store.h"
#include "util/status.h"

namespace sluice::storage {

// The framing of one journal record.
inline constexpr size_t kJournalRecordHeaderSize = 8;  // crc u32 | length u32
// Largest record accepted when reading: guards against a corrupt length.
inline constexpr uint32_t kMaxJournalRecordBytes = 64u << 20;

class MetadataJournal {
 public:
  // The journal is compacted once it is this many times the snapshot's size
  // (and at least kMinCompactBytes): each change then costs O(1) amortised.
  static constexpr uint64_t kCompactRatio = 4;
  static constexpr uint64_t kMinCompactBytes = 256 << 10;

  struct Contents {
    std::optional<std::string> snapshot;  // nullopt when none was ever written
    std::vector<std::string> records;     // in append order
  };

  // `path` names the snapshot; the journal is `path` + ".journal".
  // `in_memory` keeps nothing on disk. `env` must outlive the journal.
  MetadataJournal(std::string path, bool in_memory, Env* env = Env::Default());
  ~MetadataJournal();
  MetadataJournal(const MetadataJournal&) = delete;
  MetadataJournal& operator=(const MetadataJournal&) = delete;

  // Reads the snapshot and the journal, cutting a torn tail (logged), and
  // opens the journal for appending. Call once, before anything else.
  // Corruption when the snapshot fails its checksum.
  Result<Contents> Load();
  // Appends `records` with one write and one fsync. On IoError none of them
  // counts: the journal's end stays where it was (the next append overwrites
  // whatever part was written, and a crash leaves a tail Load() cuts).
  Status Append(const std::vector<std::string>& records);
  // True when the journal has grown past kCompactRatio times the snapshot.
  bool CompactionDue() const;
  // Replaces the snapshot with `snapshot` (atomically, durably), then
  // empties the journal. The caller's `snapshot` must hold the effect of
  // every record appended so far.
  Status Compact(std::string_view snapshot);

  uint64_t journal_bytes() const { return journal_bytes_; }
  uint64_t snapshot_bytes() const { return snapshot_bytes_; }
  const std::string& journal_path() const { return journal_path_; }

 private:
  MetadataStore snapshot_store_;
  std::string journal_path_;
  bool in_memory_;
  Env* const env_;
  int fd_ = -1;  // the journal, open for appending after Load()
  uint64_t journal_bytes_ = 0;
  uint64_t snapshot_bytes_ = 0;
};

}  // namespace sluice::storage
