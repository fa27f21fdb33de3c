// A second service beside Kinesis is one AddService line: the gateway routes
// to it, counts its operations, and lets it write its own errors; requests
// no service claims are answered in their protocol's shape.
#include <gtest/gtest.h>

#include <memory>
#include <optional>

#include "api/kinesis_service.h"
#include "engine/engine.h"
#include "gateway/gateway.h"
#include "toy_service.h"

namespace sluice::gateway {
namespace {

constexpr std::string_view kJson10 = "application/x-amz-json-1.0";
constexpr std::string_view kJson11 = "application/x-amz-json-1.1";

class SecondServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    engine::EngineOptions opts;
    opts.durability = storage::Durability::kMemory;
    auto e = engine::Engine::Open(opts);
    ASSERT_TRUE(e.ok()) << e.status().ToString();
    engine_ = std::move(e).value();
    gateway_.AddService(std::make_unique<api::KinesisService>(*engine_, api::ApiOptions{}), /*fallback=*/true);
    gateway_.AddService(std::make_unique<testing::ToyService>(
        "dynamodb", ServiceMatch{.target_prefix = "DynamoDB_20120810.", .path_prefix = {}}));
  }
  void TearDown() override { engine_->Stop(); }

  server::HttpResponse Post(std::string_view target, std::string_view content_type, std::string_view body,
                            std::string_view authorization = "") {
    server::HttpRequest req;
    req.method = "POST";
    req.target = "/";
    req.headers = {{"x-amz-target", target}, {"content-type", content_type}};
    if (!authorization.empty()) {
      req.headers.push_back({"authorization", authorization});
      req.headers.push_back({"x-amz-date", "20250101T000000Z"});
    }
    req.body = body;
    std::optional<server::HttpResponse> out;
    gateway_.Handle(req, [&out](server::HttpResponse r) { out = std::move(r); });
    EXPECT_TRUE(out.has_value());
    return out.value_or(server::HttpResponse{});
  }

  static std::string HeaderOf(const server::HttpResponse& r, std::string_view name) {
    for (const auto& [k, v] : r.headers)
      if (k == name) return v;
    return "";
  }

  std::string Metrics() const {
    metrics::Exposition out;
    gateway_.AddMetrics(out);
    return out.Render();
  }

  std::unique_ptr<engine::Engine> engine_;
  Gateway gateway_;
};

TEST_F(SecondServiceTest, EachServiceAnswersItsOwnTargets) {
  const std::string scope =
      "AWS4-HMAC-SHA256 Credential=AKID/20250101/eu-west-1/dynamodb/aws4_request, SignedHeaders=host, Signature=00";
  server::HttpResponse echo = Post("DynamoDB_20120810.Echo", kJson10, "{\"a\":1}", scope);
  EXPECT_EQ(echo.status, 200);
  EXPECT_EQ(echo.body, "dynamodb:Echo:{\"a\":1}:eu-west-1");  // the claimed scope's region reaches the service
  EXPECT_EQ(HeaderOf(echo, "Content-Type"), kJson10);
  EXPECT_FALSE(HeaderOf(echo, "x-amzn-RequestId").empty());
  server::HttpResponse kinesis = Post("Kinesis_20131202.ListStreams", kJson11, "{}");
  EXPECT_EQ(kinesis.status, 200);
  EXPECT_NE(kinesis.body.find("\"StreamNames\":[]"), std::string::npos) << kinesis.body;
  const std::string text = Metrics();
  EXPECT_NE(text.find("sluice_requests_total{operation=\"Echo\",status=\"200\",error=\"\"} 1\n"), std::string::npos)
      << text;
  EXPECT_NE(text.find("sluice_requests_total{operation=\"ListStreams\",status=\"200\",error=\"\"} 1\n"),
            std::string::npos)
      << text;
}

TEST_F(SecondServiceTest, AServicesUnknownOperationIsInItsOwnShape) {
  server::HttpResponse r = Post("DynamoDB_20120810.Nope", kJson10, "{}");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body, R"({"__type":"com.amazonaws.dynamodb.v20120810#UnknownOperationException","message":""})");
  EXPECT_EQ(HeaderOf(r, "x-amzn-ErrorType"), "UnknownOperationException");
  EXPECT_NE(Metrics().find("sluice_requests_total{operation=\"unknown\",status=\"400\","
                           "error=\"UnknownOperationException\"} 1\n"),
            std::string::npos);
}

TEST_F(SecondServiceTest, AnUnclaimedJson10TargetGetsTheJson10UnknownOperation) {
  server::HttpResponse r = Post("Unknown_20200101.Op", kJson10, "{}");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body, R"({"__type":"com.amazon.coral.service#UnknownOperationException"})");
  EXPECT_EQ(HeaderOf(r, "Content-Type"), kJson10);
  EXPECT_FALSE(HeaderOf(r, "x-amzn-RequestId").empty());
}

TEST_F(SecondServiceTest, AnUnclaimedJson11TargetGetsKinesisUnknownOperationAsBefore) {
  server::HttpResponse r = Post("Unknown_20200101.Op", kJson11, "{}");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body, R"({"__type":"UnknownOperationException"})");
  EXPECT_EQ(HeaderOf(r, "Content-Type"), kJson11);
  EXPECT_EQ(HeaderOf(r, "x-amzn-ErrorType"), "UnknownOperationException");
}

TEST_F(SecondServiceTest, AnUnclaimedTargetInAnUndecodedContentTypeGetsTheXml404AsBefore) {
  server::HttpResponse r = Post("Unknown_20200101.Op", "text/plain", "{}");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.body, "<UnknownOperationException/>\n");
}

TEST_F(SecondServiceTest, AFailedSignatureIsWrittenByTheChosenService) {
  gateway_.SetVerifier(std::make_unique<auth::SigV4Verifier>(auth::CredentialMap{}, "000000000000"));
  server::HttpResponse dynamodb = Post("DynamoDB_20120810.Echo", kJson10, "{}");
  EXPECT_EQ(dynamodb.status, 400);
  EXPECT_EQ(dynamodb.body, R"({"__type":"com.amazonaws.dynamodb.v20120810#MissingAuthenticationTokenException",)"
                           R"("message":"Missing Authentication Token"})");
  EXPECT_EQ(HeaderOf(dynamodb, "Content-Type"), kJson10);
  server::HttpResponse kinesis = Post("Kinesis_20131202.ListStreams", kJson11, "{}");
  EXPECT_EQ(kinesis.status, 400);
  EXPECT_EQ(kinesis.body, R"({"__type":"MissingAuthenticationTokenException","message":"Missing Authentication Token"})");
  EXPECT_EQ(HeaderOf(kinesis, "Content-Type"), kJson11);
  EXPECT_EQ(HeaderOf(kinesis, "x-amzn-ErrorType"), "MissingAuthenticationTokenException");
}

TEST(GatewayWithoutServicesTest, APostNoServiceTakesIsRefusedAsAwsDoes) {
  Gateway gateway;
  server::HttpRequest req;
  req.method = "POST";
  req.target = "/";
  req.headers = {{"x-amz-target", "Kinesis_20131202.ListStreams"}, {"content-type", "application/x-amz-json-1.1"}};
  req.body = "{}";
  std::optional<server::HttpResponse> out;
  gateway.Handle(req, [&out](server::HttpResponse r) { out = std::move(r); });
  ASSERT_TRUE(out.has_value());
  EXPECT_EQ(out->status, 400);
  EXPECT_EQ(out->body, R"({"__type":"com.amazon.coral.service#UnknownOperationException"})");
}

}  // namespace
}  // namespace sluice::gateway
