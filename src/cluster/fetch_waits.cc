#include "cluster/fetch_waits.h"

#include <algorithm>
#include <chrono>
#include <limits>

#include "util/clock.h"

namespace sluice::cluster {

FetchWaits::FetchWaits() : thread_([this] { Loop(); }) {}

FetchWaits::~FetchWaits() { Stop(); }

uint64_t FetchWaits::Generation(const ShardId& shard) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = generations_.find(shard);
  return it == generations_.end() ? 0 : it->second;
}

void FetchWaits::Park(const ShardId& shard, uint64_t generation, int64_t deadline_ms, Retry retry) {
  {
    std::unique_lock<std::mutex> lock(mu_);
    if (!stopping_) {
      auto gen = generations_.find(shard);
      parked_[shard].push_back(Parked{deadline_ms, std::move(retry)});
      if (gen != generations_.end() && gen->second != generation) woken_.push_back(shard);
      lock.unlock();
      changed_.notify_one();
      return;
    }
  }
  retry(/*last=*/true);
}

void FetchWaits::Wake(const ShardId& shard) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++generations_[shard];
    if (parked_.count(shard) == 0) return;
    woken_.push_back(shard);
  }
  changed_.notify_one();
}

void FetchWaits::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  changed_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void FetchWaits::Loop() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    // What to run: the woken shards' fetches, and every fetch whose wait is over.
    const int64_t now = MonotonicMillis();
    std::vector<std::pair<ShardId, Parked>> due;
    std::vector<ShardId> woken;
    woken.swap(woken_);
    std::sort(woken.begin(), woken.end());
    woken.erase(std::unique(woken.begin(), woken.end()), woken.end());
    int64_t next_deadline = std::numeric_limits<int64_t>::max();
    for (auto it = parked_.begin(); it != parked_.end();) {
      const bool wake = stopping_ || std::binary_search(woken.begin(), woken.end(), it->first);
      std::vector<Parked>& list = it->second;
      for (auto p = list.begin(); p != list.end();) {
        if (wake || p->deadline_ms <= now) {
          due.emplace_back(it->first, std::move(*p));
          p = list.erase(p);
        } else {
          next_deadline = std::min(next_deadline, p->deadline_ms);
          ++p;
        }
      }
      it = list.empty() ? parked_.erase(it) : std::next(it);
    }
    const bool stopping = stopping_;
    if (!due.empty()) {
      lock.unlock();
      for (auto& [shard, parked] : due) {
        const bool last = stopping || parked.deadline_ms <= MonotonicMillis();
        const uint64_t generation = Generation(shard);
        if (!parked.retry(last)) Park(shard, generation, parked.deadline_ms, std::move(parked.retry));
      }
      lock.lock();
      continue;
    }
    if (stopping) return;
    if (!woken_.empty()) continue;
    if (next_deadline == std::numeric_limits<int64_t>::max()) {
      changed_.wait(lock, [this] { return stopping_ || !woken_.empty() || !parked_.empty(); });
    } else {
      changed_.wait_for(lock, std::chrono::milliseconds(std::max<int64_t>(1, next_deadline - now)),
                        [this] { return stopping_ || !woken_.empty(); });
    }
  }
}

}  // namespace sluice::cluster
