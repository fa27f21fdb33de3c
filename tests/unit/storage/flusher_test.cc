#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "storage/segment_file.h"
#include "storage/shard_log.h"
#include "storage_test_util.h"
#include "util/clock.h"

namespace sluice::storage {
namespace {

using testutil::AppendRecords;
using testutil::TempDir;

LogOptions FsyncOptions() {
  LogOptions o;
  o.durability = Durability::kFsync;
  o.segment_max_bytes = 64 << 10;
  return o;
}

using testutil::WaitFor;

TEST(FlusherTest, WhenDurableCompletesOnlyAfterAnFdatasync) {
  TempDir dir;
  Flusher flusher;  // not started yet: requests wait
  auto log = std::move(ShardLog::Open(dir.path(), FsyncOptions(), &flusher).value());
  AppendRecords(log.get(), 10, 10, 1);
  std::atomic<int> calls{0};
  std::atomic<uint64_t> syncs_seen{0};
  log->WhenDurable(log->EndOffset(), [&](Status s) {
    EXPECT_TRUE(s.ok());
    syncs_seen = flusher.SyncCount();
    ++calls;
  });
  EXPECT_EQ(calls.load(), 0);
  EXPECT_EQ(flusher.SyncCount(), 0u);
  flusher.Start();
  ASSERT_TRUE(WaitFor([&] { return calls.load() == 1; }));
  EXPECT_EQ(syncs_seen.load(), 1u);
}

TEST(FlusherTest, UnsyncedRecordsAreInvisibleToReadersUntilSynced) {
  TempDir dir;
  Flusher flusher;  // not started yet: the sync is held back
  auto log = std::move(ShardLog::Open(dir.path(), FsyncOptions(), &flusher).value());
  AppendRecords(log.get(), 10, 10, 1);
  EXPECT_EQ(log->EndOffset(), 10u);
  EXPECT_EQ(log->VisibleEndOffset(), 0u);
  auto before = log->Read(0, 100, 1 << 20);
  ASSERT_TRUE(before.ok());
  EXPECT_TRUE(before->records.empty());
  EXPECT_EQ(before->next_offset, 0u);

  std::atomic<bool> done{false};
  std::atomic<uint64_t> visible_in_callback{0};
  std::atomic<size_t> read_in_callback{0};
  log->WhenDurable(log->EndOffset(), [&](Status s) {
    EXPECT_TRUE(s.ok());
    // Visible before the acknowledgement goes out.
    visible_in_callback = log->VisibleEndOffset();
    auto r = log->Read(0, 100, 1 << 20);
    if (r.ok()) read_in_callback = r->records.size();
    done = true;
  });
  // A later, unsynced append stays invisible while the first is pending.
  AppendRecords(log.get(), 5, 5, 2);
  EXPECT_EQ(log->VisibleEndOffset(), 0u);
  flusher.Start();
  ASSERT_TRUE(WaitFor([&] { return done.load(); }));
  EXPECT_GE(visible_in_callback.load(), 10u);
  EXPECT_GE(read_in_callback.load(), 10u);
  // The round synced both appends (it syncs all that was written).
  auto after = log->Read(0, 100, 1 << 20);
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->records.size(), log->VisibleEndOffset());
  EXPECT_EQ(testutil::ReadAllAndCheck(*log, 0), log->VisibleEndOffset());
}

TEST(FlusherTest, ReadStopsAtTheVisibleEndInsideABatch) {
  TempDir dir;
  Flusher flusher;
  auto log = std::move(ShardLog::Open(dir.path(), FsyncOptions(), nullptr).value());
  AppendRecords(log.get(), 10, 10, 1);
  bool done = false;
  log->WhenDurable(10, [&](Status s) { done = s.ok(); });  // inline sync
  ASSERT_TRUE(done);
  AppendRecords(log.get(), 10, 10, 2);  // written, not synced
  auto r = log->Read(3, 100, 1 << 20);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->records.size(), 7u);
  EXPECT_EQ(r->records.back().offset, 9u);
  EXPECT_EQ(r->next_offset, 10u);
  auto past = log->Read(10, 100, 1 << 20);
  ASSERT_TRUE(past.ok());
  EXPECT_TRUE(past->records.empty());
}

TEST(FlusherTest, OsModeRecordsAreVisibleOnceWritten) {
  TempDir dir;
  LogOptions o;
  o.durability = Durability::kOs;
  auto log = std::move(ShardLog::Open(dir.path(), o, nullptr).value());
  AppendRecords(log.get(), 5, 5, 1);
  EXPECT_EQ(log->VisibleEndOffset(), 5u);
  EXPECT_EQ(testutil::ReadAllAndCheck(*log, 0), 5u);
}

TEST(FlusherTest, AlreadyDurableRecordsCompleteInlineWithoutASync) {
  TempDir dir;
  Flusher flusher;
  flusher.Start();
  auto log = std::move(ShardLog::Open(dir.path(), FsyncOptions(), &flusher).value());
  AppendRecords(log.get(), 10, 10, 1);
  std::atomic<bool> first{false};
  log->WhenDurable(10, [&](Status) { first = true; });
  ASSERT_TRUE(WaitFor([&] { return first.load(); }));
  uint64_t syncs = flusher.SyncCount();
  bool inline_call = false;
  log->WhenDurable(10, [&](Status s) { inline_call = s.ok(); });
  EXPECT_TRUE(inline_call);
  EXPECT_EQ(flusher.SyncCount(), syncs);
}

TEST(FlusherTest, RequestsQueuedBeforeARoundShareOneSync) {
  TempDir dir;
  Flusher flusher;
  auto log = std::move(ShardLog::Open(dir.path(), FsyncOptions(), &flusher).value());
  std::atomic<int> done{0};
  for (int i = 0; i < 1000; ++i) {
    AppendRecords(log.get(), 1, 1, 1);
    log->WhenDurable(log->EndOffset(), [&](Status s) {
      if (s.ok()) ++done;
    });
  }
  EXPECT_EQ(done.load(), 0);
  flusher.Start();
  ASSERT_TRUE(WaitFor([&] { return done.load() == 1000; }));
  EXPECT_EQ(flusher.SyncCount(), 1u);
  EXPECT_EQ(flusher.RoundCount(), 1u);
}

TEST(FlusherTest, OneRoundSyncsEachDirtyLogOnce) {
  TempDir dir;
  Flusher flusher;
  std::vector<std::unique_ptr<ShardLog>> logs;
  for (int i = 0; i < 4; ++i) {
    logs.push_back(std::move(ShardLog::Open(dir.Join("shard" + std::to_string(i)), FsyncOptions(), &flusher).value()));
  }
  std::atomic<int> done{0};
  for (int round = 0; round < 50; ++round) {
    for (auto& log : logs) {
      AppendRecords(log.get(), 2, 2, 1);
      log->WhenDurable(log->EndOffset(), [&](Status s) {
        if (s.ok()) ++done;
      });
    }
  }
  flusher.Start();
  ASSERT_TRUE(WaitFor([&] { return done.load() == 200; }));
  EXPECT_EQ(flusher.SyncCount(), 4u);
}

TEST(FlusherTest, ConcurrentWritersShareSyncs) {
  TempDir dir;
  Flusher flusher;
  flusher.Start();
  auto log = std::move(ShardLog::Open(dir.path(), FsyncOptions(), &flusher).value());
  constexpr int kThreads = 8;
  constexpr int kPerThread = 200;
  std::atomic<int> done{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kPerThread; ++i) {
        std::vector<AppendEntry> one = {{"k", "some data"}};
        auto first = log->Append(one, 1);
        ASSERT_TRUE(first.ok());
        log->WhenDurable(*first + 1, [&](Status s) {
          if (s.ok()) ++done;
        });
      }
    });
  }
  for (auto& t : threads) t.join();
  ASSERT_TRUE(WaitFor([&] { return done.load() == kThreads * kPerThread; }));
  std::printf("%d waiters, %llu fdatasyncs\n", kThreads * kPerThread,
              static_cast<unsigned long long>(flusher.SyncCount()));
  EXPECT_GE(flusher.SyncCount(), 1u);
  EXPECT_LT(flusher.SyncCount(), static_cast<uint64_t>(kThreads * kPerThread));
}

// Writers that each wait for durability before their next append still get
// throughput from group commit: one fdatasync serves every waiting writer.
TEST(FlusherTest, WaitingWritersShareSyncsUnderLoad) {
  TempDir dir;
  Flusher flusher;
  flusher.Start();
  LogOptions o = FsyncOptions();
  o.segment_max_bytes = 64 << 20;
  auto log = std::move(ShardLog::Open(dir.path(), o, &flusher).value());
  testutil::FiveHundredRecords records;
  const std::vector<AppendEntry>& batch = records.entries;
  constexpr int kThreads = 4;
  constexpr int kRequests = 100;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kRequests; ++i) {
        auto first = log->Append(batch, 1);
        ASSERT_TRUE(first.ok());
        std::atomic<bool> durable{false};
        log->WhenDurable(*first + batch.size(), [&](Status s) { durable = s.ok(); });
        ASSERT_TRUE(WaitFor([&] { return durable.load(); }));
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(log->EndOffset(), static_cast<uint64_t>(kThreads * kRequests * 500));
  EXPECT_LE(flusher.SyncCount(), static_cast<uint64_t>(kThreads * kRequests));
}

TEST(FlusherTest, FlusherPadsAheadWithoutCountingItAsASync) {
  TempDir dir;
  Flusher flusher;
  LogOptions o = FsyncOptions();
  o.segment_max_bytes = 64 << 20;
  auto log = std::move(ShardLog::Open(dir.path(), o, &flusher).value());
  std::string segment = testutil::SegmentPath(dir.path(), 0);
  EXPECT_EQ(testutil::FileSize(segment), 0u);  // an empty segment is not padded
  // Requests queued before one round.
  std::atomic<int> done{0};
  for (int i = 0; i < 60; ++i) {
    AppendRecords(log.get(), 100, 100, 1);  // ~10.8 KB per batch
    log->WhenDurable(log->EndOffset(), [&](Status s) { done += s.ok(); });
  }
  ASSERT_GT(log->SizeBytes(), kMinPaddingChunkBytes / 2);
  ASSERT_LT(log->SizeBytes(), kMinPaddingChunkBytes);
  EXPECT_EQ(testutil::FileSize(segment), log->SizeBytes());  // no padding yet: the file grows
  flusher.Start();
  flusher.Stop();  // the round, padding included, has finished
  EXPECT_EQ(done.load(), 60);
  EXPECT_EQ(flusher.SyncCount(), 1u);
  EXPECT_EQ(flusher.RoundCount(), 1u);
  // After the round, a chunk of zeros follows the data.
  EXPECT_EQ(testutil::FileSize(segment), log->SizeBytes() + kMinPaddingChunkBytes);
  EXPECT_EQ(testutil::ReadAllAndCheck(*log, 0), 6000u);  // reads stop at the data
  auto past = log->Read(6000, 10, 1 << 20);
  ASSERT_TRUE(past.ok());
  EXPECT_TRUE(past->records.empty());
}

TEST(FlusherTest, ConcurrentReadersOfAPaddedSegmentSeeOnlyWholeBatches) {
  TempDir dir;
  Flusher flusher;
  flusher.Start();
  auto log = std::move(ShardLog::Open(dir.path(), FsyncOptions(), &flusher).value());
  std::atomic<bool> stop{false};
  std::thread reader([&] {
    uint64_t next = 0;
    while (!stop.load() || next < log->EndOffset()) {
      auto r = log->Read(next, 500, 1 << 20);
      ASSERT_TRUE(r.ok()) << r.status().ToString();
      for (const StoredRecord& rec : r->records) {
        ASSERT_EQ(rec.offset, next);
        ASSERT_EQ(rec.data, testutil::DataFor(next));
        ++next;
      }
    }
  });
  std::atomic<int> done{0};
  for (int i = 0; i < 400; ++i) {
    AppendRecords(log.get(), 17, 17, 1);
    log->WhenDurable(log->EndOffset(), [&](Status s) { done += s.ok(); });
  }
  stop = true;
  reader.join();
  ASSERT_TRUE(WaitFor([&] { return done.load() == 400; }));
}

TEST(FlusherTest, CloseWaitsForQueuedRequests) {
  TempDir dir;
  Flusher flusher;
  flusher.Start();
  auto log = std::move(ShardLog::Open(dir.path(), FsyncOptions(), &flusher).value());
  std::atomic<int> done{0};
  for (int i = 0; i < 100; ++i) {
    AppendRecords(log.get(), 1, 1, 1);
    log->WhenDurable(log->EndOffset(), [&](Status) { ++done; });
  }
  ASSERT_TRUE(log->Close().ok());
  EXPECT_EQ(done.load(), 100);
  bool after_close_ok = true;
  log->WhenDurable(1000, [&](Status s) { after_close_ok = s.ok(); });
  EXPECT_FALSE(after_close_ok);
}

TEST(FlusherTest, StopCompletesPendingThenSyncsInline) {
  TempDir dir;
  Flusher flusher;
  auto log = std::move(ShardLog::Open(dir.path(), FsyncOptions(), &flusher).value());
  AppendRecords(log.get(), 5, 5, 1);
  std::atomic<int> done{0};
  log->WhenDurable(5, [&](Status s) { done += s.ok(); });
  flusher.Stop();  // never started: the queued request completes here
  EXPECT_EQ(done.load(), 1);
  AppendRecords(log.get(), 5, 5, 1);
  log->WhenDurable(10, [&](Status s) { done += s.ok(); });
  EXPECT_EQ(done.load(), 2);  // inline on this thread
  EXPECT_EQ(flusher.SyncCount(), 2u);
}

TEST(FlusherTest, OsModeIsDurableOnReturnFromAppend) {
  TempDir dir;
  LogOptions o;
  o.durability = Durability::kOs;
  auto log = std::move(ShardLog::Open(dir.path(), o, nullptr).value());
  AppendRecords(log.get(), 5, 5, 1);
  bool done = false;
  log->WhenDurable(5, [&](Status s) { done = s.ok(); });
  EXPECT_TRUE(done);
}

TEST(FlusherTest, FsyncLogWithoutFlusherSyncsInline) {
  TempDir dir;
  auto log = std::move(ShardLog::Open(dir.path(), FsyncOptions(), nullptr).value());
  AppendRecords(log.get(), 5, 5, 1);
  bool done = false;
  log->WhenDurable(5, [&](Status s) { done = s.ok(); });
  EXPECT_TRUE(done);
}

TEST(FlusherTest, RollsInFsyncModeKeepDataReadable) {
  TempDir dir;
  Flusher flusher;
  flusher.Start();
  {
    auto log = std::move(ShardLog::Open(dir.path(), FsyncOptions(), &flusher).value());
    AppendRecords(log.get(), 3000, 50, 1);  // ~330 KB: several 64 KiB segments
    std::atomic<bool> done{false};
    log->WhenDurable(3000, [&](Status s) { done = s.ok(); });
    ASSERT_TRUE(WaitFor([&] { return done.load(); }));
  }
  auto log = std::move(ShardLog::Open(dir.path(), FsyncOptions(), &flusher).value());
  EXPECT_EQ(testutil::ReadAllAndCheck(*log, 0), 3000u);
}

}  // namespace
}  // namespace sluice::storage
