#include "client/client.h"

#include <chrono>
#include <thread>

#include "client/json_answer.h"
#include "protocol/byte_arena.h"
#include "protocol/json_reader.h"
#include "protocol/json_writer.h"

namespace sluice::client {
namespace {

using protocol::JsonArray;
using protocol::JsonObject;
using protocol::JsonWriter;

std::string StreamBody(const std::string& name) {
  std::string body;
  JsonWriter w(&body);
  w.BeginObject();
  w.Member("StreamName", name);
  w.EndObject();
  return body;
}

Shard ReadShard(const JsonObject& s) {
  Shard shard;
  shard.shard_id = Str(s, "ShardId");
  shard.parent_shard_id = Str(s, "ParentShardId");
  shard.adjacent_parent_shard_id = Str(s, "AdjacentParentShardId");
  std::optional<JsonObject> range, seq;
  if (s.GetStructure("HashKeyRange", &range).ok() && range) {
    shard.starting_hash_key = Str(*range, "StartingHashKey");
    shard.ending_hash_key = Str(*range, "EndingHashKey");
  }
  if (s.GetStructure("SequenceNumberRange", &seq).ok() && seq) {
    shard.starting_sequence_number = Str(*seq, "StartingSequenceNumber");
    shard.ending_sequence_number = Str(*seq, "EndingSequenceNumber");
  }
  return shard;
}

Consumer ReadConsumer(const JsonObject& c) {
  return Consumer{Str(c, "ConsumerName"), Str(c, "ConsumerARN"), Str(c, "ConsumerStatus"),
                  Millis(c, "ConsumerCreationTimestamp")};
}

}  // namespace

Error ParseErrorReply(const HttpReply& reply) {
  Error error;
  error.http_status = reply.status;
  Result<JsonObject> doc = protocol::ParseJsonRequest(reply.body);
  if (doc.ok()) {
    std::string type = Str(*doc, "__type");
    if (const size_t hash = type.rfind('#'); hash != std::string::npos) type.erase(0, hash + 1);
    error.type = std::move(type);
    error.message = Str(*doc, "message");
    if (error.message.empty()) error.message = Str(*doc, "Message");
  }
  if (error.type.empty()) {
    error.type = reply.status >= 500 ? "InternalFailure" : "HttpError";
    if (error.message.empty()) {
      error.message =
          "HTTP " + std::to_string(reply.status) + (reply.body.empty() ? "" : ": " + reply.body.substr(0, 200));
    }
  }
  return error;
}

Outcome<GetRecordsResult> ParseRecordsPayload(std::string_view json, const std::string& shard_id) {
  return ReadAnswer<GetRecordsResult>("records", json, [&](const JsonObject& o) -> Outcome<GetRecordsResult> {
    GetRecordsResult out;
    std::optional<JsonArray> records;
    Status st = o.GetList("Records", &records);
    if (!st.ok()) return BadAnswer("records", st);
    protocol::ByteArena arena;
    if (records) {
      out.records.reserve(records->size());
      for (size_t i = 0; i < records->size(); ++i) {
        JsonObject r;
        if (!(st = records->StructureAt(i, &r)).ok()) return BadAnswer("records", st);
        Record rec;
        rec.shard_id = shard_id;
        rec.sequence_number = Str(r, "SequenceNumber");
        rec.partition_key = Str(r, "PartitionKey");
        rec.arrival_ms = Millis(r, "ApproximateArrivalTimestamp");
        std::optional<std::string_view> data;
        if (!(st = r.GetBlob("Data", &arena, &data)).ok()) return BadAnswer("records", st);
        if (data) rec.data.assign(data->data(), data->size());
        out.records.push_back(std::move(rec));
      }
    }
    out.next_iterator = Str(o, "NextShardIterator");
    out.millis_behind_latest = Long(o, "MillisBehindLatest");
    out.continuation_sequence_number = Str(o, "ContinuationSequenceNumber");
    std::optional<JsonArray> children;
    if (o.GetList("ChildShards", &children).ok() && children) {
      for (size_t i = 0; i < children->size(); ++i) {
        JsonObject c;
        if (!children->StructureAt(i, &c).ok()) continue;
        ChildShard child;
        child.shard_id = Str(c, "ShardId");
        std::optional<JsonArray> parents;
        if (c.GetList("ParentShards", &parents).ok() && parents) {
          for (size_t j = 0; j < parents->size(); ++j) {
            std::optional<std::string_view> p;
            if (parents->StringAt(j, &p).ok() && p) child.parent_shards.emplace_back(*p);
          }
        }
        out.child_shards.push_back(std::move(child));
      }
    }
    return out;
  });
}

Outcome<std::shared_ptr<Client>> Client::Connect(const ClientConfig& config) {
  Outcome<std::shared_ptr<Transport>> t = MakeHttpTransport(config);
  if (!t.ok()) return t.error();
  return std::make_shared<Client>(std::move(t).value());
}

Outcome<std::string> Client::Call(std::string_view operation, std::string_view body) {
  return CallApi(kKinesisApi, operation, body);
}

Outcome<std::string> Client::CallApi(const JsonApi& api, std::string_view operation, std::string_view body) {
  Outcome<HttpReply> reply = transport_->CallApi(api, operation, body);
  if (!reply.ok()) return reply.error();
  if (reply->status != 200) return ParseErrorReply(*reply);
  return std::move(reply->body);
}

Outcome<Done> Client::CreateStream(const std::string& name, std::optional<int> shard_count) {
  std::string body;
  JsonWriter w(&body);
  w.BeginObject();
  w.Member("StreamName", name);
  if (shard_count) {
    w.MemberInt("ShardCount", *shard_count);
  } else {
    w.Key("StreamModeDetails");
    w.BeginObject();
    w.Member("StreamMode", "ON_DEMAND");
    w.EndObject();
  }
  w.EndObject();
  Outcome<std::string> r = Call("CreateStream", body);
  if (!r.ok()) return r.error();
  return Done{};
}

Outcome<Done> Client::DeleteStream(const std::string& name, bool enforce_consumer_deletion) {
  std::string body;
  JsonWriter w(&body);
  w.BeginObject();
  w.Member("StreamName", name);
  if (enforce_consumer_deletion) w.MemberBool("EnforceConsumerDeletion", true);
  w.EndObject();
  Outcome<std::string> r = Call("DeleteStream", body);
  if (!r.ok()) return r.error();
  return Done{};
}

Outcome<std::vector<std::string>> Client::ListStreams() {
  std::vector<std::string> names;
  std::string next_token;
  while (true) {
    std::string body;
    JsonWriter w(&body);
    w.BeginObject();
    if (!next_token.empty()) w.Member("NextToken", next_token);
    w.EndObject();
    Outcome<std::string> r = Call("ListStreams", body);
    if (!r.ok()) return r.error();
    bool more = false;
    Outcome<Done> page = ReadAnswer<Done>("ListStreams", *r, [&](const JsonObject& o) -> Outcome<Done> {
      std::optional<JsonArray> list;
      (void)o.GetList("StreamNames", &list);  // a member of another type counts as absent
      if (list) {
        for (size_t i = 0; i < list->size(); ++i) {
          std::optional<std::string_view> s;
          if (list->StringAt(i, &s).ok() && s) names.emplace_back(*s);
        }
      }
      std::optional<bool> has_more;
      (void)o.GetBoolean("HasMoreStreams", &has_more);  // likewise: no more pages
      next_token = Str(o, "NextToken");
      more = has_more.value_or(false) && !next_token.empty();
      return Done{};
    });
    if (!page.ok()) return page.error();
    if (!more) return names;
  }
}

Outcome<StreamSummary> Client::DescribeStreamSummary(const std::string& name) {
  Outcome<std::string> r = Call("DescribeStreamSummary", StreamBody(name));
  if (!r.ok()) return r.error();
  return ReadAnswer<StreamSummary>("DescribeStreamSummary", *r, [](const JsonObject& o) -> Outcome<StreamSummary> {
    std::optional<JsonObject> d;
    Status st = o.GetStructure("StreamDescriptionSummary", &d);
    if (!st.ok() || !d) return BadAnswer("DescribeStreamSummary", st.ok() ? Status::Validation("no summary") : st);
    StreamSummary s;
    s.name = Str(*d, "StreamName");
    s.arn = Str(*d, "StreamARN");
    s.status = Str(*d, "StreamStatus");
    std::optional<JsonObject> mode;
    if (d->GetStructure("StreamModeDetails", &mode).ok() && mode) s.mode = Str(*mode, "StreamMode");
    if (s.mode.empty()) s.mode = "PROVISIONED";
    s.retention_hours = Long(*d, "RetentionPeriodHours");
    s.open_shard_count = Long(*d, "OpenShardCount");
    s.consumer_count = Long(*d, "ConsumerCount");
    s.creation_ms = Millis(*d, "StreamCreationTimestamp");
    s.encryption = Str(*d, "EncryptionType");
    if (s.encryption.empty()) s.encryption = "NONE";
    return s;
  });
}

Outcome<std::vector<Shard>> Client::ListShards(const std::string& name) {
  std::vector<Shard> shards;
  std::string next_token;
  while (true) {
    std::string body;
    JsonWriter w(&body);
    w.BeginObject();
    if (next_token.empty())
      w.Member("StreamName", name);
    else
      w.Member("NextToken", next_token);
    w.EndObject();
    Outcome<std::string> r = Call("ListShards", body);
    if (!r.ok()) return r.error();
    Outcome<Done> page = ReadAnswer<Done>("ListShards", *r, [&](const JsonObject& o) -> Outcome<Done> {
      std::optional<JsonArray> list;
      Status st = o.GetList("Shards", &list);
      if (!st.ok()) return BadAnswer("ListShards", st);
      if (list) {
        for (size_t i = 0; i < list->size(); ++i) {
          JsonObject s;
          if ((st = list->StructureAt(i, &s)).ok()) shards.push_back(ReadShard(s));
        }
      }
      next_token = Str(o, "NextToken");
      return Done{};
    });
    if (!page.ok()) return page.error();
    if (next_token.empty()) return shards;
  }
}

Outcome<StreamSummary> Client::WaitForActive(const std::string& name, int64_t timeout_ms) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  int64_t pause_ms = 20;
  while (true) {
    Outcome<StreamSummary> s = DescribeStreamSummary(name);
    if (!s.ok() || s->status == "ACTIVE") return s;
    if (std::chrono::steady_clock::now() >= deadline) {
      return Error{"TimeoutError", "stream " + name + " is still " + s->status, 0};
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(pause_ms));
    pause_ms = std::min<int64_t>(pause_ms * 2, 1000);
  }
}

Outcome<Done> Client::SplitShard(const std::string& name, const std::string& shard_id,
                                 const std::string& new_starting_hash_key) {
  std::string body;
  JsonWriter w(&body);
  w.BeginObject();
  w.Member("StreamName", name);
  w.Member("ShardToSplit", shard_id);
  w.Member("NewStartingHashKey", new_starting_hash_key);
  w.EndObject();
  Outcome<std::string> r = Call("SplitShard", body);
  if (!r.ok()) return r.error();
  return Done{};
}

Outcome<Done> Client::MergeShards(const std::string& name, const std::string& shard_id,
                                  const std::string& adjacent_shard_id) {
  std::string body;
  JsonWriter w(&body);
  w.BeginObject();
  w.Member("StreamName", name);
  w.Member("ShardToMerge", shard_id);
  w.Member("AdjacentShardToMerge", adjacent_shard_id);
  w.EndObject();
  Outcome<std::string> r = Call("MergeShards", body);
  if (!r.ok()) return r.error();
  return Done{};
}

Outcome<Done> Client::UpdateShardCount(const std::string& name, int target) {
  std::string body;
  JsonWriter w(&body);
  w.BeginObject();
  w.Member("StreamName", name);
  w.MemberInt("TargetShardCount", target);
  w.Member("ScalingType", "UNIFORM_SCALING");
  w.EndObject();
  Outcome<std::string> r = Call("UpdateShardCount", body);
  if (!r.ok()) return r.error();
  return Done{};
}

Outcome<Done> Client::SetRetention(const std::string& name, int hours) {
  Outcome<StreamSummary> s = DescribeStreamSummary(name);
  if (!s.ok()) return s.error();
  if (s->retention_hours == hours) return Done{};
  std::string body;
  JsonWriter w(&body);
  w.BeginObject();
  w.Member("StreamName", name);
  w.MemberInt("RetentionPeriodHours", hours);
  w.EndObject();
  Outcome<std::string> r =
      Call(hours > s->retention_hours ? "IncreaseStreamRetentionPeriod" : "DecreaseStreamRetentionPeriod", body);
  if (!r.ok()) return r.error();
  return Done{};
}

Outcome<PutResult> Client::PutRecord(const std::string& stream, std::string_view partition_key, std::string_view data) {
  std::string body;
  JsonWriter w(&body);
  w.BeginObject();
  w.Member("StreamName", stream);
  w.Key("Data");
  w.Blob(data);
  w.Member("PartitionKey", partition_key);
  w.EndObject();
  Outcome<std::string> r = Call("PutRecord", body);
  if (!r.ok()) return r.error();
  return ReadAnswer<PutResult>("PutRecord", *r, [](const JsonObject& o) -> Outcome<PutResult> {
    return PutResult{Str(o, "ShardId"), Str(o, "SequenceNumber")};
  });
}

Outcome<std::vector<PutRecordsResultEntry>> Client::PutRecords(const std::string& stream,
                                                               const std::vector<PutRecordsEntry>& records) {
  std::string body;
  size_t size = 64;
  for (const auto& r : records) size += r.data.size() * 4 / 3 + r.partition_key.size() + 48;
  body.reserve(size);
  JsonWriter w(&body);
  w.BeginObject();
  w.Member("StreamName", stream);
  w.Key("Records");
  w.BeginArray();
  for (const auto& r : records) {
    w.BeginObject();
    w.Key("Data");
    w.Blob(r.data);
    w.Member("PartitionKey", r.partition_key);
    if (!r.explicit_hash_key.empty()) w.Member("ExplicitHashKey", r.explicit_hash_key);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  Outcome<std::string> r = Call("PutRecords", body);
  if (!r.ok()) return r.error();
  using Entries = std::vector<PutRecordsResultEntry>;
  return ReadAnswer<Entries>("PutRecords", *r, [&](const JsonObject& o) -> Outcome<Entries> {
    std::optional<JsonArray> list;
    Status st = o.GetList("Records", &list);
    if (!st.ok()) return BadAnswer("PutRecords", st);
    if (!list || list->size() != records.size()) {
      return BadAnswer("PutRecords", Status::Validation("the answer does not have one entry per record"));
    }
    Entries out(list->size());
    for (size_t i = 0; i < list->size(); ++i) {
      JsonObject e;
      if (!(st = list->StructureAt(i, &e)).ok()) return BadAnswer("PutRecords", st);
      out[i].shard_id = Str(e, "ShardId");
      out[i].sequence_number = Str(e, "SequenceNumber");
      out[i].error_code = Str(e, "ErrorCode");
      out[i].error_message = Str(e, "ErrorMessage");
    }
    return out;
  });
}

Outcome<std::string> Client::GetShardIterator(const std::string& stream, const std::string& shard_id,
                                              const StartingPosition& position) {
  std::string body;
  JsonWriter w(&body);
  w.BeginObject();
  w.Member("StreamName", stream);
  w.Member("ShardId", shard_id);
  w.Member("ShardIteratorType", position.TypeName());
  if (position.type == StartType::kAtTimestamp) {
    w.Key("Timestamp");
    w.TimestampMillis(position.timestamp_ms);
  }
  if (position.type == StartType::kAtSequenceNumber || position.type == StartType::kAfterSequenceNumber) {
    w.Member("StartingSequenceNumber", position.sequence_number);
  }
  w.EndObject();
  Outcome<std::string> r = Call("GetShardIterator", body);
  if (!r.ok()) return r.error();
  return ReadAnswer<std::string>("GetShardIterator", *r, [](const JsonObject& o) -> Outcome<std::string> {
    std::string it = Str(o, "ShardIterator");
    if (it.empty()) return BadAnswer("GetShardIterator", Status::Validation("no ShardIterator"));
    return it;
  });
}

Outcome<GetRecordsResult> Client::GetRecords(const std::string& iterator, int limit) {
  std::string body;
  JsonWriter w(&body);
  w.BeginObject();
  w.Member("ShardIterator", iterator);
  if (limit > 0) w.MemberInt("Limit", limit);
  w.EndObject();
  Outcome<std::string> r = Call("GetRecords", body);
  if (!r.ok()) return r.error();
  return ParseRecordsPayload(*r, "");
}

namespace {

// The request of every call about one consumer: {"StreamARN", "ConsumerName"}.
std::string ConsumerRequest(const std::string& stream_arn, const std::string& name) {
  std::string body;
  JsonWriter w(&body);
  w.BeginObject();
  w.Member("StreamARN", stream_arn);
  w.Member("ConsumerName", name);
  w.EndObject();
  return body;
}

// RegisterStreamConsumer and DescribeStreamConsumer: the same request, the
// consumer in the answer's member `member`.
Outcome<Consumer> ConsumerCall(Client& client, const char* operation, const char* member, const std::string& stream_arn,
                               const std::string& name) {
  Outcome<std::string> r = client.Call(operation, ConsumerRequest(stream_arn, name));
  if (!r.ok()) return r.error();
  return ReadAnswer<Consumer>(operation, *r, [&](const JsonObject& o) -> Outcome<Consumer> {
    std::optional<JsonObject> c;
    (void)o.GetStructure(member, &c);  // a member of another type is reported as missing below
    if (!c) return BadAnswer(operation, Status::Validation(std::string("no ") + member));
    return ReadConsumer(*c);
  });
}

}  // namespace

Outcome<Consumer> Client::RegisterStreamConsumer(const std::string& stream_arn, const std::string& name) {
  return ConsumerCall(*this, "RegisterStreamConsumer", "Consumer", stream_arn, name);
}

Outcome<Consumer> Client::DescribeStreamConsumer(const std::string& stream_arn, const std::string& name) {
  return ConsumerCall(*this, "DescribeStreamConsumer", "ConsumerDescription", stream_arn, name);
}

Outcome<Consumer> Client::EnsureConsumer(const std::string& stream_arn, const std::string& name, int64_t timeout_ms,
                                         bool* registered) {
  Outcome<Consumer> c = RegisterStreamConsumer(stream_arn, name);
  if (registered != nullptr) *registered = c.ok();
  if (!c.ok() && c.error().type != "ResourceInUseException") return c;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  int64_t pause_ms = 20;
  while (true) {
    c = DescribeStreamConsumer(stream_arn, name);
    if (!c.ok() || c->status == "ACTIVE") return c;
    if (std::chrono::steady_clock::now() >= deadline) {
      return Error{"TimeoutError", "consumer " + name + " is still " + c->status, 0};
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(pause_ms));
    pause_ms = std::min<int64_t>(pause_ms * 2, 1000);
  }
}

Outcome<Done> Client::DeregisterStreamConsumer(const std::string& stream_arn, const std::string& name) {
  Outcome<std::string> r = Call("DeregisterStreamConsumer", ConsumerRequest(stream_arn, name));
  if (!r.ok()) return r.error();
  return Done{};
}

}  // namespace sluice::client
