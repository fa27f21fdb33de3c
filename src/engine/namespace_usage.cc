#include "engine/namespace_usage.h"

#include <algorithm>

#include "engine/resharding.h"

namespace sluice::engine {

StreamUsage UsageOf(const StreamMeta& stream) {
  const int open = OpenShardCount(stream);
  return {stream.pending.empty() ? open : std::max(open, OpenShardCountAfter(stream, stream.pending)),
          stream.mode == StreamMode::kOnDemand};
}

void NamespaceUsage::AddLocked(const StreamKey& key, const StreamUsage& usage, int sign) {
  auto ns = namespaces_.try_emplace({std::get<0>(key), std::get<1>(key)}).first;
  ns->second.open_shards += sign * usage.open_shards;
  ns->second.on_demand_streams += sign * (usage.on_demand ? 1 : 0);
  if (ns->second.open_shards == 0 && ns->second.on_demand_streams == 0) namespaces_.erase(ns);
}

void NamespaceUsage::Set(const StreamKey& key, StreamUsage usage) {
  std::lock_guard lock(mu_);
  auto [it, inserted] = streams_.try_emplace(key, usage);
  if (!inserted) {
    AddLocked(key, it->second, -1);
    it->second = usage;
  }
  AddLocked(key, usage, +1);
}

void NamespaceUsage::Erase(const StreamKey& key) {
  std::lock_guard lock(mu_);
  auto it = streams_.find(key);
  if (it == streams_.end()) return;
  AddLocked(key, it->second, -1);
  streams_.erase(it);
}

NamespaceUsage::Totals NamespaceUsage::Of(const std::string& account, const std::string& region) const {
  std::lock_guard lock(mu_);
  auto it = namespaces_.find({account, region});
  return it == namespaces_.end() ? Totals{} : it->second;
}

}  // namespace sluice::engine
