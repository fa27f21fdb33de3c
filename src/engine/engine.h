// Engine: the stream engine. Owns every stream's metadata and shard logs,
// routes records to shards, issues sequence numbers and shard iterators,
// enforces retention, and moves streams through their states.
//
// Threading: every public method is thread-safe and may be called from any
// event-loop thread. Control-plane calls take the engine's metadata lock;
// data-plane calls take only a shared lock on the stream table plus the
// shard log's append lock. PutRecords completes through a callback that may
// run on the flusher thread: callers marshal it back to their own thread.
//
// Errors are Status codes with the service's messages, e.g.
//   ResourceNotFound  "Stream <name> under account <acct> not found."
//   ResourceInUse     "Stream <name> under account <acct> already exists."
//   InvalidArgument   "Invalid ShardIterator."
//   ExpiredIterator   "Iterator expired. The iterator was created at time ..."
// Validation of request shape (lengths, patterns, ranges) is the API layer's
// job; the engine checks semantics.
#pragma once

#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "engine/types.h"
#include "storage/shard_log.h"
#include "util/clock.h"
#include "util/status.h"

namespace sluice::engine {

struct EngineOptions {
  std::string data_dir;  // ignored with Durability::kMemory
  storage::Durability durability = storage::Durability::kFsync;
  storage::LogOptions log;  // durability is copied into it
  int64_t create_stream_delay_ms = 0;  // time spent in CREATING
  int64_t delete_stream_delay_ms = 0;  // time spent in DELETING
  int64_t iterator_ttl_ms = 5 * 60 * 1000;
  Clock* clock = nullptr;  // defaults to SystemClock
};

class Engine {
 public:
  // Opens the engine: loads metadata, opens every shard log (recovering
  // tails), loads or creates the iterator signing key in the data dir.
  static Result<std::unique_ptr<Engine>> Open(const EngineOptions& options);
  ~Engine();

  // Starts / stops the housekeeping thread (state transitions, retention) and
  // the flusher. Stop() completes pending syncs and closes logs.
  void Start();
  void Stop();

  // --- control plane ---
  Status CreateStream(const StreamRef& stream, const CreateStreamParams& params);
  Status DeleteStream(const StreamRef& stream, bool enforce_consumer_deletion);
  Result<StreamDescription> DescribeStream(const StreamRef& stream) const;
  // Streams of the namespace, sorted by name.
  std::vector<StreamSummary> ListStreams(const std::string& account, const std::string& region) const;
  // Shards matching `filter`, in shard-id order. ResourceNotFound for an
  // unknown stream; `stream_creation_ms`, when given, must match the stream's
  // creation time (else ResourceNotFound, as the service does).
  Result<std::vector<Shard>> ListShards(const StreamRef& stream, const ShardFilter& filter,
                                        std::optional<int64_t> stream_creation_ms) const;

  // --- data plane ---
  // Routes and appends every entry, then calls `done` once the records are
  // durable per the durability mode, with one result per entry in order.
  // A request-level error (stream missing, ExplicitHashKey >= 2^128 already
  // rejected by the API, record too large) fails the whole call through
  // `done` and writes nothing. `entries` need only live during this call.
  using PutCallback = std::function<void(Result<std::vector<PutEntryResult>>)>;
  void PutRecords(const StreamRef& stream, std::span<const PutEntry> entries, PutCallback done);

  Result<std::string> GetShardIterator(const StreamRef& stream, std::string_view shard_id,
                                       IteratorType type,
                                       std::optional<std::string_view> starting_sequence_number,
                                       std::optional<int64_t> timestamp_ms);

  // Reads up to `limit` records (and at most 10 MiB) from the iterator's
  // position. `stream_arn`, when given, must name the iterator's stream.
  Result<GetRecordsResult> GetRecords(std::string_view shard_iterator, int limit,
                                      const std::optional<StreamRef>& stream_arn);

  const EngineOptions& options() const;

 private:
  class Impl;
  explicit Engine(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// ARN of a stream: arn:aws:kinesis:<region>:<account>:stream/<name>
std::string StreamArn(const StreamRef& stream);
// Parses a stream ARN into its namespace and name; nullopt when malformed.
std::optional<StreamRef> ParseStreamArn(std::string_view arn);

}  // namespace sluice::engine
