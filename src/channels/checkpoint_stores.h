// CheckpointStores: where each channel's delivery checkpoint
// (channels/delivery_checkpoint.h) is kept. The channels folder owns the
// seam; ChannelDelivery reads and saves through it.
//
// A single node keeps one document per channel in its data directory
// (LocalCheckpointStores below, the default). In cluster mode every node
// delivers the shards it leads and the checkpoint is one etcd document per
// channel (cluster/etcd_delivery_checkpoints.h): a shard's progress saved by
// one node is applied again to the document as another node left it, so the
// shards' progress merges, and a new leader resumes from it.
//
// Threading: a channel's CheckpointStore is used from the delivery thread
// only; CheckpointStores' methods too.
#pragma once

#include <memory>
#include <set>
#include <string>

#include "channels/delivery_checkpoint.h"
#include "storage/env.h"
#include "storage/metadata_store.h"
#include "util/status.h"

namespace sluice::channels {

// One channel's checkpoint.
class CheckpointStore {
 public:
  virtual ~CheckpointStore() = default;
  // The checkpoint as saved (in cluster mode, by every node). Errors:
  // Corruption for a document that does not decode; the store's own.
  virtual Result<DeliveryCheckpoint> Load() = 0;
  // Saves `progress` for `key` and returns the checkpoint as saved. Errors:
  // the store's own; nothing saved.
  virtual Result<DeliveryCheckpoint> Save(const ShardKey& key, const ShardProgress& progress) = 0;
};

class CheckpointStores {
 public:
  virtual ~CheckpointStores() = default;
  // Called once before the first pass.
  virtual void Start() {}
  virtual std::unique_ptr<CheckpointStore> Open(const std::string& channel_id) = 0;
  // `ids` are every channel there is: removes the checkpoints of the others.
  virtual void RemoveStale(const std::set<std::string>& ids) = 0;
};

// <data-dir>/channel-delivery/<ChannelId>, each a storage::MetadataStore
// (atomic replace, CRC32C, fsync of file and directory), or memory only.
class LocalCheckpointStores final : public CheckpointStores {
 public:
  // `env` outlives the stores.
  LocalCheckpointStores(std::string data_dir, bool in_memory, storage::Env* env)
      : data_dir_(std::move(data_dir)), in_memory_(in_memory), env_(env) {}

  void Start() override;
  std::unique_ptr<CheckpointStore> Open(const std::string& channel_id) override;
  void RemoveStale(const std::set<std::string>& ids) override;

 private:
  const std::string data_dir_;
  const bool in_memory_;
  storage::Env* const env_;
};

}  // namespace sluice::channels
