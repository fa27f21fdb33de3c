// The cluster's status as `sluice cluster status` and the console show it
// (cluster_status.h), without etcd.
#include "cluster/cluster_status.h"

#include <gtest/gtest.h>

namespace sluice::cluster {
namespace {

NodeStatus Node(const std::string& id, bool alive) { return {{id, id + ".local:4567", 1796000000000, "v1"}, alive}; }

ShardRecord Shard(const std::string& stream, int index, ShardLeadership leadership) {
  return {{"123456789012", "us-east-1", stream, 1796000000000, index}, std::move(leadership), 1};
}

// n3 is down: a shard it leads is leaderless though its record still names it.
ClusterStatus Example() {
  return MakeClusterStatus({Node("n1", true), Node("n2", true), Node("n3", false)},
                           {Shard("a", 0, {"n1", 1, {"n1", "n2", "n3"}, {"n1", "n2", "n3"}}),
                            Shard("a", 1, {"n3", 2, {"n3", "n1", "n2"}, {"n3", "n1", "n2"}}),
                            Shard("a", 2, {"n2", 3, {"n2", "n3", "n1"}, {"n2", "n1"}}), Shard("b", 0, {}),
                            Shard("b", 1, {"", 4, {"n3", "n1"}, {"n3"}})});
}

std::vector<std::string> Order(const ClusterStatus& status) {
  std::vector<std::string> out;
  for (const ShardRecord& r : status.shards) out.push_back(r.id.stream + "/" + std::to_string(r.id.shard_index));
  return out;
}

TEST(ClusterStatusTest, LeaderlessShardsComeFirstThenUnderReplicatedThenUnassignedThenInSync) {
  const ClusterStatus status = Example();
  EXPECT_EQ(Order(status), (std::vector<std::string>{"a/1", "b/1", "a/2", "b/0", "a/0"}));
  const std::set<std::string> live = LiveNodeIds(status);
  EXPECT_EQ(StateOf(status.shards[0].leadership, live), ShardState::kLeaderless) << "its leader n3 is down";
  EXPECT_EQ(StateOf(status.shards[2].leadership, live), ShardState::kUnderReplicated);
  EXPECT_EQ(StateOf(status.shards[3].leadership, live), ShardState::kUnassigned);
  EXPECT_EQ(StateOf(status.shards[4].leadership, live), ShardState::kInSync);
}

TEST(ClusterStatusTest, TheSummaryCountsNodesAliveAndShardsByState) {
  const StatusSummary summary = Summarize(Example());
  EXPECT_EQ(summary.nodes_alive, 2);
  EXPECT_EQ(summary.nodes_total, 3);
  EXPECT_EQ(summary.shard_count(), 5);
  EXPECT_EQ(SummaryLine(summary),
            "nodes: 2 of 3 alive; shards: 5 (1 in-sync, 1 under-replicated, 2 leaderless, 1 unassigned)");
}

TEST(ClusterStatusTest, KeepingOneStreamDropsOnlyTheOtherStreamsShards) {
  ClusterStatus status = Example();
  KeepStream(status, "b");
  EXPECT_EQ(Order(status), (std::vector<std::string>{"b/1", "b/0"}));
  EXPECT_EQ(status.nodes.size(), 3u);
  EXPECT_EQ(Summarize(status).shard_count(), 2);
}

TEST(ClusterStatusTest, TheJsonListsNodesShardsAndASummary) {
  ClusterStatus status = Example();
  KeepStream(status, "b");
  EXPECT_EQ(
      ClusterStatusJson(status),
      R"({"nodes":[)"
      R"({"id":"n1","advertise":"n1.local:4567","alive":true,"decommissioned":false,"started_ms":1796000000000,"version":"v1"},)"
      R"({"id":"n2","advertise":"n2.local:4567","alive":true,"decommissioned":false,"started_ms":1796000000000,"version":"v1"},)"
      R"({"id":"n3","advertise":"n3.local:4567","alive":false,"decommissioned":false,"started_ms":1796000000000,"version":"v1"}],)"
      R"("shards":[)"
      R"({"account":"123456789012","region":"us-east-1","stream":"b","stream_creation_ms":1796000000000,)"
      R"("shard":"shardId-000000000001","state":"leaderless","leader":"","leader_epoch":4,)"
      R"("replicas":["n3","n1"],"isr":["n3"]},)"
      R"({"account":"123456789012","region":"us-east-1","stream":"b","stream_creation_ms":1796000000000,)"
      R"("shard":"shardId-000000000000","state":"unassigned","leader":"","leader_epoch":0,)"
      R"("replicas":[],"isr":[]}],)"
      R"("summary":{"nodes_alive":2,"nodes_total":3,"shards":2,"in-sync":0,"under-replicated":0,)"
      R"("leaderless":1,"unassigned":1}})");
}

TEST(ClusterStatusTest, AViewsMembersThatAreNotLiveAreListedAsDown) {
  ClusterView::Snapshot view;
  view.members = {{"n1", Node("n1", true).info}, {"n2", Node("n2", true).info}};
  view.live_nodes = {{"n2", Node("n2", true).info}};
  const ClusterStatus status = ClusterStatusOf(view);
  ASSERT_EQ(status.nodes.size(), 2u);
  EXPECT_FALSE(status.nodes[0].alive);
  EXPECT_TRUE(status.nodes[1].alive);
}

}  // namespace
}  // namespace sluice::cluster
