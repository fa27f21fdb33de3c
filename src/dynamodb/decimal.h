// Decimal: a DynamoDB number. The service keeps numbers as decimals with up
// to 38 significant digits and a magnitude between 1E-130 and
// 9.9999999999999999999999999999999999999E+125; arithmetic and comparison
// are exact (no binary floating point).
//
// A Decimal is normalized: `digits` holds the significant digits without
// leading or trailing zeros (empty for zero) and the value is
// digits × 10^exponent, so two equal numbers have equal members.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "util/status.h"

namespace sluice::dynamodb {

struct Decimal {
  bool negative = false;
  std::string digits;  // '1'..'9' first and last; empty for zero
  int32_t exponent = 0;

  bool is_zero() const { return digits.empty(); }

  // Parses the text of an N value ("-12.50", "1e3", "+.5"). Validation
  // errors carry the service's messages: not a number, more than 38
  // significant digits, overflow, underflow.
  static Result<Decimal> Parse(std::string_view text);

  // The canonical text the service answers with: no exponent, no leading or
  // trailing zeros ("1000", "0.001", "-1.5").
  std::string ToString() const;

  // Exact sum and difference; the result is checked against the service's
  // precision and range (ValidationException as for a stored number).
  static Result<Decimal> Add(const Decimal& a, const Decimal& b);
  static Result<Decimal> Subtract(const Decimal& a, const Decimal& b);

  // -1, 0 or 1 as a is numerically below, equal to or above b.
  static int Compare(const Decimal& a, const Decimal& b);
};

// Parses and re-formats `text` canonically ("01.50" → "1.5").
Result<std::string> CanonicalNumber(std::string_view text);

}  // namespace sluice::dynamodb
