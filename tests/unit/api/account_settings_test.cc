// DescribeAccountSettings / UpdateAccountSettings over the wire shapes: the
// default, the 24 h commitment window on the harness's ManualClock,
// validation and type errors.
#include "api_test_util.h"

namespace sluice::api::testing {
namespace {

constexpr int64_t kDayMs = 24 * 60 * 60 * 1000;

std::string Update(std::string_view status) {
  return R"({"MinimumThroughputBillingCommitment":{"Status":")" + std::string(status) + R"("}})";
}

TEST_F(ApiTest, AccountSettingsAreDisabledByDefault) {
  EXPECT_EQ(Ok("DescribeAccountSettings", "{}"), R"({"MinimumThroughputBillingCommitment":{"Status":"DISABLED"}})");
}

TEST_F(ApiTest, EnablingTheCommitmentReportsItsWindowInEpochSeconds) {
  // kStartMs is 1700000000000: 1700000000.000 s; the earliest end is a day later.
  EXPECT_EQ(Ok("UpdateAccountSettings", Update("ENABLED")),
            R"({"MinimumThroughputBillingCommitment":{"Status":"ENABLED","StartedAt":1700000000.000,)"
            R"("EarliestAllowedEndAt":1700086400.000}})");
  clock_.Advance(1234);
  // Enabling again changes nothing.
  EXPECT_EQ(Ok("UpdateAccountSettings", Update("ENABLED")),
            R"({"MinimumThroughputBillingCommitment":{"Status":"ENABLED","StartedAt":1700000000.000,)"
            R"("EarliestAllowedEndAt":1700086400.000}})");
  EXPECT_EQ(Ok("DescribeAccountSettings", "{}"),
            R"({"MinimumThroughputBillingCommitment":{"Status":"ENABLED","StartedAt":1700000000.000,)"
            R"("EarliestAllowedEndAt":1700086400.000}})");
}

TEST_F(ApiTest, DisablingInsideTheWindowEndsTheCommitmentAtItsEarliestEnd) {
  Ok("UpdateAccountSettings", Update("ENABLED"));
  clock_.Advance(60 * 60 * 1000);
  const std::string pending =
      R"({"MinimumThroughputBillingCommitment":{"Status":"ENABLED_UNTIL_EARLIEST_ALLOWED_END",)"
      R"("StartedAt":1700000000.000,"EndedAt":1700086400.000,"EarliestAllowedEndAt":1700086400.000}})";
  EXPECT_EQ(Ok("UpdateAccountSettings", Update("DISABLED")), pending);
  EXPECT_EQ(Ok("DescribeAccountSettings", "{}"), pending);
  clock_.Set(kStartMs + kDayMs);
  EXPECT_EQ(Ok("DescribeAccountSettings", "{}"),
            R"({"MinimumThroughputBillingCommitment":{"Status":"DISABLED","StartedAt":1700000000.000,)"
            R"("EndedAt":1700086400.000,"EarliestAllowedEndAt":1700086400.000}})");
}

TEST_F(ApiTest, DisablingAfterTheWindowEndsTheCommitmentNow) {
  Ok("UpdateAccountSettings", Update("ENABLED"));
  clock_.Advance(kDayMs + 500);
  EXPECT_EQ(Ok("UpdateAccountSettings", Update("DISABLED")),
            R"({"MinimumThroughputBillingCommitment":{"Status":"DISABLED","StartedAt":1700000000.000,)"
            R"("EndedAt":1700086400.500,"EarliestAllowedEndAt":1700086400.000}})");
}

TEST_F(ApiTest, UpdateAccountSettingsValidatesTheModel) {
  ExpectError(Call("UpdateAccountSettings", "{}"), 400, "ValidationException",
              "1 validation error detected: Value null at 'minimumThroughputBillingCommitment' failed to satisfy "
              "constraint: Member must not be null");
  ExpectError(Call("UpdateAccountSettings", R"({"MinimumThroughputBillingCommitment":{}})"), 400, "ValidationException",
              "1 validation error detected: Value null at 'minimumThroughputBillingCommitment.status' failed to "
              "satisfy constraint: Member must not be null");
  ExpectError(Call("UpdateAccountSettings", Update("ENABLED_UNTIL_EARLIEST_ALLOWED_END")), 400, "ValidationException",
              "1 validation error detected: Value 'ENABLED_UNTIL_EARLIEST_ALLOWED_END' at "
              "'minimumThroughputBillingCommitment.status' failed to satisfy constraint: Member must satisfy enum "
              "value set: [ENABLED, DISABLED]");
  ExpectError(Call("UpdateAccountSettings", R"({"MinimumThroughputBillingCommitment":{"Status":1}})"), 400,
              "SerializationException",
              "class com.amazon.coral.value.json.numbers.TruncatingBigNumber can not be converted to an String");
  ApiResponse r = Call("UpdateAccountSettings", R"({"MinimumThroughputBillingCommitment":"ENABLED"})");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.error_type, "SerializationException") << r.body;
  // Nothing was changed by the refused calls.
  EXPECT_EQ(Ok("DescribeAccountSettings", "{}"), R"({"MinimumThroughputBillingCommitment":{"Status":"DISABLED"}})");
}

TEST_F(ApiTest, AccountSettingsAreReachableOverCbor) {
  // The CBOR body {} (an empty map): the answer comes back as CBOR too.
  ApiResponse r =
      Raw("Kinesis_20131202.DescribeAccountSettings", std::string_view("\xa0", 1), "application/x-amz-cbor-1.1");
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("DISABLED"), std::string::npos);
}

}  // namespace
}  // namespace sluice::api::testing
