// Controller election, shard leadership and placement against a real etcd
// (etcd_process.h): nodes are registrations, views and controllers in this
// process, each with a lease of its own.
#include "cluster/controller.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <map>
#include <thread>

#include "cluster/cluster_placement.h"
#include "cluster/etcd_fixture.h"
#include "cluster/etcd_stream_catalog.h"
#include "cluster/node_registry.h"
#include "engine/metadata_codec.h"
#include "util/clock.h"

namespace sluice::cluster {
namespace {

using testing::Eventually;

ShardId Shard(int index) { return {"123456789012", "us-east-1", "orders", 1796000000000, index}; }

// One node of the cluster: registered, with its view and its controller.
struct Node {
  std::unique_ptr<NodeRegistration> registration;
  std::unique_ptr<ClusterView> view;
  std::unique_ptr<Controller> controller;

  void Stop() {  // the order of a clean stop: the controller resigns, then the node leaves
    controller.reset();
    view.reset();
    registration.reset();
  }
};

class ControllerTest : public testing::EtcdFixture {
 protected:
  void StartNode(const std::string& id) {
    Node& node = nodes_[id];
    auto registration = NodeRegistration::Register(
        *client_, {id, "127.0.0.1:" + std::to_string(1000 + nodes_.size()), 1796000000000, "test"}, 5);
    ASSERT_TRUE(registration.ok()) << registration.status().ToString();
    node.registration = std::move(registration).value();
    auto view = ClusterView::Open(*client_);
    ASSERT_TRUE(view.ok()) << view.status().ToString();
    node.view = std::move(view).value();
    NodeRegistration* reg = node.registration.get();
    ControllerOptions options{id, [reg] { return reg->lease(); }, 3, 200, 200};
    node.controller = std::make_unique<Controller>(*client_, *node.view, options);
  }

  std::vector<ShardRecord> Records() {
    Result<std::vector<ShardRecord>> records = ListShardRecords(*client_);
    EXPECT_TRUE(records.ok()) << records.status().ToString();
    return records.ok() ? *records : std::vector<ShardRecord>();
  }

  std::map<std::string, int> LeadersPerNode() {
    std::map<std::string, int> out;
    for (const ShardRecord& r : Records()) ++out[r.leadership.leader];
    return out;
  }

  // The stream of Shard(i) in the catalogue, with `count` shards: the
  // controller keeps a record for each of them, and only for them.
  void CatalogueStream(int count) {
    engine::StreamMeta meta;
    meta.ref = {Shard(0).account, Shard(0).region, Shard(0).stream};
    meta.status = engine::StreamStatus::kActive;
    meta.creation_ms = Shard(0).creation_ms;
    for (int i = 0; i < count; ++i) meta.shards.push_back({.index = i});
    ASSERT_TRUE(client_->Put(StreamCatalogKey(engine::KeyOf(meta.ref)), engine::EncodeStreamRecord(meta)).ok());
  }

  // What a leader's replication does once `node` caught up: adds it to the
  // ISR of every shard.
  void JoinEveryIsr(const std::string& node) {
    for (const ShardRecord& r : Records()) {
      ShardLeadership next = r.leadership;
      next.isr.push_back(node);
      Result<bool> updated = UpdateShardLeadership(*client_, r, next);
      ASSERT_TRUE(updated.ok());
      EXPECT_TRUE(*updated);
    }
  }

  void DeclareShards(int count) {
    CatalogueStream(count);
    for (int i = 0; i < count; ++i) ASSERT_TRUE(DeclareShard(*client_, Shard(i)).ok());
  }

  std::map<std::string, Node> nodes_;
};

TEST_F(ControllerTest, OfTwoWouldBeControllersExactlyOneWinsWithEpochOne) {
  Result<Lease> a = client_->GrantLease(10);
  Result<Lease> b = client_->GrantLease(10);
  ASSERT_TRUE(a.ok() && b.ok());
  ControllerElection first(*client_, {"a", [&] { return a->id; }, nullptr, nullptr, 100});
  ControllerElection second(*client_, {"b", [&] { return b->id; }, nullptr, nullptr, 100});
  ASSERT_TRUE(Eventually([&] { return first.rounds() >= 3 && second.rounds() >= 3; }));
  EXPECT_NE(first.is_controller(), second.is_controller());
  Result<std::optional<ControllerInfo>> controller = GetController(*client_);
  ASSERT_TRUE(controller.ok() && controller->has_value());
  EXPECT_EQ((*controller)->node, first.is_controller() ? "a" : "b");
  EXPECT_EQ((*controller)->epoch, 1);
}

TEST_F(ControllerTest, WhenTheControllersLeaseExpiresAnotherTakesOverWithTheNextEpoch) {
  Result<Lease> dying = client_->GrantLease(2);  // never renewed: a process killed at once
  ASSERT_TRUE(dying.ok());
  ControllerElection first(*client_, {"a", [&] { return dying->id; }, nullptr, nullptr, 100});
  ASSERT_TRUE(Eventually([&] { return first.is_controller(); }));
  EXPECT_EQ(first.term().epoch, 1);
  EtcdSession session(*client_, 5, [](int64_t) { return Status::Ok(); });
  ASSERT_TRUE(session.Start().ok());
  ControllerElection second(*client_, {"b", [&] { return session.lease(); }, nullptr, nullptr, 1000});
  ASSERT_TRUE(Eventually([&] { return second.rounds() >= 1; }));
  EXPECT_FALSE(second.is_controller());
  ASSERT_TRUE(Eventually([&] { return second.is_controller(); })) << "the watch sees the key expire";
  EXPECT_EQ(second.term().epoch, 2);
  EXPECT_TRUE(Eventually([&] { return !first.is_controller(); }));
}

TEST_F(ControllerTest, AResigningControllerIsReplacedAtOnce) {
  StartNode("n1");
  ASSERT_TRUE(Eventually([&] { return nodes_["n1"].controller->is_controller(); }));
  StartNode("n2");
  const int64_t start = MonotonicMillis();
  nodes_["n1"].Stop();
  ASSERT_TRUE(Eventually([&] { return nodes_["n2"].controller->is_controller(); }));
  EXPECT_LT(MonotonicMillis() - start, 2000) << "a revoked lease needs no TTL to pass";
  EXPECT_EQ(nodes_["n2"].controller->term().epoch, 2);
}

TEST_F(ControllerTest, LeadersSpreadEvenlyOverThreeNodesAndPlacementAnswersFromTheView) {
  for (const char* id : {"n1", "n2", "n3"}) StartNode(id);
  DeclareShards(6);
  ASSERT_TRUE(Eventually([&] {
    for (const ShardRecord& r : Records())
      if (r.leadership.isr.size() != 3) return false;
    return true;
  }));
  EXPECT_EQ(LeadersPerNode(), (std::map<std::string, int>{{"n1", 2}, {"n2", 2}, {"n3", 2}}));

  ClusterPlacement placement(*nodes_["n1"].view, "n1");
  const engine::StreamRef stream{"123456789012", "us-east-1", "orders"};
  ASSERT_TRUE(Eventually([&] {
    for (const ShardRecord& r : Records()) {
      std::optional<ShardRecord> cached = nodes_["n1"].view->shard(r.id);
      if (!cached || cached->mod_revision != r.mod_revision) return false;
    }
    return true;
  }));
  for (const ShardRecord& r : Records()) {
    engine::PlacementAnswer answer = placement.Leader({stream, r.id.creation_ms, r.id.shard_index});
    EXPECT_EQ(answer.this_node, r.leadership.leader == "n1");
    if (!answer.this_node) {
      EXPECT_EQ(answer.leader_address, nodes_[r.leadership.leader].view->live_node(r.leadership.leader)->advertise);
    }
  }
  EXPECT_FALSE(placement.Leader({stream, 1796000000000, 99}).this_node) << "an unknown shard is not ours";
}

TEST_F(ControllerTest, ALostNodesLeadershipsMoveToIsrMembersWithTheNextEpochAndComeBack) {
  for (const char* id : {"n1", "n2", "n3"}) StartNode(id);
  DeclareShards(6);
  ASSERT_TRUE(Eventually([&] {
    return LeadersPerNode() == std::map<std::string, int>{{"n1", 2}, {"n2", 2}, {"n3", 2}};
  }));
  const std::vector<ShardRecord> before = Records();

  nodes_["n3"].Stop();
  const int64_t lost_at = MonotonicMillis();
  ASSERT_TRUE(Eventually([&] {
    for (const ShardRecord& r : Records())
      if (r.leadership.isr.size() != 2) return false;
    return true;
  })) << "n3 leaves every in-sync set";
  EXPECT_LT(MonotonicMillis() - lost_at, 3000);
  const std::vector<ShardRecord> after = Records();
  for (size_t i = 0; i < after.size(); ++i) {
    const ShardLeadership& was = before[i].leadership;
    const ShardLeadership& now = after[i].leadership;
    EXPECT_NE(now.leader, "n3");
    EXPECT_TRUE(std::find(was.isr.begin(), was.isr.end(), now.leader) != was.isr.end());
    EXPECT_EQ(now.leader_epoch, was.leader_epoch + (was.leader == "n3" ? 1 : 0));
  }
  EXPECT_EQ(LeadersPerNode(), (std::map<std::string, int>{{"n1", 3}, {"n2", 3}}));

  // n3 returns; its leaders add it to their in-sync sets once it caught up
  // (the replication's part, done here by hand), and it leads its shards again.
  StartNode("n3");
  JoinEveryIsr("n3");
  ASSERT_TRUE(Eventually([&] {
    return LeadersPerNode() == std::map<std::string, int>{{"n1", 2}, {"n2", 2}, {"n3", 2}};
  }));
  const std::vector<ShardRecord> back = Records();
  for (size_t i = 0; i < back.size(); ++i) {
    EXPECT_EQ(back[i].leadership.leader, before[i].leadership.leader);
    EXPECT_EQ(back[i].leadership.leader_epoch,
              after[i].leadership.leader_epoch + (before[i].leadership.leader == "n3" ? 1 : 0));
  }
}

TEST_F(ControllerTest, AFailoverIsTimedByTheControllerAndEveryViewCountsItsLeaderChanges) {
  for (const char* id : {"n1", "n2", "n3"}) StartNode(id);
  DeclareShards(6);
  ASSERT_TRUE(Eventually([&] {
    return LeadersPerNode() == std::map<std::string, int>{{"n1", 2}, {"n2", 2}, {"n3", 2}};
  }));
  ASSERT_TRUE(Eventually([&] { return nodes_["n1"].view->leader_changes() == 6; })) << "six first leaders";
  EXPECT_EQ(nodes_["n1"].controller->failovers().durations().count() +
                nodes_["n2"].controller->failovers().durations().count() +
                nodes_["n3"].controller->failovers().durations().count(),
            0u)
      << "a first assignment is no failover";

  nodes_["n3"].Stop();
  ASSERT_TRUE(Eventually([&] { return LeadersPerNode() == std::map<std::string, int>{{"n1", 3}, {"n2", 3}}; }));
  for (const char* id : {"n1", "n2"}) {
    EXPECT_TRUE(Eventually([&] { return nodes_[id].view->leader_changes() == 8; })) << id << " sees two more";
  }
  HistogramSnapshot failovers = nodes_["n1"].controller->failovers().durations();
  const HistogramSnapshot n2 = nodes_["n2"].controller->failovers().durations();
  EXPECT_EQ(failovers.count() + n2.count(), 2u) << "n3's two shards, timed by whichever node was controller";
  EXPECT_LT(failovers.sum + n2.sum, 2u * 3000) << "milliseconds from the lost leader to the new one";
}

TEST_F(ControllerTest, AShardWhoseOnlyInSyncReplicaIsLostStaysLeaderless) {
  CatalogueStream(1);
  ASSERT_TRUE(
      client_->Put(ShardLeadershipKey(Shard(0)), EncodeShardLeadership({"n1", 4, {"n1", "n2", "n3"}, {"n1"}})).ok());
  StartNode("n2");
  StartNode("n3");
  ASSERT_TRUE(Eventually([&] { return Records().at(0).leadership.leader_epoch == 5; }));
  const ShardLeadership now = Records().at(0).leadership;
  EXPECT_TRUE(now.leaderless());
  EXPECT_EQ(now.isr, std::vector<std::string>{"n1"});
  EXPECT_TRUE(Records().at(0).leadership.leaderless());
}

TEST_F(ControllerTest, EveryShardOfACataloguedStreamGetsALeaderAndADeletedStreamsRecordsGo) {
  StartNode("n1");
  StartNode("n2");
  CatalogueStream(4);
  ASSERT_TRUE(Eventually([&] {
    const std::vector<ShardRecord> records = Records();
    return records.size() == 4 && std::all_of(records.begin(), records.end(), [](const ShardRecord& r) {
             return !r.leadership.leaderless() && r.leadership.replicas.size() == 2;
           });
  }));
  EXPECT_EQ(Records().back().id, Shard(3));
  ASSERT_TRUE(client_->Delete(StreamCatalogKey({Shard(0).account, Shard(0).region, Shard(0).stream})).ok());
  EXPECT_TRUE(Eventually([&] { return Records().empty(); }));
}

TEST_F(ControllerTest, ADecommissionedNodesReplicasMoveToAnotherNodeOnceTheReplacementsAreInSync) {
  for (const char* id : {"n1", "n2", "n3"}) StartNode(id);
  DeclareShards(3);
  ASSERT_TRUE(Eventually([&] {
    return LeadersPerNode() == std::map<std::string, int>{{"n1", 1}, {"n2", 1}, {"n3", 1}};
  }));
  const std::vector<ShardRecord> before = Records();
  StartNode("n4");
  EXPECT_EQ(MarkDecommissioned(*client_, "n9", 1).code(), ErrorCode::kResourceNotFound);
  ASSERT_TRUE(MarkDecommissioned(*client_, "n3", 1796000000000).ok());

  const auto names = [](const std::vector<std::string>& v, const std::string& n) {
    return std::find(v.begin(), v.end(), n) != v.end();
  };
  ASSERT_TRUE(Eventually([&] {
    const std::vector<ShardRecord> records = Records();
    return std::all_of(records.begin(), records.end(), [&](const ShardRecord& r) {
      return names(r.leadership.replicas, "n4") && r.leadership.removing == std::vector<std::string>{"n3"};
    });
  })) << "every shard gets a replacement on n4";
  for (const ShardRecord& r : Records()) {
    EXPECT_EQ(r.leadership.isr.size(), 3u) << "n3 stays in the ISR, n4 is not in it yet";
    EXPECT_FALSE(names(r.leadership.isr, "n4"));
  }

  // The leaders add n4 to their ISRs once it caught up (the replication's
  // part, done here by hand); then n3 is dropped everywhere.
  JoinEveryIsr("n4");
  ASSERT_TRUE(Eventually([&] {
    const std::vector<ShardRecord> records = Records();
    return std::none_of(records.begin(), records.end(), [&](const ShardRecord& r) {
      return names(r.leadership.replicas, "n3") || names(r.leadership.isr, "n3") || r.leadership.leader == "n3";
    });
  }));
  const std::vector<ShardRecord> after = Records();
  for (size_t i = 0; i < after.size(); ++i) {
    EXPECT_EQ(after[i].leadership.replicas.size(), 3u);
    EXPECT_EQ(after[i].leadership.isr.size(), 3u);
    EXPECT_TRUE(after[i].leadership.removing.empty());
    const bool led_by_n3 = before[i].leadership.leader == "n3";
    EXPECT_EQ(after[i].leadership.leader, led_by_n3 ? "n4" : before[i].leadership.leader);
    EXPECT_EQ(after[i].leadership.leader_epoch, before[i].leadership.leader_epoch + (led_by_n3 ? 1 : 0));
  }
  Result<std::vector<NodeStatus>> nodes = ListNodes(*client_);
  ASSERT_TRUE(nodes.ok());
  for (const NodeStatus& n : *nodes) EXPECT_EQ(n.decommissioned, n.info.id == "n3") << n.info.id;
}

}  // namespace
}  // namespace sluice::cluster
