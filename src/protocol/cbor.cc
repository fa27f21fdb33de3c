#include "protocol/cbor.h"

#include <cmath>
#include <cstring>
#include <limits>

#include <simdjson.h>

namespace sluice::protocol {
namespace {

enum Major : uint8_t {
  kUnsigned = 0,
  kNegative = 1,
  kByteString = 2,
  kTextString = 3,
  kArray = 4,
  kMap = 5,
  kTagged = 6,
  kSimpleOrFloat = 7,
};

constexpr uint8_t kIndefinite = 31;
constexpr uint8_t kBreak = 0xff;

Status Malformed() { return Status::Serialization(""); }

// RFC 8949 Appendix D.
double HalfToDouble(uint16_t half) {
  int exponent = (half >> 10) & 0x1f;
  int mantissa = half & 0x3ff;
  double value;
  if (exponent == 0) {
    value = std::ldexp(mantissa, -24);
  } else if (exponent != 31) {
    value = std::ldexp(mantissa + 1024, exponent - 25);
  } else {
    value = mantissa == 0 ? std::numeric_limits<double>::infinity() : std::numeric_limits<double>::quiet_NaN();
  }
  return (half & 0x8000) ? -value : value;
}

class Decoder {
 public:
  Decoder(std::string_view input, CborVisitor* visitor)
      : p_(reinterpret_cast<const uint8_t*>(input.data())), end_(p_ + input.size()), visitor_(visitor) {}

  Status Run() {
    SLUICE_RETURN_IF_ERROR(Item(0));
    return p_ == end_ ? Status::Ok() : Malformed();
  }

 private:
  size_t remaining() const { return static_cast<size_t>(end_ - p_); }

  // Reads an initial byte and its argument. For additional information 31
  // sets *indefinite and leaves *argument 0. False when truncated or reserved.
  bool Head(uint8_t* major, uint8_t* info, uint64_t* argument, bool* indefinite) {
    if (p_ == end_) return false;
    uint8_t initial = *p_++;
    *major = initial >> 5;
    *info = initial & 0x1f;
    *indefinite = false;
    *argument = 0;
    if (*info < 24) {
      *argument = *info;
      return true;
    }
    if (*info == kIndefinite) {
      *indefinite = true;
      return true;
    }
    if (*info > 27) return false;  // 28..30 are reserved
    size_t width = size_t{1} << (*info - 24);
    if (remaining() < width) return false;
    uint64_t v = 0;
    for (size_t i = 0; i < width; ++i) v = (v << 8) | p_[i];
    p_ += width;
    *argument = v;
    return true;
  }

  // A definite string of `length` bytes starting at p_.
  bool TakeString(uint64_t length, std::string_view* out) {
    if (length > remaining()) return false;
    *out = std::string_view(reinterpret_cast<const char*>(p_), static_cast<size_t>(length));
    p_ += length;
    return true;
  }

  static bool ValidUtf8(std::string_view s) { return simdjson::validate_utf8(s.data(), s.size()); }

  Status String(uint8_t major, uint64_t length, bool indefinite) {
    std::string_view s;
    if (!indefinite) {
      if (!TakeString(length, &s)) return Malformed();
      if (major == kTextString && !ValidUtf8(s)) return Malformed();
    } else {
      // Chunks are definite strings of the same major type, up to a break.
      // They cannot nest, so one scratch buffer serves the whole document.
      scratch_.clear();
      for (;;) {
        if (p_ == end_) return Malformed();
        if (*p_ == kBreak) {
          ++p_;
          break;
        }
        uint8_t chunk_major, info;
        uint64_t chunk_length;
        bool chunk_indefinite;
        std::string_view chunk;
        if (!Head(&chunk_major, &info, &chunk_length, &chunk_indefinite) || chunk_major != major || chunk_indefinite ||
            !TakeString(chunk_length, &chunk)) {
          return Malformed();
        }
        if (major == kTextString && !ValidUtf8(chunk)) return Malformed();
        scratch_.append(chunk);
      }
      s = scratch_;
    }
    return major == kTextString ? visitor_->Text(s) : visitor_->Bytes(s);
  }

  // True (and consumes it) when the next byte is a break.
  bool AtBreak() {
    if (p_ != end_ && *p_ == kBreak) {
      ++p_;
      return true;
    }
    return false;
  }

  Status Array(uint64_t count, bool indefinite, int depth) {
    if (indefinite) {
      SLUICE_RETURN_IF_ERROR(visitor_->BeginArray(std::nullopt));
      while (!AtBreak()) SLUICE_RETURN_IF_ERROR(Item(depth + 1));
    } else {
      // Every element takes at least one byte.
      if (count > remaining()) return Malformed();
      SLUICE_RETURN_IF_ERROR(visitor_->BeginArray(count));
      for (uint64_t i = 0; i < count; ++i) SLUICE_RETURN_IF_ERROR(Item(depth + 1));
    }
    return visitor_->EndArray();
  }

  Status Map(uint64_t pairs, bool indefinite, int depth) {
    if (indefinite) {
      SLUICE_RETURN_IF_ERROR(visitor_->BeginMap(std::nullopt));
      // A break is allowed only where a key would start.
      while (!AtBreak()) {
        SLUICE_RETURN_IF_ERROR(Item(depth + 1));
        SLUICE_RETURN_IF_ERROR(Item(depth + 1));
      }
    } else {
      // Every pair takes at least two bytes.
      if (pairs > remaining() / 2) return Malformed();
      SLUICE_RETURN_IF_ERROR(visitor_->BeginMap(pairs));
      for (uint64_t i = 0; i < pairs; ++i) {
        SLUICE_RETURN_IF_ERROR(Item(depth + 1));
        SLUICE_RETURN_IF_ERROR(Item(depth + 1));
      }
    }
    return visitor_->EndMap();
  }

  Status SimpleOrFloat(uint8_t info, uint64_t argument, bool indefinite) {
    if (indefinite) return Malformed();  // a break where no item may end
    switch (info) {
      case 20: return visitor_->Bool(false);
      case 21: return visitor_->Bool(true);
      case 22: return visitor_->Null();
      case 23: return visitor_->Undefined();
      case 24:
        // Values below 32 must use the one-byte form.
        if (argument < 32) return Malformed();
        return visitor_->Simple(static_cast<uint8_t>(argument));
      case 25: return visitor_->Float(HalfToDouble(static_cast<uint16_t>(argument)));
      case 26: {
        uint32_t bits = static_cast<uint32_t>(argument);
        float f;
        std::memcpy(&f, &bits, sizeof f);
        return visitor_->Float(f);
      }
      case 27: {
        double d;
        std::memcpy(&d, &argument, sizeof d);
        return visitor_->Float(d);
      }
      default: return visitor_->Simple(static_cast<uint8_t>(info));  // 0..19
    }
  }

  Status Item(int depth) {
    uint8_t major, info;
    uint64_t argument;
    bool indefinite;
    if (!Head(&major, &info, &argument, &indefinite)) return Malformed();
    switch (major) {
      case kUnsigned:
        if (indefinite) return Malformed();
        return visitor_->Unsigned(argument);
      case kNegative:
        if (indefinite) return Malformed();
        return visitor_->Negative(argument);
      case kByteString:
      case kTextString: return String(major, argument, indefinite);
      case kArray:
        if (depth >= kMaxCborDepth) return Malformed();
        return Array(argument, indefinite, depth);
      case kMap:
        if (depth >= kMaxCborDepth) return Malformed();
        return Map(argument, indefinite, depth);
      case kTagged:
        if (indefinite || depth >= kMaxCborDepth) return Malformed();
        SLUICE_RETURN_IF_ERROR(visitor_->Tag(argument));
        return Item(depth + 1);
      default: return SimpleOrFloat(info, argument, indefinite);
    }
  }

  const uint8_t* p_;
  const uint8_t* end_;
  CborVisitor* visitor_;
  std::string scratch_;
};

// True (and sets *half) when `f` converts to binary16 without loss.
bool HalfExactly(float f, uint16_t* half) {
  uint32_t bits;
  std::memcpy(&bits, &f, sizeof bits);
  uint16_t sign = static_cast<uint16_t>((bits >> 16) & 0x8000);
  int biased = static_cast<int>((bits >> 23) & 0xff);
  uint32_t mantissa = bits & 0x7fffff;
  if (biased == 0xff) {  // infinities (NaN is handled by the caller)
    *half = static_cast<uint16_t>(sign | 0x7c00);
    return mantissa == 0;
  }
  if (biased == 0 && mantissa == 0) {
    *half = sign;
    return true;
  }
  int exponent = biased - 127;
  if (exponent >= -14 && exponent <= 15) {  // normal half
    if (mantissa & 0x1fff) return false;
    *half = static_cast<uint16_t>(sign | ((exponent + 15) << 10) | (mantissa >> 13));
    return true;
  }
  if (exponent >= -24 && exponent < -14) {  // subnormal half: m * 2^-24
    uint32_t significand = 0x800000 | mantissa;
    int shift = -(exponent + 1);
    if (significand & ((uint32_t{1} << shift) - 1)) return false;
    *half = static_cast<uint16_t>(sign | (significand >> shift));
    return true;
  }
  return false;
}

}  // namespace

Status DecodeCbor(std::string_view input, CborVisitor* visitor) { return Decoder(input, visitor).Run(); }

void CborWriter::Head(uint8_t major, uint64_t argument) {
  uint8_t m = static_cast<uint8_t>(major << 5);
  if (argument < 24) {
    out_->push_back(static_cast<char>(m | argument));
    return;
  }
  // Additional information 24..27: a 1, 2, 4 or 8-byte argument follows.
  int info = argument <= 0xff ? 24 : argument <= 0xffff ? 25 : argument <= 0xffffffff ? 26 : 27;
  int width = 1 << (info - 24);
  out_->push_back(static_cast<char>(m | info));
  for (int shift = (width - 1) * 8; shift >= 0; shift -= 8) {
    out_->push_back(static_cast<char>((argument >> shift) & 0xff));
  }
}

void CborWriter::Unsigned(uint64_t value) { Head(kUnsigned, value); }
void CborWriter::Negative(uint64_t n) { Head(kNegative, n); }

void CborWriter::Int(int64_t value) {
  if (value >= 0) {
    Head(kUnsigned, static_cast<uint64_t>(value));
  } else {
    Head(kNegative, ~static_cast<uint64_t>(value));  // -1 - value
  }
}

void CborWriter::Bytes(std::string_view bytes) {
  Head(kByteString, bytes.size());
  out_->append(bytes);
}

void CborWriter::Text(std::string_view text) {
  Head(kTextString, text.size());
  out_->append(text);
}

void CborWriter::BeginArray(uint64_t count) { Head(kArray, count); }
void CborWriter::BeginMap(uint64_t pairs) { Head(kMap, pairs); }
void CborWriter::BeginIndefiniteArray() { out_->push_back(static_cast<char>(kArray << 5 | kIndefinite)); }
void CborWriter::BeginIndefiniteMap() { out_->push_back(static_cast<char>(kMap << 5 | kIndefinite)); }
void CborWriter::Break() { out_->push_back(static_cast<char>(kBreak)); }
void CborWriter::Tag(uint64_t tag) { Head(kTagged, tag); }
void CborWriter::Bool(bool value) { out_->push_back(static_cast<char>(value ? 0xf5 : 0xf4)); }
void CborWriter::Null() { out_->push_back(static_cast<char>(0xf6)); }
void CborWriter::Undefined() { out_->push_back(static_cast<char>(0xf7)); }

void CborWriter::Double(double value) {
  if (std::isnan(value)) {
    out_->append("\xf9\x7e\x00", 3);
    return;
  }
  // Narrow only when the value survives it; a finite double beyond the float
  // range must not be converted (undefined behaviour).
  bool fits_float = std::isinf(value) || std::fabs(value) <= std::numeric_limits<float>::max();
  if (fits_float) {
    float f = static_cast<float>(value);
    if (static_cast<double>(f) == value) {
      uint16_t half;
      if (HalfExactly(f, &half)) {
        out_->push_back(static_cast<char>(0xf9));
        out_->push_back(static_cast<char>(half >> 8));
        out_->push_back(static_cast<char>(half & 0xff));
        return;
      }
      uint32_t bits;
      std::memcpy(&bits, &f, sizeof bits);
      out_->push_back(static_cast<char>(0xfa));
      for (int shift = 24; shift >= 0; shift -= 8) out_->push_back(static_cast<char>((bits >> shift) & 0xff));
      return;
    }
  }
  uint64_t bits;
  std::memcpy(&bits, &value, sizeof bits);
  out_->push_back(static_cast<char>(0xfb));
  for (int shift = 56; shift >= 0; shift -= 8) out_->push_back(static_cast<char>((bits >> shift) & 0xff));
}

}  // namespace sluice::protocol
