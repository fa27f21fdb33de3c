// The group store on real files: replay after reopening, compaction by
// snapshot, and a torn tail cut by recovery.
#include "groups/group_store.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <future>
#include <iterator>

#include "engine/engine_test_util.h"

namespace sluice::groups {
namespace {

using engine::testing::TempDir;

const GroupKey kBilling{"123456789012", "us-east-1", "orders", "billing"};
const GroupKey kAudit{"123456789012", "us-east-1", "orders", "audit"};

class GroupStoreTest : public ::testing::Test {
 protected:
  std::unique_ptr<GroupStore> Open(uint64_t segment_bytes = 4ull << 20, uint64_t slack = 4ull << 20,
                                   storage::Durability durability = storage::Durability::kFsync) {
    GroupStoreOptions o;
    o.data_dir = dir_.path();
    o.durability = durability;
    o.journal_segment_bytes = segment_bytes;
    o.snapshot_slack_bytes = slack;
    auto store = GroupStore::Open(o);
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    return store.ok() ? std::move(store).value() : nullptr;
  }

  static void Sync(GroupStore& store, Result<uint64_t> position) {
    ASSERT_TRUE(position.ok()) << position.status().ToString();
    std::promise<Status> done;
    store.WhenDurable(*position, [&done](Status s) { done.set_value(s); });
    ASSERT_TRUE(done.get_future().get().ok());
  }

  static GroupRecord Record(const GroupKey& key) {
    return {key, 1700000000000, InitialPosition::kLatest, 1700000001000};
  }

  static Checkpoint At(const std::string& shard, const std::string& seq, bool end = false) {
    return {shard, seq, end, 1700000002000};
  }

  TempDir dir_;
};

TEST_F(GroupStoreTest, GroupsAndCheckpointsReadBackAfterReopening) {
  {
    auto store = Open();
    Sync(*store, store->PutGroup(Record(kBilling)));
    Sync(*store, store->PutGroup(Record(kAudit)));
    Sync(*store, store->PutCheckpoint(kBilling, At("shardId-000000000000", "111")));
    Sync(*store, store->PutCheckpoint(kBilling, At("shardId-000000000000", "222", true)));
    Sync(*store, store->DeleteGroup(kAudit));
  }
  auto store = Open();
  ASSERT_EQ(store->groups().size(), 1u);
  const StoredGroup* g = store->Find(kBilling);
  ASSERT_NE(g, nullptr);
  EXPECT_EQ(g->record.initial_position, InitialPosition::kLatest);
  EXPECT_EQ(g->record.creation_ms, 1700000001000);
  ASSERT_EQ(g->checkpoints.size(), 1u);
  const Checkpoint& c = g->checkpoints.at("shardId-000000000000");
  EXPECT_EQ(c.sequence_number, "222");
  EXPECT_TRUE(c.shard_end);
  EXPECT_EQ(store->Find(kAudit), nullptr);
}

TEST_F(GroupStoreTest, CompactionDropsCoveredJournalSegmentsAndKeepsTheLatestCheckpoints) {
  {
    // Written to the OS without syncs: compaction is the same, and fast.
    auto store = Open(/*segment_bytes=*/4096, /*slack=*/8192, storage::Durability::kOs);
    Sync(*store, store->PutGroup(Record(kBilling)));
    for (int i = 0; i < 2000; ++i) {
      Sync(*store,
           store->PutCheckpoint(kBilling, At("shardId-00000000000" + std::to_string(i % 4), std::to_string(1000 + i))));
    }
    EXPECT_GT(store->journal_start(), 0u) << "no compaction happened";
  }
  auto store = Open(4096, 8192, storage::Durability::kOs);
  const StoredGroup* g = store->Find(kBilling);
  ASSERT_NE(g, nullptr);
  ASSERT_EQ(g->checkpoints.size(), 4u);
  for (int s = 0; s < 4; ++s) {
    EXPECT_EQ(g->checkpoints.at("shardId-00000000000" + std::to_string(s)).sequence_number,
              std::to_string(1000 + 1996 + s));
  }
}

TEST_F(GroupStoreTest, ATornLastRecordIsCutAndTheEarlierOnesSurvive) {
  {
    auto store = Open();
    Sync(*store, store->PutGroup(Record(kBilling)));
    Sync(*store, store->PutCheckpoint(kBilling, At("shardId-000000000000", "111")));
    Sync(*store, store->PutCheckpoint(kBilling, At("shardId-000000000000", "999999")));
  }
  // Cut the journal inside the last record, as a crash during its write does.
  std::filesystem::path segment;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir_.path() + "/groups/journal")) {
    if (e.is_regular_file() && e.path().extension() == ".log") segment = e.path();
  }
  ASSERT_FALSE(segment.empty());
  std::string bytes;
  {
    std::ifstream in(segment, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  const size_t last = bytes.find("999999");
  ASSERT_NE(last, std::string::npos);
  std::filesystem::resize_file(segment, last);

  auto store = Open();
  const StoredGroup* g = store->Find(kBilling);
  ASSERT_NE(g, nullptr);
  EXPECT_EQ(g->checkpoints.at("shardId-000000000000").sequence_number, "111");
  // The store goes on writing after the cut.
  Sync(*store, store->PutCheckpoint(kBilling, At("shardId-000000000000", "333")));
  store.reset();
  EXPECT_EQ(Open()->Find(kBilling)->checkpoints.at("shardId-000000000000").sequence_number, "333");
}

}  // namespace
}  // namespace sluice::groups
