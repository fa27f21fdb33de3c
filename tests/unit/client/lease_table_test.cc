#include "client/lease_table.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace sluice::client {
namespace {

// Answers Scan from `pages` in turn; keeps each request's API and body.
class PagedScan final : public Transport {
 public:
  explicit PagedScan(std::vector<std::string> pages) : pages_(std::move(pages)) {}
  Outcome<HttpReply> CallApi(const JsonApi& api, std::string_view operation, std::string_view body) override {
    apis.emplace_back(api.target_prefix);
    operations.emplace_back(operation);
    bodies.emplace_back(body);
    if (next_ >= pages_.size()) return HttpReply{400, R"({"__type":"ValidationException","message":"no page"})"};
    return HttpReply{200, pages_[next_++]};
  }
  std::vector<std::string> apis, operations, bodies;

 private:
  std::vector<std::string> pages_;
  size_t next_ = 0;
};

Lease WithKey(std::string key) {
  Lease lease;
  lease.key = std::move(key);
  return lease;
}

Lease WithCheckpoint(std::string checkpoint) {
  Lease lease;
  lease.checkpoint = std::move(checkpoint);
  return lease;
}

TEST(Lease, ASingleStreamKeyIsTheShardId) {
  Lease lease = WithKey("shardId-000000000003");
  EXPECT_EQ(lease.ShardId(), "shardId-000000000003");
  EXPECT_EQ(lease.StreamName(), "");
}

TEST(Lease, AMultiStreamKeyNamesItsStreamAndShard) {
  Lease lease = WithKey("123456789012:orders:1700000000:shardId-000000000001");
  EXPECT_EQ(lease.ShardId(), "shardId-000000000001");
  EXPECT_EQ(lease.StreamName(), "orders");
}

TEST(Lease, OnlyDigitsAreASequenceNumberCheckpoint) {
  EXPECT_TRUE(WithCheckpoint("49650000000000000000000000000000000000000000000000000002").CheckpointIsSequenceNumber());
  EXPECT_FALSE(WithCheckpoint("TRIM_HORIZON").CheckpointIsSequenceNumber());
  EXPECT_FALSE(WithCheckpoint("SHARD_END").CheckpointIsSequenceNumber());
  EXPECT_FALSE(Lease{}.CheckpointIsSequenceNumber());
}

TEST(ReadLeaseTable, FollowsLastEvaluatedKeyAndSortsByKey) {
  auto transport = std::make_shared<PagedScan>(std::vector<std::string>{
      R"({"Items":[{"leaseKey":{"S":"shardId-2"},"leaseOwner":{"S":"w1"},"leaseCounter":{"N":"12"},)"
      R"("checkpoint":{"S":"SHARD_END"},"parentShardId":{"SS":["shardId-0","shardId-1"]}}],)"
      R"("Count":1,"ScannedCount":1,"LastEvaluatedKey":{"leaseKey":{"S":"shardId-2"}}})",
      R"({"Items":[{"leaseKey":{"S":"shardId-1"},"leaseCounter":{"N":"3"},"checkpoint":{"S":"TRIM_HORIZON"}}],)"
      R"("Count":1,"ScannedCount":1})"});
  Client client(transport);
  Outcome<std::vector<Lease>> leases = ReadLeaseTable(client, "my-app");
  ASSERT_TRUE(leases.ok()) << leases.error().ToString();
  ASSERT_EQ(leases->size(), 2u);
  EXPECT_EQ((*leases)[0].key, "shardId-1");
  EXPECT_EQ((*leases)[0].owner, "");
  EXPECT_EQ((*leases)[0].counter, 3);
  EXPECT_EQ((*leases)[1].key, "shardId-2");
  EXPECT_EQ((*leases)[1].owner, "w1");
  EXPECT_EQ((*leases)[1].checkpoint, "SHARD_END");
  EXPECT_EQ((*leases)[1].parents, (std::vector<std::string>{"shardId-0", "shardId-1"}));
  // Two DynamoDB Scans, the second from where the first stopped.
  ASSERT_EQ(transport->operations, (std::vector<std::string>{"Scan", "Scan"}));
  EXPECT_EQ(transport->apis[0], "DynamoDB_20120810");
  EXPECT_EQ(transport->bodies[0], R"({"TableName":"my-app","ConsistentRead":true})");
  EXPECT_EQ(transport->bodies[1],
            R"({"TableName":"my-app","ConsistentRead":true,"ExclusiveStartKey":{"leaseKey":{"S":"shardId-2"}}})");
}

TEST(ReadLeaseTable, AMissingTableIsTheServicesError) {
  auto transport = std::make_shared<PagedScan>(std::vector<std::string>{});
  Client client(transport);
  Outcome<std::vector<Lease>> leases = ReadLeaseTable(client, "none");
  ASSERT_FALSE(leases.ok());
  EXPECT_EQ(leases.error().type, "ValidationException");
}

}  // namespace
}  // namespace sluice::client
