// The engine over real files: everything survives closing and reopening.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "engine/engine.h"
#include "engine_test_util.h"

namespace sluice::engine {
namespace {

namespace fs = std::filesystem;
using testing::PutOne;
using testing::PutSync;
using testing::TempDir;

constexpr int64_t kStart = 1700000000000;

class PersistenceTest : public ::testing::TestWithParam<storage::Durability> {
 protected:
  std::unique_ptr<Engine> Open(int64_t create_delay = 0, int64_t delete_delay = 0) {
    EngineOptions o;
    o.data_dir = dir_.path();
    o.durability = GetParam();
    o.clock = &clock_;
    o.create_stream_delay_ms = create_delay;
    o.delete_stream_delay_ms = delete_delay;
    auto e = Engine::Open(o);
    EXPECT_TRUE(e.ok()) << e.status().ToString();
    return e.ok() ? std::move(e).value() : nullptr;
  }

  CreateStreamParams Params(int shards) {
    CreateStreamParams p;
    p.shard_count = shards;
    return p;
  }

  TempDir dir_;
  ManualClock clock_{kStart};
  const StreamRef s_{"123456789012", "us-east-1", "durable"};
};

TEST_P(PersistenceTest, StreamsRecordsAndIteratorsSurviveReopen) {
  std::string iterator;
  std::string seq_b;
  {
    auto engine = Open();
    ASSERT_TRUE(engine);
    CreateStreamParams p = Params(2);
    p.tags = {{"owner", "me"}};
    ASSERT_TRUE(engine->control().CreateStream(s_, p).ok());
    ASSERT_TRUE(engine->control().CreateStream({"123456789012", "us-east-1", "second"}, Params(1)).ok());
    PutOne(*engine, s_, "a", "A");  // MD5("a") routes to shard 0
    seq_b = PutOne(*engine, s_, "a", "B");
    auto it = engine->records().GetShardIterator(s_, "shardId-000000000000", IteratorType::kTrimHorizon, {}, {});
    ASSERT_TRUE(it.ok());
    iterator = *it;
    engine->Stop();
  }
  EXPECT_TRUE(fs::exists(dir_.path() + "/iterator.key"));
  EXPECT_TRUE(fs::exists(dir_.path() + "/metadata"));

  clock_.Advance(60000);
  auto engine = Open();
  ASSERT_TRUE(engine);
  auto list = engine->control().ListStreams("123456789012", "us-east-1");
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].name, "durable");
  // DescribeLimits' running totals are rebuilt from the loaded streams.
  EXPECT_EQ(engine->control().DescribeLimits("123456789012", "us-east-1").open_shard_count, 3);
  auto d = engine->control().DescribeStream(s_);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->status, StreamStatus::kActive);
  EXPECT_EQ(d->creation_ms, kStart);
  ASSERT_EQ(d->shards.size(), 2u);
  EXPECT_EQ(engine->control().ListTags(s_)->at(0).second, "me");

  // The iterator issued before the restart still reads from the start.
  auto got = engine->records().GetRecords(iterator, 100, std::nullopt);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ASSERT_EQ(got->records.size(), 2u);
  EXPECT_EQ(got->records[0].data, "A");
  EXPECT_EQ(got->records[1].data, "B");
  EXPECT_EQ(ToView(got->records[1].sequence_number), seq_b);

  // Appends continue the same dense numbering.
  PutOne(*engine, s_, "a", "C");
  auto after =
      engine->records().GetShardIterator(s_, "shardId-000000000000", IteratorType::kAfterSequenceNumber, seq_b, {});
  ASSERT_TRUE(after.ok());
  auto rest = engine->records().GetRecords(*after, 100, std::nullopt);
  ASSERT_TRUE(rest.ok());
  ASSERT_EQ(rest->records.size(), 1u);
  EXPECT_EQ(rest->records[0].data, "C");
}

TEST_P(PersistenceTest, DeletedStreamStaysDeletedAndItsFilesAreGone) {
  {
    auto engine = Open();
    ASSERT_TRUE(engine->control().CreateStream(s_, Params(1)).ok());
    PutOne(*engine, s_, "k", "v");
    ASSERT_TRUE(engine->control().DeleteStream(s_, false).ok());
  }
  auto engine = Open();
  EXPECT_EQ(engine->control().DescribeStream(s_).status().code(), ErrorCode::kResourceNotFound);
  const fs::path region = fs::path(dir_.path()) / "streams" / "123456789012" / "us-east-1";
  size_t left = 0;
  if (fs::exists(region)) left = std::distance(fs::directory_iterator(region), {});
  EXPECT_EQ(left, 0u);
}

TEST_P(PersistenceTest, RestartDuringCreatingFinishesTheTransition) {
  {
    auto engine = Open(/*create_delay=*/1000);
    ASSERT_TRUE(engine->control().CreateStream(s_, Params(1)).ok());
    EXPECT_EQ(engine->control().DescribeStream(s_)->status, StreamStatus::kCreating);
  }
  auto engine = Open(1000);
  EXPECT_EQ(engine->control().DescribeStream(s_)->status, StreamStatus::kCreating);
  clock_.Advance(1000);
  engine->RunHousekeeping();
  EXPECT_EQ(engine->control().DescribeStream(s_)->status, StreamStatus::kActive);
  // And the settled state is itself persistent.
  engine.reset();
  EXPECT_EQ(Open(1000)->control().DescribeStream(s_)->status, StreamStatus::kActive);
}

TEST_P(PersistenceTest, RestartDuringDeletingFinishesTheDeletion) {
  {
    auto engine = Open(0, /*delete_delay=*/1000);
    ASSERT_TRUE(engine->control().CreateStream(s_, Params(1)).ok());
    ASSERT_TRUE(engine->control().DeleteStream(s_, false).ok());
  }
  clock_.Advance(5000);
  auto engine = Open(0, 1000);
  EXPECT_EQ(engine->control().DescribeStream(s_)->status, StreamStatus::kDeleting);
  engine->RunHousekeeping();
  EXPECT_EQ(engine->control().DescribeStream(s_).status().code(), ErrorCode::kResourceNotFound);
  engine.reset();
  EXPECT_EQ(Open()->control().DescribeStream(s_).status().code(), ErrorCode::kResourceNotFound);
}

TEST_P(PersistenceTest, StreamFolderTheMetadataDoesNotNameIsLeftAloneOnOpen) {
  { ASSERT_TRUE(Open()->control().CreateStream(s_, Params(1)).ok()); }
  const fs::path unknown = fs::path(dir_.path()) / "streams" / "123456789012" / "us-east-1" / "gone-1600000000000";
  fs::create_directories(unknown / "shard-000000000000");
  auto engine = Open();
  EXPECT_TRUE(fs::exists(unknown / "shard-000000000000"));
  EXPECT_TRUE(engine->control().DescribeStream(s_).ok());
}

TEST_P(PersistenceTest, CorruptMetadataFailsOpenInsteadOfLosingStreams) {
  {
    auto engine = Open();
    ASSERT_TRUE(engine->control().CreateStream(s_, Params(1)).ok());
    ASSERT_TRUE(engine->control().CreateStream(StreamRef{s_.account, s_.region, "later"}, Params(1)).ok());
  }
  // A byte of the first change's record: damage with a whole record after it.
  const std::string path = dir_.path() + "/metadata.journal";
  std::string bytes;
  {
    std::ifstream in(path, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  ASSERT_GT(bytes.size(), 60u);
  bytes[20] ^= 0x40;
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << bytes;
  }
  EngineOptions o;
  o.data_dir = dir_.path();
  o.durability = GetParam();
  auto e = Engine::Open(o);
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.status().code(), ErrorCode::kCorruption);
  // The stream's files were left alone.
  EXPECT_TRUE(fs::exists(fs::path(dir_.path()) / "streams" / "123456789012" / "us-east-1"));
}

TEST_P(PersistenceTest, MissingStreamDirectoryOfAListedStreamIsReportedAsAnError) {
  {
    auto engine = Open();
    ASSERT_TRUE(engine->control().CreateStream(s_, Params(2)).ok());
    PutOne(*engine, s_, "a", "A");
    engine->Stop();
  }
  const fs::path stream_dir =
      fs::path(dir_.path()) / "streams" / "123456789012" / "us-east-1" / ("durable-" + std::to_string(kStart));
  ASSERT_TRUE(fs::is_directory(stream_dir / "shard-000000000000"));
  fs::remove_all(stream_dir);  // as if a power loss took it

  ::testing::internal::CaptureStderr();
  auto engine = Open();
  const std::string err = ::testing::internal::GetCapturedStderr();
  ASSERT_TRUE(engine);
  EXPECT_NE(err.find("ERROR"), std::string::npos) << err;
  EXPECT_NE(err.find("durable"), std::string::npos) << err;
  EXPECT_TRUE(engine->control().DescribeStream(s_).ok());
}

TEST_P(PersistenceTest, ShardNeverWrittenHasNoFolderAndReopensEmptyAndWritable) {
  const fs::path stream_dir =
      fs::path(dir_.path()) / "streams" / "123456789012" / "us-east-1" / ("durable-" + std::to_string(kStart));
  {
    auto engine = Open();
    ASSERT_TRUE(engine->control().CreateStream(s_, Params(2)).ok());
    PutOne(*engine, s_, "a", "A");  // shard 0 only
    engine->Stop();
  }
  ASSERT_TRUE(fs::is_directory(stream_dir / "shard-000000000000"));
  EXPECT_FALSE(fs::exists(stream_dir / "shard-000000000001"));

  ::testing::internal::CaptureStderr();
  auto engine = Open();
  const std::string err = ::testing::internal::GetCapturedStderr();
  ASSERT_TRUE(engine);
  EXPECT_EQ(err.find("ERROR"), std::string::npos) << err;  // nothing was lost
  auto it = engine->records().GetShardIterator(s_, "shardId-000000000001", IteratorType::kTrimHorizon, {}, {});
  ASSERT_TRUE(it.ok()) << it.status().ToString();
  auto got = engine->records().GetRecords(*it, 100, std::nullopt);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_TRUE(got->records.empty());
  EXPECT_FALSE(fs::exists(stream_dir / "shard-000000000001"));  // reading creates nothing

  PutOne(*engine, s_, "b", "B");  // MD5("b") routes to shard 1
  EXPECT_TRUE(fs::is_directory(stream_dir / "shard-000000000001"));
}

TEST_P(PersistenceTest, IntactStreamsOpenWithoutErrors) {
  { ASSERT_TRUE(Open()->control().CreateStream(s_, Params(2)).ok()); }
  ::testing::internal::CaptureStderr();
  auto engine = Open();
  const std::string err = ::testing::internal::GetCapturedStderr();
  ASSERT_TRUE(engine);
  EXPECT_EQ(err.find("ERROR"), std::string::npos) << err;
}

TEST_P(PersistenceTest, NewNestedDataDirectoryIsCreatedAndUsable) {
  EngineOptions o;
  o.data_dir = dir_.path() + "/not/yet/there";
  o.durability = GetParam();
  o.clock = &clock_;
  {
    auto e = Engine::Open(o);
    ASSERT_TRUE(e.ok()) << e.status().ToString();
    ASSERT_TRUE((*e)->control().CreateStream(s_, Params(1)).ok());
    PutOne(**e, s_, "a", "A");
  }
  auto e = Engine::Open(o);
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  auto d = (*e)->control().DescribeStream(s_);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->shards.size(), 1u);
}

INSTANTIATE_TEST_SUITE_P(Durability, PersistenceTest,
                         ::testing::Values(storage::Durability::kFsync, storage::Durability::kOs),
                         [](const auto& info) { return info.param == storage::Durability::kFsync ? "Fsync" : "Os"; });

}  // namespace
}  // namespace sluice::engine
