#include "client/producer.h"

#include <algorithm>
#include <chrono>
#include <unordered_set>

#include "util/clock.h"

namespace sluice::client {
namespace {

constexpr size_t kMaxPartitionKeyChars = 256;

// Unicode characters of UTF-8 text (bytes that do not continue a sequence).
size_t CodePoints(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

// A request refused as a whole for what one of its records holds (too large,
// a bad explicit hash key): the others should not fail with it.
bool RefusedForARecord(const Error& e) {
  return e.type == "ValidationException" || e.type == "InvalidArgumentException";
}

bool RetryableEntryError(const std::string& code) {
  return code == "ProvisionedThroughputExceededException" || code == "InternalFailure" ||
         code == "KMSThrottlingException" || code == "ServiceUnavailable";
}

}  // namespace

struct Producer::Pending {
  uint64_t id = 0;
  std::string key;
  std::string data;
  std::promise<Outcome<PutResult>> promise;
  int attempts = 0;    // sends so far
  bool alone = false;  // its request was refused as a whole: send it by itself
  int64_t enqueued_ms = 0;
  int64_t not_before_ms = 0;  // back-off: not sent again before this
  size_t bytes() const { return key.size() + data.size(); }
};

Producer::Producer(std::shared_ptr<Client> client, ProducerOptions options)
    : client_(std::move(client)), options_(std::move(options)) {
  const int threads = std::max(1, options_.in_flight);
  for (int i = 0; i < threads; ++i) senders_.emplace_back([this] { SenderLoop(); });
}

Producer::~Producer() { Close(); }

std::future<Outcome<PutResult>> Producer::Put(std::string partition_key, std::string data) {
  return Enqueue(std::move(partition_key), std::move(data), true);
}

std::future<Outcome<PutResult>> Producer::TryPut(std::string partition_key, std::string data) {
  return Enqueue(std::move(partition_key), std::move(data), false);
}

std::future<Outcome<PutResult>> Producer::Enqueue(std::string key, std::string data, bool block) {
  auto p = std::make_unique<Pending>();
  p->key = std::move(key);
  p->data = std::move(data);
  std::future<Outcome<PutResult>> f = p->promise.get_future();
  if (p->key.empty() || CodePoints(p->key) > kMaxPartitionKeyChars) {
    p->promise.set_value(Error{"ClientError", "the partition key must have 1 to 256 characters", 0});
    return f;
  }
  const size_t bytes = p->bytes();
  std::unique_lock lock(mu_);
  auto fits = [&] { return buffered_bytes_ == 0 || buffered_bytes_ + bytes <= options_.max_buffered_bytes; };
  if (block) {
    room_cv_.wait(lock, [&] { return closing_ || aborted_ || fits(); });
  } else if (!closing_ && !aborted_ && !fits()) {
    p->promise.set_value(Error{"ClientError", "buffer full", 0});
    return f;
  }
  if (aborted_) {
    p->promise.set_value(*aborted_);
    return f;
  }
  if (closing_) {
    p->promise.set_value(Error{"ClientError", "the producer is closed", 0});
    return f;
  }
  p->id = next_id_++;
  p->enqueued_ms = MonotonicMillis();
  outstanding_.insert(p->id);
  buffered_bytes_ += bytes;
  queue_.push_back(std::move(p));
  work_cv_.notify_one();
  return f;
}

void Producer::Flush() {
  std::unique_lock lock(mu_);
  const uint64_t upto = next_id_;
  ++flushing_;
  work_cv_.notify_all();
  done_cv_.wait(lock, [&] { return outstanding_.empty() || *outstanding_.begin() >= upto; });
  --flushing_;
}

void Producer::Close() {
  {
    std::lock_guard lock(mu_);
    if (closed_) return;
    closed_ = true;
    closing_ = true;
  }
  work_cv_.notify_all();
  room_cv_.notify_all();
  for (auto& t : senders_) t.join();
  senders_.clear();
}

void Producer::Abort(Error error) {
  std::lock_guard lock(mu_);
  if (!aborted_) aborted_ = std::move(error);
  FailQueued();
  room_cv_.notify_all();
  work_cv_.notify_all();
}

void Producer::FailQueued() {
  if (!aborted_) return;
  Queue failed = std::move(queue_);
  queue_.clear();
  for (auto& p : failed) Complete(std::move(p), *aborted_);
}

Producer::Stats Producer::stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

size_t Producer::buffered_bytes() const {
  std::lock_guard lock(mu_);
  return buffered_bytes_;
}

int64_t Producer::Backoff(int attempts) {
  int64_t delay = options_.backoff_base_ms;
  for (int i = 1; i < attempts && delay < options_.backoff_max_ms; ++i) delay *= 2;
  delay = std::min(delay, options_.backoff_max_ms);
  // xorshift jitter: between half and all of the delay.
  jitter_state_ ^= jitter_state_ << 13;
  jitter_state_ ^= jitter_state_ >> 7;
  jitter_state_ ^= jitter_state_ << 17;
  const int64_t half = delay / 2;
  return half + (half > 0 ? static_cast<int64_t>(jitter_state_ % static_cast<uint64_t>(half + 1)) : 0);
}

std::vector<std::unique_ptr<Producer::Pending>> Producer::TakeBatch(int64_t now_ms, int64_t* wake_at_ms) {
  *wake_at_ms = 0;
  const bool per_key = options_.ordering == Ordering::kPerKey;
  std::unordered_set<std::string_view> blocked;  // keys whose records wait this round
  std::vector<Queue::iterator> picked;
  size_t bytes = 0;
  bool full = false;
  bool urgent = flushing_ > 0 || closing_;
  int64_t oldest_ms = INT64_MAX;
  for (auto it = queue_.begin(); it != queue_.end(); ++it) {
    Pending& p = **it;
    if (blocked.count(p.key) != 0 || keys_in_flight_.count(p.key) != 0) continue;
    if (p.not_before_ms > now_ms || (p.alone && !picked.empty())) {
      blocked.insert(p.key);
      if (p.not_before_ms > now_ms && (*wake_at_ms == 0 || p.not_before_ms < *wake_at_ms)) {
        *wake_at_ms = p.not_before_ms;
      }
      continue;
    }
    if (!picked.empty() && bytes + p.bytes() > options_.max_batch_bytes) {
      full = true;
      break;
    }
    picked.push_back(it);
    bytes += p.bytes();
    oldest_ms = std::min(oldest_ms, p.enqueued_ms);
    if (p.attempts > 0 || p.alone) urgent = true;  // a retry's back-off already waited
    if (per_key) blocked.insert(p.key);
    if (p.alone || picked.size() >= options_.max_batch_records) {
      full = true;
      break;
    }
  }
  if (picked.empty()) return {};
  const int64_t send_at = oldest_ms + options_.linger_ms;
  if (!full && !urgent && send_at > now_ms) {
    if (*wake_at_ms == 0 || send_at < *wake_at_ms) *wake_at_ms = send_at;
    return {};
  }
  std::vector<std::unique_ptr<Pending>> batch;
  batch.reserve(picked.size());
  for (auto it : picked) {
    ++keys_in_flight_[(*it)->key];
    batch.push_back(std::move(*it));
    queue_.erase(it);
  }
  return batch;
}

void Producer::SenderLoop() {
  std::unique_lock lock(mu_);
  while (true) {
    if (closing_ && queue_.empty()) return;
    int64_t wake_at = 0;
    std::vector<std::unique_ptr<Pending>> batch = TakeBatch(MonotonicMillis(), &wake_at);
    if (batch.empty()) {
      if (wake_at == 0) {
        work_cv_.wait(lock);
      } else {
        work_cv_.wait_for(lock, std::chrono::milliseconds(std::max<int64_t>(1, wake_at - MonotonicMillis())));
      }
      continue;
    }
    lock.unlock();
    Send(std::move(batch));
    lock.lock();
  }
}

void Producer::Send(std::vector<std::unique_ptr<Pending>> batch) {
  std::vector<PutRecordsEntry> entries;
  entries.reserve(batch.size());
  for (const auto& p : batch) entries.push_back(PutRecordsEntry{p->key, p->data, {}});
  Outcome<std::vector<PutRecordsResultEntry>> answer = client_->PutRecords(options_.stream_name, entries);
  entries.clear();

  std::lock_guard lock(mu_);
  ++stats_.requests;
  const int64_t now = MonotonicMillis();
  for (const auto& p : batch) {
    ++p->attempts;
    if (p->attempts > 1) ++stats_.records_retried;
    auto k = keys_in_flight_.find(p->key);
    if (k != keys_in_flight_.end() && --k->second == 0) keys_in_flight_.erase(k);
  }
  std::vector<std::unique_ptr<Pending>> retries;
  if (!answer.ok()) {
    const Error& error = answer.error();
    if (error.Throttling()) stats_.throttled += 1;
    if (error.Retryable()) {
      retries = std::move(batch);
      Retry(&retries, error, now);
    } else if (batch.size() > 1 && RefusedForARecord(error)) {
      // Find the culprit: each record again in a request of its own, at once.
      auto front = queue_.begin();
      for (auto& p : batch) {
        --p->attempts;
        p->alone = true;
        queue_.insert(front, std::move(p));
      }
    } else {
      for (auto& p : batch) Complete(std::move(p), error);
    }
  } else {
    Error last;
    for (size_t i = 0; i < batch.size(); ++i) {
      const PutRecordsResultEntry& e = (*answer)[i];
      if (e.error_code.empty()) {
        Complete(std::move(batch[i]), PutResult{e.shard_id, e.sequence_number});
        continue;
      }
      Error error{e.error_code, e.error_message, 200};
      if (e.error_code == "ProvisionedThroughputExceededException") ++stats_.throttled;
      if (RetryableEntryError(e.error_code)) {
        retries.push_back(std::move(batch[i]));
        last = error;
      } else {
        Complete(std::move(batch[i]), error);
      }
    }
    if (!retries.empty()) Retry(&retries, last, now);
  }
  FailQueued();  // what this answer put back is not sent again after an Abort
  work_cv_.notify_all();
}

void Producer::Retry(std::vector<std::unique_ptr<Pending>>* retries, const Error& error, int64_t now_ms) {
  // Back to the front, in their original order: ahead of every later record
  // of their keys.
  auto front = queue_.begin();
  for (auto& p : *retries) {
    if (options_.max_attempts > 0 && p->attempts >= options_.max_attempts) {
      Complete(std::move(p), error);
      continue;
    }
    p->not_before_ms = now_ms + Backoff(p->attempts);
    queue_.insert(front, std::move(p));
  }
  retries->clear();
}

void Producer::Complete(std::unique_ptr<Pending> p, Outcome<PutResult> result) {
  if (result.ok())
    ++stats_.records_acknowledged;
  else
    ++stats_.records_failed;
  buffered_bytes_ -= p->bytes();
  outstanding_.erase(p->id);
  p->promise.set_value(std::move(result));
  room_cv_.notify_all();
  done_cv_.notify_all();
}

}  // namespace sluice::client
