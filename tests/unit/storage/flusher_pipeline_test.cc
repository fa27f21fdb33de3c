// The Flusher's pipeline: the next sync starts while the last round's
// answers are still being written, yet no request is answered before the
// fdatasync that covers it returned, and a failed sync fails every request
// it covered. Syncs are held at a gate (GatedEnv) to fix the interleaving;
// the files and the fdatasyncs are real.
#include <gtest/gtest.h>

#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <mutex>
#include <string>
#include <vector>

#include "storage/shard_log.h"
#include "storage_test_util.h"

namespace sluice::storage {
namespace {

using testutil::AppendRecords;
using testutil::TempDir;
using testutil::WaitFor;

// Env::Default() whose Sync() calls, once Hold() was called, wait at a gate
// until the test lets them through one by one; the sync numbered
// `fail_at` (counted from Hold()) fails with EIO instead of syncing.
class GatedEnv final : public testutil::ForwardingEnv {
 public:
  void Hold(int fail_at = 0) {
    std::lock_guard lock(mu_);
    holding_ = true;
    entered_ = allowed_ = 0;
    fail_at_ = fail_at;
  }
  // Lets the next held sync proceed.
  void ReleaseOne() {
    std::lock_guard lock(mu_);
    ++allowed_;
    cv_.notify_all();
  }
  // Lets every sync through from now on.
  void Open() {
    std::lock_guard lock(mu_);
    holding_ = false;
    allowed_ = entered_;
    cv_.notify_all();
  }
  // Syncs that reached the gate since Hold().
  int Entered() const {
    std::lock_guard lock(mu_);
    return entered_;
  }

  Status Sync(int fd, const std::string& path) override {
    int number = 0;
    {
      std::unique_lock lock(mu_);
      if (holding_) {
        number = ++entered_;
        cv_.wait(lock, [&] { return allowed_ >= number; });
      }
    }
    if (number != 0 && number == fail_at_) return Status::IoError("fdatasync " + path + ": injected EIO");
    return base_->Sync(fd, path);
  }

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool holding_ = false;
  int entered_ = 0;
  int allowed_ = 0;
  int fail_at_ = 0;
};

// One request's answer, as its callback saw it.
struct Answer {
  std::atomic<bool> done{false};
  std::atomic<bool> ok{false};
  std::atomic<int> order{0};  // 1 for the first answer of the test, 2 for the next, ...
};

class FlusherPipelineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    LogOptions o;
    o.durability = Durability::kFsync;
    // The first sync pads the segment to its full size: no padding sync
    // (which would also meet the gate) comes later.
    o.segment_max_bytes = 64 << 10;
    o.env = &env_;
    log_ = std::move(ShardLog::Open(dir_.path(), o, &flusher_).value());
    flusher_.Start();
    // Two rounds: the syncer pads after handing a round over, so the
    // second round's answer means the first round's padding is done.
    for (int i = 0; i < 2; ++i) {
      AppendRecords(log_.get(), 1, 10, 0);
      Answer warmup;
      Wait(&warmup);
      ASSERT_TRUE(WaitFor([&] { return warmup.done.load(); }));
    }
    answered_ = 0;
  }

  // A test that failed half-way may have left syncs at the gate.
  void TearDown() override { env_.Open(); }

  // Appends one record and asks to be told once it is durable.
  void AppendAndWait(Answer* answer) {
    AppendRecords(log_.get(), 1, 10, 1);
    Wait(answer);
  }
  void Wait(Answer* answer) {
    log_->WhenDurable(log_->EndOffset(), [this, answer](Status s) {
      answer->ok = s.ok();
      answer->order = ++answered_;
      answer->done = true;
    });
  }

  TempDir dir_;
  GatedEnv env_;
  Flusher flusher_;
  std::unique_ptr<ShardLog> log_;
  std::atomic<int> answered_{0};
};

TEST_F(FlusherPipelineTest, ARequestQueuedDuringASyncIsAnsweredOnlyAfterTheNextSync) {
  env_.Hold();
  Answer first, second;
  AppendAndWait(&first);
  ASSERT_TRUE(WaitFor([&] { return env_.Entered() == 1; }));
  AppendAndWait(&second);  // written while the first sync runs: not covered by it
  env_.ReleaseOne();
  ASSERT_TRUE(WaitFor([&] { return first.done.load(); }));
  EXPECT_TRUE(first.ok);
  // The next sync starts at once with what was queued, and holds its answer.
  ASSERT_TRUE(WaitFor([&] { return env_.Entered() == 2; }));
  EXPECT_FALSE(second.done);
  EXPECT_LT(log_->VisibleEndOffset(), log_->EndOffset());
  env_.ReleaseOne();
  ASSERT_TRUE(WaitFor([&] { return second.done.load(); }));
  EXPECT_TRUE(second.ok);
  EXPECT_EQ(log_->VisibleEndOffset(), log_->EndOffset());
  EXPECT_EQ(flusher_.RoundCount(), 4u);  // two warm-ups, then one per sync
}

TEST_F(FlusherPipelineTest, TheNextSyncStartsWhileTheLastRoundIsStillBeingAnswered) {
  env_.Hold();
  std::atomic<bool> in_callback{false};
  std::atomic<bool> let_go{false};
  AppendRecords(log_.get(), 1, 10, 1);
  log_->WhenDurable(log_->EndOffset(), [&](Status) {
    in_callback = true;
    while (!let_go) std::this_thread::yield();  // a slow answer (a long encode)
  });
  env_.ReleaseOne();
  ASSERT_TRUE(WaitFor([&] { return in_callback.load(); }));
  Answer second;
  AppendAndWait(&second);
  // The disk is not left idle while the first round is answered.
  EXPECT_TRUE(WaitFor([&] { return env_.Entered() == 2; }));
  env_.ReleaseOne();
  let_go = true;
  ASSERT_TRUE(WaitFor([&] { return second.done.load(); }));
  EXPECT_TRUE(second.ok);
}

TEST_F(FlusherPipelineTest, AFailedSyncFailsEveryRequestItCoveredAndNoneBefore) {
  env_.Hold(/*fail_at=*/2);
  Answer first, second, third;
  AppendAndWait(&first);
  ASSERT_TRUE(WaitFor([&] { return env_.Entered() == 1; }));
  AppendAndWait(&second);  // both ride the second sync, which fails
  AppendAndWait(&third);
  env_.ReleaseOne();
  env_.ReleaseOne();
  ASSERT_TRUE(WaitFor([&] { return second.done.load() && third.done.load(); }));
  EXPECT_TRUE(first.done);
  EXPECT_TRUE(first.ok);
  EXPECT_EQ(first.order, 1);
  EXPECT_FALSE(second.ok);
  EXPECT_FALSE(third.ok);
  EXPECT_EQ(log_->VisibleEndOffset(), 3u);  // the warm-ups' records and the first
  // The log stays failed: a later request is refused without a sync.
  Answer later;
  Wait(&later);
  env_.ReleaseOne();
  ASSERT_TRUE(WaitFor([&] { return later.done.load(); }));
  EXPECT_FALSE(later.ok);
}

}  // namespace
}  // namespace sluice::storage
