// The cluster's /metrics families (cluster_metrics.h), as text.
#include "cluster/cluster_metrics.h"

#include <gtest/gtest.h>

namespace sluice::cluster {
namespace {

NodeInfo Info(const std::string& id) { return {id, id + ":4567", 1796000000000, "v1"}; }

ClusterMetrics Example() {
  ClusterMetrics m;
  m.node_id = "n1";
  m.view.members = {{"n1", Info("n1")}, {"n2", Info("n2")}, {"n3", Info("n3")}};
  m.view.live_nodes = {{"n1", Info("n1")}, {"n2", Info("n2")}};
  m.view.shards = {{{"123456789012", "us-east-1", "s", 1, 0}, {"n1", 2, {"n1", "n2", "n3"}, {"n1", "n2"}}, 1},
                   {{"123456789012", "us-east-1", "s", 1, 1}, {"n2", 1, {"n2", "n1"}, {"n2", "n1"}}, 1},
                   {{"123456789012", "us-east-1", "s", 1, 2}, {"n3", 1, {"n3"}, {"n3"}}, 1}};
  m.leader_changes = 4;
  m.is_controller = true;
  AtomicHistogram failovers({1000, 5000});
  failovers.Observe(1500);
  m.failovers = failovers.Read();
  return m;
}

std::string Render(const ClusterMetrics& m) {
  metrics::Exposition out;
  AddClusterMetrics(m, out);
  return out.Render();
}

bool Has(const std::string& text, const std::string& line) {
  return text.find("\n" + line + "\n") != std::string::npos;
}

TEST(ClusterMetricsTest, NodesAndShardsByStateAreCountedClusterWide) {
  const std::string text = Render(Example());
  EXPECT_TRUE(Has(text, "sluice_cluster_live_nodes 2")) << text;
  EXPECT_TRUE(Has(text, "sluice_cluster_member_nodes 3")) << text;
  EXPECT_TRUE(Has(text, "# TYPE sluice_cluster_shards gauge")) << text;
  EXPECT_TRUE(Has(text, R"(sluice_cluster_shards{state="in-sync"} 1)")) << text;
  EXPECT_TRUE(Has(text, R"(sluice_cluster_shards{state="under-replicated"} 1)")) << text;
  EXPECT_TRUE(Has(text, R"(sluice_cluster_shards{state="leaderless"} 1)")) << "n3 is down: " << text;
  EXPECT_TRUE(Has(text, R"(sluice_cluster_shards{state="unassigned"} 0)")) << text;
}

TEST(ClusterMetricsTest, OnlyTheShardsThisNodeLeadsHaveAnInSyncSetSizeSeries) {
  const std::string text = Render(Example());
  EXPECT_TRUE(Has(text, R"(sluice_cluster_isr_size{account="123456789012",region="us-east-1",stream="s",)"
                        R"(shard="shardId-000000000000"} 2)"))
      << text;
  EXPECT_EQ(text.find(R"(shard="shardId-000000000001"})"), std::string::npos) << "led by n2: " << text;
  EXPECT_TRUE(Has(text, "sluice_cluster_led_shards 1")) << text;
}

TEST(ClusterMetricsTest, LeaderChangesControllerAndFailoverSecondsAreReported) {
  const std::string text = Render(Example());
  EXPECT_TRUE(Has(text, "# TYPE sluice_cluster_leader_changes_total counter")) << text;
  EXPECT_TRUE(Has(text, "sluice_cluster_leader_changes_total 4")) << text;
  EXPECT_TRUE(Has(text, "sluice_cluster_is_controller 1")) << text;
  EXPECT_TRUE(Has(text, "# TYPE sluice_cluster_failover_seconds histogram")) << text;
  EXPECT_TRUE(Has(text, R"(sluice_cluster_failover_seconds_bucket{le="1"} 0)")) << text;
  EXPECT_TRUE(Has(text, R"(sluice_cluster_failover_seconds_bucket{le="5"} 1)")) << text;
  EXPECT_TRUE(Has(text, "sluice_cluster_failover_seconds_sum 1.5")) << text;
  EXPECT_TRUE(Has(text, "sluice_cluster_failover_seconds_count 1")) << text;
}

TEST(ClusterMetricsTest, ReplicationLagIsReportedPerFollowerOnlyWithASource) {
  ClusterMetrics m = Example();
  EXPECT_EQ(Render(m).find("sluice_cluster_replication_lag_records"), std::string::npos);
  m.replica_lag = [] { return std::vector<ReplicaLagSample>{{{"123456789012", "us-east-1", "s", 1, 0}, "n2", 17}}; };
  const std::string text = Render(m);
  EXPECT_TRUE(Has(text,
                  R"(sluice_cluster_replication_lag_records{account="123456789012",region="us-east-1",stream="s",)"
                  R"(shard="shardId-000000000000",follower="n2"} 17)"))
      << text;
}

}  // namespace
}  // namespace sluice::cluster
