#include "channels/delivery.h"

#include <algorithm>
#include <chrono>
#include <set>
#include <tuple>
#include <utility>

#include "storage/env.h"
#include "util/log.h"
#include "util/rate_limiter.h"

namespace sluice::channels {
namespace {

bool Delivers(const Channel& c) {
  return c.destination == DestinationType::kS3 && c.s3 &&
         (c.status == ChannelStatus::kActive || c.status == ChannelStatus::kUpdating);
}

}  // namespace

Delivery::Delivery(ChannelRegistry& registry, engine::Engine& engine, std::shared_ptr<object_store::ObjectStore> store,
                   DeliveryOptions options, const Clock& clock)
    : registry_(registry),
      engine_(engine),
      store_(std::move(store)),
      options_(std::move(options)),
      clock_(clock),
      checkpoints_(options_.checkpoints != nullptr
                       ? options_.checkpoints
                       : std::make_shared<LocalCheckpointStores>(options_.data_dir, options_.in_memory, options_.env)) {
}

Delivery::~Delivery() { Stop(); }

void Delivery::Start() {
  checkpoints_->Start();
  log::Info("channels deliver to {}", store_->Describe());
  thread_ = std::thread([this] {
    std::unique_lock lock(stop_mu_);
    while (!stopping_) {
      lock.unlock();
      RunOnce();
      lock.lock();
      stop_cv_.wait_for(lock, std::chrono::milliseconds(options_.poll_interval_ms), [this] { return stopping_; });
    }
  });
}

void Delivery::Stop() {
  {
    std::lock_guard lock(stop_mu_);
    stopping_ = true;
  }
  stop_cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Delivery::RunOnce() {
  const std::vector<Channel> channels = registry_.All();
  std::set<std::string> delivering;
  for (const Channel& c : channels) {
    if (!Delivers(c)) continue;
    delivering.insert(c.id);
    auto it = deliveries_.find(c.id);
    if (it == deliveries_.end()) {
      auto delivery = std::make_unique<ChannelDelivery>(c, engine_, store_, checkpoints_->Open(c.id), options_);
      if (Status loaded = delivery->Load(); !loaded.ok()) {
        // Tried again every pass; said once a minute at most.
        static RateLimiter limiter(60'000);
        if (uint64_t suppressed; limiter.Allow(&suppressed)) {
          log::Error("channel {} (account {}): cannot read its delivery checkpoint: {} ({} more suppressed)", c.name,
                     c.account, loaded.ToString(), suppressed);
        }
        continue;
      }
      std::lock_guard lock(mu_);
      it = deliveries_.emplace(c.id, std::move(delivery)).first;
    } else {
      it->second->Reconfigure(c);
    }
    it->second->Step(clock_.NowMillis());
  }
  {
    std::lock_guard lock(mu_);
    std::erase_if(deliveries_, [&](const auto& entry) { return delivering.count(entry.first) == 0; });
  }
  std::set<std::string> ids;
  for (const Channel& c : channels) ids.insert(c.id);
  if (ids != known_ids_) checkpoints_->RemoveStale(ids);
  known_ids_ = std::move(ids);
}

std::vector<ChannelStats> Delivery::Stats() const {
  std::vector<ChannelStats> out;
  std::lock_guard lock(mu_);
  for (const auto& [id, delivery] : deliveries_) out.push_back(delivery->Stats());
  std::sort(out.begin(), out.end(), [](const ChannelStats& a, const ChannelStats& b) {
    return std::tie(a.account, a.region, a.name) < std::tie(b.account, b.region, b.name);
  });
  return out;
}

}  // namespace sluice::channels
