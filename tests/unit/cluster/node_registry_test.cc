// Node membership against a real etcd (etcd_process.h).
#include "cluster/node_registry.h"

#include <gtest/gtest.h>

#include "cluster/etcd_fixture.h"
#include "util/clock.h"

namespace sluice::cluster {
namespace {

class NodeRegistryTest : public testing::EtcdFixture {
 protected:
  NodeInfo Node(const std::string& id, const std::string& address) { return {id, address, 1796000000000, "test"}; }
};

TEST_F(NodeRegistryTest, ARegisteredNodeIsListedAliveWithItsDocument) {
  auto n1 = NodeRegistration::Register(*client_, Node("n1", "127.0.0.1:1001"), 5);
  ASSERT_TRUE(n1.ok()) << n1.status().ToString();
  Result<std::optional<KeyValue>> key = client_->Get("/sluice/v1/nodes/n1");
  ASSERT_TRUE(key.ok() && key->has_value());
  EXPECT_EQ((*key)->lease, (*n1)->lease()) << "the node key is bound to the session's lease";
  Result<std::vector<NodeStatus>> nodes = ListNodes(*client_);
  ASSERT_TRUE(nodes.ok()) << nodes.status().ToString();
  ASSERT_EQ(nodes->size(), 1u);
  EXPECT_EQ((*nodes)[0].info.id, "n1");
  EXPECT_EQ((*nodes)[0].info.advertise, "127.0.0.1:1001");
  EXPECT_EQ((*nodes)[0].info.started_ms, 1796000000000);
  EXPECT_TRUE((*nodes)[0].alive);
}

TEST_F(NodeRegistryTest, ASecondNodeWithTheSameIdIsRefusedNamingTheFirst) {
  auto first = NodeRegistration::Register(*client_, Node("n1", "127.0.0.1:1001"), 5);
  ASSERT_TRUE(first.ok());
  auto second = NodeRegistration::Register(*client_, Node("n1", "127.0.0.1:2002"), 5);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), ErrorCode::kResourceInUse);
  EXPECT_NE(second.status().message().find("127.0.0.1:1001"), std::string::npos) << second.status().message();
  EXPECT_EQ((*ListNodes(*client_))[0].info.advertise, "127.0.0.1:1001") << "the first registration stands";
}

TEST_F(NodeRegistryTest, ANodeThatLeftIsListedDownAndItsIdCanRegisterAgain) {
  auto n1 = NodeRegistration::Register(*client_, Node("n1", "127.0.0.1:1001"), 5);
  ASSERT_TRUE(n1.ok());
  (*n1)->Leave();
  Result<std::vector<NodeStatus>> nodes = ListNodes(*client_);
  ASSERT_TRUE(nodes.ok());
  ASSERT_EQ(nodes->size(), 1u);
  EXPECT_FALSE((*nodes)[0].alive);
  auto again = NodeRegistration::Register(*client_, Node("n1", "127.0.0.1:3003"), 5);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_TRUE((*ListNodes(*client_))[0].alive);
  EXPECT_EQ((*ListNodes(*client_))[0].info.advertise, "127.0.0.1:3003");
}

TEST_F(NodeRegistryTest, ABadNodeIdIsRefusedBeforeEtcdIsAsked) {
  auto bad = NodeRegistration::Register(*client_, Node("a/b", "127.0.0.1:1"), 5);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_TRUE(ListNodes(*client_)->empty());
}

// What a process killed with -9 leaves: its node key, and another key (a
// controller's), on a lease of a minute that nobody renews.
int64_t LeaveStaleRegistration(EtcdClient& client, const NodeInfo& node) {
  Result<Lease> lease = client.GrantLease(60);
  EXPECT_TRUE(lease.ok()) << lease.status().ToString();
  EXPECT_TRUE(client.Put("/sluice/v1/nodes/" + node.id, EncodeNodeInfo(node), lease->id).ok());
  EXPECT_TRUE(client.Put("/sluice/v1/controller/leader", "{}", lease->id).ok());
  return lease->id;
}

TEST_F(NodeRegistryTest, ARestartAtTheSameAddressTakesOverTheStaleRegistrationAtOnceAndRevokesItsLease) {
  const int64_t stale = LeaveStaleRegistration(*client_, Node("n1", "127.0.0.1:1001"));
  const int64_t started = MonotonicMillis();
  auto again = NodeRegistration::Register(*client_, Node("n1", "127.0.0.1:1001"), 60);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_LT(MonotonicMillis() - started, 2000) << "not after the stale lease's minute";
  Result<std::optional<KeyValue>> key = client_->Get("/sluice/v1/nodes/n1");
  ASSERT_TRUE(key.ok() && key->has_value());
  EXPECT_EQ((*key)->lease, (*again)->lease());
  EXPECT_NE((*again)->lease(), stale);
  EXPECT_FALSE(client_->Get("/sluice/v1/controller/leader")->has_value()) << "the stale lease's keys went with it";
  EXPECT_EQ(*client_->KeepAliveOnce(stale), 0) << "the stale lease is revoked";
  EXPECT_TRUE((*ListNodes(*client_))[0].alive);
}

TEST_F(NodeRegistryTest, ARestartAtAnotherAddressIsRefusedWhileTheStaleRegistrationLives) {
  const int64_t stale = LeaveStaleRegistration(*client_, Node("n1", "127.0.0.1:1001"));
  auto other = NodeRegistration::Register(*client_, Node("n1", "127.0.0.1:2002"), 60);
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.status().code(), ErrorCode::kResourceInUse);
  EXPECT_NE(other.status().message().find("127.0.0.1:1001"), std::string::npos) << other.status().message();
  Result<std::optional<KeyValue>> key = client_->Get("/sluice/v1/nodes/n1");
  ASSERT_TRUE(key.ok() && key->has_value());
  EXPECT_EQ((*key)->lease, stale) << "the stale registration stands";
  EXPECT_TRUE(client_->Get("/sluice/v1/controller/leader")->has_value());
}

TEST_F(NodeRegistryTest, AnUnspecifiedAddressProvesNoRestartAndIsRefused) {
  const int64_t stale = LeaveStaleRegistration(*client_, Node("n1", "0.0.0.0:1001"));
  auto again = NodeRegistration::Register(*client_, Node("n1", "0.0.0.0:1001"), 60);
  ASSERT_FALSE(again.ok()) << "another machine may serve at 0.0.0.0:1001 too";
  EXPECT_EQ(again.status().code(), ErrorCode::kResourceInUse);
  EXPECT_EQ((*client_->Get("/sluice/v1/nodes/n1"))->lease, stale);
}

TEST(NodeInfoTest, RoundTripsThroughItsJson) {
  NodeInfo in{"node-1", "10.0.0.1:4567", 1796000000123, "sluice 0.1.0"};
  Result<NodeInfo> out = ParseNodeInfo(EncodeNodeInfo(in));
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(out->id, in.id);
  EXPECT_EQ(out->advertise, in.advertise);
  EXPECT_EQ(out->started_ms, in.started_ms);
  EXPECT_EQ(out->version, in.version);
  EXPECT_FALSE(ParseNodeInfo("{\"advertise\":\"x\"}").ok());
  EXPECT_FALSE(ParseNodeInfo("nope").ok());
}

}  // namespace
}  // namespace sluice::cluster
