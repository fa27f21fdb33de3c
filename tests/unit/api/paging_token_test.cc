#include "api/paging.h"

#include <gtest/gtest.h>

namespace sluice::api {
namespace {

TEST(PagingTokenTest, ListShardsTokenRoundTrips) {
  ListShardsToken t;
  t.stream = {"123456789012", "eu-west-1", "orders"};
  t.stream_creation_ms = 1700000000123;
  t.filter.type = engine::ShardFilter::Type::kAtTimestamp;
  t.filter.timestamp_ms = 1700000000999;
  t.last_shard_id = "shardId-000000000041";
  t.issued_ms = 1700000001000;
  auto back = DecodeListShardsToken(EncodeListShardsToken(t), t.issued_ms + 1000);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->stream.account, "123456789012");
  EXPECT_EQ(back->stream.region, "eu-west-1");
  EXPECT_EQ(back->stream.name, "orders");
  EXPECT_EQ(back->stream_creation_ms, 1700000000123);
  EXPECT_EQ(back->filter.type, engine::ShardFilter::Type::kAtTimestamp);
  EXPECT_EQ(back->filter.timestamp_ms, 1700000000999);
  EXPECT_EQ(back->last_shard_id, "shardId-000000000041");
}

TEST(PagingTokenTest, ExpiresAfterThreeHundredSeconds) {
  ListStreamsToken t{"s", 1000};
  std::string token = EncodeListStreamsToken(t);
  EXPECT_TRUE(DecodeListStreamsToken(token, 1000 + kNextTokenTtlMs).ok());
  auto late = DecodeListStreamsToken(token, 1001 + kNextTokenTtlMs);
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.status().code(), ErrorCode::kExpiredNextToken);
}

TEST(PagingTokenTest, TamperedOrForeignTokensAreInvalid) {
  std::string token = EncodeListStreamsToken(ListStreamsToken{"stream", 1000});
  std::string tampered = token;
  tampered[2] = tampered[2] == 'A' ? 'B' : 'A';
  for (const std::string& bad : {tampered, std::string("garbage"), std::string(""), std::string("AAAA")}) {
    auto r = DecodeListStreamsToken(bad, 1000);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), ErrorCode::kInvalidArgument);
    EXPECT_EQ(r.status().message(), "Invalid NextToken.");
  }
  // A ListStreams token is not a ListShards token.
  EXPECT_FALSE(DecodeListShardsToken(token, 1000).ok());
}

TEST(PagingTokenTest, ListStreamsAndListChannelsTokensShareACodecButNotATag) {
  const std::string channels = EncodeListChannelsToken(ListChannelsToken{"ch-1", 1000});
  auto back = DecodeListChannelsToken(channels, 1000);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->last_channel_name, "ch-1");
  EXPECT_EQ(back->issued_ms, 1000);
  EXPECT_EQ(DecodeListChannelsToken(channels, 1001 + kNextTokenTtlMs).status().code(), ErrorCode::kExpiredNextToken);
  const std::string streams = EncodeListStreamsToken(ListStreamsToken{"ch-1", 1000});
  EXPECT_NE(channels, streams);
  EXPECT_EQ(DecodeListStreamsToken(channels, 1000).status().message(), "Invalid NextToken.");
  EXPECT_EQ(DecodeListChannelsToken(streams, 1000).status().message(), "Invalid NextToken.");
}

}  // namespace
}  // namespace sluice::api
