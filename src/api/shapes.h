// JSON encodings of the output shapes several operations share: Shard,
// HashKeyRange, ChildShard, StreamModeDetails, EnhancedMonitoring.
#pragma once

#include <span>

#include "engine/types.h"
#include "protocol/json_writer.h"

namespace sluice::api {

// {"StartingHashKey":"..","EndingHashKey":".."}
void WriteHashKeyRange(protocol::JsonWriter& w, const engine::HashKeyRange& range);
// [{"SequenceNumber":..,"ApproximateArrivalTimestamp":..,"Data":..,"PartitionKey":..,"EncryptionType"?}, ...]
// (GetRecords, SubscribeToShardEvent).
void WriteRecords(protocol::JsonWriter& w, std::span<const engine::Record> records);
// A fair upper guess of WriteRecords' output size, to reserve the buffer.
size_t EstimateRecordsSize(std::span<const engine::Record> records);
// {"ShardId":..,"ParentShardId"?,"AdjacentParentShardId"?,"HashKeyRange":..,"SequenceNumberRange":..}
void WriteShard(protocol::JsonWriter& w, const engine::Shard& shard);
// [{"ShardId":..,"ParentShards":[..],"HashKeyRange":..}, ...]
void WriteChildShards(protocol::JsonWriter& w, std::span<const engine::ChildShard> children);
// {"StreamMode":"PROVISIONED"}
void WriteStreamModeDetails(protocol::JsonWriter& w, engine::StreamMode mode);
// [{"ShardLevelMetrics":[..]}]
void WriteEnhancedMonitoring(protocol::JsonWriter& w, std::span<const std::string> metrics);
// The members StreamDescription and StreamDescriptionSummary share, inside an
// open object: StreamName, StreamARN, StreamStatus, StreamModeDetails,
// RetentionPeriodHours, StreamCreationTimestamp, EnhancedMonitoring,
// EncryptionType and KeyId (when set).
void WriteStreamDescriptionFields(protocol::JsonWriter& w, const engine::StreamDescription& desc);

}  // namespace sluice::api

namespace sluice::api {

// Formats "shardId-%012d" into `buf` without allocating (the hot-path twin
// of engine::ShardIdFor). Returns a view of `buf`.
std::string_view FormatShardId(int shard_index, char (&buf)[20]);

}  // namespace sluice::api
