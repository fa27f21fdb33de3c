#include "cluster/shard_leadership.h"

#include <simdjson.h>

#include <algorithm>
#include <charconv>
#include <cstdio>

namespace sluice::cluster {
namespace {

bool ParseInt(std::string_view s, int64_t* out) {
  if (s.empty()) return false;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && end == s.data() + s.size();
}

void WriteNames(protocol::JsonWriter& w, std::string_view key, const std::vector<std::string>& names) {
  w.Key(key);
  w.BeginArray();
  for (const std::string& n : names) w.String(n);
  w.EndArray();
}

bool ReadNames(simdjson::dom::object& obj, std::string_view key, std::vector<std::string>* out) {
  simdjson::dom::array array;
  if (obj[key].get_array().get(array) != simdjson::SUCCESS) return false;
  for (simdjson::dom::element e : array) {
    std::string_view s;
    if (e.get_string().get(s) != simdjson::SUCCESS) return false;
    out->emplace_back(s);
  }
  return true;
}

}  // namespace

std::string ShardLeadershipKey(const ShardId& id) {
  return std::string(kShardsPrefix) + id.account + "/" + id.region + "/" + id.stream + "/" +
         std::to_string(id.creation_ms) + "/" + std::to_string(id.shard_index);
}

Result<ShardId> ParseShardLeadershipKey(std::string_view key) {
  const auto bad = [&] { return Status::BadResponse("not a shard leadership key: " + std::string(key)); };
  if (!key.starts_with(kShardsPrefix)) return bad();
  std::string_view rest = key.substr(kShardsPrefix.size());
  std::string_view parts[5];
  for (int i = 0; i < 5; ++i) {
    const size_t slash = rest.find('/');
    if ((i < 4) == (slash == std::string_view::npos)) return bad();
    parts[i] = rest.substr(0, slash);
    if (parts[i].empty()) return bad();
    rest = i < 4 ? rest.substr(slash + 1) : std::string_view();
  }
  ShardId id{std::string(parts[0]), std::string(parts[1]), std::string(parts[2])};
  int64_t index = 0;
  if (!ParseInt(parts[3], &id.creation_ms) || !ParseInt(parts[4], &index) || index < 0) return bad();
  id.shard_index = static_cast<int>(index);
  return id;
}

std::string ShardName(int shard_index) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "shardId-%012d", shard_index);
  return buf;
}

bool SameMembers(std::vector<std::string> a, std::vector<std::string> b) {
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  return a == b;
}

std::string EncodeShardLeadership(const ShardLeadership& l) {
  std::string out;
  protocol::JsonWriter w(&out);
  w.BeginObject();
  WriteShardLeadershipMembers(w, l);
  w.EndObject();
  return out;
}

void WriteShardLeadershipMembers(protocol::JsonWriter& w, const ShardLeadership& l) {
  w.Member("leader", l.leader);
  w.MemberInt("leader_epoch", l.leader_epoch);
  WriteNames(w, "replicas", l.replicas);
  WriteNames(w, "isr", l.isr);
  if (!l.removing.empty()) WriteNames(w, "removing", l.removing);
}

Result<ShardLeadership> ParseShardLeadership(std::string_view json) {
  const auto bad = [&] {
    return Status::BadResponse("a shard leadership document that does not parse: " + std::string(json.substr(0, 200)));
  };
  simdjson::dom::parser parser;
  simdjson::dom::object obj;
  if (parser.parse(json.data(), json.size(), true).get(obj) != simdjson::SUCCESS) return bad();
  ShardLeadership l;
  std::string_view leader;
  if (obj["leader"].get_string().get(leader) != simdjson::SUCCESS) return bad();
  l.leader = std::string(leader);
  if (obj["leader_epoch"].get_int64().get(l.leader_epoch) != simdjson::SUCCESS) return bad();
  if (!ReadNames(obj, "replicas", &l.replicas) || !ReadNames(obj, "isr", &l.isr)) return bad();
  if (obj["removing"].error() != simdjson::NO_SUCH_FIELD && !ReadNames(obj, "removing", &l.removing)) return bad();
  return l;
}

Status DeclareShard(EtcdClient& client, const ShardId& id) {
  const std::string key = ShardLeadershipKey(id);
  return client.Txn({Compare::Absent(key)}, {TxnOp::Put(key, EncodeShardLeadership({}))}, {}).status();
}

Result<bool> UpdateShardLeadership(EtcdClient& client, const ShardRecord& current, const ShardLeadership& next) {
  SLUICE_ASSIGN_OR_RETURN(TxnResult txn, client.CompareAndSwap(ShardLeadershipKey(current.id), current.mod_revision,
                                                               EncodeShardLeadership(next)));
  return txn.succeeded;
}

Result<ShardRecord> ParseShardRecord(const KeyValue& kv) {
  SLUICE_ASSIGN_OR_RETURN(ShardId id, ParseShardLeadershipKey(kv.key));
  SLUICE_ASSIGN_OR_RETURN(ShardLeadership leadership, ParseShardLeadership(kv.value));
  return ShardRecord{std::move(id), std::move(leadership), kv.mod_revision};
}

Result<std::vector<ShardRecord>> ListShardRecords(EtcdClient& client) {
  SLUICE_ASSIGN_OR_RETURN(RangeResult range, client.GetPrefix(kShardsPrefix));
  std::vector<ShardRecord> out;
  for (const KeyValue& kv : range.kvs) {
    SLUICE_ASSIGN_OR_RETURN(ShardRecord record, ParseShardRecord(kv));
    out.push_back(std::move(record));
  }
  return out;
}

}  // namespace sluice::cluster
