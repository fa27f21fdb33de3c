#include "engine/engine.h"

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <set>

#include "engine/data_layout.h"
#include "engine/engine_impl.h"
#include "engine/local_shard_store.h"
#include "engine/pending_marks.h"
#include "engine/stream_logs.h"
#include "storage/file_util.h"
#include "util/log.h"

namespace sluice::engine {

namespace fs = std::filesystem;

// ---------------------------------------------------------------- Engine ---

Result<std::unique_ptr<Engine>> Engine::Open(const EngineOptions& options) {
  EngineOptions opts = options;
  opts.log.durability = opts.durability;
  const bool memory = opts.durability == storage::Durability::kMemory;
  if (!memory) {
    if (opts.data_dir.empty()) return Status::InvalidArgument("data directory is required");
    std::error_code ec;
    const bool data_dir_existed = fs::exists(opts.data_dir, ec);
    fs::create_directories(StreamsRoot(opts.data_dir), ec);
    if (ec) {
      return Status::IoError("cannot create " + StreamsRoot(opts.data_dir) + ": " + ec.message());
    }
    if (opts.durability == storage::Durability::kFsync && !data_dir_existed) {
      // A new data directory: its own entry must be durable too (what is
      // inside it is synced as streams are created).
      fs::path parent = fs::absolute(opts.data_dir, ec).lexically_normal().parent_path();
      if (!ec) SLUICE_RETURN_IF_ERROR(storage::file::SyncDir(parent.string()));
    }
  }
  auto open_codec = [&]() -> Result<IteratorCodec> {
    if (opts.iterator_key.empty()) return IteratorCodec::Open(memory ? "" : IteratorKeyPath(opts.data_dir));
    if (opts.iterator_key.size() != kIteratorKeySize) {
      return Status::InvalidArgument("the iterator key has " + std::to_string(opts.iterator_key.size()) +
                                     " bytes, want " + std::to_string(kIteratorKeySize));
    }
    IteratorCodec::Key key;
    std::memcpy(key.data(), opts.iterator_key.data(), key.size());
    return IteratorCodec(key);
  };
  SLUICE_ASSIGN_OR_RETURN(IteratorCodec codec, open_codec());
  auto impl = std::make_unique<Impl>(opts, codec);
  SLUICE_RETURN_IF_ERROR(impl->Load());
  return std::unique_ptr<Engine>(new Engine(std::move(impl)));
}

Engine::Engine(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Engine::~Engine() { impl_->Stop(); }

void Engine::Start() { impl_->Start(); }
void Engine::Stop() { impl_->Stop(); }

RecordPath& Engine::records() { return impl_->records(); }
ConsumerRegistry& Engine::consumers() { return impl_->consumers(); }
StreamControl& Engine::control() { return impl_->control(); }
Subscriptions& Engine::subscriptions() { return impl_->subscriptions(); }
AccountControl& Engine::accounts() { return impl_->accounts(); }
ResourcePolicies& Engine::policies() { return impl_->policies(); }
const EngineOptions& Engine::options() const { return impl_->options(); }
EngineMetrics Engine::Metrics(ShardDetail detail) const { return impl_->Metrics(detail); }
void Engine::RunHousekeeping() { (void)impl_->housekeeping().RunPass(); }
Status Engine::ApplyStreamChange(const StreamChange& change, const std::function<bool()>& admit) {
  return impl_->ApplyStreamChange(change, admit);
}

// ------------------------------------------------------------------ Impl ---

Engine::Impl::Impl(const EngineOptions& options, IteratorCodec codec)
    : options_(options),
      limits_on_(options.limits.Any()),
      clock_(options.clock ? options.clock : &SystemClock::Instance()),
      codec_(codec) {
  const bool memory = options_.durability == storage::Durability::kMemory;
  if (options_.catalog) {
    catalog_ = options_.catalog;
  } else {
    auto local = std::make_shared<MetadataLog>(memory ? std::string() : MetadataPath(options_.data_dir), memory);
    local_log_ = local.get();
    catalog_ = std::move(local);
  }
  accounts_ = options_.accounts ? std::make_unique<AccountStore>(options_.accounts, *clock_)
                                : std::make_unique<AccountStore>(
                                      memory ? std::string() : AccountsPath(options_.data_dir), memory, *clock_);
  stores_ = options_.shard_stores ? options_.shard_stores : std::make_shared<LocalShardStoreFactory>(options_.log);
  placement_ = options_.placement ? options_.placement : std::make_shared<LocalPlacement>();
  records_ = std::make_unique<RecordPath>(options_, *clock_, codec_, *placement_, *this);
  // The parts wake the housekeeping thread when they schedule a transition
  // (never before Open returns).
  auto kick = [this] { housekeeping_->Kick(); };
  consumers_ = std::make_unique<ConsumerRegistry>(options_, *clock_, *this, *accounts_, kick);
  control_ = std::make_unique<StreamControl>(options_, *clock_, *this, *accounts_, *stores_, kick);
  housekeeping_ = std::make_unique<Housekeeping>(options_, *clock_, *this, *control_, *consumers_);
  subscriptions_ = std::make_unique<Subscriptions>(options_, *clock_, codec_, *records_, *this);
  subscriptions_->Start();
  account_control_ = std::make_unique<AccountControl>(*accounts_);
  policies_ = std::make_unique<ResourcePolicies>(*this, *consumers_, *accounts_);
}

Engine::Impl::~Impl() { Stop(); }

Status Engine::Impl::Load() {
  SLUICE_RETURN_IF_ERROR(accounts_->Load());
  const bool memory = options_.durability == storage::Durability::kMemory;
  SLUICE_ASSIGN_OR_RETURN(std::optional<std::vector<StreamMeta>> loaded, catalog_->Load());
  if (!loaded) {
    if (memory) return Status::Ok();
    // Without the document nothing names the folders under streams/: serving
    // would hide those streams, and settling would treat them as strangers.
    const int found = CountStreamFolders(options_.data_dir);
    if (found > 0) {
      return Status::Corruption("data directory " + options_.data_dir + " holds stream data (" + std::to_string(found) +
                                " stream directories under " + StreamsRoot(options_.data_dir) +
                                ") but no metadata file; refusing to start so nothing is deleted. Restore " +
                                MetadataPath(options_.data_dir) + " from a backup, or move " +
                                StreamsRoot(options_.data_dir) + " away to start empty.");
    }
    if (local_log_ != nullptr && local_log_->journal().journal_bytes() > 0) {
      return Status::Corruption("the metadata journal " + local_log_->journal().journal_path() +
                                " holds changes but the metadata file beside it is missing; refusing to start. "
                                "Restore " +
                                MetadataPath(options_.data_dir) + " from a backup.");
    }
    // A new data directory gets its (empty) document at once, so from now on
    // a missing one always means a lost one.
    return catalog_->Init();
  }
  std::vector<StreamMeta>& metas = *loaded;
  std::set<std::string> named;  // the folders the document names
  for (StreamMeta& meta : metas) {
    const StreamKey key = KeyOf(meta.ref);
    control_->NoteLoaded(meta);
    if (!memory) {
      // A shared catalogue names streams created elsewhere: their folders
      // here are made as they are opened, and nothing was lost.
      if (!catalog_->shared()) missing_shard_dirs_ += ReportMissingStreamDir(meta);
      const std::string stream_dir = StreamDir(options_.data_dir, meta.ref, meta.creation_ms);
      named.insert(fs::path(stream_dir).lexically_normal().string());
      for (const ShardMeta& shard : meta.shards) {
        named.insert(fs::path(ShardDir(stream_dir, shard.index)).lexically_normal().string());
      }
    }
    SLUICE_ASSIGN_OR_RETURN(std::shared_ptr<StreamState> state, OpenStreamLogs(options_, *stores_, std::move(meta)));
    streams_[key] = std::move(state);
  }
  if (!memory) {
    SettleStreamFolders(options_.data_dir, named, options_.durability == storage::Durability::kFsync);
  }
  log::Info("engine: loaded {} streams", streams_.size());
  return Status::Ok();
}

std::shared_ptr<StreamState> Engine::Impl::Find(const StreamRef& stream) const {
  std::shared_lock table(table_mu_);
  auto it = streams_.find(KeyOf(stream));
  return it == streams_.end() ? nullptr : it->second;
}

std::vector<StreamMeta> Engine::Impl::SnapshotLocked() const {
  std::vector<StreamMeta> out;
  std::shared_lock table(table_mu_);
  out.reserve(streams_.size());
  for (const auto& [key, state] : streams_) {
    std::shared_lock lock(state->mu);
    out.push_back(state->meta);
  }
  return out;
}

Status Engine::Impl::SaveStreamsLocked(const std::vector<const StreamMeta*>& streams) { return catalog_->Put(streams); }

Status Engine::Impl::SaveRemovalLocked(const StreamKey& key) { return catalog_->Erase(key); }

Result<bool> Engine::Impl::RefreshLocked(const StreamKey& key) {
  return catalog_->Refresh(key, [&](const StreamChange& change) { return control_->ApplyChangeLocked(change); });
}

Status Engine::Impl::ApplyStreamChange(const StreamChange& change, const std::function<bool()>& admit) {
  std::lock_guard control(control_mu_);
  if (!admit()) return Status::Ok();
  return control_->ApplyChangeLocked(change);
}

void Engine::Impl::InsertLocked(const StreamKey& key, std::shared_ptr<StreamState> state) {
  std::unique_lock table(table_mu_);
  streams_[key] = std::move(state);
}

void Engine::Impl::EraseLocked(const StreamKey& key) {
  std::unique_lock table(table_mu_);
  streams_.erase(key);
}

std::vector<std::shared_ptr<StreamState>> Engine::Impl::Streams() const {
  std::shared_lock table(table_mu_);
  std::vector<std::shared_ptr<StreamState>> out;
  out.reserve(streams_.size());
  for (const auto& [key, state] : streams_) out.push_back(state);
  return out;
}

void Engine::Impl::ForEachInNamespace(const std::string& account, const std::string& region, std::string_view after,
                                      const std::function<bool(const StreamMeta&)>& visit) const {
  std::shared_lock table(table_mu_);
  // Keys sort by (account, region, name): one contiguous run per namespace.
  for (auto it = streams_.upper_bound(StreamKey{account, region, std::string(after)}); it != streams_.end(); ++it) {
    if (std::get<0>(it->first) != account || std::get<1>(it->first) != region) break;
    std::shared_lock lock(it->second->mu);
    if (!visit(it->second->meta)) break;
  }
}

int Engine::Impl::ReportMissingStreamDir(const StreamMeta& meta) const {
  const std::string stream_dir = StreamDir(options_.data_dir, meta.ref, meta.creation_ms);
  std::error_code ec;
  if (fs::is_directory(stream_dir, ec)) return 0;
  int missing = 0;
  for (const ShardMeta& shard : meta.shards) {
    // Created and closed in the same instant: a short-lived shard of
    // UpdateShardCount, which never had a folder.
    if (!shard.close_ms || *shard.close_ms != shard.open_ms) ++missing;
  }
  // The metadata is saved only after the stream's folder is created and
  // synced, so a missing one was lost (a power loss on a data directory
  // written before the chain was synced, or outside interference): say so
  // rather than quietly starting empty logs.
  log::Error(
      "engine: stream {} (account {}, region {}) is in the metadata but its directory is missing ({}); "
      "whatever records its {} shards held are lost, and they restart empty, reusing sequence numbers",
      meta.ref.name, meta.ref.account, meta.ref.region, stream_dir, missing);
  return missing;
}

void Engine::Impl::Start() { housekeeping_->Start(); }

void Engine::Impl::Stop() {
  control_->StopWorker();              // finishes the streams it is building or destroying
  if (!housekeeping_->Stop()) return;  // stopped before
  subscriptions_->Stop();
  stores_->Stop();  // completes pending syncs
  for (auto& state : Streams()) ReleaseStreamLogs(*state, /*destroy=*/false);
}

void LogStreamState(const StreamRef& stream, std::string_view from, std::string_view to) {
  log::Event(
      log::Level::kInfo, "engine: stream state",
      {{"stream", stream.name}, {"account", stream.account}, {"region", stream.region}, {"from", from}, {"to", to}});
}

std::string StreamNotFoundMessage(const StreamRef& stream) {
  return "Stream " + stream.name + " under account " + stream.account + " not found.";
}

std::string StreamNotActiveMessage(const StreamRef& stream, StreamStatus status) {
  return "Stream " + stream.name + " under account " + stream.account + " not ACTIVE, instead in state " +
         StreamStatusName(status);
}

std::string ShardNotFoundMessage(const StreamRef& stream, std::string_view shard_id) {
  return "Shard " + std::string(shard_id) + " in stream " + stream.name + " under account " + stream.account +
         " does not exist";
}

}  // namespace sluice::engine
