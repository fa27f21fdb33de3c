// LocalDirectory: the embedded object store, a bucket per directory:
// object `key` of `bucket` is the file <root>/<bucket>/<key>, where the
// key's '/' separate directories, made as needed (buckets too: there is
// nothing to create first).
//
// Put writes `<dir>/.sluice-tmp-<n>`, fsyncs it, renames it over the
// object's file and fsyncs the directory (and the parents of any directory
// it made), so a crash leaves the old object, nothing, or the whole new one.
// The options (content type, encoding, storage class, owner) are not kept:
// a file has only its bytes.
//
// Errors: InvalidArgument for a bucket or key a directory cannot hold
// faithfully (empty, a leading '/', an empty, "." or ".." segment, a NUL;
// a bucket containing '/'); IoError from the file system.
//
// Threading: Put is thread-safe; concurrent Puts of one key leave one of
// the bodies whole.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>

#include "object_store/object_store.h"
#include "storage/env.h"

namespace sluice::object_store {

// <data_dir>/s3
std::string LocalBucketsPath(const std::string& data_dir);

class LocalDirectory final : public ObjectStore {
 public:
  // `root` holds one directory per bucket. `env` must outlive the store.
  explicit LocalDirectory(std::string root, storage::Env* env = storage::Env::Default());

  Status Put(std::string_view bucket, std::string_view key, std::string_view body, const PutOptions& options) override;
  std::string Describe() const override;

  // The file that holds `key` of `bucket` (no check of either).
  std::string PathOf(std::string_view bucket, std::string_view key) const;

 private:
  const std::string root_;
  storage::Env* const env_;
  std::atomic<uint64_t> next_temporary_{0};
};

// OK when `key` is a key LocalDirectory can hold; InvalidArgument naming the
// fault otherwise.
Status CheckLocalKey(std::string_view key);

}  // namespace sluice::object_store
