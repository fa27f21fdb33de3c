// The shared stream catalogue against a real etcd (etcd_process.h): each
// "node" is an engine of its own (in memory) whose catalogue is an
// EtcdStreamCatalog on the same etcd.
#include "cluster/etcd_stream_catalog.h"

#include <gtest/gtest.h>

#include <functional>
#include <thread>

#include "cluster/etcd_fixture.h"
#include "engine/metadata_codec.h"
#include "util/clock.h"

namespace sluice::cluster {
namespace {

using testing::Eventually;
using testing::kDeadlineMs;

const engine::StreamRef kOrders{"123456789012", "us-east-1", "orders"};

engine::CreateStreamParams Shards(int count) {
  engine::CreateStreamParams p;
  p.shard_count = count;
  return p;
}

// One node: its catalogue and its engine, following the others' changes
// unless told not to.
struct Node {
  std::shared_ptr<EtcdStreamCatalog> catalog;
  std::unique_ptr<engine::Engine> engine;

  engine::StreamControl& control() { return engine->control(); }
  bool Has(const engine::StreamRef& s) { return control().DescribeStream(s).ok(); }
  std::vector<std::pair<std::string, std::string>> Tags(const engine::StreamRef& s) {
    auto tags = control().ListTags(s);
    return tags.ok() ? *tags : std::vector<std::pair<std::string, std::string>>();
  }
};

class EtcdStreamCatalogTest : public testing::EtcdFixture {
 protected:
  void TearDown() override {
    for (auto& node : nodes_) node->catalog->Stop();
  }

  struct NodeOptions {
    bool follow = true;             // apply the others' changes
    bool housekeeping = false;      // run the housekeeping thread (transitions)
    int64_t create_delay_ms = 0;    // time in CREATING
    int64_t register_delay_ms = 0;  // time a consumer spends in CREATING
    EtcdClient* client = nullptr;   // the fixture's unless set
  };
  Node& StartNode(NodeOptions node_options) {
    auto node = std::make_unique<Node>();
    node->catalog = std::make_shared<EtcdStreamCatalog>(node_options.client ? *node_options.client : *client_);
    engine::EngineOptions options;
    options.durability = storage::Durability::kMemory;
    options.catalog = node->catalog;
    options.create_stream_delay_ms = node_options.create_delay_ms;
    options.register_consumer_delay_ms = node_options.register_delay_ms;
    auto opened = engine::Engine::Open(options);
    EXPECT_TRUE(opened.ok()) << opened.status().ToString();
    node->engine = std::move(opened).value();
    if (node_options.housekeeping) node->engine->Start();
    if (node_options.follow) node->catalog->Follow(*node->engine);
    nodes_.push_back(std::move(node));
    return *nodes_.back();
  }
  Node& StartNode() { return StartNode(NodeOptions{}); }

  std::optional<KeyValue> Key(const engine::StreamRef& s) {
    auto kv = client_->Get(StreamCatalogKey(engine::KeyOf(s)));
    EXPECT_TRUE(kv.ok()) << kv.status().ToString();
    return kv.ok() ? *kv : std::nullopt;
  }

  std::vector<std::unique_ptr<Node>> nodes_;
};

TEST_F(EtcdStreamCatalogTest, KeyNamesAccountRegionAndStream) {
  EXPECT_EQ(StreamCatalogKey(engine::KeyOf(kOrders)), "/sluice/v1/streams/123456789012/us-east-1/orders");
  auto parsed = ParseStreamCatalogKey("/sluice/v1/streams/123456789012/us-east-1/orders");
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(*parsed, engine::KeyOf(kOrders));
  EXPECT_FALSE(ParseStreamCatalogKey("/sluice/v1/streams/123456789012/us-east-1").ok());
  EXPECT_FALSE(ParseStreamCatalogKey("/sluice/v1/streams/a/b/c/d").ok());
  EXPECT_FALSE(ParseStreamCatalogKey("/sluice/v1/shards/a/b/c").ok());
}

TEST_F(EtcdStreamCatalogTest, CreateStreamWritesTheRecordTheJournalWould) {
  Node& a = StartNode();
  ASSERT_TRUE(a.control().CreateStream(kOrders, Shards(2)).ok());
  std::optional<KeyValue> kv = Key(kOrders);
  ASSERT_TRUE(kv.has_value());
  auto meta = engine::DecodeStreamRecord(kv->value);
  ASSERT_TRUE(meta.ok()) << meta.status().ToString();
  EXPECT_EQ(meta->ref.name, "orders");
  EXPECT_EQ(meta->shards.size(), 2u);
  EXPECT_EQ(meta->status, engine::StreamStatus::kActive);
}

TEST_F(EtcdStreamCatalogTest, TwoNodesCreatingOneNameLeaveOneStreamAndOneResourceInUse) {
  Node& a = StartNode();
  Node& b = StartNode();
  Status from_a, from_b;
  std::thread ta([&] { from_a = a.control().CreateStream(kOrders, Shards(1)); });
  std::thread tb([&] { from_b = b.control().CreateStream(kOrders, Shards(3)); });
  ta.join();
  tb.join();
  ASSERT_NE(from_a.ok(), from_b.ok()) << from_a.ToString() << " / " << from_b.ToString();
  const Status& lost = from_a.ok() ? from_b : from_a;
  EXPECT_EQ(lost.code(), ErrorCode::kResourceInUse);
  EXPECT_EQ(lost.message(), "Stream orders under account 123456789012 already exists.");
  // Both nodes end up with the winner's stream.
  const size_t shards = from_a.ok() ? 1 : 3;
  for (Node* n : {&a, &b}) {
    EXPECT_TRUE(Eventually([&] {
      auto d = n->control().DescribeStream(kOrders);
      return d.ok() && d->shards.size() == shards;
    }));
  }
  auto all = client_->GetPrefix(kStreamsPrefix);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->kvs.size(), 1u);
}

TEST_F(EtcdStreamCatalogTest, ChangesThroughAnyNodeAreAppliedOnEveryOther) {
  Node& a = StartNode();
  Node& b = StartNode();
  Node& c = StartNode();
  ASSERT_TRUE(a.control().CreateStream(kOrders, Shards(2)).ok());
  ASSERT_TRUE(Eventually([&] { return b.Has(kOrders) && c.Has(kOrders); }));
  ASSERT_TRUE(b.control().AddTags(kOrders, {{"team", "payments"}}).ok());
  EXPECT_TRUE(Eventually([&] { return c.Tags(kOrders).size() == 1 && a.Tags(kOrders).size() == 1; }));
  ASSERT_TRUE(c.control().SplitShard(kOrders, "shardId-000000000000", HashKey{1} << 64).ok());
  EXPECT_TRUE(Eventually([&] {
    auto d = a.control().DescribeStream(kOrders);
    return d.ok() && d->shards.size() == 4;
  }));
  ASSERT_TRUE(c.control().DeleteStream(kOrders, false).ok());
  EXPECT_TRUE(Eventually([&] { return !a.Has(kOrders) && !b.Has(kOrders); }));
  EXPECT_FALSE(Key(kOrders).has_value());
}

TEST_F(EtcdStreamCatalogTest, ANodesOwnChangesAreAppliedOnceNotAgainFromTheWatch) {
  Node& a = StartNode();
  Node& b = StartNode();
  ASSERT_TRUE(a.control().CreateStream(kOrders, Shards(1)).ok());
  ASSERT_TRUE(a.control().AddTags(kOrders, {{"k", "v"}}).ok());
  ASSERT_TRUE(Eventually([&] { return b.catalog->applied() == 2; }));
  // b has seen both of a's changes by now; a's watch delivered them earlier
  // still (one watch per catalogue, same etcd) and skipped them.
  EXPECT_EQ(a.catalog->applied(), 0);
}

// A "stale" node loads the streams and then follows nothing: it stands for
// a node whose watch has not yet delivered another's change when a client,
// answered by that other node, calls it.
TEST_F(EtcdStreamCatalogTest, AChangeThroughAStaleNodeIsMadeOnTheCurrentRecord) {
  Node& a = StartNode();
  ASSERT_TRUE(a.control().CreateStream(kOrders, Shards(1)).ok());
  Node& stale = StartNode({.follow = false});
  ASSERT_TRUE(stale.Has(kOrders));
  ASSERT_TRUE(a.control().AddTags(kOrders, {{"owner", "a"}}).ok());
  Status added = stale.control().AddTags(kOrders, {{"team", "payments"}});
  ASSERT_TRUE(added.ok()) << added.ToString();
  const std::vector<std::pair<std::string, std::string>> both{{"owner", "a"}, {"team", "payments"}};
  EXPECT_EQ(stale.Tags(kOrders), both);  // a's change applied here, then its own
  auto saved = engine::DecodeStreamRecord(Key(kOrders)->value);
  ASSERT_TRUE(saved.ok());
  EXPECT_EQ(saved->tags, both);  // no lost update
  EXPECT_TRUE(Eventually([&] { return a.Tags(kOrders) == both; }));
}

TEST_F(EtcdStreamCatalogTest, AStaleNodeChecksTheTagLimitOnTheCurrentRecord) {
  Node& a = StartNode();
  ASSERT_TRUE(a.control().CreateStream(kOrders, Shards(1)).ok());
  Node& stale = StartNode({.follow = false});
  std::vector<std::pair<std::string, std::string>> many, more;
  for (int i = 0; i < 45; ++i) many.emplace_back("a" + std::to_string(i), "v");
  for (int i = 0; i < 10; ++i) more.emplace_back("b" + std::to_string(i), "v");
  ASSERT_TRUE(a.control().AddTags(kOrders, many).ok());
  const int64_t before = Key(kOrders)->mod_revision;
  // 10 tags fit the 0 the stale node held, not the 45 the stream has.
  Status refused = stale.control().AddTags(kOrders, more);
  EXPECT_EQ(refused.code(), ErrorCode::kInvalidArgument) << refused.ToString();
  EXPECT_EQ(Key(kOrders)->mod_revision, before);
  EXPECT_EQ(stale.Tags(kOrders).size(), 45u);
}

TEST_F(EtcdStreamCatalogTest, AStreamCreatedThroughOneNodeIsDescribedThroughAStaleOne) {
  Node& a = StartNode();
  Node& stale = StartNode({.follow = false});
  ASSERT_TRUE(a.control().CreateStream(kOrders, Shards(2)).ok());
  auto described = stale.control().DescribeStream(kOrders);
  ASSERT_TRUE(described.ok()) << described.status().ToString();
  EXPECT_EQ(described->shards.size(), 2u);
  EXPECT_EQ(stale.control().DescribeStream({kOrders.account, kOrders.region, "absent"}).status().code(),
            ErrorCode::kResourceNotFound);
}

TEST_F(EtcdStreamCatalogTest, AStreamDeletedThroughOneNodeIsCreatedAgainThroughAStaleOne) {
  Node& a = StartNode();
  ASSERT_TRUE(a.control().CreateStream(kOrders, Shards(1)).ok());
  Node& stale = StartNode({.follow = false});
  ASSERT_TRUE(a.control().DeleteStream(kOrders, false).ok());
  ASSERT_TRUE(stale.Has(kOrders));
  Status created = stale.control().CreateStream(kOrders, Shards(3));
  ASSERT_TRUE(created.ok()) << created.ToString();
  auto saved = engine::DecodeStreamRecord(Key(kOrders)->value);
  ASSERT_TRUE(saved.ok());
  EXPECT_EQ(saved->shards.size(), 3u);
  EXPECT_TRUE(Eventually([&] {
    auto d = a.control().DescribeStream(kOrders);
    return d.ok() && d->shards.size() == 3;
  }));
}

TEST_F(EtcdStreamCatalogTest, AConsumerRegisteredThroughOneNodeIsDescribedAndDeregisteredThroughAStaleOne) {
  Node& a = StartNode();
  ASSERT_TRUE(a.control().CreateStream(kOrders, Shards(1)).ok());
  Node& stale = StartNode({.follow = false});
  ASSERT_TRUE(a.engine->consumers().RegisterStreamConsumer(kOrders, "reader", {}).ok());
  const engine::ConsumerLookup reader{kOrders, "reader", std::nullopt};
  auto described = stale.engine->consumers().DescribeStreamConsumer(reader);
  ASSERT_TRUE(described.ok()) << described.status().ToString();
  EXPECT_EQ(described->name, "reader");
  Status deregistered = stale.engine->consumers().DeregisterStreamConsumer(reader);
  ASSERT_TRUE(deregistered.ok()) << deregistered.ToString();
  auto saved = engine::DecodeStreamRecord(Key(kOrders)->value);
  ASSERT_TRUE(saved.ok());
  EXPECT_TRUE(saved->consumers.empty());
}

TEST_F(EtcdStreamCatalogTest, ARecordReadAfterARefusalIsNotAppliedAgainFromTheWatch) {
  Node& a = StartNode();
  ASSERT_TRUE(a.control().CreateStream(kOrders, Shards(1)).ok());
  Node& late = StartNode({.follow = false});
  ASSERT_TRUE(a.control().AddTags(kOrders, {{"owner", "a"}}).ok());
  ASSERT_TRUE(late.control().AddTags(kOrders, {{"team", "payments"}}).ok());
  EXPECT_EQ(late.catalog->applied(), 1);  // a's tag, read after the refusal
  late.catalog->Follow(*late.engine);     // from the revision it loaded: a's tag, then its own
  ASSERT_TRUE(a.control().AddTags(kOrders, {{"tier", "gold"}}).ok());
  ASSERT_TRUE(Eventually([&] { return late.Tags(kOrders).size() == 3; }));
  EXPECT_EQ(late.catalog->applied(), 2);  // only the last came from the watch
}

TEST_F(EtcdStreamCatalogTest, ChangesThroughThreeNodesAtTheSameTimeAllLand) {
  Node& a = StartNode();
  Node& b = StartNode();
  Node& c = StartNode();
  ASSERT_TRUE(a.control().CreateStream(kOrders, Shards(1)).ok());
  ASSERT_TRUE(Eventually([&] { return b.Has(kOrders) && c.Has(kOrders); }));
  std::vector<Status> answers(30);
  std::vector<std::thread> threads;
  Node* nodes[] = {&a, &b, &c};
  for (int n = 0; n < 3; ++n) {
    threads.emplace_back([&, n] {
      for (int j = 0; j < 10; ++j) {
        answers[n * 10 + j] =
            nodes[n]->control().AddTags(kOrders, {{"n" + std::to_string(n) + "-" + std::to_string(j), "v"}});
      }
    });
  }
  for (auto& t : threads) t.join();
  for (const Status& s : answers) EXPECT_TRUE(s.ok()) << s.ToString();
  auto saved = engine::DecodeStreamRecord(Key(kOrders)->value);
  ASSERT_TRUE(saved.ok());
  EXPECT_EQ(saved->tags.size(), 30u);
}

TEST_F(EtcdStreamCatalogTest, AConsumerRegisteredThroughOneNodeTurnsActiveOnEveryNode) {
  Node& a = StartNode({.housekeeping = true, .register_delay_ms = 200});
  Node& b = StartNode({.housekeeping = true, .register_delay_ms = 200});
  ASSERT_TRUE(a.control().CreateStream(kOrders, Shards(1)).ok());
  ASSERT_TRUE(Eventually([&] { return b.Has(kOrders); }));
  ASSERT_TRUE(a.engine->consumers().RegisterStreamConsumer(kOrders, "reader", {}).ok());
  const engine::ConsumerLookup reader{kOrders, "reader", std::nullopt};
  // Both settle it when due: one write wins, the other node takes it up.
  for (Node* n : {&a, &b}) {
    EXPECT_TRUE(Eventually([&] {
      auto c = n->engine->consumers().DescribeStreamConsumer(reader);
      return c.ok() && c->status == engine::ConsumerStatus::kActive;
    }));
  }
  // And a change through either afterwards is made on the current record.
  EXPECT_TRUE(b.engine->consumers().DeregisterStreamConsumer(reader).ok());
  EXPECT_TRUE(a.control().AddTags(kOrders, {{"k", "v"}}).ok());
}

TEST_F(EtcdStreamCatalogTest, ANewNodeLoadsEveryStream) {
  Node& a = StartNode();
  ASSERT_TRUE(a.control().CreateStream(kOrders, Shards(2)).ok());
  ASSERT_TRUE(a.control().CreateStream({kOrders.account, kOrders.region, "clicks"}, Shards(1)).ok());
  Node& later = StartNode();
  EXPECT_EQ(later.control().ListStreams(kOrders.account, kOrders.region).size(), 2u);
  // ... and takes part from there: a deletion through it reaches the first.
  ASSERT_TRUE(later.control().DeleteStream(kOrders, false).ok());
  EXPECT_TRUE(Eventually([&] { return !a.Has(kOrders); }));
}

TEST_F(EtcdStreamCatalogTest, TheNodeThatTookTheCallFinishesItsTransition) {
  Node& a = StartNode({.housekeeping = true, .create_delay_ms = 300});
  Node& b = StartNode({.housekeeping = true, .create_delay_ms = 300});
  const int64_t created = MonotonicMillis();
  ASSERT_TRUE(a.control().CreateStream(kOrders, Shards(1)).ok());
  ASSERT_TRUE(Eventually([&] { return b.Has(kOrders); }));
  ASSERT_TRUE(Eventually([&] { return b.control().DescribeStream(kOrders)->status == engine::StreamStatus::kActive; }));
  // a settled it when due; b, waiting for a, would only have after the takeover time.
  EXPECT_LT(MonotonicMillis() - created, engine::StreamControl::kTransitionTakeoverMs);
  EXPECT_EQ(a.control().DescribeStream(kOrders)->status, engine::StreamStatus::kActive);
}

TEST_F(EtcdStreamCatalogTest, ATransitionWhoseNodeStoppedIsFinishedByAnotherOnceOverdue) {
  Node& a = StartNode({.housekeeping = false, .create_delay_ms = 100});  // never settles: as if it died
  Node& b = StartNode({.housekeeping = true, .create_delay_ms = 100});
  const int64_t created = MonotonicMillis();
  ASSERT_TRUE(a.control().CreateStream(kOrders, Shards(1)).ok());
  ASSERT_TRUE(Eventually([&] { return b.Has(kOrders); }));
  ASSERT_TRUE(Eventually([&] { return b.control().DescribeStream(kOrders)->status == engine::StreamStatus::kActive; },
                         engine::StreamControl::kTransitionTakeoverMs + kDeadlineMs));
  EXPECT_GE(MonotonicMillis() - created, engine::StreamControl::kTransitionTakeoverMs);
  // b's write reaches a like any other change.
  EXPECT_TRUE(Eventually([&] { return a.control().DescribeStream(kOrders)->status == engine::StreamStatus::kActive; }));
}

TEST_F(EtcdStreamCatalogTest, ANodeWhoseWatchMissedACompactedHistoryReadsEveryStreamAgain) {
  testing::EtcdCluster etcd(3);
  Status started = etcd.Start();
  ASSERT_TRUE(started.ok()) << started.ToString();
  // The follower asks the first member only; the writer the second.
  std::unique_ptr<EtcdClient> follower_client = testing::MakeClient({etcd.member(0).endpoint()});
  std::unique_ptr<EtcdClient> writer_client = testing::MakeClient({etcd.member(1).endpoint()});
  struct DropNodes {  // the nodes go before the clients and members they use
    std::vector<std::unique_ptr<Node>>& nodes;
    ~DropNodes() {
      for (auto& node : nodes) node->catalog->Stop();
      nodes.clear();
    }
  } drop{nodes_};
  Node& writer = StartNode({.client = writer_client.get()});
  Node& follower = StartNode({.client = follower_client.get()});
  const engine::StreamRef kOld{kOrders.account, kOrders.region, "old"};
  ASSERT_TRUE(writer.control().CreateStream(kOld, Shards(1)).ok());
  ASSERT_TRUE(Eventually([&] { return follower.Has(kOld); }, kDeadlineMs));

  // While the follower's member is down: a delete, a create and a tag, then
  // a compaction of their history; the member comes back with all three.
  etcd.member(0).Kill9();
  ASSERT_TRUE(writer.control().DeleteStream(kOld, false).ok());
  ASSERT_TRUE(writer.control().CreateStream(kOrders, Shards(2)).ok());
  ASSERT_TRUE(writer.control().AddTags(kOrders, {{"team", "payments"}}).ok());
  Result<RangeResult> now = writer_client->GetPrefix(kStreamsPrefix);
  ASSERT_TRUE(now.ok()) << now.status().ToString();
  ASSERT_TRUE(writer_client->Compact(now->revision).ok());
  started = etcd.member(0).Start();
  ASSERT_TRUE(started.ok()) << started.ToString();

  EXPECT_TRUE(Eventually([&] { return follower.Has(kOrders) && !follower.Tags(kOrders).empty(); }, kDeadlineMs));
  EXPECT_EQ(follower.Tags(kOrders), (std::vector<std::pair<std::string, std::string>>{{"team", "payments"}}));
  EXPECT_TRUE(Eventually([&] { return !follower.Has(kOld); }, kDeadlineMs)) << "a delete in the compacted history";
  EXPECT_EQ(follower.catalog->resyncs(), 1);
  // The follower's own change after that is written on what it read.
  EXPECT_TRUE(follower.control().AddTags(kOrders, {{"tier", "gold"}}).ok());
  EXPECT_TRUE(Eventually([&] { return writer.Tags(kOrders).size() == 2; }, kDeadlineMs));
}

}  // namespace
}  // namespace sluice::cluster
