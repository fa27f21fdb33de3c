// GET /metrics through the gateway, and the families the endpoint renders.
#include "cli/metrics_endpoint.h"

#include <gtest/gtest.h>

#include <memory>
#include <optional>

#include "cli/gateway.h"
#include "engine/engine.h"

namespace sluice::cli {
namespace {

TEST(RequestMetricsTest, CountsByOperationStatusAndError) {
  RequestMetrics m;
  const int put = m.OperationIndex("Kinesis_20131202.PutRecords");
  const int unknown = m.OperationIndex("Kinesis_20131202.Nope");
  EXPECT_EQ(m.OperationName(put), "PutRecords");
  EXPECT_EQ(m.OperationName(unknown), "unknown");
  EXPECT_EQ(m.OperationIndex("Other_1.PutRecords"), unknown);
  m.Record(put, 200, "", 300);
  m.Record(put, 200, "", 2000);
  m.Record(put, 400, "ResourceNotFoundException", 100);
  m.Record(unknown, 400, "UnknownOperationException", 50);
  metrics::Exposition out;
  m.AddTo(out);
  const std::string text = out.Render();
  EXPECT_NE(text.find("# TYPE sluice_requests_total counter\n"
                      "sluice_requests_total{operation=\"PutRecords\",status=\"200\",error=\"\"} 2\n"
                      "sluice_requests_total{operation=\"PutRecords\",status=\"400\",error=\"ResourceNotFoundException\"} 1\n"
                      "sluice_requests_total{operation=\"unknown\",status=\"400\",error=\"UnknownOperationException\"} 1\n"
                      "# HELP sluice_request_duration_seconds"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("sluice_request_duration_seconds_bucket{operation=\"PutRecords\",le=\"0.0005\"} 2\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("sluice_request_duration_seconds_count{operation=\"PutRecords\"} 3\n"), std::string::npos);
  EXPECT_NE(text.find("sluice_request_duration_seconds_sum{operation=\"PutRecords\"} 0.0024\n"), std::string::npos)
      << text;
  EXPECT_EQ(text.find("operation=\"GetRecords\""), std::string::npos);  // never called: no series
}

TEST(MetricsEndpointTest, ShardFamiliesCarryStreamShardAndNamespace) {
  engine::EngineMetrics m;
  engine::StreamMetrics s;
  s.ref = {"123456789012", "eu-west-1", "orders"};
  s.bytes_on_disk = 4096;
  engine::ShardMetrics shard;
  shard.shard_id = "shardId-000000000000";
  shard.incoming_records = 7;
  shard.incoming_bytes = 700;
  shard.iterator_age_ms = 42;
  s.shards.push_back(shard);
  shard.shard_id = "shardId-000000000001";
  shard.open = false;
  s.shards.push_back(shard);
  m.streams.push_back(s);
  m.active_subscriptions = 3;
  m.storage.truncated_tails = 1;
  metrics::Exposition out;
  AddEngineMetrics(m, out);
  server::OpenConnections connections;
  connections.http1 = 2;
  connections.http1_tls = 1;
  AddServerMetrics(connections, out);
  const std::string text = out.Render();
  EXPECT_NE(text.find("# HELP sluice_incoming_records_total IncomingRecords: "), std::string::npos);
  EXPECT_NE(text.find("# TYPE sluice_incoming_records_total counter\n"
                      "sluice_incoming_records_total{stream=\"orders\",shard=\"shardId-000000000000\","
                      "account=\"123456789012\",region=\"eu-west-1\"} 7\n"
                      "sluice_incoming_records_total{stream=\"orders\",shard=\"shardId-000000000001\","
                      "account=\"123456789012\",region=\"eu-west-1\"} 7\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("sluice_iterator_age_milliseconds{stream=\"orders\",shard=\"shardId-000000000000\","
                      "account=\"123456789012\",region=\"eu-west-1\"} 42\n"),
            std::string::npos);
  EXPECT_NE(text.find("sluice_stream_shards{stream=\"orders\",account=\"123456789012\",region=\"eu-west-1\","
                      "state=\"open\"} 1\n"),
            std::string::npos);
  EXPECT_NE(text.find("sluice_stream_bytes_on_disk{stream=\"orders\",account=\"123456789012\","
                      "region=\"eu-west-1\"} 4096\n"),
            std::string::npos);
  EXPECT_NE(text.find("sluice_streams{status=\"ACTIVE\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("sluice_active_subscriptions 3\n"), std::string::npos);
  EXPECT_NE(text.find("sluice_recovery_actions_total{action=\"truncated_tail\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("sluice_open_connections{version=\"1.1\",tls=\"false\"} 2\n"
                      "sluice_open_connections{version=\"2\",tls=\"false\"} 0\n"
                      "sluice_open_connections{version=\"1.1\",tls=\"true\"} 1\n"),
            std::string::npos)
      << text;
}

TEST(MetricsEndpointTest, GatewayServesTheScrape) {
  engine::EngineOptions opts;
  opts.durability = storage::Durability::kMemory;
  auto engine = engine::Engine::Open(opts);
  ASSERT_TRUE(engine.ok());
  api::Dispatcher dispatcher(**engine, api::ApiOptions{});
  Gateway gateway(dispatcher);
  gateway.SetMetricsSource([e = engine->get()](metrics::Exposition& out) { AddEngineMetrics(e->Metrics(), out); });
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
