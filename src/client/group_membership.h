// GroupMembership: one member's place in a consumer group — the join, the
// heartbeats on a thread of its own at the interval the server gives, a
// join again (with the same member id) after UnknownMemberException, and
// the leave. It tells its reader which shards to stop and which to start;
// what reads them is the reader's business (GroupConsumer polls GetRecords;
// a pushed reader on SubscribeToGroup can use the same membership).
//
// Handing over (docs/consumer-groups.md): a shard that a Heartbeat answer no
// longer lists must not be read any more; the server gives it to another
// member at this member's next Heartbeat. The reader therefore calls
// TakeUpdate() before each read and drops the shards it names; while an
// update that removes shards waits to be taken, the next Heartbeat waits for
// it (for at most a third of the session timeout), so that the server hands
// a shard over only after its last batch here was processed and checkpointed.
//
// Threading: every method is thread-safe. Lifecycle: Join once, then
// TakeUpdate as often as wanted, then Leave (also run by the destructor).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "client/client.h"
#include "client/group_calls.h"
#include "client/types.h"

namespace sluice::client {

// What JoinGroup is asked (stream, group, member id, session timeout,
// initial position), and the pause after a failed Heartbeat or join.
struct GroupMembershipOptions : JoinGroupRequest {
  int64_t backoff_base_ms = 100;  // doubling up to the heartbeat interval
};

// What changed since the reader last looked.
struct AssignmentUpdate {
  int64_t generation = 0;
  // The member joined again (its session had ended): every shard it was
  // reading may have been read by another member since; start all afresh.
  bool rejoined = false;
  // Shards dropped since the last update, even if given back since: their
  // reading state is stale.
  std::set<std::string> removed;
  GroupAssignment assignment;  // the whole current assignment
};

// How a reader holding `reading` follows `update`: the shards to stop, and
// those to start (from their StartingPosition). A shard kept goes on from
// where the reader is.
struct AssignmentChange {
  std::vector<std::string> stop;
  GroupAssignment start;
};
AssignmentChange DiffAssignment(const std::vector<std::string>& reading, const AssignmentUpdate& update);

class GroupMembership {
 public:
  GroupMembership(std::shared_ptr<Client> client, GroupMembershipOptions options);
  ~GroupMembership();
  GroupMembership(const GroupMembership&) = delete;
  GroupMembership& operator=(const GroupMembership&) = delete;

  // Joins and starts the heartbeat thread; the first update holds the
  // assignment. Errors are JoinGroup's.
  Outcome<Done> Join();
  // The change since the last call, or nullopt when there is none.
  std::optional<AssignmentUpdate> TakeUpdate();
  bool HasUpdate() const;
  // Heartbeats now instead of at the next interval (a shard was finished,
  // so its children may be given out).
  void HeartbeatNow();
  // Joins again now: a call other than Heartbeat answered UnknownMemberException.
  void Rejoin();
  // A non-retryable failure of the heartbeat thread (the stream or group was
  // deleted, say); the thread has stopped and the member has no shards.
  std::optional<Error> failure() const;
  // Stops the heartbeat thread and leaves the group (its shards go to the
  // others at once). Idempotent.
  Outcome<Done> Leave();

  std::string member_id() const;
  int64_t generation() const;
  const GroupMembershipOptions& options() const { return options_; }

 private:
  void HeartbeatLoop();
  // With mu_ held: the new assignment replaces the current one.
  void Publish(int64_t generation, GroupAssignment assignment, bool rejoined);
  Outcome<GroupJoined> CallJoin(const std::string& member_id);

  std::shared_ptr<Client> client_;
  const GroupMembershipOptions options_;
  mutable std::mutex mu_;
  std::condition_variable wake_;
  std::string member_id_;
  int64_t generation_ = 0;
  int64_t interval_ms_ = 0;
  int64_t session_ms_ = 0;
  GroupAssignment current_;
  std::optional<AssignmentUpdate> pending_;
  std::optional<Error> failure_;
  bool heartbeat_now_ = false;
  bool rejoin_ = false;
  bool stopping_ = false;
  bool joined_ = false;
  bool joined_once_ = false;  // the first assignment was published
  std::thread thread_;
};

}  // namespace sluice::client
