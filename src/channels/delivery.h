// Delivery: the delivery engine. One worker thread that, every
// poll_interval_ms, takes the registry's channels as of now and steps a
// ChannelDelivery (channels/channel_delivery.h) for each ACTIVE or UPDATING
// channel with an S3 destination, writing through one ObjectStore (the
// local directory by default; the composition root chooses). Channels
// created, updated or deleted meanwhile are picked up at the next pass; the
// checkpoint of a channel that is gone is removed.
//
// Lifecycle: construct, Start(), Stop() (or destroy) before the engine and
// the registry go. Stop() returns once the current pass ends.
// Threading: Stats() from any thread; RunOnce() only while not started
// (tests drive it by hand).
#pragma once

#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "channels/channel_delivery.h"
#include "channels/channel_registry.h"
#include "engine/engine.h"
#include "object_store/object_store.h"
#include "util/clock.h"

namespace sluice::channels {

class Delivery {
 public:
  // Every reference outlives the Delivery.
  Delivery(ChannelRegistry& registry, engine::Engine& engine, std::shared_ptr<object_store::ObjectStore> store,
           DeliveryOptions options, const Clock& clock);
  ~Delivery();

  Delivery(const Delivery&) = delete;
  Delivery& operator=(const Delivery&) = delete;

  void Start();
  void Stop();
  // One pass over every channel.
  void RunOnce();

  // Every delivering channel's figures, by account, region and name.
  std::vector<ChannelStats> Stats() const;
  // "directory <path>" or "s3 <endpoint>".
  std::string Destination() const { return store_->Describe(); }

 private:
  ChannelRegistry& registry_;
  engine::Engine& engine_;
  const std::shared_ptr<object_store::ObjectStore> store_;
  const DeliveryOptions options_;
  const Clock& clock_;
  const std::shared_ptr<CheckpointStores> checkpoints_;

  mutable std::mutex mu_;                                               // guards deliveries_ against Stats()
  std::map<std::string, std::unique_ptr<ChannelDelivery>> deliveries_;  // by ChannelId
  // The ids of every channel at the last pass (nullopt before the first):
  // when they change, stale checkpoints are removed.
  std::optional<std::set<std::string>> known_ids_;

  std::mutex stop_mu_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace sluice::channels
