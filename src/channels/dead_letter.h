// Dead-letter objects: the records a channel could not write as their
// RecordFormatType says, one JSON document per line (docs/channels.md,
// "Dead letters"):
//   {"streamARN":"...","shardId":"shardId-000000000000",
//    "sequenceNumber":"...","approximateArrivalTimestamp":1700000000.123,
//    "partitionKey":"...","data":"<base64>","reason":"..."}
// Written uncompressed, whatever the channel's CompressionType, so they
// can be read without tools. Pure function; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "channels/shard_batch.h"

namespace sluice::channels {

// Appends the line for `record` of `stream_arn`'s `shard_id` to `*object`.
void AppendDeadLetter(std::string_view stream_arn, std::string_view shard_id, const BatchRecord& record,
                      std::string_view reason, std::string* object);

}  // namespace sluice::channels
