#include "dynamodb/table_description.h"

namespace sluice::dynamodb {
namespace {

void WriteKeySchema(protocol::JsonWriter& w, const KeySchema& key) {
  w.Key("KeySchema");
  w.BeginArray();
  w.BeginObject();
  w.Member("AttributeName", key.hash.name);
  w.Member("KeyType", "HASH");
  w.EndObject();
  if (key.range) {
    w.BeginObject();
    w.Member("AttributeName", key.range->name);
    w.Member("KeyType", "RANGE");
    w.EndObject();
  }
  w.EndArray();
}

void WriteThroughput(protocol::JsonWriter& w, int64_t read, int64_t write) {
  w.Key("ProvisionedThroughput");
  w.BeginObject();
  w.MemberInt("NumberOfDecreasesToday", 0);
  w.MemberInt("ReadCapacityUnits", read);
  w.MemberInt("WriteCapacityUnits", write);
  w.EndObject();
}

bool HasIndexKeys(const IndexDef& index, const Item& item) {
  return item.count(index.key.hash.name) && (!index.key.range || item.count(index.key.range->name));
}

}  // namespace

std::string TableArn(std::string_view region, std::string_view account, std::string_view name) {
  return "arn:aws:dynamodb:" + std::string(region) + ":" + std::string(account) + ":table/" + std::string(name);
}

void WriteTableDescription(protocol::JsonWriter& w, const Table& table, std::string_view region,
                           std::string_view account, std::string_view status) {
  const TableDef& def = table.def();
  std::string arn = TableArn(region, account, def.name);
  w.BeginObject();
  w.Key("AttributeDefinitions");
  w.BeginArray();
  for (const auto& [name, type] : def.attributes) {
    w.BeginObject();
    w.Member("AttributeName", name);
    w.Member("AttributeType", TypeName(type));
    w.EndObject();
  }
  w.EndArray();
  w.Member("TableName", def.name);
  WriteKeySchema(w, def.key);
  w.Member("TableStatus", status);
  w.Key("CreationDateTime");
  w.TimestampMillis(def.created_ms);
  WriteThroughput(w, def.read_capacity, def.write_capacity);
  w.MemberInt("TableSizeBytes", static_cast<int64_t>(table.size_bytes()));
  w.MemberInt("ItemCount", static_cast<int64_t>(table.items().size()));
  w.Member("TableArn", arn);
  w.Member("TableId", def.id);
  if (def.pay_per_request) {
    w.Key("BillingModeSummary");
    w.BeginObject();
    w.Member("BillingMode", "PAY_PER_REQUEST");
    w.Key("LastUpdateToPayPerRequestDateTime");
    w.TimestampMillis(def.created_ms);
    w.EndObject();
  }
  if (!def.global_indexes.empty()) {
    w.Key("GlobalSecondaryIndexes");
    w.BeginArray();
    for (const IndexDef& index : def.global_indexes) {
      int64_t count = 0, bytes = 0;
      for (const auto& [key, item] : table.items()) {
        if (HasIndexKeys(index, item)) ++count, bytes += static_cast<int64_t>(ItemSize(item));
      }
      w.BeginObject();
      w.Member("IndexName", index.name);
      WriteKeySchema(w, index.key);
      w.Key("Projection");
      w.BeginObject();
      w.Member("ProjectionType", index.projection_type);
      if (!index.non_key_attributes.empty()) {
        w.Key("NonKeyAttributes");
        w.BeginArray();
        for (const std::string& a : index.non_key_attributes) w.String(a);
        w.EndArray();
      }
      w.EndObject();
      w.Member("IndexStatus", "ACTIVE");
      WriteThroughput(w, index.read_capacity, index.write_capacity);
      w.MemberInt("IndexSizeBytes", bytes);
      w.MemberInt("ItemCount", count);
      w.Member("IndexArn", arn + "/index/" + index.name);
      w.EndObject();
    }
    w.EndArray();
  }
  w.MemberBool("DeletionProtectionEnabled", def.deletion_protection);
  w.EndObject();
}

}  // namespace sluice::dynamodb
