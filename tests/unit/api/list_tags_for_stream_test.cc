// ListTagsForStream over tags given at CreateStream.
#include "api_test_util.h"

namespace sluice::api::testing {
namespace {

TEST_F(ApiTest, ListTagsForStreamReturnsCreateTagsInKeyOrder) {
  Ok("CreateStream", R"({"StreamName":"t","ShardCount":1,"Tags":{"b":"2","a":"1","c":""}})");
  Json j(Ok("ListTagsForStream", R"({"StreamName":"t"})"));
  simdjson::dom::array tags = j.root["Tags"];
  ASSERT_EQ(tags.size(), 3u);
  EXPECT_EQ(std::string_view(tags.at(0)["Key"]), "a");
  EXPECT_EQ(std::string_view(tags.at(0)["Value"]), "1");
  EXPECT_EQ(std::string_view(tags.at(2)["Key"]), "c");
  EXPECT_EQ(std::string_view(tags.at(2)["Value"]), "");
  EXPECT_FALSE(bool(j.root["HasMoreTags"]));
}

TEST_F(ApiTest, ListTagsForStreamPagesWithExclusiveStartTagKeyAndLimit) {
  Ok("CreateStream", R"({"StreamName":"t","ShardCount":1,"Tags":{"b":"2","a":"1","c":"3"}})");
  Json j(Ok("ListTagsForStream", R"({"StreamName":"t","ExclusiveStartTagKey":"a","Limit":1})"));
  simdjson::dom::array tags = j.root["Tags"];
  ASSERT_EQ(tags.size(), 1u);
  EXPECT_EQ(std::string_view(tags.at(0)["Key"]), "b");
  EXPECT_TRUE(bool(j.root["HasMoreTags"]));
}

TEST_F(ApiTest, ListTagsForStreamValidatesLimitAndFindsNoStream) {
  ExpectError(Call("ListTagsForStream", R"({"StreamName":"t","Limit":51})"), 400, "ValidationException",
              "1 validation error detected: Value '51' at 'limit' failed to satisfy constraint: "
              "Member must have value less than or equal to 50");
  ExpectError(Call("ListTagsForStream", R"({"StreamName":"nope"})"), 400, "ResourceNotFoundException",
              "Stream nope under account 000000000000 not found.");
}

}  // namespace
}  // namespace sluice::api::testing
