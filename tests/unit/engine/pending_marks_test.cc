// What the engine may delete under the data directory: only folders it
// marked (engine/pending_marks.h), never what the metadata does not name,
// and nothing at all when the metadata document is missing.
#include "engine/pending_marks.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "engine/engine.h"
#include "engine/metadata_log.h"
#include "engine/stream_table.h"
#include "engine_test_util.h"

namespace sluice::engine {
namespace {

namespace fs = std::filesystem;
using testing::PutOne;
using testing::TempDir;

constexpr int64_t kStart = 1700000000000;

// Every file and folder under `root` with its size (0 for folders).
std::map<std::string, uintmax_t> Listing(const fs::path& root) {
  std::map<std::string, uintmax_t> out;
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    out[fs::relative(e.path(), root).string()] = e.is_regular_file() ? e.file_size() : 0;
  }
  return out;
}

size_t MarksUnder(const fs::path& root) {
  size_t n = 0;
  for (const auto& e : fs::recursive_directory_iterator(root)) n += e.path().extension() == ".pending";
  return n;
}

void Touch(const fs::path& file) {
  fs::create_directories(file.parent_path());
  std::ofstream(file) << "user data";
}

class PendingMarksTest : public ::testing::TestWithParam<storage::Durability> {
 protected:
  Result<std::unique_ptr<Engine>> TryOpen() {
    EngineOptions o;
    o.data_dir = dir_.path();
    o.durability = GetParam();
    o.clock = &clock_;
    return Engine::Open(o);
  }

  std::unique_ptr<Engine> Open() {
    auto e = TryOpen();
    EXPECT_TRUE(e.ok()) << e.status().ToString();
    return e.ok() ? std::move(e).value() : nullptr;
  }

  void Create(Engine& engine, const StreamRef& s, int shards) {
    CreateStreamParams p;
    p.shard_count = shards;
    ASSERT_TRUE(engine.control().CreateStream(s, p).ok());
  }

  std::string Read(Engine& engine, const StreamRef& s) {
    auto it = engine.records().GetShardIterator(s, "shardId-000000000000", IteratorType::kTrimHorizon, {}, {});
    if (!it.ok()) return it.status().ToString();
    auto got = engine.records().GetRecords(*it, 100, std::nullopt);
    if (!got.ok()) return got.status().ToString();
    std::string out;
    for (const Record& r : got->records) out += r.data;
    return out;
  }

  // Saves the removal of `s` in the metadata: what a DeleteStream has saved
  // when the process dies before the folder is removed.
  void SaveMetadataWithout(const StreamRef& s) {
    MetadataLog store(dir_.path() + "/metadata", false);
    auto metas = store.Load();
    ASSERT_TRUE(metas.ok() && metas->has_value());
    ASSERT_TRUE(store.Erase(KeyOf(s)).ok());
  }

  fs::path Region() const { return fs::path(dir_.path()) / "streams" / "123456789012" / "us-east-1"; }
  fs::path StreamFolder(const StreamRef& s, int64_t creation_ms) const {
    return Region() / (s.name + "-" + std::to_string(creation_ms));
  }

  TempDir dir_;
  ManualClock clock_{kStart};
  const StreamRef s_{"123456789012", "us-east-1", "kept"};
  const StreamRef other_{"123456789012", "us-east-1", "other"};
};

TEST_P(PendingMarksTest, MissingMetadataWithStreamDataFailsOpenAndDeletesNothing) {
  {
    auto engine = Open();
    Create(*engine, s_, 2);
    Create(*engine, other_, 1);
    PutOne(*engine, s_, "a", "A");
    PutOne(*engine, other_, "a", "B");
  }
  const fs::path metadata = fs::path(dir_.path()) / "metadata";
  std::string saved;
  {
    std::ifstream in(metadata, std::ios::binary);
    saved.assign(std::istreambuf_iterator<char>(in), {});
  }
  ASSERT_FALSE(saved.empty());
  fs::remove(metadata);
  const auto before = Listing(dir_.path());

  auto e = TryOpen();
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.status().code(), ErrorCode::kCorruption);
  const std::string msg = e.status().message();
  EXPECT_NE(msg.find("data directory " + dir_.path() + " holds stream data (2 stream directories"), std::string::npos)
      << msg;
  EXPECT_NE(msg.find("no metadata file; refusing to start so nothing is deleted"), std::string::npos) << msg;
  EXPECT_NE(msg.find("Restore " + metadata.string()), std::string::npos) << msg;
  EXPECT_EQ(Listing(dir_.path()), before) << "not one file created, changed or removed";
  EXPECT_FALSE(fs::exists(metadata));

  // With the document back, everything is served again.
  std::ofstream(metadata, std::ios::binary) << saved;
  auto engine = Open();
  ASSERT_TRUE(engine);
  EXPECT_EQ(engine->control().ListStreams("123456789012", "us-east-1").size(), 2u);
  EXPECT_EQ(Read(*engine, s_), "A");
  EXPECT_EQ(Read(*engine, other_), "B");
}

TEST_P(PendingMarksTest, NewDataDirectoryGetsAnEmptyMetadataDocumentAtOnce) {
  { ASSERT_TRUE(Open()); }
  EXPECT_TRUE(fs::exists(fs::path(dir_.path()) / "metadata"));
  // Empty account and region folders hold no stream data.
  fs::create_directories(Region());
  fs::remove(fs::path(dir_.path()) / "metadata");
  EXPECT_TRUE(Open());
}

TEST_P(PendingMarksTest, EmptyMetadataFileFailsOpenInsteadOfStartingEmpty) {
  {
    auto engine = Open();
    Create(*engine, s_, 1);
    PutOne(*engine, s_, "a", "A");
  }
  const auto before = Listing(fs::path(dir_.path()) / "streams");
  std::ofstream(fs::path(dir_.path()) / "metadata", std::ios::trunc).close();
  auto e = TryOpen();
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.status().code(), ErrorCode::kCorruption) << e.status().ToString();
  EXPECT_EQ(Listing(fs::path(dir_.path()) / "streams"), before);
}

TEST_P(PendingMarksTest, UnknownFoldersAreLeftAloneAtOpenAndAfterSaves) {
  {
    auto engine = Open();
    Create(*engine, s_, 1);
    PutOne(*engine, s_, "a", "A");
  }
  const fs::path stream_dir = StreamFolder(s_, kStart);
  const fs::path backup = Region() / "mybackup-2024" / "notes.txt";
  const fs::path unknown_account = fs::path(dir_.path()) / "streams" / "999999999999" / "us-east-1" /
                                   "theirs-1600000000000" / "shard-000000000000" / "00000000000000000000.log";
  const fs::path past_count = stream_dir / "shard-000000000009" / "00000000000000000000.log";
  const fs::path stray = stream_dir / "README";
  for (const fs::path& p : {backup, unknown_account, past_count, stray}) Touch(p);

  ::testing::internal::CaptureStderr();
  {
    auto engine = Open();
    ASSERT_TRUE(engine);
    EXPECT_EQ(Read(*engine, s_), "A");
    // Saves of the metadata document do not change what is left alone.
    Create(*engine, other_, 1);
    ASSERT_TRUE(engine->control().DeleteStream(other_, false).ok());
  }
  const std::string err = ::testing::internal::GetCapturedStderr();
  for (const fs::path& p : {backup, unknown_account, past_count, stray}) {
    EXPECT_TRUE(fs::exists(p)) << p;
  }
  EXPECT_NE(err.find("engine: leaving unknown directory " + backup.parent_path().string() + " alone"),
            std::string::npos)
      << err;
  EXPECT_NE(err.find("leaving unknown directory " + past_count.parent_path().string()), std::string::npos) << err;
  EXPECT_NE(err.find("leaving unknown file " + stray.string()), std::string::npos) << err;
  EXPECT_NE(err.find("theirs-1600000000000"), std::string::npos) << err;
  EXPECT_EQ(err.find("removing"), std::string::npos) << err;

  // And again at the next start.
  auto engine = Open();
  ASSERT_TRUE(engine);
  for (const fs::path& p : {backup, unknown_account, past_count, stray}) {
    EXPECT_TRUE(fs::exists(p)) << p;
  }
  EXPECT_EQ(Read(*engine, s_), "A");
}

TEST_P(PendingMarksTest, MarkedLeftoversAreRemovedAndStaleMarksDropped) {
  {
    auto engine = Open();
    Create(*engine, s_, 1);
    PutOne(*engine, s_, "a", "A");
  }
  const fs::path stream_dir = StreamFolder(s_, kStart);
  // A stream folder created before a crash kept its metadata save from
  // happening, and a reshard's child the same.
  const fs::path new_stream = Region() / "unborn-1700000000500";
  const fs::path child = stream_dir / "shard-000000000001";
  for (const fs::path& folder : {new_stream, child}) {
    Touch(folder / "shard-000000000000" / "00000000000000000000.log");
    ASSERT_TRUE(MarkPending(folder.string(), /*sync=*/false).ok());
  }
  // A mark on a folder the metadata names: a deletion whose save never
  // happened, or a mark cleared too late. The folder stays.
  ASSERT_TRUE(MarkPending(stream_dir.string(), false).ok());

  auto engine = Open();
  ASSERT_TRUE(engine);
  EXPECT_FALSE(fs::exists(new_stream));
  EXPECT_FALSE(fs::exists(child));
  EXPECT_TRUE(fs::exists(stream_dir / "shard-000000000000"));
  EXPECT_EQ(MarksUnder(fs::path(dir_.path()) / "streams"), 0u);
  EXPECT_EQ(Read(*engine, s_), "A");
}

TEST_P(PendingMarksTest, DeletedStreamFolderIsRemovedAfterACrashBetweenSaveAndRemoval) {
  {
    auto engine = Open();
    Create(*engine, s_, 1);
    clock_.Advance(1);
    Create(*engine, other_, 2);
    PutOne(*engine, s_, "a", "A");
    PutOne(*engine, other_, "a", "B");
  }
  const fs::path gone = StreamFolder(other_, kStart + 1);
  ASSERT_TRUE(fs::is_directory(gone / "shard-000000000000"));  // MD5("a") routes to shard 0
  // DeleteStream's steps up to the crash: mark, then save without it.
  ASSERT_TRUE(MarkPending(gone.string(), false).ok());
  SaveMetadataWithout(other_);

  auto engine = Open();
  ASSERT_TRUE(engine);
  EXPECT_EQ(engine->control().DescribeStream(other_).status().code(), ErrorCode::kResourceNotFound);
  EXPECT_FALSE(fs::exists(gone));
  EXPECT_FALSE(fs::exists(PendingMarkPath(gone.string())));
  EXPECT_EQ(Read(*engine, s_), "A");
}

TEST_P(PendingMarksTest, ControlPlaneChangesLeaveNoMarksBehind) {
  auto engine = Open();
  Create(*engine, s_, 1);
  Create(*engine, other_, 1);
  ASSERT_TRUE(engine->control().SplitShard(s_, "shardId-000000000000", HashKey{1} << 127).ok());
  ASSERT_TRUE(engine->control().DeleteStream(other_, false).ok());
  EXPECT_EQ(MarksUnder(fs::path(dir_.path()) / "streams"), 0u);
  EXPECT_FALSE(fs::exists(StreamFolder(other_, kStart + 1)));
  // A child's folder comes with its first record: MD5("a") is in the lower half.
  PutOne(*engine, s_, "a", "A");
  EXPECT_TRUE(fs::is_directory(StreamFolder(s_, kStart) / "shard-000000000001"));
  EXPECT_EQ(MarksUnder(fs::path(dir_.path()) / "streams"), 0u);
}

TEST_P(PendingMarksTest, ReshardRefusesToReuseAFolderItDidNotMake) {
  auto engine = Open();
  Create(*engine, s_, 1);
  const fs::path foreign = StreamFolder(s_, kStart) / "shard-000000000001" / "theirs";
  Touch(foreign);
  Status st = engine->control().SplitShard(s_, "shardId-000000000000", HashKey{1} << 127);
  EXPECT_EQ(st.code(), ErrorCode::kIoError);
  EXPECT_NE(st.message().find("already exists and the server did not make it"), std::string::npos) << st.message();
  EXPECT_TRUE(fs::exists(foreign));
  EXPECT_EQ(engine->control().DescribeStream(s_)->open_shard_count, 1);
}

INSTANTIATE_TEST_SUITE_P(Durability, PendingMarksTest,
                         ::testing::Values(storage::Durability::kFsync, storage::Durability::kOs),
                         [](const auto& info) { return info.param == storage::Durability::kFsync ? "Fsync" : "Os"; });

}  // namespace
}  // namespace sluice::engine
