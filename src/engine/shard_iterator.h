// Shard iterator tokens: opaque, authenticated positions in a shard.
//
// A token is standard base64 of
//   u8 version (1) | u8 len, account | u8 len, region | u8 len, stream name |
//   i64 stream creation ms | u32 shard index | u64 offset | i64 issue ms |
//   32-byte HMAC-SHA256 of everything before it
// (integers big-endian; docs/engine-formats.md has a worked example). The
// HMAC key lives in `<data_dir>/iterator.key` so tokens survive restarts.
// A token is at most 512 characters for names within the service's limits.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "util/status.h"

namespace sluice::engine {

// What a token says: a position in one shard of one incarnation of a stream.
struct IteratorPosition {
  std::string account;
  std::string region;
  std::string stream_name;
  int64_t stream_creation_ms = 0;  // tells a recreated stream apart
  uint32_t shard_index = 0;
  uint64_t offset = 0;  // the next log offset to read
  int64_t issued_ms = 0;
};

constexpr size_t kIteratorKeySize = 32;
constexpr size_t kMaxIteratorTokenSize = 512;

// Signs and verifies tokens with one key. Immutable after construction, so
// every method may be called from any thread.
class IteratorCodec {
 public:
  using Key = std::array<unsigned char, kIteratorKeySize>;

  explicit IteratorCodec(const Key& key) : key_(key) {}

  // Loads the key from `key_path`, or creates it (RAND_bytes, written to a
  // temporary file, fsynced, renamed into place) when the file is missing.
  // An empty path yields a random in-memory key. Errors: IoError, Corruption
  // (a key file of the wrong size).
  static Result<IteratorCodec> Open(const std::string& key_path);

  // Encodes and signs `position`.
  std::string Encode(const IteratorPosition& position) const;

  // Verifies and decodes a token. Any malformed, wrong-length or tampered
  // token gives InvalidArgument "Invalid ShardIterator.". Expiry is checked
  // separately (CheckIteratorAge) so the caller decides what "now" is.
  Result<IteratorPosition> Decode(std::string_view token) const;

 private:
  Key key_;
};

// ExpiredIterator with the service's message when `issued_ms` is more than
// `ttl_ms` before `now_ms`; OK otherwise.
Status CheckIteratorAge(int64_t issued_ms, int64_t now_ms, int64_t ttl_ms);

// "Thu Jan 22 01:22:02 UTC 2015": the service's time format in messages.
std::string FormatServiceTime(int64_t epoch_ms);

}  // namespace sluice::engine
