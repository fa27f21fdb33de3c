// MetadataStore: one small document (the engine's metadata snapshot) kept
// durably and replaced atomically.
//
// File format (docs/log-format.md, "Metadata file"): magic "SLMD", u32 version,
// u32 CRC32C of the payload, u64 payload length, payload. Save() writes
// `<name>.tmp`, fsyncs it, renames it over `<name>`, and fsyncs the directory,
// so a crash leaves either the old or the new document, never a mix.
#pragma once

#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "storage/env.h"
#include "util/status.h"

namespace sluice::storage {

class MetadataStore {
 public:
  // `path` is the document's file; `in_memory` keeps it in memory only.
  // Files are read and written through `env`, which must outlive the store.
  MetadataStore(std::string path, bool in_memory, Env* env = Env::Default());

  // Returns the document, nullopt when none was ever saved, or Corruption if
  // the file fails its checksum.
  Result<std::optional<std::string>> Load() const;
  // Replaces the document atomically and durably. Thread-safe. On IoError
  // the document is the old one or the new one (as a crash would leave it):
  // a failed rename leaves the old one in place.
  Status Save(std::string_view document);

 private:
  mutable std::mutex mu_;  // serializes Save() and in-memory access
  std::string path_;
  bool in_memory_;
  Env* const env_;
  std::string memory_;
  bool has_memory_ = false;
};

}  // namespace sluice::storage
