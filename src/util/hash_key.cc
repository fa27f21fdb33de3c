#include "util/hash_key.h"

#include <openssl/md5.h>

#include <algorithm>

namespace sluice {

std::string HashKeyToString(HashKey key) {
  if (key == 0) return "0";
  char buf[40];
  int pos = 40;
  while (key != 0) {
    buf[--pos] = static_cast<char>('0' + static_cast<int>(key % 10));
    key /= 10;
  }
  return std::string(buf + pos, 40 - pos);
}

Result<HashKey> ParseHashKey(std::string_view digits) {
  if (digits.empty()) return Status::InvalidArgument("hash key is empty");
  HashKey v = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return Status::InvalidArgument("hash key has a non-digit: " + std::string(digits));
    HashKey d = static_cast<HashKey>(c - '0');
    if (v > (kMaxHashKey - d) / 10) {
      return Status::InvalidArgument("hash key is 2^128 or more: " + std::string(digits));
    }
    v = v * 10 + d;
  }
  return v;
}

HashKey HashKeyForPartitionKey(std::string_view partition_key) {
  unsigned char digest[MD5_DIGEST_LENGTH];
  // MD5() is deprecated in OpenSSL 3 in favour of EVP, but it is the fastest
  // entry point for one-shot hashing of short keys and remains supported.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
  MD5(reinterpret_cast<const unsigned char*>(partition_key.data()), partition_key.size(), digest);
#pragma GCC diagnostic pop
  HashKey v = 0;
  for (unsigned char b : digest) v = (v << 8) | b;
  return v;
}

}  // namespace sluice
