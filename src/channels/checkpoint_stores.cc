#include "channels/checkpoint_stores.h"

#include <utility>

#include "util/log.h"

namespace sluice::channels {
namespace {

class LocalCheckpointStore final : public CheckpointStore {
 public:
  LocalCheckpointStore(std::string path, bool in_memory, storage::Env* env) : store_(std::move(path), in_memory, env) {}

  Result<DeliveryCheckpoint> Load() override {
    SLUICE_ASSIGN_OR_RETURN(std::optional<std::string> doc, store_.Load());
    if (doc) {
      SLUICE_ASSIGN_OR_RETURN(checkpoint_, DecodeDeliveryCheckpoint(*doc));
    }
    return checkpoint_;
  }

  Result<DeliveryCheckpoint> Save(const ShardKey& key, const ShardProgress& progress) override {
    DeliveryCheckpoint next = checkpoint_;
    next[key] = progress;
    SLUICE_RETURN_IF_ERROR(store_.Save(EncodeDeliveryCheckpoint(next)));
    checkpoint_ = std::move(next);
    return checkpoint_;
  }

 private:
  storage::MetadataStore store_;
  DeliveryCheckpoint checkpoint_;  // as last loaded or saved
};

}  // namespace

void LocalCheckpointStores::Start() {
  if (in_memory_) return;
  if (Status made = env_->CreateDirs(DeliveryCheckpointDir(data_dir_)); !made.ok()) {
    log::Error("channels: cannot make the checkpoint directory: {}", made.ToString());
  }
}

std::unique_ptr<CheckpointStore> LocalCheckpointStores::Open(const std::string& channel_id) {
  return std::make_unique<LocalCheckpointStore>(DeliveryCheckpointDir(data_dir_) + "/" + channel_id, in_memory_, env_);
}

void LocalCheckpointStores::RemoveStale(const std::set<std::string>& ids) {
  if (in_memory_) return;
  const std::string dir = DeliveryCheckpointDir(data_dir_);
  Result<std::vector<std::string>> names = env_->ListDir(dir);
  if (!names.ok()) return;
  for (const std::string& name : *names) {
    // A checkpoint's temporary file carries the id too (<id>.tmp).
    const std::string id = name.substr(0, name.find('.'));
    if (ids.count(id) == 0) (void)env_->RemoveFile(dir + "/" + name);  // retried next time
  }
}

}  // namespace sluice::channels
