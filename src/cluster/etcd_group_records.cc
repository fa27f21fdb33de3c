#include "cluster/etcd_group_records.h"

#include <simdjson.h>

#include <fmt/format.h>

#include "groups/group_codec.h"
#include "util/log.h"

namespace sluice::cluster {
namespace {

constexpr std::string_view kRecordKey = "record";
constexpr std::string_view kCoordinatorKey = "coordinator";
constexpr std::string_view kCheckpointsPrefix = "checkpoints/";

std::string StreamPrefix(const engine::StreamRef& s) {
  return fmt::format("{}{}/{}/{}/", kGroupsPrefix, s.account, s.region, s.name);
}

std::string Name(const groups::GroupKey& key) {
  return fmt::format("Group {} of stream {} under account {}", key.group, key.stream, key.account);
}

// What a client is told when the group cannot be answered for here now:
// AWS's ServiceUnavailable (HTTP 503), which every SDK retries.
Status TryAgain(const groups::GroupKey& key, std::string_view why) {
  return Status(ErrorCode::kServiceUnavailable, fmt::format("{}: {}; try again.", Name(key), why));
}

// An etcd error as the client sees it: one that did not answer in time is
// ServiceUnavailable; the details go to the log.
Status Unanswered(const groups::GroupKey& key, const Status& etcd) {
  log::Warn("consumer group {} of stream {}: etcd: {}", key.group, key.stream, etcd.ToString());
  return TryAgain(key, "the cluster's metadata store did not answer in time");
}

std::string CheckpointKey(const groups::GroupKey& key, const std::string& shard) {
  return GroupKeyPrefix(key) + std::string(kCheckpointsPrefix) + shard;
}

template <typename T>
Result<T> Decode(std::string_view json, Result<T> (*decode)(simdjson::dom::element)) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(json.data(), json.size()).get(doc)) return Status::Corruption("a consumer group key is not JSON");
  return decode(doc);
}

}  // namespace

std::string GroupKeyPrefix(const groups::GroupKey& key) { return StreamPrefix(key.stream_ref()) + key.group + "/"; }

Result<bool> EtcdGroupRecords::Claim(const groups::GroupKey& key) {
  const std::string live = live_nodes_();
  auto held = held_.find(key);
  if (held != held_.end() && held->second.live_nodes == live) return false;
  const std::string coordinator = GroupKeyPrefix(key) + std::string(kCoordinatorKey);
  Result<std::optional<KeyValue>> now = client_.Get(coordinator);
  if (!now.ok()) return Unanswered(key, now.status());
  const int64_t seen = *now ? (*now)->mod_revision : 0;
  if (held != held_.end() && held->second.revision == seen) {
    held->second.live_nodes = live;  // still this node's
    return false;
  }
  held_.erase(key);
  groups_.erase(key);
  Result<TxnResult> took = client_.Txn({Compare::ModRevision(coordinator, seen)},
                                       {TxnOp::Put(coordinator, fmt::format("{{\"node\":\"{}\"}}", node_id_))}, {});
  if (!took.ok()) return Unanswered(key, took.status());
  if (!took->succeeded) return TryAgain(key, "another node took the group at the same time");
  SLUICE_RETURN_IF_ERROR(Load(key));
  held_[key] = Held{took->revision, live};
  log::Info("consumer group {} of stream {}: coordinated here from now on", key.group, key.stream);
  return true;
}

Status EtcdGroupRecords::Load(const groups::GroupKey& key) {
  const std::string prefix = GroupKeyPrefix(key);
  Result<RangeResult> range = client_.GetPrefix(prefix);
  if (!range.ok()) return Unanswered(key, range.status());
  groups::StoredGroup group;
  bool found = false;
  for (const KeyValue& kv : range->kvs) {
    std::string_view rest = std::string_view(kv.key).substr(prefix.size());
    if (rest == kRecordKey) {
      SLUICE_ASSIGN_OR_RETURN(group.record, Decode<groups::GroupRecord>(kv.value, &groups::DecodeGroupRecord));
      found = true;
    } else if (rest.substr(0, kCheckpointsPrefix.size()) == kCheckpointsPrefix) {
      SLUICE_ASSIGN_OR_RETURN(groups::Checkpoint c, Decode<groups::Checkpoint>(kv.value, &groups::DecodeCheckpoint));
      group.checkpoints[c.shard_id] = std::move(c);
    }
  }
  if (found) groups_[key] = std::move(group);
  return Status::Ok();
}

const groups::StoredGroup* EtcdGroupRecords::Find(const groups::GroupKey& key) const {
  auto it = groups_.find(key);
  return it == groups_.end() ? nullptr : &it->second;
}

Result<std::vector<groups::GroupRecord>> EtcdGroupRecords::GroupsOf(const engine::StreamRef& stream) const {
  const std::string prefix = StreamPrefix(stream);
  Result<RangeResult> range = client_.GetPrefix(prefix);
  if (!range.ok()) return Unanswered(groups::GroupKey{stream.account, stream.region, stream.name, "*"}, range.status());
  std::vector<groups::GroupRecord> out;
  for (const KeyValue& kv : range->kvs) {
    std::string_view rest = std::string_view(kv.key).substr(prefix.size());
    const size_t slash = rest.find('/');
    if (slash == std::string_view::npos || rest.substr(slash + 1) != kRecordKey) continue;
    SLUICE_ASSIGN_OR_RETURN(groups::GroupRecord record,
                            Decode<groups::GroupRecord>(kv.value, &groups::DecodeGroupRecord));
    out.push_back(std::move(record));
  }
  return out;  // etcd's key order: by group name
}

Status EtcdGroupRecords::Write(const groups::GroupKey& key, std::vector<TxnOp> ops) {
  auto held = held_.find(key);
  if (held == held_.end()) return TryAgain(key, "this node does not coordinate the group");
  const std::string coordinator = GroupKeyPrefix(key) + std::string(kCoordinatorKey);
  Result<TxnResult> wrote = client_.Txn({Compare::ModRevision(coordinator, held->second.revision)}, ops, {});
  if (wrote.ok() && wrote->succeeded) return Status::Ok();
  // Refused (another node took the group) or unknown (etcd did not answer):
  // what this node holds of the group may be stale; read it again.
  held_.erase(held);
  groups_.erase(key);
  if (!wrote.ok()) return Unanswered(key, wrote.status());
  log::Info("consumer group {} of stream {}: another node coordinates it now; a write here was refused", key.group,
            key.stream);
  return TryAgain(key, "another node coordinates the group now");
}

void EtcdGroupRecords::DeleteCheckpoints(const groups::GroupKey& key, std::vector<TxnOp>* ops) const {
  if (const groups::StoredGroup* old = Find(key)) {
    for (const auto& [shard, c] : old->checkpoints) ops->push_back(TxnOp::Delete(CheckpointKey(key, shard)));
  }
}

Result<uint64_t> EtcdGroupRecords::PutGroup(const groups::GroupRecord& record) {
  const std::string prefix = GroupKeyPrefix(record.key);
  std::vector<TxnOp> ops{TxnOp::Put(prefix + std::string(kRecordKey), groups::EncodeGroupRecord(record))};
  DeleteCheckpoints(record.key, &ops);  // a new group: the checkpoints of one it replaces go
  SLUICE_RETURN_IF_ERROR(Write(record.key, std::move(ops)));
  groups_[record.key] = groups::StoredGroup{record, {}};
  return 0;
}

Result<uint64_t> EtcdGroupRecords::DeleteGroup(const groups::GroupKey& key) {
  const std::string prefix = GroupKeyPrefix(key);
  std::vector<TxnOp> ops{TxnOp::Delete(prefix + std::string(kRecordKey))};
  DeleteCheckpoints(key, &ops);
  SLUICE_RETURN_IF_ERROR(Write(key, std::move(ops)));
  groups_.erase(key);
  return 0;
}

Result<uint64_t> EtcdGroupRecords::PutCheckpoint(const groups::GroupKey& key, const groups::Checkpoint& checkpoint) {
  auto group = groups_.find(key);
  if (group == groups_.end()) return Status::NotFound(Name(key) + " not found.");
  SLUICE_RETURN_IF_ERROR(
      Write(key, {TxnOp::Put(CheckpointKey(key, checkpoint.shard_id), groups::EncodeCheckpoint(key, checkpoint))}));
  groups_[key].checkpoints[checkpoint.shard_id] = checkpoint;
  return 0;
}

void EtcdGroupRecords::WhenDurable(uint64_t, std::function<void(Status)> done) { done(Status::Ok()); }

}  // namespace sluice::cluster
