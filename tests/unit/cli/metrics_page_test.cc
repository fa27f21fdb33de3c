// GET /metrics through the gateway: the engine's families and the gateway's
// request counters joined on one page.
#include "cli/metrics_page.h"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <optional>
#include <thread>

#include "api/kinesis_service.h"
#include "engine/engine.h"

namespace sluice::cli {
namespace {

// The connection's side of a streamed body, as a test drives it: keeps what
// is written; BufferedBytes is what the "client" has not read yet.
class CollectingWriter final : public server::BodyWriter {
 public:
  bool Write(std::string bytes) override {
    if (finished) return false;
    ++writes;
    buffered += bytes.size();
    body += bytes;
    return true;
  }
  void Finish() override { finished = true; }
  size_t BufferedBytes() const override { return buffered; }
  bool closed() const override { return finished; }

  std::string body;
  size_t buffered = 0;
  int writes = 0;
  bool finished = false;
};

// Reads a streamed response to its end: starts it, then lets the client
// read everything buffered and signals the drain until it finishes.
std::string ReadStreamed(const server::HttpResponse& r, int* rounds = nullptr) {
  EXPECT_TRUE(r.streaming != nullptr);
  if (!r.streaming) return r.body;
  auto writer = std::make_shared<CollectingWriter>();
  r.streaming->on_start(writer);
  int n = 1;
  for (; !writer->finished && n < 100000; ++n) {
    writer->buffered = 0;
    r.streaming->on_drain();
  }
  EXPECT_TRUE(writer->finished);
  if (rounds) *rounds = n;
  return writer->body;
}

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
  std::string body = ReadStreamed(r);
  EXPECT_NE(body.find("sluice_stream_incoming_records_total{stream=\"s\",account=\"000000000000\","
                      "region=\"us-east-1\"} 0\n"),
            std::string::npos)
      << body;
  EXPECT_EQ(body.find("shard=\"shardId-000000000000\""), std::string::npos) << "no enhanced monitoring";
  EXPECT_NE(body.find("sluice_requests_total{operation=\"CreateStream\",status=\"200\",error=\"\"} 1\n"),
            std::string::npos);
  EXPECT_NE(body.find("sluice_requests_total{operation=\"DescribeStream\",status=\"400\","
                      "error=\"ResourceNotFoundException\"} 1\n"),
            std::string::npos)
      << body;
  EXPECT_EQ(send("POST", "/", "EnableEnhancedMonitoring", R"({"StreamName":"s","ShardLevelMetrics":["ALL"]})").status,
            200);
  body = ReadStreamed(send("GET", "/metrics", "", ""));
  EXPECT_NE(body.find("sluice_incoming_records_total{stream=\"s\",shard=\"shardId-000000000000\","
                      "account=\"000000000000\",region=\"us-east-1\"} 0\n"),
            std::string::npos)
      << body;
  EXPECT_TRUE(body.ends_with("\n")) << body;
  (*engine)->Stop();
}

TEST(MetricsPageTest, ALargeScrapeWaitsForTheClientToReadWhatWasWritten) {
  engine::EngineOptions opts;
  opts.durability = storage::Durability::kMemory;
  opts.quotas.shard_limit = 100000;
  auto engine = engine::Engine::Open(opts);
  ASSERT_TRUE(engine.ok());
  engine::CreateStreamParams p;
  p.shard_count = 4000;
  const engine::StreamRef stream{"000000000000", "us-east-1", "big"};
  ASSERT_TRUE((*engine)->control().CreateStream(stream, p).ok());
  std::vector<std::string> all(engine::kShardLevelMetrics.begin(), engine::kShardLevelMetrics.end());
  // A stream this large is built in the background: enabling its metrics
  // is refused (ResourceInUse) until it is ACTIVE.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  auto enable = [&] { return (*engine)->control().UpdateShardLevelMetrics(stream, all, true).status(); };
  Status enabled = enable();
  while (enabled.code() == ErrorCode::kResourceInUse && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::yield();
    enabled = enable();
  }
  ASSERT_TRUE(enabled.ok()) << enabled.ToString();
  gateway::Gateway gateway;
  gateway::Gateway::Page page = MetricsPage(**engine, nullptr, gateway);
  server::HttpResponse r = page(server::HttpRequest{});
  ASSERT_TRUE(r.streaming != nullptr);
  EXPECT_TRUE(r.body.empty());
  auto writer = std::make_shared<CollectingWriter>();
  r.streaming->on_start(writer);
  // Without the client reading, the page stops once 256 KiB wait.
  EXPECT_FALSE(writer->finished);
  EXPECT_GE(writer->buffered, size_t{256} << 10);
  EXPECT_LT(writer->buffered, size_t{512} << 10);
  const size_t first = writer->body.size();
  int rounds = 0;
  while (!writer->finished && rounds++ < 10000) {
    writer->buffered = 0;
    r.streaming->on_drain();
  }
  ASSERT_TRUE(writer->finished);
  EXPECT_GT(writer->body.size(), 8 * first) << "most of the scrape came after the drains";
  EXPECT_NE(writer->body.find("sluice_incoming_records_total{stream=\"big\",shard=\"shardId-000000003999\""),
            std::string::npos);
  EXPECT_NE(writer->body.find("sluice_build_info"), std::string::npos) << "the families after the engine's";
  (*engine)->Stop();
}

}  // namespace
}  // namespace sluice::cli
