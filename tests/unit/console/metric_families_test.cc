// The engine's and the server's families of GET /metrics.
#include "console/metric_families.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>

namespace sluice::console {
namespace {

std::string ReadAll(metrics::TextStream& text) {
  std::string out;
  while (text.Next(&out, 1 << 20)) {
  }
  return out;
}

engine::ShardMetrics Shard(int index, uint64_t records, int64_t age_ms) {
  engine::ShardMetrics shard;
  shard.shard_id = "shardId-00000000000" + std::to_string(index);
  shard.incoming_records = records;
  shard.incoming_bytes = records * 100;
  shard.iterator_age_ms = age_ms;
  return shard;
}

TEST(MetricsEndpointTest, StreamFamiliesCarryStreamAndNamespaceAndSumTheShards) {
  auto m = std::make_shared<engine::EngineMetrics>();
  engine::StreamMetrics s;
  s.ref = {"123456789012", "eu-west-1", "orders"};
  s.bytes_on_disk = 4096;
  s.open_shards = 1;
  s.closed_shards = 1;
  s.totals.incoming_records = 14;
  s.totals.iterator_age_ms = 42;
  m->streams.push_back(s);
  m->active_subscriptions = 3;
  m->storage.truncated_tails = 1;
  metrics::TextStream stream;
  AddEngineMetrics(m, stream);
  metrics::Exposition out;
  server::OpenConnections connections;
  connections.http1 = 2;
  connections.http1_tls = 1;
  AddServerMetrics(connections, out);
  stream.AddText(out.Render());
  const std::string text = ReadAll(stream);
  EXPECT_NE(text.find("# HELP sluice_stream_incoming_records_total IncomingRecords: "), std::string::npos);
  EXPECT_NE(text.find("# TYPE sluice_stream_incoming_records_total counter\n"
                      "sluice_stream_incoming_records_total{stream=\"orders\",account=\"123456789012\","
                      "region=\"eu-west-1\"} 14\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("# TYPE sluice_stream_iterator_age_seconds gauge\n"
                      "sluice_stream_iterator_age_seconds{stream=\"orders\",account=\"123456789012\","
                      "region=\"eu-west-1\"} 0.042\n"),
            std::string::npos)
      << text;
  EXPECT_EQ(text.find("shard=\""), std::string::npos) << "no enhanced monitoring, no shard series";
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

TEST(MetricsEndpointTest, ShardFamiliesOnlyForTheMetricsEnhancedMonitoringNames) {
  auto m = std::make_shared<engine::EngineMetrics>();
  engine::StreamMetrics s;
  s.ref = {"123456789012", "eu-west-1", "orders"};
  s.shard_level_metrics = {"IncomingRecords", "IteratorAgeMilliseconds"};
  s.shards = {Shard(0, 7, 42), Shard(1, 7, 0)};
  s.shards[1].open = false;
  m->streams.push_back(s);
  engine::StreamMetrics idle;
  idle.ref = {"123456789012", "eu-west-1", "idle"};
  m->streams.push_back(idle);
  metrics::TextStream stream;
  AddEngineMetrics(m, stream);
  const std::string text = ReadAll(stream);
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
  EXPECT_NE(text.find("sluice_iterator_age_seconds{stream=\"orders\",shard=\"shardId-000000000000\","
                      "account=\"123456789012\",region=\"eu-west-1\"} 0.042\n"),
            std::string::npos)
      << text;
  EXPECT_EQ(text.find("sluice_incoming_bytes_total{"), std::string::npos) << "IncomingBytes is not enabled";
  EXPECT_EQ(text.find("sluice_incoming_records_total{stream=\"idle\""), std::string::npos);
  EXPECT_NE(text.find("sluice_stream_incoming_records_total{stream=\"idle\""), std::string::npos);
}

TEST(MetricsEndpointTest, ALargeScrapeIsMadeInBoundedPieces) {
  auto m = std::make_shared<engine::EngineMetrics>();
  engine::StreamMetrics s;
  s.ref = {"123456789012", "us-east-1", "big"};
  s.shard_level_metrics.assign(engine::kShardLevelMetrics.begin(), engine::kShardLevelMetrics.end());
  for (int i = 0; i < 5000; ++i) s.shards.push_back(Shard(i, 1, 0));
  m->streams.push_back(s);
  metrics::TextStream stream;
  AddEngineMetrics(m, stream);
  size_t total = 0, largest = 0, pieces = 0;
  bool more = true;
  while (more) {
    std::string piece;
    more = stream.Next(&piece, 64 << 10);
    total += piece.size();
    largest = std::max(largest, piece.size());
    ++pieces;
  }
  EXPECT_GT(total, size_t{2} << 20) << "ten shard families over 5,000 shards";
  EXPECT_LT(largest, size_t{128} << 10) << "a piece is 64 KiB and at most one step more";
  EXPECT_GT(pieces, total / (128 << 10));
}

}  // namespace
}  // namespace sluice::console
