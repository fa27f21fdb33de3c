// Fuzzes JSON request decoding: parsing, every typed getter on the members
// the Kinesis operations read, and lists of structures. Also checks that a
// string read from a request survives a JsonWriter round trip unchanged.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "protocol/json_reader.h"
#include "protocol/json_writer.h"

using sluice::protocol::ByteArena;
using sluice::protocol::JsonArray;
using sluice::protocol::JsonObject;
using sluice::protocol::JsonWriter;

namespace {

constexpr std::string_view kKeys[] = {"StreamName", "ShardCount", "Data", "PartitionKey", "Limit",
                                      "Timestamp",  "Records",    "Tags", "ShardFilter",  "EnforceConsumerDeletion"};

void ExerciseObject(const JsonObject& o, ByteArena* arena, int depth) {
  for (std::string_view key : kKeys) {
    std::optional<std::string_view> s;
    std::optional<int64_t> i;
    std::optional<bool> b;
    std::optional<JsonArray> list;
    std::optional<JsonObject> obj;
    (void)o.GetString(key, &s);
    (void)o.GetInteger(key, &i);
    (void)o.GetLong(key, &i);
    (void)o.GetBoolean(key, &b);
    (void)o.GetTimestampMillis(key, &i);
    (void)o.GetBlob(key, arena, &s);
    (void)o.GetMap(key, &obj);
    if (o.GetStructure(key, &obj).ok() && obj && depth < 3) ExerciseObject(*obj, arena, depth + 1);
    if (o.GetList(key, &list).ok() && list && depth < 3) {
      for (size_t k = 0; k < list->size() && k < 8; ++k) {
        JsonObject item;
        if (list->StructureAt(k, &item).ok()) ExerciseObject(item, arena, depth + 1);
        (void)list->StringAt(k, &s);
      }
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  auto parsed = sluice::protocol::ParseJsonRequest(body);
  if (!parsed.ok()) return 0;
  ByteArena arena;
  ExerciseObject(*parsed, &arena, 0);

  // Round trip: a string member written by JsonWriter parses back equal.
  std::optional<std::string_view> name;
  if (parsed->GetString("StreamName", &name).ok() && name) {
    std::string original(*name);
    std::string out;
    JsonWriter w(&out);
    w.BeginObject();
    w.Member("StreamName", original);
    w.EndObject();
    auto again = sluice::protocol::ParseJsonRequest(out);
    if (!again.ok()) abort();
    std::optional<std::string_view> back;
    if (!again->GetString("StreamName", &back).ok() || !back || *back != original) abort();
  }
  return 0;
}
