#include "dynamodb/table.h"

#include <chrono>
#include <future>

#include <simdjson.h>

#include "storage/journal_replay.h"
#include "util/log.h"

namespace sluice::dynamodb {
namespace {

constexpr char kPut = 'P';
constexpr char kDelete = 'D';

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

storage::LogOptions JournalOptions(const TableOptions& options) {
  storage::LogOptions log;
  log.durability = options.durability;
  log.env = options.env;
  log.segment_max_bytes = options.journal_segment_bytes;
  return log;
}

}  // namespace

bool KeyLess::operator()(const ItemKey& a, const ItemKey& b) const {
  int c = CompareScalars(a.hash, b.hash);
  if (c != 0) return c < 0;
  if (!a.range || !b.range) return !a.range && b.range.has_value();
  return CompareScalars(*a.range, *b.range) < 0;
}

Item KeyItem(const KeySchema& schema, const ItemKey& key) {
  Item item;
  item[schema.hash.name] = key.hash;
  if (schema.range && key.range) item[schema.range->name] = *key.range;
  return item;
}

Table::Table(std::string dir, const TableOptions& options)
    : dir_(std::move(dir)),
      options_(options),
      def_store_(dir_ + "/table", options.durability == storage::Durability::kMemory, options.env),
      snapshot_store_(dir_ + "/snapshot", options.durability == storage::Durability::kMemory, options.env) {}

Result<std::unique_ptr<Table>> Table::Create(const std::string& dir, TableDef def, const TableOptions& options,
                                             storage::Flusher* flusher) {
  if (options.durability != storage::Durability::kMemory) SLUICE_RETURN_IF_ERROR(options.env->CreateDirs(dir));
  std::unique_ptr<Table> table(new Table(dir, options));
  auto journal = storage::ShardLog::Open(dir + "/journal", JournalOptions(options), flusher);
  if (!journal.ok()) return journal.status();
  table->journal_ = std::move(journal).value();
  SLUICE_RETURN_IF_ERROR(table->SaveDef(std::move(def)));
  return table;
}

Result<std::unique_ptr<Table>> Table::Open(const std::string& dir, const TableOptions& options,
                                           storage::Flusher* flusher) {
  std::unique_ptr<Table> table(new Table(dir, options));
  Result<std::optional<std::string>> doc = table->def_store_.Load();
  if (!doc.ok()) return doc.status();
  if (!*doc) return Status::NotFound("no table document in " + dir);
  Result<TableDef> def = DecodeTableDef(**doc);
  if (!def.ok()) return def.status();
  table->def_ = std::move(def).value();
  auto journal = storage::ShardLog::Open(dir + "/journal", JournalOptions(options), flusher);
  if (!journal.ok()) return journal.status();
  table->journal_ = std::move(journal).value();
  SLUICE_RETURN_IF_ERROR(table->Replay());
  return table;
}

Status Table::SaveDef(TableDef def) {
  SLUICE_RETURN_IF_ERROR(def_store_.Save(EncodeTableDef(def)));
  def_ = std::move(def);
  return Status::Ok();
}

uint64_t Table::end_position() const { return journal_->EndOffset(); }

const Item* Table::Find(const ItemKey& key) const {
  auto it = items_.find(key);
  return it == items_.end() ? nullptr : &it->second;
}

Result<ItemKey> Table::KeyOf(const Item& item) const {
  auto element = [&](const KeyElement& e) -> Result<Value> {
    auto it = item.find(e.name);
    if (it == item.end()) {
      return Status::Validation("One or more parameter values were invalid: Missing the key " + e.name +
                                " in the item");
    }
    if (it->second.type != e.type) {
      return Status::Validation("One or more parameter values were invalid: Type mismatch for key " + e.name +
                                " expected: " + std::string(TypeName(e.type)) +
                                " actual: " + std::string(TypeName(it->second.type)));
    }
    if ((e.type == ValueType::kS || e.type == ValueType::kB) && it->second.scalar.empty()) {
      return Status::Validation(
          "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an "
          "empty " +
          std::string(e.type == ValueType::kS ? "string" : "binary") + " value. Key: " + e.name);
    }
    return it->second;
  };
  ItemKey key;
  Result<Value> hash = element(def_.key.hash);
  if (!hash.ok()) return hash.status();
  key.hash = std::move(hash).value();
  if (def_.key.range) {
    Result<Value> range = element(*def_.key.range);
    if (!range.ok()) return range.status();
    key.range = std::move(range).value();
  }
  return key;
}

void Table::Apply(const Mutation& m) {
  auto it = items_.find(m.key);
  if (it != items_.end()) {
    size_bytes_ -= ItemSize(it->second);
    if (!m.item) {
      items_.erase(it);
      return;
    }
    it->second = *m.item;
  } else {
    if (!m.item) return;
    items_.emplace(m.key, *m.item);
  }
  size_bytes_ += ItemSize(*m.item);
}

Result<uint64_t> Table::Write(const std::vector<Mutation>& mutations) {
  // Journal record data: one kind byte, then the item (or the key) as the
  // JSON of a wire item.
  std::vector<std::string> records;
  std::vector<storage::AppendEntry> entries;
  records.reserve(mutations.size());
  for (const Mutation& m : mutations) {
    records.push_back(std::string(1, m.item ? kPut : kDelete) +
                      ItemToJson(m.item ? *m.item : KeyItem(def_.key, m.key)));
  }
  for (const std::string& r : records) entries.push_back({"", r});
  // Arrival times never go backwards, so a snapshot's time bounds the
  // journal segments it covers.
  last_arrival_ms_ = std::max(last_arrival_ms_, NowMs());
  Result<uint64_t> first = journal_->Append(entries, last_arrival_ms_);
  if (!first.ok()) return first.status();
  for (const Mutation& m : mutations) Apply(m);
  Status compacted = MaybeCompact();
  if (!compacted.ok())
    log::Warn("table {}: compaction failed, the journal keeps growing: {}", dir_, compacted.ToString());
  return *first + entries.size();
}

Status Table::MaybeCompact() {
  if (options_.durability == storage::Durability::kMemory) return Status::Ok();
  if (journal_->SizeBytes() < 2 * size_bytes_ + options_.snapshot_slack_bytes) return Status::Ok();
  // The snapshot covers the journal up to `end`: that much must be durable
  // first, or a crash could cut records the snapshot claims to cover and
  // their offsets would be reused by writes it skips.
  const uint64_t end = journal_->EndOffset();
  std::promise<Status> synced;
  journal_->WhenDurable(end, [&synced](Status s) { synced.set_value(std::move(s)); });
  SLUICE_RETURN_IF_ERROR(synced.get_future().get());
  std::string doc = "{\"version\":1,\"end\":" + std::to_string(end) + ",\"items\":[";
  bool first = true;
  for (const auto& [key, item] : items_) {
    doc += first ? "" : ",";
    doc += ItemToJson(item);
    first = false;
  }
  doc += "]}";
  SLUICE_RETURN_IF_ERROR(snapshot_store_.Save(doc));
  // Arrival times never go backwards: every segment whose newest record
  // arrived before the last covered one holds covered records only.
  Result<uint64_t> start = journal_->TrimOlderThan(last_arrival_ms_);
  return start.ok() ? Status::Ok() : start.status();
}

void Table::WhenDurable(uint64_t position, std::function<void(Status)> done) {
  journal_->WhenDurable(position, std::move(done));
}

Status Table::Replay() {
  simdjson::dom::parser parser;
  uint64_t offset = journal_->StartOffset();
  Result<std::optional<std::string>> snapshot = snapshot_store_.Load();
  if (!snapshot.ok()) return snapshot.status();
  if (*snapshot) {
    simdjson::dom::element doc;
    uint64_t covered = 0;
    simdjson::dom::array items;
    if (parser.parse(**snapshot).get(doc) || doc["end"].get_uint64().get(covered) ||
        doc["items"].get_array().get(items)) {
      return Status::Corruption("the snapshot of " + dir_ + " does not read back");
    }
    SLUICE_RETURN_IF_ERROR(storage::CheckSnapshotCovers(*journal_, covered, "the snapshot of " + dir_));
    for (simdjson::dom::element json : items) {
      Result<Item> item = ItemFromJson(json);
      if (!item.ok()) return Status::Corruption("the snapshot of " + dir_ + ": " + item.status().message());
      Result<ItemKey> key = KeyOf(*item);
      if (!key.ok()) return Status::Corruption("the snapshot of " + dir_ + ": " + key.status().message());
      Apply(Mutation{std::move(key).value(), std::move(item).value()});
    }
    offset = covered;
  } else if (offset > 0) {
    return Status::Corruption("the journal of " + dir_ + " starts at " + std::to_string(offset) +
                              " and there is no snapshot");
  }
  return storage::ReplayJournal(*journal_, offset, [&](const storage::StoredRecord& r) -> Status {
    last_arrival_ms_ = std::max(last_arrival_ms_, r.arrival_ms);
    if (r.data.empty() || (r.data[0] != kPut && r.data[0] != kDelete)) {
      return Status::Corruption("journal record " + std::to_string(r.offset) + " of " + dir_ + " has no kind");
    }
    simdjson::dom::element json;
    if (parser.parse(r.data.data() + 1, r.data.size() - 1).get(json)) {
      return Status::Corruption("journal record " + std::to_string(r.offset) + " of " + dir_ + " is not JSON");
    }
    Result<Item> item = ItemFromJson(json);
    if (!item.ok())
      return Status::Corruption("journal record " + std::to_string(r.offset) + ": " + item.status().message());
    Result<ItemKey> key = KeyOf(*item);
    if (!key.ok())
      return Status::Corruption("journal record " + std::to_string(r.offset) + ": " + key.status().message());
    Mutation m{std::move(key).value(), std::nullopt};
    if (r.data[0] == kPut) m.item = std::move(item).value();
    Apply(m);
    return Status::Ok();
  });
}

Status Table::Destroy() {
  SLUICE_RETURN_IF_ERROR(journal_->Destroy());
  if (options_.durability == storage::Durability::kMemory) return Status::Ok();
  return options_.env->RemoveAll(dir_);
}

}  // namespace sluice::dynamodb
