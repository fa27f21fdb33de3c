// Helpers for storage tests: a temporary directory removed on destruction,
// byte-level file surgery (flip, truncate), and a log builder.
#pragma once

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <thread>

#include "storage/shard_log.h"
#include "storage/testing/fault_injection_env.h"
#include "util/clock.h"

namespace sluice::storage::testutil {

// An Env that forwards every call to Env::Default(): a test Env derives
// from it and overrides only the calls it counts or holds.
class ForwardingEnv : public Env {
 public:
  Result<int> Open(const std::string& path, OpenMode mode) override { return base_->Open(path, mode); }
  void Close(int fd) override { base_->Close(fd); }
  Status Write(int fd, const char* data, size_t n, uint64_t pos, const std::string& path) override {
    return base_->Write(fd, data, n, pos, path);
  }
  Result<size_t> Read(int fd, char* dst, size_t n, uint64_t pos, const std::string& path) const override {
    return base_->Read(fd, dst, n, pos, path);
  }
  Status Sync(int fd, const std::string& path) override { return base_->Sync(fd, path); }
  Status Truncate(int fd, uint64_t size, const std::string& path) override { return base_->Truncate(fd, size, path); }
  Result<uint64_t> Size(int fd, const std::string& path) const override { return base_->Size(fd, path); }
  Status CreateDirs(const std::string& dir) override { return base_->CreateDirs(dir); }
  Status SyncDir(const std::string& dir) override { return base_->SyncDir(dir); }
  Result<std::vector<std::string>> ListDir(const std::string& dir) const override { return base_->ListDir(dir); }
  Status Rename(const std::string& from, const std::string& to) override { return base_->Rename(from, to); }
  Status RemoveFile(const std::string& path) override { return base_->RemoveFile(path); }
  Status RemoveAll(const std::string& path) override { return base_->RemoveAll(path); }

 protected:
  Env* const base_ = Env::Default();
};

// Polls `pred` until it holds or 10 s pass; returns whether it held.
template <typename Pred>
bool WaitFor(Pred pred) {
  int64_t deadline = MonotonicNanos() + 10'000'000'000;
  while (!pred()) {
    if (MonotonicNanos() > deadline) return false;
    std::this_thread::yield();
  }
  return true;
}

// A fresh directory under testing::TempDir(), removed with its contents.
class TempDir {
 public:
  TempDir() {
    std::string pattern = testing::TempDir() + "/sluice-storage-XXXXXX";
    std::vector<char> buf(pattern.begin(), pattern.end());
    buf.push_back('\0');
    char* made = ::mkdtemp(buf.data());
    EXPECT_NE(made, nullptr);
    path_ = made ? made : "";
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }
  std::string Join(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

inline uint64_t FileSize(const std::string& path) {
  struct stat st;
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return static_cast<uint64_t>(st.st_size);
}

inline void FlipByte(const std::string& path, uint64_t position) {
  int fd = ::open(path.c_str(), O_RDWR);
  ASSERT_GE(fd, 0) << path;
  unsigned char b = 0;
  ASSERT_EQ(::pread(fd, &b, 1, static_cast<off_t>(position)), 1);
  b ^= 0x40;
  ASSERT_EQ(::pwrite(fd, &b, 1, static_cast<off_t>(position)), 1);
  ::close(fd);
}

inline void TruncateFile(const std::string& path, uint64_t size) {
  ASSERT_EQ(::truncate(path.c_str(), static_cast<off_t>(size)), 0) << path;
}

// Writes `n` zero bytes at `position` (past the end: the file grows).
inline void WriteZeros(const std::string& path, uint64_t position, uint64_t n) {
  int fd = ::open(path.c_str(), O_WRONLY);
  ASSERT_GE(fd, 0) << path;
  std::string zeros(n, '\0');
  ASSERT_EQ(::pwrite(fd, zeros.data(), zeros.size(), static_cast<off_t>(position)), static_cast<ssize_t>(n));
  ::close(fd);
}

inline void WriteGarbage(const std::string& path, const std::string& bytes) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::write(fd, bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
  ::close(fd);
}

// A "crash": copies the directory of a log still open (the copy holds what
// reached the OS, and no index written by Close()). Returns `to`.
inline std::string CrashCopy(const std::string& from, const std::string& to) {
  std::filesystem::copy(from, to, std::filesystem::copy_options::recursive);
  return to;
}

inline std::string SegmentPath(const std::string& dir, uint64_t base, const char* suffix = ".log") {
  char name[32];
  std::snprintf(name, sizeof(name), "%020llu", static_cast<unsigned long long>(base));
  return dir + "/" + name + suffix;
}

// Deterministic record contents, so any read can be checked.
inline std::string KeyFor(uint64_t offset) { return "key-" + std::to_string(offset); }
inline std::string DataFor(uint64_t offset, size_t size = 100) {
  std::string d(size, '\0');
  for (size_t i = 0; i < size; ++i) d[i] = static_cast<char>('a' + (offset * 7 + i) % 26);
  return d;
}

// One batch of 500 records (offsets 0..499's contents), the PutRecords maximum.
struct FiveHundredRecords {
  FiveHundredRecords() {
    for (uint64_t i = 0; i < 500; ++i) {
      keys.push_back(KeyFor(i));
      datas.push_back(DataFor(i));
    }
    for (size_t i = 0; i < 500; ++i) entries.push_back({keys[i], datas[i]});
  }
  std::vector<std::string> keys, datas;
  std::vector<AppendEntry> entries;  // views into keys and datas
  FiveHundredRecords(const FiveHundredRecords&) = delete;
  FiveHundredRecords& operator=(const FiveHundredRecords&) = delete;
};

// Appends `count` records in batches of `batch`, at arrival `arrival_ms`
// (+1 per batch when `tick`); checks offsets are dense.
inline void AppendRecords(ShardLog* log, uint64_t count, size_t batch, int64_t arrival_ms, bool tick = false,
                          size_t data_size = 100) {
  std::vector<std::string> keys, datas;
  std::vector<AppendEntry> entries;
  uint64_t next = log->EndOffset();
  for (uint64_t done = 0; done < count;) {
    size_t n = static_cast<size_t>(std::min<uint64_t>(batch, count - done));
    keys.clear();
    datas.clear();
    entries.clear();
    for (size_t i = 0; i < n; ++i) {
      keys.push_back(KeyFor(next + i));
      datas.push_back(DataFor(next + i, data_size));
    }
    for (size_t i = 0; i < n; ++i) entries.push_back({keys[i], datas[i]});
    auto first = log->Append(entries, arrival_ms);
    ASSERT_TRUE(first.ok()) << first.status().ToString();
    ASSERT_EQ(*first, next);
    next += n;
    done += n;
    if (tick) ++arrival_ms;
  }
}

// Appends one batch of `count` records of 100 bytes, keyed "k" (contents not
// checked by ReadAllAndCheck); returns what Append() returns.
inline Result<uint64_t> AppendBatch(ShardLog* log, size_t count, int64_t arrival_ms = 1000) {
  std::vector<std::string> keys(count, "k"), datas(count, std::string(100, 'x'));
  std::vector<AppendEntry> entries;
  for (size_t i = 0; i < count; ++i) entries.push_back({keys[i], datas[i]});
  return log->Append(entries, arrival_ms);
}

// Appends checked records until the active segment is within 2 KiB of
// `segment_max_bytes`, so that a batch of ~20 records or more needs a roll.
inline void FillToJustBelowARoll(ShardLog* log, uint64_t segment_max_bytes) {
  while (log->SizeBytes() + 2048 < segment_max_bytes) AppendRecords(log, 4, 4, 1000);
}

// Makes everything appended so far durable, hence visible to readers, on a
// log opened without a flusher (kFsync then syncs inline, on this thread).
inline void SyncInline(ShardLog* log) {
  bool done = false;
  log->WhenDurable(log->EndOffset(), [&](Status s) {
    EXPECT_TRUE(s.ok()) << s.ToString();
    done = true;
  });
  EXPECT_TRUE(done);
}

// Reads everything from `from` and checks every record's contents.
inline uint64_t ReadAllAndCheck(const ShardLog& log, uint64_t from, size_t data_size = 100) {
  uint64_t expected = from;
  while (expected < log.EndOffset()) {
    auto r = log.Read(expected, 1000, 1 << 20);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    if (!r.ok() || r->records.empty()) break;
    for (const StoredRecord& rec : r->records) {
      EXPECT_EQ(rec.offset, expected);
      EXPECT_EQ(rec.partition_key, KeyFor(expected));
      EXPECT_EQ(rec.data, DataFor(expected, data_size));
      ++expected;
    }
    EXPECT_EQ(r->next_offset, expected);
  }
  return expected;
}

// Opens the log in `dir` (checked); null when that fails.
inline std::unique_ptr<ShardLog> OpenLog(const std::string& dir, const LogOptions& options,
                                         Flusher* flusher = nullptr) {
  auto log = ShardLog::Open(dir, options, flusher);
  EXPECT_TRUE(log.ok()) << log.status().ToString();
  return log.ok() ? std::move(log).value() : nullptr;
}

// Base offsets of the log's segment files in `dir`, in order.
inline std::vector<uint64_t> SegmentBases(const std::string& dir) {
  std::vector<uint64_t> bases;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (name.ends_with(".log")) bases.push_back(std::stoull(name.substr(0, 20)));
  }
  std::sort(bases.begin(), bases.end());
  return bases;
}

// A cut of the log (TruncateTo, ResetTo) and then a power loss: 300 records
// of 100 bytes appended and synced, `cut` run, then new records told apart
// by their 50-byte data: 3 synced, then 30 of which only what a roll synced
// survives the power. Returns the log reopened once the power is back, and
// the end that was durable before it went.
template <typename Cut>
std::pair<std::unique_ptr<ShardLog>, uint64_t> CutThenPowerLoss(const std::string& dir, FaultInjectionEnv& env,
                                                                const LogOptions& options, Cut cut) {
  uint64_t durable = 0;
  {
    auto log = OpenLog(dir, options);
    AppendRecords(log.get(), 300, 9, 1000);
    SyncInline(log.get());
    cut(*log);
    AppendRecords(log.get(), 3, 3, 2000, false, 50);
    SyncInline(log.get());
    AppendRecords(log.get(), 30, 3, 2000, false, 50);
    durable = log->VisibleEndOffset();
    env.SetPowerOn(false);
  }
  EXPECT_TRUE(env.DropUnsyncedData().ok());
  env.SetPowerOn(true);
  return {OpenLog(dir, options), durable};
}

}  // namespace sluice::storage::testutil
