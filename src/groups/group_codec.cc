#include "groups/group_codec.h"

#include "util/log.h"

namespace sluice::groups {
namespace {

void Member(std::string* out, std::string_view name, std::string_view value) {
  if (out->size() > 1) out->push_back(',');
  out->push_back('"');
  out->append(name);
  out->append("\":\"");
  log::AppendJsonEscaped(out, value);
  out->push_back('"');
}

void Member(std::string* out, std::string_view name, int64_t value) {
  if (out->size() > 1) out->push_back(',');
  out->push_back('"');
  out->append(name);
  out->append("\":");
  out->append(std::to_string(value));
}

void KeyMembers(std::string* out, const GroupKey& key) {
  Member(out, "a", key.account);
  Member(out, "r", key.region);
  Member(out, "s", key.stream);
  Member(out, "g", key.group);
}

Status Missing(std::string_view what) {
  return Status::Corruption("a consumer group record has no valid \"" + std::string(what) + "\"");
}

Result<std::string> StringOf(simdjson::dom::element json, const char* name) {
  std::string_view v;
  if (json[name].get_string().get(v)) return Missing(name);
  return std::string(v);
}

Result<int64_t> IntOf(simdjson::dom::element json, const char* name) {
  int64_t v = 0;
  if (json[name].get_int64().get(v)) return Missing(name);
  return v;
}

}  // namespace

const char* InitialPositionName(InitialPosition p) { return p == InitialPosition::kLatest ? "LATEST" : "TRIM_HORIZON"; }

std::string EncodeGroupKey(const GroupKey& key) {
  std::string out = "{";
  KeyMembers(&out, key);
  return out + "}";
}

std::string EncodeGroupRecord(const GroupRecord& record) {
  std::string out = "{";
  KeyMembers(&out, record.key);
  Member(&out, "sc", record.stream_creation_ms);
  Member(&out, "ip", InitialPositionName(record.initial_position));
  Member(&out, "c", record.creation_ms);
  return out + "}";
}

std::string EncodeCheckpoint(const GroupKey& key, const Checkpoint& checkpoint, bool with_key) {
  std::string out = "{";
  if (with_key) KeyMembers(&out, key);
  Member(&out, "shard", checkpoint.shard_id);
  if (checkpoint.sequence_number) Member(&out, "seq", *checkpoint.sequence_number);
  Member(&out, "end", checkpoint.shard_end ? 1 : 0);
  Member(&out, "t", checkpoint.updated_ms);
  return out + "}";
}

Result<GroupKey> DecodeGroupKey(simdjson::dom::element json) {
  GroupKey key;
  SLUICE_ASSIGN_OR_RETURN(key.account, StringOf(json, "a"));
  SLUICE_ASSIGN_OR_RETURN(key.region, StringOf(json, "r"));
  SLUICE_ASSIGN_OR_RETURN(key.stream, StringOf(json, "s"));
  SLUICE_ASSIGN_OR_RETURN(key.group, StringOf(json, "g"));
  return key;
}

Result<GroupRecord> DecodeGroupRecord(simdjson::dom::element json) {
  GroupRecord record;
  SLUICE_ASSIGN_OR_RETURN(record.key, DecodeGroupKey(json));
  SLUICE_ASSIGN_OR_RETURN(record.stream_creation_ms, IntOf(json, "sc"));
  SLUICE_ASSIGN_OR_RETURN(std::string initial, StringOf(json, "ip"));
  if (initial != "LATEST" && initial != "TRIM_HORIZON") return Missing("ip");
  record.initial_position = initial == "LATEST" ? InitialPosition::kLatest : InitialPosition::kTrimHorizon;
  SLUICE_ASSIGN_OR_RETURN(record.creation_ms, IntOf(json, "c"));
  return record;
}

Result<Checkpoint> DecodeCheckpoint(simdjson::dom::element json) {
  Checkpoint c;
  SLUICE_ASSIGN_OR_RETURN(c.shard_id, StringOf(json, "shard"));
  std::string_view seq;
  if (!json["seq"].get_string().get(seq)) c.sequence_number = std::string(seq);
  SLUICE_ASSIGN_OR_RETURN(int64_t end, IntOf(json, "end"));
  c.shard_end = end != 0;
  SLUICE_ASSIGN_OR_RETURN(c.updated_ms, IntOf(json, "t"));
  return c;
}

}  // namespace sluice::groups
