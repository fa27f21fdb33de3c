// Producer: puts records in the background, batched into PutRecords.
//
//   auto producer = Producer(client, {.stream_name = "orders"});
//   std::future<Outcome<PutResult>> f = producer.Put("customer-7", payload);
//   producer.Flush();   // every record put so far has been acknowledged or failed
//
// Batching: a request carries at most max_batch_records records and
// max_batch_bytes of data plus partition keys (the service's 500 and 5 MiB).
// A batch is sent once it is full, once its oldest record has waited
// linger_ms, or at once while Flush() or Close() waits.
//
// Retries: a record whose PutRecords entry failed with a retryable
// ErrorCode (ProvisionedThroughputExceededException, InternalFailure,
// KMSThrottlingException), or whose whole request failed retryably
// (throttling, 5xx, connection), is sent again after an exponential back-off
// (backoff_base_ms doubling up to backoff_max_ms, with jitter) — at most
// max_attempts times; then its future holds the last error. Other errors
// (ResourceNotFoundException, ...) fail the record at once. A request of
// several records refused as a whole with ValidationException or
// InvalidArgumentException (one record too large, say) is not held against
// the others: each of its records is sent again in a request of its own, so
// only the culprit fails. A partition key must have 1 to 256 characters (the
// future holds a ClientError otherwise).
//
// Per-key order (Ordering::kPerKey, the default): a partition key has at most
// one record in flight, so each request holds at most one record per key, and
// a key's later record is sent only after the earlier one was acknowledged.
// A retried record therefore always lands before the key's later records,
// whatever fails. kBatched lets one request carry many records of a key
// (much faster for few keys); order then still holds across requests, but
// if the service fails a key's earlier record and accepts a later one in
// the same request, the retried record lands after it.
//
// Back-pressure: at most max_buffered_bytes of records (data plus keys) are
// held, queued or in flight. Put() BLOCKS while the buffer is full, until
// acknowledgements make room; TryPut() never blocks and fails with a
// ClientError "buffer full" instead. A record larger than the whole buffer
// is accepted once the buffer is empty.
//
// Threading: Put, TryPut, Flush, Abort and stats are thread-safe; `in_flight`
// background threads send requests. Close (also run by the destructor)
// sends what is buffered, waits for it and stops the threads; Put after
// Close fails with ClientError.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <future>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "client/client.h"
#include "client/types.h"

namespace sluice::client {

enum class Ordering { kPerKey, kBatched };

struct ProducerOptions {
  std::string stream_name;
  size_t max_batch_records = 500;
  size_t max_batch_bytes = 5 * 1024 * 1024;
  int64_t linger_ms = 50;
  size_t max_buffered_bytes = 64 * 1024 * 1024;
  int in_flight = 1;  // requests in flight at once (sender threads)
  Ordering ordering = Ordering::kPerKey;
  int max_attempts = 10;  // per record; 0 = no limit
  int64_t backoff_base_ms = 50;
  int64_t backoff_max_ms = 5000;
};

class Producer {
 public:
  struct Stats {
    uint64_t requests = 0;  // PutRecords calls answered or failed
    uint64_t records_acknowledged = 0;
    uint64_t records_failed = 0;   // futures completed with an error
    uint64_t records_retried = 0;  // sends after the first
    uint64_t throttled = 0;        // entries or requests refused as throttling
  };

  Producer(std::shared_ptr<Client> client, ProducerOptions options);
  ~Producer();
  Producer(const Producer&) = delete;
  Producer& operator=(const Producer&) = delete;

  // Queues a record; blocks while the buffer is full.
  std::future<Outcome<PutResult>> Put(std::string partition_key, std::string data);
  // Queues a record unless the buffer is full (the future then already holds
  // a ClientError "buffer full").
  std::future<Outcome<PutResult>> TryPut(std::string partition_key, std::string data);
  // Waits until every record put before the call has completed.
  void Flush();
  // Flushes and stops; idempotent.
  void Close();
  // Gives up: every record not yet sent fails at once with `error`, a record
  // in flight fails with it unless its request succeeds (it is not retried),
  // and Put and TryPut fail with it from now on (a Put blocked on a full
  // buffer returns). For a caller that will not wait out the retries, e.g.
  // once the server has stopped answering. Records acknowledged stay so.
  void Abort(Error error);

  Stats stats() const;
  size_t buffered_bytes() const;

 private:
  struct Pending;
  using Queue = std::list<std::unique_ptr<Pending>>;

  std::future<Outcome<PutResult>> Enqueue(std::string key, std::string data, bool block);
  void SenderLoop();
  // Picks the next batch from queue_ (mu_ held). Empty when nothing may be
  // sent now; *wake_at_ms is then when to look again (0: when notified).
  std::vector<std::unique_ptr<Pending>> TakeBatch(int64_t now_ms, int64_t* wake_at_ms);
  void Send(std::vector<std::unique_ptr<Pending>> batch);
  // mu_ held: after Abort, fails every queued record with the abort's error.
  void FailQueued();
  // mu_ held. Completes or requeues.
  void Complete(std::unique_ptr<Pending> p, Outcome<PutResult> result);
  void Retry(std::vector<std::unique_ptr<Pending>>* retries, const Error& error, int64_t now_ms);
  int64_t Backoff(int attempts);

  std::shared_ptr<Client> client_;
  const ProducerOptions options_;

  mutable std::mutex mu_;
  std::condition_variable work_cv_;  // senders: new records, flush, close, keys freed
  std::condition_variable room_cv_;  // Put: buffer space
  std::condition_variable done_cv_;  // Flush: completions
  Queue queue_;
  std::unordered_map<std::string, int> keys_in_flight_;
  std::set<uint64_t> outstanding_;  // ids of records not yet completed
  uint64_t next_id_ = 0;
  size_t buffered_bytes_ = 0;
  int flushing_ = 0;
  bool closing_ = false;
  bool closed_ = false;
  std::optional<Error> aborted_;
  Stats stats_;
  uint64_t jitter_state_ = 0x9e3779b97f4a7c15ull;
  std::vector<std::thread> senders_;
};

}  // namespace sluice::client
