#include "object_store/local_directory.h"

#include <sys/stat.h>

#include <string>
#include <vector>

#include "util/status.h"

namespace sluice::object_store {
namespace {

bool IsDirectory(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

std::string DirName(const std::string& path) { return path.substr(0, path.rfind('/')); }

Status CheckBucket(std::string_view bucket) {
  if (bucket.empty() || bucket == "." || bucket == ".." || bucket.find('/') != std::string_view::npos ||
      bucket.find('\0') != std::string_view::npos) {
    return Status::InvalidArgument("bucket name '" + std::string(bucket) + "' cannot be a directory");
  }
  return Status::Ok();
}

}  // namespace

std::string LocalBucketsPath(const std::string& data_dir) { return data_dir + "/s3"; }

Status CheckLocalKey(std::string_view key) {
  auto refuse = [&](const char* why) {
    return Status::InvalidArgument("object key '" + std::string(key) + "' " + why);
  };
  if (key.empty()) return refuse("is empty");
  if (key.front() == '/') return refuse("starts with '/'");
  if (key.find('\0') != std::string_view::npos) return refuse("contains NUL");
  size_t start = 0;
  while (true) {
    const size_t end = key.find('/', start);
    const std::string_view segment = key.substr(start, end == std::string_view::npos ? end : end - start);
    if (segment.empty()) return refuse("has an empty segment");
    if (segment == "." || segment == "..") return refuse("has a '.' or '..' segment");
    if (end == std::string_view::npos) return Status::Ok();
    start = end + 1;
  }
}

LocalDirectory::LocalDirectory(std::string root, storage::Env* env) : root_(std::move(root)), env_(env) {}

std::string LocalDirectory::PathOf(std::string_view bucket, std::string_view key) const {
  std::string path = root_;
  path += '/';
  path += bucket;
  path += '/';
  path += key;
  return path;
}

std::string LocalDirectory::Describe() const { return "directory " + root_; }

Status LocalDirectory::Put(std::string_view bucket, std::string_view key, std::string_view body,
                           const PutOptions& /*options*/) {
  SLUICE_RETURN_IF_ERROR(CheckBucket(bucket));
  SLUICE_RETURN_IF_ERROR(CheckLocalKey(key));
  const std::string path = PathOf(bucket, key);
  const std::string dir = DirName(path);

  // Directories made now are durable only once their parents are synced:
  // note the deepest one that already exists.
  std::string existing = dir;
  while (!IsDirectory(existing) && existing.size() > 1 && existing.find('/') != std::string::npos) {
    existing = DirName(existing);
  }
  SLUICE_RETURN_IF_ERROR(env_->CreateDirs(dir));

  // Short, so that a long object name still leaves room in the 255 bytes a
  // file name may hold; unique within the one process the data dir has.
  const std::string temporary =
      dir + "/.sluice-tmp-" + std::to_string(next_temporary_.fetch_add(1, std::memory_order_relaxed));
  Status written = env_->WriteFile(temporary, body, /*sync=*/true);
  if (written.ok()) written = env_->Rename(temporary, path);
  if (!written.ok()) {
    (void)env_->RemoveFile(temporary);  // best effort: the failure is what matters
    return written;
  }
  SLUICE_RETURN_IF_ERROR(env_->SyncDir(dir));
  // Sync each directory made now in its parent, deepest first.
  for (std::string made = dir; made.size() > existing.size(); made = DirName(made)) {
    SLUICE_RETURN_IF_ERROR(env_->SyncDir(DirName(made)));
  }
  return Status::Ok();
}

}  // namespace sluice::object_store
