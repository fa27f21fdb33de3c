// The DynamoDB tables of cluster mode in a real etcd: two nodes' table
// stores on one etcd, driven through the DynamoDB service as the gateway
// would.
#include "cluster/etcd_tables.h"

#include <gtest/gtest.h>

#include <atomic>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "cluster/etcd_fixture.h"
#include "dynamodb/dynamodb_service.h"
#include "dynamodb/service_call.h"

namespace sluice::cluster {
namespace {

using testing::EtcdFixture;
using testing::MakeClient;

// One node: its own etcd client, shared tables and DynamoDB service.
struct Node {
  explicit Node(const std::string& endpoint)
      : client(MakeClient({endpoint})),
        tables(*client),
        store(
            std::move(dynamodb::TableStore::Open({"", storage::Durability::kMemory, storage::Env::Default(), &tables}))
                .value()),
        service(*store, "123456789012", "eu-west-1") {}

  gateway::ServiceResponse Call(std::string_view operation, std::string_view body) {
    return dynamodb_testing::CallService(service, operation, body);
  }

  std::unique_ptr<EtcdClient> client;
  EtcdTables tables;
  std::unique_ptr<dynamodb::TableStore> store;
  dynamodb::DynamoDbService service;
};

class EtcdTablesTest : public EtcdFixture {
 protected:
  void SetUp() override {
    EtcdFixture::SetUp();
    a_ = std::make_unique<Node>(etcd_.endpoint());
    b_ = std::make_unique<Node>(etcd_.endpoint());
  }

  void CreateLeaseTable(Node& node) {
    auto r = node.Call("CreateTable", R"({"TableName":"leases","BillingMode":"PAY_PER_REQUEST",
        "KeySchema":[{"AttributeName":"leaseKey","KeyType":"HASH"}],
        "AttributeDefinitions":[{"AttributeName":"leaseKey","AttributeType":"S"}]})");
    ASSERT_EQ(r.status, 200) << r.body;
  }

  std::unique_ptr<Node> a_, b_;
};

std::string PutIfAbsent(const std::string& key, const std::string& owner) {
  return R"({"TableName":"leases","Item":{"leaseKey":{"S":")" + key + R"("},"owner":{"S":")" + owner +
         R"j("}},"ConditionExpression":"attribute_not_exists(leaseKey)"})j";
}

TEST_F(EtcdTablesTest, ATableCreatedThroughOneNodeIsDescribedAndListedThroughTheOther) {
  CreateLeaseTable(*a_);
  ASSERT_EQ(a_->Call("PutItem", PutIfAbsent("k", "a")).status, 200);
  auto r = b_->Call("DescribeTable", R"({"TableName":"leases"})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find("\"TableStatus\":\"ACTIVE\""), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("\"ItemCount\":1"), std::string::npos) << r.body;
  r = b_->Call("ListTables", "{}");
  EXPECT_EQ(r.body, R"({"TableNames":["leases"]})");
  r = b_->Call("CreateTable", R"({"TableName":"leases","BillingMode":"PAY_PER_REQUEST",
        "KeySchema":[{"AttributeName":"leaseKey","KeyType":"HASH"}],
        "AttributeDefinitions":[{"AttributeName":"leaseKey","AttributeType":"S"}]})");
  EXPECT_EQ(r.error_type, "ResourceInUseException") << r.body;
}

TEST_F(EtcdTablesTest, OfTwoConditionalPutsRacingThroughTwoNodesExactlyOneSucceeds) {
  CreateLeaseTable(*a_);
  constexpr int kKeys = 30;
  std::atomic<int> won_a{0}, won_b{0}, failed{0}, other{0};
  auto race = [&](Node& node, const std::string& owner, std::atomic<int>& won) {
    for (int i = 0; i < kKeys; ++i) {
      auto r = node.Call("PutItem", PutIfAbsent("k" + std::to_string(i), owner));
      if (r.status == 200) {
        ++won;
      } else if (r.error_type == "ConditionalCheckFailedException") {
        ++failed;
      } else {
        ++other;
      }
    }
  };
  std::thread ta([&] { race(*a_, "a", won_a); });
  std::thread tb([&] { race(*b_, "b", won_b); });
  ta.join();
  tb.join();
  EXPECT_EQ(won_a + won_b, kKeys);
  EXPECT_EQ(failed.load(), kKeys);
  EXPECT_EQ(other.load(), 0);
  // The owner each node reads is the winner's, the same through both.
  for (int i = 0; i < kKeys; ++i) {
    std::string get = R"({"TableName":"leases","Key":{"leaseKey":{"S":"k)" + std::to_string(i) + R"("}}})";
    EXPECT_EQ(a_->Call("GetItem", get).body, b_->Call("GetItem", get).body);
  }
}

TEST_F(EtcdTablesTest, AWriteThroughOneNodeIsReadThroughTheOtherRightAfter) {
  CreateLeaseTable(*a_);
  for (int i = 0; i < 20; ++i) {
    std::string value = std::to_string(i);
    auto r =
        a_->Call("PutItem", R"({"TableName":"leases","Item":{"leaseKey":{"S":"x"},"n":{"N":")" + value + R"("}}})");
    ASSERT_EQ(r.status, 200) << r.body;
    r = b_->Call("GetItem", R"({"TableName":"leases","Key":{"leaseKey":{"S":"x"}}})");
    EXPECT_EQ(r.body, R"({"Item":{"leaseKey":{"S":"x"},"n":{"N":")" + value + R"("}}})");
    r = b_->Call("Scan", R"({"TableName":"leases"})");
    EXPECT_NE(r.body.find(R"("n":{"N":")" + value + "\"}"), std::string::npos) << r.body;
  }
  auto r = b_->Call("DeleteItem", R"({"TableName":"leases","Key":{"leaseKey":{"S":"x"}}})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(a_->Call("GetItem", R"({"TableName":"leases","Key":{"leaseKey":{"S":"x"}}})").body, "{}");
}

TEST_F(EtcdTablesTest, ConditionalIncrementsThroughTwoNodesLoseNoCount) {
  CreateLeaseTable(*a_);
  ASSERT_EQ(a_->Call("PutItem", R"({"TableName":"leases","Item":{"leaseKey":{"S":"c"},"n":{"N":"0"}}})").status, 200);
  constexpr int kEach = 20;
  // Each increment reads the counter and updates it only if it is unchanged,
  // as the KCL takes a lease by its counter.
  auto increment = [&](Node& node) {
    for (int done = 0; done < kEach;) {
      auto got = node.Call("GetItem", R"({"TableName":"leases","Key":{"leaseKey":{"S":"c"}}})");
      size_t at = got.body.find("\"N\":\"");
      ASSERT_NE(at, std::string::npos) << got.body;
      std::string n = got.body.substr(at + 5, got.body.find('"', at + 5) - at - 5);
      auto r = node.Call("UpdateItem", R"({"TableName":"leases","Key":{"leaseKey":{"S":"c"}},
          "UpdateExpression":"SET n = n + :one","ConditionExpression":"n = :seen",
          "ExpressionAttributeValues":{":one":{"N":"1"},":seen":{"N":")" +
                                           n + R"("}}})");
      if (r.status == 200) {
        ++done;
      } else {
        ASSERT_EQ(r.error_type, "ConditionalCheckFailedException") << r.body;
      }
    }
  };
  std::thread ta([&] { increment(*a_); });
  std::thread tb([&] { increment(*b_); });
  ta.join();
  tb.join();
  EXPECT_EQ(b_->Call("GetItem", R"({"TableName":"leases","Key":{"leaseKey":{"S":"c"}}})").body,
            R"({"Item":{"leaseKey":{"S":"c"},"n":{"N":"40"}}})");
}

TEST_F(EtcdTablesTest, ATableDeletedAndCreatedAgainThroughAnotherNodeHasNoOldItems) {
  CreateLeaseTable(*a_);
  ASSERT_EQ(a_->Call("PutItem", PutIfAbsent("old", "a")).status, 200);
  ASSERT_EQ(b_->Call("DeleteTable", R"({"TableName":"leases"})").status, 200);
  EXPECT_EQ(a_->Call("GetItem", R"({"TableName":"leases","Key":{"leaseKey":{"S":"old"}}})").error_type,
            "ResourceNotFoundException");
  CreateLeaseTable(*b_);
  EXPECT_EQ(a_->Call("Scan", R"({"TableName":"leases"})").body, R"({"Items":[],"Count":0,"ScannedCount":0})");
  Result<RangeResult> left = client_->GetPrefix(std::string(kDynamoItemsPrefix));
  ASSERT_TRUE(left.ok());
  EXPECT_TRUE(left->kvs.empty()) << "the deleted table's items are gone from etcd";
}

TEST_F(EtcdTablesTest, ATransactionBeyondTheCommitLimitIsAValidationErrorAndWritesNothing) {
  CreateLeaseTable(*a_);
  std::string big(300 * 1024, 'x');
  std::string items;
  for (int i = 0; i < 4; ++i) {
    items += std::string(i ? "," : "") + R"({"Put":{"TableName":"leases","Item":{"leaseKey":{"S":"t)" +
             std::to_string(i) + R"("},"blob":{"S":")" + big + R"("}}}})";
  }
  auto r = a_->Call("TransactWriteItems", R"({"TransactItems":[)" + items + "]}");
  EXPECT_EQ(r.error_type, "ValidationException") << r.body.substr(0, 300);
  EXPECT_EQ(b_->Call("Scan", R"({"TableName":"leases","Select":"COUNT"})").body, R"({"Count":0,"ScannedCount":0})");
  // A batch of the same items is not atomic: it is split into commits.
  items.clear();
  for (int i = 0; i < 4; ++i) {
    items += std::string(i ? "," : "") + R"({"PutRequest":{"Item":{"leaseKey":{"S":"t)" + std::to_string(i) +
             R"("},"blob":{"S":")" + big + R"("}}}})";
  }
  r = a_->Call("BatchWriteItem", R"({"RequestItems":{"leases":[)" + items + "]}}");
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(b_->Call("Scan", R"({"TableName":"leases","Select":"COUNT"})").body, R"({"Count":4,"ScannedCount":4})");
}

}  // namespace
}  // namespace sluice::cluster
