#include "util/base64.h"

#include <array>
#include <cstdint>

namespace sluice::base64 {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

constexpr std::array<int8_t, 256> MakeDecodeTable() {
  std::array<int8_t, 256> t{};
  for (auto& v : t) v = -1;
  for (int i = 0; i < 64; ++i) t[static_cast<uint8_t>(kAlphabet[i])] = static_cast<int8_t>(i);
  return t;
}
constexpr auto kDecode = MakeDecodeTable();

// Two output characters per input byte pair lookup would be faster still; a
// 12-bit table keeps the encoder branch-free and fits in L1.
struct PairTable {
  std::array<uint16_t, 4096> t{};
  PairTable() {
    for (int i = 0; i < 4096; ++i) {
      t[i] = static_cast<uint16_t>(static_cast<uint8_t>(kAlphabet[i >> 6]) |
                                   (static_cast<uint8_t>(kAlphabet[i & 63]) << 8));
    }
  }
};
const PairTable& Pairs() {
  static const PairTable p;
  return p;
}

}  // namespace

char* Encode(const void* data, size_t n, char* out) {
  const auto* p = static_cast<const uint8_t*>(data);
  const auto& pairs = Pairs().t;
  size_t i = 0;
  for (; i + 3 <= n; i += 3) {
    uint32_t v = (uint32_t{p[i]} << 16) | (uint32_t{p[i + 1]} << 8) | p[i + 2];
    uint16_t a = pairs[v >> 12];
    uint16_t b = pairs[v & 0xfff];
    out[0] = static_cast<char>(a & 0xff);
    out[1] = static_cast<char>(a >> 8);
    out[2] = static_cast<char>(b & 0xff);
    out[3] = static_cast<char>(b >> 8);
    out += 4;
  }
  size_t rest = n - i;
  if (rest == 1) {
    uint32_t v = uint32_t{p[i]} << 16;
    out[0] = kAlphabet[(v >> 18) & 63];
    out[1] = kAlphabet[(v >> 12) & 63];
    out[2] = '=';
    out[3] = '=';
    out += 4;
  } else if (rest == 2) {
    uint32_t v = (uint32_t{p[i]} << 16) | (uint32_t{p[i + 1]} << 8);
    out[0] = kAlphabet[(v >> 18) & 63];
    out[1] = kAlphabet[(v >> 12) & 63];
    out[2] = kAlphabet[(v >> 6) & 63];
    out[3] = '=';
    out += 4;
  }
  return out;
}

std::string Encode(std::string_view data) {
  std::string s(EncodedSize(data.size()), '\0');
  Encode(data.data(), data.size(), s.data());
  return s;
}

DecodeResult Decode(std::string_view in, char* out, size_t* out_len) {
  DecodeResult r;
  size_t n = in.size();
  if (n % 4 != 0) {
    r.error = DecodeError::kLength;
    return r;
  }
  size_t pad = 0;
  if (n >= 1 && in[n - 1] == '=') ++pad;
  if (n >= 2 && in[n - 2] == '=') ++pad;
  const auto* s = reinterpret_cast<const uint8_t*>(in.data());
  size_t full = n - pad;
  auto* o = reinterpret_cast<uint8_t*>(out);
  size_t i = 0;
  // Fast path: whole quads without padding.
  size_t quads_end = (pad == 0) ? n : n - 4;
  for (; i < quads_end; i += 4) {
    int a = kDecode[s[i]], b = kDecode[s[i + 1]], c = kDecode[s[i + 2]], d = kDecode[s[i + 3]];
    if ((a | b | c | d) < 0) {
      for (size_t k = i; k < i + 4; ++k) {
        if (kDecode[s[k]] < 0) {
          r.error = DecodeError::kCharacter;
          r.bad_char = static_cast<char>(s[k]);
          return r;
        }
      }
    }
    uint32_t v = (uint32_t(a) << 18) | (uint32_t(b) << 12) | (uint32_t(c) << 6) | uint32_t(d);
    o[0] = static_cast<uint8_t>(v >> 16);
    o[1] = static_cast<uint8_t>(v >> 8);
    o[2] = static_cast<uint8_t>(v);
    o += 3;
  }
  if (pad > 0) {
    // Last quad holds 4 - pad significant characters.
    int vals[4] = {0, 0, 0, 0};
    for (size_t k = 0; k < 4 - pad; ++k) {
      int v = kDecode[s[i + k]];
      if (v < 0) {
        r.error = DecodeError::kCharacter;
        r.bad_char = static_cast<char>(s[i + k]);
        return r;
      }
      vals[k] = v;
    }
    uint32_t v = (uint32_t(vals[0]) << 18) | (uint32_t(vals[1]) << 12) | (uint32_t(vals[2]) << 6);
    if (pad == 2) {
      if (vals[1] & 0x0f) {
        r.error = DecodeError::kLastCharacter;
        return r;
      }
      *o++ = static_cast<uint8_t>(v >> 16);
    } else {
      if (vals[2] & 0x03) {
        r.error = DecodeError::kLastCharacter;
        return r;
      }
      *o++ = static_cast<uint8_t>(v >> 16);
      *o++ = static_cast<uint8_t>(v >> 8);
    }
  }
  (void)full;
  *out_len = static_cast<size_t>(reinterpret_cast<char*>(o) - out);
  return r;
}

bool Decode(std::string_view in, std::string* out) {
  out->resize(MaxDecodedSize(in.size()));
  size_t len = 0;
  if (Decode(in, out->data(), &len).error != DecodeError::kNone) return false;
  out->resize(len);
  return true;
}

}  // namespace sluice::base64
