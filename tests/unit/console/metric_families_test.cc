// The engine's and the server's families of GET /metrics.
#include "console/metric_families.h"

#include <gtest/gtest.h>

namespace sluice::console {
namespace {

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
  EXPECT_NE(text.find("# TYPE sluice_iterator_age_seconds gauge\n"
                      "sluice_iterator_age_seconds{stream=\"orders\",shard=\"shardId-000000000000\","
                      "account=\"123456789012\",region=\"eu-west-1\"} 0.042\n"),
            std::string::npos)
      << text;
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

}  // namespace
}  // namespace sluice::console
