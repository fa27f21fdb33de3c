#include "groups_api/group_push.h"

#include <atomic>
#include <set>
#include <utility>

#include "api/shapes.h"
#include "engine/subscriptions.h"
#include "groups/member_errors.h"
#include "groups_api/operations.h"
#include "protocol/event_exception.h"
#include "protocol/event_stream.h"
#include "protocol/json_writer.h"
#include "util/log.h"

namespace sluice::groups_api {
namespace {

constexpr std::string_view kJson = "application/json";

// The exception event's name: the group model's own errors by their names,
// the others as the API answers them.
std::string ExceptionType(const Status& status) {
  if (std::optional<std::string_view> member = groups::MemberErrorType(status)) return std::string(*member);
  return protocol::EventExceptionType(status);
}

engine::IteratorType StartOf(const groups::AssignedShard& shard) {
  if (shard.after_sequence_number) return engine::IteratorType::kAfterSequenceNumber;
  return shard.initial == groups::InitialPosition::kLatest ? engine::IteratorType::kLatest
                                                           : engine::IteratorType::kTrimHorizon;
}

// Hands one shard subscription's events to its GroupPush.
class ShardSink final : public engine::SubscriptionSink {
 public:
  ShardSink(std::weak_ptr<GroupPush> push, std::weak_ptr<GroupPush::ShardPush> shard)
      : push_(std::move(push)), shard_(std::move(shard)) {}

  bool Send(const engine::SubscriptionEvent& event) override;
  bool Ready() override {
    std::shared_ptr<GroupPush> push = push_.lock();
    return push && push->Ready();
  }
  void End(const Status& status) override {
    std::shared_ptr<GroupPush> push = push_.lock();
    std::shared_ptr<GroupPush::ShardPush> shard = shard_.lock();
    if (push && shard) push->ShardEnded(*shard, status);
  }

 private:
  std::weak_ptr<GroupPush> push_;
  std::weak_ptr<GroupPush::ShardPush> shard_;
};

}  // namespace

struct GroupPush::ShardPush {
  std::string shard_id;
  std::shared_ptr<engine::Subscription> subscription;
};

namespace {

bool ShardSink::Send(const engine::SubscriptionEvent& event) {
  std::shared_ptr<GroupPush> push = push_.lock();
  std::shared_ptr<GroupPush::ShardPush> shard = shard_.lock();
  if (!push || !shard) return false;
  std::string payload;
  protocol::JsonWriter w(&payload);
  w.BeginObject();
  w.Member("ShardId", shard->shard_id);
  if (!event.continuation_sequence_number) {
    // The last event of a closed shard: every record of it went before.
    w.Key("ChildShardIds");
    w.BeginArray();
    for (const engine::ChildShard& child : event.batch.child_shards) w.String(child.shard_id);
    w.EndArray();
    w.EndObject();
    return push->SendShardEvent(*shard, "ShardEndEvent", std::move(payload));
  }
  payload.reserve(api::EstimateRecordsSize(event.batch.records) + 256);
  w.Key("Records");
  api::WriteRecords(w, event.batch.records);
  w.Member("ContinuationSequenceNumber", *event.continuation_sequence_number);
  w.MemberInt("MillisBehindLatest", event.batch.millis_behind_latest);
  w.EndObject();
  return push->SendShardEvent(*shard, "RecordsEvent", std::move(payload));
}

}  // namespace

GroupPush::GroupPush(engine::Engine& engine, groups::Coordinator& coordinator, groups::GroupKey key,
                     std::string member_id, size_t high_water)
    : engine_(engine),
      coordinator_(coordinator),
      key_(std::move(key)),
      member_id_(std::move(member_id)),
      high_water_(high_water) {}

GroupPush::~GroupPush() { Close(); }

Status GroupPush::Attach() {
  std::weak_ptr<GroupPush> weak = weak_from_this();
  Result<uint64_t> id = coordinator_.Attach(
      key_, member_id_,
      [weak](int64_t generation, const std::vector<groups::AssignedShard>& assignment, const Status& ended) {
        if (std::shared_ptr<GroupPush> push = weak.lock()) push->OnAssignment(generation, assignment, ended);
      });
  if (!id.ok()) return id.status();
  std::lock_guard lock(mu_);
  push_id_ = *id;
  return Status::Ok();
}

void GroupPush::Start(std::shared_ptr<server::BodyWriter> out) {
  std::lock_guard lock(mu_);
  out_ = std::move(out);
  if (held_end_) return EndLocked(*held_end_);
  if (held_) {
    std::vector<groups::AssignedShard> assignment = std::move(*held_);
    held_.reset();
    ApplyLocked(generation_, assignment);
  }
}

void GroupPush::OnAssignment(int64_t generation, const std::vector<groups::AssignedShard>& assignment,
                             const Status& ended) {
  std::lock_guard lock(mu_);
  if (ended_ || held_end_) return;
  if (!ended.ok()) {
    push_id_.reset();  // the coordinator let the member's push go already
    if (!out_) {
      held_end_ = ended;  // Start writes it
      return;
    }
    return EndLocked(ended);
  }
  // Notices are delivered outside the coordinator's lock: an older one may
  // come late.
  if (generation < generation_) return;
  if (!out_) {
    generation_ = generation;
    held_ = assignment;
    return;
  }
  ApplyLocked(generation, assignment);
}

void GroupPush::ApplyLocked(int64_t generation, const std::vector<groups::AssignedShard>& assignment) {
  generation_ = generation;
  std::set<std::string> assigned;
  for (const groups::AssignedShard& a : assignment) assigned.insert(a.shard_id);
  // The revoked shards stop first: no event of theirs follows the new
  // assignment (ShardSink's events are written under mu_, and only for
  // shards still in shards_).
  for (auto it = shards_.begin(); it != shards_.end();) {
    if (assigned.count(it->first)) {
      ++it;
      continue;
    }
    if (it->second->subscription) it->second->subscription->Cancel();
    it = shards_.erase(it);
  }
  // The new shards' positions are taken before the assignment is written
  // (a LATEST start is then before anything the member puts after reading
  // it); they deliver once it is out.
  const std::string label = "group " + key_.group + " member " + member_id_;
  std::vector<std::shared_ptr<ShardPush>> added;
  for (const groups::AssignedShard& a : assignment) {
    if (shards_.count(a.shard_id)) continue;
    auto shard = std::make_shared<ShardPush>();
    shard->shard_id = a.shard_id;
    auto sink = std::make_shared<ShardSink>(weak_from_this(), shard);
    Result<std::shared_ptr<engine::Subscription>> sub = engine_.subscriptions().SubscribeForGroup(
        key_.stream_ref(), a.shard_id, StartOf(a),
        a.after_sequence_number ? std::optional<std::string_view>(*a.after_sequence_number) : std::nullopt, label,
        sink);
    if (!sub.ok()) {
      for (const auto& s : added) s->subscription->Cancel();
      return EndLocked(sub.status());
    }
    shard->subscription = *sub;
    added.push_back(shard);
  }
  std::string payload;
  protocol::JsonWriter w(&payload);
  w.BeginObject();
  w.MemberInt("Generation", generation);
  WriteAssignment(w, assignment);
  w.EndObject();
  if (!WriteLocked("AssignmentEvent", payload, false)) {
    for (const auto& s : added) s->subscription->Cancel();
    return;
  }
  for (const auto& shard : added) {
    shards_.emplace(shard->shard_id, shard);
    shard->subscription->Start();
  }
}

bool GroupPush::Ready() {
  std::lock_guard lock(mu_);
  return out_ && !ended_ && out_->BufferedBytes() <= high_water_;
}

bool GroupPush::SendShardEvent(const ShardPush& shard, std::string name, std::string payload) {
  std::lock_guard lock(mu_);
  auto it = shards_.find(shard.shard_id);
  if (ended_ || it == shards_.end() || it->second.get() != &shard) return false;  // revoked
  return WriteLocked(name, payload, false);
}

void GroupPush::ShardEnded(const ShardPush& shard, const Status& status) {
  if (status.ok()) return;  // the shard's end was pushed; the member checkpoints it
  std::lock_guard lock(mu_);
  auto it = shards_.find(shard.shard_id);
  if (ended_ || it == shards_.end() || it->second.get() != &shard) return;
  EndLocked(status);
}

void GroupPush::Drained() {
  std::lock_guard lock(mu_);
  for (const auto& [id, shard] : shards_) {
    if (shard->subscription) shard->subscription->Wake();
  }
}

void GroupPush::Close() {
  std::optional<uint64_t> push_id;
  {
    std::lock_guard lock(mu_);
    ended_ = true;
    out_.reset();
    StopShardsLocked();
    push_id = std::exchange(push_id_, std::nullopt);
  }
  if (push_id) coordinator_.Detach(key_, member_id_, *push_id);
}

void GroupPush::EndLocked(const Status& status) {
  ended_ = true;
  StopShardsLocked();
  if (!out_) return;
  if (!status.ok()) {
    WriteLocked(ExceptionType(status), protocol::EventExceptionPayload(status), true);
    log::Info("consumer group {} of stream {}: push to member {} ended: {}", key_.group, key_.stream, member_id_,
              status.ToString());
  }
  out_->Finish();
  out_.reset();
}

bool GroupPush::WriteLocked(std::string_view name, std::string_view payload, bool exception) {
  if (!out_) return false;
  std::string frame;
  frame.reserve(payload.size() + 128);
  Status st = exception ? protocol::EncodeException(name, kJson, payload, &frame)
                        : protocol::EncodeEvent(name, kJson, payload, &frame);
  if (!st.ok()) {
    log::Error("consumer group {}: {} not encodable: {}", key_.group, name, st.ToString());
    return false;
  }
  return out_->Write(std::move(frame));
}

void GroupPush::StopShardsLocked() {
  for (const auto& [id, shard] : shards_) {
    if (shard->subscription) shard->subscription->Cancel();
  }
  shards_.clear();
}

}  // namespace sluice::groups_api
