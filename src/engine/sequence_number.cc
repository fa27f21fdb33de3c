#include "engine/sequence_number.h"

namespace sluice::engine {
namespace {

// The 188-bit value as three 64-bit limbs, least significant first.
struct Limbs {
  uint64_t v[3];
};

constexpr uint64_t kTen19 = 10000000000000000000ull;  // 10^19 < 2^64
constexpr uint64_t kMask36 = (uint64_t{1} << 36) - 1;

// Divides the 128-bit value hi:lo by d (requires hi < d), returning the
// quotient and storing the remainder. One `div` instruction on x86-64.
inline uint64_t Div128(uint64_t hi, uint64_t lo, uint64_t d, uint64_t* rem) {
#if defined(__x86_64__)
  uint64_t q, r;
  __asm__("divq %4" : "=a"(q), "=d"(r) : "a"(lo), "d"(hi), "rm"(d));
  *rem = r;
  return q;
#else
  unsigned __int128 n = (static_cast<unsigned __int128>(hi) << 64) | lo;
  *rem = static_cast<uint64_t>(n % d);
  return static_cast<uint64_t>(n / d);
#endif
}

constexpr char kDigitPairs[] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

// Writes `v` as exactly `width` decimal digits (zero padded) ending at out+width.
inline void WriteDigits(uint64_t v, char* out, int width) {
  char* p = out + width;
  while (width >= 2) {
    unsigned pair = static_cast<unsigned>(v % 100);
    v /= 100;
    p -= 2;
    p[0] = kDigitPairs[pair * 2];
    p[1] = kDigitPairs[pair * 2 + 1];
    width -= 2;
  }
  if (width == 1) *--p = static_cast<char>('0' + v % 10);
}

Limbs Pack(const SequenceFields& f) {
  const uint64_t index = f.shard_index & 0xffffffffull;
  const uint64_t record = static_cast<uint64_t>(f.record_seconds) & kMask36;
  const uint64_t created = static_cast<uint64_t>(f.shard_created_seconds) & kMask36;
  const uint64_t counter = f.counter & 0x7fffffffffffffffull;
  Limbs l;
  l.v[0] = 2u | (index << 4) | (record << 36);
  l.v[1] = (record >> 28) | (counter << 16);  // byte 72..79 stays 00
  l.v[2] = (counter >> 48) | ((index & 0xf) << 16) | (created << 20) | (uint64_t{2} << 56);
  return l;
}

inline bool ParseChunk(const char* p, int n, uint64_t* out) {
  uint64_t v = 0;
  for (int i = 0; i < n; ++i) {
    unsigned d = static_cast<unsigned char>(p[i]) - '0';
    if (d > 9) return false;
    v = v * 10 + d;
  }
  *out = v;
  return true;
}

}  // namespace

void FormatSequenceNumber(const SequenceFields& fields, SequenceDigits* out) {
  Limbs l = Pack(fields);
  // value = Q2 * 10^38 + r1 * 10^19 + r0, with Q2 < 10^18 (value < 2^186).
  uint64_t r = l.v[2];  // < 2^60 < 10^19: the first quotient limb is 0
  uint64_t q1 = Div128(r, l.v[1], kTen19, &r);
  uint64_t q0 = Div128(r, l.v[0], kTen19, &r);
  const uint64_t r0 = r;
  // q1 < 2^124 / 10^19 < 10^19, so the second round is a single division.
  uint64_t r1;
  uint64_t q2 = Div128(q1, q0, kTen19, &r1);
  char* p = out->data();
  WriteDigits(q2, p, 18);
  WriteDigits(r1, p + 18, 19);
  WriteDigits(r0, p + 37, 19);
}

SequenceDigits FormatSequenceNumber(const SequenceFields& fields) {
  SequenceDigits d;
  FormatSequenceNumber(fields, &d);
  return d;
}

std::string SequenceNumberString(const SequenceFields& fields) {
  SequenceDigits d = FormatSequenceNumber(fields);
  return std::string(ToView(d));
}

std::optional<SequenceFields> ParseSequenceNumber(std::string_view digits) {
  if (digits.size() != 56) return std::nullopt;
  uint64_t a, b, c;
  if (!ParseChunk(digits.data(), 18, &a) || !ParseChunk(digits.data() + 18, 19, &b) ||
      !ParseChunk(digits.data() + 37, 19, &c)) {
    return std::nullopt;
  }
  // value = (a * 10^19 + b) * 10^19 + c, computed in three limbs.
  unsigned __int128 t = static_cast<unsigned __int128>(a) * kTen19 + b;  // < 2^123
  const uint64_t t_lo = static_cast<uint64_t>(t);
  const uint64_t t_hi = static_cast<uint64_t>(t >> 64);
  unsigned __int128 p0 = static_cast<unsigned __int128>(t_lo) * kTen19;
  unsigned __int128 p1 = static_cast<unsigned __int128>(t_hi) * kTen19;
  unsigned __int128 mid = static_cast<unsigned __int128>(static_cast<uint64_t>(p1)) + static_cast<uint64_t>(p0 >> 64);
  Limbs l;
  l.v[0] = static_cast<uint64_t>(p0);
  l.v[1] = static_cast<uint64_t>(mid);
  l.v[2] = static_cast<uint64_t>(p1 >> 64) + static_cast<uint64_t>(mid >> 64);
  l.v[0] += c;
  if (l.v[0] < c && ++l.v[1] == 0) ++l.v[2];

  if ((l.v[2] >> 56) != 2) return std::nullopt;  // leading nibble 2, value < 2^188
  if ((l.v[0] & 0xf) != 2) return std::nullopt;  // trailing version nibble
  if (((l.v[1] >> 8) & 0xff) != 0) return std::nullopt;
  if (l.v[2] & 0x8000) return std::nullopt;  // counter's top bit
  SequenceFields f;
  f.shard_index = static_cast<uint32_t>((l.v[0] >> 4) & 0xffffffffull);
  if (f.shard_index > 0x7fffffffu) return std::nullopt;
  if (((l.v[2] >> 16) & 0xf) != (f.shard_index & 0xf)) return std::nullopt;
  f.record_seconds = static_cast<int64_t>((l.v[0] >> 36) | ((l.v[1] & 0xff) << 28));
  f.counter = (l.v[1] >> 16) | ((l.v[2] & 0xffff) << 48);
  f.shard_created_seconds = static_cast<int64_t>((l.v[2] >> 20) & kMask36);
  return f;
}

SequenceDigits StartingSequenceNumber(int64_t shard_created_seconds, uint32_t shard_index) {
  return FormatSequenceNumber({shard_created_seconds, shard_index, 0, shard_created_seconds});
}

SequenceDigits EndingSequenceNumber(int64_t shard_created_seconds, uint32_t shard_index, int64_t close_seconds) {
  return FormatSequenceNumber({shard_created_seconds, shard_index, kEndingCounter, close_seconds});
}

}  // namespace sluice::engine
