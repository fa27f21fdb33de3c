// ChannelDelivery: delivers one channel's streams to its S3 bucket.
//
// Each Step() reads, for every shard whose parents are delivered to their
// end (resharding: parents before children), what the shard holds beyond
// the checkpoint, through the engine's record path (GetShardIterator,
// GetRecords: the same reads, quotas included, as a consumer's), into a
// ShardBatch; puts the batches that are due as objects (and their refused
// records as a dead-letter object first); and after each object is stored
// saves the checkpoint (channels/delivery_checkpoint.h). A failed Put or
// save keeps the batch and backs the whole channel off (doubling from
// retry_initial_ms up to retry_max_ms); the error is kept in Stats() and
// logged at most once a second per channel.
//
// Lifecycle: construct, Load() the checkpoint, then Step() periodically;
// Reconfigure() when the registry's copy of the channel changes.
// Threading: Step, Load and Reconfigure from one thread (the Delivery's);
// Stats() from any thread.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "channels/channel.h"
#include "channels/checkpoint_stores.h"
#include "channels/delivery_checkpoint.h"
#include "channels/record_format.h"
#include "channels/shard_batch.h"
#include "engine/engine.h"
#include "engine/placement.h"
#include "object_store/object_store.h"
#include "util/rate_limiter.h"
#include "util/status.h"

namespace sluice::channels {

struct DeliveryOptions {
  std::string data_dir;    // checkpoints under DeliveryCheckpointDir(data_dir)
  bool in_memory = false;  // checkpoints in memory only
  size_t max_object_bytes = kDefaultMaxObjectBytes;
  int64_t poll_interval_ms = 200;  // between passes over every channel
  int64_t retry_initial_ms = 100;
  int64_t retry_max_ms = 5000;
  // The checkpoints' file system; outlives the delivery.
  storage::Env* env = storage::Env::Default();
  // Where the checkpoints are kept; null: the data directory's
  // (LocalCheckpointStores over data_dir, in_memory and env).
  std::shared_ptr<CheckpointStores> checkpoints;
  // Cluster mode: which node leads each shard. Each node delivers the
  // shards it leads, resuming from the shared checkpoint (read again every
  // pass); null: every shard is this node's.
  std::shared_ptr<engine::ShardPlacement> placement;
};

// What a channel has delivered, for /metrics and the console.
struct ChannelStats {
  std::string account;
  std::string region;
  std::string name;
  uint64_t records_delivered = 0;
  uint64_t bytes_delivered = 0;  // record data bytes, before compression
  uint64_t objects_delivered = 0;
  uint64_t records_dead_lettered = 0;
  uint64_t errors = 0;  // failed Puts, checkpoint saves and reads
  // How far delivery is behind the newest record of its streams: the age
  // of the oldest record read and not yet stored, or the reader's
  // millis-behind-latest when that is more.
  int64_t lag_ms = 0;
  std::string last_error;  // "" when none yet
  int64_t last_error_ms = 0;
};

class ChannelDelivery {
 public:
  // `engine` outlives this; `store` is shared with the other channels;
  // `checkpoint` is the channel's.
  ChannelDelivery(Channel channel, engine::Engine& engine, std::shared_ptr<object_store::ObjectStore> store,
                  std::unique_ptr<CheckpointStore> checkpoint, const DeliveryOptions& options);

  // Reads the checkpoint, if one was saved. Corruption when it is bad.
  Status Load();
  // Takes the registry's current copy (DataFreshnessInSeconds may change).
  void Reconfigure(const Channel& channel);
  // One pass at `now_ms` (see above).
  void Step(int64_t now_ms);
  ChannelStats Stats() const;
  // The checkpoint as last saved (for tests).
  const DeliveryCheckpoint& checkpoint() const { return checkpoint_; }

 private:
  // A shard being read: where the reader is and what it holds.
  struct ShardReader {
    explicit ShardReader(size_t max_bytes) : batch(max_bytes) {}
    std::optional<std::string> iterator;
    ShardBatch batch;
    bool at_end = false;  // the batch holds the closed shard's last record
    int64_t millis_behind = 0;
  };
  struct Source {
    const ChannelStream* stream;
    engine::StreamRef ref;
    RecordFormat format;
  };

  // Reads, delivers what is due and finishes a drained closed shard; false
  // when the channel must back off.
  bool StepShard(const Source& source, const std::string& shard_id, ShardReader& reader, int64_t now_ms);
  void Read(const Source& source, const std::string& shard_id, ShardReader& reader);
  // Puts the batch's next object (and dead letters), then checkpoints.
  bool Flush(const Source& source, const std::string& shard_id, ShardReader& reader);
  // Saves the checkpoint with `key` set to `progress`; on failure it stays as it was.
  Status SaveProgress(const ShardKey& key, const ShardProgress& progress);
  void NoteError(const Status& status, int64_t now_ms);
  // Whether this node delivers the shard (it leads it, in cluster mode).
  bool Delivers(const engine::StreamRef& ref, int64_t stream_creation_ms, const std::string& shard_id) const;

  Channel channel_;
  engine::Engine& engine_;
  std::shared_ptr<object_store::ObjectStore> store_;
  const DeliveryOptions options_;
  std::unique_ptr<CheckpointStore> checkpoint_store_;
  DeliveryCheckpoint checkpoint_;
  std::map<ShardKey, ShardReader> readers_;
  RecordWriter writer_;
  int failures_ = 0;  // consecutive
  int64_t retry_at_ms_ = 0;
  int64_t now_ms_ = 0;  // of the current Step
  RateLimiter error_log_;

  mutable std::mutex stats_mu_;
  ChannelStats stats_;  // guarded by stats_mu_
};

}  // namespace sluice::channels
