// Test helpers for streamed responses: a StreamProbe records what the server
// does with one StreamingBody (on_start's writer, on_drain and on_close
// counts) and can run a producer thread that honours back-pressure.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include "server/http_types.h"

namespace sluice::server::testing {

// FNV-1a, to compare large bodies without keeping a second copy.
inline uint64_t Fnv1a(std::string_view s, uint64_t h = 1469598103934665603ull) {
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
  return h;
}

// A body byte that depends on its offset, so a lost, doubled or reordered
// piece changes the checksum.
inline char PatternByte(uint64_t offset) { return static_cast<char>((offset * 131) ^ (offset >> 13)); }

inline std::string PatternPiece(uint64_t offset, size_t size) {
  std::string piece(size, '\0');
  for (size_t i = 0; i < size; ++i) piece[i] = PatternByte(offset + i);
  return piece;
}

class StreamProbe {
 public:
  ~StreamProbe() { JoinProducer(); }

  std::shared_ptr<StreamingBody> MakeBody(size_t drain_threshold) {
    auto body = std::make_shared<StreamingBody>();
    body->drain_threshold = drain_threshold;
    threshold_ = drain_threshold;
    // The callbacks hold the probe weakly: the probe owns the producer
    // thread, and the server may keep the body after the test dropped it.
    std::weak_ptr<StreamProbe> weak = self_;
    body->on_start = [weak](std::shared_ptr<BodyWriter> writer) {
      if (auto probe = weak.lock()) probe->Started(std::move(writer));
    };
    body->on_drain = [weak] {
      if (auto probe = weak.lock()) probe->Bump(&probe->drains_);
    };
    body->on_close = [weak] {
      if (auto probe = weak.lock()) probe->Bump(&probe->closes_);
    };
    return body;
  }

  static std::shared_ptr<StreamProbe> Create() {
    auto probe = std::shared_ptr<StreamProbe>(new StreamProbe());
    probe->self_ = probe;
    return probe;
  }

  // `hook` runs on the loop thread inside on_start, after the writer was
  // recorded.
  void SetStartHook(std::function<void(const std::shared_ptr<BodyWriter>&)> hook) {
    std::lock_guard lock(mu_);
    start_hook_ = std::move(hook);
  }

  std::shared_ptr<BodyWriter> writer() {
    std::lock_guard lock(mu_);
    return writer_;
  }
  int starts() const { return starts_.load(); }
  int drains() const { return drains_.load(); }
  int closes() const { return closes_.load(); }

  // Starts `produce(writer)` on a thread of its own (joined by JoinProducer).
  void RunProducer(std::function<void(std::shared_ptr<BodyWriter>)> produce) {
    producer_ = std::thread([this, produce = std::move(produce)] { produce(writer()); });
  }
  void JoinProducer() {
    if (producer_.joinable()) producer_.join();
  }

  // Writes `total` pattern bytes in `piece`-byte pieces, waiting for
  // on_drain whenever BufferedBytes() reached the drain threshold, then
  // finishes. Returns the bytes accepted; stops early if the stream closes
  // or no on_drain comes within `wait_ms`.
  uint64_t ProduceWithBackPressure(BodyWriter& writer, uint64_t total, size_t piece, int64_t wait_ms = 60000) {
    uint64_t written = 0;
    while (written < total) {
      {
        std::unique_lock lock(mu_);
        int seen = drains_.load();
        if (writer.BufferedBytes() >= threshold_) {
          ++waits_;
          // on_drain is owed once the buffer reached the threshold; it may
          // already have come (drains_ > seen).
          bool drained = cv_.wait_for(lock, std::chrono::milliseconds(wait_ms),
                                      [&] { return drains_.load() > seen || closes_.load() > 0; });
          if (!drained || closes_.load() > 0) return written;
        }
      }
      size_t n = total - written < piece ? static_cast<size_t>(total - written) : piece;
      if (!writer.Write(PatternPiece(written, n))) return written;
      written += n;
    }
    writer.Finish();
    return written;
  }
  // How often ProduceWithBackPressure had to wait for on_drain.
  int waits() const { return waits_.load(); }

 private:
  StreamProbe() = default;

  void Started(std::shared_ptr<BodyWriter> writer) {
    std::function<void(const std::shared_ptr<BodyWriter>&)> hook;
    {
      std::lock_guard lock(mu_);
      writer_ = writer;
      hook = start_hook_;
    }
    ++starts_;
    if (hook) hook(writer);
  }
  void Bump(std::atomic<int>* counter) {
    std::lock_guard lock(mu_);
    ++*counter;
    cv_.notify_all();
  }

  std::weak_ptr<StreamProbe> self_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::shared_ptr<BodyWriter> writer_;
  std::function<void(const std::shared_ptr<BodyWriter>&)> start_hook_;
  std::atomic<size_t> threshold_{0};
  std::atomic<int> starts_{0};
  std::atomic<int> drains_{0};
  std::atomic<int> closes_{0};
  std::atomic<int> waits_{0};
  std::thread producer_;
};

}  // namespace sluice::server::testing
