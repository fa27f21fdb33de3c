// The channels' delivery checkpoints of cluster mode (docs/cluster.md,
// "Account state and channels"): one etcd key per channel that every node
// shares, so that each node delivers the shards it leads and a shard's new
// leader resumes where its old one stored its last object.
//
//   /sluice/v1/channels/delivery/<ChannelId>
//   the delivery checkpoint, channels::EncodeDeliveryCheckpoint
//   (docs/channels.md, "The delivery checkpoint")
//
// A save is an edit of the document (EtcdDocument, etcd_document.h): the
// shard's progress set in the document as it is, by compare-and-swap, again
// on the newer document after a conflict, so the progress of shards led by
// different nodes merges. A shard's progress never moves back (a later
// sequence number, or finished, is kept), so a deposed leader's late save
// loses nothing. Each pass reads the key (Load): no watch.
//
// Threading: as channels::CheckpointStores.
#pragma once

#include <memory>
#include <set>
#include <string>
#include <string_view>

#include "channels/checkpoint_stores.h"
#include "cluster/etcd_client.h"

namespace sluice::cluster {

inline constexpr std::string_view kDeliveryCheckpointPrefix = "/sluice/v1/channels/delivery/";

// `into`'s progress for `key` merged with `progress`: the later sequence
// number (decimal strings compared as numbers) and finished once either is.
void MergeProgress(channels::DeliveryCheckpoint& into, const channels::ShardKey& key,
                   const channels::ShardProgress& progress);

class EtcdDeliveryCheckpoints final : public channels::CheckpointStores {
 public:
  // `client` must outlive it and every store it opens.
  explicit EtcdDeliveryCheckpoints(EtcdClient& client) : client_(client) {}

  std::unique_ptr<channels::CheckpointStore> Open(const std::string& channel_id) override;
  // Deletes the keys of the channels this node saw at an earlier call and
  // that are gone now (not every key outside `ids`: a channel created
  // through another node since this node's read may already have one).
  void RemoveStale(const std::set<std::string>& ids) override;

 private:
  EtcdClient& client_;
  std::set<std::string> seen_;  // the ids of the previous call
};

}  // namespace sluice::cluster
