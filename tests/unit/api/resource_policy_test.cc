// Put/Get/DeleteResourcePolicy over the wire shapes: the stored policy,
// the empty policy, the missing stream, consumer ARNs, validation, policies
// of deleted streams.
#include "api_test_util.h"

namespace sluice::api::testing {
namespace {

constexpr std::string_view kArn = "arn:aws:kinesis:us-east-1:000000000000:stream/p";
constexpr std::string_view kPolicy =
    R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kinesis:GetRecords","Resource":"*"}]})";

std::string ArnBody(std::string_view arn) { return R"({"ResourceARN":")" + std::string(arn) + R"("})"; }

// The PutResourcePolicy body, with `policy` escaped as a JSON string.
std::string PutBody(std::string_view arn, std::string_view policy) {
  std::string escaped;
  for (char c : policy) {
    if (c == '\n') {
      escaped.append("\\n");
      continue;
    }
    if (c == '"' || c == '\\') escaped.push_back('\\');
    escaped.push_back(c);
  }
  return R"({"ResourceARN":")" + std::string(arn) + R"(","Policy":")" + escaped + R"("})";
}

std::string PolicyOf(const std::string& body) {
  Json j(body);
  std::string_view policy;
  EXPECT_FALSE(j.root["Policy"].get(policy)) << body;
  return std::string(policy);
}

TEST_F(ApiTest, ResourcePolicyIsStoredVerbatimReplacedAndDeleted) {
  CreateActiveStream("p", 1);
  EXPECT_EQ(Ok("GetResourcePolicy", ArnBody(kArn)), R"({"Policy":"{}"})");
  EXPECT_EQ(Ok("PutResourcePolicy", PutBody(kArn, kPolicy)), "");
  EXPECT_EQ(PolicyOf(Ok("GetResourcePolicy", ArnBody(kArn))), kPolicy);
  const std::string spaced = "{ \"Version\" : \"2012-10-17\",\n  \"Statement\": [] }";
  Ok("PutResourcePolicy", PutBody(kArn, spaced));
  EXPECT_EQ(PolicyOf(Ok("GetResourcePolicy", ArnBody(kArn))), spaced);
  EXPECT_EQ(Ok("DeleteResourcePolicy", ArnBody(kArn)), "");
  EXPECT_EQ(Ok("GetResourcePolicy", ArnBody(kArn)), R"({"Policy":"{}"})");
  ExpectError(Call("DeleteResourcePolicy", ArnBody(kArn)), 400, "ResourceNotFoundException",
              "No resource policy found for resource ARN " + std::string(kArn) + ".");
}

TEST_F(ApiTest, ResourcePolicyOfAMissingStreamOrAConsumerIsNotFound) {
  for (std::string_view op : {"GetResourcePolicy", "DeleteResourcePolicy"}) {
    ExpectError(Call(op, ArnBody(kArn)), 400, "ResourceNotFoundException",
                "Stream p under account 000000000000 not found.");
  }
  ExpectError(Call("PutResourcePolicy", PutBody(kArn, "{}")), 400, "ResourceNotFoundException",
              "Stream p under account 000000000000 not found.");
  CreateActiveStream("p", 1);
  const std::string consumer = std::string(kArn) + "/consumer/c:1700000000";
  ExpectError(Call("PutResourcePolicy", PutBody(consumer, "{}")), 400, "ResourceNotFoundException",
              "Consumer " + consumer + " not found.");
  ExpectError(Call("GetResourcePolicy", ArnBody(consumer)), 400, "ResourceNotFoundException",
              "Consumer " + consumer + " not found.");
  // Another region is another namespace.
  ExpectError(Call("GetResourcePolicy", ArnBody("arn:aws:kinesis:eu-west-1:000000000000:stream/p")), 400,
              "ResourceNotFoundException", "Stream p under account 000000000000 not found.");
}

TEST_F(ApiTest, PutResourcePolicyRefusesADocumentThatIsNotAJsonObject) {
  CreateActiveStream("p", 1);
  for (std::string_view bad : {"", "not json", "[1,2]", "\"text\"", "{\"a\":", "{} {}"}) {
    ExpectError(
        Call("PutResourcePolicy", PutBody(kArn, bad)), 400, "InvalidArgumentException",
        "Invalid policy document for resource ARN " + std::string(kArn) + ": the policy must be a JSON object.");
  }
  EXPECT_EQ(Ok("GetResourcePolicy", ArnBody(kArn)), R"({"Policy":"{}"})");
}

TEST_F(ApiTest, ResourcePolicyOperationsValidateTheModelInOrder) {
  ExpectError(Call("PutResourcePolicy", "{}"), 400, "ValidationException",
              "2 validation errors detected: Value null at 'resourceARN' failed to satisfy constraint: Member must "
              "not be null; Value null at 'policy' failed to satisfy constraint: Member must not be null");
  ExpectError(Call("PutResourcePolicy", R"({"ResourceARN":"arn:aws:kinesis:us-east-1:000000000000:table/x"})"), 400,
              "ValidationException",
              "2 validation errors detected: Value 'arn:aws:kinesis:us-east-1:000000000000:table/x' at "
              "'resourceARN' failed to satisfy constraint: Member must satisfy regular expression pattern: "
              "arn:aws.*:kinesis:.*:\\d{12}:.*(stream|channel|queue)/\\S+; Value null at 'policy' failed to satisfy "
              "constraint: "
              "Member must not be null");
  ExpectError(Call("GetResourcePolicy", "{}"), 400, "ValidationException",
              "1 validation error detected: Value null at 'resourceARN' failed to satisfy constraint: Member must "
              "not be null");
  ExpectError(
      Call("DeleteResourcePolicy", R"({"ResourceARN":""})"), 400, "ValidationException",
      "2 validation errors detected: Value '' at 'resourceARN' failed to satisfy constraint: Member must "
      "satisfy regular expression pattern: arn:aws.*:kinesis:.*:\\d{12}:.*(stream|channel|queue)/\\S+; Value '' at "
      "'resourceARN' failed to satisfy constraint: Member must have length greater than or equal to 1");
  ExpectError(Call("PutResourcePolicy", R"({"ResourceARN":")" + std::string(kArn) + R"(","Policy":{}})"), 400,
              "SerializationException", "Start of structure or map found where not expected.");
}

TEST_F(ApiTest, DeletingAStreamDeletesItsPolicy) {
  CreateActiveStream("p", 1);
  Ok("PutResourcePolicy", PutBody(kArn, kPolicy));
  Ok("DeleteStream", R"({"StreamName":"p"})");
  clock_.Advance(1000);
  CreateActiveStream("p", 1);
  EXPECT_EQ(Ok("GetResourcePolicy", ArnBody(kArn)), R"({"Policy":"{}"})");
}

}  // namespace
}  // namespace sluice::api::testing
