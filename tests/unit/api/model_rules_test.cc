#include "api/model_rules.h"

#include <gtest/gtest.h>

namespace sluice::api {
namespace {

TEST(ModelRulesTest, NamePattern) {
  EXPECT_TRUE(MatchesNamePattern("a-b_c.D9"));
  EXPECT_FALSE(MatchesNamePattern(""));
  EXPECT_FALSE(MatchesNamePattern("a b"));
  EXPECT_FALSE(MatchesNamePattern("a/b"));
}

TEST(ModelRulesTest, DecimalPatterns) {
  EXPECT_TRUE(MatchesHashKeyPattern("0"));
  EXPECT_TRUE(MatchesHashKeyPattern("340282366920938463463374607431768211455"));
  EXPECT_TRUE(MatchesHashKeyPattern(std::string(39, '9')));
  EXPECT_FALSE(MatchesHashKeyPattern(std::string(40, '9')));
  EXPECT_FALSE(MatchesHashKeyPattern("01"));
  EXPECT_FALSE(MatchesHashKeyPattern("-1"));
  EXPECT_FALSE(MatchesHashKeyPattern(""));
  EXPECT_TRUE(MatchesSequenceNumberPattern(std::string(129, '1')));
  EXPECT_FALSE(MatchesSequenceNumberPattern(std::string(130, '1')));
  EXPECT_FALSE(MatchesSequenceNumberPattern("12a"));
}

TEST(ModelRulesTest, StreamArnPattern) {
  EXPECT_TRUE(MatchesStreamArnPattern("arn:aws:kinesis:us-east-1:123456789012:stream/s"));
  EXPECT_TRUE(MatchesStreamArnPattern("arn:aws-cn:kinesis:cn-north-1:123456789012:stream/s.x-y"));
  EXPECT_TRUE(MatchesStreamArnPattern("arn:aws:kinesis::123456789012:stream/s"));
  // `.*` may swallow colons and digits before the account.
  EXPECT_TRUE(MatchesStreamArnPattern("arn:aws:kinesis:a:b:111:123456789012:stream/s"));
  EXPECT_FALSE(MatchesStreamArnPattern("arn:aws:kinesis:us-east-1:12345678901:stream/s"));
  EXPECT_FALSE(MatchesStreamArnPattern("arn:aws:kinesis:us-east-1:123456789012:stream/"));
  EXPECT_FALSE(MatchesStreamArnPattern("arn:aws:kinesis:us-east-1:123456789012:stream/a b"));
  EXPECT_FALSE(MatchesStreamArnPattern("arn:aws:sqs:us-east-1:123456789012:stream/s"));
  EXPECT_FALSE(MatchesStreamArnPattern("xarn:aws:kinesis:us-east-1:123456789012:stream/s"));
  EXPECT_FALSE(MatchesStreamArnPattern("arn:aws:kinesis:us\neast:123456789012:stream/s"));
  EXPECT_FALSE(MatchesStreamArnPattern("arn:aws:kinesis:123456789012:stream/s"));
}

TEST(ModelRulesTest, ResourceArnPattern) {
  EXPECT_TRUE(MatchesResourceArnPattern("arn:aws:kinesis:us-east-1:123456789012:stream/s"));
  EXPECT_TRUE(MatchesResourceArnPattern("arn:aws:kinesis:us-east-1:123456789012:stream/s/consumer/c:1700000000"));
  // `.*` before "stream/" may hold anything but a line terminator.
  EXPECT_TRUE(MatchesResourceArnPattern("arn:aws:kinesis:us-east-1:123456789012:my stream/s"));
  EXPECT_TRUE(MatchesResourceArnPattern("arn:aws:kinesis:us-east-1:123456789012:a/stream/b stream/s"));
  EXPECT_FALSE(MatchesResourceArnPattern("arn:aws:kinesis:us-east-1:123456789012:stream/"));
  EXPECT_FALSE(MatchesResourceArnPattern("arn:aws:kinesis:us-east-1:123456789012:stream/a b"));
  EXPECT_FALSE(MatchesResourceArnPattern("arn:aws:kinesis:us-east-1:123456789012:table/s"));
  EXPECT_FALSE(MatchesResourceArnPattern("arn:aws:kinesis:us-east-1:123456789012:x\nstream/s"));
  EXPECT_FALSE(MatchesResourceArnPattern("arn:aws:kinesis:us-east-1:12345678901:stream/s"));
  // The stream form stays strict: nothing between the account and "stream/".
  EXPECT_FALSE(MatchesStreamArnPattern("arn:aws:kinesis:us-east-1:123456789012:my stream/s"));
}

TEST(ModelRulesTest, ChecksAddServicePhrases) {
  protocol::ValidationErrors errors;
  CheckStreamName(errors, "streamName", std::string_view(""));
  EXPECT_EQ(errors.ToStatus().message(),
            "2 validation errors detected: Value '' at 'streamName' failed to satisfy constraint: Member must satisfy "
            "regular expression pattern: [a-zA-Z0-9_.-]+; Value '' at 'streamName' failed to satisfy constraint: "
            "Member must have length greater than or equal to 1");
}

}  // namespace
}  // namespace sluice::api
