#include "api/relay_calls.h"

#include <cctype>
#include <cstring>
#include <vector>

#include "api/operation_table.h"
#include "engine/engine.h"  // StreamArn
#include "protocol/byte_arena.h"
#include "protocol/errors.h"
#include "protocol/json_reader.h"
#include "protocol/json_writer.h"
#include "util/hash_key.h"

namespace sluice::api {
namespace {

Status BadAnswer(std::string_view what) {
  return Status(ErrorCode::kBadResponse, "the shard's leader answered " + std::string(what));
}

// The error type of an answer: x-amzn-ErrorType, else the body's __type
// (either may carry a ":<url>" suffix).
std::string ErrorTypeOf(const gateway::ForwardedResponse& answer, std::string* message) {
  std::string type;
  for (const auto& [name, value] : answer.headers) {
    std::string lower = name;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (lower == "x-amzn-errortype") type = value;
  }
  Result<protocol::JsonObject> body = protocol::ParseJsonRequest(answer.body);
  if (body.ok()) {
    std::optional<std::string_view> t, m;
    if (type.empty() && body->GetString("__type", &t).ok() && t) type = std::string(*t);
    if ((body->GetString("message", &m).ok() && m) || (body->GetString("Message", &m).ok() && m)) {
      *message = std::string(*m);
    }
  }
  const size_t colon = type.find(':');
  if (colon != std::string::npos) type.resize(colon);
  const size_t hash = type.rfind('#');
  if (hash != std::string::npos) type.erase(0, hash + 1);
  return type;
}

Status CheckOk(const gateway::ForwardedResponse& answer) {
  return answer.status == 200 ? Status::Ok() : AnswerError(answer);
}

}  // namespace

std::string GetShardIteratorBody(const engine::StreamRef& stream, std::string_view shard_id,
                                 const RelayPosition& position) {
  std::string body;
  protocol::JsonWriter w(&body);
  w.BeginObject();
  w.Member("StreamARN", engine::StreamArn(stream));
  w.Member("ShardId", shard_id);
  w.Member("ShardIteratorType", position.type);
  if (position.sequence_number) w.Member("StartingSequenceNumber", *position.sequence_number);
  if (position.timestamp_ms) {
    w.Key("Timestamp");
    w.TimestampMillis(*position.timestamp_ms);
  }
  w.EndObject();
  return body;
}

std::string GetRecordsBody(std::string_view shard_iterator, int limit) {
  std::string body;
  protocol::JsonWriter w(&body);
  w.BeginObject();
  w.Member("ShardIterator", shard_iterator);
  w.MemberInt("Limit", limit);
  w.EndObject();
  return body;
}

gateway::ForwardedRequest RelayRequest(std::string_view operation, std::string body, const engine::StreamRef& stream) {
  gateway::ForwardedRequest request;
  request.headers = {{"x-amz-target", std::string(kTargetPrefix) + std::string(operation)},
                     {"content-type", "application/x-amz-json-1.1"}};
  request.body = std::move(body);
  request.account = stream.account;
  request.region = stream.region;
  return request;
}

Status AnswerError(const gateway::ForwardedResponse& answer) {
  std::string message;
  const std::string type = ErrorTypeOf(answer, &message);
  for (int c = static_cast<int>(ErrorCode::kResourceNotFound); c <= static_cast<int>(ErrorCode::kServiceUnavailable);
       ++c) {
    if (type == protocol::ErrorTypeName(static_cast<ErrorCode>(c))) return Status(static_cast<ErrorCode>(c), message);
  }
  return Status(ErrorCode::kInternalFailure,
                "the shard's leader answered HTTP " + std::to_string(answer.status) + " " + type + " " + message);
}

Result<std::string> ReadShardIteratorAnswer(const gateway::ForwardedResponse& answer) {
  SLUICE_RETURN_IF_ERROR(CheckOk(answer));
  Result<protocol::JsonObject> body = protocol::ParseJsonRequest(answer.body);
  if (!body.ok()) return BadAnswer("GetShardIterator with a body that is not JSON");
  std::optional<std::string_view> iterator;
  if (!body->GetString("ShardIterator", &iterator).ok() || !iterator) {
    return BadAnswer("GetShardIterator without a ShardIterator");
  }
  return std::string(*iterator);
}

Result<engine::GetRecordsResult> ReadGetRecordsAnswer(const gateway::ForwardedResponse& answer) {
  SLUICE_RETURN_IF_ERROR(CheckOk(answer));
  Result<protocol::JsonObject> body = protocol::ParseJsonRequest(answer.body);
  if (!body.ok()) return BadAnswer("GetRecords with a body that is not JSON");
  std::optional<protocol::JsonArray> records;
  std::optional<std::string_view> next;
  std::optional<int64_t> behind;
  std::optional<protocol::JsonArray> children;
  if (!body->GetList("Records", &records).ok() || !records || !body->GetString("NextShardIterator", &next).ok() ||
      !body->GetLong("MillisBehindLatest", &behind).ok() || !body->GetList("ChildShards", &children).ok()) {
    return BadAnswer("GetRecords with a body that is not GetRecords' output");
  }

  // The record fields first (views into the parser and the arena), then
  // their bytes copied into one buffer, which the records view.
  struct Fields {
    std::string_view sequence_number, partition_key, data;
    int64_t arrival_ms = 0;
    bool encrypted = false;
  };
  protocol::ByteArena arena;
  std::vector<Fields> fields(records->size());
  size_t bytes = 0;
  for (size_t i = 0; i < records->size(); ++i) {
    protocol::JsonObject r;
    std::optional<std::string_view> seq, key, data, encryption;
    std::optional<int64_t> arrival;
    if (!records->StructureAt(i, &r).ok() || !r.GetString("SequenceNumber", &seq).ok() ||
        !r.GetTimestampMillis("ApproximateArrivalTimestamp", &arrival).ok() || !r.GetBlob("Data", &arena, &data).ok() ||
        !r.GetString("PartitionKey", &key).ok() || !r.GetString("EncryptionType", &encryption).ok() || !seq ||
        seq->size() != engine::SequenceDigits{}.size() || !arrival || !data || !key) {
      return BadAnswer("GetRecords with a record that is not a Record");
    }
    fields[i] = {*seq, *key, *data, *arrival, encryption && *encryption == "KMS"};
    bytes += key->size() + data->size();
  }
  engine::GetRecordsResult result;
  result.buffer.reserve(std::max<size_t>(bytes, 64));  // on the heap: moving keeps the views
  for (const Fields& f : fields) {
    engine::Record record;
    std::memcpy(record.sequence_number.data(), f.sequence_number.data(), record.sequence_number.size());
    record.arrival_ms = f.arrival_ms;
    record.encrypted = f.encrypted;
    const size_t at = result.buffer.size();
    result.buffer.append(f.partition_key);
    result.buffer.append(f.data);
    record.partition_key = std::string_view(result.buffer).substr(at, f.partition_key.size());
    record.data = std::string_view(result.buffer).substr(at + f.partition_key.size(), f.data.size());
    result.records.push_back(record);
  }
  if (next) result.next_shard_iterator = std::string(*next);
  result.millis_behind_latest = behind.value_or(0);
  for (size_t i = 0; children && i < children->size(); ++i) {
    protocol::JsonObject c, range;
    std::optional<protocol::JsonObject> range_member;
    std::optional<protocol::JsonArray> parents;
    std::optional<std::string_view> id, start, end;
    if (!children->StructureAt(i, &c).ok() || !c.GetString("ShardId", &id).ok() || !id ||
        !c.GetList("ParentShards", &parents).ok() || !c.GetStructure("HashKeyRange", &range_member).ok() ||
        !range_member || !range_member->GetString("StartingHashKey", &start).ok() ||
        !range_member->GetString("EndingHashKey", &end).ok() || !start || !end) {
      return BadAnswer("GetRecords with a child shard that is not a ChildShard");
    }
    engine::ChildShard child;
    child.shard_id = std::string(*id);
    for (size_t p = 0; parents && p < parents->size(); ++p) {
      std::optional<std::string_view> parent;
      if (!parents->StringAt(p, &parent).ok() || !parent) return BadAnswer("GetRecords with a bad ParentShards");
      child.parent_shards.emplace_back(*parent);
    }
    Result<HashKey> lo = ParseHashKey(*start);
    Result<HashKey> hi = ParseHashKey(*end);
    if (!lo.ok() || !hi.ok()) return BadAnswer("GetRecords with a bad HashKeyRange");
    child.hash_range = {*lo, *hi};
    result.child_shards.push_back(std::move(child));
  }
  return result;
}

}  // namespace sluice::api
