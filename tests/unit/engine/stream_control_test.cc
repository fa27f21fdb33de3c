// StreamControl (engine/stream_control.h) on its own: over an in-memory
// stream registry whose saves can be made to fail, real in-memory shard logs
// and a ManualClock, without an Engine (with the housekeeping thread over
// them once); and once through Engine::control().
#include "engine/stream_control.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <atomic>
#include <climits>
#include <map>
#include <mutex>
#include <shared_mutex>

#include "engine/engine.h"
#include "engine/housekeeping.h"
#include "engine/local_shard_store.h"
#include "engine/stream_state.h"
#include "engine_test_util.h"

namespace sluice::engine {
namespace {

constexpr int64_t kStart = 1700000000000;  // 2023-11-14T22:13:20Z

// The registry the Engine's Impl is, kept in a map, recording each saved
// snapshot; saves fail while `fail_saves` is set.
class MemoryStreamRegistry final : public StreamRegistry {
 public:
  std::shared_ptr<StreamState> Find(const StreamRef& stream) const override {
    std::shared_lock table(table_mu_);
    auto it = streams_.find(KeyOf(stream));
    return it == streams_.end() ? nullptr : it->second;
  }
  std::mutex& control_mu() const override { return control_mu_; }
  std::vector<StreamMeta> SnapshotLocked() const override {
    ++snapshots;
    std::vector<StreamMeta> out;
    ForEach([&](const StreamMeta& m) { out.push_back(m); });
    return out;
  }
  Status SaveStreamsLocked(const std::vector<const StreamMeta*>& streams) override {
    if (fail_saves) return Status::IoError("disk full");
    saved.emplace_back();
    for (const StreamMeta* m : streams) saved.back().push_back(*m);
    return Status::Ok();
  }
  Status SaveRemovalLocked(const StreamKey& /*key*/) override {
    if (fail_saves) return Status::IoError("disk full");
    saved.emplace_back();  // a removal saves no stream
    return Status::Ok();
  }
  void InsertLocked(const StreamKey& key, std::shared_ptr<StreamState> state) override {
    std::unique_lock table(table_mu_);
    streams_[key] = std::move(state);
  }
  void EraseLocked(const StreamKey& key) override {
    std::unique_lock table(table_mu_);
    streams_.erase(key);
  }
  std::vector<std::shared_ptr<StreamState>> Streams() const override {
    std::shared_lock table(table_mu_);
    std::vector<std::shared_ptr<StreamState>> out;
    for (const auto& [key, state] : streams_) out.push_back(state);
    return out;
  }
  void ForEachInNamespace(const std::string& account, const std::string& region, std::string_view after,
                          const std::function<bool(const StreamMeta&)>& visit) const override {
    std::shared_lock table(table_mu_);
    for (auto it = streams_.upper_bound(StreamKey{account, region, std::string(after)}); it != streams_.end(); ++it) {
      if (std::get<0>(it->first) != account || std::get<1>(it->first) != region) break;
      ++visited;
      std::shared_lock lock(it->second->mu);
      if (!visit(it->second->meta)) break;
    }
  }

  bool fail_saves = false;
  std::vector<std::vector<StreamMeta>> saved;
  mutable std::atomic<int> snapshots{0};  // a housekeeping pass takes one
  mutable std::atomic<int> visited{0};    // streams ForEachInNamespace walked

 private:
  void ForEach(const std::function<void(const StreamMeta&)>& visit) const {
    std::shared_lock table(table_mu_);
    for (const auto& [key, state] : streams_) {
      std::shared_lock lock(state->mu);
      visit(state->meta);
    }
  }

  mutable std::mutex control_mu_;
  mutable std::shared_mutex table_mu_;
  std::map<StreamKey, std::shared_ptr<StreamState>> streams_;
};

EngineOptions MemoryOptions() {
  EngineOptions o;
  o.durability = storage::Durability::kMemory;
  o.log.durability = storage::Durability::kMemory;
  return o;
}

class StreamControlTest : public ::testing::Test {
 protected:
  Status Create(const StreamRef& s, int shards, std::vector<std::pair<std::string, std::string>> tags = {}) {
    CreateStreamParams p;
    p.shard_count = shards;
    p.tags = std::move(tags);
    return control_.CreateStream(s, p);
  }
  std::vector<std::string> Names(const std::vector<StreamSummary>& streams) {
    std::vector<std::string> out;
    for (const StreamSummary& s : streams) out.push_back(s.name);
    return out;
  }
  std::vector<std::string> Ids(const std::vector<Shard>& shards) {
    std::vector<std::string> out;
    for (const Shard& s : shards) out.push_back(s.shard_id);
    return out;
  }
  void Settle(int64_t now, int64_t* next_due) {
    std::lock_guard control(registry_.control_mu());
    control_.SettleLocked(now, next_due);
  }

  ManualClock clock_{kStart};
  EngineOptions options_ = MemoryOptions();
  MemoryStreamRegistry registry_;
  AccountStore accounts_{"", /*in_memory=*/true, clock_};
  LocalShardStoreFactory stores_{options_.log};
  int kicks_ = 0;
  StreamControl control_{options_, clock_, registry_, accounts_, stores_, [this] { ++kicks_; }};
  const StreamRef s_{"123456789012", "us-east-1", "orders"};
};

TEST_F(StreamControlTest, ACreatedStreamIsSavedBeforeItIsLive) {
  ASSERT_TRUE(Create(s_, 2).ok());
  ASSERT_EQ(registry_.saved.size(), 1u);
  ASSERT_EQ(registry_.saved[0].size(), 1u);
  EXPECT_EQ(registry_.saved[0][0].ref.name, "orders");
  EXPECT_EQ(registry_.saved[0][0].shards.size(), 2u);
  auto d = control_.DescribeStream(s_);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->status, StreamStatus::kActive);
  EXPECT_EQ(Ids(d->shards), (std::vector<std::string>{"shardId-000000000000", "shardId-000000000001"}));
  EXPECT_EQ(kicks_, 0);  // ACTIVE at once: no transition to settle
}

TEST_F(StreamControlTest, AFailedSaveCreatesNothing) {
  registry_.fail_saves = true;
  EXPECT_EQ(Create(s_, 2).code(), ErrorCode::kIoError);
  EXPECT_EQ(registry_.Find(s_), nullptr);
  EXPECT_EQ(control_.DescribeStream(s_).status().code(), ErrorCode::kResourceNotFound);
  EXPECT_TRUE(control_.ListStreams(s_.account, s_.region).empty());
  EXPECT_EQ(control_.DescribeLimits(s_.account, s_.region).open_shard_count, 0);
}

TEST_F(StreamControlTest, AStreamNameIsTakenOnceAndEachCreationIsLater) {
  ASSERT_TRUE(Create(s_, 1).ok());
  EXPECT_EQ(Create(s_, 1).code(), ErrorCode::kResourceInUse);
  const StreamRef other{s_.account, s_.region, "audit"};
  ASSERT_TRUE(Create(other, 1).ok());  // the clock has not moved
  EXPECT_GT(control_.DescribeStream(other)->creation_ms, control_.DescribeStream(s_)->creation_ms);
}

TEST_F(StreamControlTest, ListStreamsSeesOnlyItsNamespaceInNameOrder) {
  ASSERT_TRUE(Create({s_.account, s_.region, "zeta"}, 1).ok());
  ASSERT_TRUE(Create({s_.account, s_.region, "alpha"}, 1).ok());
  ASSERT_TRUE(Create({s_.account, "eu-west-1", "beta"}, 1).ok());
  ASSERT_TRUE(Create({"210987654321", s_.region, "gamma"}, 1).ok());
  EXPECT_EQ(Names(control_.ListStreams(s_.account, s_.region)), (std::vector<std::string>{"alpha", "zeta"}));
  EXPECT_EQ(Names(control_.ListStreams(s_.account, "eu-west-1")), (std::vector<std::string>{"beta"}));
  EXPECT_EQ(control_.DescribeLimits(s_.account, s_.region).open_shard_count, 2);
}

TEST_F(StreamControlTest, AStreamPageWalksOnlyTheStreamsItReturns) {
  for (int i = 0; i < 300; ++i) ASSERT_TRUE(Create({s_.account, s_.region, fmt::format("s{:03}", i)}, 1).ok());
  ASSERT_TRUE(Create({s_.account, "eu-west-1", "s250x"}, 1).ok());
  registry_.visited = 0;
  StreamPage page = control_.ListStreamPage(s_.account, s_.region, "s250", 10);
  ASSERT_EQ(page.streams.size(), 10u);
  EXPECT_EQ(page.streams.front().name, "s251");
  EXPECT_EQ(page.streams.back().name, "s260");
  EXPECT_TRUE(page.more);
  EXPECT_EQ(registry_.visited, 11) << "the page's streams and the one telling that more follow";
  registry_.visited = 0;
  page = control_.ListStreamPage(s_.account, s_.region, "s295", 10);
  EXPECT_EQ(Names(page.streams), (std::vector<std::string>{"s296", "s297", "s298", "s299"}));
  EXPECT_FALSE(page.more);
  EXPECT_EQ(registry_.visited, 4);
}

TEST_F(StreamControlTest, DescribeLimitsKeepsRunningTotalsInsteadOfWalkingStreams) {
  ASSERT_TRUE(Create(s_, 3).ok());
  CreateStreamParams on_demand;
  on_demand.mode = StreamMode::kOnDemand;
  ASSERT_TRUE(control_.CreateStream({s_.account, s_.region, "auto"}, on_demand).ok());
  ASSERT_TRUE(Create({s_.account, "eu-west-1", "elsewhere"}, 5).ok());
  registry_.visited = 0;
  AccountLimits limits = control_.DescribeLimits(s_.account, s_.region);
  EXPECT_EQ(limits.open_shard_count, 3 + 4);
  EXPECT_EQ(limits.on_demand_stream_count, 1);
  ASSERT_TRUE(control_.SplitShard(s_, "shardId-000000000000", HashKey(1) << 100).ok());
  EXPECT_EQ(control_.DescribeLimits(s_.account, s_.region).open_shard_count, 4 + 4);
  ASSERT_TRUE(control_.UpdateStreamMode({s_.account, s_.region, "auto"}, StreamMode::kProvisioned, std::nullopt).ok());
  EXPECT_EQ(control_.DescribeLimits(s_.account, s_.region).on_demand_stream_count, 0);
  ASSERT_TRUE(control_.DeleteStream(s_, false).ok());
  limits = control_.DescribeLimits(s_.account, s_.region);
  EXPECT_EQ(limits.open_shard_count, 4);
  EXPECT_EQ(control_.DescribeLimits(s_.account, "eu-west-1").open_shard_count, 5);
  EXPECT_EQ(registry_.visited, 0);
}

TEST_F(StreamControlTest, ADescriptionWithoutShardsStillCountsTheOpenOnes) {
  ASSERT_TRUE(Create(s_, 5).ok());
  ASSERT_TRUE(control_.MergeShards(s_, "shardId-000000000000", "shardId-000000000001").ok());
  auto d = control_.DescribeStream(s_, kNoShards);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_TRUE(d->shards.empty());
  EXPECT_FALSE(d->has_more_shards);
  EXPECT_EQ(d->open_shard_count, 4);
  d = control_.DescribeStream(s_, ShardPageRequest{1, 3});
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(Ids(d->shards),
            (std::vector<std::string>{"shardId-000000000002", "shardId-000000000003", "shardId-000000000004"}));
  EXPECT_TRUE(d->has_more_shards);  // the merged child
}

TEST_F(StreamControlTest, ListShardsAfterAShardIdPagesOnFromTheNextShard) {
  ASSERT_TRUE(Create(s_, 5).ok());
  ShardFilter first_page;
  auto all = control_.ListShards(s_, first_page, std::nullopt);
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  ASSERT_EQ(all->size(), 5u);
  ShardFilter after{ShardFilter::Type::kAfterShardId, (*all)[1].shard_id, 0};
  auto rest = control_.ListShards(s_, after, std::nullopt);
  ASSERT_TRUE(rest.ok()) << rest.status().ToString();
  EXPECT_EQ(Ids(*rest),
            (std::vector<std::string>{"shardId-000000000002", "shardId-000000000003", "shardId-000000000004"}));
  // A creation time that is not the stream's names another stream.
  const int64_t created = control_.DescribeStream(s_)->creation_ms;
  EXPECT_EQ(control_.ListShards(s_, first_page, created - 1000).status().code(), ErrorCode::kResourceNotFound);
}

TEST_F(StreamControlTest, TagsAreSortedAndTheLastValueOfAKeyWins) {
  ASSERT_TRUE(Create(s_, 1, {{"team", "a"}, {"env", "prod"}, {"team", "b"}}).ok());
  using Tags = std::vector<std::pair<std::string, std::string>>;
  EXPECT_EQ(*control_.ListTags(s_), (Tags{{"env", "prod"}, {"team", "b"}}));
  ASSERT_TRUE(control_.AddTags(s_, {{"cost", "42"}, {"env", "dev"}}).ok());
  EXPECT_EQ(*control_.ListTags(s_), (Tags{{"cost", "42"}, {"env", "dev"}, {"team", "b"}}));
  ASSERT_TRUE(control_.RemoveTags(s_, {"team", "absent"}).ok());
  EXPECT_EQ(*control_.ListTags(s_), (Tags{{"cost", "42"}, {"env", "dev"}}));
  registry_.fail_saves = true;
  EXPECT_EQ(control_.AddTags(s_, {{"late", "x"}}).code(), ErrorCode::kIoError);
  EXPECT_EQ(*control_.ListTags(s_), (Tags{{"cost", "42"}, {"env", "dev"}}));  // nothing changed
}

TEST_F(StreamControlTest, ASplitClosesTheParentAndOpensTwoChildrenThatCoverIt) {
  ASSERT_TRUE(Create(s_, 1).ok());
  const HashKey middle = HashKey(1) << 127;
  ASSERT_TRUE(control_.SplitShard(s_, "shardId-000000000000", middle).ok());
  auto shards = control_.ListShards(s_, ShardFilter{}, std::nullopt);
  ASSERT_TRUE(shards.ok()) << shards.status().ToString();
  ASSERT_EQ(shards->size(), 3u);
  EXPECT_TRUE((*shards)[0].ending_sequence_number.has_value());
  EXPECT_EQ((*shards)[1].parent_shard_id, "shardId-000000000000");
  EXPECT_EQ((*shards)[1].hash_range.end, middle - 1);
  EXPECT_EQ((*shards)[2].parent_shard_id, "shardId-000000000000");
  EXPECT_EQ((*shards)[2].hash_range.start, middle);
  EXPECT_EQ(control_.DescribeLimits(s_.account, s_.region).open_shard_count, 2);
  // A closed parent cannot be split again.
  EXPECT_EQ(control_.SplitShard(s_, "shardId-000000000000", middle).code(), ErrorCode::kInvalidArgument);
}

TEST_F(StreamControlTest, ADelayedScaleIsSavedAsPendingAndAppliedWhenDue) {
  options_.update_stream_delay_ms = 500;
  ASSERT_TRUE(Create(s_, 2).ok());
  auto update = control_.UpdateShardCount(s_, 4);
  ASSERT_TRUE(update.ok()) << update.status().ToString();
  EXPECT_EQ(update->current, 2);
  EXPECT_EQ(kicks_, 1);
  EXPECT_EQ(control_.DescribeStream(s_)->status, StreamStatus::kUpdating);
  EXPECT_FALSE(registry_.saved.back()[0].pending.empty());                        // saved before it is applied
  EXPECT_EQ(control_.DescribeLimits(s_.account, s_.region).open_shard_count, 4);  // counts as done
  int64_t next_due = INT64_MAX;
  Settle(kStart + 499, &next_due);
  EXPECT_EQ(next_due, kStart + 500);
  EXPECT_EQ(control_.DescribeStream(s_)->open_shard_count, 2);
  Settle(kStart + 500, &next_due);
  auto d = control_.DescribeStream(s_);
  EXPECT_EQ(d->status, StreamStatus::kActive);
  EXPECT_EQ(d->open_shard_count, 4);
}

TEST_F(StreamControlTest, ADelayedDeleteWakesHousekeepingAndRemovesTheStreamWhenDue) {
  options_.delete_stream_delay_ms = 500;
  ASSERT_TRUE(Create(s_, 1).ok());
  ASSERT_TRUE(control_.DeleteStream(s_, /*enforce_consumer_deletion=*/false).ok());
  EXPECT_EQ(kicks_, 1);
  EXPECT_EQ(control_.DescribeStream(s_)->status, StreamStatus::kDeleting);
  int64_t next_due = INT64_MAX;
  Settle(kStart + 499, &next_due);
  EXPECT_EQ(next_due, kStart + 500);
  ASSERT_NE(registry_.Find(s_), nullptr);
  Settle(kStart + 500, &next_due);
  EXPECT_EQ(registry_.Find(s_), nullptr);
  EXPECT_TRUE(registry_.saved.back().empty());
  EXPECT_EQ(control_.DescribeStream(s_).status().code(), ErrorCode::kResourceNotFound);
}

TEST_F(StreamControlTest, TheHousekeepingThreadSettlesADelayedCreateOnceKickedWhenDue) {
  options_.create_stream_delay_ms = 60000;  // the thread sleeps at most the retention interval, 5 s
  ConsumerRegistry consumers(options_, clock_, registry_, accounts_, [] {});
  Housekeeping housekeeping(options_, clock_, registry_, control_, consumers);
  ASSERT_TRUE(Create(s_, 1).ok());
  const int before = registry_.snapshots;
  housekeeping.Start();
  // The first pass has found nothing due (the clock has not moved).
  ASSERT_TRUE(testing::PollUntil([&] { return registry_.snapshots > before; }));
  EXPECT_EQ(control_.DescribeStream(s_)->status, StreamStatus::kCreating);
  clock_.Advance(60000);
  housekeeping.Kick();
  // Well before the thread's own wake-up (the retention interval, 5 s).
  EXPECT_TRUE(testing::PollUntil([&] { return control_.DescribeStream(s_)->status == StreamStatus::kActive; },
                                 std::chrono::seconds(2)));
  EXPECT_TRUE(housekeeping.Stop());
  EXPECT_FALSE(housekeeping.Stop());  // once
}

TEST(StreamControlThroughEngineTest, TheEngineServesTheControlPlaneFromItsOwnTable) {
  ManualClock clock{kStart};
  EngineOptions o = MemoryOptions();
  o.clock = &clock;
  auto engine = Engine::Open(o);
  ASSERT_TRUE(engine.ok()) << engine.status().ToString();
  const StreamRef s{"123456789012", "us-east-1", "orders"};
  CreateStreamParams p;
  p.shard_count = 2;
  ASSERT_TRUE((*engine)->control().CreateStream(s, p).ok());
  ASSERT_TRUE((*engine)->control().MergeShards(s, "shardId-000000000000", "shardId-000000000001").ok());
  auto d = (*engine)->control().DescribeStream(s);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->open_shard_count, 1);
  ASSERT_EQ(d->shards.size(), 3u);
  EXPECT_EQ(d->shards[2].parent_shard_id, "shardId-000000000000");
  EXPECT_EQ(d->shards[2].adjacent_parent_shard_id, "shardId-000000000001");
  // The data path finds the merged child at once.
  auto it = (*engine)->records().GetShardIterator(s, "shardId-000000000002", IteratorType::kTrimHorizon, std::nullopt,
                                                  std::nullopt);
  EXPECT_TRUE(it.ok()) << it.status().ToString();
}

}  // namespace
}  // namespace sluice::engine
