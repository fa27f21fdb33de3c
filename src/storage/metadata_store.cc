#include "storage/metadata_store.h"

#include <cstring>

#include "storage/coding.h"
#include "storage/log_format.h"
#include "util/crc32c.h"

namespace sluice::storage {
namespace {

std::string DirName(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

}  // namespace

MetadataStore::MetadataStore(std::string path, bool in_memory, Env* env)
    : path_(std::move(path)), in_memory_(in_memory), env_(env) {}

Result<std::optional<std::string>> MetadataStore::Load() const {
  std::lock_guard<std::mutex> lock(mu_);
  if (in_memory_) {
    if (!has_memory_) return std::optional<std::string>();
    return std::optional<std::string>(memory_);
  }
  auto contents = env_->ReadFile(path_);
  if (!contents.ok()) {
    if (contents.status().code() == ErrorCode::kResourceNotFound) {
      return std::optional<std::string>();
    }
    return contents.status();
  }
  const std::string& bytes = *contents;
  if (bytes.size() < kMetadataHeaderSize || std::memcmp(bytes.data(), kMetadataMagic, sizeof(kMetadataMagic)) != 0) {
    return Status::Corruption("metadata file " + path_ + " has a bad header");
  }
  uint32_t version = coding::GetFixed32(bytes.data() + 4);
  if (version != kMetadataFormatVersion) {
    return Status::Corruption("metadata file " + path_ + " has unknown version " + std::to_string(version));
  }
  uint32_t crc = coding::GetFixed32(bytes.data() + 8);
  uint64_t length = coding::GetFixed64(bytes.data() + 12);
  if (length != bytes.size() - kMetadataHeaderSize) {
    return Status::Corruption("metadata file " + path_ + " has the wrong length");
  }
  if (crc32c::Value(bytes.data() + kMetadataHeaderSize, length) != crc) {
    return Status::Corruption("metadata file " + path_ + " fails its checksum");
  }
  return std::optional<std::string>(bytes.substr(kMetadataHeaderSize));
}

Status MetadataStore::Save(std::string_view document) {
  std::lock_guard<std::mutex> lock(mu_);
  if (in_memory_) {
    memory_.assign(document);
    has_memory_ = true;
    return Status::Ok();
  }
  std::string bytes(kMetadataHeaderSize, '\0');
  std::memcpy(bytes.data(), kMetadataMagic, sizeof(kMetadataMagic));
  coding::PutFixed32(bytes.data() + 4, kMetadataFormatVersion);
  coding::PutFixed32(bytes.data() + 8, crc32c::Value(document.data(), document.size()));
  coding::PutFixed64(bytes.data() + 12, document.size());
  bytes.append(document);

  const std::string tmp = path_ + ".tmp";
  SLUICE_RETURN_IF_ERROR(env_->WriteFile(tmp, bytes, /*sync=*/true));
  SLUICE_RETURN_IF_ERROR(env_->Rename(tmp, path_));
  return env_->SyncDir(DirName(path_));
}

}  // namespace sluice::storage
