// A PutRecords whose records fall in shards with different leaders (cluster
// mode): the records of shards led here are appended here, the others go to
// their leader through the remote writer, and the answer lists every record
// in request order. Two real in-memory engines stand for two nodes; the
// "remote" writer calls the other engine's PutToShard in process (the
// network part is the cluster library's, tested there).
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <string>

#include "engine/engine.h"
#include "engine/remote_shards.h"
#include "engine_test_util.h"
#include "util/clock.h"
#include "util/hash_key.h"

namespace sluice::engine {
namespace {

using testing::PutSync;
using testing::ReadAll;

const StreamRef kStream{"123456789012", "us-east-1", "orders"};
constexpr char kLeaderB[] = "10.0.0.2:4567";

// Shard 0 is led by node B; the rest by node A. `b_leads_all` for node B's own view.
class TwoNodePlacement final : public ShardPlacement {
 public:
  explicit TwoNodePlacement(bool b_view) : b_view_(b_view) {}
  PlacementAnswer Leader(const ShardKey& shard) const override {
    if (b_view_) return shard.shard_index == 0 ? PlacementAnswer{} : PlacementAnswer{false, "10.0.0.1:4567"};
    if (shard.shard_index != 0) return {};
    return {false, leaderless.load() ? "" : kLeaderB};
  }
  std::atomic<bool> leaderless{false};

 private:
  bool b_view_;
};

// Passes a shard's records to node B's engine, as the cluster's writer does over the network.
class InProcessWriter final : public RemoteShardWriter {
 public:
  void Append(const std::string& leader_address, const ShardKey& shard, std::span<const PutEntry> entries,
              std::function<void(Result<std::vector<PutEntryResult>>)> done) override {
    ++calls;
    last_address = leader_address;
    if (fail) return done(Status(ErrorCode::kConnectionFailed, "connect to 10.0.0.2:4567: refused"));
    target->records().PutToShard(shard.stream, shard.stream_creation_ms, shard.shard_index, entries, std::move(done));
  }
  Engine* target = nullptr;
  std::atomic<int> calls{0};
  std::string last_address;
  bool fail = false;
};

class SplitPutTest : public ::testing::Test {
 protected:
  void SetUp() override {
    a_ = Open(placement_a_, writer_);
    b_ = Open(placement_b_, nullptr);
    writer_->target = b_.get();
    CreateStreamParams p;
    p.shard_count = 2;
    // Same stream, same creation time on both nodes (a cluster's catalogue is shared).
    ASSERT_TRUE(a_->control().CreateStream(kStream, p).ok());
    ASSERT_TRUE(b_->control().CreateStream(kStream, p).ok());
  }

  std::unique_ptr<Engine> Open(std::shared_ptr<ShardPlacement> placement, std::shared_ptr<RemoteShardWriter> writer) {
    EngineOptions o;
    o.durability = storage::Durability::kMemory;
    o.clock = &clock_;
    o.placement = std::move(placement);
    o.remote_writer = std::move(writer);
    auto e = Engine::Open(o);
    EXPECT_TRUE(e.ok()) << e.status().ToString();
    return e.ok() ? std::move(e).value() : nullptr;
  }

  static std::optional<HashKey> Low() { return *ParseHashKey("1"); }  // shard 0
  static std::optional<HashKey> High() { return *ParseHashKey("340282366920938463463374607431768211455"); }

  ManualClock clock_{1796000000000};
  std::shared_ptr<TwoNodePlacement> placement_a_ = std::make_shared<TwoNodePlacement>(false);
  std::shared_ptr<TwoNodePlacement> placement_b_ = std::make_shared<TwoNodePlacement>(true);
  std::shared_ptr<InProcessWriter> writer_ = std::make_shared<InProcessWriter>();
  std::unique_ptr<Engine> a_;
  std::unique_ptr<Engine> b_;
};

TEST_F(SplitPutTest, RecordsOfAShardLedElsewhereGoToItsLeaderAndTheAnswerKeepsRequestOrder) {
  auto put =
      PutSync(*a_, kStream, {{"k", "a-1", High()}, {"k", "b-1", Low()}, {"k", "a-2", High()}, {"k", "b-2", Low()}});
  ASSERT_TRUE(put.ok()) << put.status().ToString();
  ASSERT_EQ(put->size(), 4u);
  for (const PutEntryResult& r : *put) EXPECT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ((*put)[0].shard_index, 1);
  EXPECT_EQ((*put)[1].shard_index, 0);
  EXPECT_EQ((*put)[2].shard_index, 1);
  EXPECT_EQ((*put)[3].shard_index, 0);
  EXPECT_EQ(writer_->calls.load(), 1) << "one call for the shard led elsewhere, its records together";
  EXPECT_EQ(writer_->last_address, kLeaderB);
  // Each record is where its shard's leader keeps it, in order.
  EXPECT_EQ(ReadAll(*b_, kStream, "shardId-000000000000"), (std::vector<std::string>{"b-1", "b-2"}));
  EXPECT_EQ(ReadAll(*a_, kStream, "shardId-000000000001"), (std::vector<std::string>{"a-1", "a-2"}));
  // The leader's sequence numbers, as a read on the leader shows them.
  auto it = b_->records().GetShardIterator(kStream, "shardId-000000000000", IteratorType::kTrimHorizon, {}, {});
  ASSERT_TRUE(it.ok());
  auto read = b_->records().GetRecords(*it, 10, std::nullopt);
  ASSERT_TRUE(read.ok() && read->records.size() == 2);
  EXPECT_EQ(ToView(read->records[0].sequence_number), ToView((*put)[1].sequence_number));
  EXPECT_EQ(ToView(read->records[1].sequence_number), ToView((*put)[3].sequence_number));
}

TEST_F(SplitPutTest, ALeaderThatDoesNotAnswerFailsOnlyItsRecordsRetryably) {
  writer_->fail = true;
  auto put = PutSync(*a_, kStream, {{"k", "a-1", High()}, {"k", "b-1", Low()}});
  ASSERT_TRUE(put.ok()) << put.status().ToString();
  EXPECT_TRUE((*put)[0].status.ok());
  EXPECT_EQ((*put)[1].status.code(), ErrorCode::kInternalFailure);
  EXPECT_EQ(ReadAll(*a_, kStream, "shardId-000000000001"), (std::vector<std::string>{"a-1"}));
}

TEST_F(SplitPutTest, AShardWithNoLeaderFailsTheWholeCallAndWritesNothing) {
  placement_a_->leaderless = true;
  auto put = PutSync(*a_, kStream, {{"k", "a-1", High()}, {"k", "b-1", Low()}});
  ASSERT_FALSE(put.ok());
  EXPECT_EQ(put.status().code(), ErrorCode::kNotLeader);
  EXPECT_EQ(writer_->calls.load(), 0);
  EXPECT_TRUE(ReadAll(*a_, kStream, "shardId-000000000001").empty());
}

TEST_F(SplitPutTest, PutToShardIsRefusedByANodeThatDoesNotLeadAndNeverPassedOn) {
  std::vector<PutEntry> entries{{"k", "x", std::nullopt}};
  auto call = [&](Engine& engine, int64_t creation_ms, int shard) {
    auto promise = std::make_shared<std::promise<Result<std::vector<PutEntryResult>>>>();
    auto future = promise->get_future();
    engine.records().PutToShard(kStream, creation_ms, shard, entries,
                                [promise](Result<std::vector<PutEntryResult>> r) { promise->set_value(std::move(r)); });
    EXPECT_EQ(future.wait_for(std::chrono::seconds(10)), std::future_status::ready);
    return future.get();
  };
  auto described = a_->control().DescribeStream(kStream);
  ASSERT_TRUE(described.ok()) << described.status().ToString();
  const int64_t created = described->creation_ms;
  // Node A does not lead shard 0: refused, not passed to B again.
  auto refused = call(*a_, created, 0);
  EXPECT_EQ(refused.status().code(), ErrorCode::kNotLeader);
  EXPECT_EQ(writer_->calls.load(), 0);
  // Another incarnation of the stream, or a shard it does not have.
  EXPECT_EQ(call(*b_, created + 1, 0).status().code(), ErrorCode::kResourceNotFound);
  EXPECT_EQ(call(*b_, created, 7).status().code(), ErrorCode::kResourceNotFound);
  // Keys are not routed: every record goes to the shard named.
  auto placed = call(*b_, created, 0);
  ASSERT_TRUE(placed.ok()) << placed.status().ToString();
  EXPECT_EQ((*placed)[0].shard_index, 0);
}

}  // namespace
}  // namespace sluice::engine
