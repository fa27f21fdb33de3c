// A simulated power loss (FaultInjectionEnv::DropUnsyncedData: every byte and
// directory entry not synced is gone) never takes a record that WhenDurable()
// acknowledged in kFsync mode, never leaves anything but whole appended
// records, and the log continues densely after it.
#include <gtest/gtest.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <map>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

#include "storage/shard_log.h"
#include "storage/testing/fault_injection_env.h"
#include "storage_test_util.h"
#include "util/log.h"

namespace sluice::storage {
namespace {

using testutil::TempDir;
using testutil::WaitFor;

constexpr int kShards = 3;
constexpr int kWriters = 4;

LogOptions FsyncOptions(Env* env) {
  LogOptions o;
  o.durability = Durability::kFsync;
  o.segment_max_bytes = 16 << 10;  // rolls every ~100 records
  o.index_interval_bytes = 1024;
  o.env = env;
  return o;
}

std::string ShardDir(const TempDir& dir, int shard) { return dir.Join("shard-" + std::to_string(shard)); }

struct Appended {
  std::string key, data;
};

// What the writers did to one shard: every record an Append() accepted, by
// offset, and the end of what WhenDurable() acknowledged.
struct ShardHistory {
  std::mutex mu;
  std::map<uint64_t, Appended> records;
  uint64_t acked_end = 0;
};

// Quieter: with the power off every write fails and is logged.
class PowerLossTest : public testing::Test {
 protected:
  void SetUp() override { log::SetLevel(log::Level::kError); }
  void TearDown() override { log::SetLevel(log::Level::kInfo); }
};

// One run: writers append and wait for durability from several threads to
// several shards through one Flusher, until the power goes off after a
// seeded number of appends; then the unsynced data is dropped and the logs
// are reopened and checked.
void RunPowerLoss(uint32_t seed) {
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::printf("power loss seed %u\n", seed);
  TempDir dir;
  FaultInjectionEnv env;
  std::mt19937 rng(seed);
  const int appends_before_power_off = 1 + static_cast<int>(rng() % 400);
  ShardHistory history[kShards];
  {
    Flusher flusher;
    flusher.Start();
    std::vector<std::unique_ptr<ShardLog>> logs;
    for (int s = 0; s < kShards; ++s) {
      auto log = ShardLog::Open(ShardDir(dir, s), FsyncOptions(&env), &flusher);
      ASSERT_TRUE(log.ok()) << log.status().ToString();
      logs.push_back(std::move(log).value());
    }
    std::atomic<int> appends{0};
    std::atomic<int> pending{0};
    std::vector<std::thread> writers;
    for (int w = 0; w < kWriters; ++w) {
      writers.emplace_back([&, w] {
        std::mt19937 local(seed * 31 + static_cast<uint32_t>(w));
        for (int i = 0; appends.load() < appends_before_power_off; ++i) {
          const int shard = static_cast<int>(local() % kShards);
          const size_t count = 1 + local() % 5;
          std::vector<std::string> keys, datas;
          for (size_t r = 0; r < count; ++r) {
            keys.push_back("w" + std::to_string(w) + "-" + std::to_string(i) + "-" + std::to_string(r));
            datas.push_back(std::string(20 + local() % 200, static_cast<char>('a' + local() % 26)));
          }
          std::vector<AppendEntry> entries;
          for (size_t r = 0; r < count; ++r) entries.push_back({keys[r], datas[r]});
          ShardHistory& h = history[shard];
          std::unique_lock<std::mutex> lock(h.mu);  // offsets and history agree
          auto first = logs[shard]->Append(entries, 1000 + i);
          if (first.ok()) {
            for (size_t r = 0; r < count; ++r) h.records[*first + r] = {keys[r], datas[r]};
          }
          lock.unlock();
          if (++appends == appends_before_power_off) env.SetPowerOn(false);
          if (!first.ok()) continue;
          const uint64_t end = *first + count;
          ++pending;
          logs[shard]->WhenDurable(end, [&h, &pending, end](Status s) {
            if (s.ok()) {
              std::lock_guard<std::mutex> lock(h.mu);
              h.acked_end = std::max(h.acked_end, end);
            }
            --pending;
          });
        }
      });
    }
    for (auto& t : writers) t.join();
    ASSERT_TRUE(WaitFor([&] { return pending.load() == 0; }));
    for (auto& log : logs) (void)log->Close();  // the power is off: nothing reaches the disk
  }
  ASSERT_TRUE(env.DropUnsyncedData().ok());
  env.SetPowerOn(true);

  Flusher flusher;
  flusher.Start();
  for (int s = 0; s < kShards; ++s) {
    SCOPED_TRACE("shard " + std::to_string(s));
    ShardHistory& h = history[s];
    auto reopened = ShardLog::Open(ShardDir(dir, s), FsyncOptions(&env), &flusher);
    ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
    ShardLog& log = **reopened;
    // Every acknowledged record is there; whatever else survived is exactly
    // what an append wrote at that offset, whole.
    EXPECT_GE(log.EndOffset(), h.acked_end);
    EXPECT_EQ(log.VisibleEndOffset(), log.EndOffset());
    uint64_t next = 0;
    while (next < log.EndOffset()) {
      auto r = log.Read(next, 1000, 1 << 20);
      ASSERT_TRUE(r.ok()) << r.status().ToString();
      ASSERT_FALSE(r->records.empty());
      for (const StoredRecord& rec : r->records) {
        ASSERT_EQ(rec.offset, next);
        auto it = h.records.find(rec.offset);
        ASSERT_NE(it, h.records.end()) << "offset " << rec.offset << " was never appended";
        EXPECT_EQ(rec.partition_key, it->second.key);
        EXPECT_EQ(rec.data, it->second.data);
        ++next;
      }
    }
    // The log continues densely after what survived.
    const uint64_t end = log.EndOffset();
    std::string key = "after", data = "reopen";
    std::vector<AppendEntry> one{{key, data}};
    auto appended = log.Append(one, 5000);
    ASSERT_TRUE(appended.ok()) << appended.status().ToString();
    EXPECT_EQ(*appended, end);
    std::atomic<bool> durable{false};
    log.WhenDurable(end + 1, [&](Status st) {
      EXPECT_TRUE(st.ok()) << st.ToString();
      durable = true;
    });
    ASSERT_TRUE(WaitFor([&] { return durable.load(); }));
    auto back = log.Read(end, 10, 1 << 20);
    ASSERT_TRUE(back.ok());
    ASSERT_EQ(back->records.size(), 1u);
    EXPECT_EQ(back->records[0].data, "reopen");
  }
}

TEST_F(PowerLossTest, AcknowledgedRecordsSurviveAPowerLossAtARandomPoint) {
  for (uint32_t seed = 1; seed <= 50; ++seed) {
    RunPowerLoss(seed);
    if (HasFatalFailure()) return;
  }
}

// The roll has created the next segment, and the power goes off as it syncs
// the directory: the new file's entry and everything after the last sync are
// gone; the old segment, synced by the roll, holds every acknowledged record.
TEST_F(PowerLossTest, APowerLossWhileRollingKeepsTheSyncedSegment) {
  TempDir dir;
  FaultInjectionEnv env;
  uint64_t acked = 0;
  {
    auto log = std::move(ShardLog::Open(dir.path(), FsyncOptions(&env), nullptr).value());
    testutil::FillToJustBelowARoll(log.get(), 16 << 10);
    testutil::SyncInline(log.get());
    acked = log->EndOffset();
    env.PowerOffAt(FaultOp::kSyncDir);
    EXPECT_FALSE(testutil::AppendBatch(log.get(), 30).ok());  // needs a roll
    EXPECT_TRUE(std::filesystem::exists(testutil::SegmentPath(dir.path(), acked)))
        << "the power went off before the roll created its segment";
    EXPECT_EQ(env.FailuresInjected(), 1u);
  }
  ASSERT_TRUE(env.DropUnsyncedData().ok());
  env.SetPowerOn(true);
  EXPECT_FALSE(std::filesystem::exists(testutil::SegmentPath(dir.path(), acked)));
  auto log = std::move(ShardLog::Open(dir.path(), FsyncOptions(&env), nullptr).value());
  EXPECT_EQ(log->EndOffset(), acked);
  EXPECT_EQ(testutil::ReadAllAndCheck(*log, 0), acked);
  testutil::AppendRecords(log.get(), 40, 40,
                          1000);  // rolls now, at the same offset
  testutil::SyncInline(log.get());
  EXPECT_TRUE(std::filesystem::exists(testutil::SegmentPath(dir.path(), acked)));
  EXPECT_EQ(testutil::ReadAllAndCheck(*log, 0), acked + 40);
}

}  // namespace
}  // namespace sluice::storage
