#include "storage/metadata_journal.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <string>
#include <vector>

#include "storage/testing/fault_injection_env.h"
#include "storage_test_util.h"

namespace sluice::storage {
namespace {

using testutil::TempDir;
using Records = std::vector<std::string>;

MetadataJournal::Contents MustLoad(MetadataJournal& journal) {
  auto loaded = journal.Load();
  EXPECT_TRUE(loaded.ok()) << loaded.status().ToString();
  return loaded.ok() ? std::move(loaded).value() : MetadataJournal::Contents{};
}

// A journal at `dir`/metadata with the snapshot "base" and `records`,
// appended one by one; returns the journal's size before the last one.
uint64_t WriteJournal(const TempDir& dir, const Records& records) {
  MetadataJournal journal(dir.Join("metadata"), false);
  MustLoad(journal);
  EXPECT_TRUE(journal.Compact("base").ok());
  uint64_t before_last = 0;
  for (const std::string& r : records) {
    before_last = journal.journal_bytes();
    EXPECT_TRUE(journal.Append({r}).ok());
  }
  return before_last;
}

TEST(MetadataJournalTest, NothingWrittenLoadsAsNoSnapshotAndNoRecords) {
  TempDir dir;
  MetadataJournal journal(dir.Join("metadata"), false);
  auto contents = MustLoad(journal);
  EXPECT_FALSE(contents.snapshot.has_value());
  EXPECT_TRUE(contents.records.empty());
}

TEST(MetadataJournalTest, AppendedRecordsReplayInOrderAfterReopening) {
  TempDir dir;
  {
    MetadataJournal journal(dir.Join("metadata"), false);
    MustLoad(journal);
    ASSERT_TRUE(journal.Compact("base").ok());
    ASSERT_TRUE(journal.Append({"one"}).ok());
    ASSERT_TRUE(journal.Append({"two", std::string("th\0ree", 6)}).ok());
  }
  MetadataJournal reopened(dir.Join("metadata"), false);
  auto contents = MustLoad(reopened);
  EXPECT_EQ(contents.snapshot, "base");
  EXPECT_EQ(contents.records, (Records{"one", "two", std::string("th\0ree", 6)}));
  // Appends go on after what was replayed.
  ASSERT_TRUE(reopened.Append({"four"}).ok());
  MetadataJournal again(dir.Join("metadata"), false);
  EXPECT_EQ(MustLoad(again).records, (Records{"one", "two", std::string("th\0ree", 6), "four"}));
}

TEST(MetadataJournalTest, CompactionReplacesTheSnapshotAndEmptiesTheJournal) {
  TempDir dir;
  MetadataJournal journal(dir.Join("metadata"), false);
  MustLoad(journal);
  ASSERT_TRUE(journal.Compact("s").ok());
  const std::string big(100, 'x');
  while (!journal.CompactionDue()) ASSERT_TRUE(journal.Append({big}).ok());
  EXPECT_GE(journal.journal_bytes(), MetadataJournal::kMinCompactBytes);
  ASSERT_TRUE(journal.Compact("s and everything since").ok());
  EXPECT_EQ(journal.journal_bytes(), 0u);
  EXPECT_EQ(testutil::FileSize(journal.journal_path()), 0u);
  ASSERT_TRUE(journal.Append({"after"}).ok());
  MetadataJournal reopened(dir.Join("metadata"), false);
  auto contents = MustLoad(reopened);
  EXPECT_EQ(contents.snapshot, "s and everything since");
  EXPECT_EQ(contents.records, Records{"after"});
}

TEST(MetadataJournalTest, CompactionIsDueOnlyPastTheRatioOfTheSnapshot) {
  TempDir dir;
  MetadataJournal journal(dir.Join("metadata"), false);
  MustLoad(journal);
  const std::string snapshot(MetadataJournal::kMinCompactBytes, 's');  // as large as the minimum
  ASSERT_TRUE(journal.Compact(snapshot).ok());
  const std::string record(4096, 'r');
  while (journal.journal_bytes() < MetadataJournal::kMinCompactBytes) ASSERT_TRUE(journal.Append({record}).ok());
  EXPECT_FALSE(journal.CompactionDue());  // past the minimum, not yet past the ratio
  while (journal.journal_bytes() <= MetadataJournal::kCompactRatio * snapshot.size()) {
    ASSERT_TRUE(journal.Append({record}).ok());
  }
  EXPECT_TRUE(journal.CompactionDue());
}

TEST(MetadataJournalTest, TornLastRecordIsCutAndLaterAppendsFollowTheLastWholeOne) {
  TempDir dir;
  const uint64_t whole = WriteJournal(dir, {"kept", "torn by the crash"});
  const std::string path = dir.Join("metadata.journal");
  testutil::TruncateFile(path, testutil::FileSize(path) - 3);  // the last append cut short
  {
    MetadataJournal journal(dir.Join("metadata"), false);
    EXPECT_EQ(MustLoad(journal).records, Records{"kept"});
    EXPECT_EQ(testutil::FileSize(path), whole);
    ASSERT_TRUE(journal.Append({"next"}).ok());
  }
  MetadataJournal reopened(dir.Join("metadata"), false);
  EXPECT_EQ(MustLoad(reopened).records, (Records{"kept", "next"}));
}

TEST(MetadataJournalTest, RecordFailingItsChecksumEndsTheJournal) {
  TempDir dir;
  WriteJournal(dir, {"kept", "flipped"});
  const std::string path = dir.Join("metadata.journal");
  testutil::FlipByte(path, testutil::FileSize(path) - 1);
  MetadataJournal journal(dir.Join("metadata"), false);
  EXPECT_EQ(MustLoad(journal).records, Records{"kept"});
}

TEST(MetadataJournalTest, DamagedRecordWithWholeRecordsAfterItFailsTheLoad) {
  TempDir dir;
  WriteJournal(dir, {"damaged", "acknowledged after it"});
  const std::string path = dir.Join("metadata.journal");
  testutil::FlipByte(path, kJournalRecordHeaderSize + 2);
  const uint64_t size = testutil::FileSize(path);
  MetadataJournal journal(dir.Join("metadata"), false);
  EXPECT_EQ(journal.Load().status().code(), ErrorCode::kCorruption);
  EXPECT_EQ(testutil::FileSize(path), size);  // nothing cut
}

TEST(MetadataJournalTest, FailedAppendCountsForNothingAndTheNextOverwritesIt) {
  TempDir dir;
  FaultInjectionEnv env;
  {
    MetadataJournal journal(dir.Join("metadata"), false, &env);
    MustLoad(journal);
    ASSERT_TRUE(journal.Compact("base").ok());
    ASSERT_TRUE(journal.Append({"first"}).ok());
    env.FailNext(FaultOp::kWrite, ENOSPC, ".journal");  // writes half its bytes, then fails
    EXPECT_EQ(journal.Append({"lost to a full disk"}).code(), ErrorCode::kIoError);
    ASSERT_TRUE(journal.Append({"second"}).ok());
  }
  MetadataJournal reopened(dir.Join("metadata"), false);
  EXPECT_EQ(MustLoad(reopened).records, (Records{"first", "second"}));
}

TEST(MetadataJournalTest, PowerLossKeepsEverySyncedAppend) {
  TempDir dir;
  FaultInjectionEnv env;
  {
    // A new data directory: the journal's own entry must survive too.
    MetadataJournal journal(dir.Join("metadata"), false, &env);
    MustLoad(journal);
    ASSERT_TRUE(journal.Compact("base").ok());
    ASSERT_TRUE(journal.Append({"a"}).ok());
    ASSERT_TRUE(journal.Append({"b"}).ok());
  }
  ASSERT_TRUE(env.DropUnsyncedData().ok());
  MetadataJournal reopened(dir.Join("metadata"), false);
  auto contents = MustLoad(reopened);
  EXPECT_EQ(contents.snapshot, "base");
  EXPECT_EQ(contents.records, (Records{"a", "b"}));
}

// A power loss inside Compact("old+change") of a journal holding "change"
// over the snapshot "old", at the first `op` on a path ending in `suffix`:
// what a restart then loads.
MetadataJournal::Contents CrashInsideCompaction(FaultOp op, const std::string& suffix) {
  TempDir dir;
  FaultInjectionEnv env;
  {
    MetadataJournal journal(dir.Join("metadata"), false, &env);
    MustLoad(journal);
    EXPECT_TRUE(journal.Compact("old").ok());
    EXPECT_TRUE(journal.Append({"change"}).ok());
    env.PowerOffAt(op, 0, suffix);
    EXPECT_FALSE(journal.Compact("old+change").ok());
  }
  EXPECT_TRUE(env.DropUnsyncedData().ok());
  env.SetPowerOn(true);
  MetadataJournal reopened(dir.Join("metadata"), false);
  return MustLoad(reopened);
}

// After the new snapshot is in place, before the journal is emptied: the
// journal then replays whole over the new snapshot (its owner makes that
// harmless); nothing is lost either way.
TEST(MetadataJournalTest, CrashBetweenNewSnapshotAndEmptiedJournalKeepsBoth) {
  auto contents = CrashInsideCompaction(FaultOp::kTruncate, ".journal");
  EXPECT_EQ(contents.snapshot, "old+change");
  EXPECT_EQ(contents.records, Records{"change"});
}

// Before the new snapshot's rename is durable: the old snapshot and the
// whole journal.
TEST(MetadataJournalTest, CrashBeforeTheNewSnapshotKeepsTheOldOneAndTheJournal) {
  auto contents = CrashInsideCompaction(FaultOp::kSyncDir, "");
  EXPECT_EQ(contents.snapshot, "old");
  EXPECT_EQ(contents.records, Records{"change"});
}

}  // namespace
}  // namespace sluice::storage
