#include "dynamodb/dynamodb_service.h"

#include <gtest/gtest.h>

#include <optional>

#include "dynamodb/service_call.h"

namespace sluice::dynamodb {
namespace {

// Drives the service directly, as the gateway would, over an in-memory
// table store.
class DynamoDbServiceTest : public testing::Test {
 protected:
  DynamoDbServiceTest()
      : store_(std::move(TableStore::Open(StoreOptions{"", storage::Durability::kMemory})).value()),
        service_(*store_, "123456789012", "eu-west-1") {}

  gateway::ServiceResponse Call(std::string_view operation, std::string_view body) {
    return dynamodb_testing::CallService(service_, operation, body);
  }

  void CreateLeaseTable() {
    auto r = Call("CreateTable", R"({"TableName":"leases","BillingMode":"PAY_PER_REQUEST",
        "KeySchema":[{"AttributeName":"leaseKey","KeyType":"HASH"}],
        "AttributeDefinitions":[{"AttributeName":"leaseKey","AttributeType":"S"}]})");
    ASSERT_EQ(r.status, 200) << r.body;
  }

  std::unique_ptr<TableStore> store_;
  DynamoDbService service_;
};

TEST_F(DynamoDbServiceTest, AnOperationNotServedIsUnknown) {
  auto r = Call("DescribeEndpoints", "{}");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.error_type, "UnknownOperationException");
  EXPECT_NE(r.body.find("\"com.amazon.coral.service#UnknownOperationException\""), std::string::npos);
}

TEST_F(DynamoDbServiceTest, ABodyThatIsNotJsonIsASerializationError) {
  auto r = Call("GetItem", "{not json");
  EXPECT_EQ(r.error_type, "SerializationException");
}

TEST_F(DynamoDbServiceTest, ErrorsCarryTheServiceNamespaces) {
  auto r = Call("DescribeTable", R"({"TableName":"missing"})");
  EXPECT_EQ(r.body, R"({"__type":"com.amazonaws.dynamodb.v20120810#ResourceNotFoundException",)"
                    R"("message":"Requested resource not found: Table: missing not found"})");
  r = Call("DescribeTable", R"({"TableName":"x"})");
  EXPECT_NE(r.body.find("\"com.amazon.coral.validate#ValidationException\""), std::string::npos);
}

TEST_F(DynamoDbServiceTest, TheTableArnNamesTheCallersAccountAndRegion) {
  CreateLeaseTable();
  auto r = Call("DescribeTable", R"({"TableName":"leases"})");
  EXPECT_NE(r.body.find("\"TableArn\":\"arn:aws:dynamodb:eu-west-1:123456789012:table/leases\""), std::string::npos)
      << r.body;
  EXPECT_NE(r.body.find("\"TableStatus\":\"ACTIVE\""), std::string::npos);
}

TEST_F(DynamoDbServiceTest, AFailedConditionReturnsTheOldItemWhenAsked) {
  CreateLeaseTable();
  ASSERT_EQ(Call("PutItem", R"({"TableName":"leases","Item":{"leaseKey":{"S":"a"},"n":{"N":"1"}}})").status, 200);
  auto r = Call("PutItem", R"j({"TableName":"leases","Item":{"leaseKey":{"S":"a"}},
      "ConditionExpression":"attribute_not_exists(leaseKey)","ReturnValuesOnConditionCheckFailure":"ALL_OLD"})j");
  EXPECT_EQ(r.error_type, "ConditionalCheckFailedException");
  EXPECT_EQ(r.body, R"({"__type":"com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException",)"
                    R"("message":"The conditional request failed","Item":{"leaseKey":{"S":"a"},"n":{"N":"1"}}})");
}

TEST_F(DynamoDbServiceTest, CountersStayPlainIntegersAndLastEvaluatedKeyIsAbsentAtTheEnd) {
  CreateLeaseTable();
  ASSERT_EQ(Call("UpdateItem", R"({"TableName":"leases","Key":{"leaseKey":{"S":"a"}},
      "AttributeUpdates":{"leaseCounter":{"Action":"ADD","Value":{"N":"1"}}}})")
                .status,
            200);
  auto r = Call("Scan", R"({"TableName":"leases","Limit":10})");
  EXPECT_EQ(r.body, R"({"Items":[{"leaseCounter":{"N":"1"},"leaseKey":{"S":"a"}}],"Count":1,"ScannedCount":1})");
  r = Call("Scan", R"({"TableName":"leases","Limit":1})");
  EXPECT_EQ(r.body.find("LastEvaluatedKey"), std::string::npos) << "one item, nothing after it";
}

}  // namespace
}  // namespace sluice::dynamodb
