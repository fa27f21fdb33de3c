// Where channels put what they deliver: buckets of whole objects, written
// by key. Two implementations: a local directory (the embedded default,
// object_store/local_directory.h) and an S3-compatible server spoken to
// with the S3 REST API (object_store/s3_client.h).
//
// Contract: Put replaces any object of the same key, so a retried Put of the
// same key and body leaves one object. It returns OK only once the object is
// durable (local: file and directory synced) or the server acknowledged it
// (S3: a 2xx answer). A failed Put leaves either the old object, nothing, or
// the whole new object, never a partial one.
//
// Threading: Put may be called from any number of threads.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "util/status.h"

namespace sluice::object_store {

struct PutOptions {
  std::string content_type = "application/octet-stream";
  std::string content_encoding;               // "" | "gzip" | "zstd"
  std::optional<std::string> storage_class;   // S3's x-amz-storage-class
  std::optional<std::string> expected_owner;  // S3's x-amz-expected-bucket-owner
};

class ObjectStore {
 public:
  virtual ~ObjectStore() = default;

  // Errors: ResourceNotFound (no such bucket), AccessDenied, IoError (disk,
  // or a server error worth retrying), ConnectionFailed / TimedOut (network),
  // InvalidArgument (a key the store cannot hold).
  virtual Status Put(std::string_view bucket, std::string_view key, std::string_view body,
                     const PutOptions& options) = 0;

  // For log lines and the console: "directory <path>" or "s3 <endpoint>".
  virtual std::string Describe() const = 0;
};

}  // namespace sluice::object_store
