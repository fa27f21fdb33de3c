#include "client/group_membership.h"

#include <algorithm>
#include <chrono>

namespace sluice::client {

AssignmentChange DiffAssignment(const std::vector<std::string>& reading, const AssignmentUpdate& update) {
  AssignmentChange change;
  auto assigned = [&](const std::string& id) {
    return std::any_of(update.assignment.begin(), update.assignment.end(),
                       [&](const GroupShardAssignment& a) { return a.shard_id == id; });
  };
  std::set<std::string> kept;
  for (const std::string& id : reading) {
    if (update.rejoined || update.removed.count(id) != 0 || !assigned(id)) {
      change.stop.push_back(id);
    } else {
      kept.insert(id);
    }
  }
  for (const GroupShardAssignment& a : update.assignment) {
    if (kept.count(a.shard_id) == 0) change.start.push_back(a);
  }
  return change;
}

GroupMembership::GroupMembership(std::shared_ptr<Client> client, GroupMembershipOptions options)
    : client_(std::move(client)), options_(std::move(options)), member_id_(options_.member_id) {}

GroupMembership::~GroupMembership() { (void)Leave(); }

Outcome<GroupJoined> GroupMembership::CallJoin(const std::string& member_id) {
  JoinGroupRequest request = options_;
  request.member_id = member_id;
  return JoinGroup(*client_, request);
}

Outcome<Done> GroupMembership::Join() {
  Outcome<GroupJoined> joined = CallJoin(member_id_);
  if (!joined.ok()) return joined.error();
  std::lock_guard<std::mutex> lock(mu_);
  member_id_ = joined->member_id;
  interval_ms_ = joined->heartbeat_interval_ms;
  session_ms_ = joined->session_timeout_ms;
  joined_ = true;
  Publish(joined->generation, std::move(joined->assignment), false);
  thread_ = std::thread([this] { HeartbeatLoop(); });
  return Done{};
}

void GroupMembership::Publish(int64_t generation, GroupAssignment assignment, bool rejoined) {
  generation_ = generation;
  auto same_shards = [&] {
    return std::equal(current_.begin(), current_.end(), assignment.begin(), assignment.end(),
                      [](const auto& a, const auto& b) { return a.shard_id == b.shard_id; });
  };
  if (!rejoined && pending_ == std::nullopt && joined_once_ && same_shards()) return;
  joined_once_ = true;
  if (!pending_) pending_.emplace();
  for (const GroupShardAssignment& held : current_) {
    auto same = [&](const GroupShardAssignment& a) { return a.shard_id == held.shard_id; };
    if (rejoined || std::none_of(assignment.begin(), assignment.end(), same)) pending_->removed.insert(held.shard_id);
  }
  pending_->rejoined = pending_->rejoined || rejoined;
  pending_->generation = generation;
  pending_->assignment = assignment;
  current_ = std::move(assignment);
}

void GroupMembership::HeartbeatLoop() {
  int64_t backoff_ms = 0;
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    const int64_t wait_ms = backoff_ms > 0 ? backoff_ms : std::max<int64_t>(interval_ms_, 100);
    wake_.wait_for(lock, std::chrono::milliseconds(wait_ms), [&] { return stopping_ || heartbeat_now_ || rejoin_; });
    if (stopping_) break;
    // A Heartbeat tells the server that this member stopped reading the shards it lost; the reader
    // stops once it has taken the update (after the batch in hand and its checkpoint), so wait for
    // that, for at most a third of the session.
    wake_.wait_for(lock, std::chrono::milliseconds(std::max<int64_t>(session_ms_ / 3, 1)),
                   [&] { return stopping_ || rejoin_ || !pending_ || pending_->removed.empty(); });
    if (stopping_) break;
    const bool rejoin = rejoin_;
    heartbeat_now_ = false;
    rejoin_ = false;
    const std::string member_id = member_id_;
    lock.unlock();
    Outcome<GroupHeartbeat> beat = Error{"UnknownMemberException", "joining again", 0};
    if (!rejoin) beat = Heartbeat(*client_, options_.stream, options_.group, member_id);
    std::optional<Outcome<GroupJoined>> joined;
    if (!beat.ok() && beat.error().type == "UnknownMemberException") joined = CallJoin(member_id);
    lock.lock();
    if (stopping_) break;
    const Error* error = joined ? (joined->ok() ? nullptr : &joined->error()) : (beat.ok() ? nullptr : &beat.error());
    if (error != nullptr) {
      if (joined) rejoin_ = true;  // the session is gone: join, not heartbeat, when retrying
      if (error->Retryable()) {
        backoff_ms = backoff_ms == 0 ? options_.backoff_base_ms : backoff_ms * 2;
        backoff_ms = std::min(backoff_ms, std::max<int64_t>(interval_ms_, options_.backoff_base_ms));
        continue;
      }
      failure_ = *error;
      Publish(generation_, {}, true);
      break;
    }
    backoff_ms = 0;
    if (joined) {
      member_id_ = (*joined)->member_id;
      interval_ms_ = (*joined)->heartbeat_interval_ms;
      session_ms_ = (*joined)->session_timeout_ms;
      Publish((*joined)->generation, std::move((*joined)->assignment), true);
    } else {
      if (beat->heartbeat_interval_ms > 0) interval_ms_ = beat->heartbeat_interval_ms;
      Publish(beat->generation, std::move(beat->assignment), false);
    }
  }
}

std::optional<AssignmentUpdate> GroupMembership::TakeUpdate() {
  std::lock_guard<std::mutex> lock(mu_);
  std::optional<AssignmentUpdate> out = std::move(pending_);
  pending_.reset();
  wake_.notify_all();  // a Heartbeat waiting for the reader to stop may go
  return out;
}

bool GroupMembership::HasUpdate() const {
  std::lock_guard<std::mutex> lock(mu_);
  return pending_.has_value();
}

void GroupMembership::HeartbeatNow() {
  std::lock_guard<std::mutex> lock(mu_);
  heartbeat_now_ = true;
  wake_.notify_all();
}

void GroupMembership::Rejoin() {
  std::lock_guard<std::mutex> lock(mu_);
  rejoin_ = true;
  Publish(generation_, {}, true);  // no shard is this member's until it has joined again
  wake_.notify_all();
}

std::optional<Error> GroupMembership::failure() const {
  std::lock_guard<std::mutex> lock(mu_);
  return failure_;
}

Outcome<Done> GroupMembership::Leave() {
  std::string member_id;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!joined_) return Done{};
    joined_ = false;
    stopping_ = true;
    member_id = member_id_;
    wake_.notify_all();
  }
  if (thread_.joinable()) thread_.join();
  Outcome<Done> left = LeaveGroup(*client_, options_.stream, options_.group, member_id);
  if (!left.ok() && left.error().type == "UnknownMemberException") return Done{};  // already gone
  return left;
}

std::string GroupMembership::member_id() const {
  std::lock_guard<std::mutex> lock(mu_);
  return member_id_;
}

int64_t GroupMembership::generation() const {
  std::lock_guard<std::mutex> lock(mu_);
  return generation_;
}

}  // namespace sluice::client
