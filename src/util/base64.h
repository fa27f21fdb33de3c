// Standard base64 (RFC 4648 alphabet, '=' padding), strict on input in the
// way the Kinesis service is: a length that is not a multiple of 4, a
// character outside the alphabet, or non-zero unused bits in the last
// character are errors.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace sluice::base64 {

inline size_t EncodedSize(size_t n) { return (n + 2) / 3 * 4; }

// Writes EncodedSize(n) bytes at `out`. Returns the pointer past them.
char* Encode(const void* data, size_t n, char* out);
std::string Encode(std::string_view data);

enum class DecodeError {
  kNone,
  kLength,         // length not a multiple of 4
  kCharacter,      // character outside the alphabet (see `bad_char`)
  kLastCharacter,  // last non-pad character has unused bits set
};

struct DecodeResult {
  DecodeError error = DecodeError::kNone;
  char bad_char = 0;
};

// Upper bound of the decoded size of `n` base64 characters.
inline size_t MaxDecodedSize(size_t n) { return n / 4 * 3; }

// Decodes `in` to `out` (which must have MaxDecodedSize(in.size()) bytes).
// On success sets *out_len to the decoded length.
DecodeResult Decode(std::string_view in, char* out, size_t* out_len);

// Convenience: decodes into a string; returns false on any error.
bool Decode(std::string_view in, std::string* out);

}  // namespace sluice::base64
