// Flusher: group commit for kFsync logs.
//
// Like leveldb's DBImpl::Write, whoever arrives while a sync is in progress
// waits for the next round, and one round syncs each dirty log once for
// every request queued before it started.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "storage/shard_log.h"
#include "storage/shard_log_impl.h"
#include "util/atomic_histogram.h"
#include "util/clock.h"

namespace sluice::storage {

struct Flusher::State {
  using Request = std::pair<ShardLog::Impl*, std::function<void(Status)>>;

  explicit State(FlusherOptions o) : options(o) {}
  const FlusherOptions options;

  std::mutex mu;
  std::condition_variable cv;
  std::vector<Request> queue;  // guarded by mu
  bool running = false;        // thread started; guarded by mu
  bool stopping = false;       // the thread should exit; guarded by mu
  bool stopped = false;        // Stop() ran: Enqueue syncs inline; guarded by mu
  // Logs whose active segment is padded, by when a round last synced them
  // (MonotonicNanos); guarded by mu. Closing logs Forget() themselves.
  std::unordered_map<ShardLog::Impl*, int64_t> padded;
  int64_t next_idle_check = 0;  // guarded by mu
  std::thread thread;
  std::atomic<uint64_t> syncs{0};
  std::atomic<uint64_t> rounds{0};
  std::atomic<uint64_t> padding_cuts{0};
  AtomicHistogram sync_micros{AtomicHistogram::LatencyMicrosBounds()};
  AtomicHistogram batch_sizes{1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 4096};

  // Syncs each distinct log of `batch` once, then completes its requests.
  void RunRound(std::vector<Request>& batch) {
    std::unordered_map<ShardLog::Impl*, Status> results;
    for (const Request& r : batch) {
      auto [it, inserted] = results.try_emplace(r.first);
      if (!inserted) continue;
      bool synced = false;
      const int64_t started = MonotonicNanos();
      it->second = r.first->SyncDirty(&synced);
      if (synced) {
        syncs.fetch_add(1, std::memory_order_relaxed);
        sync_micros.Observe(static_cast<uint64_t>(MonotonicNanos() - started) / 1000);
      }
    }
    rounds.fetch_add(1, std::memory_order_relaxed);
    batch_sizes.Observe(batch.size());
    for (Request& r : batch) r.second(results[r.first]);
    // Zero padding is written once the round's requests are answered, so a
    // chunk of it (rare) delays only the next round, never an append.
    std::vector<ShardLog::Impl*> padded_logs;
    for (const auto& entry : results) {
      if (entry.first->PadActiveSegment()) padded_logs.push_back(entry.first);
    }
    if (!padded_logs.empty()) {
      const int64_t now = MonotonicNanos();
      std::lock_guard<std::mutex> lock(mu);
      for (ShardLog::Impl* log : padded_logs) padded[log] = now;
    }
    for (Request& r : batch) r.first->EndWaiter();  // may free the log: touch it no more
    batch.clear();
  }

  int64_t IdleNanos() const { return std::max<int64_t>(options.idle_padding_ms, 1) * 1'000'000; }

  // Cuts the padding of the logs no round has synced for IdleNanos(). Each
  // is registered as a waiter while in use, so that it cannot close
  // meanwhile. Called with `lock` (on mu) held; releases it while cutting.
  void CutIdlePadding(std::unique_lock<std::mutex>& lock) {
    const int64_t now = MonotonicNanos();
    next_idle_check = now + IdleNanos() / 2;
    std::vector<ShardLog::Impl*> idle;
    for (auto it = padded.begin(); it != padded.end();) {
      if (now - it->second < IdleNanos()) {
        ++it;
        continue;
      }
      if (it->first->BeginWaiter()) idle.push_back(it->first);
      it = padded.erase(it);
    }
    if (idle.empty()) return;
    lock.unlock();
    for (ShardLog::Impl* log : idle) {
      if (log->CutIdlePadding().ok()) padding_cuts.fetch_add(1, std::memory_order_relaxed);
      log->EndWaiter();  // may free the log
    }
    lock.lock();
  }

  void Loop() {
    std::vector<Request> batch;
    std::unique_lock<std::mutex> lock(mu);
    while (true) {
      auto ready = [&] { return !queue.empty() || stopping; };
      if (padded.empty()) {
        cv.wait(lock, ready);
      } else {
        cv.wait_for(lock, std::chrono::nanoseconds(std::max<int64_t>(next_idle_check - MonotonicNanos(), 0)), ready);
      }
      if (queue.empty() && stopping) break;  // everything completed
      if (!padded.empty() && MonotonicNanos() >= next_idle_check) CutIdlePadding(lock);
      if (queue.empty()) continue;
      batch.swap(queue);
      lock.unlock();
      RunRound(batch);
      lock.lock();
    }
  }
};

Flusher::Flusher(FlusherOptions options) : state_(std::make_unique<State>(options)) {}

Flusher::~Flusher() { Stop(); }

void Flusher::Start() {
  std::lock_guard<std::mutex> lock(state_->mu);
  if (state_->running || state_->stopped) return;
  state_->running = true;
  state_->thread = std::thread([s = state_.get()] { s->Loop(); });
}

void Flusher::Stop() {
  std::thread thread;
  std::vector<State::Request> leftover;
  {
    std::lock_guard<std::mutex> lock(state_->mu);
    if (state_->stopped) return;
    state_->stopped = true;
    state_->stopping = true;
    if (state_->running) {
      thread = std::move(state_->thread);
    } else {
      leftover.swap(state_->queue);  // never started: complete them here
    }
  }
  state_->cv.notify_all();
  if (thread.joinable()) thread.join();
  if (!leftover.empty()) state_->RunRound(leftover);
}

void Flusher::Enqueue(ShardLog::Impl* log, std::function<void(Status)> done) {
  {
    std::lock_guard<std::mutex> lock(state_->mu);
    if (!state_->stopped) {
      state_->queue.emplace_back(log, std::move(done));
      if (state_->queue.size() == 1) state_->cv.notify_one();
      return;
    }
  }
  // Stopped: sync on the caller's thread.
  std::vector<State::Request> batch;
  batch.emplace_back(log, std::move(done));
  state_->RunRound(batch);
}

void Flusher::Forget(ShardLog::Impl* log) {
  std::lock_guard<std::mutex> lock(state_->mu);
  state_->padded.erase(log);
}

uint64_t Flusher::PaddingCutCount() const { return state_->padding_cuts.load(std::memory_order_relaxed); }
uint64_t Flusher::SyncCount() const { return state_->syncs.load(std::memory_order_relaxed); }
uint64_t Flusher::RoundCount() const { return state_->rounds.load(std::memory_order_relaxed); }
HistogramSnapshot Flusher::SyncMicros() const { return state_->sync_micros.Read(); }
HistogramSnapshot Flusher::BatchSizes() const { return state_->batch_sizes.Read(); }

}  // namespace sluice::storage
