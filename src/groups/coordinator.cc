#include "groups/coordinator.h"

#include <random>
#include <set>
#include <tuple>

#include <fmt/format.h>

#include "groups/member_errors.h"
#include "util/log.h"

namespace sluice::groups {
namespace {

Status GroupNotFound(const GroupKey& key) {
  return Status::NotFound(
      fmt::format("Group {} of stream {} under account {} not found.", key.group, key.stream, key.account));
}

Status UnknownMember(const GroupKey& key, const std::string& member) { return UnknownMemberError(member, key.group); }

std::string NewMemberId() {
  static std::mt19937_64 random{std::random_device{}()};
  return fmt::format("member-{:016x}", random());
}

bool Readable(engine::StreamStatus s) {
  return s == engine::StreamStatus::kActive || s == engine::StreamStatus::kUpdating;
}

}  // namespace

const char* GroupStateName(GroupState s) {
  switch (s) {
    case GroupState::kEmpty: return "EMPTY";
    case GroupState::kStable: return "STABLE";
    case GroupState::kRebalancing: return "REBALANCING";
  }
  return "EMPTY";
}

Coordinator::Coordinator(engine::Engine& engine, GroupRecords& store, CoordinatorOptions options)
    : engine_(engine),
      store_(store),
      options_(options),
      clock_(options.clock ? *options.clock : SystemClock::Instance()),
      shards_(engine, clock_) {}

Coordinator::~Coordinator() { Stop(); }

void Coordinator::Start() {
  std::lock_guard lock(thread_mu_);
  if (thread_.joinable() || stopping_) return;
  thread_ = std::thread([this] { ExpiryLoop(); });
}

void Coordinator::Stop() {
  {
    std::lock_guard lock(thread_mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Coordinator::ExpiryLoop() {
  std::unique_lock lock(thread_mu_);
  while (!stopping_) {
    wake_.wait_for(lock, std::chrono::milliseconds(options_.expiry_check_interval_ms));
    if (stopping_) break;
    lock.unlock();
    ExpireSessions();
    lock.lock();
  }
}

Status Coordinator::ClaimLocked(const GroupKey& key, Notices* notices) {
  SLUICE_ASSIGN_OR_RETURN(bool reread, store_.Claim(key));
  if (reread) DropMembersLocked(key, notices);
  return Status::Ok();
}

void Coordinator::DropMembersLocked(const GroupKey& key, Notices* notices) {
  auto live = live_.find(key);
  if (live == live_.end()) return;
  for (auto& [id, member] : live->second.members) {
    if (member.listener) {
      notices->push_back({std::move(member.listener), live->second.generation, {}, UnknownMember(key, id)});
    }
  }
  live_.erase(live);
}

Result<const StoredGroup*> Coordinator::FindLocked(const GroupKey& key, StreamShards* shards) {
  SLUICE_ASSIGN_OR_RETURN(*shards, shards_.Describe(key.stream_ref()));
  const StoredGroup* stored = store_.Find(key);
  if (!stored || stored->record.stream_creation_ms != shards->creation_ms) return GroupNotFound(key);
  return stored;
}

Result<Coordinator::MemberLookup> Coordinator::FindMemberLocked(const GroupKey& key, const std::string& member_id,
                                                                StreamShards* shards) {
  SLUICE_ASSIGN_OR_RETURN(const StoredGroup* stored, FindLocked(key, shards));
  LiveGroup& live = live_[key];
  auto it = live.members.find(member_id);
  if (it == live.members.end()) return UnknownMember(key, member_id);
  return MemberLookup{stored, &live, &it->second};
}

void Coordinator::RebalanceLocked(LiveGroup& live, const StreamShards& shards, const StoredGroup& stored,
                                  Notices* notices) {
  live.Rebalance(shards, stored);
  for (auto& [id, member] : live.members) {
    if (!member.listener) continue;
    std::vector<std::string> now = live.AssignmentOf(id);
    if (now == member.answered) continue;
    member.answered = std::move(now);
    notices->push_back({member.listener, live.generation, AssignedLocked(live, stored, id), Status::Ok()});
  }
}

std::vector<AssignedShard> Coordinator::AssignedLocked(const LiveGroup& live, const StoredGroup& stored,
                                                       const std::string& member_id) const {
  std::vector<AssignedShard> out;
  for (const std::string& shard : live.AssignmentOf(member_id)) {
    AssignedShard a{shard, std::nullopt, stored.record.initial_position};
    auto c = stored.checkpoints.find(shard);
    if (c != stored.checkpoints.end()) a.after_sequence_number = c->second.sequence_number;
    out.push_back(std::move(a));
  }
  return out;
}

MemberView Coordinator::ViewLocked(LiveGroup& live, const StoredGroup& stored, const std::string& member_id) {
  LiveMember& member = live.members.at(member_id);
  std::vector<std::string> ids = live.AssignmentOf(member_id);
  MemberView view;
  view.member_id = member_id;
  view.generation = live.generation;
  view.session_timeout_ms = member.session_timeout_ms;
  view.rebalance_needed = ids != member.answered;
  view.assignment = AssignedLocked(live, stored, member_id);
  member.answered = std::move(ids);
  return view;
}

void Coordinator::Deliver(Notices notices) {
  for (Notice& n : notices) n.listener(n.generation, n.assignment, n.ended);
}

void Coordinator::RemoveMemberLocked(LiveGroup& live, const std::string& member_id, const Status& why,
                                     Notices* notices) {
  auto it = live.members.find(member_id);
  if (it != live.members.end() && it->second.listener) {
    notices->push_back({std::move(it->second.listener), live.generation, {}, why});
  }
  live.RemoveMember(member_id);
}

Result<uint64_t> Coordinator::DropGroupLocked(const GroupKey& key, Notices* notices) {
  auto live = live_.find(key);
  if (live != live_.end()) {
    for (auto& [id, member] : live->second.members) {
      if (!member.listener) continue;
      notices->push_back(
          {std::move(member.listener),
           live->second.generation,
           {},
           Status::NotFound(fmt::format("Group {} of stream {} was deleted with its stream.", key.group, key.stream))});
    }
    live_.erase(live);
  }
  return store_.DeleteGroup(key);
}

void Coordinator::Join(const JoinRequest& request, std::function<void(Result<MemberView>)> done) {
  const GroupKey& key = request.key;
  std::optional<uint64_t> created_at;
  MemberView view;
  Notices notices;
  {
    std::lock_guard lock(mu_);
    Result<StreamShards> shards = shards_.Describe(key.stream_ref());
    if (!shards.ok()) return done(shards.status());
    if (Status claimed = ClaimLocked(key, &notices); !claimed.ok()) {
      return done(claimed);  // a refused claim dropped nothing: no notices
    }
    if (!Readable(shards->status)) {
      return done(Status::InUse(fmt::format("Stream {} under account {} not ACTIVE, instead in state {}", key.stream,
                                            key.account, engine::StreamStatusName(shards->status))));
    }
    const StoredGroup* stored = store_.Find(key);
    if (stored && stored->record.stream_creation_ms != shards->creation_ms) {
      // The group of a stream of the same name that was deleted.
      Result<uint64_t> dropped = DropGroupLocked(key, &notices);
      if (!dropped.ok()) return done(dropped.status());
      stored = nullptr;
    }
    if (!stored) {
      Result<std::vector<GroupRecord>> on_stream = store_.GroupsOf(key.stream_ref());
      if (!on_stream.ok()) return done(on_stream.status());
      if (on_stream->size() >= kMaxGroupsPerStream) {
        return done(Status::LimitExceeded(fmt::format("Stream {} already has {} consumer groups, the most it may have.",
                                                      key.stream, kMaxGroupsPerStream)));
      }
      GroupRecord record{key, shards->creation_ms, request.initial_position.value_or(InitialPosition::kTrimHorizon),
                         Now()};
      Result<uint64_t> put = store_.PutGroup(record);
      if (!put.ok()) return done(put.status());
      created_at = *put;
      live_.erase(key);
      stored = store_.Find(key);
    } else if (request.initial_position && *request.initial_position != stored->record.initial_position) {
      return done(Status::InvalidArgument(fmt::format(
          "Group {} reads from {}: a join may not change its InitialPosition to {}.", key.group,
          InitialPositionName(stored->record.initial_position), InitialPositionName(*request.initial_position))));
    }
    LiveGroup& live = live_[key];
    std::string member_id = request.member_id.value_or(NewMemberId());
    auto it = live.members.find(member_id);
    if (it == live.members.end()) {
      if (live.members.size() >= kMaxMembersPerGroup) {
        return done(Status::LimitExceeded(
            fmt::format("Group {} already has {} members, the most it may have.", key.group, kMaxMembersPerGroup)));
      }
      it = live.members.emplace(member_id, LiveMember{}).first;
      it->second.session_timeout_ms = request.session_timeout_ms;
    }
    it->second.last_heartbeat_ms = Now();
    RebalanceLocked(live, *shards, *stored, &notices);
    live.Release(member_id);
    view = ViewLocked(live, *stored, member_id);
  }
  Deliver(std::move(notices));
  if (!created_at) return done(std::move(view));
  store_.WhenDurable(*created_at, [done = std::move(done), view = std::move(view)](Status s) mutable {
    if (!s.ok()) return done(s);
    done(std::move(view));
  });
}

Result<MemberView> Coordinator::Heartbeat(const GroupKey& key, const std::string& member_id) {
  Notices notices;
  std::optional<MemberView> out;
  {
    std::lock_guard lock(mu_);
    SLUICE_RETURN_IF_ERROR(ClaimLocked(key, &notices));
    StreamShards shards;
    SLUICE_ASSIGN_OR_RETURN(MemberLookup found, FindMemberLocked(key, member_id, &shards));
    found.member->last_heartbeat_ms = Now();
    RebalanceLocked(*found.live, shards, *found.stored, &notices);
    found.live->Release(member_id);
    out = ViewLocked(*found.live, *found.stored, member_id);
  }
  Deliver(std::move(notices));
  return *std::move(out);
}

Status Coordinator::Leave(const GroupKey& key, const std::string& member_id) {
  Notices notices;
  {
    std::lock_guard lock(mu_);
    SLUICE_RETURN_IF_ERROR(ClaimLocked(key, &notices));
    StreamShards shards;
    SLUICE_ASSIGN_OR_RETURN(MemberLookup found, FindMemberLocked(key, member_id, &shards));
    RemoveMemberLocked(*found.live, member_id, UnknownMember(key, member_id), &notices);
    RebalanceLocked(*found.live, shards, *found.stored, &notices);
  }
  Deliver(std::move(notices));
  return Status::Ok();
}

void Coordinator::Commit(const CheckpointRequest& request, std::function<void(Status)> done) {
  const GroupKey& key = request.key;
  Notices notices;
  uint64_t position = 0;
  {
    std::lock_guard lock(mu_);
    if (Status claimed = ClaimLocked(key, &notices); !claimed.ok()) {
      return done(claimed);  // a refused claim dropped nothing: no notices
    }
    StreamShards shards;
    Result<const StoredGroup*> stored = FindLocked(key, &shards);
    if (!stored.ok()) return done(stored.status());
    const ShardInfo* shard = nullptr;
    for (const ShardInfo& s : shards.shards) {
      if (s.shard_id == request.shard_id) shard = &s;
    }
    if (!shard) {
      return done(Status::NotFound(fmt::format("Shard {} in stream {} under account {} does not exist",
                                               request.shard_id, key.stream, key.account)));
    }
    LiveGroup& live = live_[key];
    if (!live.members.count(request.member_id)) return done(UnknownMember(key, request.member_id));
    RebalanceLocked(live, shards, **stored, &notices);
    auto owner = live.owners.find(request.shard_id);
    if (owner == live.owners.end() || owner->second.member != request.member_id) {
      return done(FencedMemberError(request.member_id, fmt::format("does not own shard {} of group {} (generation {}).",
                                                                   request.shard_id, key.group, live.generation)));
    }
    if (request.generation < owner->second.since_generation) {
      return done(FencedMemberError(
          request.member_id,
          fmt::format("was given shard {} of group {} at generation {}, after generation {}.", request.shard_id,
                      key.group, owner->second.since_generation, request.generation)));
    }
    Status valid = shards_.CheckCheckpoint(key.stream_ref(), *shard, request.sequence_number, request.shard_end);
    if (!valid.ok()) return done(valid);
    Result<uint64_t> put =
        store_.PutCheckpoint(key, Checkpoint{request.shard_id, request.sequence_number, request.shard_end, Now()});
    if (!put.ok()) return done(put.status());
    position = *put;
    // A finished parent lets its children be read.
    if (request.shard_end) RebalanceLocked(live, shards, *store_.Find(key), &notices);
  }
  Deliver(std::move(notices));
  store_.WhenDurable(position, std::move(done));
}

Result<std::vector<Checkpoint>> Coordinator::Checkpoints(const GroupKey& key) {
  Notices notices;
  std::vector<Checkpoint> out;
  {
    std::lock_guard lock(mu_);
    SLUICE_RETURN_IF_ERROR(ClaimLocked(key, &notices));
    StreamShards shards;
    SLUICE_ASSIGN_OR_RETURN(const StoredGroup* stored, FindLocked(key, &shards));
    for (const auto& [shard, c] : stored->checkpoints) out.push_back(c);
  }
  Deliver(std::move(notices));
  return out;
}

Result<GroupDescription> Coordinator::Describe(const GroupKey& key, bool claim) {
  Notices notices;
  GroupDescription d;
  {
    std::lock_guard lock(mu_);
    if (claim) SLUICE_RETURN_IF_ERROR(ClaimLocked(key, &notices));
    StreamShards shards;
    SLUICE_ASSIGN_OR_RETURN(const StoredGroup* stored, FindLocked(key, &shards));
    LiveGroup& live = live_[key];
    RebalanceLocked(live, shards, *stored, &notices);
    d.record = stored->record;
    d.stream_arn = shards.arn;
    d.generation = live.generation;
    d.state = live.members.empty() ? GroupState::kEmpty
                                   : (live.rebalancing() ? GroupState::kRebalancing : GroupState::kStable);
    for (const auto& [id, m] : live.members) {
      d.members.push_back(
          {id, live.AssignmentOf(id), m.session_timeout_ms, m.last_heartbeat_ms, m.listener != nullptr});
    }
    std::map<std::string, ShardDescription> by_shard;
    for (const auto& [shard, member] : live.target) by_shard[shard].shard_id = shard;
    for (const auto& [shard, c] : stored->checkpoints) by_shard[shard].shard_id = shard;
    for (auto& [shard, s] : by_shard) {
      auto o = live.owners.find(shard);
      if (o != live.owners.end()) s.owner = o->second.member;
      auto c = stored->checkpoints.find(shard);
      const Checkpoint* checkpoint = c == stored->checkpoints.end() ? nullptr : &c->second;
      if (checkpoint) {
        s.sequence_number = checkpoint->sequence_number;
        s.shard_end = checkpoint->shard_end;
      }
      s.lag = shards_.Lag(key.stream_ref(), shard, checkpoint, stored->record.initial_position);
      d.shards.push_back(std::move(s));
    }
  }
  Deliver(std::move(notices));
  return d;
}

Result<GroupPage> Coordinator::List(const engine::StreamRef& stream, const std::string& after, size_t limit,
                                    bool held_only) {
  std::lock_guard lock(mu_);
  SLUICE_ASSIGN_OR_RETURN(StreamShards shards, shards_.Describe(stream));
  GroupPage page;
  std::vector<GroupRecord> records;
  if (held_only) {
    for (auto it = store_.groups().upper_bound(GroupKey{stream.account, stream.region, stream.name, after});
         it != store_.groups().end(); ++it) {
      const GroupKey& k = it->first;
      if (k.account != stream.account || k.region != stream.region || k.stream != stream.name) break;
      records.push_back(it->second.record);
    }
  } else {
    SLUICE_ASSIGN_OR_RETURN(records, store_.GroupsOf(stream));
  }
  for (const GroupRecord& record : records) {
    const GroupKey& k = record.key;
    if (k.group <= after) continue;
    if (record.stream_creation_ms != shards.creation_ms) continue;
    if (page.groups.size() == limit) {
      page.more = true;
      break;
    }
    GroupSummary s{k.group};
    auto live = live_.find(k);
    if (live != live_.end()) {
      s.generation = live->second.generation;
      s.member_count = live->second.members.size();
      s.state = s.member_count == 0 ? GroupState::kEmpty
                                    : (live->second.rebalancing() ? GroupState::kRebalancing : GroupState::kStable);
    }
    page.groups.push_back(std::move(s));
  }
  return page;
}

void Coordinator::Delete(const GroupKey& key, std::function<void(Status)> done) {
  uint64_t position = 0;
  Notices notices;  // none but a claim's: a group with members is not deleted
  {
    std::lock_guard lock(mu_);
    if (Status claimed = ClaimLocked(key, &notices); !claimed.ok()) {
      return done(claimed);  // a refused claim dropped nothing: no notices
    }
    StreamShards shards;
    Result<const StoredGroup*> stored = FindLocked(key, &shards);
    if (!stored.ok()) return done(stored.status());
    auto live = live_.find(key);
    if (live != live_.end() && !live->second.members.empty()) {
      return done(Status::InUse(fmt::format("Group {} has {} members: a group is deleted once they have left.",
                                            key.group, live->second.members.size())));
    }
    Result<uint64_t> dropped = DropGroupLocked(key, &notices);
    if (!dropped.ok()) return done(dropped.status());
    position = *dropped;
  }
  Deliver(std::move(notices));
  store_.WhenDurable(position, std::move(done));
}

Result<uint64_t> Coordinator::Attach(const GroupKey& key, const std::string& member_id, AssignmentListener listener) {
  Notices notices;
  uint64_t push_id = 0;
  {
    std::lock_guard lock(mu_);
    SLUICE_RETURN_IF_ERROR(ClaimLocked(key, &notices));
    StreamShards shards;
    SLUICE_ASSIGN_OR_RETURN(MemberLookup found, FindMemberLocked(key, member_id, &shards));
    if (found.member->listener) {
      notices.push_back({std::move(found.member->listener),
                         found.live->generation,
                         {},
                         Status::InUse(fmt::format("Member {} of group {} subscribed again; this subscription ended.",
                                                   member_id, key.group))});
    }
    push_id = ++next_push_;
    found.member->push_id = push_id;
    found.member->listener = std::move(listener);
    // No assignment names the shard "": the listener is told the current
    // assignment first, whatever it is.
    found.member->answered = {""};
    found.live->Release(member_id);
    RebalanceLocked(*found.live, shards, *found.stored, &notices);
  }
  Deliver(std::move(notices));
  return push_id;
}

void Coordinator::Detach(const GroupKey& key, const std::string& member_id, uint64_t push_id) {
  std::lock_guard lock(mu_);
  auto live = live_.find(key);
  if (live == live_.end()) return;
  auto it = live->second.members.find(member_id);
  if (it == live->second.members.end() || it->second.push_id != push_id) return;
  it->second.listener = nullptr;
  it->second.last_heartbeat_ms = Now();  // the session runs from the end of the push
}

void Coordinator::ExpireSessions() {
  Notices notices;
  {
    std::lock_guard lock(mu_);
    const int64_t now = Now();
    for (auto& [key, live] : live_) {
      std::vector<std::string> expired;
      for (const auto& [id, m] : live.members) {
        if (!m.listener && now - m.last_heartbeat_ms > m.session_timeout_ms) expired.push_back(id);
      }
      if (expired.empty()) continue;
      for (const std::string& id : expired) {
        log::Info("consumer group {} of stream {}: member {} missed its session timeout; its shards move", key.group,
                  key.stream, id);
        live.RemoveMember(id);
      }
      StreamShards shards;
      Result<const StoredGroup*> stored = FindLocked(key, &shards);
      if (stored.ok()) RebalanceLocked(live, shards, **stored, &notices);
    }
    // The groups of deleted (or deleted and re-created) streams go with them.
    if (now - last_stream_check_ms_ >= 1000) {
      last_stream_check_ms_ = now;
      if (options_.coordinates_here) {
        std::vector<GroupKey> moved;
        for (const auto& [key, live] : live_) {
          if (!live.members.empty() && !options_.coordinates_here(key)) moved.push_back(key);
        }
        for (const GroupKey& key : moved) {
          log::Info("consumer group {} of stream {}: coordinated by another node now; its members here go", key.group,
                    key.stream);
          DropMembersLocked(key, &notices);
        }
      }
      // Per stream: its creation time; nullopt when it is gone; absent from
      // the map when the engine could not say (the groups stay).
      std::map<std::tuple<std::string, std::string, std::string>, std::optional<int64_t>> streams;
      std::set<std::tuple<std::string, std::string, std::string>> unknown;
      std::vector<GroupKey> gone;
      for (const auto& [key, group] : store_.groups()) {
        const auto name = std::make_tuple(key.account, key.region, key.stream);
        if (unknown.count(name)) continue;
        auto it = streams.find(name);
        if (it == streams.end()) {
          Result<engine::StreamDescription> d = engine_.control().DescribeStream(key.stream_ref(), engine::kNoShards);
          if (!d.ok() && d.status().code() != ErrorCode::kResourceNotFound) {
            unknown.insert(name);
            continue;
          }
          it = streams.emplace(name, d.ok() ? std::optional<int64_t>(d->creation_ms) : std::nullopt).first;
        }
        if (it->second != group.record.stream_creation_ms) gone.push_back(key);
      }
      for (const GroupKey& key : gone) {
        Result<uint64_t> dropped = DropGroupLocked(key, &notices);
        if (!dropped.ok()) {
          log::Warn("consumer group {}: not deleted with its stream: {}", key.group, dropped.status().ToString());
        }
      }
    }
  }
  Deliver(std::move(notices));
}

}  // namespace sluice::groups
