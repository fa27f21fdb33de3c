#include "dynamodb/table.h"

#include <chrono>
#include <deque>
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

std::unique_ptr<Table> Table::Shared(SharedTables* store, SharedTableName name, SharedTable table) {
  TableOptions options;
  options.durability = storage::Durability::kMemory;
  std::unique_ptr<Table> out(new Table("", options));
  out->store_ = store;
  out->name_ = std::move(name);
  out->created_ = table.created;
  out->def_revision_ = table.revision;
  out->def_ = std::move(table.def);
  return out;
}

Status Table::SaveDef(TableDef def) {
  if (shared()) {
    Result<std::optional<int64_t>> revision = store_->Update(name_, created_, def_revision_, def);
    if (!revision.ok()) return revision.status();
    if (!*revision) {
      return Status::InUse("Attempt to change a resource which is still in use: Table " + name_.name +
                           " was changed through another node; try again");
    }
    def_revision_ = **revision;
    def_ = std::move(def);
    return Status::Ok();
  }
  SLUICE_RETURN_IF_ERROR(def_store_.Save(EncodeTableDef(def)));
  def_ = std::move(def);
  return Status::Ok();
}

void Table::Forget() {
  items_.clear();
  revisions_.clear();
  size_bytes_ = 0;
}

int64_t Table::RevisionOf(const ItemKey& key) const {
  auto it = revisions_.find(key);
  return it == revisions_.end() ? 0 : it->second;
}

Status Table::Load(const std::vector<ItemKey>& keys) {
  if (!shared()) return Status::Ok();
  Forget();
  Result<std::vector<VersionedItem>> read = store_->Read(name_, created_, keys);
  if (!read.ok()) return read.status();
  for (size_t i = 0; i < keys.size() && i < read->size(); ++i) {
    VersionedItem& v = (*read)[i];
    revisions_[keys[i]] = v.revision;
    if (v.item) Apply(Mutation{keys[i], std::move(v.item)});
  }
  return Status::Ok();
}

Status Table::LoadAll() {
  if (!shared()) return Status::Ok();
  Forget();
  Result<std::vector<VersionedItem>> read = store_->ReadAll(name_, created_);
  if (!read.ok()) return read.status();
  for (VersionedItem& v : *read) {
    if (!v.item) continue;
    Result<ItemKey> key = KeyOf(*v.item);
    if (!key.ok()) return Status::Corruption("an item of table " + name_.name + ": " + key.status().message());
    revisions_[*key] = v.revision;
    Apply(Mutation{std::move(key).value(), std::move(v.item)});
  }
  return Status::Ok();
}

uint64_t Table::end_position() const { return shared() ? 0 : journal_->EndOffset(); }

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
  if (shared()) return done(Status::Ok());  // the store acknowledged it durable
  journal_->WhenDurable(position, std::move(done));
}

Result<std::optional<Positions>> WriteTables(const std::vector<TableWrite>& writes, bool atomic) {
  Positions positions;
  if (writes.empty() || !writes.front().table->shared()) {
    for (const TableWrite& w : writes) {
      if (w.mutations.empty()) continue;
      Result<uint64_t> position = w.table->Write(w.mutations);
      if (!position.ok()) return position.status();
      positions.emplace_back(w.table, *position);
    }
    return std::optional<Positions>(std::move(positions));
  }
  SharedTables* store = writes.front().table->store_;
  // The commits: one of everything, or as many as the store's limit needs
  // (half of it for the items: their keys and encoding come on top).
  std::vector<std::vector<SharedWrite>> commits(1);
  std::deque<std::vector<Mutation>> chunks;  // stable addresses
  size_t bytes = 0;
  for (const TableWrite& w : writes) {
    if (atomic) {
      SharedWrite part{w.table->name_, w.table->created_, {}, &w.mutations};
      for (const ItemKey& key : w.read) part.expected.emplace_back(&key, w.table->RevisionOf(key));
      commits.back().push_back(std::move(part));
      continue;
    }
    bool part_open = false;  // a part of this table in the current commit
    for (const Mutation& m : w.mutations) {
      size_t size = m.item ? ItemSize(*m.item) : 0;
      if (bytes > 0 && bytes + size > store->max_commit_bytes() / 2) {
        commits.emplace_back();
        bytes = 0;
        part_open = false;
      }
      if (!part_open) {
        chunks.emplace_back();
        commits.back().push_back(SharedWrite{w.table->name_, w.table->created_, {}, &chunks.back()});
        part_open = true;
      }
      chunks.back().push_back(m);
      bytes += size;
    }
  }
  for (const std::vector<SharedWrite>& commit : commits) {
    if (commit.empty()) continue;
    Result<std::optional<int64_t>> revision = store->Commit(commit);
    if (!revision.ok()) return revision.status();
    if (!*revision) return std::optional<Positions>();
  }
  for (const TableWrite& w : writes) {
    for (const Mutation& m : w.mutations) w.table->Apply(m);
  }
  return std::optional<Positions>(std::move(positions));
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
  if (shared()) return Status::Ok();  // TableStore::Delete removed it from the store
  SLUICE_RETURN_IF_ERROR(journal_->Destroy());
  if (options_.durability == storage::Durability::kMemory) return Status::Ok();
  return options_.env->RemoveAll(dir_);
}

}  // namespace sluice::dynamodb
