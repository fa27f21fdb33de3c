#include "cluster/replicated_stores.h"

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "cluster/shard_log_local_log.h"
#include "engine/data_layout.h"
#include "util/log.h"

namespace sluice::cluster {
namespace {

ShardId IdOf(const engine::ShardKey& key) {
  return ShardId{key.stream.account, key.stream.region, key.stream.name, key.stream_creation_ms, key.shard_index};
}

// The engine's store of one shard: a handle on the shard's replica, opened
// on first use that needs it (an append, a read, a durability wait). Calls
// that only look (sizes, retention) leave an unopened replica alone, so a
// node opens only the replicas it holds or leads.
class ReplicaHandle final : public engine::ShardStore {
 public:
  ReplicaHandle(ReplicatedShardStores* stores, ShardId id, std::string dir)
      : stores_(stores), id_(std::move(id)), dir_(std::move(dir)) {}

  Result<uint64_t> Append(std::span<const storage::AppendEntry> entries, int64_t arrival_ms) override {
    SLUICE_ASSIGN_OR_RETURN(std::shared_ptr<ReplicaLog> r, Get());
    return r->Append(entries, arrival_ms);
  }
  void WhenDurable(uint64_t end_offset, std::function<void(Status)> done) override {
    Result<std::shared_ptr<ReplicaLog>> r = Get();
    if (!r.ok()) return done(r.status());
    (*r)->WhenDurable(end_offset, std::move(done));
  }
  uint64_t StartOffset() const override {
    return Look([](const ReplicaLog& r) { return r.StartOffset(); });
  }
  uint64_t EndOffset() const override {
    return Look([](const ReplicaLog& r) { return r.EndOffset(); });
  }
  uint64_t VisibleEndOffset() const override {
    return Look([](const ReplicaLog& r) { return r.VisibleEndOffset(); });
  }
  int64_t LastArrivalMillis() const override {
    return Look([](const ReplicaLog& r) { return r.LastArrivalMillis(); });
  }
  Result<storage::ReadResult> Read(uint64_t from, size_t max_records, size_t max_bytes) const override {
    SLUICE_ASSIGN_OR_RETURN(std::shared_ptr<ReplicaLog> r, Get());
    return r->Read(from, max_records, max_bytes);
  }
  Result<uint64_t> OffsetForTime(int64_t timestamp_ms) const override {
    SLUICE_ASSIGN_OR_RETURN(std::shared_ptr<ReplicaLog> r, Get());
    return r->OffsetForTime(timestamp_ms);
  }
  Result<uint64_t> TrimOlderThan(int64_t before_ms) override {
    std::shared_ptr<ReplicaLog> r = Peek();
    if (!r) return uint64_t{0};
    return r->TrimOlderThan(before_ms);
  }
  Status Close() override {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
    replica_.reset();  // the replica itself closes with the factory
    return Status::Ok();
  }
  Status Destroy() override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      closed_ = true;
      replica_.reset();
    }
    return stores_->Destroy(id_, dir_);
  }
  uint64_t SizeBytes() const override {
    return Look([](const ReplicaLog& r) { return r.SizeBytes(); });
  }
  bool IsLoaded() const override { return Peek() != nullptr; }

 private:
  Result<std::shared_ptr<ReplicaLog>> Get() const {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) return Status::IoError("the store of " + ShardName(id_.shard_index) + " is closed");
    if (!replica_) {
      SLUICE_ASSIGN_OR_RETURN(replica_, stores_->Acquire(id_, dir_));
    }
    return replica_;
  }
  // The replica when this handle or the replication opened it.
  std::shared_ptr<ReplicaLog> Peek() const {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (closed_) return nullptr;
      if (replica_) return replica_;
    }
    return stores_->Find(id_);
  }
  template <typename F>
  auto Look(F f) const -> decltype(f(std::declval<const ReplicaLog&>())) {
    std::shared_ptr<ReplicaLog> r = Peek();
    return r ? f(*r) : decltype(f(*r)){0};
  }

  ReplicatedShardStores* const stores_;
  const ShardId id_;
  const std::string dir_;
  mutable std::mutex mu_;
  mutable std::shared_ptr<ReplicaLog> replica_;  // guarded by mu_
  bool closed_ = false;                          // guarded by mu_
};

}  // namespace

ReplicatedShardStores::ReplicatedShardStores(std::shared_ptr<engine::LocalShardStoreFactory> local,
                                             PeerFetcher* fetcher, ReplicatedStoreOptions options)
    : local_(std::move(local)), options_(std::move(options)), manager_(fetcher, options_.manager) {}

ReplicatedShardStores::~ReplicatedShardStores() { Stop(); }

void ReplicatedShardStores::SetIsrSink(IsrProposalCallback sink) {
  std::lock_guard<std::mutex> lock(mu_);
  isr_sink_ = std::move(sink);
}

void ReplicatedShardStores::Start(std::function<ClusterView::Snapshot()> view) {
  manager_.Start();
  retry_thread_ = std::thread([this, view = std::move(view)] {
    std::unique_lock<std::mutex> lock(mu_);
    while (!stopped_) {
      stop_cv_.wait_for(lock, std::chrono::seconds(1), [this] { return stopped_; });
      if (stopped_ || !apply_failed_) continue;
      lock.unlock();
      Apply(view());
      lock.lock();
    }
  });
}

std::string ReplicatedShardStores::DirOf(const ShardId& shard) const {
  const engine::StreamRef stream{shard.account, shard.region, shard.stream};
  return engine::ShardDir(engine::StreamDir(options_.data_dir, stream, shard.creation_ms), shard.shard_index);
}

std::vector<ReplicaLagSample> ReplicatedShardStores::LagSamples() const {
  std::vector<std::shared_ptr<ReplicaLog>> replicas;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [id, replica] : replicas_) replicas.push_back(replica);
  }
  std::vector<ReplicaLagSample> out;
  for (const std::shared_ptr<ReplicaLog>& replica : replicas) {
    for (auto& [follower, lag] : replica->FollowerLags()) {
      out.push_back(ReplicaLagSample{replica->shard(), std::move(follower), static_cast<int64_t>(lag)});
    }
  }
  return out;
}

bool ReplicatedShardStores::IsDestroyed(const ShardId& shard) const {
  std::lock_guard<std::mutex> lock(mu_);
  return destroyed_.count(shard) > 0;
}

std::shared_ptr<ReplicaLog> ReplicatedShardStores::Find(const ShardId& shard) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = replicas_.find(shard);
  return it == replicas_.end() ? nullptr : it->second;
}

Result<std::shared_ptr<ReplicaLog>> ReplicatedShardStores::Acquire(const ShardId& shard, const std::string& dir) {
  std::lock_guard<std::mutex> lock(mu_);
  return AcquireLocked(shard, dir);
}

Result<std::shared_ptr<ReplicaLog>> ReplicatedShardStores::AcquireLocked(const ShardId& shard, const std::string& dir) {
  if (stopped_) return Status::IoError("the shard stores are stopped");
  if (destroyed_.count(shard) > 0) {
    return Status::IoError(ShardName(shard.shard_index) + " of stream " + shard.stream + " was deleted");
  }
  if (auto it = replicas_.find(shard); it != replicas_.end()) return it->second;
  SLUICE_ASSIGN_OR_RETURN(std::unique_ptr<storage::ShardLog> log, local_->OpenLog(dir));
  const bool in_memory = local_->log_options().durability == storage::Durability::kMemory;
  SLUICE_ASSIGN_OR_RETURN(std::unique_ptr<LeaderEpochHistory> history, LeaderEpochHistory::Open(dir, in_memory));
  ReplicaOptions ropts;
  ropts.node_id = options_.node_id;
  ropts.min_insync_replicas = options_.min_insync_replicas;
  ropts.replica_lag_time_max_ms = options_.replica_lag_time_max_ms;
  ropts.on_follower_durable = [this, shard] { manager_.Wake(shard); };
  ropts.fetch_max_wait_ms = options_.fetch_max_wait_ms;
  // The sink is read when a proposal is made, so one set later still counts.
  IsrProposalCallback propose = [this](const IsrProposal& p) {
    IsrProposalCallback sink;
    {
      std::lock_guard<std::mutex> lock(mu_);
      sink = isr_sink_;
    }
    if (sink) sink(p);
  };
  SLUICE_ASSIGN_OR_RETURN(
      std::unique_ptr<ReplicaLog> opened,
      ReplicaLog::Open(shard, std::move(ropts),
                       std::make_unique<ShardLogLocalLog>(std::move(log), [this, shard] { waits_.Wake(shard); }),
                       std::move(history), std::move(propose)));
  std::shared_ptr<ReplicaLog> replica = std::move(opened);
  replicas_.emplace(shard, replica);
  return replica;
}

Result<std::unique_ptr<engine::ShardStore>> ReplicatedShardStores::Open(const engine::ShardKey& shard,
                                                                        const std::string& dir) {
  return std::unique_ptr<engine::ShardStore>(std::make_unique<ReplicaHandle>(this, IdOf(shard), dir));
}

Status ReplicatedShardStores::Destroy(const ShardId& shard, const std::string& dir) {
  std::shared_ptr<ReplicaLog> replica;
  {
    std::lock_guard<std::mutex> lock(mu_);
    // Marked first: an Apply() under way then takes it out of the fetching
    // again should it have put it back.
    destroyed_.insert(shard);
    if (auto it = replicas_.find(shard); it != replicas_.end()) {
      replica = std::move(it->second);
      replicas_.erase(it);
    }
  }
  manager_.Remove(shard);
  if (replica) return replica->Destroy();
  // Never opened here: its folder may still hold what an earlier run kept.
  SLUICE_ASSIGN_OR_RETURN(std::unique_ptr<storage::ShardLog> log, local_->OpenLog(dir));
  return log->Destroy();
}

void ReplicatedShardStores::Apply(const ClusterView::Snapshot& view) {
  std::lock_guard<std::mutex> apply_lock(apply_mu_);
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopped_) return;
  }
  std::set<ShardId> present;
  bool failed = false;
  for (const ShardRecord& record : view.shards) {
    present.insert(record.id);
    const ShardLeadership& l = record.leadership;
    const bool replica_here = std::find(l.replicas.begin(), l.replicas.end(), options_.node_id) != l.replicas.end();
    std::string leader_address;
    if (auto node = view.live_nodes.find(l.leader); node != view.live_nodes.end()) {
      leader_address = node->second.advertise;
    }
    if (IsDestroyed(record.id)) continue;  // its stream was deleted; the record goes soon
    auto applied = applied_.find(record.id);
    if (applied != applied_.end() && applied->second.mod_revision == record.mod_revision &&
        applied->second.leader_address == leader_address) {
      continue;
    }
    std::shared_ptr<ReplicaLog> replica;
    Status status;
    if (replica_here) {
      const std::string dir = DirOf(record.id);
      // The epoch history is saved in the shard's folder, which a shard gets
      // with its first record otherwise.
      if (local_->log_options().durability != storage::Durability::kMemory) {
        std::error_code ec;
        std::filesystem::create_directories(dir, ec);
        if (ec) status = Status::IoError("cannot create " + dir + ": " + ec.message());
      }
      if (status.ok()) {
        Result<std::shared_ptr<ReplicaLog>> acquired = Acquire(record.id, dir);
        status = acquired.status();
        if (acquired.ok()) replica = std::move(acquired).value();
      }
    } else {
      replica = Find(record.id);  // a replica this node no longer holds
    }
    if (replica && status.ok()) status = replica->ApplyLeadership(l, leader_address);
    if (!status.ok() && status.code() != ErrorCode::kInvalidArgument) {
      // An older record (InvalidArgument) is simply not news; anything else
      // is tried again at the next change.
      if (uint64_t suppressed; log_limit_.Allow(&suppressed)) {
        log::Warn(
            "cluster: cannot apply the leadership of {} of stream {} (epoch {}): {} ({} more such lines not "
            "logged)",
            ShardName(record.id.shard_index), record.id.stream, l.leader_epoch, status.message(), suppressed);
      }
      applied_.erase(record.id);
      failed = true;
      continue;
    }
    applied_[record.id] = Applied{record.mod_revision, leader_address};
    if (replica && replica_here) {
      if (!manager_.Find(record.id)) manager_.Add(replica);
      if (IsDestroyed(record.id)) manager_.Remove(record.id);  // destroyed meanwhile
    } else {
      manager_.Remove(record.id);
    }
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    apply_failed_ = failed;
  }
  // Records gone (their stream deleted): the replica stops fetching; the
  // engine destroys it with the stream.
  for (auto it = applied_.begin(); it != applied_.end();) {
    if (present.count(it->first) > 0) {
      ++it;
      continue;
    }
    manager_.Remove(it->first);
    it = applied_.erase(it);
  }
}

void ReplicatedShardStores::Fetch(const FetchRequest& request, std::function<void(FetchResponse)> reply) {
  const uint64_t generation = waits_.Generation(request.shard);
  FetchResponse response = manager_.HandleFetch(request);
  if (request.max_wait_ms == 0 || response.error != FetchError::kNone || !response.records.empty()) {
    return reply(std::move(response));
  }
  // Nothing new: held until the shard's next records, or the wait's end.
  auto shared_reply = std::make_shared<std::function<void(FetchResponse)>>(std::move(reply));
  waits_.Park(request.shard, generation, MonotonicMillis() + request.max_wait_ms,
              [this, request, shared_reply](bool last) {
                FetchResponse again = manager_.HandleFetch(request);
                if (!last && again.error == FetchError::kNone && again.records.empty()) return false;
                (*shared_reply)(std::move(again));
                return true;
              });
}

void ReplicatedShardStores::Stop() {
  std::map<ShardId, std::shared_ptr<ReplicaLog>> replicas;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopped_) return;
    stopped_ = true;
    replicas.swap(replicas_);
  }
  stop_cv_.notify_all();
  if (retry_thread_.joinable()) retry_thread_.join();
  waits_.Stop();  // answers the fetches held
  manager_.Stop();
  for (auto& [id, replica] : replicas) (void)replica->Close();  // fails the waits still pending
  local_->Stop();
}

}  // namespace sluice::cluster
