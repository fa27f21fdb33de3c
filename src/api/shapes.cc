#include "api/shapes.h"

#include "util/base64.h"
#include "util/hash_key.h"

namespace sluice::api {

void WriteHashKeyRange(protocol::JsonWriter& w, const engine::HashKeyRange& range) {
  w.BeginObject();
  w.Member("StartingHashKey", HashKeyToString(range.start));
  w.Member("EndingHashKey", HashKeyToString(range.end));
  w.EndObject();
}

void WriteRecords(protocol::JsonWriter& w, std::span<const engine::Record> records) {
  w.BeginArray();
  for (const auto& r : records) {
    w.BeginObject();
    w.Member("SequenceNumber", engine::ToView(r.sequence_number));
    w.Key("ApproximateArrivalTimestamp");
    w.TimestampMillis(r.arrival_ms);
    w.Key("Data");
    w.Blob(r.data);
    w.Member("PartitionKey", r.partition_key);
    if (r.encrypted) w.Member("EncryptionType", "KMS");
    w.EndObject();
  }
  w.EndArray();
}

size_t EstimateRecordsSize(std::span<const engine::Record> records) {
  size_t n = 16;
  for (const auto& r : records) {
    // Fixed members and punctuation, 56-digit sequence number, timestamp,
    // escaped key (worst case 6 bytes per byte is rare; 2x is a fair guess).
    n += 160 + base64::EncodedSize(r.data.size()) + 2 * r.partition_key.size();
  }
  return n;
}

void WriteShard(protocol::JsonWriter& w, const engine::Shard& shard) {
  w.BeginObject();
  w.Member("ShardId", shard.shard_id);
  if (shard.parent_shard_id) w.Member("ParentShardId", *shard.parent_shard_id);
  if (shard.adjacent_parent_shard_id) w.Member("AdjacentParentShardId", *shard.adjacent_parent_shard_id);
  w.Key("HashKeyRange");
  WriteHashKeyRange(w, shard.hash_range);
  w.Key("SequenceNumberRange");
  w.BeginObject();
  w.Member("StartingSequenceNumber", shard.starting_sequence_number);
  if (shard.ending_sequence_number) w.Member("EndingSequenceNumber", *shard.ending_sequence_number);
  w.EndObject();
  w.EndObject();
}

void WriteChildShards(protocol::JsonWriter& w, std::span<const engine::ChildShard> children) {
  w.BeginArray();
  for (const auto& c : children) {
    w.BeginObject();
    w.Member("ShardId", c.shard_id);
    w.Key("ParentShards");
    w.BeginArray();
    for (const auto& p : c.parent_shards) w.String(p);
    w.EndArray();
    w.Key("HashKeyRange");
    WriteHashKeyRange(w, c.hash_range);
    w.EndObject();
  }
  w.EndArray();
}

void WriteStreamModeDetails(protocol::JsonWriter& w, engine::StreamMode mode) {
  w.BeginObject();
  w.Member("StreamMode", engine::StreamModeName(mode));
  w.EndObject();
}

void WriteEnhancedMonitoring(protocol::JsonWriter& w, std::span<const std::string> metrics) {
  w.BeginArray();
  w.BeginObject();
  w.Key("ShardLevelMetrics");
  w.BeginArray();
  for (const auto& m : metrics) w.String(m);
  w.EndArray();
  w.EndObject();
  w.EndArray();
}

void WriteStreamDescriptionFields(protocol::JsonWriter& w, const engine::StreamDescription& desc) {
  w.Member("StreamName", desc.name);
  w.Member("StreamARN", desc.arn);
  w.Member("StreamStatus", engine::StreamStatusName(desc.status));
  w.Key("StreamModeDetails");
  WriteStreamModeDetails(w, desc.mode);
  w.MemberInt("RetentionPeriodHours", desc.retention_hours);
  w.Key("StreamCreationTimestamp");
  w.TimestampMillis(desc.creation_ms);
  w.Key("EnhancedMonitoring");
  WriteEnhancedMonitoring(w, desc.shard_level_metrics);
  w.Member("EncryptionType", desc.encryption_type);
  if (desc.key_id) w.Member("KeyId", *desc.key_id);
}

}  // namespace sluice::api

namespace sluice::api {

std::string_view FormatShardId(int shard_index, char (&buf)[20]) {
  constexpr std::string_view kPrefix = "shardId-";
  for (size_t i = 0; i < kPrefix.size(); ++i) buf[i] = kPrefix[i];
  uint64_t v = static_cast<uint64_t>(shard_index < 0 ? 0 : shard_index);
  for (int i = 19; i >= 8; --i) {
    buf[i] = static_cast<char>('0' + v % 10);
    v /= 10;
  }
  return std::string_view(buf, 20);
}

}  // namespace sluice::api
