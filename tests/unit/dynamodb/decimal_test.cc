#include "dynamodb/decimal.h"

#include <gtest/gtest.h>

namespace sluice::dynamodb {
namespace {

std::string Canon(std::string_view text) {
  Result<std::string> n = CanonicalNumber(text);
  return n.ok() ? *n : "error: " + n.status().message();
}

Decimal D(std::string_view text) { return *Decimal::Parse(text); }

TEST(DecimalTest, NumbersAreWrittenWithoutExponentOrSurplusZeros) {
  EXPECT_EQ(Canon("01.50"), "1.5");
  EXPECT_EQ(Canon("1e3"), "1000");
  EXPECT_EQ(Canon("-0.00120"), "-0.0012");
  EXPECT_EQ(Canon("+.5"), "0.5");
  EXPECT_EQ(Canon("-0"), "0");
  EXPECT_EQ(Canon("12.5E-3"), "0.0125");
}

TEST(DecimalTest, TextThatIsNotANumberIsRefusedWithTheServiceMessage) {
  EXPECT_EQ(Canon("abc"), "error: The parameter cannot be converted to a numeric value: abc");
  EXPECT_EQ(Canon("1e"), "error: The parameter cannot be converted to a numeric value: 1e");
  EXPECT_EQ(Canon(""), "error: The parameter cannot be converted to a numeric value: ");
  EXPECT_EQ(Canon("1.2.3"), "error: The parameter cannot be converted to a numeric value: 1.2.3");
}

TEST(DecimalTest, ThirtyEightDigitsAreKeptExactlyAndThirtyNineRefused) {
  EXPECT_EQ(Canon("12345678901234567890123456789012345678"), "12345678901234567890123456789012345678");
  EXPECT_EQ(Canon("123456789012345678901234567890123456789"),
            "error: Attempting to store more than 38 significant digits in a Number");
  // Trailing zeros are not significant.
  EXPECT_EQ(Canon("1000000000000000000000000000000000000000000"), "1000000000000000000000000000000000000000000");
}

TEST(DecimalTest, MagnitudesOutsideTheServiceRangeOverflowOrUnderflow) {
  EXPECT_TRUE(Decimal::Parse("9.9999999999999999999999999999999999999E+125").ok());
  EXPECT_TRUE(Decimal::Parse("1E-130").ok());
  EXPECT_EQ(Canon("1E+126").substr(0, 22), "error: Number overflow");
  EXPECT_EQ(Canon("1E-131").substr(0, 23), "error: Number underflow");
}

TEST(DecimalTest, ComparisonIsNumericNotTextual) {
  EXPECT_LT(Decimal::Compare(D("9"), D("10")), 0);
  EXPECT_GT(Decimal::Compare(D("-9"), D("-10")), 0);
  EXPECT_EQ(Decimal::Compare(D("1.50"), D("1.5")), 0);
  EXPECT_LT(Decimal::Compare(D("-1"), D("0")), 0);
  EXPECT_LT(Decimal::Compare(D("0.001"), D("0.01")), 0);
  EXPECT_GT(Decimal::Compare(D("1e2"), D("99.999")), 0);
}

TEST(DecimalTest, ArithmeticIsExactBeyondBinaryFloatingPoint) {
  EXPECT_EQ(Decimal::Add(D("0.1"), D("0.2"))->ToString(), "0.3");
  EXPECT_EQ(Decimal::Add(D("99999999999999999999999999999999999999"), D("-1"))->ToString(),
            "99999999999999999999999999999999999998");
  EXPECT_EQ(Decimal::Subtract(D("1"), D("1.000001"))->ToString(), "-0.000001");
  EXPECT_EQ(Decimal::Subtract(D("5"), D("5"))->ToString(), "0");
  EXPECT_EQ(Decimal::Add(D("-2.5"), D("1"))->ToString(), "-1.5");
}

TEST(DecimalTest, ASumNeedingMoreThanThirtyEightDigitsIsRefused) {
  Result<Decimal> sum = Decimal::Add(D("1e30"), D("0.000000001"));
  ASSERT_FALSE(sum.ok());
  EXPECT_EQ(sum.status().message(), "Attempting to store more than 38 significant digits in a Number");
}

}  // namespace
}  // namespace sluice::dynamodb
