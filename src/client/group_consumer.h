// GroupConsumer: a member of a consumer group that reads the shards the
// server gives it, by polling GetRecords or (with `push`) from the server's
// SubscribeToGroup stream, and checkpoints in the group.
//
//   GroupConsumer consumer(client, {.stream = "orders", .group = "billing"});
//   consumer.Run([](const std::string& shard_id, const std::vector<Record>& batch) { ... }, stop);
//
// Membership (join, heartbeats on a thread of its own, joining again after
// UnknownMemberException, leaving) is GroupMembership's. Each assigned
// shard is read from the StartingPosition the server gives (after its
// checkpoint); every batch goes to the handler, on Run's thread, and once
// the handler returns its last sequence number is checkpointed
// (auto_checkpoint), or the handler checkpoints itself with Checkpoint().
// A shard is dropped at once when a Heartbeat answer no longer lists it, or
// when a checkpoint answers FencedMemberException; every shard is dropped
// (and the member joins again) on UnknownMemberException. A closed shard
// read to its end is checkpointed with ShardEnd, so that the server hands
// out its children. Retryable errors back the shard off exponentially;
// ExpiredIteratorException re-gets the iterator after the last record.
//
// Pushed (options.push): one SubscribeToGroup connection brings the
// assignment and every shard's batches; the handler, the checkpoints and
// the ShardEnd checkpoint are as above, a shard the server revokes simply
// stops arriving, and the stream is opened again (after a join again on
// UnknownMemberException) when it ends.
//
// Records are delivered at least once: a batch whose checkpoint did not
// reach the server (the process died, the shard moved) is read again by
// the shard's next owner.
//
// Threading: Run on one thread; Stop and Checkpoint from any thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "client/client.h"
#include "client/config.h"
#include "client/group_membership.h"
#include "client/types.h"
#include "http/http_client.h"

namespace sluice::client {

// The membership's options (stream, group, member id, session timeout,
// initial position, back-off) and the reading's.
struct GroupConsumerOptions : GroupMembershipOptions {
  bool auto_checkpoint = true;  // false: the handler calls Checkpoint()
  int limit = 10000;            // GetRecords Limit
  int64_t idle_poll_ms = 1000;  // pause of a shard whose last read returned nothing
  int64_t backoff_max_ms = 5000;
  // Set: the server pushes the shards (SubscribeToGroup, over a connection
  // of its own to this configuration's endpoint) instead of GetRecords.
  std::optional<ClientConfig> push;
  // Pushed, with auto_checkpoint: a shard is checkpointed at most this often
  // (the latest record handled; the one still owed when the stream ends), so
  // that a fast stream's events do not each wait for a durable checkpoint.
  int64_t push_checkpoint_interval_ms = 100;
};

// One batch of one shard, in the shard's order; never empty.
using BatchHandler = std::function<void(const std::string& shard_id, const std::vector<Record>& records)>;
// The shards read after an assignment change (on Run's thread).
using AssignmentHandler = std::function<void(int64_t generation, const std::vector<std::string>& shard_ids)>;

class GroupConsumer {
 public:
  GroupConsumer(std::shared_ptr<Client> client, GroupConsumerOptions options);
  ~GroupConsumer();

  // Joins, then reads until Stop() is called or `stop()` returns true
  // (asked between reads and every 50 ms while idle), then leaves the
  // group. Returns JoinGroup's error, or the first non-retryable error of a
  // read or of the heartbeats (the stream or group is gone); it leaves the
  // group in every case.
  Outcome<Done> Run(const BatchHandler& handler, const std::function<bool()>& stop = {},
                    const AssignmentHandler& on_assignment = {});
  // Makes Run return after the batch in hand (and its checkpoint).
  void Stop() { stopped_ = true; }

  // Checkpoints `sequence_number` of `shard_id` at the member's current
  // generation. FencedMemberException also drops the shard;
  // UnknownMemberException drops every shard and joins again.
  Outcome<Done> Checkpoint(const std::string& shard_id, const std::string& sequence_number);

  // The member id (after the join) and the shards read now (Run's thread).
  std::string member_id() const { return membership_.member_id(); }
  std::vector<std::string> shards() const;
  // Every shard read has answered nothing at the tip (MillisBehindLatest 0)
  // since its last records, and the member reads at least one (Run's thread,
  // e.g. from `stop`).
  bool CaughtUp() const;

 private:
  struct ShardState {
    StartingPosition start;
    std::string iterator;
    std::string last_sequence;  // of the last record read, or the starting checkpoint
    int64_t due_ms = 0;
    int64_t backoff_ms = 0;
    bool ended = false;  // read to its end; its ShardEnd checkpoint is owed
    bool caught_up = false;
    int64_t checkpointed_ms = 0;   // pushed: when last_sequence was last checkpointed
    bool checkpoint_owed = false;  // pushed: records handled since then
  };

  // Run with options_.push (group_consumer_push.cc).
  Outcome<Done> RunPushed(const BatchHandler& handler, const std::function<bool()>& stopping,
                          const AssignmentHandler& on_assignment);
  // One SubscribeToGroup stream until it ends: false with *error for a
  // failure Run must return.
  bool Subscribe(http::HttpClient& conn, const BatchHandler& handler, const std::function<bool()>& stopping,
                 const AssignmentHandler& on_assignment, Error* error);
  void Apply(const AssignmentUpdate& update);
  // One read of `id`; false with *error for a non-retryable failure.
  bool ReadShard(const std::string& id, ShardState& s, const BatchHandler& handler, Error* error);
  // The ShardEnd checkpoint of a shard read to its end.
  bool FinishShard(const std::string& id, ShardState& s, Error* error);
  // CheckpointGroup at the current generation; a fenced shard is marked
  // dropped, UnknownMemberException asks the membership to join again.
  Outcome<Done> SendCheckpoint(const std::string& shard_id, const std::string& sequence_number, bool shard_end);
  // What a checkpoint's failure means for the member; false for one Run must return.
  bool OnCheckpointError(const std::string& id, const Error& e);
  void BackOff(ShardState& s, int64_t now_ms);

  std::shared_ptr<Client> client_;
  const GroupConsumerOptions options_;
  GroupMembership membership_;
  std::map<std::string, ShardState> shards_;  // Run's thread only
  std::set<std::string> finished_;            // checkpointed with ShardEnd
  mutable std::mutex dropped_mu_;
  std::set<std::string> dropped_;  // fenced by an explicit Checkpoint, to stop reading
  std::atomic<bool> stopped_{false};
  std::atomic<int64_t> pushed_generation_{0};  // of the last AssignmentEvent
};

}  // namespace sluice::client
