#include "channels/dead_letter.h"

#include "protocol/json_writer.h"

namespace sluice::channels {

void AppendDeadLetter(std::string_view stream_arn, std::string_view shard_id, const BatchRecord& record,
                      std::string_view reason, std::string* object) {
  protocol::JsonWriter w(object);
  w.BeginObject();
  w.Member("streamARN", stream_arn);
  w.Member("shardId", shard_id);
  w.Member("sequenceNumber", record.sequence_number);
  w.Key("approximateArrivalTimestamp");
  w.TimestampMillis(record.arrival_ms);
  w.Member("partitionKey", record.partition_key);
  w.Key("data");
  w.Blob(record.data);
  w.Member("reason", reason);
  w.EndObject();
  object->push_back('\n');
}

}  // namespace sluice::channels
