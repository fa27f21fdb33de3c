#include "dynamodb/decimal.h"

#include <algorithm>

namespace sluice::dynamodb {
namespace {

constexpr int kMaxDigits = 38;
constexpr int kMaxAdjusted = 125;   // below 10^126
constexpr int kMinAdjusted = -130;  // at least 10^-130

// Strips leading and trailing zeros (moving trailing ones into the exponent)
// and checks the service's precision and range.
Result<Decimal> Normalize(Decimal d) {
  size_t first = d.digits.find_first_not_of('0');
  if (first == std::string::npos) return Decimal{};
  d.digits.erase(0, first);
  size_t last = d.digits.find_last_not_of('0');
  d.exponent += static_cast<int32_t>(d.digits.size() - 1 - last);
  d.digits.erase(last + 1);
  if (d.digits.size() > kMaxDigits) {
    return Status::Validation("Attempting to store more than 38 significant digits in a Number");
  }
  // The exponent of the leading digit in scientific notation.
  int64_t adjusted = static_cast<int64_t>(d.exponent) + static_cast<int64_t>(d.digits.size()) - 1;
  if (adjusted > kMaxAdjusted) {
    return Status::Validation(
        "Number overflow. Attempting to store a number with magnitude larger than supported range");
  }
  if (adjusted < kMinAdjusted) {
    return Status::Validation(
        "Number underflow. Attempting to store a number with magnitude smaller than supported range");
  }
  return d;
}

// Compares two non-negative digit strings of equal exponent as integers.
int CompareMagnitude(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return a.size() < b.size() ? -1 : 1;
  int c = a.compare(b);
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

// a + b for non-negative integers written in decimal.
std::string AddDigits(const std::string& a, const std::string& b) {
  std::string out;
  int carry = 0;
  for (size_t i = 0; i < std::max(a.size(), b.size()) || carry; ++i) {
    int s = carry;
    if (i < a.size()) s += a[a.size() - 1 - i] - '0';
    if (i < b.size()) s += b[b.size() - 1 - i] - '0';
    out.push_back(static_cast<char>('0' + s % 10));
    carry = s / 10;
  }
  std::reverse(out.begin(), out.end());
  return out;
}

// a - b for non-negative integers with a >= b.
std::string SubtractDigits(const std::string& a, const std::string& b) {
  std::string out;
  int borrow = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    int s = a[a.size() - 1 - i] - '0' - borrow;
    if (i < b.size()) s -= b[b.size() - 1 - i] - '0';
    borrow = s < 0 ? 1 : 0;
    out.push_back(static_cast<char>('0' + (s + 10) % 10));
  }
  std::reverse(out.begin(), out.end());
  return out;
}

}  // namespace

Result<Decimal> Decimal::Parse(std::string_view text) {
  auto bad = [&] {
    return Status::Validation("The parameter cannot be converted to a numeric value: " + std::string(text));
  };
  Decimal d;
  size_t i = 0;
  if (i < text.size() && (text[i] == '-' || text[i] == '+')) d.negative = text[i++] == '-';
  bool any_digit = false;
  int64_t exponent = 0;
  bool seen_point = false;
  for (; i < text.size(); ++i) {
    char c = text[i];
    if (c >= '0' && c <= '9') {
      any_digit = true;
      if (d.digits.size() > 4096) return bad();
      d.digits.push_back(c);
      if (seen_point) --exponent;
    } else if (c == '.' && !seen_point) {
      seen_point = true;
    } else {
      break;
    }
  }
  if (!any_digit) return bad();
  if (i < text.size()) {
    if (text[i] != 'e' && text[i] != 'E') return bad();
    ++i;
    bool exp_negative = false;
    if (i < text.size() && (text[i] == '-' || text[i] == '+')) exp_negative = text[i++] == '-';
    if (i == text.size()) return bad();
    int64_t e = 0;
    for (; i < text.size(); ++i) {
      if (text[i] < '0' || text[i] > '9') return bad();
      e = std::min<int64_t>(e * 10 + (text[i] - '0'), 1'000'000);
    }
    exponent += exp_negative ? -e : e;
  }
  exponent = std::clamp<int64_t>(exponent, -2'000'000, 2'000'000);
  d.exponent = static_cast<int32_t>(exponent);
  Result<Decimal> n = Normalize(std::move(d));
  if (n.ok() && n->is_zero()) n->negative = false;
  return n;
}

std::string Decimal::ToString() const {
  if (is_zero()) return "0";
  std::string out = negative ? "-" : "";
  if (exponent >= 0) {
    out += digits;
    out.append(static_cast<size_t>(exponent), '0');
    return out;
  }
  size_t fraction = static_cast<size_t>(-exponent);
  if (fraction >= digits.size()) {
    out += "0.";
    out.append(fraction - digits.size(), '0');
    out += digits;
  } else {
    out += digits.substr(0, digits.size() - fraction);
    out += '.';
    out += digits.substr(digits.size() - fraction);
  }
  return out;
}

Result<Decimal> Decimal::Add(const Decimal& a, const Decimal& b) {
  if (a.is_zero()) return b;
  if (b.is_zero()) return a;
  int32_t e = std::min(a.exponent, b.exponent);
  std::string x = a.digits + std::string(static_cast<size_t>(a.exponent - e), '0');
  std::string y = b.digits + std::string(static_cast<size_t>(b.exponent - e), '0');
  Decimal r;
  r.exponent = e;
  if (a.negative == b.negative) {
    r.negative = a.negative;
    r.digits = AddDigits(x, y);
  } else {
    int c = CompareMagnitude(x, y);
    if (c == 0) return Decimal{};
    r.negative = c > 0 ? a.negative : b.negative;
    r.digits = c > 0 ? SubtractDigits(x, y) : SubtractDigits(y, x);
  }
  return Normalize(std::move(r));
}

Result<Decimal> Decimal::Subtract(const Decimal& a, const Decimal& b) {
  Decimal minus_b = b;
  if (!minus_b.is_zero()) minus_b.negative = !minus_b.negative;
  return Add(a, minus_b);
}

int Decimal::Compare(const Decimal& a, const Decimal& b) {
  int sa = a.is_zero() ? 0 : (a.negative ? -1 : 1);
  int sb = b.is_zero() ? 0 : (b.negative ? -1 : 1);
  if (sa != sb) return sa < sb ? -1 : 1;
  if (sa == 0) return 0;
  int64_t adj_a = static_cast<int64_t>(a.exponent) + static_cast<int64_t>(a.digits.size());
  int64_t adj_b = static_cast<int64_t>(b.exponent) + static_cast<int64_t>(b.digits.size());
  int magnitude;
  if (adj_a != adj_b) {
    magnitude = adj_a < adj_b ? -1 : 1;
  } else {
    // Same leading position: compare digit by digit, padding with zeros.
    size_t n = std::max(a.digits.size(), b.digits.size());
    std::string x = a.digits + std::string(n - a.digits.size(), '0');
    std::string y = b.digits + std::string(n - b.digits.size(), '0');
    int c = x.compare(y);
    magnitude = c < 0 ? -1 : (c > 0 ? 1 : 0);
  }
  return sa > 0 ? magnitude : -magnitude;
}

Result<std::string> CanonicalNumber(std::string_view text) {
  Result<Decimal> d = Decimal::Parse(text);
  if (!d.ok()) return d.status();
  return d->ToString();
}

}  // namespace sluice::dynamodb
