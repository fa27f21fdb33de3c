#include "dynamodb/table.h"

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <future>

#include <gtest/gtest.h>

#include "dynamodb/table_store.h"
#include "storage/storage_test_util.h"

namespace sluice::dynamodb {
namespace {

ItemKey HashKey(const std::string& s) {
  ItemKey key;
  key.hash = Value::String(s);
  return key;
}

using storage::testutil::TempDir;

TableDef LeaseTable() {
  TableDef def;
  def.name = "leases";
  def.id = "id";
  def.key.hash = {"leaseKey", ValueType::kS};
  def.attributes = {{"leaseKey", ValueType::kS}};
  def.pay_per_request = true;
  return def;
}

Mutation Put(const std::string& key, const std::string& counter) {
  Item item{{"leaseKey", Value::String(key)}, {"leaseCounter", Value::Number(counter)}};
  return Mutation{ItemKey{Value::String(key), std::nullopt}, item};
}

std::string JournalSegment(const std::string& dir) {
  for (const auto& e : std::filesystem::directory_iterator(dir + "/journal")) {
    if (e.path().extension() == ".log") return e.path().string();
  }
  return "";
}

// Creates the table in `dir` and writes each mutation as a batch of its own.
void WriteEach(const std::string& dir, const TableOptions& options, const std::vector<Mutation>& writes) {
  auto table = Table::Create(dir, LeaseTable(), options, nullptr);
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  std::lock_guard<std::mutex> lock((*table)->mu());
  for (const Mutation& m : writes) ASSERT_TRUE((*table)->Write({m}).ok());
}

// Overwrites the byte `from_end` bytes before the end of `path`.
void FlipByte(const std::string& path, uint64_t from_end) {
  uint64_t size = storage::testutil::FileSize(path);
  int fd = ::open(path.c_str(), O_WRONLY);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::pwrite(fd, "X", 1, static_cast<off_t>(size - from_end)), 1);
  ::close(fd);
}

TEST(TableTest, ReopeningReplaysTheJournal) {
  TempDir tmp;
  std::string dir = tmp.Join("leases");
  TableOptions options{storage::Durability::kOs};
  {
    auto table = Table::Create(dir, LeaseTable(), options, nullptr);
    ASSERT_TRUE(table.ok()) << table.status().ToString();
    std::lock_guard<std::mutex> lock((*table)->mu());
    ASSERT_TRUE((*table)->Write({Put("a", "1"), Put("b", "1")}).ok());
    ASSERT_TRUE((*table)->Write({Put("a", "2")}).ok());
    ASSERT_TRUE((*table)->Write({Mutation{HashKey("b"), std::nullopt}}).ok());
  }
  auto table = Table::Open(dir, options, nullptr);
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  std::lock_guard<std::mutex> lock((*table)->mu());
  ASSERT_EQ((*table)->items().size(), 1u);
  const Item* a = (*table)->Find(HashKey("a"));
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->at("leaseCounter").scalar, "2");
  EXPECT_EQ((*table)->def().name, "leases");
  EXPECT_GT((*table)->size_bytes(), 0u);
}

TEST(TableTest, ATornJournalTailIsCutAndEarlierWritesSurvive) {
  TempDir tmp;
  std::string dir = tmp.Join("leases");
  TableOptions options{storage::Durability::kOs};
  WriteEach(dir, options, {Put("a", "1"), Put("b", "1")});
  // Cut the last batch in half, as a crash in the middle of its write would.
  std::string segment = JournalSegment(dir);
  ASSERT_FALSE(segment.empty());
  uint64_t size = storage::testutil::FileSize(segment);
  ASSERT_EQ(::truncate(segment.c_str(), static_cast<off_t>(size - 10)), 0);
  auto table = Table::Open(dir, options, nullptr);
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  std::lock_guard<std::mutex> lock((*table)->mu());
  EXPECT_EQ((*table)->items().size(), 1u);
  EXPECT_NE((*table)->Find(HashKey("a")), nullptr);
  // The table takes writes again after the cut.
  EXPECT_TRUE((*table)->Write({Put("c", "1")}).ok());
}

TEST(TableTest, ACorruptJournalTailIsCutNotServed) {
  TempDir tmp;
  std::string dir = tmp.Join("leases");
  TableOptions options{storage::Durability::kOs};
  WriteEach(dir, options, {Put("a", "1"), Put("a", "7")});
  FlipByte(JournalSegment(dir), 5);  // inside the last batch's data
  auto table = Table::Open(dir, options, nullptr);
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  std::lock_guard<std::mutex> lock((*table)->mu());
  const Item* a = (*table)->Find(HashKey("a"));
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->at("leaseCounter").scalar, "1");
}

TEST(TableTest, KeysOrderNumbersByValue) {
  TableDef def = LeaseTable();
  def.key.range = KeyElement{"n", ValueType::kN};
  TempDir tmp;
  auto table = Table::Create(tmp.Join("t"), def, TableOptions{storage::Durability::kMemory}, nullptr);
  ASSERT_TRUE(table.ok());
  std::lock_guard<std::mutex> lock((*table)->mu());
  for (const char* n : {"10", "9", "-1", "2.5"}) {
    Item item{{"leaseKey", Value::String("h")}, {"n", Value::Number(n)}};
    ASSERT_TRUE((*table)->Write({Mutation{*(*table)->KeyOf(item), item}}).ok());
  }
  std::vector<std::string> order;
  for (const auto& [key, item] : (*table)->items()) order.push_back(key.range->scalar);
  EXPECT_EQ(order, (std::vector<std::string>{"-1", "2.5", "9", "10"}));
}

TEST(TableTest, KeyOfNamesTheMissingOrMistypedKey) {
  TempDir tmp;
  auto table = Table::Create(tmp.Join("t"), LeaseTable(), TableOptions{storage::Durability::kMemory}, nullptr);
  ASSERT_TRUE(table.ok());
  std::lock_guard<std::mutex> lock((*table)->mu());
  EXPECT_EQ((*table)->KeyOf(Item{}).status().message(),
            "One or more parameter values were invalid: Missing the key leaseKey in the item");
  EXPECT_EQ((*table)->KeyOf(Item{{"leaseKey", Value::Number("1")}}).status().message(),
            "One or more parameter values were invalid: Type mismatch for key leaseKey expected: S actual: N");
}

TEST(TableStoreTest, TablesAreKeptPerAccountAndRegionAndSurviveReopening) {
  TempDir tmp;
  StoreOptions options{tmp.path(), storage::Durability::kFsync};
  {
    auto store = TableStore::Open(options);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    auto table = (*store)->Create("111111111111", "eu-west-1", LeaseTable());
    ASSERT_TRUE(table.ok()) << table.status().ToString();
    EXPECT_EQ((*store)->Create("111111111111", "eu-west-1", LeaseTable()).status().message(),
              "Table already exists: leases");
    EXPECT_TRUE((*store)->Create("222222222222", "eu-west-1", LeaseTable()).ok());
    std::unique_lock<std::mutex> lock((*table)->mu());
    Result<uint64_t> position = (*table)->Write({Put("a", "1")});
    ASSERT_TRUE(position.ok());
    lock.unlock();
    std::promise<Status> durable;
    (*table)->WhenDurable(*position, [&](Status s) { durable.set_value(s); });
    EXPECT_TRUE(durable.get_future().get().ok());
  }
  auto store = TableStore::Open(options);
  ASSERT_TRUE(store.ok());
  EXPECT_EQ(*(*store)->List("111111111111", "eu-west-1"), std::vector<std::string>{"leases"});
  EXPECT_TRUE((*store)->List("111111111111", "us-east-1")->empty());
  auto table = (*store)->Find("111111111111", "eu-west-1", "leases");
  ASSERT_TRUE(table.ok());
  std::lock_guard<std::mutex> lock((*table)->mu());
  EXPECT_EQ((*table)->items().size(), 1u);
}

TEST(TableStoreTest, ATableDirectoryWithoutItsDocumentIsRemovedAtStart) {
  TempDir tmp;
  std::string half = tmp.path() + "/dynamodb/111111111111/us-east-1/half/journal";
  std::filesystem::create_directories(half);
  auto store = TableStore::Open(StoreOptions{tmp.path(), storage::Durability::kOs});
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  EXPECT_TRUE((*store)->List("111111111111", "us-east-1")->empty());
  EXPECT_FALSE(std::filesystem::exists(tmp.path() + "/dynamodb/111111111111/us-east-1/half"));
}

TEST(TableStoreTest, DeletedTablesLeaveNoFiles) {
  TempDir tmp;
  auto store = TableStore::Open(StoreOptions{tmp.path(), storage::Durability::kOs});
  ASSERT_TRUE(store.ok());
  ASSERT_TRUE((*store)->Create("1", "r", LeaseTable()).ok());
  EXPECT_TRUE((*store)->Delete("1", "r", "leases").ok());
  EXPECT_FALSE(std::filesystem::exists(tmp.path() + "/dynamodb/1/r/leases"));
  EXPECT_EQ((*store)->Delete("1", "r", "leases").code(), ErrorCode::kResourceNotFound);
}

}  // namespace
}  // namespace sluice::dynamodb

namespace sluice::dynamodb {
namespace {

size_t JournalSegments(const std::string& dir) {
  size_t n = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir + "/journal")) n += e.path().extension() == ".log";
  return n;
}

TEST(TableCompactionTest, ASnapshotBoundsTheJournalAndReopensToTheSameItems) {
  TempDir tmp;
  std::string dir = tmp.Join("leases");
  TableOptions options{storage::Durability::kOs};
  options.journal_segment_bytes = 4096;
  options.snapshot_slack_bytes = 8192;
  {
    auto table = Table::Create(dir, LeaseTable(), options, nullptr);
    ASSERT_TRUE(table.ok());
    std::lock_guard<std::mutex> lock((*table)->mu());
    for (int i = 1; i <= 2000; ++i) {
      ASSERT_TRUE((*table)->Write({Put("a", std::to_string(i)), Put("b" + std::to_string(i % 7), "1")}).ok());
    }
    // 2000 batches of about 150 bytes would be ~75 segments without compaction.
    EXPECT_LE(JournalSegments(dir), 4u);
    EXPECT_TRUE(std::filesystem::exists(dir + "/snapshot"));
    ASSERT_TRUE((*table)->Write({Mutation{HashKey("b0"), std::nullopt}}).ok());
  }
  auto table = Table::Open(dir, options, nullptr);
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  std::lock_guard<std::mutex> lock((*table)->mu());
  EXPECT_EQ((*table)->items().size(), 7u);  // a, b1..b6
  EXPECT_EQ((*table)->Find(HashKey("a"))->at("leaseCounter").scalar, "2000");
  EXPECT_EQ((*table)->Find(HashKey("b0")), nullptr);
}

TEST(TableCompactionTest, ASnapshotThatFailsItsChecksumStopsTheOpen) {
  TempDir tmp;
  std::string dir = tmp.Join("leases");
  TableOptions options{storage::Durability::kOs};
  options.journal_segment_bytes = 4096;
  options.snapshot_slack_bytes = 8192;
  std::vector<Mutation> writes;
  for (int i = 0; i < 500; ++i) writes.push_back(Put("a", std::to_string(i)));
  WriteEach(dir, options, writes);
  ASSERT_TRUE(std::filesystem::exists(dir + "/snapshot"));
  FlipByte(dir + "/snapshot", 3);
  auto table = Table::Open(dir, options, nullptr);
  ASSERT_FALSE(table.ok());
  EXPECT_EQ(table.status().code(), ErrorCode::kCorruption);
}

}  // namespace
}  // namespace sluice::dynamodb
