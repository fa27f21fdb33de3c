#include "channels/shard_batch.h"

#include <gtest/gtest.h>

#include "channels/delivery_checkpoint.h"

namespace sluice::channels {
namespace {

BatchRecord Rec(int seq, int64_t arrival_ms, size_t bytes) {
  return {std::to_string(seq), arrival_ms, "pk", std::string(bytes, 'x')};
}

TEST(ShardBatchTest, AnObjectHoldsTheLongestRunOfOldestRecordsWithinTheSize) {
  ShardBatch b(100);
  b.Add(Rec(1, 0, 40));
  b.Add(Rec(2, 0, 40));
  b.Add(Rec(3, 0, 40));
  EXPECT_EQ(b.NextCut(), 2u);
  EXPECT_TRUE(b.Full());
  b.Drop(2);
  EXPECT_EQ(b.NextCut(), 1u);
  EXPECT_EQ(b.records().front().sequence_number, "3");
  EXPECT_EQ(b.bytes(), 40u);
  EXPECT_FALSE(b.Full());
}

TEST(ShardBatchTest, ARecordLargerThanTheSizeIsAnObjectOfItsOwn) {
  ShardBatch b(10);
  b.Add(Rec(1, 0, 50));
  b.Add(Rec(2, 0, 1));
  EXPECT_EQ(b.NextCut(), 1u);
}

TEST(ShardBatchTest, ABatchIsDueOnceFreshnessHasPassedSinceItsFirstRecordArrived) {
  ShardBatch b(1000);
  EXPECT_FALSE(b.Due(10'000, 0));
  b.Add(Rec(1, 5'000, 1));
  b.Add(Rec(2, 9'000, 1));
  EXPECT_FALSE(b.Due(5'999, 1'000));
  EXPECT_TRUE(b.Due(6'000, 1'000));
  EXPECT_TRUE(b.Due(5'000, 0));
}

TEST(ShardBatchTest, ABatchHoldingMoreThanOneObjectIsDueAtOnce) {
  ShardBatch b(10);
  b.Add(Rec(1, 5'000, 6));
  b.Add(Rec(2, 5'000, 6));
  EXPECT_TRUE(b.Due(5'000, 300'000));
}

TEST(DeliveryCheckpointTest, EncodeThenDecodeRoundTrips) {
  DeliveryCheckpoint c;
  c[{"arn:aws:kinesis:us-east-1:1:stream/s", 1700000000000, "shardId-000000000000"}] = {"4959", true};
  c[{"arn:aws:kinesis:us-east-1:1:stream/s", 1700000000000, "shardId-000000000001"}] = {std::nullopt, false};
  Result<DeliveryCheckpoint> back = DecodeDeliveryCheckpoint(EncodeDeliveryCheckpoint(c));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  ASSERT_EQ(back->size(), 2u);
  EXPECT_EQ(back->begin()->second.last_sequence_number, "4959");
  EXPECT_TRUE(back->begin()->second.finished);
  EXPECT_EQ(std::next(back->begin())->second.last_sequence_number, std::nullopt);
}

TEST(DeliveryCheckpointTest, TruncatedTrailingOrUnknownVersionDocumentsAreCorruption) {
  DeliveryCheckpoint c;
  c[{"a", 1, "shardId-000000000000"}] = {"1", false};
  const std::string bytes = EncodeDeliveryCheckpoint(c);
  EXPECT_EQ(DecodeDeliveryCheckpoint(bytes.substr(0, bytes.size() - 1)).status().code(), ErrorCode::kCorruption);
  EXPECT_EQ(DecodeDeliveryCheckpoint(bytes + "x").status().code(), ErrorCode::kCorruption);
  std::string v2 = bytes;
  v2[0] = 2;
  EXPECT_EQ(DecodeDeliveryCheckpoint(v2).status().code(), ErrorCode::kCorruption);
}

}  // namespace
}  // namespace sluice::channels
