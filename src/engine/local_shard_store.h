// The local ShardStore (engine/shard_store.h): one storage::ShardLog per
// shard in the shard's folder, with one group-commit storage::Flusher for
// every log in kFsync. The single-node server's only store.
#pragma once

#include <memory>

#include "engine/shard_store.h"
#include "storage/shard_log.h"

namespace sluice::engine {

class LocalShardStoreFactory final : public ShardStoreFactory {
 public:
  // `options.durability` picks the mode; kFsync starts the flusher thread.
  explicit LocalShardStoreFactory(const storage::LogOptions& options);
  ~LocalShardStoreFactory() override;

  Result<std::unique_ptr<ShardStore>> Open(const ShardKey& shard, const std::string& dir) override;
  // The shard log in `dir` itself, with this factory's options and group
  // commit (what a replicated store keeps its replica in). Errors: as Open.
  Result<std::unique_ptr<storage::ShardLog>> OpenLog(const std::string& dir);
  // The options its logs are opened with.
  const storage::LogOptions& log_options() const { return options_; }
  void Stop() override;
  void AddMetrics(StorageMetrics* out) const override;
  // The group-commit thread of every shard log (null unless kFsync). Other
  // logs of the server (the consumer group journal) may share it, so that
  // one sync serves them and the records; it stops with Stop().
  storage::Flusher* flusher() const { return flusher_.get(); }

 private:
  storage::LogOptions options_;
  std::unique_ptr<storage::Flusher> flusher_;  // kFsync only
};

}  // namespace sluice::engine
