// Reshards of many shards on the control-plane worker
// (engine/stream_control.h): the stream is UPDATING, keeps its shards and
// takes writes while the children's logs are opened (held by the gate of
// background_test_util.h), and nothing else waits for them.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <future>
#include <set>

#include "background_test_util.h"
#include "engine/data_layout.h"
#include "engine/engine.h"
#include "engine/pending_marks.h"

namespace sluice::engine {
namespace {

using testing::kBig;
using testing::PollUntil;
using testing::PutOne;
using testing::PutSync;
using testing::ReadAll;

class BackgroundReshardTest : public testing::BackgroundTest {
 protected:
  // The big stream, built and ACTIVE, with the opens of its children still
  // to be held (or failed) by stores_.
  std::unique_ptr<Engine> OpenWithBigStream(int64_t update_delay_ms = 0, Clock* clock = nullptr) {
    stores_->held.clear();
    auto engine = Open(stores_, update_delay_ms, clock);
    EXPECT_TRUE(Create(*engine, big_, kBig).ok());
    engine->control().WaitForWorker();
    EXPECT_EQ(StatusOf(*engine, big_), StreamStatus::kActive);
    stores_->held = big_.name;
    return engine;
  }
  // The shard a record of partition key `key` went to.
  static int PutTo(Engine& engine, const StreamRef& s, const std::string& key, const std::string& data) {
    auto r = PutSync(engine, s, {{key, data, std::nullopt}});
    EXPECT_TRUE(r.ok() && (*r)[0].status.ok()) << (r.ok() ? (*r)[0].status.ToString() : r.status().ToString());
    return r.ok() ? (*r)[0].shard_index : -1;
  }
  std::filesystem::path StreamFolder() const { return *std::filesystem::directory_iterator(Region()); }
};

TEST_F(BackgroundReshardTest, LargeUpdateShardCountIsUpdatingUntilTheChildrenAreBuiltWhileOtherCallsGoOn) {
  auto engine = OpenWithBigStream();
  const int parent = PutTo(*engine, big_, "k", "before");

  auto update = engine->control().UpdateShardCount(big_, 2 * kBig);  // returns with the opens held
  ASSERT_TRUE(update.ok()) << update.status().ToString();
  EXPECT_EQ(update->current, kBig);
  ASSERT_TRUE(PollUntil([&] { return stores_->AnyWaiting(); }));
  auto d = engine->control().DescribeStream(big_);
  EXPECT_EQ(d->status, StreamStatus::kUpdating);
  EXPECT_EQ(d->shards.size(), static_cast<size_t>(kBig)) << "the old shards until the switch";
  EXPECT_EQ(d->open_shard_count, kBig);
  Status again = engine->control().UpdateShardCount(big_, kBig).status();
  EXPECT_EQ(again.code(), ErrorCode::kResourceInUse);
  EXPECT_EQ(again.message(), "Stream big under account 123456789012 not ACTIVE, instead in state UPDATING");
  Status deleted = engine->control().DeleteStream(big_, false);
  EXPECT_EQ(deleted.code(), ErrorCode::kResourceInUse);
  EXPECT_EQ(deleted.message(), "Stream big under account 123456789012 not ACTIVE, instead in state UPDATING");
  // Writes keep going to the parents, and the rest of the control plane answers.
  EXPECT_EQ(PutTo(*engine, big_, "k", "during"), parent);
  ASSERT_TRUE(Create(*engine, small_, 1).ok());
  EXPECT_EQ(StatusOf(*engine, small_), StreamStatus::kActive);
  EXPECT_FALSE(PutOne(*engine, small_, "k", "v").empty());
  EXPECT_EQ(engine->control().ListStreams(big_.account, big_.region).size(), 2u);
  // The reshard counts as done against the quota.
  EXPECT_EQ(engine->control().DescribeLimits(big_.account, big_.region).open_shard_count, 2 * kBig + 1);

  stores_->Release();
  engine->control().WaitForWorker();
  d = engine->control().DescribeStream(big_);
  EXPECT_EQ(d->status, StreamStatus::kActive);
  EXPECT_EQ(d->open_shard_count, 2 * kBig);
  ASSERT_EQ(d->shards.size(), static_cast<size_t>(3 * kBig)) << "each parent split in two";
  const int child = PutTo(*engine, big_, "k", "after");
  ASSERT_GE(child, kBig);
  EXPECT_EQ(d->shards[child].parent_shard_id, ShardIdFor(parent));
  std::vector<ChildShard> children;
  EXPECT_EQ(ReadAll(*engine, big_, ShardIdFor(parent), &children), (std::vector<std::string>{"before", "during"}));
  ASSERT_EQ(children.size(), 2u);
  EXPECT_TRUE(children[0].shard_id == ShardIdFor(child) || children[1].shard_id == ShardIdFor(child));
  EXPECT_EQ(ReadAll(*engine, big_, ShardIdFor(child)), std::vector<std::string>{"after"});

  engine.reset();  // saved: it comes back resharded
  stores_->held.clear();
  auto reopened = Open();
  EXPECT_EQ(StatusOf(*reopened, big_), StreamStatus::kActive);
  EXPECT_EQ(reopened->control().DescribeStream(big_)->open_shard_count, 2 * kBig);
  EXPECT_EQ(ReadAll(*reopened, big_, ShardIdFor(child)), std::vector<std::string>{"after"});
}

TEST_F(BackgroundReshardTest, FailedBuildLeavesTheStreamActiveWithItsOldShardsAndNoChildFolder) {
  auto engine = OpenWithBigStream();
  stores_->fail_at = kBig + 3;  // the fourth child
  const int parent = PutTo(*engine, big_, "k", "before");
  ASSERT_TRUE(engine->control().UpdateShardCount(big_, 2 * kBig).ok());
  stores_->Release();
  engine->control().WaitForWorker();

  auto d = engine->control().DescribeStream(big_);
  EXPECT_EQ(d->status, StreamStatus::kActive);
  EXPECT_EQ(d->shards.size(), static_cast<size_t>(kBig));
  EXPECT_EQ(d->open_shard_count, kBig);
  EXPECT_EQ(engine->control().DescribeLimits(big_.account, big_.region).open_shard_count, kBig);
  std::set<std::string> old_shards;  // their folders' names
  for (int i = 0; i < kBig; ++i) old_shards.insert(std::filesystem::path(ShardDir("", i)).filename().string());
  size_t entries = 0;
  for (const auto& e : std::filesystem::directory_iterator(StreamFolder())) {
    ++entries;
    EXPECT_TRUE(old_shards.contains(e.path().filename().string())) << "only old shards' folders are left: " << e.path();
  }
  EXPECT_EQ(entries, 1u) << "the written parent's folder (a folder comes with a shard's first record)";
  EXPECT_EQ(PutTo(*engine, big_, "k", "after"), parent);

  // Not saved either: a restart finds the old shards, and the reshard can be asked again.
  engine.reset();
  stores_->held.clear();
  stores_->fail_at = -1;
  engine = Open(stores_);
  EXPECT_EQ(StatusOf(*engine, big_), StreamStatus::kActive);
  EXPECT_EQ(engine->control().DescribeStream(big_)->shards.size(), static_cast<size_t>(kBig));
  EXPECT_EQ(ReadAll(*engine, big_, ShardIdFor(parent)), (std::vector<std::string>{"before", "after"}));
  ASSERT_TRUE(engine->control().UpdateShardCount(big_, 2 * kBig).ok());
  engine->control().WaitForWorker();
  EXPECT_EQ(engine->control().DescribeStream(big_)->open_shard_count, 2 * kBig);
}

TEST_F(BackgroundReshardTest, PendingLargeReshardIsBuiltOnTheWorkerNotInTheHousekeepingPass) {
  ManualClock clock(1700000000000);
  {
    auto engine = OpenWithBigStream(/*update_delay_ms=*/60000, &clock);
    ASSERT_TRUE(engine->control().UpdateShardCount(big_, 2 * kBig).ok());
    EXPECT_EQ(StatusOf(*engine, big_), StreamStatus::kUpdating);
    EXPECT_FALSE(stores_->AnyWaiting()) << "nothing is built before the delay ends";
  }
  // Due after a restart: the pass hands it to the worker and returns.
  clock.Advance(60000);
  stores_->held.clear();  // the old shards' logs open as the engine loads
  auto engine = Open(stores_, /*update_delay_ms=*/60000, &clock);
  stores_->held = big_.name;
  EXPECT_EQ(StatusOf(*engine, big_), StreamStatus::kUpdating);
  auto pass = std::async(std::launch::async, [&] { engine->RunHousekeeping(); });
  const bool returned = pass.wait_for(std::chrono::seconds(10)) == std::future_status::ready;
  EXPECT_TRUE(returned) << "the housekeeping pass waited for the children's logs";
  if (!returned) stores_->Release();
  EXPECT_TRUE(PollUntil([&] { return stores_->AnyWaiting(); }));
  EXPECT_EQ(StatusOf(*engine, big_), StreamStatus::kUpdating);
  engine->RunHousekeeping();  // a later pass leaves the stream to the worker
  ASSERT_TRUE(Create(*engine, small_, 1).ok());

  stores_->Release();
  pass.wait();
  engine->control().WaitForWorker();
  auto d = engine->control().DescribeStream(big_);
  EXPECT_EQ(d->status, StreamStatus::kActive);
  EXPECT_EQ(d->open_shard_count, 2 * kBig);
  EXPECT_EQ(d->shards.size(), static_cast<size_t>(3 * kBig));
}

}  // namespace
}  // namespace sluice::engine
