#include "cluster/isr_writer.h"

#include <algorithm>

#include "util/log.h"

namespace sluice::cluster {
namespace {

std::string Join(const std::vector<std::string>& nodes) {
  std::string out;
  for (const std::string& n : nodes) out += (out.empty() ? "" : ",") + n;
  return out;
}

}  // namespace

IsrWriter::IsrWriter(EtcdClient& client, const ClusterView& view, std::string node_id)
    : client_(client), view_(view), node_id_(std::move(node_id)) {}

IsrWriter::~IsrWriter() { Stop(); }

void IsrWriter::Propose(const IsrProposal& proposal) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return;
    pending_[proposal.shard] = proposal;
  }
  wake_.notify_one();
}

Result<bool> IsrWriter::Write(const IsrProposal& proposal) {
  std::optional<ShardRecord> record = view_.shard(proposal.shard);
  if (!record) return false;
  const ShardLeadership& current = record->leadership;
  if (current.leader != node_id_ || current.leader_epoch != proposal.leader_epoch ||
      !SameMembers(current.isr, proposal.from_isr)) {
    return false;
  }
  ShardLeadership next = current;
  next.isr = proposal.isr;
  SLUICE_ASSIGN_OR_RETURN(bool written, UpdateShardLeadership(client_, *record, next));
  if (written) {
    log::Info("cluster: {} of stream {} (epoch {}): in-sync replicas {} -> {}", ShardName(proposal.shard.shard_index),
              proposal.shard.stream, proposal.leader_epoch, Join(current.isr), Join(next.isr));
  }
  return written;
}

Result<int> RenewOwnLeaderships(EtcdClient& client, const std::string& node_id) {
  SLUICE_ASSIGN_OR_RETURN(std::vector<ShardRecord> records, ListShardRecords(client));
  int renewed = 0;
  for (const ShardRecord& record : records) {
    if (record.leadership.leader != node_id) continue;
    ShardLeadership next = record.leadership;
    ++next.leader_epoch;
    SLUICE_ASSIGN_OR_RETURN(bool written, UpdateShardLeadership(client, record, next));
    if (written) ++renewed;  // else the controller moved it meanwhile: its record counts
  }
  return renewed;
}

void IsrWriter::Start() {
  thread_ = std::thread([this] { Loop(); });
}

void IsrWriter::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
    pending_.clear();
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void IsrWriter::Loop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    wake_.wait(lock, [this] { return stopping_ || !pending_.empty(); });
    if (stopping_) return;
    std::map<ShardId, IsrProposal> batch;
    batch.swap(pending_);
    lock.unlock();
    for (const auto& [shard, proposal] : batch) {
      Result<bool> written = Write(proposal);
      if (!written.ok()) {
        if (uint64_t suppressed; log_limit_.Allow(&suppressed)) {
          log::Warn("cluster: cannot write the in-sync replicas of {} of stream {}: {} ({} more such lines not logged)",
                    ShardName(shard.shard_index), shard.stream, written.status().message(), suppressed);
        }
      }
    }
    lock.lock();
  }
}

}  // namespace sluice::cluster
