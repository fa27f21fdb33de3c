// Big-endian fields of the engine's own binary documents: the metadata
// document (metadata_codec) and the account document (account_store), both
// described in docs/engine-formats.md. Strings are a u32 length and bytes.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "util/hash_key.h"

namespace sluice::engine {

class ByteWriter {
 public:
  explicit ByteWriter(std::string* out) : out_(out) {}
  void U8(uint8_t v) { out_->push_back(static_cast<char>(v)); }
  void U32(uint32_t v) {
    for (int s = 24; s >= 0; s -= 8) out_->push_back(static_cast<char>(v >> s));
  }
  void U64(uint64_t v) {
    for (int s = 56; s >= 0; s -= 8) out_->push_back(static_cast<char>(v >> s));
  }
  void I32(int32_t v) { U32(static_cast<uint32_t>(v)); }
  void I64(int64_t v) { U64(static_cast<uint64_t>(v)); }
  void Key128(HashKey v) {
    U64(static_cast<uint64_t>(v >> 64));
    U64(static_cast<uint64_t>(v));
  }
  void Str(std::string_view s) {
    U32(static_cast<uint32_t>(s.size()));
    out_->append(s);
  }

 private:
  std::string* out_;
};

// Reads fields until one runs past the end; from then on ok() is false and
// every read yields zero or empty, so a decoder checks ok() once per record.
class ByteReader {
 public:
  explicit ByteReader(std::string_view in) : in_(in) {}
  bool ok() const { return ok_; }
  size_t remaining() const { return in_.size(); }
  bool empty() const { return in_.empty(); }
  uint8_t U8() { return static_cast<uint8_t>(Take(1)); }
  uint32_t U32() { return static_cast<uint32_t>(Take(4)); }
  uint64_t U64() { return Take(8); }
  int32_t I32() { return static_cast<int32_t>(U32()); }
  int64_t I64() { return static_cast<int64_t>(U64()); }
  HashKey Key128() {
    HashKey hi = U64();
    return (hi << 64) | U64();
  }
  std::string Str() { return std::string(Bytes(U32())); }
  std::string_view Bytes(size_t n) {
    if (!ok_ || in_.size() < n) {
      ok_ = false;
      return {};
    }
    std::string_view v = in_.substr(0, n);
    in_.remove_prefix(n);
    return v;
  }

 private:
  uint64_t Take(size_t n) {
    uint64_t v = 0;
    for (char c : Bytes(n)) v = (v << 8) | static_cast<unsigned char>(c);
    return v;
  }

  std::string_view in_;
  bool ok_ = true;
};

}  // namespace sluice::engine
