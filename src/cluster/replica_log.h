// ReplicaLog: one shard's replica on this node, the replication state
// machine of docs/cluster.md ("Replication"). It writes through a LocalLog
// (local_log.h) and keeps the shard's LeaderEpochHistory; leadership comes
// from outside (ApplyLeadership, from the shard's record in etcd).
//
// As LEADER it is the engine's ShardStore for the shard: Append() writes the
// local log, HandleFetch() answers the followers' pulls and learns from them
// how far each has the log and has it durable, and the high watermark (HW)
// is the smallest durable end among the leader, every in-sync replica (ISR)
// and every member a proposal may still add. WhenDurable() completes once
// the HW passes the wait, VisibleEndOffset() is the HW, Read() stops there.
// Append() is refused while the ISR is smaller than min_insync_replicas. It
// proposes ISR changes through a callback: a follower caught up to the log
// end, with the committed records on its disk, joins; a member not caught
// up for replica_lag_time_max_ms leaves; a change takes effect when the new
// ISR comes back through ApplyLeadership().
//
// As FOLLOWER, FetchOnce() pulls from the leader through a PeerFetcher and
// appends what it gets with the leader's arrival times at the leader's
// offsets (so sequence numbers match), truncates a suffix the leader says
// diverges, and follows the leader's HW. A follower whose log ends below the
// leader's start (kOffsetOutOfRange: retention trimmed the leader past it,
// or its disk was wiped) starts its log over, empty, at the leader's start.
//
// Fencing: a leadership with a newer epoch ends the old role at once: a
// deposed leader fails every pending wait above its HW with NotLeader and
// refuses appends; answers and records from another epoch than the one
// followed are dropped. Records below the HW are never truncated.
//
// Threading: every method is thread-safe; one mutex guards the state. The
// local log's own locks are inner to it; callbacks (waits, ISR proposals)
// run with no lock held. FetchOnce() calls the fetcher with no lock held.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "cluster/leader_epoch_history.h"
#include "cluster/local_log.h"
#include "cluster/peer_fetcher.h"
#include "cluster/peer_messages.h"
#include "cluster/shard_leadership.h"
#include "engine/shard_store.h"
#include "util/clock.h"

namespace sluice::cluster {

struct ReplicaOptions {
  std::string node_id;  // this node
  // Appends are refused while the ISR has fewer members (Kafka's
  // min.insync.replicas), or fewer than all the shard's replicas when it has
  // fewer than that (a shard assigned while the cluster was smaller).
  size_t min_insync_replicas = 1;
  // An in-sync follower that has not caught up to the leader's log end for
  // this long is proposed for removal (Kafka's replica.lag.time.max.ms).
  int64_t replica_lag_time_max_ms = 10'000;
  // The same ISR change is proposed again after this long if the new ISR has
  // not come back (the controller's write may have lost a race).
  int64_t isr_proposal_retry_ms = 1'000;
  uint32_t fetch_max_bytes = 1 << 20;
  const Clock* clock = &SystemClock::Instance();
  // Follower: called when records it fetched have become durable here (on
  // any thread, no lock held; must be quick), so that its next fetch can
  // report them at once (ReplicaManager::Wake).
  std::function<void()> on_follower_durable;
  // Follower: how long the leader may hold a fetch that finds nothing new
  // (FetchRequest::max_wait_ms); 0 answers at once.
  uint32_t fetch_max_wait_ms = 0;
};

// An ISR the leader wants written to the shard's record (the controller's
// side writes it, then hands it back through ApplyLeadership()). It is a
// change from `from_isr`: write it only while the record still has that ISR
// and epoch (else a proposal overtaken by a later one could bring back a
// member the leader no longer counts).
struct IsrProposal {
  ShardId shard;
  int64_t leader_epoch = 0;
  std::vector<std::string> isr;
  std::vector<std::string> from_isr;
};
using IsrProposalCallback = std::function<void(const IsrProposal&)>;

class ReplicaLog final : public engine::ShardStore {
 public:
  // A replica of `shard` over `log` and its epoch `history`, with no role
  // until ApplyLeadership(). First cuts history entries past the log's end
  // (a crash between truncating the log and the history leaves them).
  // `on_isr_proposal` is called with no lock held and must be quick.
  // Errors: IoError (saving the history).
  static Result<std::unique_ptr<ReplicaLog>> Open(ShardId shard, ReplicaOptions options, std::unique_ptr<LocalLog> log,
                                                  std::unique_ptr<LeaderEpochHistory> history,
                                                  IsrProposalCallback on_isr_proposal);
  ~ReplicaLog() override;  // Close()s

  // Takes the shard's leadership record: this node leads it (leader ==
  // node_id), follows `leader_address`, or neither. The same epoch again
  // updates the replicas and the ISR only (a handed-back ISR change); a newer
  // one changes role (and fences the old one). Errors: InvalidArgument for an
  // older epoch, the same epoch with another leader, or a leader not among
  // the replicas; IoError (the epoch
  // history could not be saved: the role is then unchanged).
  Status ApplyLeadership(const ShardLeadership& leadership, const std::string& leader_address);

  // Leader: answers a follower's fetch (never blocks for max_wait_ms: the
  // caller may wait and ask again). Refusals are in FetchResponse::error.
  FetchResponse HandleFetch(const FetchRequest& request);
  // Leader: proposes removing the in-sync followers that lag (call it every
  // second or so; fetches check additions themselves).
  void CheckLaggingFollowers();

  // Follower: one fetch from the leader, its answer applied; true when it
  // changed the log (records appended or a divergence cut), false without a
  // call when there is nothing to follow. Errors: the fetcher's; NotLeader
  // for a refusal that needs a newer leadership (stale or unknown epoch, not
  // leader); Corruption for an answer that does not fit the log (records out
  // of order, a divergence below the HW); Internal for kOffsetOutOfRange when
  // this log is not below the leader's start (it is past the leader's end);
  // IoError from the local log.
  Result<bool> FetchOnce(PeerFetcher& fetcher);

  const ShardId& shard() const { return shard_; }
  bool IsLeader() const;
  // Whether it follows a leader it knows the address of (FetchOnce() asks it).
  bool IsFollowing() const;
  int64_t LeaderEpoch() const;
  std::vector<std::string> Isr() const;
  // Leader: how many records each follower is behind the log end, as its
  // last fetch said (empty when not leading).
  std::vector<std::pair<std::string, uint64_t>> FollowerLags() const;

  // ---- engine::ShardStore, for the leader role ----
  // Errors besides the store's: NotLeader when not leading (any more);
  // InternalFailure while the ISR is below min_insync_replicas.
  Result<uint64_t> Append(std::span<const storage::AppendEntry> entries, int64_t arrival_ms) override;
  // OK once the HW passes `end_offset` (and the ISR still has
  // min_insync_replicas members, else InternalFailure); NotLeader when the
  // leadership is lost first; IoError when the local log fails or closes.
  void WhenDurable(uint64_t end_offset, std::function<void(Status)> done) override;
  uint64_t StartOffset() const override;
  uint64_t EndOffset() const override;
  uint64_t VisibleEndOffset() const override;  // the HW
  int64_t LastArrivalMillis() const override;
  Result<storage::ReadResult> Read(uint64_t from, size_t max_records, size_t max_bytes) const override;
  Result<uint64_t> OffsetForTime(int64_t timestamp_ms) const override;
  Result<uint64_t> TrimOlderThan(int64_t before_ms) override;
  Status Close() override;
  Status Destroy() override;
  uint64_t SizeBytes() const override;

 private:
  ReplicaLog(ShardId shard, ReplicaOptions options, std::unique_ptr<LocalLog> log,
             std::unique_ptr<LeaderEpochHistory> history, IsrProposalCallback on_isr_proposal);

  enum class Role { kNone, kLeader, kFollower };
  struct Follower {
    uint64_t fetched_end = 0;          // its log end, as its last consistent fetch said
    uint64_t durable_end = 0;          // of which durable on its disk
    uint64_t leader_end_at_fetch = 0;  // the leader's log end when it last fetched
    int64_t caught_up_ms = 0;          // when a fetch last reached the leader's end as of the fetch before
  };
  using Waits = std::multimap<uint64_t, std::function<void(Status)>>;
  // Callbacks to run once the lock is released.
  struct Deferred {
    Waits completed;
    Status completed_status;
    Waits failed;
    Status failed_status;
    std::optional<IsrProposal> proposal;
    void Run(const IsrProposalCallback& on_isr_proposal);
  };

  // Leader (replica_leader.cc).
  void AdvanceHighWatermarkLocked(Deferred& out);
  void ProposeIsrLocked(std::vector<std::string> isr, Deferred& out);
  std::optional<FetchResponse> RefuseFetchLocked(const FetchRequest& request) const;
  void OnLocalDurable(int64_t epoch, const Status& status);
  // Follower (replica_follower.cc).
  Result<bool> ApplyFetchLocked(const FetchRequest& request, const FetchResponse& response);
  Status TruncateDivergingLocked(const FetchRequest& request, uint64_t diverging_end);
  Status AppendFetchedLocked(const std::vector<FetchedRecord>& records, uint64_t fetch_offset);
  // kOffsetOutOfRange below the leader's start: the log is started over,
  // empty, at `leader_start`, and the epoch history emptied.
  Status ResetBelowLeaderStartLocked(const FetchRequest& request, uint64_t leader_start);
  // Role changes (replica_log.cc).
  std::string Describe() const;  // "shardId-000000000001 of stream s"
  // min_insync_replicas, capped by the shard's replicas (at least 1).
  size_t MinInsyncLocked() const;
  // InternalFailure naming the ISR's size and the minimum.
  Status TooFewInsyncLocked(const std::string& what) const;
  Status ClosedError() const;
  void FailWaitsLocked(const Status& status, Deferred& out);

  const ShardId shard_;
  const ReplicaOptions options_;
  const std::unique_ptr<LocalLog> log_;
  const IsrProposalCallback on_isr_proposal_;

  mutable std::mutex mu_;
  std::unique_ptr<LeaderEpochHistory> history_;
  Role role_ = Role::kNone;
  int64_t epoch_ = 0;
  std::string leader_;          // node id; empty: none
  std::string leader_address_;  // follower: where the leader is
  std::vector<std::string> replicas_;
  std::vector<std::string> isr_;
  std::map<std::string, Follower> followers_;  // leader: every replica but this node
  std::atomic<int64_t> leading_epoch_{0};      // epoch_ while leading, else 0 (read without mu_)
  uint64_t hw_ = 0;
  Waits waits_;  // leader: WhenDurable() above the HW, by end offset
  // Members of the proposals made since the ISR last changed: any of them
  // may still be written (each only onto this ISR), so the HW counts them.
  std::vector<std::string> proposed_members_;
  std::vector<std::string> last_proposal_;  // empty: none since the ISR last changed
  int64_t proposed_at_ms_ = 0;
  bool closed_ = false;
};

}  // namespace sluice::cluster
