#include "client/lease_table.h"

#include <algorithm>

#include "protocol/json_reader.h"
#include "protocol/json_writer.h"

namespace sluice::client {
namespace {

using protocol::JsonArray;
using protocol::JsonObject;

// The value of a DynamoDB attribute {"<type>": value} of type S or N.
std::string Scalar(const JsonObject& item, std::string_view name, std::string_view type) {
  std::optional<JsonObject> attribute;
  std::optional<std::string_view> value;
  if (!item.GetStructure(name, &attribute).ok() || !attribute) return {};
  if (!attribute->GetString(type, &value).ok() || !value) return {};
  return std::string(*value);
}

std::vector<std::string> StringSet(const JsonObject& item, std::string_view name) {
  std::vector<std::string> out;
  std::optional<JsonObject> attribute;
  std::optional<JsonArray> values;
  if (!item.GetStructure(name, &attribute).ok() || !attribute) return out;
  if (!attribute->GetList("SS", &values).ok() || !values) return out;
  for (size_t i = 0; i < values->size(); ++i) {
    std::optional<std::string_view> v;
    if (values->StringAt(i, &v).ok() && v) out.emplace_back(*v);
  }
  return out;
}

// The parts of a multi-stream lease key, or one part.
std::vector<std::string_view> KeyParts(std::string_view key) {
  std::vector<std::string_view> parts;
  for (size_t start = 0;;) {
    size_t colon = key.find(':', start);
    parts.push_back(key.substr(start, colon == std::string_view::npos ? std::string_view::npos : colon - start));
    if (colon == std::string_view::npos) return parts;
    start = colon + 1;
  }
}

}  // namespace

std::string Lease::ShardId() const { return std::string(KeyParts(key).back()); }

std::string Lease::StreamName() const {
  std::vector<std::string_view> parts = KeyParts(key);
  return parts.size() == 4 ? std::string(parts[1]) : std::string();
}

bool Lease::CheckpointIsSequenceNumber() const {
  return !checkpoint.empty() &&
         std::all_of(checkpoint.begin(), checkpoint.end(), [](char c) { return c >= '0' && c <= '9'; });
}

Outcome<std::vector<Lease>> ReadLeaseTable(Client& client, const std::string& table) {
  std::vector<Lease> leases;
  std::string start_key;  // the previous page's LastEvaluatedKey, as JSON
  for (;;) {
    std::string body;
    protocol::JsonWriter w(&body);
    w.BeginObject();
    w.Member("TableName", table);
    w.MemberBool("ConsistentRead", true);
    if (!start_key.empty()) {
      w.Key("ExclusiveStartKey");
      w.Raw(start_key);
    }
    w.EndObject();
    Outcome<std::string> answer = client.CallApi(kDynamoDbApi, "Scan", body);
    if (!answer.ok()) return answer.error();
    Result<JsonObject> doc = protocol::ParseJsonRequest(*answer);
    if (!doc.ok()) return Error{"ProtocolError", "unexpected Scan answer: " + doc.status().ToString(), 0};
    std::optional<JsonArray> items;
    if (doc->GetList("Items", &items).ok() && items) {
      for (size_t i = 0; i < items->size(); ++i) {
        JsonObject item;
        if (!items->StructureAt(i, &item).ok()) continue;
        Lease lease;
        lease.key = Scalar(item, "leaseKey", "S");
        lease.owner = Scalar(item, "leaseOwner", "S");
        std::string counter = Scalar(item, "leaseCounter", "N");
        lease.counter = counter.empty() ? 0 : std::strtoll(counter.c_str(), nullptr, 10);
        lease.checkpoint = Scalar(item, "checkpoint", "S");
        lease.parents = StringSet(item, "parentShardId");
        if (!lease.key.empty()) leases.push_back(std::move(lease));
      }
    }
    std::optional<JsonObject> last;
    if (!doc->GetStructure("LastEvaluatedKey", &last).ok() || !last || last->size() == 0) break;
    start_key = last->ToJson();
  }
  std::sort(leases.begin(), leases.end(), [](const Lease& a, const Lease& b) { return a.key < b.key; });
  return leases;
}

}  // namespace sluice::client
