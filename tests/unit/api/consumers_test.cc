// The stream-consumer operations on the wire: validation messages, outputs,
// consumer addressing, paging and its tokens, DeleteStream's
// EnforceConsumerDeletion, ConsumerCount, and consumer ARNs in the tagging
// and resource-policy operations.
#include <gtest/gtest.h>

#include <set>

#include "api/consumers.h"
#include "api_test_util.h"

namespace sluice::api::testing {
namespace {

const std::string kStreamArn = "arn:aws:kinesis:us-east-1:000000000000:stream/s";

std::string ArnMember(const std::string& arn) { return R"("StreamARN":")" + arn + R"(")"; }

class ConsumersApiTest : public ApiTest {
 protected:
  // Registers `name` on stream "s" and returns its ARN.
  std::string Register(const std::string& name) {
    Json j(Ok("RegisterStreamConsumer", "{" + ArnMember(kStreamArn) + R"(,"ConsumerName":")" + name + R"("})"));
    std::string_view arn;
    EXPECT_FALSE(j.root["Consumer"]["ConsumerARN"].get(arn));
    return std::string(arn);
  }
};

TEST_F(ConsumersApiTest, RegisterAnswersTheConsumer) {
  CreateActiveStream("s", 1);
  clock_.Advance(2500);
  Json j(Ok("RegisterStreamConsumer", "{" + ArnMember(kStreamArn) + R"(,"ConsumerName":"app"})"));
  auto c = j.root["Consumer"];
  EXPECT_EQ(std::string_view(c["ConsumerName"]), "app");
  EXPECT_EQ(std::string_view(c["ConsumerARN"]), kStreamArn + "/consumer/app:1700000002");
  EXPECT_EQ(std::string_view(c["ConsumerStatus"]), "ACTIVE");
  EXPECT_DOUBLE_EQ(double(c["ConsumerCreationTimestamp"]), 1700000002.5);
  EXPECT_EQ(c.get_object().size(), 4u);

  Json summary(Ok("DescribeStreamSummary", R"({"StreamName":"s"})"));
  EXPECT_EQ(int64_t(summary.root["StreamDescriptionSummary"]["ConsumerCount"]), 1);
}

TEST_F(ConsumersApiTest, RegisterValidatesTheModel) {
  ExpectError(Call("RegisterStreamConsumer", "{}"), 400, "ValidationException",
              "2 validation errors detected: Value null at 'streamARN' failed to satisfy constraint: Member must "
              "not be null; Value null at 'consumerName' failed to satisfy constraint: Member must not be null");
  ExpectError(Call("RegisterStreamConsumer", R"({"StreamARN":"arn:aws:s3:::b","ConsumerName":"a b","Tags":{}})"), 400,
              "ValidationException",
              "3 validation errors detected: Value 'arn:aws:s3:::b' at 'streamARN' failed to satisfy constraint: "
              "Member must satisfy regular expression pattern: arn:aws.*:kinesis:.*:\\d{12}:stream/\\S+; Value 'a b' "
              "at 'consumerName' failed to satisfy constraint: Member must satisfy regular expression pattern: "
              "[a-zA-Z0-9_.-]+; Value '{}' at 'tags' failed to satisfy constraint: Member must have length greater "
              "than or equal to 1");
  const std::string long_name(129, 'n');
  ExpectError(Call("RegisterStreamConsumer", "{" + ArnMember(kStreamArn) + R"(,"ConsumerName":")" + long_name + "\"}"),
              400, "ValidationException",
              "1 validation error detected: Value '" + long_name +
                  "' at 'consumerName' failed to satisfy constraint: Member must have length less than or equal to "
                  "128");
  ApiResponse wrong_type = Call("RegisterStreamConsumer", "{" + ArnMember(kStreamArn) + R"(,"ConsumerName":5})");
  EXPECT_EQ(wrong_type.status, 400);
  EXPECT_EQ(wrong_type.error_type, "SerializationException");
}

TEST_F(ConsumersApiTest, RegisterErrors) {
  ExpectError(Call("RegisterStreamConsumer", "{" + ArnMember(kStreamArn) + R"(,"ConsumerName":"app"})"), 400,
              "ResourceNotFoundException", "Stream s under account 000000000000 not found.");
  CreateActiveStream("s", 1);
  Register("app");
  ExpectError(Call("RegisterStreamConsumer", "{" + ArnMember(kStreamArn) + R"(,"ConsumerName":"app"})"), 400,
              "ResourceInUseException", "Consumer app exists");
  ExpectError(
      Call("RegisterStreamConsumer", "{" + ArnMember(kStreamArn) + R"(,"ConsumerName":"t","Tags":{"k":"bad%"}})"), 400,
      "InvalidArgumentException",
      "Failed to add tags to stream s under account 000000000000 because some tags contained illegal "
      "characters. The allowed characters are Unicode letters, white-spaces, '_',',','/','=','+','-','@'.");
  for (int i = 0; i < 19; ++i) Register("c" + std::to_string(i));
  ExpectError(Call("RegisterStreamConsumer", "{" + ArnMember(kStreamArn) + R"(,"ConsumerName":"one-too-many"})"), 400,
              "LimitExceededException", "Only 20 consumers can be registered to a stream at once");
}

TEST_F(ConsumersApiTest, DescribeByArnOrByStreamAndName) {
  CreateActiveStream("s", 1);
  const std::string arn = Register("app");
  for (const std::string& body : std::vector<std::string>{
           R"({"ConsumerARN":")" + arn + R"("})",
           "{" + ArnMember(kStreamArn) + R"(,"ConsumerName":"app"})",
           "{" + ArnMember(kStreamArn) + R"(,"ConsumerName":"app","ConsumerARN":")" + arn + R"("})",
       }) {
    Json j(Ok("DescribeStreamConsumer", body));
    auto d = j.root["ConsumerDescription"];
    EXPECT_EQ(std::string_view(d["ConsumerName"]), "app") << body;
    EXPECT_EQ(std::string_view(d["ConsumerARN"]), arn);
    EXPECT_EQ(std::string_view(d["ConsumerStatus"]), "ACTIVE");
    EXPECT_EQ(std::string_view(d["StreamARN"]), kStreamArn);
    EXPECT_DOUBLE_EQ(double(d["ConsumerCreationTimestamp"]), 1700000000.0);
    EXPECT_EQ(d.get_object().size(), 5u);
  }
}

TEST_F(ConsumersApiTest, DescribeErrors) {
  CreateActiveStream("s", 1);
  const std::string arn = Register("app");
  ExpectError(Call("DescribeStreamConsumer", "{}"), 400, "InvalidArgumentException",
              "ConsumerArn or both ConsumerName and StreamARN are required for this request.");
  ExpectError(Call("DescribeStreamConsumer", R"({"ConsumerName":"app"})"), 400, "InvalidArgumentException",
              "ConsumerArn or both ConsumerName and StreamARN are required for this request.");
  ExpectError(Call("DescribeStreamConsumer", R"({"ConsumerARN":")" + arn + R"(","ConsumerName":"other"})"), 400,
              "InvalidArgumentException",
              "ConsumerName other and ConsumerARN " + arn + " refer to different consumers.");
  const std::string other_stream = "arn:aws:kinesis:us-east-1:000000000000:stream/t";
  ExpectError(Call("DescribeStreamConsumer", "{" + ArnMember(other_stream) + R"(,"ConsumerARN":")" + arn + R"("})"),
              400, "InvalidArgumentException",
              "StreamARN " + other_stream + " and ConsumerARN " + arn + " refer to different streams.");
  ExpectError(Call("DescribeStreamConsumer", "{" + ArnMember(kStreamArn) + R"(,"ConsumerName":"nope"})"), 400,
              "ResourceNotFoundException", "Consumer nope not found.");
  const std::string stale = kStreamArn + "/consumer/app:1600000000";
  ExpectError(Call("DescribeStreamConsumer", R"({"ConsumerARN":")" + stale + R"("})"), 400, "ResourceNotFoundException",
              "Consumer " + stale + " not found.");
  ExpectError(Call("DescribeStreamConsumer", R"({"ConsumerARN":"arn:aws:kinesis:r:1:stream/s/consumer/c:1"})"), 400,
              "ValidationException",
              "1 validation error detected: Value 'arn:aws:kinesis:r:1:stream/s/consumer/c:1' at 'consumerARN' "
              "failed to satisfy constraint: Member must satisfy regular expression pattern: "
              "^(arn):aws.*:kinesis:.*:\\d{12}:.*stream\\/[a-zA-Z0-9_.-]+\\/consumer\\/[a-zA-Z0-9_.-]+:[0-9]+");
  ExpectError(Call("DescribeStreamConsumer", R"({"StreamARN":"x","ConsumerName":"","ConsumerARN":""})"), 400,
              "ValidationException",
              "5 validation errors detected: Value 'x' at 'streamARN' failed to satisfy constraint: Member must "
              "satisfy regular expression pattern: arn:aws.*:kinesis:.*:\\d{12}:stream/\\S+; Value '' at "
              "'consumerName' failed to satisfy constraint: Member must satisfy regular expression pattern: "
              "[a-zA-Z0-9_.-]+; Value '' at 'consumerName' failed to satisfy constraint: Member must have length "
              "greater than or equal to 1; Value '' at 'consumerARN' failed to satisfy constraint: Member must "
              "satisfy regular expression pattern: "
              "^(arn):aws.*:kinesis:.*:\\d{12}:.*stream\\/[a-zA-Z0-9_.-]+\\/consumer\\/[a-zA-Z0-9_.-]+:[0-9]+; "
              "Value '' at 'consumerARN' failed to satisfy constraint: Member must have length greater than or "
              "equal to 1");
}

TEST_F(ConsumersApiTest, DeregisterRemovesTheConsumer) {
  CreateActiveStream("s", 1);
  const std::string a = Register("a");
  Register("b");
  EXPECT_EQ(Ok("DeregisterStreamConsumer", R"({"ConsumerARN":")" + a + R"("})"), "");
  EXPECT_EQ(Ok("DeregisterStreamConsumer", "{" + ArnMember(kStreamArn) + R"(,"ConsumerName":"b"})"), "");
  ExpectError(Call("DescribeStreamConsumer", R"({"ConsumerARN":")" + a + R"("})"), 400, "ResourceNotFoundException",
              "Consumer " + a + " not found.");
  ExpectError(Call("DeregisterStreamConsumer", "{" + ArnMember(kStreamArn) + R"(,"ConsumerName":"b"})"), 400,
              "ResourceNotFoundException", "Consumer b not found.");
  ExpectError(Call("DeregisterStreamConsumer", R"({"StreamARN":")" + kStreamArn + R"("})"), 400,
              "InvalidArgumentException",
              "ConsumerArn or both ConsumerName and StreamARN are required for this request.");
  Json list(Ok("ListStreamConsumers", "{" + ArnMember(kStreamArn) + "}"));
  EXPECT_EQ(list.root["Consumers"].get_array().size(), 0u);
}

TEST_F(ConsumersApiTest, ListPagesWithMaxResultsAndExpiringTokens) {
  CreateActiveStream("s", 1);
  std::vector<std::string> names;
  for (int i = 0; i < 5; ++i) {
    clock_.Advance(1);
    names.push_back("c" + std::to_string(4 - i));  // registration order differs from name order
    Register(names.back());
  }
  std::vector<std::string> seen;
  std::string token;
  int pages = 0;
  do {
    std::string body = "{" + ArnMember(kStreamArn) + R"(,"MaxResults":2)";
    if (!token.empty()) body += R"(,"NextToken":")" + token + "\"";
    Json j(Ok("ListStreamConsumers", body + "}"));
    auto consumers = j.root["Consumers"].get_array();
    EXPECT_LE(consumers.size(), 2u);
    for (auto c : consumers) {
      seen.emplace_back(std::string_view(c["ConsumerName"]));
      EXPECT_EQ(c.get_object().size(), 4u);  // Consumer, without StreamARN
    }
    std::string_view next;
    token = j.root["NextToken"].get(next) ? "" : std::string(next);
  } while (!token.empty() && ++pages < 10);
  EXPECT_EQ(seen, names);
  EXPECT_EQ(pages, 2);  // 2 + 2 + 1

  Json first(Ok("ListStreamConsumers", "{" + ArnMember(kStreamArn) + R"(,"MaxResults":4})"));
  token = std::string(std::string_view(first.root["NextToken"]));
  const std::string next_body = "{" + ArnMember(kStreamArn) + R"(,"NextToken":")" + token + "\"}";
  ExpectError(Call("ListStreamConsumers",
                   "{" + ArnMember(kStreamArn) + R"(,"NextToken":")" + token + R"(","StreamCreationTimestamp":1})"),
              400, "InvalidArgumentException", "NextToken and StreamCreationTimestamp cannot be provided together.");
  CreateActiveStream("t", 1);
  ExpectError(Call("ListStreamConsumers",
                   R"({"StreamARN":"arn:aws:kinesis:us-east-1:000000000000:stream/t","NextToken":")" + token + "\"}"),
              400, "InvalidArgumentException", "Invalid NextToken.");
  ExpectError(Call("ListStreamConsumers", "{" + ArnMember(kStreamArn) + R"(,"NextToken":"garbage"})"), 400,
              "InvalidArgumentException", "Invalid NextToken.");
  clock_.Advance(300 * 1000);
  Json last(Ok("ListStreamConsumers", next_body));
  EXPECT_EQ(last.root["Consumers"].get_array().size(), 1u);
  clock_.Advance(1001);
  ExpectError(Call("ListStreamConsumers", next_body), 400, "ExpiredNextTokenException",
              "The NextToken has expired. A NextToken is valid for 300 seconds.");
}

TEST_F(ConsumersApiTest, ListAnswersAtMost100PerPageAndChecksTheStream) {
  ExpectError(Call("ListStreamConsumers", R"({"MaxResults":0})"), 400, "ValidationException",
              "2 validation errors detected: Value null at 'streamARN' failed to satisfy constraint: Member must "
              "not be null; Value '0' at 'maxResults' failed to satisfy constraint: Member must have value greater "
              "than or equal to 1");
  ExpectError(Call("ListStreamConsumers", "{" + ArnMember(kStreamArn) + R"(,"MaxResults":10001,"NextToken":""})"), 400,
              "ValidationException",
              "2 validation errors detected: Value '' at 'nextToken' failed to satisfy constraint: Member must have "
              "length greater than or equal to 1; Value '10001' at 'maxResults' failed to satisfy constraint: "
              "Member must have value less than or equal to 10000");
  ExpectError(Call("ListStreamConsumers", "{" + ArnMember(kStreamArn) + "}"), 400, "ResourceNotFoundException",
              "Stream s under account 000000000000 not found.");
  CreateActiveStream("s", 1);
  Json empty(Ok("ListStreamConsumers", "{" + ArnMember(kStreamArn) + R"(,"MaxResults":10000})"));
  EXPECT_EQ(empty.root["Consumers"].get_array().size(), 0u);
  std::string_view ignored;
  EXPECT_TRUE(empty.root["NextToken"].get(ignored));  // absent
  ExpectError(Call("ListStreamConsumers", "{" + ArnMember(kStreamArn) + R"(,"StreamCreationTimestamp":1})"), 400,
              "ResourceNotFoundException", "Stream s under account 000000000000 not found.");
  EXPECT_EQ(
      Call("ListStreamConsumers", "{" + ArnMember(kStreamArn) + R"(,"StreamCreationTimestamp":1700000000})").status,
      200);
}

TEST_F(ConsumersApiTest, DeleteStreamEnforceConsumerDeletion) {
  CreateActiveStream("s", 1);
  Register("app");
  ExpectError(Call("DeleteStream", R"({"StreamName":"s"})"), 400, "ResourceInUseException",
              "DeleteStream can\u2019t delete 000000000000:s because there are consumers associated with this data "
              "stream. To delete s anyway, set the EnforceConsumerDeletion parameter to true to force the deletion "
              "of all the consumers that are associated with it.");
  ApiResponse explicit_false = Call("DeleteStream", R"({"StreamName":"s","EnforceConsumerDeletion":false})");
  EXPECT_EQ(explicit_false.status, 400);
  EXPECT_EQ(explicit_false.error_type, "ResourceInUseException");
  Json summary(Ok("DescribeStreamSummary", R"({"StreamName":"s"})"));
  EXPECT_EQ(std::string_view(summary.root["StreamDescriptionSummary"]["StreamStatus"]), "ACTIVE");
}

TEST_F(ConsumersApiTest, EnforcedDeleteStreamTakesTheConsumers) {
  CreateActiveStream("s", 1);
  const std::string arn = Register("app");
  EXPECT_EQ(Ok("DeleteStream", R"({"StreamName":"s","EnforceConsumerDeletion":true})"), "");
  CreateActiveStream("s", 1);
  Json list(Ok("ListStreamConsumers", "{" + ArnMember(kStreamArn) + "}"));
  EXPECT_EQ(list.root["Consumers"].get_array().size(), 0u);
}

TEST_F(ConsumersApiTest, TagsAndPoliciesOnAConsumerArn) {
  CreateActiveStream("s", 1);
  Json reg(Ok("RegisterStreamConsumer", "{" + ArnMember(kStreamArn) + R"(,"ConsumerName":"app","Tags":{"a":"1"}})"));
  const std::string arn(std::string_view(reg.root["Consumer"]["ConsumerARN"]));
  EXPECT_EQ(Ok("TagResource", R"({"ResourceARN":")" + arn + R"(","Tags":{"b":"2","c":"3"}})"), "");
  EXPECT_EQ(Ok("UntagResource", R"({"ResourceARN":")" + arn + R"(","TagKeys":["c"]})"), "");
  Json tags(Ok("ListTagsForResource", R"({"ResourceARN":")" + arn + R"("})"));
  std::vector<std::string> got;
  for (auto t : tags.root["Tags"].get_array()) {
    got.push_back(std::string(std::string_view(t["Key"])) + "=" + std::string(std::string_view(t["Value"])));
  }
  EXPECT_EQ(got, (std::vector<std::string>{"a=1", "b=2"}));
  Json stream_tags(Ok("ListTagsForStream", R"({"StreamName":"s"})"));
  EXPECT_EQ(stream_tags.root["Tags"].get_array().size(), 0u);
  const std::string missing = kStreamArn + "/consumer/nope:1";
  ExpectError(Call("ListTagsForResource", R"({"ResourceARN":")" + missing + R"("})"), 400, "ResourceNotFoundException",
              "Consumer " + missing + " not found.");
  ExpectError(Call("TagResource", R"({"ResourceARN":")" + missing + R"(","Tags":{"a":"b"}})"), 400,
              "ResourceNotFoundException", "Consumer " + missing + " not found.");

  EXPECT_EQ(Ok("PutResourcePolicy", R"({"ResourceARN":")" + arn + R"(","Policy":"{\"Version\":\"2012-10-17\"}"})"), "");
  Json policy(Ok("GetResourcePolicy", R"({"ResourceARN":")" + arn + R"("})"));
  EXPECT_EQ(std::string_view(policy.root["Policy"]), R"({"Version":"2012-10-17"})");
  EXPECT_EQ(Ok("DeregisterStreamConsumer", R"({"ConsumerARN":")" + arn + R"("})"), "");
  ExpectError(Call("GetResourcePolicy", R"({"ResourceARN":")" + arn + R"("})"), 400, "ResourceNotFoundException",
              "Consumer " + arn + " not found.");
  // Registered again in the same second: the same ARN, without the old policy.
  EXPECT_EQ(Register("app"), arn);
  Json fresh(Ok("GetResourcePolicy", R"({"ResourceARN":")" + arn + R"("})"));
  EXPECT_EQ(std::string_view(fresh.root["Policy"]), "{}");
}

TEST(ConsumerArnPatternTest, MatchesLikeTheModel) {
  for (const char* good : {
           "arn:aws:kinesis:us-east-1:123456789012:stream/s/consumer/c:1",
           "arn:aws-cn:kinesis:cn-north-1:123456789012:stream/a.b_c-d/consumer/x.y:1700000000",
           "arn:aws:kinesis::123456789012:xstream/s/consumer/c:0",  // `.*` before "stream/"
           "arn:aws:kinesis:r:000000000000:123456789012:stream/s/consumer/c:12",
       }) {
    EXPECT_TRUE(MatchesConsumerArnPattern(good)) << good;
  }
  for (const char* bad : {
           "",
           "arn:aws:kinesis:us-east-1:123456789012:stream/s",
           "arn:aws:kinesis:us-east-1:123456789012:stream/s/consumer/c",
           "arn:aws:kinesis:us-east-1:123456789012:stream/s/consumer/c:",
           "arn:aws:kinesis:us-east-1:123456789012:stream/s/consumer/c:1 ",
           "arn:aws:kinesis:us-east-1:12345678901:stream/s/consumer/c:1",
           "arn:aws:kinesis:us-east-1:123456789012:stream//consumer/c:1",
           "arn:aws:kinesis:us-east-1:123456789012:stream/s/consumer/:1",
           "arn:aws:kinesis:us-east-1:123456789012:stream/s/consumer/c d:1",
           "arn:aws:kinesis:us-east-1\n:123456789012:stream/s/consumer/c:1",
           "arn:aws:s3:us-east-1:123456789012:stream/s/consumer/c:1",
           "xarn:aws:kinesis:us-east-1:123456789012:stream/s/consumer/c:1",
       }) {
    EXPECT_FALSE(MatchesConsumerArnPattern(bad)) << bad;
  }
}

}  // namespace
}  // namespace sluice::api::testing
