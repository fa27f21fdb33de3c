// Flusher: group commit for kFsync logs.
//
// Like leveldb's DBImpl::Write, whoever arrives while a sync is in progress
// waits for the next round, and one round syncs each dirty log once for
// every request queued before it started.
#include <algorithm>
#include <atomic>
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

  std::mutex mu;
  std::condition_variable cv;
  std::vector<Request> queue;  // guarded by mu
  bool running = false;        // thread started; guarded by mu
  bool stopping = false;       // the thread should exit; guarded by mu
  bool stopped = false;        // Stop() ran: Enqueue syncs inline; guarded by mu
  std::thread thread;
  std::atomic<uint64_t> syncs{0};
  std::atomic<uint64_t> rounds{0};
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
    for (const auto& entry : results) entry.first->PadActiveSegment();
    for (Request& r : batch) r.first->EndWaiter();  // may free the log: touch it no more
    batch.clear();
  }

  void Loop() {
    std::vector<Request> batch;
    std::unique_lock<std::mutex> lock(mu);
    while (true) {
      cv.wait(lock, [&] { return !queue.empty() || stopping; });
      if (queue.empty()) break;  // stopping, and everything completed
      batch.swap(queue);
      lock.unlock();
      RunRound(batch);
      lock.lock();
    }
  }
};

Flusher::Flusher() : state_(std::make_unique<State>()) {}

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

uint64_t Flusher::SyncCount() const { return state_->syncs.load(std::memory_order_relaxed); }
uint64_t Flusher::RoundCount() const { return state_->rounds.load(std::memory_order_relaxed); }
HistogramSnapshot Flusher::SyncMicros() const { return state_->sync_micros.Read(); }
HistogramSnapshot Flusher::BatchSizes() const { return state_->batch_sizes.Read(); }

}  // namespace sluice::storage
