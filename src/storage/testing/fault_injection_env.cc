#include "storage/testing/fault_injection_env.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

namespace sluice::storage {
namespace {

std::string DirOf(const std::string& path) {
  return std::filesystem::path(path).parent_path().lexically_normal().string();
}

std::string Normal(const std::string& dir) {
  std::string normal = std::filesystem::path(dir).lexically_normal().string();
  while (normal.size() > 1 && normal.back() == '/') normal.pop_back();
  return normal;
}

bool Exists(const std::string& path) {
  std::error_code ec;
  return std::filesystem::exists(path, ec);
}

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

FaultInjectionEnv::FaultInjectionEnv(Env* base) : base_(base) {}

void FaultInjectionEnv::FailNext(FaultOp op, int err, std::string path_suffix) {
  FailAfter(op, 0, err, std::move(path_suffix));
}

void FaultInjectionEnv::FailAfter(FaultOp op, uint64_t calls, int err, std::string path_suffix) {
  std::lock_guard<std::mutex> lock(mu_);
  faults_.push_back(Fault{op, std::move(path_suffix), calls, err, /*power_off=*/false});
}

void FaultInjectionEnv::PowerOffAt(FaultOp op, uint64_t calls, std::string path_suffix) {
  std::lock_guard<std::mutex> lock(mu_);
  faults_.push_back(Fault{op, std::move(path_suffix), calls, EIO, /*power_off=*/true});
}

void FaultInjectionEnv::ClearFaults() {
  std::lock_guard<std::mutex> lock(mu_);
  faults_.clear();
}

uint64_t FaultInjectionEnv::FailuresInjected() const {
  std::lock_guard<std::mutex> lock(mu_);
  return injected_;
}

void FaultInjectionEnv::SetPowerOn(bool on) {
  std::lock_guard<std::mutex> lock(mu_);
  power_on_ = on;
}

Status FaultInjectionEnv::CheckLocked(FaultOp op, const std::string& path, const char* what) {
  if (!power_on_) {
    return Status::IoError(std::string(what) + " " + path + ": " + std::strerror(EIO));
  }
  for (auto it = faults_.begin(); it != faults_.end(); ++it) {
    if (it->op != op || !EndsWith(path, it->suffix)) continue;
    if (it->skip > 0) {
      --it->skip;
      continue;
    }
    const int err = it->err;
    if (it->power_off) power_on_ = false;
    faults_.erase(it);
    ++injected_;
    return Status::IoError(std::string(what) + " " + path + ": " + std::strerror(err));
  }
  return Status::Ok();
}

Result<std::string> FaultInjectionEnv::ReadRange(const std::string& path, uint64_t pos, uint64_t n) const {
  SLUICE_ASSIGN_OR_RETURN(int fd, base_->Open(path, OpenMode::kRead));
  auto size = base_->Size(fd, path);
  std::string bytes;
  if (size.ok() && *size > pos) bytes.resize(static_cast<size_t>(std::min(n, *size - pos)));
  auto got = base_->Read(fd, bytes.data(), bytes.size(), pos, path);
  base_->Close(fd);
  if (!size.ok()) return size.status();
  if (!got.ok()) return got.status();
  bytes.resize(*got);
  return bytes;
}

Status FaultInjectionEnv::RecordUndoLocked(int fd, const std::string& path, uint64_t pos, uint64_t n) {
  SLUICE_ASSIGN_OR_RETURN(uint64_t size, base_->Size(fd, path));
  Undo undo{size, pos, ""};
  if (pos < size) {
    SLUICE_ASSIGN_OR_RETURN(undo.old_bytes, ReadRange(path, pos, n));
  }
  unsynced_[path].push_back(std::move(undo));
  return Status::Ok();
}

Result<int> FaultInjectionEnv::Open(const std::string& path, OpenMode mode) {
  if (mode == OpenMode::kRead) return base_->Open(path, mode);
  std::lock_guard<std::mutex> lock(mu_);
  SLUICE_RETURN_IF_ERROR(CheckLocked(FaultOp::kCreate, path, "open"));
  const bool existed = Exists(path);
  Undo emptied{0, 0, ""};
  if (existed && mode == OpenMode::kTruncate) {
    SLUICE_ASSIGN_OR_RETURN(emptied.old_bytes, ReadRange(path, 0, UINT64_MAX));
    emptied.old_size = emptied.old_bytes.size();
  }
  SLUICE_ASSIGN_OR_RETURN(int fd, base_->Open(path, mode));
  if (!existed) {
    entries_.push_back(EntryChange{DirOf(path), path, "", false, ""});
  } else if (mode == OpenMode::kTruncate && emptied.old_size > 0) {
    unsynced_[path].push_back(std::move(emptied));
  }
  return fd;
}

void FaultInjectionEnv::Close(int fd) { base_->Close(fd); }

Status FaultInjectionEnv::Write(int fd, const char* data, size_t n, uint64_t pos, const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  Status fault = CheckLocked(FaultOp::kWrite, path, "write");
  if (!fault.ok() && !power_on_) return fault;
  SLUICE_RETURN_IF_ERROR(RecordUndoLocked(fd, path, pos, n));
  if (!fault.ok()) {
    // Cut short, as by a full disk: part of the bytes reach the file.
    (void)base_->Write(fd, data, n / 2, pos, path);
    return fault;
  }
  return base_->Write(fd, data, n, pos, path);
}

Result<size_t> FaultInjectionEnv::Read(int fd, char* dst, size_t n, uint64_t pos, const std::string& path) const {
  return base_->Read(fd, dst, n, pos, path);
}

Status FaultInjectionEnv::Sync(int fd, const std::string& path) {
  size_t covered;
  {
    std::lock_guard<std::mutex> lock(mu_);
    SLUICE_RETURN_IF_ERROR(CheckLocked(FaultOp::kSync, path, "fdatasync"));
    covered = unsynced_[path].size();
  }
  // Unlocked: writes go on during the sync, and stay unsynced.
  SLUICE_RETURN_IF_ERROR(base_->Sync(fd, path));
  std::lock_guard<std::mutex> lock(mu_);
  auto it = unsynced_.find(path);
  if (it != unsynced_.end()) {
    std::vector<Undo>& undo = it->second;
    undo.erase(undo.begin(), undo.begin() + static_cast<ptrdiff_t>(std::min(covered, undo.size())));
  }
  return Status::Ok();
}

Status FaultInjectionEnv::Truncate(int fd, uint64_t size, const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  SLUICE_RETURN_IF_ERROR(CheckLocked(FaultOp::kTruncate, path, "truncate"));
  SLUICE_RETURN_IF_ERROR(RecordUndoLocked(fd, path, size, UINT64_MAX));
  return base_->Truncate(fd, size, path);
}

Result<uint64_t> FaultInjectionEnv::Size(int fd, const std::string& path) const { return base_->Size(fd, path); }

Status FaultInjectionEnv::CreateDirs(const std::string& dir) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!power_on_) return Status::IoError("create directory " + dir + ": " + std::strerror(EIO));
  }
  return base_->CreateDirs(dir);
}

Status FaultInjectionEnv::SyncDir(const std::string& dir) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    SLUICE_RETURN_IF_ERROR(CheckLocked(FaultOp::kSyncDir, dir, "fsync directory"));
  }
  SLUICE_RETURN_IF_ERROR(base_->SyncDir(dir));
  std::lock_guard<std::mutex> lock(mu_);
  const std::string normal = Normal(dir);
  std::erase_if(entries_, [&](const EntryChange& e) { return e.dir == normal; });
  return Status::Ok();
}

Result<std::vector<std::string>> FaultInjectionEnv::ListDir(const std::string& dir) const {
  return base_->ListDir(dir);
}

Status FaultInjectionEnv::Rename(const std::string& from, const std::string& to) {
  std::lock_guard<std::mutex> lock(mu_);
  SLUICE_RETURN_IF_ERROR(CheckLocked(FaultOp::kRename, to, "rename"));
  EntryChange change{DirOf(to), to, from, Exists(to), ""};
  if (change.replaced) {
    SLUICE_ASSIGN_OR_RETURN(change.replaced_bytes, ReadRange(to, 0, UINT64_MAX));
  }
  SLUICE_RETURN_IF_ERROR(base_->Rename(from, to));
  // The file's unsynced changes go with it; the replaced file's are moot.
  unsynced_.erase(to);
  if (auto it = unsynced_.find(from); it != unsynced_.end()) {
    unsynced_[to] = std::move(it->second);
    unsynced_.erase(from);
  }
  entries_.push_back(std::move(change));
  return Status::Ok();
}

Status FaultInjectionEnv::RemoveFile(const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!power_on_) return Status::IoError("unlink " + path + ": " + std::strerror(EIO));
  unsynced_.erase(path);
  return base_->RemoveFile(path);
}

Status FaultInjectionEnv::RemoveAll(const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!power_on_) return Status::IoError("remove " + path + ": " + std::strerror(EIO));
  const std::string prefix = Normal(path) + "/";
  std::erase_if(unsynced_, [&](const auto& entry) {
    return entry.first == path || entry.first.compare(0, prefix.size(), prefix) == 0;
  });
  return base_->RemoveAll(path);
}

Status FaultInjectionEnv::DropUnsyncedData() {
  std::lock_guard<std::mutex> lock(mu_);
  // File contents first, at the names they have now, newest change first.
  for (auto& [path, undo] : unsynced_) {
    if (undo.empty() || !Exists(path)) continue;
    SLUICE_ASSIGN_OR_RETURN(int fd, base_->Open(path, OpenMode::kReadWrite));
    Status s;
    for (auto it = undo.rbegin(); it != undo.rend() && s.ok(); ++it) {
      if (!it->old_bytes.empty()) {
        s = base_->Write(fd, it->old_bytes.data(), it->old_bytes.size(), it->position, path);
      }
      if (s.ok()) s = base_->Truncate(fd, it->old_size, path);
    }
    base_->Close(fd);
    SLUICE_RETURN_IF_ERROR(s);
  }
  unsynced_.clear();
  // Then the directory entries, newest first.
  for (auto it = entries_.rbegin(); it != entries_.rend(); ++it) {
    if (it->from.empty()) {
      SLUICE_RETURN_IF_ERROR(base_->RemoveFile(it->path));
      continue;
    }
    SLUICE_RETURN_IF_ERROR(base_->Rename(it->path, it->from));
    if (it->replaced) SLUICE_RETURN_IF_ERROR(base_->WriteFile(it->path, it->replaced_bytes, true));
  }
  entries_.clear();
  return Status::Ok();
}

}  // namespace sluice::storage
