// GET /metrics through the gateway: the engine's families and the gateway's
// request counters joined on one page.
#include "cli/metrics_page.h"

#include <gtest/gtest.h>

#include <memory>
#include <optional>

#include "api/kinesis_service.h"
#include "engine/engine.h"

namespace sluice::cli {
namespace {

TEST(MetricsPageTest, GatewayServesTheScrape) {
  engine::EngineOptions opts;
  opts.durability = storage::Durability::kMemory;
  auto engine = engine::Engine::Open(opts);
  ASSERT_TRUE(engine.ok());
  gateway::Gateway gateway;
  gateway.AddService(std::make_unique<api::KinesisService>(**engine, api::ApiOptions{}), /*fallback=*/true);
  gateway.AddPage("/metrics", MetricsPage(**engine, nullptr, gateway));
  auto send = [&](std::string_view method, std::string_view target, std::string_view op, std::string_view body) {
    server::HttpRequest req;
    req.method = method;
    req.target = target;
    const std::string target_header = "Kinesis_20131202." + std::string(op);
    if (!op.empty()) {
      req.headers = {{"x-amz-target", target_header}, {"content-type", "application/x-amz-json-1.1"}};
    }
    req.body = body;
    std::optional<server::HttpResponse> out;
    gateway.Handle(req, [&out](server::HttpResponse r) { out = std::move(r); });
    EXPECT_TRUE(out.has_value());
    return out.value_or(server::HttpResponse{});
  };
  EXPECT_EQ(send("POST", "/", "CreateStream", R"({"StreamName":"s","ShardCount":1})").status, 200);
  EXPECT_EQ(send("POST", "/", "DescribeStream", R"({"StreamName":"missing"})").status, 400);
  server::HttpResponse r = send("GET", "/metrics", "", "");
  EXPECT_EQ(r.status, 200);
  ASSERT_FALSE(r.headers.empty());
  EXPECT_EQ(r.headers[0].first, "Content-Type");
  EXPECT_EQ(r.headers[0].second, "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_NE(r.body.find("sluice_incoming_records_total{stream=\"s\",shard=\"shardId-000000000000\","
                        "account=\"000000000000\",region=\"us-east-1\"} 0\n"),
            std::string::npos)
      << r.body;
  EXPECT_NE(r.body.find("sluice_requests_total{operation=\"CreateStream\",status=\"200\",error=\"\"} 1\n"),
            std::string::npos);
  EXPECT_NE(r.body.find("sluice_requests_total{operation=\"DescribeStream\",status=\"400\","
                        "error=\"ResourceNotFoundException\"} 1\n"),
            std::string::npos)
      << r.body;
  (*engine)->Stop();
}

}  // namespace
}  // namespace sluice::cli
