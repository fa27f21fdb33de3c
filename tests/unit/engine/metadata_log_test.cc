#include "engine/metadata_log.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "engine/metadata_codec.h"
#include "engine_test_util.h"
#include "storage/metadata_store.h"
#include "storage/testing/fault_injection_env.h"

namespace sluice::engine {
namespace {

namespace fs = std::filesystem;
using testing::PutOne;
using testing::TempDir;

StreamMeta Stream(const std::string& name, int shards = 1, int retention_hours = 24) {
  StreamMeta m;
  m.ref = {"123456789012", "us-east-1", name};
  m.status = StreamStatus::kActive;
  m.creation_ms = 1700000000000;
  m.retention_hours = retention_hours;
  for (int i = 0; i < shards; ++i) {
    ShardMeta s;
    s.index = i;
    s.range = {0, ~HashKey{0}};
    m.shards.push_back(s);
  }
  return m;
}

std::vector<std::string> Names(const std::vector<StreamMeta>& streams) {
  std::vector<std::string> out;
  for (const StreamMeta& m : streams) out.push_back(m.ref.name);
  return out;
}

std::vector<StreamMeta> MustLoad(MetadataLog& log) {
  auto loaded = log.Load();
  EXPECT_TRUE(loaded.ok()) << loaded.status().ToString();
  if (!loaded.ok() || !loaded->has_value()) return {};
  return **loaded;
}

TEST(MetadataLogTest, PutsAndErasesReplayAfterReopening) {
  TempDir dir;
  const std::string path = dir.path() + "/metadata";
  {
    MetadataLog log(path, false);
    EXPECT_TRUE(MustLoad(log).empty());
    ASSERT_TRUE(log.Init().ok());
    ASSERT_TRUE(log.Put(Stream("a")).ok());
    ASSERT_TRUE(log.Put(Stream("b")).ok());
    ASSERT_TRUE(log.Put(Stream("a", 1, 48)).ok());  // a later put of a key wins
    ASSERT_TRUE(log.Erase(KeyOf(Stream("b").ref)).ok());
    ASSERT_TRUE(log.Put(Stream("c", 3)).ok());
  }
  MetadataLog reopened(path, false);
  const std::vector<StreamMeta> streams = MustLoad(reopened);
  EXPECT_EQ(Names(streams), (std::vector<std::string>{"a", "c"}));
  EXPECT_EQ(streams[0].retention_hours, 48);
  EXPECT_EQ(streams[1].shards.size(), 3u);
}

TEST(MetadataLogTest, APutCostsOneRecordWhateverTheOtherStreamsHold) {
  TempDir dir;
  MetadataLog log(dir.path() + "/metadata", false);
  MustLoad(log);
  ASSERT_TRUE(log.Init().ok());
  ASSERT_TRUE(log.Put(Stream("lonely")).ok());
  const uint64_t one = log.journal().journal_bytes();
  ASSERT_TRUE(log.Put(Stream("huge", 5000)).ok());
  const uint64_t before = log.journal().journal_bytes();
  ASSERT_TRUE(log.Put(Stream("lonely", 1, 48)).ok());
  EXPECT_EQ(log.journal().journal_bytes() - before, one);
}

TEST(MetadataLogTest, CompactionFoldsTheJournalIntoTheSnapshotAndLosesNothing) {
  TempDir dir;
  const std::string path = dir.path() + "/metadata";
  int compactions = 0;
  {
    MetadataLog log(path, false);
    MustLoad(log);
    ASSERT_TRUE(log.Init().ok());
    uint64_t last = 0;
    for (int i = 0; i < 3000; ++i) {
      ASSERT_TRUE(log.Put(Stream("s" + std::to_string(i % 50), 4, 24 + i)).ok());
      if (log.journal().journal_bytes() < last) ++compactions;
      last = log.journal().journal_bytes();
    }
    EXPECT_GE(compactions, 1);
    EXPECT_GT(log.journal().snapshot_bytes(), 1000u);  // the snapshot holds the streams now
  }
  MetadataLog reopened(path, false);
  const std::vector<StreamMeta> streams = MustLoad(reopened);
  ASSERT_EQ(streams.size(), 50u);
  for (const StreamMeta& m : streams) {
    const int i = std::stoi(m.ref.name.substr(1));
    EXPECT_EQ(m.retention_hours, 24 + 2950 + i) << m.ref.name;  // each stream's last put
  }
}

// A crash inside a compaction, after the new snapshot and before the journal
// is emptied: the journal replays over a snapshot that holds it already.
TEST(MetadataLogTest, CrashInsideACompactionReplaysToTheSameStreams) {
  TempDir dir;
  storage::FaultInjectionEnv env;
  const std::string path = dir.path() + "/metadata";
  {
    MetadataLog log(path, false, &env);
    MustLoad(log);
    ASSERT_TRUE(log.Init().ok());
    ASSERT_TRUE(log.Put(Stream("gone")).ok());
    ASSERT_TRUE(log.Erase(KeyOf(Stream("gone").ref)).ok());
    env.PowerOffAt(storage::FaultOp::kTruncate, 0, ".journal");  // the compaction's second step
    for (int i = 0; i < 5000 && !log.journal().CompactionDue(); ++i) {
      ASSERT_TRUE(log.Put(Stream("s" + std::to_string(i % 10), 2, 24 + i)).ok());
    }
    // The put that made it due started the compaction, whose new snapshot
    // is in place; the power failed as it emptied the journal.
    ASSERT_TRUE(log.journal().CompactionDue());
    EXPECT_GT(log.journal().snapshot_bytes(), 100u);
  }
  ASSERT_TRUE(env.DropUnsyncedData().ok());
  env.SetPowerOn(true);
  MetadataLog reopened(path, false);
  const std::vector<StreamMeta> streams = MustLoad(reopened);
  EXPECT_EQ(streams.size(), 10u);  // "gone" stays gone
  for (const StreamMeta& m : streams) EXPECT_NE(m.ref.name, "gone");
}

// Data directories written before the journal hold only the whole document:
// the engine opens them as they are and journals its changes beside it.
TEST(MetadataLogTest, EngineOpensAnOldWholeDocumentAndJournalsItsChangesBesideIt) {
  TempDir dir;
  const StreamRef old_ref{"123456789012", "us-east-1", "from-before"};
  {
    // What the earlier engine left: its streams, one whole document.
    EngineOptions o;
    o.data_dir = dir.path();
    o.durability = storage::Durability::kOs;
    auto engine = Engine::Open(o);
    ASSERT_TRUE(engine.ok());
    CreateStreamParams p;
    p.shard_count = 2;
    ASSERT_TRUE((*engine)->control().CreateStream(old_ref, p).ok());
    ASSERT_FALSE(PutOne(**engine, old_ref, "k", "kept").empty());
  }
  {
    MetadataLog log(dir.path() + "/metadata", false);
    std::vector<StreamMeta> streams = MustLoad(log);
    ASSERT_EQ(streams.size(), 1u);
    storage::MetadataStore old_format(dir.path() + "/metadata", false);
    ASSERT_TRUE(old_format.Save(EncodeMetadata(streams)).ok());
  }
  fs::remove(dir.path() + "/metadata.journal");

  EngineOptions o;
  o.data_dir = dir.path();
  o.durability = storage::Durability::kOs;
  {
    auto engine = Engine::Open(o);
    ASSERT_TRUE(engine.ok()) << engine.status().ToString();
    auto d = (*engine)->control().DescribeStream(old_ref);
    ASSERT_TRUE(d.ok());
    EXPECT_EQ(d->shards.size(), 2u);
    CreateStreamParams p;
    p.shard_count = 1;
    ASSERT_TRUE((*engine)->control().CreateStream({old_ref.account, old_ref.region, "new"}, p).ok());
  }
  EXPECT_TRUE(fs::exists(dir.path() + "/metadata.journal"));
  auto engine = Engine::Open(o);
  ASSERT_TRUE(engine.ok());
  EXPECT_EQ((*engine)->control().ListStreams(old_ref.account, old_ref.region).size(), 2u);
  auto it = (*engine)->records().GetShardIterator(old_ref, "shardId-000000000000", IteratorType::kTrimHorizon, {}, {});
  auto it1 = (*engine)->records().GetShardIterator(old_ref, "shardId-000000000001", IteratorType::kTrimHorizon, {}, {});
  ASSERT_TRUE(it.ok() && it1.ok());
  auto a = (*engine)->records().GetRecords(*it, 10, std::nullopt);
  auto b = (*engine)->records().GetRecords(*it1, 10, std::nullopt);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->records.size() + b->records.size(), 1u);  // the record from before is still there
}

}  // namespace
}  // namespace sluice::engine
