// PutRecords: StreamName/StreamARN, Records (1..500 of PartitionKey,
// ExplicitHashKey, Data; PartitionKey optional on AUTO streams, see
// record_writes.h). Output: {"FailedRecordCount":n,"Records":[...]}
// with one result per entry, in order; FailedRecordCount is always present;
// "EncryptionType":"KMS" when the stream was encrypted.
//
// Hot path: partition keys stay views into the parsed body, data is decoded
// into one per-request arena, and the entries are one reserved vector; no
// allocation per record on the way in, and the response is encoded into one
// reserved buffer on the way out.
#include <vector>

#include <algorithm>

#include "api/model_rules.h"
#include "api/operation.h"
#include "api/record_writes.h"
#include "api/shapes.h"
#include "api/stream_addressing.h"
#include "protocol/errors.h"
#include "protocol/json_writer.h"

namespace sluice::api {
namespace {

constexpr size_t kMaxRecords = 500;
constexpr size_t kMaxRequestBytes = 10 * 1024 * 1024;  // data plus partition keys
constexpr std::string_view kEntryString = "com.amazonaws.kinesis.v20131202.PutRecordsRequestEntry@c965e310";

// What validation needs of one entry besides the PutEntry views.
struct EntryFacts {
  bool has_key = false;
  bool has_data = false;
  std::optional<std::string_view> explicit_hash_key;
};

std::string EntryPath(size_t index, std::string_view member) {
  return "records." + std::to_string(index + 1) + ".member." + std::string(member);
}

void ValidateEntry(protocol::ValidationErrors& errors, size_t i, const engine::PutEntry& e, const EntryFacts& f) {
  // A missing key is checked against the stream's strategy later.
  if (f.has_key) {
    size_t len = protocol::Utf16Length(e.partition_key);
    if (len < 1) {
      errors.Add(e.partition_key, EntryPath(i, "partitionKey"), "Member must have length greater than or equal to 1");
    }
    if (len > static_cast<size_t>(kMaxPartitionKeyLength)) {
      errors.Add(e.partition_key, EntryPath(i, "partitionKey"), "Member must have length less than or equal to 256");
    }
  }
  if (f.explicit_hash_key && !MatchesHashKeyPattern(*f.explicit_hash_key)) {
    CheckHashKey(errors, EntryPath(i, "explicitHashKey"), f.explicit_hash_key);
  }
  if (!f.has_data) {
    errors.CheckBlob(EntryPath(i, "data"), std::nullopt, true, kMaxDataBytes);
  } else if (static_cast<int64_t>(e.data.size()) > kMaxDataBytes) {
    errors.CheckBlob(EntryPath(i, "data"), e.data.size(), true, kMaxDataBytes);
  }
}

std::string EncodeResults(const std::vector<engine::PutEntryResult>& results) {
  std::string out;
  out.reserve(48 + results.size() * 128);
  protocol::JsonWriter w(&out);
  int64_t failed = 0;
  for (const auto& r : results) failed += r.status.ok() ? 0 : 1;
  w.BeginObject();
  w.MemberInt("FailedRecordCount", failed);
  w.Key("Records");
  w.BeginArray();
  char shard_buf[20];
  for (const auto& r : results) {
    w.BeginObject();
    if (r.status.ok()) {
      w.Member("SequenceNumber", engine::ToView(r.sequence_number));
      w.Member("ShardId", FormatShardId(r.shard_index, shard_buf));
    } else {
      bool internal = protocol::HttpStatusFor(r.status.code()) == 500;
      w.Member("ErrorCode", protocol::ErrorTypeName(r.status.code()));
      w.Member("ErrorMessage", internal || r.status.message().empty() ? std::string_view("Internal Service Failure")
                                                                      : std::string_view(r.status.message()));
    }
    w.EndObject();
  }
  w.EndArray();
  // Every record of one call is written under the same stream state.
  bool encrypted = false;
  for (const auto& r : results) encrypted = encrypted || (r.status.ok() && r.encrypted);
  if (encrypted) w.Member("EncryptionType", "KMS");
  w.EndObject();
  return out;
}

// A fault rule fails some records (those whose draw falls under its record
// error rate) with its error; the others are written as usual, and the
// answer lists every record in request order.
void PutWithInjectedFailures(const OperationContext& ctx, const engine::StreamRef& ref,
                             const std::vector<engine::PutEntry>& entries, Reply reply) {
  const FaultDecision& fault = *ctx.fault;
  std::vector<engine::PutEntry> kept;
  std::vector<bool> failed(entries.size(), false);
  for (size_t i = 0; i < entries.size(); ++i) {
    failed[i] = i < fault.record_draws.size() && fault.record_draws[i] < fault.record_error_rate;
    if (!failed[i]) kept.push_back(entries[i]);
  }
  auto merge = [failed, error = *fault.record_error,
                reply = std::move(reply)](Result<std::vector<engine::PutEntryResult>> results) {
    if (!results.ok()) return reply(results.status());
    std::vector<engine::PutEntryResult> all(failed.size());
    size_t next = 0;
    for (size_t i = 0; i < failed.size(); ++i) {
      if (failed[i]) {
        all[i].status = error;
      } else {
        all[i] = std::move((*results)[next++]);
      }
    }
    reply(EncodeResults(all));
  };
  if (kept.empty()) return merge(std::vector<engine::PutEntryResult>{});
  ctx.engine.records().PutRecords(ref, kept, std::move(merge));
}

}  // namespace

void HandlePutRecords(const OperationContext& ctx, const protocol::JsonObject& body, Reply reply) {
  protocol::ByteArena arena;
  std::vector<engine::PutEntry> entries;
  std::vector<EntryFacts> facts;
  std::optional<protocol::JsonArray> records;
  std::optional<std::string_view> name, arn;
  size_t record_count = 0;

  // Type checks, in the service's order: every entry, then the stream.
  Status st = body.GetList("Records", &records);
  if (st.ok() && records) {
    // Only the first kMaxRecords + 1 entries are kept: a longer list is
    // refused anyway, and keeping every entry of a 16 MiB body of `{}`s would
    // cost gigabytes. The rest are still type-checked, in order.
    record_count = records->size();
    size_t keep = std::min(record_count, kMaxRecords + 1);
    entries.reserve(keep);
    facts.reserve(keep);
    for (auto element : records->raw()) {
      std::optional<protocol::JsonObject> item;
      st = protocol::CheckStructure(element, &item);
      if (!st.ok()) break;
      protocol::JsonObject entry_obj = item ? *item : protocol::JsonObject();
      std::optional<std::string_view> key, hash, data;
      st = entry_obj.GetString("PartitionKey", &key);
      if (st.ok()) st = entry_obj.GetString("ExplicitHashKey", &hash);
      if (st.ok()) st = entry_obj.GetBlob("Data", &arena, &data);
      if (!st.ok()) break;
      if (entries.size() == keep) continue;
      entries.push_back(engine::PutEntry{key.value_or(""), data.value_or(""), std::nullopt});
      facts.push_back(EntryFacts{key.has_value(), data.has_value(), hash});
    }
  }
  if (st.ok()) st = body.GetString("StreamName", &name);
  if (st.ok()) st = body.GetString("StreamARN", &arn);
  if (!st.ok()) return reply(st);

  protocol::ValidationErrors errors;
  if (!records) {
    errors.CheckRequired("records", false);
  } else if (record_count == 0 || record_count > kMaxRecords) {
    // The service renders every entry; past a thousand the list is cut short
    // so a hostile request cannot make the response hundreds of megabytes.
    constexpr size_t kMaxRendered = 1000;
    std::string rendered = "[";
    for (size_t i = 0; i < std::min(record_count, kMaxRendered); ++i)
      rendered.append(i ? ", " : "").append(kEntryString);
    if (record_count > kMaxRendered) rendered.append(", ...");
    rendered.append("]");
    errors.Add(rendered, "records",
               record_count == 0 ? "Member must have length greater than or equal to 1"
                                 : "Member must have length less than or equal to 500");
  }
  for (size_t i = 0; i < entries.size() && errors.count() < protocol::ValidationErrors::kMaxErrors; ++i) {
    ValidateEntry(errors, i, entries[i], facts[i]);
  }
  CheckStreamName(errors, "streamName", name);
  CheckStreamArn(errors, arn);
  if (!errors.empty()) return reply(errors.ToStatus());

  Result<engine::StreamRef> ref = ResolveStream(ctx.options, name, arn);
  if (!ref.ok()) return reply(ref.status());
  std::vector<std::string> missing_keys;
  for (size_t i = 0; i < entries.size(); ++i) {
    if (!facts[i].has_key) missing_keys.push_back(EntryPath(i, "partitionKey"));
  }
  st = CheckMissingPartitionKeys(ctx, *ref, missing_keys);
  if (!st.ok()) return reply(st);
  size_t total_bytes = 0;
  for (const auto& e : entries) total_bytes += e.partition_key.size() + e.data.size();
  if (total_bytes > kMaxRequestBytes) {
    return reply(Status::InvalidArgument("Records size of " + std::to_string(total_bytes) +
                                         " bytes (data plus partition keys) exceeds the PutRecords limit of " +
                                         std::to_string(kMaxRequestBytes) + " bytes."));
  }
  for (size_t i = 0; i < entries.size(); ++i) {
    if (!facts[i].explicit_hash_key) continue;
    Result<HashKey> key = ParseExplicitHashKey(*facts[i].explicit_hash_key);
    if (!key.ok()) return reply(key.status());
    entries[i].explicit_hash_key = *key;
  }

  if (ctx.fault && ctx.fault->record_error_rate > 0)
    return PutWithInjectedFailures(ctx, *ref, entries, std::move(reply));
  ctx.engine.records().PutRecords(*ref, entries,
                                  [reply = std::move(reply)](Result<std::vector<engine::PutEntryResult>> results) {
                                    if (!results.ok()) return reply(results.status());
                                    reply(EncodeResults(*results));
                                  });
}

}  // namespace sluice::api
