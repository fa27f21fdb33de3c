// ReplicaLog's role changes and its ShardStore face; the leader's side is in
// replica_leader.cc, the follower's in replica_follower.cc.
#include "cluster/replica_log.h"

#include <algorithm>

namespace sluice::cluster {

ReplicaLog::ReplicaLog(ShardId shard, ReplicaOptions options, std::unique_ptr<LocalLog> log,
                       std::unique_ptr<LeaderEpochHistory> history, IsrProposalCallback on_isr_proposal)
    : shard_(std::move(shard)),
      options_(std::move(options)),
      log_(std::move(log)),
      on_isr_proposal_(std::move(on_isr_proposal)),
      history_(std::move(history)) {}

Result<std::unique_ptr<ReplicaLog>> ReplicaLog::Open(ShardId shard, ReplicaOptions options,
                                                     std::unique_ptr<LocalLog> log,
                                                     std::unique_ptr<LeaderEpochHistory> history,
                                                     IsrProposalCallback on_isr_proposal) {
  SLUICE_RETURN_IF_ERROR(history->TruncateTo(log->EndOffset()));
  return std::unique_ptr<ReplicaLog>(new ReplicaLog(std::move(shard), std::move(options), std::move(log),
                                                    std::move(history), std::move(on_isr_proposal)));
}

ReplicaLog::~ReplicaLog() { (void)Close(); }  // Close() logs nothing; its error has no one to go to

std::string ReplicaLog::Describe() const { return ShardName(shard_.shard_index) + " of stream " + shard_.stream; }

size_t ReplicaLog::MinInsyncLocked() const {
  return std::min(options_.min_insync_replicas, std::max<size_t>(1, replicas_.size()));
}

Status ReplicaLog::TooFewInsyncLocked(const std::string& what) const {
  return Status::Internal(what + ": " + std::to_string(isr_.size()) + " in-sync replicas of the " +
                          std::to_string(MinInsyncLocked()) + " required");
}

Status ReplicaLog::ClosedError() const { return Status::IoError("the replica of " + Describe() + " is closed"); }

void ReplicaLog::Deferred::Run(const IsrProposalCallback& on_isr_proposal) {
  for (auto& [end, done] : completed) done(completed_status);
  for (auto& [end, done] : failed) done(failed_status);
  // The proposal goes out after the waits: the callback may hand a new ISR
  // back at once.
  if (proposal && on_isr_proposal) on_isr_proposal(*proposal);
}

void ReplicaLog::FailWaitsLocked(const Status& status, Deferred& out) {
  out.failed.merge(waits_);
  out.failed_status = status;
}

Status ReplicaLog::ApplyLeadership(const ShardLeadership& leadership, const std::string& leader_address) {
  Deferred deferred;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) return ClosedError();
    if (leadership.leader_epoch < epoch_) {
      return Status::InvalidArgument("leader epoch " + std::to_string(leadership.leader_epoch) + " is older than " +
                                     std::to_string(epoch_));
    }
    if (leadership.leader_epoch == epoch_ && leadership.leader != leader_) {
      return Status::InvalidArgument("leader epoch " + std::to_string(epoch_) + " is led by '" + leader_ + "', not '" +
                                     leadership.leader + "'");
    }
    const auto is_replica = [&](const std::string& node) {
      return std::find(leadership.replicas.begin(), leadership.replicas.end(), node) != leadership.replicas.end();
    };
    const bool leads = leadership.leader == options_.node_id;
    if (!leadership.leader.empty() && !is_replica(leadership.leader)) {
      return Status::InvalidArgument("leader " + leadership.leader + " is not among the replicas");
    }
    const Role role = leads                                                        ? Role::kLeader
                      : !leadership.leader.empty() && is_replica(options_.node_id) ? Role::kFollower
                                                                                   : Role::kNone;
    if (leadership.leader_epoch > epoch_ && role == Role::kLeader) {
      // Records this leader appends belong to its epoch from here on.
      SLUICE_RETURN_IF_ERROR(history_->Assign(leadership.leader_epoch, log_->EndOffset()));
    }
    if (leadership.leader_epoch > epoch_ || role != role_) {
      if (role_ == Role::kLeader && role != Role::kLeader) {
        FailWaitsLocked(Status(ErrorCode::kNotLeader, "leadership of " + Describe() + " moved to epoch " +
                                                          std::to_string(leadership.leader_epoch) +
                                                          " before the records were committed"),
                        deferred);
      }
      followers_.clear();
      if (role == Role::kLeader) {
        const int64_t now = options_.clock->NowMillis();
        for (const std::string& r : leadership.replicas) {
          if (r != options_.node_id) followers_[r].caught_up_ms = now;
        }
      }
    }
    if (leadership.leader_epoch != epoch_ || !SameMembers(leadership.isr, isr_)) {
      // Proposals are written only onto the ISR they came from: a changed
      // one (or epoch) leaves none that could still be.
      proposed_members_.clear();
      last_proposal_.clear();
    }
    role_ = role;
    epoch_ = leadership.leader_epoch;
    leading_epoch_.store(role == Role::kLeader ? epoch_ : 0, std::memory_order_release);
    leader_ = leadership.leader;
    leader_address_ = role == Role::kFollower ? leader_address : "";
    replicas_ = leadership.replicas;
    isr_ = leadership.isr;
    for (const std::string& r : replicas_) {
      if (role_ == Role::kLeader && r != options_.node_id && !followers_.contains(r)) {
        followers_[r].caught_up_ms = options_.clock->NowMillis();
      }
    }
    AdvanceHighWatermarkLocked(deferred);
  }
  deferred.Run(on_isr_proposal_);
  return Status::Ok();
}

std::vector<std::pair<std::string, uint64_t>> ReplicaLog::FollowerLags() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::pair<std::string, uint64_t>> out;
  if (role_ != Role::kLeader) return out;
  const uint64_t end = log_->EndOffset();
  for (const auto& [node, f] : followers_) out.emplace_back(node, end - std::min(end, f.fetched_end));
  return out;
}

bool ReplicaLog::IsFollowing() const {
  std::lock_guard<std::mutex> lock(mu_);
  return !closed_ && role_ == Role::kFollower && !leader_address_.empty();
}

bool ReplicaLog::IsLeader() const {
  std::lock_guard<std::mutex> lock(mu_);
  return role_ == Role::kLeader;
}

int64_t ReplicaLog::LeaderEpoch() const {
  std::lock_guard<std::mutex> lock(mu_);
  return epoch_;
}

std::vector<std::string> ReplicaLog::Isr() const {
  std::lock_guard<std::mutex> lock(mu_);
  return isr_;
}

// ---- engine::ShardStore ----

Result<uint64_t> ReplicaLog::Append(std::span<const storage::AppendEntry> entries, int64_t arrival_ms) {
  uint64_t first = 0;
  int64_t epoch = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) return ClosedError();
    if (role_ != Role::kLeader) {
      return Status(ErrorCode::kNotLeader,
                    "this node does not lead " + Describe() + " (leader epoch " + std::to_string(epoch_) + ")");
    }
    if (isr_.size() < MinInsyncLocked()) return TooFewInsyncLocked("not enough in-sync replicas for " + Describe());
    SLUICE_ASSIGN_OR_RETURN(first, log_->Append(entries, arrival_ms));
    epoch = epoch_;
  }
  log_->WhenDurable(first + entries.size(), [this, epoch](Status s) { OnLocalDurable(epoch, s); });
  return first;
}

void ReplicaLog::WhenDurable(uint64_t end_offset, std::function<void(Status)> done) {
  Status status;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) {
      status = ClosedError();
    } else if (end_offset <= hw_) {
      status = Status::Ok();
    } else if (role_ != Role::kLeader) {
      status = Status(ErrorCode::kNotLeader, "this node does not lead " + Describe());
    } else {
      waits_.emplace(end_offset, std::move(done));
      return;
    }
  }
  done(status);
}

uint64_t ReplicaLog::StartOffset() const { return log_->StartOffset(); }
uint64_t ReplicaLog::EndOffset() const { return log_->EndOffset(); }
int64_t ReplicaLog::LastArrivalMillis() const { return log_->LastArrivalMillis(); }
uint64_t ReplicaLog::SizeBytes() const { return log_->SizeBytes(); }

uint64_t ReplicaLog::VisibleEndOffset() const {
  std::lock_guard<std::mutex> lock(mu_);
  return hw_;
}

Result<storage::ReadResult> ReplicaLog::Read(uint64_t from, size_t max_records, size_t max_bytes) const {
  uint64_t hw = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) return ClosedError();
    hw = hw_;
  }
  from = std::max(from, log_->StartOffset());
  if (from >= hw) {
    storage::ReadResult empty;
    empty.next_offset = from;
    return empty;
  }
  SLUICE_ASSIGN_OR_RETURN(storage::ReadResult result,
                          log_->Read(from, std::min<uint64_t>(max_records, hw - from), max_bytes));
  // The local log may hold more than is committed; readers see the HW's side.
  auto past = std::find_if(result.records.begin(), result.records.end(),
                           [hw](const storage::StoredRecord& r) { return r.offset >= hw; });
  result.records.erase(past, result.records.end());
  if (!result.records.empty()) result.next_offset = result.records.back().offset + 1;
  return result;
}

Result<uint64_t> ReplicaLog::OffsetForTime(int64_t timestamp_ms) const { return log_->OffsetForTime(timestamp_ms); }

Result<uint64_t> ReplicaLog::TrimOlderThan(int64_t before_ms) { return log_->TrimOlderThan(before_ms); }

Status ReplicaLog::Close() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) return Status::Ok();
    closed_ = true;
  }
  // Outside the lock: closing completes the local log's waits, which call
  // OnLocalDurable().
  Status status = log_->Close();
  Deferred deferred;
  {
    std::lock_guard<std::mutex> lock(mu_);
    FailWaitsLocked(Status::IoError("the replica of " + Describe() + " closed before the records were committed"),
                    deferred);
  }
  deferred.Run(on_isr_proposal_);
  return status;
}

Status ReplicaLog::Destroy() {
  SLUICE_RETURN_IF_ERROR(Close());
  return log_->Destroy();
}

}  // namespace sluice::cluster
