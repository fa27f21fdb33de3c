// The shard log seam: the local store over real files, and an engine that
// opens, appends to and closes every shard log only through the factory it
// is given.
#include "engine/shard_store.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>

#include "engine/engine.h"
#include "engine/local_shard_store.h"
#include "engine_test_util.h"

namespace sluice::engine {
namespace {

using testing::PutOne;
using testing::TempDir;

const StreamRef kStream{"123456789012", "us-east-1", "orders"};

TEST(LocalShardStoreTest, AppendedRecordsReadBackOnceDurable) {
  TempDir dir;
  storage::LogOptions options;
  options.durability = storage::Durability::kFsync;
  LocalShardStoreFactory factory(options);
  auto store = factory.Open(ShardKey{kStream, 1, 0}, dir.path() + "/shard");
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  std::vector<storage::AppendEntry> batch{{"k1", "one"}, {"k2", "two"}};
  auto first = (*store)->Append(batch, 1000);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(*first, 0u);
  EXPECT_EQ((*store)->EndOffset(), 2u);

  std::promise<Status> durable;
  (*store)->WhenDurable(2, [&](Status s) { durable.set_value(s); });
  auto future = durable.get_future();
  ASSERT_EQ(future.wait_for(std::chrono::seconds(10)), std::future_status::ready);
  EXPECT_TRUE(future.get().ok());
  EXPECT_EQ((*store)->VisibleEndOffset(), 2u);
  EXPECT_EQ((*store)->LastArrivalMillis(), 1000);

  auto read = (*store)->Read(0, 10, 1 << 20);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  ASSERT_EQ(read->records.size(), 2u);
  EXPECT_EQ(read->records[1].data, "two");
  EXPECT_EQ(read->next_offset, 2u);
}

TEST(LocalShardStoreTest, FsyncModeReportsGroupCommitMetrics) {
  TempDir dir;
  storage::LogOptions options;
  options.durability = storage::Durability::kFsync;
  LocalShardStoreFactory factory(options);
  auto store = factory.Open(ShardKey{kStream, 1, 0}, dir.path() + "/shard");
  ASSERT_TRUE(store.ok());
  std::vector<storage::AppendEntry> batch{{"k", "v"}};
  ASSERT_TRUE((*store)->Append(batch, 1000).ok());
  std::promise<void> durable;
  (*store)->WhenDurable(1, [&](Status) { durable.set_value(); });
  durable.get_future().wait();
  StorageMetrics metrics;
  factory.AddMetrics(&metrics);
  EXPECT_GE(metrics.group_commit_batch.count(), 1u);
}

TEST(LocalShardStoreTest, ClosedStoreRefusesAppendsAndReads) {
  storage::LogOptions options;
  options.durability = storage::Durability::kMemory;
  LocalShardStoreFactory factory(options);
  auto store = factory.Open(ShardKey{kStream, 1, 0}, "orders/shardId-000000000000");
  ASSERT_TRUE(store.ok());
  std::vector<storage::AppendEntry> batch{{"k", "v"}};
  ASSERT_TRUE((*store)->Append(batch, 1000).ok());
  ASSERT_TRUE((*store)->Close().ok());
  EXPECT_EQ((*store)->Append(batch, 1000).status().code(), ErrorCode::kIoError);
  EXPECT_EQ((*store)->Read(0, 10, 1 << 20).status().code(), ErrorCode::kIoError);
}

// Wraps the local factory and counts what the engine asks of it.
class CountingFactory final : public ShardStoreFactory {
 public:
  struct Counts {
    std::atomic<int> opened{0};
    std::atomic<int> appends{0};
    std::atomic<int> closed{0};
    std::atomic<int> stopped{0};
  };

  explicit CountingFactory(storage::LogOptions options) : local_(options) {}

  Result<std::unique_ptr<ShardStore>> Open(const ShardKey& shard, const std::string& dir) override {
    SLUICE_ASSIGN_OR_RETURN(std::unique_ptr<ShardStore> inner, local_.Open(shard, dir));
    counts.opened.fetch_add(1);
    keys.push_back(shard.stream.name + "/" + ShardIdFor(shard.shard_index));
    return std::unique_ptr<ShardStore>(std::make_unique<Counted>(std::move(inner), &counts));
  }
  void Stop() override {
    counts.stopped.fetch_add(1);
    local_.Stop();
  }
  void AddMetrics(StorageMetrics* out) const override { local_.AddMetrics(out); }

  Counts counts;
  std::vector<std::string> keys;  // written by Open, under the engine's control lock

 private:
  class Counted final : public ShardStore {
   public:
    Counted(std::unique_ptr<ShardStore> inner, Counts* counts) : inner_(std::move(inner)), counts_(counts) {}
    Result<uint64_t> Append(std::span<const storage::AppendEntry> e, int64_t ms) override {
      counts_->appends.fetch_add(1);
      return inner_->Append(e, ms);
    }
    void WhenDurable(uint64_t end, std::function<void(Status)> done) override {
      inner_->WhenDurable(end, std::move(done));
    }
    uint64_t StartOffset() const override { return inner_->StartOffset(); }
    uint64_t EndOffset() const override { return inner_->EndOffset(); }
    uint64_t VisibleEndOffset() const override { return inner_->VisibleEndOffset(); }
    int64_t LastArrivalMillis() const override { return inner_->LastArrivalMillis(); }
    Result<storage::ReadResult> Read(uint64_t from, size_t n, size_t bytes) const override {
      return inner_->Read(from, n, bytes);
    }
    Result<uint64_t> OffsetForTime(int64_t ms) const override { return inner_->OffsetForTime(ms); }
    Result<uint64_t> TrimOlderThan(int64_t ms) override { return inner_->TrimOlderThan(ms); }
    Status Close() override {
      counts_->closed.fetch_add(1);
      return inner_->Close();
    }
    Status Destroy() override { return inner_->Destroy(); }
    uint64_t SizeBytes() const override { return inner_->SizeBytes(); }

   private:
    std::unique_ptr<ShardStore> inner_;
    Counts* counts_;
  };

  LocalShardStoreFactory local_;
};

TEST(EngineShardStoreTest, EngineOpensAppendsAndClosesEveryShardThroughTheGivenFactory) {
  TempDir dir;
  EngineOptions o;
  o.data_dir = dir.path();
  o.durability = storage::Durability::kOs;
  storage::LogOptions log;
  log.durability = storage::Durability::kOs;
  auto factory = std::make_shared<CountingFactory>(log);
  o.shard_stores = factory;
  auto engine = Engine::Open(o);
  ASSERT_TRUE(engine.ok()) << engine.status().ToString();
  CreateStreamParams p;
  p.shard_count = 3;
  ASSERT_TRUE((*engine)->control().CreateStream(kStream, p).ok());
  EXPECT_EQ(factory->counts.opened.load(), 3);
  EXPECT_EQ(factory->keys, (std::vector<std::string>{"orders/shardId-000000000000", "orders/shardId-000000000001",
                                                     "orders/shardId-000000000002"}));

  EXPECT_FALSE(PutOne(**engine, kStream, "pk", "hello").empty());
  EXPECT_EQ(factory->counts.appends.load(), 1);

  (*engine)->Stop();
  EXPECT_EQ(factory->counts.stopped.load(), 1);
  EXPECT_EQ(factory->counts.closed.load(), 3);
}

}  // namespace
}  // namespace sluice::engine
