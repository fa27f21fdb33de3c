#include "cluster/cluster_view.h"

#include <algorithm>
#include <chrono>
#include <set>

#include "cluster/etcd_stream_catalog.h"
#include "engine/metadata_codec.h"

#include "util/log.h"

namespace sluice::cluster {
namespace {

constexpr std::string_view kRootPrefix = "/sluice/v1/";

}  // namespace

Result<std::unique_ptr<ClusterView>> ClusterView::Open(EtcdClient& client) {
  std::unique_ptr<ClusterView> view(new ClusterView(client));
  SLUICE_ASSIGN_OR_RETURN(const int64_t revision, view->Reload());
  WatchOptions watch;
  watch.prefix = std::string(kRootPrefix);
  watch.from_revision = revision + 1;
  ClusterView* raw = view.get();
  watch.on_events = [raw](const std::vector<WatchEvent>& events) { raw->OnEvents(events); };
  watch.on_compacted = [raw] { return raw->Reload(); };
  view->watch_ = std::make_unique<EtcdWatch>(client, std::move(watch));
  return view;
}

Result<int64_t> ClusterView::Reload() {
  // One range over the root gives nodes and shards at one revision.
  SLUICE_ASSIGN_OR_RETURN(RangeResult range, client_.GetPrefix(kRootPrefix));
  std::vector<std::function<void()>> listeners;
  {
    std::lock_guard<std::mutex> lock(mu_);
    // The range as the changes that lead to it: a delete of every key it
    // lacks, then every key it holds.
    std::set<std::string> gone = keys_;
    for (const KeyValue& kv : range.kvs) gone.erase(kv.key);
    for (const std::string& key : gone) ApplyLocked(KeyValue{.key = key}, true);
    for (const KeyValue& kv : range.kvs) ApplyLocked(kv, false);
    revision_ = std::max(revision_, range.revision);
    listeners = listeners_;
  }
  changed_.notify_all();
  for (const auto& listener : listeners) listener();
  return range.revision;
}

int64_t ClusterView::resyncs() const { return watch_ ? watch_->resyncs() : 0; }

ClusterView::~ClusterView() {
  if (watch_) watch_->Stop();
}

void ClusterView::ApplyLocked(const KeyValue& kv, bool deleted) {
  if (deleted) {
    keys_.erase(kv.key);
  } else {
    keys_.insert(kv.key);
  }
  if (kv.key.starts_with(kNodesPrefix)) {
    const std::string id = kv.key.substr(kNodesPrefix.size());
    if (deleted) {
      live_nodes_.erase(id);
    } else if (Result<NodeInfo> info = ParseNodeInfo(kv.value); info.ok()) {
      live_nodes_[id] = std::move(info).value();
    } else {
      log::Warn("cluster view: {}", info.status().ToString());
    }
  } else if (kv.key.starts_with(kMembersPrefix)) {
    if (deleted) {
      members_.erase(kv.key.substr(kMembersPrefix.size()));
    } else if (Result<NodeInfo> info = ParseNodeInfo(kv.value); info.ok()) {
      members_[info->id] = std::move(info).value();
    } else {
      log::Warn("cluster view: {}", info.status().ToString());
    }
  } else if (kv.key.starts_with(kDecommissionedPrefix)) {
    const std::string id = kv.key.substr(kDecommissionedPrefix.size());
    if (deleted) {
      decommissioned_.erase(id);
    } else {
      decommissioned_.insert(id);
    }
  } else if (kv.key.starts_with(kStreamsPrefix)) {
    if (deleted) {
      catalogued_.erase(kv.key);
    } else if (Result<engine::StreamMeta> meta = engine::DecodeStreamRecord(kv.value); meta.ok()) {
      std::vector<ShardId>& ids = catalogued_[kv.key];
      ids.clear();
      for (const engine::ShardMeta& shard : meta->shards) {
        ids.push_back({meta->ref.account, meta->ref.region, meta->ref.name, meta->creation_ms, shard.index});
      }
    } else {
      log::Warn("cluster view: {}: {}", kv.key, meta.status().ToString());
    }
  } else if (kv.key.starts_with(kShardsPrefix)) {
    if (deleted) {
      if (Result<ShardId> id = ParseShardLeadershipKey(kv.key); id.ok()) shards_.erase(*id);
    } else if (Result<ShardRecord> record = ParseShardRecord(kv); record.ok()) {
      auto it = shards_.find(record->id);
      if (it != shards_.end() && record->leadership.leader_epoch > it->second.leadership.leader_epoch) {
        ++leader_changes_;
      }
      shards_[record->id] = std::move(record).value();
    } else {
      log::Warn("cluster view: {}", record.status().ToString());
    }
  }
}

void ClusterView::OnEvents(const std::vector<WatchEvent>& events) {
  std::vector<std::function<void()>> listeners;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const WatchEvent& e : events) {
      ApplyLocked(e.kv, e.type == WatchEvent::Type::kDelete);
      revision_ = std::max(revision_, e.kv.mod_revision);
    }
    listeners = listeners_;
  }
  changed_.notify_all();
  for (const auto& listener : listeners) listener();
}

ClusterView::Snapshot ClusterView::snapshot() const {
  std::lock_guard<std::mutex> lock(mu_);
  Snapshot s;
  s.live_nodes = live_nodes_;
  s.members = members_;
  s.decommissioned = decommissioned_;
  for (const auto& [id, record] : shards_) s.shards.push_back(record);
  for (const auto& [key, ids] : catalogued_) s.catalogued.insert(s.catalogued.end(), ids.begin(), ids.end());
  std::sort(s.catalogued.begin(), s.catalogued.end());
  s.revision = revision_;
  return s;
}

std::map<std::string, NodeInfo> ClusterView::live_nodes() const {
  std::lock_guard<std::mutex> lock(mu_);
  return live_nodes_;
}

std::optional<ShardRecord> ClusterView::shard(const ShardId& id) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = shards_.find(id);
  if (it == shards_.end()) return std::nullopt;
  return it->second;
}

std::optional<NodeInfo> ClusterView::live_node(const std::string& id) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = live_nodes_.find(id);
  if (it == live_nodes_.end()) return std::nullopt;
  return it->second;
}

int64_t ClusterView::revision() const {
  std::lock_guard<std::mutex> lock(mu_);
  return revision_;
}

int64_t ClusterView::leader_changes() const {
  std::lock_guard<std::mutex> lock(mu_);
  return leader_changes_;
}

bool ClusterView::WaitForRevision(int64_t revision, int64_t timeout_ms) const {
  std::unique_lock<std::mutex> lock(mu_);
  return changed_.wait_for(lock, std::chrono::milliseconds(timeout_ms), [&] { return revision_ >= revision; });
}

void ClusterView::AddListener(std::function<void()> listener) {
  std::lock_guard<std::mutex> lock(mu_);
  listeners_.push_back(std::move(listener));
}

}  // namespace sluice::cluster
