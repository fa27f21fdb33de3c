// ReplicaLog as leader: answering fetches, the high watermark, ISR proposals.
#include <algorithm>
#include <limits>

#include "cluster/replica_log.h"

namespace sluice::cluster {
namespace {

bool Contains(const std::vector<std::string>& nodes, const std::string& node) {
  return std::find(nodes.begin(), nodes.end(), node) != nodes.end();
}

FetchResponse Refusal(FetchError error, int64_t leader_epoch, std::string message) {
  FetchResponse r;
  r.error = error;
  r.leader_epoch = leader_epoch;
  r.message = std::move(message);
  return r;
}

// kOffsetOutOfRange, with this log's start and end (`leader`'s, already
// filled in): the follower starts over at the start when it is below it.
FetchResponse OutOfRange(const FetchRequest& request, const FetchResponse& leader, const std::string& where) {
  FetchResponse r = Refusal(FetchError::kOffsetOutOfRange, leader.leader_epoch,
                            "offset " + std::to_string(request.fetch_offset) + " is " + where);
  r.log_start_offset = leader.log_start_offset;
  r.log_end_offset = leader.log_end_offset;
  r.high_watermark = leader.high_watermark;
  return r;
}

}  // namespace

std::optional<FetchResponse> ReplicaLog::RefuseFetchLocked(const FetchRequest& request) const {
  if (request.shard != shard_) return Refusal(FetchError::kUnknownShard, epoch_, "no such shard here");
  if (closed_ || role_ != Role::kLeader) {
    return Refusal(FetchError::kNotLeader, epoch_, options_.node_id + " does not lead " + Describe());
  }
  if (request.leader_epoch < epoch_) {
    return Refusal(FetchError::kStaleEpoch, epoch_,
                   "leader epoch " + std::to_string(request.leader_epoch) + " is older than " + std::to_string(epoch_));
  }
  if (request.leader_epoch > epoch_) {
    return Refusal(FetchError::kUnknownEpoch, epoch_,
                   "leader epoch " + std::to_string(request.leader_epoch) + " is newer than " + std::to_string(epoch_));
  }
  if (!followers_.contains(request.follower)) {
    return Refusal(FetchError::kNotReplica, epoch_, request.follower + " is not a replica of " + Describe());
  }
  return std::nullopt;
}

FetchResponse ReplicaLog::HandleFetch(const FetchRequest& request) {
  Deferred deferred;
  FetchResponse response;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (auto refusal = RefuseFetchLocked(request)) return *refusal;
    const uint64_t log_end = log_->EndOffset();
    response.leader_epoch = epoch_;
    response.log_start_offset = log_->StartOffset();
    response.log_end_offset = log_end;
    response.high_watermark = hw_;
    // Below this log's start nothing of the follower's can be checked or
    // kept: it starts over at the start (ResetBelowLeaderStartLocked).
    if (request.fetch_offset < response.log_start_offset) {
      return OutOfRange(request, response, "below the log start " + std::to_string(response.log_start_offset));
    }
    // The follower's log agrees with this one up to fetch_offset when its
    // last epoch is one this log has and that epoch's records here reach
    // that far (KIP-320); otherwise it keeps nothing from the point where
    // they stop agreeing. Epoch 0 past offset 0 is a follower that holds no
    // record before fetch_offset (its log was reset to start there): nothing
    // to check, as long as this log reaches that far.
    if (request.last_fetched_epoch == 0 && request.fetch_offset > 0) {
      if (request.fetch_offset > log_end) {
        return OutOfRange(request, response, "past the log end " + std::to_string(log_end));
      }
    } else {
      const EpochEnd theirs = history_->EndOf(request.last_fetched_epoch, log_end);
      if (theirs.epoch != request.last_fetched_epoch || request.fetch_offset > theirs.end_offset) {
        response.diverging_end = std::min(theirs.end_offset, request.fetch_offset);
        return response;
      }
    }
    Follower& f = followers_[request.follower];
    const int64_t now = options_.clock->NowMillis();
    // Caught up: it has everything this log had when it fetched last
    // (Kafka's lastCaughtUpTime), so steady appends do not make it lag.
    if (request.fetch_offset >= f.leader_end_at_fetch) f.caught_up_ms = now;
    f.leader_end_at_fetch = log_end;
    f.fetched_end = request.fetch_offset;
    f.durable_end = std::min(request.durable_end, request.fetch_offset);
    AdvanceHighWatermarkLocked(deferred);
    // A member must hold every committed record durably (a leader may come
    // from any of them), so one joins once it has the log's end and has the
    // committed part of it on its disk.
    if (!Contains(isr_, request.follower) && request.fetch_offset >= log_end && f.durable_end >= hw_) {
      std::vector<std::string> wanted = isr_;
      wanted.push_back(request.follower);
      ProposeIsrLocked(std::move(wanted), deferred);
    }
    response.high_watermark = hw_;
  }
  deferred.Run(on_isr_proposal_);
  if (request.fetch_offset >= response.log_end_offset) return response;

  // The read goes without the lock; the records' epochs come from the
  // history after it, unless the leadership moved on meanwhile.
  Result<storage::ReadResult> read =
      log_->Read(request.fetch_offset, std::numeric_limits<size_t>::max(), request.max_bytes);
  if (!read.ok()) return Refusal(FetchError::kStorage, response.leader_epoch, read.status().ToString());
  std::lock_guard<std::mutex> lock(mu_);
  if (role_ != Role::kLeader || epoch_ != response.leader_epoch) {
    return Refusal(FetchError::kNotLeader, epoch_, options_.node_id + " no longer leads " + Describe());
  }
  for (const storage::StoredRecord& r : read->records) {
    response.records.push_back(
        {r.offset, r.arrival_ms, history_->EpochAt(r.offset), std::string(r.partition_key), std::string(r.data)});
  }
  return response;
}

void ReplicaLog::AdvanceHighWatermarkLocked(Deferred& out) {
  if (role_ != Role::kLeader) return;
  // Every member of the ISR counts, and so does a member a proposal in flight
  // adds (the controller may have written it already: Kafka's "maximal ISR";
  // one proposal can overtake another, so every proposal since the ISR last
  // changed).
  uint64_t hw = log_->DurableEnd();
  for (const std::vector<std::string>* members : {&isr_, &proposed_members_}) {
    for (const std::string& m : *members) {
      if (m == options_.node_id) continue;
      auto f = followers_.find(m);
      hw = std::min(hw, f == followers_.end() ? 0 : f->second.durable_end);
    }
  }
  if (hw <= hw_) return;
  hw_ = hw;
  auto stop = waits_.upper_bound(hw_);
  out.completed.insert(std::make_move_iterator(waits_.begin()), std::make_move_iterator(stop));
  waits_.erase(waits_.begin(), stop);
  out.completed_status = isr_.size() < MinInsyncLocked()
                             ? TooFewInsyncLocked("records of " + Describe() + " were committed by too few replicas")
                             : Status::Ok();
}

void ReplicaLog::ProposeIsrLocked(std::vector<std::string> isr, Deferred& out) {
  // In the replicas' order, so that equal sets compare equal.
  std::vector<std::string> ordered;
  for (const std::string& r : replicas_) {
    if (Contains(isr, r)) ordered.push_back(r);
  }
  if (ordered == isr_) return;
  // One proposal at a time: another waits until the ISR changes or the
  // retry time has passed.
  const int64_t now = options_.clock->NowMillis();
  if (!last_proposal_.empty() && now - proposed_at_ms_ < options_.isr_proposal_retry_ms) return;
  for (const std::string& m : ordered) {
    if (!Contains(proposed_members_, m)) proposed_members_.push_back(m);
  }
  last_proposal_ = ordered;
  proposed_at_ms_ = now;
  out.proposal = IsrProposal{shard_, epoch_, std::move(ordered), isr_};
}

void ReplicaLog::CheckLaggingFollowers() {
  Deferred deferred;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_ || role_ != Role::kLeader) return;
    const int64_t now = options_.clock->NowMillis();
    std::vector<std::string> wanted;
    for (const std::string& m : isr_) {
      auto f = followers_.find(m);
      const bool lags = f != followers_.end() && now - f->second.caught_up_ms > options_.replica_lag_time_max_ms;
      if (!lags) wanted.push_back(m);
    }
    ProposeIsrLocked(std::move(wanted), deferred);
  }
  deferred.Run(on_isr_proposal_);
}

void ReplicaLog::OnLocalDurable(int64_t epoch, const Status& status) {
  // Without the lock first: a follower truncating its log (under the lock)
  // fails the local syncs it still had pending from when it led.
  if (leading_epoch_.load(std::memory_order_acquire) != epoch) return;
  Deferred deferred;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (role_ != Role::kLeader || epoch != epoch_) return;
    if (status.ok()) {
      AdvanceHighWatermarkLocked(deferred);
    } else {
      // The local copy is not durable: nothing above the HW can be promised.
      FailWaitsLocked(status, deferred);
    }
  }
  deferred.Run(on_isr_proposal_);
}

}  // namespace sluice::cluster
