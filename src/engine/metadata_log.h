// MetadataLog: the engine's stream metadata on disk, as a snapshot (the
// metadata document of engine/metadata_codec.h) and a journal of changes
// since it (storage::MetadataJournal), so that creating, changing or
// deleting a stream costs one appended record and one fsync however many
// streams there are. Byte layout in docs/engine-formats.md ("Metadata
// journal").
//
// A change is a put (the stream's whole record) or a delete, keyed by
// (account, region, name): one key per stream (engine/stream_catalog.h, the
// interface it implements; a cluster keeps the same records in etcd). Replaying a put or a delete twice leaves
// what replaying it once does, which makes a crash inside a compaction
// harmless. Data directories written before the journal hold only the
// document: it loads as the snapshot, and the first change starts the
// journal beside it.
//
// Threading: not thread-safe; the engine calls it under its control lock.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "engine/stream_catalog.h"
#include "engine/stream_meta.h"
#include "engine/stream_table.h"
#include "storage/env.h"
#include "storage/metadata_journal.h"
#include "util/status.h"

namespace sluice::engine {

class MetadataLog final : public StreamCatalog {
 public:
  // `path` is the document's file; the journal is beside it. `in_memory`
  // keeps nothing on disk. `env` must outlive the log.
  MetadataLog(std::string path, bool in_memory, storage::Env* env = storage::Env::Default());

  // Every stream, in key order: the snapshot with the journal replayed over
  // it. nullopt when there is no snapshot (nothing was ever saved, or it was
  // lost: then journal().journal_bytes() tells whether changes were made).
  // Call once, before any change.
  // Corruption when the snapshot or a whole journal record does not decode.
  Result<std::optional<std::vector<StreamMeta>>> Load() override;
  // Writes an empty snapshot (a new data directory), so that a missing one
  // always means a lost one.
  Status Init() override;
  // Saves each stream's metadata (one record each, one write and one fsync
  // for all), then compacts when the journal has grown enough (a failed
  // compaction is logged; the journal stays whole and it is retried).
  Status Put(const std::vector<const StreamMeta*>& streams) override;
  using StreamCatalog::Put;
  // Saves the stream's removal (a no-op record when it was never saved).
  Status Erase(const StreamKey& key) override;

  size_t stream_count() const { return saved_.size(); }
  const storage::MetadataJournal& journal() const { return journal_; }

 private:
  void MaybeCompact();

  storage::MetadataJournal journal_;
  std::map<StreamKey, std::string> saved_;  // each stream's record, as saved
};

}  // namespace sluice::engine
