// CreateStream and DeleteStream of large streams on the control-plane worker
// (engine/stream_control.h): a real engine on a real data directory, its
// shard logs opened through a factory that can hold or fail the opens of one
// stream.
#include <gtest/gtest.h>

#include <condition_variable>
#include <filesystem>
#include <mutex>

#include "engine/engine.h"
#include "engine/local_shard_store.h"
#include "engine/pending_marks.h"
#include "engine_test_util.h"

namespace sluice::engine {
namespace {

namespace fs = std::filesystem;
using testing::PollUntil;
using testing::PutOne;
using testing::PutSync;
using testing::TempDir;

constexpr int kBig = 8;  // shards of the stream built in the background

// Opens local shard logs; the opens of the stream named `held` wait while
// the gate is closed, and its shard `fail_at` (when >= 0) fails.
class GatedStores final : public ShardStoreFactory {
 public:
  explicit GatedStores(const storage::LogOptions& o) : local_(o) {}
  Result<std::unique_ptr<ShardStore>> Open(const ShardKey& shard, const std::string& dir) override {
    if (shard.stream.name == held) {
      std::unique_lock lock(mu_);
      ++waiting_;
      changed_.notify_all();
      changed_.wait(lock, [&] { return open_; });
      if (shard.shard_index == fail_at) return Status::IoError("open " + dir + ": Too many open files");
    }
    return local_.Open(shard, dir);
  }
  void Stop() override { local_.Stop(); }
  void AddMetrics(StorageMetrics* out) const override { local_.AddMetrics(out); }

  void Release() {
    std::lock_guard lock(mu_);
    open_ = true;
    changed_.notify_all();
  }
  bool AnyWaiting() {
    std::lock_guard lock(mu_);
    return waiting_ > 0;
  }

  std::string held = "big";
  int fail_at = -1;

 private:
  LocalShardStoreFactory local_;
  std::mutex mu_;
  std::condition_variable changed_;
  bool open_ = false;
  int waiting_ = 0;
};

class BackgroundCreateTest : public ::testing::Test {
 protected:
  std::unique_ptr<Engine> Open(std::shared_ptr<ShardStoreFactory> stores = nullptr) {
    EngineOptions o;
    o.data_dir = dir_.path();
    o.durability = storage::Durability::kOs;
    o.background_min_shards = kBig;
    o.shard_stores = std::move(stores);
    auto e = Engine::Open(o);
    EXPECT_TRUE(e.ok()) << e.status().ToString();
    return e.ok() ? std::move(e).value() : nullptr;
  }
  Status Create(Engine& engine, const StreamRef& s, int shards) {
    CreateStreamParams p;
    p.shard_count = shards;
    return engine.control().CreateStream(s, p);
  }
  StreamStatus StatusOf(Engine& engine, const StreamRef& s) {
    auto d = engine.control().DescribeStream(s);
    EXPECT_TRUE(d.ok()) << d.status().ToString();
    return d.ok() ? d->status : StreamStatus::kDeleting;
  }
  fs::path Region() const { return fs::path(dir_.path()) / "streams" / "123456789012" / "us-east-1"; }
  size_t EntriesUnderRegion() const {
    std::error_code ec;
    size_t n = 0;
    for (auto it = fs::directory_iterator(Region(), ec); !ec && it != fs::directory_iterator(); ++it) ++n;
    return n;
  }

  TempDir dir_;
  static storage::LogOptions OsLog() {
    storage::LogOptions o;
    o.durability = storage::Durability::kOs;
    return o;
  }
  std::shared_ptr<GatedStores> stores_ = std::make_shared<GatedStores>(OsLog());
  const StreamRef big_{"123456789012", "us-east-1", "big"};
  const StreamRef small_{"123456789012", "us-east-1", "small"};
};

TEST_F(BackgroundCreateTest, LargeStreamIsCreatingUntilItsLogsAreBuiltWhileOtherCallsGoOn) {
  auto engine = Open(stores_);
  ASSERT_TRUE(Create(*engine, big_, kBig).ok());  // returns with the opens held
  ASSERT_TRUE(PollUntil([&] { return stores_->AnyWaiting(); }));
  EXPECT_EQ(StatusOf(*engine, big_), StreamStatus::kCreating);
  EXPECT_TRUE(engine->control().DescribeStream(big_)->shards.empty());
  EXPECT_EQ(Create(*engine, big_, kBig).code(), ErrorCode::kResourceInUse);  // the name is taken
  EXPECT_EQ(engine->control().DeleteStream(big_, false).code(), ErrorCode::kResourceInUse);
  EXPECT_FALSE(PutSync(*engine, big_, {{"k", "v", std::nullopt}}).ok());
  // The control plane and the data plane of other streams go on meanwhile.
  ASSERT_TRUE(Create(*engine, small_, 1).ok());
  EXPECT_EQ(StatusOf(*engine, small_), StreamStatus::kActive);
  EXPECT_FALSE(PutOne(*engine, small_, "k", "v").empty());
  EXPECT_EQ(engine->control().DescribeLimits(big_.account, big_.region).open_shard_count, kBig + 1);

  stores_->Release();
  engine->control().WaitForWorker();
  EXPECT_EQ(StatusOf(*engine, big_), StreamStatus::kActive);
  EXPECT_EQ(engine->control().DescribeStream(big_)->shards.size(), static_cast<size_t>(kBig));
  EXPECT_FALSE(PutOne(*engine, big_, "k", "v").empty());

  engine.reset();  // saved: it comes back
  auto reopened = Open();
  EXPECT_EQ(StatusOf(*reopened, big_), StreamStatus::kActive);
  EXPECT_EQ(reopened->control().DescribeStream(big_)->shards.size(), static_cast<size_t>(kBig));
}

TEST_F(BackgroundCreateTest, FailedBuildDropsTheStreamAndLeavesNoFolder) {
  stores_->fail_at = 5;
  auto engine = Open(stores_);
  ASSERT_TRUE(Create(*engine, big_, kBig).ok());
  stores_->Release();
  engine->control().WaitForWorker();
  EXPECT_EQ(engine->control().DescribeStream(big_).status().code(), ErrorCode::kResourceNotFound);
  EXPECT_EQ(EntriesUnderRegion(), 0u) << "no half-made folder nor mark is left";
  // The name is free again, and the failed stream never comes back.
  stores_->held.clear();
  ASSERT_TRUE(Create(*engine, big_, kBig).ok());
  engine->control().WaitForWorker();
  EXPECT_EQ(StatusOf(*engine, big_), StreamStatus::kActive);
  engine.reset();
  auto reopened = Open();
  EXPECT_EQ(StatusOf(*reopened, big_), StreamStatus::kActive);
  EXPECT_EQ(EntriesUnderRegion(), 1u);
}

TEST_F(BackgroundCreateTest, LargeStreamDeletedIsGoneAtOnceAndItsFolderOnceTheWorkerIsDone) {
  auto engine = Open();
  ASSERT_TRUE(Create(*engine, big_, kBig).ok());
  engine->control().WaitForWorker();
  ASSERT_EQ(StatusOf(*engine, big_), StreamStatus::kActive);
  ASSERT_EQ(EntriesUnderRegion(), 1u);
  ASSERT_TRUE(engine->control().DeleteStream(big_, false).ok());
  EXPECT_EQ(engine->control().DescribeStream(big_).status().code(), ErrorCode::kResourceNotFound);
  engine->control().WaitForWorker();
  EXPECT_EQ(EntriesUnderRegion(), 0u);
  engine.reset();
  auto reopened = Open();
  EXPECT_EQ(reopened->control().DescribeStream(big_).status().code(), ErrorCode::kResourceNotFound);
}

}  // namespace
}  // namespace sluice::engine
