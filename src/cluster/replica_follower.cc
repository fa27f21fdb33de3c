// ReplicaLog as follower: one fetch from the leader and what it does to the
// local log.
#include <algorithm>

#include "cluster/replica_log.h"
#include "util/log.h"

namespace sluice::cluster {

Result<bool> ReplicaLog::FetchOnce(PeerFetcher& fetcher) {
  FetchRequest request;
  std::string address;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) return ClosedError();
    if (role_ != Role::kFollower || leader_address_.empty()) return false;
    request.shard = shard_;
    request.follower = options_.node_id;
    request.leader_epoch = epoch_;
    request.fetch_offset = log_->EndOffset();
    request.durable_end = std::min(log_->DurableEnd(), request.fetch_offset);
    request.last_fetched_epoch = request.fetch_offset == 0 ? 0 : history_->EpochAt(request.fetch_offset - 1);
    request.max_bytes = options_.fetch_max_bytes;
    // A follower with records not yet durable asks at once: its next fetch
    // reports them, and the leader's commit waits for that.
    request.max_wait_ms = request.durable_end < request.fetch_offset ? 0 : options_.fetch_max_wait_ms;
    address = leader_address_;
  }
  SLUICE_ASSIGN_OR_RETURN(FetchResponse response, fetcher.Fetch(address, request));
  Result<bool> changed = false;
  uint64_t end = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    // An answer to a role since left, or overtaken by another fetch, is dropped.
    if (closed_ || role_ != Role::kFollower || epoch_ != request.leader_epoch ||
        log_->EndOffset() != request.fetch_offset) {
      return false;
    }
    changed = ApplyFetchLocked(request, response);
    end = log_->EndOffset();
  }
  if (changed.ok() && *changed && end <= request.fetch_offset && options_.on_follower_durable) {
    // A divergent tail cut: nothing to sync, the next fetch may go at once.
    options_.on_follower_durable();
  } else if (changed.ok() && *changed && end > request.fetch_offset) {
    // Ask for the new records' sync (the local log may sync only on
    // request), and say when it is done: the next fetch reports it, and the
    // leader may commit.
    log_->WhenDurable(end, [on_durable = options_.on_follower_durable](Status s) {
      if (s.ok() && on_durable) on_durable();
    });
  }
  return changed;
}

Result<bool> ReplicaLog::ApplyFetchLocked(const FetchRequest& request, const FetchResponse& response) {
  const std::string from = " from the leader of " + Describe() + " at " + leader_address_;
  switch (response.error) {
    case FetchError::kNone: break;
    case FetchError::kNotLeader:
    case FetchError::kStaleEpoch:
    case FetchError::kUnknownEpoch:
    case FetchError::kUnknownShard:  // a leader that has not applied the shard's record yet
      return Status(ErrorCode::kNotLeader,
                    "fetch refused" + from + " (epoch " + std::to_string(epoch_) + "): " + response.message);
    case FetchError::kOffsetOutOfRange:
      if (request.fetch_offset < response.log_start_offset) {
        SLUICE_RETURN_IF_ERROR(ResetBelowLeaderStartLocked(request, response.log_start_offset));
        return true;
      }
      // Not below the leader's start: past its end, where a follower should
      // have truncated. Starting over would not fix that, so it is an error.
      return Status::Internal("fetch refused" + from + ": " + response.message + " (the leader's log is " +
                              std::to_string(response.log_start_offset) + ".." +
                              std::to_string(response.log_end_offset) + ", this replica's ends at " +
                              std::to_string(request.fetch_offset) + ": not resetting)");
    default: return Status::Internal("fetch refused" + from + ": " + response.message);
  }
  // Never records of another epoch than the one followed.
  if (response.leader_epoch != epoch_) {
    return Status(ErrorCode::kNotLeader, "answer of leader epoch " + std::to_string(response.leader_epoch) + from +
                                             " while following epoch " + std::to_string(epoch_) + ": dropped");
  }
  if (response.diverging_end) {
    SLUICE_RETURN_IF_ERROR(TruncateDivergingLocked(request, *response.diverging_end));
    return true;
  }
  SLUICE_RETURN_IF_ERROR(AppendFetchedLocked(response.records, request.fetch_offset));
  // Committed: what the leader says is, as far as this log has it.
  hw_ = std::max(hw_, std::min(response.high_watermark, log_->EndOffset()));
  return !response.records.empty();
}

Status ReplicaLog::TruncateDivergingLocked(const FetchRequest& request, uint64_t diverging_end) {
  uint64_t end = diverging_end;
  if (end >= request.fetch_offset) {
    // The leader has no record of this log's last epoch (else it would name
    // an earlier end): that epoch's leader never committed any, so all of
    // them go, and the next fetch checks the epoch before.
    end = history_->StartOf(request.last_fetched_epoch);
  }
  if (end < hw_) {
    return Status::Corruption("the leader of " + Describe() + " says the log diverges at " + std::to_string(end) +
                              ", below the high watermark " + std::to_string(hw_) + ": not truncating");
  }
  // The log first, then the history: a crash between leaves history entries
  // past the log's end, which Open() cuts.
  SLUICE_RETURN_IF_ERROR(log_->TruncateTo(end));
  return history_->TruncateTo(end);
}

Status ReplicaLog::ResetBelowLeaderStartLocked(const FetchRequest& request, uint64_t leader_start) {
  log::Info(
      "replica of {}: its log ends at {}, below the start {} of its leader's log (epoch {}): starting it over "
      "there",
      Describe(), request.fetch_offset, leader_start, epoch_);
  // The history first, then the log: a crash between leaves an empty history
  // over the old log, which the leader refuses again, and the reset is redone.
  // An empty history is right for the new log: it holds no record, and the
  // records it fetches bring their epochs.
  SLUICE_RETURN_IF_ERROR(history_->TruncateTo(0));
  SLUICE_RETURN_IF_ERROR(log_->ResetTo(leader_start));
  // Nothing below the new start is here to commit or to cut.
  hw_ = std::max(hw_, leader_start);
  return Status::Ok();
}

Status ReplicaLog::AppendFetchedLocked(const std::vector<FetchedRecord>& records, uint64_t fetch_offset) {
  uint64_t next = fetch_offset;
  std::vector<storage::AppendEntry> batch;
  for (size_t i = 0; i < records.size();) {
    const FetchedRecord& head = records[i];
    if (head.leader_epoch > epoch_ || head.leader_epoch < history_->LatestEpoch()) {
      return Status::Corruption("record " + std::to_string(head.offset) + " of leader epoch " +
                                std::to_string(head.leader_epoch) + " does not fit the epochs " +
                                std::to_string(history_->LatestEpoch()) + ".." + std::to_string(epoch_));
    }
    // One local batch per run of records with one arrival time and epoch, so
    // that every record keeps the leader's arrival time at the leader's offset.
    batch.clear();
    size_t j = i;
    for (;
         j < records.size() && records[j].arrival_ms == head.arrival_ms && records[j].leader_epoch == head.leader_epoch;
         ++j) {
      if (records[j].offset != next + (j - i)) {
        return Status::Corruption("record " + std::to_string(records[j].offset) + " from the leader of " + Describe() +
                                  " where " + std::to_string(next + (j - i)) + " was expected");
      }
      batch.push_back({records[j].partition_key, records[j].data});
    }
    if (head.leader_epoch > history_->LatestEpoch()) {
      SLUICE_RETURN_IF_ERROR(history_->Assign(head.leader_epoch, next));
    }
    SLUICE_ASSIGN_OR_RETURN(uint64_t first, log_->Append(batch, head.arrival_ms));
    if (first != next) {
      return Status::Corruption("the local log of " + Describe() + " appended at " + std::to_string(first) +
                                " instead of " + std::to_string(next));
    }
    next += batch.size();
    i = j;
  }
  return Status::Ok();
}

}  // namespace sluice::cluster
