// RecordPath: the shard data path. PutRecords (routing, quotas, one append
// per shard, one completion once every touched shard is durable),
// GetShardIterator and GetRecords (signed iterator tokens,
// engine/shard_iterator.h), and LatestRecords for the console. The API layer
// reaches it as Engine::records().
//
// Ownership: owned by the Engine; holds references to the engine's options,
// clock, iterator codec, placement and stream table, which outlive it.
//
// Threading: every method is thread-safe. A call takes the stream table's
// lock shared (to find the stream), then StreamState::mu shared, then the
// shard's life lock shared, then the shard store's own lock (the order in
// engine/stream_state.h). PutRecords holds the stream's lock across routing
// and appending, so no shard closes between them. Its callback may run on
// the store's durability thread (the flusher), or inline.
//
// Placement: every call asks the placement whether this node leads the
// shard before it touches the shard's store (NotLeader otherwise).
//
// Errors: Status codes with the service's messages (see each method).
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/placement.h"
#include "engine/shard_iterator.h"
#include "engine/stream_state.h"
#include "engine/types.h"
#include "util/clock.h"
#include "util/status.h"

namespace sluice::engine {

struct EngineOptions;

// Finds a live stream by name (any state); null when there is none. The
// engine's stream table implements it.
class StreamLookup {
 public:
  virtual ~StreamLookup() = default;
  virtual std::shared_ptr<StreamState> Find(const StreamRef& stream) const = 0;
};

// Everything a read needs from a shard's stream, copied under its lock.
struct ShardView {
  std::shared_ptr<StreamState> stream;
  bool on_demand = false;  // the stream was ON_DEMAND (its capacity is per stream)
  std::shared_ptr<ShardState> shard;
  ShardMeta meta;
  int64_t retention_ms = 0;
  std::optional<int64_t> encrypted_since_ms;  // set while the stream is encrypted
  std::vector<ChildShard> children;           // set when the shard is closed
};

// One read of a shard (GetRecords, SubscribeToShard).
struct ShardRead {
  GetRecordsResult result;     // records and millis_behind_latest; no iterator
  uint64_t next = 0;           // offset after the last record read
  bool at_closed_end = false;  // the shard is closed and `next` is its end
};

class RecordPath {
 public:
  RecordPath(const EngineOptions& options, const Clock& clock, const IteratorCodec& codec,
             const ShardPlacement& placement, const StreamLookup& streams);

  // Routes and appends every entry, then calls `done` once the records are
  // durable per the durability mode, with one result per entry in order.
  // A request-level error (stream missing, record too large, a shard led by
  // another node: NotLeader) fails the whole call through `done` and writes
  // nothing; with a remote writer (EngineOptions::remote_writer) the records
  // of shards led elsewhere go to their leaders instead, and only a shard
  // with no leader fails the call. `entries` need only live during this call.
  using PutCallback = std::function<void(Result<std::vector<PutEntryResult>>)>;
  void PutRecords(const StreamRef& stream, std::span<const PutEntry> entries, PutCallback done);
  // The leader's half of a split PutRecords: appends every entry to shard
  // `shard_index` of the stream created at `stream_creation_ms`, as
  // PutRecords would (size checks, quotas, durability), without routing.
  // Errors for the whole call: ResourceNotFound (stream missing, deleted or
  // recreated, shard unknown), InvalidArgument (the shard is closed),
  // NotLeader (this node does not lead it: never passed on again).
  void PutToShard(const StreamRef& stream, int64_t stream_creation_ms, int shard_index,
                  std::span<const PutEntry> entries, PutCallback done);

  // A signed iterator token for the position the type names. Errors, with
  // the service's messages: ResourceNotFound (stream missing or CREATING,
  // shard unknown), InvalidArgument (sequence number given/missing for the
  // type, malformed or from another shard or stream; AT_TIMESTAMP without or
  // with a future timestamp), NotLeader.
  Result<std::string> GetShardIterator(const StreamRef& stream, std::string_view shard_id, IteratorType type,
                                       std::optional<std::string_view> starting_sequence_number,
                                       std::optional<int64_t> timestamp_ms);

  // Reads up to `limit` records (and at most 10 MiB) from the iterator's
  // position, never records older than retention. Always returns a new
  // iterator, except at the end of a closed shard (then ChildShards instead).
  // `stream_arn`, when given, must name the iterator's stream. Errors:
  // InvalidArgument ("Invalid ShardIterator.", ARN mismatch), ExpiredIterator,
  // ResourceNotFound (stream deleted or recreated), NotLeader, Corruption,
  // IoError.
  Result<GetRecordsResult> GetRecords(std::string_view shard_iterator, int limit,
                                      const std::optional<StreamRef>& stream_arn);

  // The newest `count` (1..10000) visible records of a shard within
  // retention, oldest first, for browsing (the console); no iterator.
  // Errors: ResourceNotFound (stream or shard), NotLeader, Corruption, IoError.
  Result<GetRecordsResult> LatestRecords(const StreamRef& stream, std::string_view shard_id, int count);

  // The shard `index` of the stream created at `stream_creation_ms`
  // (ResourceNotFound when the stream was deleted or recreated; NotLeader).
  Result<ShardView> LoadShardView(const StreamRef& ref, int64_t stream_creation_ms, int index) const;
  // Reads from `position` (clamped to the trim horizon and the visible end)
  // at most `limit` records and `max_bytes`. Caller holds view.shard->life
  // shared and has checked the store is open.
  Result<ShardRead> ReadShardLocked(const ShardView& view, uint64_t position, int limit, size_t max_bytes,
                                    int64_t now) const;

 private:
  int64_t Now() const { return clock_.NowMillis(); }
  struct PutContext;
  // Appends `ctx`'s routed entries, shard by shard, under the stream's lock
  // held shared by the caller (`lock`). Returns false when it failed the
  // whole call through ctx's callback (the lock then released); else the
  // caller releases its reference to ctx.
  bool AppendRouted(const StreamRef& stream, StreamState& state, std::shared_lock<std::shared_mutex>& lock,
                    std::span<const PutEntry> entries, const std::shared_ptr<PutContext>& ctx, bool pass_on);
  // Sends ctx's entries [begin, end) (one shard's) to its leader through the
  // remote writer; their results land in ctx when it answers.
  void PassOn(const StreamRef& stream, int64_t stream_creation_ms, int shard_index, const std::string& leader,
              std::span<const PutEntry> entries, const std::shared_ptr<PutContext>& ctx, size_t begin, size_t end);

  const EngineOptions& options_;
  const bool limits_on_;  // options_.limits.Any(): the quotas cost one branch when off
  const Clock& clock_;
  const IteratorCodec& codec_;
  const ShardPlacement& placement_;
  const StreamLookup& streams_;
};

}  // namespace sluice::engine
