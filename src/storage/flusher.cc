// Flusher: group commit for kFsync logs.
//
// Like leveldb's DBImpl::Write, whoever arrives while a sync is in progress
// waits for the next round, and one round syncs each dirty log once for
// every request queued before it started.
//
// Two threads, so that the disk is never idle while requests wait: the
// syncer only syncs, then hands the round to the completer and starts the
// next round at once with everything queued meanwhile; the completer runs
// the round's callbacks (which encode the answers) while that sync runs.
// Rounds complete in the order they were synced. Every file operation of the
// flusher (syncs, padding, idle cuts) runs on the syncer, one at a time.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
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
  // A synced round: its requests and the result of each log's sync. Shared
  // by the completer (answers) and the syncer (padding); the last to let go
  // ends the requests' waits, after which a log may be closed and freed.
  struct Round {
    std::vector<Request> requests;
    std::unordered_map<ShardLog::Impl*, Status> results;
    ~Round() {
      for (Request& r : requests) r.first->EndWaiter();
    }
  };

  explicit State(FlusherOptions o) : options(o) {}
  const FlusherOptions options;

  std::mutex mu;
  std::condition_variable cv;                 // the syncer: queue non-empty, stopping (or idle check)
  std::condition_variable synced_cv;          // the completer: a round synced, or the syncer exited
  std::vector<Request> queue;                 // guarded by mu
  std::deque<std::shared_ptr<Round>> synced;  // rounds awaiting completion; guarded by mu
  bool running = false;                       // threads started; guarded by mu
  bool stopping = false;                      // the syncer should exit; guarded by mu
  bool syncer_done = false;                   // the syncer exited: no more rounds; guarded by mu
  bool stopped = false;                       // Stop() ran: Enqueue syncs inline; guarded by mu
  // Logs whose active segment is padded, by when a round last synced them
  // (MonotonicNanos); guarded by mu. Closing logs Forget() themselves.
  std::unordered_map<ShardLog::Impl*, int64_t> padded;
  int64_t next_idle_check = 0;  // guarded by mu
  std::thread syncer;
  std::thread completer;
  std::atomic<uint64_t> syncs{0};
  std::atomic<uint64_t> rounds{0};
  std::atomic<uint64_t> padding_cuts{0};
  AtomicHistogram sync_micros{AtomicHistogram::LatencyMicrosBounds()};
  AtomicHistogram batch_sizes{1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 4096};

  // Syncs each distinct log of `requests` once. No callback runs here.
  std::shared_ptr<Round> Sync(std::vector<Request>& requests) {
    auto round = std::make_shared<Round>();
    round->requests.swap(requests);
    // Logs created by their first append in this round share the sync of
    // their parent directory (a stream's folder for its shards).
    SyncedDirs dirs;
    for (const Request& r : round->requests) {
      auto [it, inserted] = round->results.try_emplace(r.first);
      if (!inserted) continue;
      bool synced_now = false;
      const int64_t started = MonotonicNanos();
      it->second = r.first->SyncDirty(&synced_now, &dirs);
      if (synced_now) {
        syncs.fetch_add(1, std::memory_order_relaxed);
        sync_micros.Observe(static_cast<uint64_t>(MonotonicNanos() - started) / 1000);
      }
    }
    rounds.fetch_add(1, std::memory_order_relaxed);
    batch_sizes.Observe(round->requests.size());
    return round;
  }

  // Answers a synced round: every request gets its log's sync result, so a
  // failed sync fails every request of that log in the round.
  static void Complete(Round& round) {
    for (Request& r : round.requests) r.second(round.results[r.first]);
  }

  // Tops up the zero padding of the round's logs and notes when each padded
  // one was last synced, for the idle cut. The caller holds `round`, so its
  // logs cannot close meanwhile. On the syncer only, never beside a sync: a
  // failed fdatasync of the padding is then seen by the next sync of that
  // log (segment_file.cc), not lost between two threads.
  void Pad(const Round& round) {
    std::vector<ShardLog::Impl*> padded_logs;
    for (const auto& entry : round.results) {
      if (entry.first->PadActiveSegment()) padded_logs.push_back(entry.first);
    }
    if (padded_logs.empty()) return;
    const int64_t now = MonotonicNanos();
    std::lock_guard<std::mutex> lock(mu);
    for (ShardLog::Impl* log : padded_logs) padded[log] = now;
  }

  // One round inline on the caller's thread (before Start() or after Stop()).
  void RunInline(std::vector<Request>& requests) {
    std::shared_ptr<Round> round = Sync(requests);
    Complete(*round);
    Pad(*round);
  }

  int64_t IdleNanos() const { return std::max<int64_t>(options.idle_padding_ms, 1) * 1'000'000; }

  // Cuts the padding of the logs no round has synced for IdleNanos(). Each
  // is registered as a waiter while in use, so that it cannot close
  // meanwhile. On the syncer between two rounds, so a cut never runs beside
  // a sync or a padding write. Called with `lock` (on mu) held; releases it
  // while cutting.
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
      Result<bool> cut = log->CutIdlePadding();  // a failure is logged by the log
      if (cut.ok() && *cut) padding_cuts.fetch_add(1, std::memory_order_relaxed);
      log->EndWaiter();  // may free the log
    }
    lock.lock();
  }

  void SyncLoop() {
    std::vector<Request> batch;
    std::unique_lock<std::mutex> lock(mu);
    while (true) {
      auto ready = [&] { return !queue.empty() || stopping; };
      if (padded.empty()) {
        cv.wait(lock, ready);
      } else {
        cv.wait_for(lock, std::chrono::nanoseconds(std::max<int64_t>(next_idle_check - MonotonicNanos(), 0)), ready);
      }
      if (queue.empty() && stopping) break;  // everything synced
      if (!padded.empty() && MonotonicNanos() >= next_idle_check) CutIdlePadding(lock);
      if (queue.empty()) continue;
      batch.swap(queue);
      lock.unlock();
      std::shared_ptr<Round> round = Sync(batch);
      lock.lock();
      synced.push_back(round);
      lock.unlock();
      synced_cv.notify_one();
      // Padding (rarely any work) delays the next sync, not these answers.
      Pad(*round);
      round.reset();
      lock.lock();
    }
    syncer_done = true;
    lock.unlock();
    synced_cv.notify_one();
  }

  void CompleteLoop() {
    std::unique_lock<std::mutex> lock(mu);
    while (true) {
      synced_cv.wait(lock, [&] { return !synced.empty() || syncer_done; });
      if (synced.empty()) break;  // the syncer exited and every round is answered
      std::shared_ptr<Round> round = std::move(synced.front());
      synced.pop_front();
      lock.unlock();
      Complete(*round);
      round.reset();
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
  state_->syncer = std::thread([s = state_.get()] { s->SyncLoop(); });
  state_->completer = std::thread([s = state_.get()] { s->CompleteLoop(); });
}

void Flusher::Stop() {
  std::vector<State::Request> leftover;
  bool running = false;
  {
    std::lock_guard<std::mutex> lock(state_->mu);
    if (state_->stopped) return;
    state_->stopped = true;
    state_->stopping = true;
    running = state_->running;
    if (!running) leftover.swap(state_->queue);  // never started: complete them here
  }
  state_->cv.notify_all();
  if (running) {
    // The syncer drains the queue and exits; the completer then answers
    // every round it handed over and exits.
    state_->syncer.join();
    state_->completer.join();
  }
  if (!leftover.empty()) state_->RunInline(leftover);
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
  state_->RunInline(batch);
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
