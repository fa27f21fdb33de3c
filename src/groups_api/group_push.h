// GroupPush: one SubscribeToGroup stream (docs/consumer-groups.md), the
// push of a group member's shards over one event-stream response.
//
// The coordinator tells it the member's assignment (Coordinator::Attach);
// for every shard assigned, it runs an engine push subscription
// (Subscriptions::SubscribeForGroup: woken on append, stopped while the
// client has more than `high_water` bytes unread) from the shard's
// checkpoint or the group's initial position. Events, all JSON:
//   AssignmentEvent {Generation, Assignment}   first, and on every change
//   RecordsEvent    {ShardId, Records, ContinuationSequenceNumber,
//                    MillisBehindLatest}       per shard batch (an empty one
//                                              while a shard is idle)
//   ShardEndEvent   {ShardId, ChildShardIds}   a closed shard fully pushed
// A shard the assignment no longer lists is stopped before the new
// AssignmentEvent is written: nothing of it follows. The stream ends with
// one exception event when the member's push is over for the group's
// reason (it left, the group went with its stream, a newer subscription
// replaced it) or a shard could not be read.
//
// Lifetime: owned by the response's callbacks (the server releases them
// when the stream ends, or drops them if it never started); the
// coordinator and the subscriptions hold it weakly. Closing (client gone)
// or destroying it cancels the subscriptions and detaches the member, whose
// session then runs from that moment.
//
// Thread-safe: the coordinator's notices, the delivery thread's events and
// the connection's callbacks meet under one lock.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "groups/coordinator.h"
#include "server/http_types.h"
#include "util/status.h"

namespace sluice::groups_api {

class GroupPush : public std::enable_shared_from_this<GroupPush> {
 public:
  GroupPush(engine::Engine& engine, groups::Coordinator& coordinator, groups::GroupKey key, std::string member_id,
            size_t high_water);
  ~GroupPush();  // Close()

  // Attaches the member (Coordinator::Attach's errors). Its assignment is
  // held until Start.
  Status Attach();
  // The response started: writes the assignment and begins pushing.
  void Start(std::shared_ptr<server::BodyWriter> out);
  // The client read what was queued: the subscriptions go on.
  void Drained();
  // The client went away (or the server stops): everything stops.
  void Close();

  // A shard subscription's callbacks (subscribe_to_group.cc's sink).
  struct ShardPush;
  bool Ready();
  bool SendShardEvent(const ShardPush& shard, std::string name, std::string payload);
  void ShardEnded(const ShardPush& shard, const Status& status);

 private:
  void OnAssignment(int64_t generation, const std::vector<groups::AssignedShard>& assignment, const Status& ended);
  // Under mu_: stops the revoked shards, writes the AssignmentEvent, starts
  // the new shards.
  void ApplyLocked(int64_t generation, const std::vector<groups::AssignedShard>& assignment);
  // Under mu_: the exception event, the end of the body, every shard stopped.
  void EndLocked(const Status& status);
  bool WriteLocked(std::string_view name, std::string_view payload, bool exception);
  void StopShardsLocked();

  engine::Engine& engine_;
  groups::Coordinator& coordinator_;
  const groups::GroupKey key_;
  const std::string member_id_;
  const size_t high_water_;

  std::mutex mu_;
  std::optional<uint64_t> push_id_;                           // guarded by mu_: set while attached
  std::shared_ptr<server::BodyWriter> out_;                   // guarded by mu_: null before Start
  bool ended_ = false;                                        // guarded by mu_
  int64_t generation_ = -1;                                   // guarded by mu_: last applied
  std::optional<std::vector<groups::AssignedShard>> held_;    // guarded by mu_: before Start
  std::optional<Status> held_end_;                            // guarded by mu_: before Start
  std::map<std::string, std::shared_ptr<ShardPush>> shards_;  // guarded by mu_
};

}  // namespace sluice::groups_api
