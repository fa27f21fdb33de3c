#include "cluster/etcd_stream_catalog.h"

#include <set>
#include <utility>
#include <vector>

#include "engine/metadata_codec.h"
#include "util/log.h"

namespace sluice::cluster {

std::string StreamCatalogKey(const engine::StreamKey& key) {
  return std::string(kStreamsPrefix) + std::get<0>(key) + "/" + std::get<1>(key) + "/" + std::get<2>(key);
}

Result<engine::StreamKey> ParseStreamCatalogKey(std::string_view key) {
  const auto bad = [&] { return Status::BadResponse("not a stream key: " + std::string(key)); };
  if (!key.starts_with(kStreamsPrefix)) return bad();
  std::string_view rest = key.substr(kStreamsPrefix.size());
  const size_t first = rest.find('/');
  if (first == std::string_view::npos || first == 0) return bad();
  const size_t second = rest.find('/', first + 1);
  if (second == std::string_view::npos || second == first + 1 || second + 1 == rest.size()) return bad();
  if (rest.find('/', second + 1) != std::string_view::npos) return bad();
  return engine::StreamKey{std::string(rest.substr(0, first)), std::string(rest.substr(first + 1, second - first - 1)),
                           std::string(rest.substr(second + 1))};
}

namespace {

std::string Owner(const engine::StreamRef& s) { return "Stream " + s.name + " under account " + s.account; }

// A change etcd did not answer within its deadline, as the client sees it:
// AWS's ServiceUnavailable (HTTP 503, "a temporary failure of the server",
// which every SDK retries), naming no internals; the details go to the log.
// Other errors are returned as they are.
Status Unconfirmed(const engine::StreamRef& s, Status etcd) {
  if (etcd.code() != ErrorCode::kTimedOut) return etcd;
  log::Warn("cluster: a change of stream {} (account {}) is not confirmed: {}", s.name, s.account, etcd.ToString());
  return Status(ErrorCode::kServiceUnavailable,
                Owner(s) +
                    ": the change could not be confirmed, the cluster's metadata store did not answer in "
                    "time; try again.");
}

}  // namespace

EtcdStreamCatalog::~EtcdStreamCatalog() { Stop(); }

Result<std::optional<std::vector<engine::StreamMeta>>> EtcdStreamCatalog::Load() {
  SLUICE_ASSIGN_OR_RETURN(RangeResult range, client_.GetPrefix(kStreamsPrefix));
  std::vector<engine::StreamMeta> streams;
  std::lock_guard lock(mu_);
  for (const KeyValue& kv : range.kvs) {
    SLUICE_ASSIGN_OR_RETURN(engine::StreamKey key, ParseStreamCatalogKey(kv.key));
    Result<engine::StreamMeta> meta = engine::DecodeStreamRecord(kv.value);
    if (!meta.ok()) return Status::Corruption(kv.key + ": " + meta.status().message());
    if (engine::KeyOf(meta->ref) != key) return Status::Corruption(kv.key + ": holds the stream " + meta->ref.name);
    seen_[kv.key] = {kv.mod_revision, true};
    streams.push_back(std::move(meta).value());
  }
  loaded_revision_ = range.revision;
  return std::optional<std::vector<engine::StreamMeta>>(std::move(streams));
}

Status EtcdStreamCatalog::Put(const std::vector<const engine::StreamMeta*>& streams) {
  if (streams.empty()) return Status::Ok();
  std::lock_guard lock(mu_);
  std::vector<Compare> compares;
  std::vector<TxnOp> puts;
  std::vector<std::string> keys;
  for (const engine::StreamMeta* s : streams) {
    std::string key = StreamCatalogKey(engine::KeyOf(s->ref));
    const auto it = seen_.find(key);
    compares.push_back(it != seen_.end() && it->second.exists ? Compare::ModRevision(key, it->second.revision)
                                                              : Compare::Absent(key));
    puts.push_back(TxnOp::Put(key, engine::EncodeStreamRecord(*s)));
    keys.push_back(std::move(key));
  }
  Result<TxnResult> written = client_.Txn(compares, puts, {});
  if (!written.ok()) return Unconfirmed(streams[0]->ref, written.status());
  const TxnResult& txn = *written;
  if (!txn.succeeded) {
    // Which compare failed is not told; a single stream (every call but
    // the housekeeping pass's) names its own case.
    const auto it = seen_.find(keys[0]);
    if (streams.size() == 1 && (it == seen_.end() || !it->second.exists)) {
      return Status::InUse(Owner(streams[0]->ref) + " already exists.");
    }
    return Status::InUse(Owner(streams[0]->ref) + " was changed through another node at the same time; try again.");
  }
  for (const std::string& key : keys) seen_[key] = {txn.revision, true};
  return Status::Ok();
}

Status EtcdStreamCatalog::Erase(const engine::StreamKey& stream) {
  std::lock_guard lock(mu_);
  const std::string key = StreamCatalogKey(stream);
  const auto it = seen_.find(key);
  if (it == seen_.end() || !it->second.exists) return Status::Ok();
  Result<TxnResult> txn = client_.Txn({Compare::ModRevision(key, it->second.revision)}, {TxnOp::Delete(key)}, {});
  if (!txn.ok()) return Unconfirmed(engine::RefOf(stream), txn.status());
  if (!txn->succeeded) {
    return Status::InUse(Owner(engine::RefOf(stream)) +
                         " was changed through another node at the same time; try again.");
  }
  seen_[key] = {txn->revision, false};
  return Status::Ok();
}

void EtcdStreamCatalog::Follow(engine::Engine& engine) {
  WatchOptions watch;
  watch.prefix = std::string(kStreamsPrefix);
  watch.from_revision = loaded_revision_ + 1;
  watch.on_events = [this, &engine](const std::vector<WatchEvent>& events) { OnEvents(engine, events); };
  watch.on_compacted = [this, &engine] { return Reload(engine); };
  watch_ = std::make_unique<EtcdWatch>(client_, std::move(watch));
}

Result<int64_t> EtcdStreamCatalog::Reload(engine::Engine& engine) {
  SLUICE_ASSIGN_OR_RETURN(RangeResult range, client_.GetPrefix(kStreamsPrefix));
  // The range as the changes that lead to it: every key as a put (one this
  // node has seen at its revision is skipped), and every key this node
  // holds that the range lacks as a delete made by then.
  std::vector<WatchEvent> events;
  std::set<std::string> present;
  for (KeyValue& kv : range.kvs) {
    present.insert(kv.key);
    events.push_back({WatchEvent::Type::kPut, std::move(kv)});
  }
  {
    std::lock_guard lock(mu_);
    for (const auto& [key, seen] : seen_) {
      if (!seen.exists || present.contains(key)) continue;
      WatchEvent gone{WatchEvent::Type::kDelete, {}};
      gone.kv.key = key;
      gone.kv.mod_revision = range.revision;
      events.push_back(std::move(gone));
    }
  }
  OnEvents(engine, events);
  return range.revision;
}

int64_t EtcdStreamCatalog::resyncs() const { return watch_ ? watch_->resyncs() : 0; }

void EtcdStreamCatalog::Stop() {
  if (watch_) watch_->Stop();
}

int64_t EtcdStreamCatalog::applied() const {
  std::lock_guard lock(mu_);
  return applied_;
}

bool EtcdStreamCatalog::Admit(const std::string& key, int64_t revision, bool exists) {
  std::lock_guard lock(mu_);
  Seen& seen = seen_[key];
  if (seen.revision >= revision) return false;
  seen = {revision, exists};
  ++applied_;
  return true;
}

Status EtcdStreamCatalog::ApplyEvent(const WatchEvent& e, const ApplyFn& apply) {
  SLUICE_ASSIGN_OR_RETURN(engine::StreamKey key, ParseStreamCatalogKey(e.kv.key));
  engine::StreamChange change{key, std::nullopt};
  const bool exists = e.type == WatchEvent::Type::kPut;
  if (exists) {
    Result<engine::StreamMeta> meta = engine::DecodeStreamRecord(e.kv.value);
    if (!meta.ok()) return Status::Corruption(e.kv.key + " does not decode, ignored: " + meta.status().message());
    change.meta = std::move(meta).value();
  }
  Status applied = apply(change, [&] { return Admit(e.kv.key, e.kv.mod_revision, exists); });
  if (!applied.ok()) {
    // Not held here as the key holds it: a create through this node must
    // not overwrite it (create-if-absent refuses), and the key's next
    // change is applied in full.
    std::lock_guard lock(mu_);
    seen_[e.kv.key].exists = false;
    return Status(applied.code(), "applying the change of stream " + std::get<2>(key) + " (revision " +
                                      std::to_string(e.kv.mod_revision) + "): " + applied.message());
  }
  return Status::Ok();
}

void EtcdStreamCatalog::OnEvents(engine::Engine& engine, const std::vector<WatchEvent>& events) {
  for (const WatchEvent& e : events) {
    Status applied = ApplyEvent(e, [&](const engine::StreamChange& change, const std::function<bool()>& admit) {
      return engine.ApplyStreamChange(change, admit);
    });
    if (!applied.ok()) log::Error("cluster: stream catalogue: {}", applied.ToString());
  }
}

Result<bool> EtcdStreamCatalog::Refresh(const engine::StreamKey& stream,
                                        const std::function<Status(const engine::StreamChange&)>& apply) {
  // The first key from the stream's own on is the stream's when present (a
  // longer name sorts after it); the range's revision dates its absence.
  const std::string key = StreamCatalogKey(stream);
  SLUICE_ASSIGN_OR_RETURN(RangeResult range, client_.GetPrefix(key, 1));
  WatchEvent current{WatchEvent::Type::kPut, {}};
  if (!range.kvs.empty() && range.kvs[0].key == key) {
    current.kv = std::move(range.kvs[0]);
  } else {
    {
      std::lock_guard lock(mu_);
      const auto it = seen_.find(key);
      if (it == seen_.end() || !it->second.exists) return false;  // gone here too
    }
    current.type = WatchEvent::Type::kDelete;
    current.kv.key = key;
    current.kv.mod_revision = range.revision;
  }
  bool applied = false;
  SLUICE_RETURN_IF_ERROR(
      ApplyEvent(current, [&](const engine::StreamChange& change, const std::function<bool()>& admit) {
        if (!admit()) return Status::Ok();
        applied = true;
        return apply(change);
      }));
  return applied;
}

}  // namespace sluice::cluster
