// RecordPath on its own: a stream the test builds by hand (in-memory shard
// stores), found through a lookup the test owns; no Engine, no control plane.
#include "engine/record_path.h"

#include <gtest/gtest.h>

#include <future>
#include <map>

#include "engine/engine.h"
#include "engine/hash_ranges.h"
#include "engine/local_shard_store.h"

namespace sluice::engine {
namespace {

constexpr int64_t kCreated = 1700000000000;
const StreamRef kStream{"123456789012", "us-east-1", "orders"};

class MapLookup final : public StreamLookup {
 public:
  std::shared_ptr<StreamState> Find(const StreamRef& stream) const override {
    auto it = streams.find(stream.name);
    return it == streams.end() ? nullptr : it->second;
  }
  std::map<std::string, std::shared_ptr<StreamState>> streams;
};

class RecordPathTest : public ::testing::Test {
 protected:
  void SetUp() override {
    options_.durability = storage::Durability::kMemory;
    options_.log.durability = storage::Durability::kMemory;
    auto codec = IteratorCodec::Open("");
    ASSERT_TRUE(codec.ok());
    codec_ = std::make_unique<IteratorCodec>(*codec);
    stores_ = std::make_unique<LocalShardStoreFactory>(options_.log);
    path_ = std::make_unique<RecordPath>(options_, clock_, *codec_, placement_, lookup_);
    lookup_.streams["orders"] = MakeStream(2);
  }

  // An ACTIVE stream of `shards` even shards with empty in-memory stores.
  std::shared_ptr<StreamState> MakeStream(int shards) {
    auto state = std::make_shared<StreamState>();
    state->meta.ref = kStream;
    state->meta.status = StreamStatus::kActive;
    state->meta.creation_ms = kCreated;
    std::vector<HashKeyRange> ranges = EvenHashRanges(shards);
    for (int i = 0; i < shards; ++i) {
      ShardMeta shard;
      shard.index = i;
      shard.range = ranges[i];
      shard.created_seconds = kCreated / 1000;
      shard.open_ms = kCreated;
      state->meta.shards.push_back(shard);
      auto store = stores_->Open(ShardKey{kStream, kCreated, i}, "orders/" + ShardIdFor(i));
      EXPECT_TRUE(store.ok());
      state->shards.push_back(std::make_shared<ShardState>(std::move(store).value()));
    }
    state->RebuildRouter();
    return state;
  }

  Result<std::vector<PutEntryResult>> Put(const StreamRef& stream, std::vector<PutEntry> entries) {
    std::promise<Result<std::vector<PutEntryResult>>> done;
    path_->PutRecords(stream, entries, [&](Result<std::vector<PutEntryResult>> r) { done.set_value(std::move(r)); });
    return done.get_future().get();  // kMemory completes inline
  }

  EngineOptions options_;
  ManualClock clock_{kCreated + 1000};
  std::unique_ptr<IteratorCodec> codec_;
  LocalPlacement placement_;
  MapLookup lookup_;
  std::unique_ptr<LocalShardStoreFactory> stores_;
  std::unique_ptr<RecordPath> path_;
};

TEST_F(RecordPathTest, PutRecordsRoutesByHashKeyAndGetRecordsReadsThemBackInOrder) {
  auto put = Put(kStream, {{"a", "low", HashKey{0}}, {"b", "high", kMaxHashKey}, {"c", "low2", HashKey{1}}});
  ASSERT_TRUE(put.ok()) << put.status().ToString();
  EXPECT_EQ((*put)[0].shard_index, 0);
  EXPECT_EQ((*put)[1].shard_index, 1);
  EXPECT_EQ((*put)[2].shard_index, 0);

  auto it =
      path_->GetShardIterator(kStream, "shardId-000000000000", IteratorType::kTrimHorizon, std::nullopt, std::nullopt);
  ASSERT_TRUE(it.ok()) << it.status().ToString();
  auto read = path_->GetRecords(*it, 10, std::nullopt);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  ASSERT_EQ(read->records.size(), 2u);
  EXPECT_EQ(read->records[0].data, "low");
  EXPECT_EQ(read->records[1].data, "low2");
  EXPECT_EQ(std::string(ToView(read->records[0].sequence_number)), std::string(ToView((*put)[0].sequence_number)));
}

TEST_F(RecordPathTest, AStreamTheLookupDoesNotFindIsResourceNotFound) {
  const StreamRef other{kStream.account, kStream.region, "missing"};
  auto put = Put(other, {{"a", "x", std::nullopt}});
  EXPECT_EQ(put.status().code(), ErrorCode::kResourceNotFound);
  EXPECT_EQ(put.status().message(), "Stream missing under account 123456789012 not found.");
  EXPECT_EQ(path_->GetShardIterator(other, "shardId-000000000000", IteratorType::kLatest, std::nullopt, std::nullopt)
                .status()
                .code(),
            ErrorCode::kResourceNotFound);
}

TEST_F(RecordPathTest, AnIteratorOfAReplacedStreamIsResourceNotFound) {
  auto it =
      path_->GetShardIterator(kStream, "shardId-000000000000", IteratorType::kTrimHorizon, std::nullopt, std::nullopt);
  ASSERT_TRUE(it.ok());
  auto replaced = MakeStream(1);
  replaced->meta.creation_ms = kCreated + 500;  // recreated under the same name
  lookup_.streams["orders"] = replaced;
  EXPECT_EQ(path_->GetRecords(*it, 10, std::nullopt).status().code(), ErrorCode::kResourceNotFound);
}

TEST_F(RecordPathTest, LatestRecordsReturnsTheNewestOldestFirst) {
  for (const char* d : {"1", "2", "3"}) ASSERT_TRUE(Put(kStream, {{"k", d, HashKey{0}}}).ok());
  auto latest = path_->LatestRecords(kStream, "shardId-000000000000", 2);
  ASSERT_TRUE(latest.ok()) << latest.status().ToString();
  ASSERT_EQ(latest->records.size(), 2u);
  EXPECT_EQ(latest->records[0].data, "2");
  EXPECT_EQ(latest->records[1].data, "3");
  EXPECT_FALSE(latest->next_shard_iterator.has_value());
}

}  // namespace
}  // namespace sluice::engine
