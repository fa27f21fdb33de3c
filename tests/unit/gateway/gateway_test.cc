// The gateway between the HTTP server and its services (Kinesis, and a toy
// second service), over a real in-memory engine.
#include "gateway/gateway.h"

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <regex>

#include "api/faults.h"
#include "api/kinesis_service.h"
#include "engine/engine.h"
#include "toy_service.h"

namespace sluice::gateway {
namespace {

class GatewayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    engine::EngineOptions opts;
    opts.durability = storage::Durability::kMemory;
    auto e = engine::Engine::Open(opts);
    ASSERT_TRUE(e.ok()) << e.status().ToString();
    engine_ = std::move(e).value();
    gateway_ = std::make_unique<Gateway>();
    gateway_->AddService(std::make_unique<api::KinesisService>(*engine_, api::ApiOptions{}), /*fallback=*/true);
  }
  void TearDown() override { engine_->Stop(); }

  // Sends one request; every call here completes synchronously.
  server::HttpResponse Send(std::string_view method, std::string_view target,
                            std::vector<server::HttpHeader> headers = {}, std::string_view body = "") {
    server::HttpRequest req;
    req.method = method;
    req.target = target;
    req.headers = std::move(headers);
    req.body = body;
    std::optional<server::HttpResponse> out;
    gateway_->Handle(req, [&out](server::HttpResponse r) { out = std::move(r); });
    EXPECT_TRUE(out.has_value());
    return out.value_or(server::HttpResponse{});
  }

  static std::string HeaderOf(const server::HttpResponse& r, std::string_view name) {
    for (const auto& [k, v] : r.headers)
      if (k == name) return v;
    return "";
  }

  std::unique_ptr<engine::Engine> engine_;
  std::unique_ptr<Gateway> gateway_;
};

TEST_F(GatewayTest, HealthIsUnavailableUntilReady) {
  EXPECT_EQ(Send("GET", "/health").status, 503);
  gateway_->SetReady(true);
  server::HttpResponse r = Send("GET", "/health");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "{\"status\":\"ok\"}");
}

TEST_F(GatewayTest, ApiCallsCarryRequestIdAndContentType) {
  server::HttpResponse r =
      Send("POST", "/",
           {{"x-amz-target", "Kinesis_20131202.ListStreams"}, {"content-type", "application/x-amz-json-1.1"}}, "{}");
  EXPECT_EQ(r.status, 200);
  EXPECT_TRUE(std::regex_match(HeaderOf(r, "x-amzn-RequestId"),
                               std::regex("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")))
      << HeaderOf(r, "x-amzn-RequestId");
  EXPECT_EQ(HeaderOf(r, "x-amz-id-2").size(), 96u);  // base64 of 72 bytes
  EXPECT_EQ(HeaderOf(r, "Content-Type"), "application/x-amz-json-1.1");
  EXPECT_NE(r.body.find("\"StreamNames\":[]"), std::string::npos) << r.body;
}

TEST_F(GatewayTest, ErrorsCarryErrorTypeHeader) {
  server::HttpResponse r =
      Send("POST", "/",
           {{"x-amz-target", "Kinesis_20131202.DescribeStream"}, {"content-type", "application/x-amz-json-1.1"}},
           R"({"StreamName":"missing"})");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(HeaderOf(r, "x-amzn-ErrorType"), "ResourceNotFoundException");
  EXPECT_EQ(
      r.body,
      R"({"__type":"ResourceNotFoundException","message":"Stream missing under account 000000000000 not found."})");
}

TEST(GatewayFaultsTest, ADroppedConnectionIsCountedAsNoAnswerNotAsSuccess) {
  engine::EngineOptions opts;
  opts.durability = storage::Durability::kMemory;
  auto engine = engine::Engine::Open(opts);
  ASSERT_TRUE(engine.ok()) << engine.status().ToString();
  api::FaultInjector faults;
  ASSERT_TRUE(faults.Replace(R"({"rules":[{"operation":"ListStreams","drop_rate":1}]})").ok());
  api::ApiOptions aopts;
  aopts.faults = &faults;
  Gateway gateway;
  gateway.AddService(std::make_unique<api::KinesisService>(**engine, aopts), /*fallback=*/true);
  server::HttpRequest req;
  req.method = "POST";
  req.target = "/";
  req.headers = {{"x-amz-target", "Kinesis_20131202.ListStreams"}, {"content-type", "application/x-amz-json-1.1"}};
  req.body = "{}";
  std::optional<server::HttpResponse> dropped;
  gateway.Handle(req, [&dropped](server::HttpResponse r) { dropped = std::move(r); });
  ASSERT_TRUE(dropped.has_value());
  EXPECT_TRUE(dropped->abort_connection);
  metrics::Exposition out;
  gateway.AddMetrics(out);
  const std::string metrics = out.Render();
  EXPECT_NE(metrics.find("sluice_requests_total{operation=\"ListStreams\",status=\"0\",error=\"\"} 1\n"),
            std::string::npos)
      << metrics;
  EXPECT_EQ(metrics.find("operation=\"ListStreams\",status=\"200\""), std::string::npos) << metrics;
  (*engine)->Stop();
}

TEST_F(GatewayTest, NonPostMethodsGetTheServicesAccessDenied) {
  server::HttpResponse r = Send("GET", "/");
  EXPECT_EQ(r.status, 403);
  EXPECT_NE(r.body.find("<AccessDeniedException>"), std::string::npos);
  EXPECT_NE(r.body.find("Unable to determine service/operation name to be authorized"), std::string::npos);
  EXPECT_FALSE(HeaderOf(r, "x-amzn-RequestId").empty());
}

TEST_F(GatewayTest, CorsPreflightIsAnswered) {
  server::HttpResponse r = Send("OPTIONS", "/",
                                {{"origin", "http://localhost:3000"},
                                 {"access-control-request-headers", "x-amz-target,content-type"},
                                 {"access-control-request-method", "POST"}});
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(HeaderOf(r, "Access-Control-Allow-Origin"), "*");
  EXPECT_EQ(HeaderOf(r, "Access-Control-Allow-Headers"), "x-amz-target,content-type");
  EXPECT_EQ(HeaderOf(r, "Access-Control-Allow-Methods"), "POST");
}

constexpr std::string_view kJson10 = "application/x-amz-json-1.0";
constexpr std::string_view kJson11 = "application/x-amz-json-1.1";

// A second service beside Kinesis is one AddService line: the gateway routes
// to it, counts its operations, and lets it write its own errors; requests
// no service claims are answered in their protocol's shape.
class SecondServiceTest : public GatewayTest {
 protected:
  void SetUp() override {
    GatewayTest::SetUp();
    gateway_->AddService(std::make_unique<testing::ToyService>(
        "dynamodb", ServiceMatch{.target_prefix = "DynamoDB_20120810.", .path_prefix = {}}));
  }

  server::HttpResponse Post(std::string_view target, std::string_view content_type, std::string_view body,
                            std::string_view authorization = "") {
    std::vector<server::HttpHeader> headers = {{"x-amz-target", target}, {"content-type", content_type}};
    if (!authorization.empty()) {
      headers.push_back({"authorization", authorization});
      headers.push_back({"x-amz-date", "20250101T000000Z"});
    }
    return Send("POST", "/", std::move(headers), body);
  }

  std::string Metrics() const {
    metrics::Exposition out;
    gateway_->AddMetrics(out);
    return out.Render();
  }
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

TEST_F(SecondServiceTest, AQueryProtocolCallIsCountedUnderItsFormsAction) {
  gateway_->AddService(std::make_unique<testing::ToyService>(
      "sts",
      ServiceMatch{.target_prefix = {}, .path_prefix = {}, .content_type = "application/x-www-form-urlencoded"}));
  server::HttpResponse r = Send("POST", "/", {{"content-type", "application/x-www-form-urlencoded; charset=utf-8"}},
                                "Version=2011-06-15&Action=Echo");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "sts:Echo:Version=2011-06-15&Action=Echo:");
  const std::string text = Metrics();
  EXPECT_NE(text.find("sluice_requests_total{operation=\"Echo\",status=\"200\",error=\"\"} 1\n"), std::string::npos)
      << text;
  EXPECT_EQ(text.find("operation=\"unknown\""), std::string::npos) << text;
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
  gateway_->SetVerifier(std::make_unique<auth::SigV4Verifier>(auth::CredentialMap{}, "000000000000"));
  server::HttpResponse dynamodb = Post("DynamoDB_20120810.Echo", kJson10, "{}");
  EXPECT_EQ(dynamodb.status, 400);
  EXPECT_EQ(dynamodb.body, R"({"__type":"com.amazonaws.dynamodb.v20120810#MissingAuthenticationTokenException",)"
                           R"("message":"Missing Authentication Token"})");
  EXPECT_EQ(HeaderOf(dynamodb, "Content-Type"), kJson10);
  server::HttpResponse kinesis = Post("Kinesis_20131202.ListStreams", kJson11, "{}");
  EXPECT_EQ(kinesis.status, 400);
  EXPECT_EQ(kinesis.body,
            R"({"__type":"MissingAuthenticationTokenException","message":"Missing Authentication Token"})");
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
