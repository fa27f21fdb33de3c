#include "cloudwatch/cloudwatch_service.h"

#include <gtest/gtest.h>

#include <optional>

#include "cloudwatch/cbor_document.h"
#include "cloudwatch/metric_exposition.h"
#include "protocol/cbor.h"

namespace sluice::cloudwatch {
namespace {

// Drives the service directly, as the gateway would.
class CloudWatchServiceTest : public testing::Test {
 protected:
  gateway::ServiceResponse Send(std::string_view target, std::vector<server::HttpHeader> headers,
                                std::string_view body) {
    server::HttpRequest http;
    http.method = "POST";
    http.target = target;
    http.headers = std::move(headers);
    http.body = body;
    std::optional<gateway::ServiceResponse> answer;
    service_.Handle(gateway::ServiceRequest{http, "", "", ""}, [&](gateway::ServiceResponse r) { answer = r; });
    EXPECT_TRUE(answer.has_value());
    return answer.value_or(gateway::ServiceResponse{});
  }

  gateway::ServiceResponse Cbor(std::string_view operation, const Value& input) {
    path_ = "/service/GraniteServiceVersion20100801/operation/" + std::string(operation);
    body_ = EncodeCborDocument(input);
    return Send(path_, {{"smithy-protocol", "rpc-v2-cbor"}, {"content-type", "application/cbor"}}, body_);
  }

  gateway::ServiceResponse Query(std::string_view form) {
    return Send("/", {{"content-type", "application/x-www-form-urlencoded; charset=utf-8"}}, form);
  }

  static std::string_view HeaderOf(const gateway::ServiceResponse& r, std::string_view name) {
    for (const auto& [n, v] : r.headers) {
      if (n == name) return v;
    }
    return {};
  }

  MetricStore store_;
  CloudWatchService service_{store_, "000000000000", "us-east-1"};
  std::string path_, body_;
};

TEST_F(CloudWatchServiceTest, ACborPutIsStoredAndAnsweredInCborWithTheProtocolHeader) {
  Value input = Value::Map();
  input.Set("Namespace", Value::String("App"));
  Value& datum = input.Set("MetricData", Value::List()).Add(Value::Map());
  datum.Set("MetricName", Value::String("m"));
  datum.Set("Value", Value::Number(4));
  gateway::ServiceResponse r = Cbor("PutMetricData", input);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "application/cbor");
  EXPECT_EQ(HeaderOf(r, "smithy-protocol"), "rpc-v2-cbor");
  EXPECT_EQ(r.body, "\xa0");  // an empty map: no output members
  ASSERT_EQ(store_.size(), 1u);
  EXPECT_EQ(store_.Latest(1)[0].id.account, "000000000000");
}

TEST_F(CloudWatchServiceTest, CborErrorsCarryTypeMessageAndTheQueryErrorHeader) {
  Value input = Value::Map();
  input.Set("Namespace", Value::String(":bad"));
  gateway::ServiceResponse r = Cbor("PutMetricData", input);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.error_type, "InvalidParameterValueException");
  EXPECT_EQ(HeaderOf(r, "x-amzn-query-error"), "InvalidParameterValue;Sender");
  Result<Value> body = DecodeCborDocument(r.body);
  ASSERT_TRUE(body.ok());
  EXPECT_EQ(body->Find("__type")->AsString(), "com.amazonaws.cloudwatch#InvalidParameterValueException");
  EXPECT_EQ(body->Find("message")->AsString(), "The value :bad for parameter Namespace is invalid.");
}

TEST_F(CloudWatchServiceTest, AnUnknownActionIsInvalidActionInXml) {
  gateway::ServiceResponse r = Query("Action=DescribeAlarms&Version=2010-08-01");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.content_type, "text/xml");
  EXPECT_NE(r.body.find("<Code>InvalidAction</Code><Message>Could not find operation DescribeAlarms for version "
                        "2010-08-01</Message>"),
            std::string::npos)
      << r.body;
}

TEST_F(CloudWatchServiceTest, QueryValidationMessagesNameMembersTheQueryWay) {
  gateway::ServiceResponse r = Query(
      "Action=PutMetricData&Version=2010-08-01&Namespace=App&MetricData.member.1.MetricName=a"
      "&MetricData.member.1.Value=1&MetricData.member.2.Value=1");
  EXPECT_NE(r.body.find("<Code>MissingParameter</Code><Message>The parameter MetricData.member.2.MetricName is "
                        "required.</Message>"),
            std::string::npos)
      << r.body;
  EXPECT_EQ(store_.size(), 0u) << "a call is stored whole or not at all";
  r = Query("Action=PutMetricData&Namespace=App&MetricData.member.1.MetricName=a&MetricData.member.1.Value=abc");
  EXPECT_NE(r.body.find("The value abc for parameter MetricData.member.1.Value is invalid."), std::string::npos);
  r = Query(
      "Action=PutMetricData&Namespace=App&MetricData.member.1.MetricName=a&MetricData.member.1.Value=1"
      "&MetricData.member.1.Unit=Parsecs");
  EXPECT_NE(r.body.find("The value Parsecs for parameter MetricData.member.1.Unit is invalid."), std::string::npos);
}

TEST_F(CloudWatchServiceTest, AGzipBodyThatIsNotGzipIsRefused) {
  gateway::ServiceResponse r = Send("/",
                                    {{"x-amz-target", "GraniteServiceVersion20100801.ListMetrics"},
                                     {"content-type", "application/x-amz-json-1.0"},
                                     {"content-encoding", "gzip"}},
                                    "{}");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.error_type, "InvalidParameterValueException");
}

TEST(MetricExpositionTest, DimensionNamesBecomeDistinctLabelNames) {
  EXPECT_EQ(PrometheusLabelName("Shard.Id", {}), "Shard_Id");
  EXPECT_EQ(PrometheusLabelName("1st", {}), "dim_1st");
  EXPECT_EQ(PrometheusLabelName("__x", {}), "dim___x");
  EXPECT_EQ(PrometheusLabelName("metric", {"metric"}), "dim_metric");
  EXPECT_EQ(PrometheusLabelName("a.b", {"a_b"}), "dim_a_b");
}

TEST(MetricExpositionTest, EachMetricIsOneSampleOfItsLatestValue) {
  MetricStore store;
  ASSERT_TRUE(store.Put({"1", "r", "KCL", "Lag", {{"metric", "x\"y"}}}, 0, {1, 7, 7, 7}, 7, "None"));
  metrics::Exposition out;
  AddCloudWatchMetrics(store, out);
  EXPECT_NE(out.Render().find("sluice_cloudwatch_metric{account=\"1\",region=\"r\",namespace=\"KCL\",metric=\"Lag\","
                              "dim_metric=\"x\\\"y\"} 7\n"),
            std::string::npos)
      << out.Render();
}

}  // namespace
}  // namespace sluice::cloudwatch
