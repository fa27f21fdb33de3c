// AddTagsToStream, RemoveTagsFromStream and their ARN forms TagResource,
// UntagResource, ListTagsForResource: one tag store per stream.
#include "api_test_util.h"

namespace sluice::api::testing {
namespace {

constexpr std::string_view kArn = "arn:aws:kinesis:us-east-1:000000000000:stream/t";

std::vector<std::pair<std::string, std::string>> TagsOf(const std::string& body) {
  Json j(body);
  std::vector<std::pair<std::string, std::string>> out;
  simdjson::dom::array tags = j.root["Tags"];
  for (simdjson::dom::element t : tags) {
    out.emplace_back(std::string(std::string_view(t["Key"])), std::string(std::string_view(t["Value"])));
  }
  return out;
}

using Tags = std::vector<std::pair<std::string, std::string>>;

TEST_F(ApiTest, AddTagsToStreamOverwritesAndRemoveIgnoresMissingKeys) {
  CreateActiveStream("t", 1);
  EXPECT_EQ(Ok("AddTagsToStream", R"({"StreamName":"t","Tags":{"b":"1","a":"x y"}})"), "");
  Ok("AddTagsToStream", R"({"StreamName":"t","Tags":{"b":"2","c":""}})");
  EXPECT_EQ(TagsOf(Ok("ListTagsForStream", R"({"StreamName":"t"})")), (Tags{{"a", "x y"}, {"b", "2"}, {"c", ""}}));
  EXPECT_EQ(Ok("RemoveTagsFromStream", R"({"StreamName":"t","TagKeys":["c","zzz"]})"), "");
  EXPECT_EQ(TagsOf(Ok("ListTagsForStream", R"({"StreamName":"t"})")), (Tags{{"a", "x y"}, {"b", "2"}}));
}

TEST_F(ApiTest, ResourceArnOperationsShareTheStreamsTags) {
  CreateActiveStream("t", 1);
  Ok("TagResource", R"({"ResourceARN":")" + std::string(kArn) + R"(","Tags":{"k":"v","z":"1"}})");
  Ok("AddTagsToStream", R"({"StreamARN":")" + std::string(kArn) + R"(","Tags":{"m":"n"}})");
  EXPECT_EQ(TagsOf(Ok("ListTagsForStream", R"({"StreamName":"t"})")), (Tags{{"k", "v"}, {"m", "n"}, {"z", "1"}}));
  Ok("UntagResource", R"({"ResourceARN":")" + std::string(kArn) + R"(","TagKeys":["z"]})");
  std::string body = Ok("ListTagsForResource", R"({"ResourceARN":")" + std::string(kArn) + R"("})");
  EXPECT_EQ(body, R"({"Tags":[{"Key":"k","Value":"v"},{"Key":"m","Value":"n"}]})");
}

TEST_F(ApiTest, ResourceArnOfAConsumerOrAMissingStreamIsNotFound) {
  ExpectError(Call("ListTagsForResource", R"({"ResourceARN":"arn:aws:kinesis:us-east-1:000000000000:stream/nope"})"),
              400, "ResourceNotFoundException", "Stream nope under account 000000000000 not found.");
  CreateActiveStream("t", 1);
  const std::string consumer = std::string(kArn) + "/consumer/c:1700000000";
  ExpectError(Call("TagResource", R"({"ResourceARN":")" + consumer + R"(","Tags":{"a":"b"}})"), 400,
              "ResourceNotFoundException", "Consumer " + consumer + " not found.");
  ExpectError(Call("ListTagsForResource", R"({"ResourceARN":")" + consumer + R"("})"), 400, "ResourceNotFoundException",
              "Consumer " + consumer + " not found.");
  // The ARN's account and region select the namespace.
  ExpectError(Call("ListTagsForResource", R"({"ResourceARN":"arn:aws:kinesis:eu-west-1:000000000000:stream/t"})"), 400,
              "ResourceNotFoundException", "Stream t under account 000000000000 not found.");
}

TEST_F(ApiTest, TaggingValidatesTheModelInOrder) {
  ExpectError(Call("AddTagsToStream", R"({"StreamName":"t!"})"), 400, "ValidationException",
              "2 validation errors detected: Value null at 'tags' failed to satisfy constraint: Member must not be "
              "null; Value 't!' at 'streamName' failed to satisfy constraint: Member must satisfy regular "
              "expression pattern: [a-zA-Z0-9_.-]+");
  ExpectError(Call("AddTagsToStream", R"({"StreamName":"t","Tags":{}})"), 400, "ValidationException",
              "1 validation error detected: Value '{}' at 'tags' failed to satisfy constraint: Member must have "
              "length greater than or equal to 1");
  const std::string long_key(129, 'k');
  const std::string long_value(257, 'v');
  ExpectError(Call("AddTagsToStream", R"({"StreamName":"t","Tags":{")" + long_key + R"(":")" + long_value + R"("}})"),
              400, "ValidationException",
              "2 validation errors detected: Value '{" + long_key + "=" + long_value +
                  "}' at 'tags' failed to satisfy constraint: Map keys must satisfy constraint: [Member must have "
                  "length less than or equal to 128, Member must have length greater than or equal to 1]; Value '{" +
                  long_key + "=" + long_value +
                  "}' at 'tags' failed to satisfy constraint: Map value must satisfy constraint: [Member must have "
                  "length less than or equal to 256, Member must have length greater than or equal to 0]");
  std::string many = "{";
  for (int i = 0; i < 201; ++i) many += (i ? "," : "") + std::string("\"k") + std::to_string(i) + "\":\"v\"";
  many += "}";
  ApiResponse r = Call("AddTagsToStream", R"({"StreamName":"t","Tags":)" + many + "}");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("Member must have length less than or equal to 200"), std::string::npos) << r.body;

  ExpectError(Call("RemoveTagsFromStream", R"({"StreamName":"t","TagKeys":[]})"), 400, "ValidationException",
              "1 validation error detected: Value '[]' at 'tagKeys' failed to satisfy constraint: Member must have "
              "length greater than or equal to 1");
  ExpectError(Call("RemoveTagsFromStream", R"({"StreamName":"t","TagKeys":["a",""]})"), 400, "ValidationException",
              "1 validation error detected: Value '[a, ]' at 'tagKeys' failed to satisfy constraint: Member must "
              "satisfy constraint: [Member must have length less than or equal to 128, Member must have length "
              "greater than or equal to 1]");
  std::string keys = "[";
  for (int i = 0; i < 51; ++i) keys += (i ? ",\"k" : "\"k") + std::to_string(i) + "\"";
  keys += "]";
  r = Call("RemoveTagsFromStream", R"({"StreamName":"t","TagKeys":)" + keys + "}");
  EXPECT_NE(r.body.find("Member must have length less than or equal to 50"), std::string::npos) << r.body;

  ExpectError(Call("TagResource", R"({"ResourceARN":"arn:aws:kinesis:us-east-1:000000000000:table/x"})"), 400,
              "ValidationException",
              "2 validation errors detected: Value null at 'tags' failed to satisfy constraint: Member must not be "
              "null; Value 'arn:aws:kinesis:us-east-1:000000000000:table/x' at 'resourceARN' failed to satisfy "
              "constraint: Member must satisfy regular expression pattern: "
              "arn:aws.*:kinesis:.*:\\d{12}:.*(stream|channel|queue)/\\S+");
  ExpectError(Call("UntagResource", "{}"), 400, "ValidationException",
              "2 validation errors detected: Value null at 'tagKeys' failed to satisfy constraint: Member must not "
              "be null; Value null at 'resourceARN' failed to satisfy constraint: Member must not be null");
  ExpectError(Call("ListTagsForResource", "{}"), 400, "ValidationException",
              "1 validation error detected: Value null at 'resourceARN' failed to satisfy constraint: Member must "
              "not be null");
  ExpectError(Call("AddTagsToStream", R"({"Tags":{"a":"b"}})"), 400, "InvalidArgumentException",
              "Stream arn and stream name can't be empty at the same time");
}

TEST_F(ApiTest, TaggingChecksCharactersAfterFindingTheStream) {
  ExpectError(Call("AddTagsToStream", R"({"StreamName":"t","Tags":{"a!":"b"}})"), 400, "ResourceNotFoundException",
              "Stream t under account 000000000000 not found.");
  CreateActiveStream("t", 1);
  const std::string invalid =
      "Some tags contain invalid characters. Valid characters: Unicode letters, digits, white space, _ . / = + - % @.";
  ExpectError(Call("AddTagsToStream", R"({"StreamName":"t","Tags":{"a!":"b"}})"), 400, "InvalidArgumentException",
              invalid);
  ExpectError(Call("AddTagsToStream", R"({"StreamName":"t","Tags":{"a":"b*"}})"), 400, "InvalidArgumentException",
              invalid);
  ExpectError(Call("RemoveTagsFromStream", R"({"StreamName":"t","TagKeys":["a#"]})"), 400, "InvalidArgumentException",
              invalid);
  ExpectError(Call("AddTagsToStream", R"({"StreamName":"t","Tags":{"a":"50%"}})"), 400, "InvalidArgumentException",
              "Failed to add tags to stream t under account 000000000000 because some tags contained illegal "
              "characters. The allowed characters are Unicode letters, white-spaces, '_',',','/','=','+','-','@'.");
  ExpectError(Call("UntagResource", R"({"ResourceARN":")" + std::string(kArn) + R"(","TagKeys":["%"]})"), 400,
              "InvalidArgumentException",
              "Failed to remove tags from stream t under account 000000000000 because some tags contained illegal "
              "characters. The allowed characters are Unicode letters, white-spaces, '_',',','/','=','+','-','@'.");
  // Letters beyond ASCII, digits, spaces and the punctuation listed are fine.
  Ok("AddTagsToStream", R"({"StreamName":"t","Tags":{"caf\u00e9 k_1.2:3/4=5+6-7@8":"\u65e5\u672c"}})");
  EXPECT_EQ(TagsOf(Ok("ListTagsForStream", R"({"StreamName":"t"})")).size(), 1u);
}

TEST_F(ApiTest, AStreamHoldsAtMostFiftyTags) {
  CreateActiveStream("t", 1);
  std::string fifty = "{";
  for (int i = 0; i < 50; ++i) fifty += (i ? "," : "") + std::string("\"k") + std::to_string(i) + "\":\"v\"";
  fifty += "}";
  Ok("AddTagsToStream", R"({"StreamName":"t","Tags":)" + fifty + "}");
  ExpectError(Call("TagResource", R"({"ResourceARN":")" + std::string(kArn) + R"(","Tags":{"new":"v"}})"), 400,
              "InvalidArgumentException",
              "Failed to add tags to stream t under account 000000000000 because a given stream cannot have more "
              "than 50 tags associated with it.");
  EXPECT_EQ(TagsOf(Ok("ListTagsForResource", R"({"ResourceARN":")" + std::string(kArn) + R"("})")).size(), 50u);
}

TEST_F(ApiTest, TaggingNeedsAnActiveStream) {
  engine::EngineOptions opts;
  opts.durability = storage::Durability::kMemory;
  opts.clock = &clock_;
  opts.create_stream_delay_ms = 60000;
  auto e = engine::Engine::Open(opts);
  ASSERT_TRUE(e.ok());
  auto engine = std::move(e).value();
  dispatcher_ = std::make_unique<Dispatcher>(*engine, ApiOptions{});
  Ok("CreateStream", R"({"StreamName":"t","ShardCount":1})");
  ExpectError(Call("AddTagsToStream", R"({"StreamName":"t","Tags":{"a":"b"}})"), 400, "ResourceInUseException",
              "Stream t under account 000000000000 not ACTIVE, instead in state CREATING");
  dispatcher_.reset();
}

}  // namespace
}  // namespace sluice::api::testing
