#include "client/group_consumer.h"

#include <algorithm>
#include <chrono>
#include <thread>

#include "util/clock.h"

namespace sluice::client {
GroupConsumer::GroupConsumer(std::shared_ptr<Client> client, GroupConsumerOptions options)
    : client_(client), options_(std::move(options)), membership_(std::move(client), options_) {}

GroupConsumer::~GroupConsumer() { (void)membership_.Leave(); }

std::vector<std::string> GroupConsumer::shards() const {
  std::vector<std::string> out;
  for (const auto& [id, s] : shards_) out.push_back(id);
  return out;
}

bool GroupConsumer::CaughtUp() const {
  if (shards_.empty()) return false;
  return std::all_of(shards_.begin(), shards_.end(), [](const auto& s) { return s.second.caught_up; });
}

void GroupConsumer::Apply(const AssignmentUpdate& update) {
  AssignmentChange change = DiffAssignment(shards(), update);
  for (const std::string& id : change.stop) shards_.erase(id);
  for (GroupShardAssignment& a : change.start) {
    if (finished_.count(a.shard_id) != 0 && !update.rejoined) continue;  // its ShardEnd is not yet seen
    ShardState s;
    s.start = a.start;
    if (a.start.type == StartType::kAfterSequenceNumber) s.last_sequence = a.start.sequence_number;
    shards_.emplace(a.shard_id, std::move(s));
  }
}

void GroupConsumer::BackOff(ShardState& s, int64_t now_ms) {
  s.backoff_ms = s.backoff_ms == 0 ? options_.backoff_base_ms : std::min(s.backoff_ms * 2, options_.backoff_max_ms);
  s.due_ms = now_ms + s.backoff_ms;
}

Outcome<Done> GroupConsumer::SendCheckpoint(const std::string& shard_id, const std::string& sequence_number,
                                            bool shard_end) {
  CheckpointGroupRequest request;
  request.stream = options_.stream;
  request.group = options_.group;
  request.member_id = membership_.member_id();
  request.generation = std::max(membership_.generation(), pushed_generation_.load());
  request.shard_id = shard_id;
  request.sequence_number = sequence_number;
  request.shard_end = shard_end;
  Outcome<Done> done = CheckpointGroup(*client_, request);
  if (!done.ok() && done.error().type == "FencedMemberException") {
    std::lock_guard<std::mutex> lock(dropped_mu_);
    dropped_.insert(shard_id);
  }
  if (!done.ok() && done.error().type == "UnknownMemberException") membership_.Rejoin();
  return done;
}

Outcome<Done> GroupConsumer::Checkpoint(const std::string& shard_id, const std::string& sequence_number) {
  return SendCheckpoint(shard_id, sequence_number, false);
}

bool GroupConsumer::OnCheckpointError(const std::string& id, const Error& e) {
  if (e.type == "FencedMemberException") {
    shards_.erase(id);
    return true;
  }
  if (e.type == "UnknownMemberException") {
    shards_.clear();  // Checkpoint() asked for the join again
    return true;
  }
  return e.Retryable();  // a later checkpoint of the shard covers this one
}

bool GroupConsumer::FinishShard(const std::string& id, ShardState& s, Error* error) {
  Outcome<Done> done = SendCheckpoint(id, s.last_sequence, true);
  if (done.ok()) {
    finished_.insert(id);
    shards_.erase(id);
    membership_.HeartbeatNow();  // the children may be ours now
    return true;
  }
  if (done.error().Retryable()) {
    BackOff(s, MonotonicMillis());
    return true;
  }
  if (OnCheckpointError(id, done.error())) return true;
  *error = done.error();
  return false;
}

bool GroupConsumer::ReadShard(const std::string& id, ShardState& s, const BatchHandler& handler, Error* error) {
  if (s.ended) return FinishShard(id, s, error);
  const int64_t now = MonotonicMillis();
  if (s.iterator.empty()) {
    const StartingPosition pos =
        s.last_sequence.empty() ? s.start : StartingPosition::AfterSequenceNumber(s.last_sequence);
    Outcome<std::string> it = client_->GetShardIterator(options_.stream, id, pos);
    if (!it.ok()) {
      if (!it.error().Retryable()) {
        *error = it.error();
        return false;
      }
      BackOff(s, now);
      return true;
    }
    s.iterator = std::move(it).value();
  }
  Outcome<GetRecordsResult> got = client_->GetRecords(s.iterator, options_.limit);
  if (!got.ok()) {
    if (got.error().type == "ExpiredIteratorException") {
      s.iterator.clear();
      s.due_ms = 0;
      return true;
    }
    if (!got.error().Retryable()) {
      *error = got.error();
      return false;
    }
    BackOff(s, now);
    return true;
  }
  s.backoff_ms = 0;
  s.caught_up = got->records.empty() && got->millis_behind_latest == 0;
  if (!got->records.empty()) {
    for (Record& r : got->records) r.shard_id = id;
    handler(id, got->records);
    s.last_sequence = got->records.back().sequence_number;
    if (options_.auto_checkpoint) {
      Outcome<Done> done = Checkpoint(id, s.last_sequence);
      if (!done.ok() && !OnCheckpointError(id, done.error())) {
        *error = done.error();
        return false;
      }
      if (shards_.count(id) == 0) return true;  // dropped: `s` is gone
    }
  }
  if (got->next_iterator.empty()) {
    s.ended = true;
    s.iterator.clear();
    return FinishShard(id, s, error);
  }
  s.iterator = std::move(got->next_iterator);
  s.due_ms = got->records.empty() ? now + options_.idle_poll_ms : 0;
  return true;
}

Outcome<Done> GroupConsumer::Run(const BatchHandler& handler, const std::function<bool()>& stop,
                                 const AssignmentHandler& on_assignment) {
  auto stopping = [&] { return stopped_.load() || (stop && stop()); };
  if (options_.push) return RunPushed(handler, stopping, on_assignment);
  Outcome<Done> joined = membership_.Join();
  if (!joined.ok()) return joined;
  Outcome<Done> result = Done{};
  std::vector<std::string> reported;
  while (!stopping()) {
    if (std::optional<Error> failed = membership_.failure()) {
      result = *failed;
      break;
    }
    std::optional<AssignmentUpdate> update = membership_.TakeUpdate();
    if (update) Apply(*update);
    {
      std::lock_guard<std::mutex> lock(dropped_mu_);
      for (const std::string& id : dropped_) shards_.erase(id);
      dropped_.clear();
    }
    if (on_assignment && (update || shards() != reported)) {
      reported = shards();
      on_assignment(membership_.generation(), reported);
    }
    const int64_t now = MonotonicMillis();
    std::vector<std::string> due;
    for (const auto& [id, s] : shards_) {
      if (s.due_ms <= now) due.push_back(id);
    }
    Error error;
    bool failed = false;
    for (const std::string& id : due) {
      if (stopping() || membership_.HasUpdate()) break;  // a dropped shard is not read again
      auto it = shards_.find(id);
      if (it == shards_.end()) continue;
      if (!ReadShard(id, it->second, handler, &error)) {
        failed = true;
        break;
      }
    }
    if (failed) {
      result = error;
      break;
    }
    int64_t next_due = MonotonicMillis() + options_.idle_poll_ms;
    for (const auto& [id, s] : shards_) next_due = std::min(next_due, s.due_ms);
    while (!stopping() && !membership_.HasUpdate() && MonotonicMillis() < next_due) {
      std::this_thread::sleep_for(std::chrono::milliseconds(std::min<int64_t>(next_due - MonotonicMillis(), 50)));
    }
  }
  shards_.clear();
  Outcome<Done> left = membership_.Leave();
  if (result.ok() && !left.ok()) return left;
  return result;
}

}  // namespace sluice::client
