#include "channels/object_key.h"

#include <gtest/gtest.h>

namespace sluice::channels {
namespace {

// 2023-11-14T22:13:20.500Z
const BatchOrigin kOrigin{"orders", "shardId-000000000002", "49590338271490256608559692538361571095921575989136588898",
                          1700000000500};

TEST(ObjectKeyTest, TheDefaultKeyIsAnHourlyDatePathThenStreamShardTimeAndFirstSequenceNumber) {
  EXPECT_EQ(ObjectKey(std::nullopt, kOrigin, ".json.gz"),
            "2023/11/14/22/orders-shardId-000000000002-2023-11-14-22-13-20-"
            "49590338271490256608559692538361571095921575989136588898.json.gz");
}

TEST(ObjectKeyTest, TemplateExpressionsAreReplacedAndOtherTextKept) {
  EXPECT_EQ(ExpandKeyTemplate("raw/!{kinesis:stream-name}/dt=!{timestamp:yyyy-MM-dd}/h=!{timestamp:HH}/"
                              "!{kinesis:shard-id}/!{timestamp:mm}:!{timestamp:ss}/",
                              kOrigin),
            "raw/orders/dt=2023-11-14/h=22/shardId-000000000002/13:20/");
  EXPECT_EQ(ExpandKeyTemplate("a/!{firehose:random-string}/b!{unclosed", kOrigin),
            "a/!{firehose:random-string}/b!{unclosed");
}

TEST(ObjectKeyTest, TheNameFollowsTheExpandedTemplateDirectlyAsAFirehosePrefix) {
  EXPECT_EQ(ObjectKey(std::string("logs-"), kOrigin, ""),
            "logs-orders-shardId-000000000002-2023-11-14-22-13-20-"
            "49590338271490256608559692538361571095921575989136588898");
}

TEST(ObjectKeyTest, TheKeyDependsOnlyOnTheFirstRecord) {
  BatchOrigin later = kOrigin;
  EXPECT_EQ(ObjectKey(std::nullopt, later, ""), ObjectKey(std::nullopt, kOrigin, ""));
  later.first_sequence_number[55] = '9';
  EXPECT_NE(ObjectKey(std::nullopt, later, ""), ObjectKey(std::nullopt, kOrigin, ""));
}

TEST(ObjectKeyTest, DeadLetterKeysAreUnderTheErrorPrefixWithTheDatePath) {
  EXPECT_EQ(DeadLetterKey("error/", kOrigin),
            "error/2023/11/14/22/orders-shardId-000000000002-2023-11-14-22-13-20-"
            "49590338271490256608559692538361571095921575989136588898.json");
}

TEST(ObjectKeyTest, BucketOfArnTakesTheNameAfterTheEmptyRegionAndAccount) {
  EXPECT_EQ(BucketOfArn("arn:aws:s3:::my-bucket"), "my-bucket");
  EXPECT_EQ(BucketOfArn("arn:aws-cn:s3:::b.x"), "b.x");
  EXPECT_EQ(BucketOfArn("arn:aws:s3:::"), std::nullopt);
  EXPECT_EQ(BucketOfArn("my-bucket"), std::nullopt);
  EXPECT_EQ(BucketOfArn("arn:aws:s3:::b/key"), std::nullopt);
}

}  // namespace
}  // namespace sluice::channels
