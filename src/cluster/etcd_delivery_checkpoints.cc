#include "cluster/etcd_delivery_checkpoints.h"

#include <optional>
#include <utility>

#include "cluster/etcd_document.h"
#include "util/log.h"

namespace sluice::cluster {
namespace {

bool Later(const std::string& a, const std::string& b) { return a.size() != b.size() ? a.size() > b.size() : a > b; }

Result<channels::DeliveryCheckpoint> Decode(const EtcdDocument::Version& version, const std::string& key) {
  if (!version.exists) return channels::DeliveryCheckpoint();
  Result<channels::DeliveryCheckpoint> decoded = channels::DecodeDeliveryCheckpoint(version.bytes);
  if (!decoded.ok()) return Status::Corruption(key + ": " + decoded.status().message());
  return decoded;
}

class EtcdCheckpointStore final : public channels::CheckpointStore {
 public:
  EtcdCheckpointStore(EtcdClient& client, std::string key)
      : key_(key), document_(client, std::move(key), "delivery checkpoint") {}

  Result<channels::DeliveryCheckpoint> Load() override { return Decode(*document_.Current(), key_); }

  Result<channels::DeliveryCheckpoint> Save(const channels::ShardKey& key,
                                            const channels::ShardProgress& progress) override {
    channels::DeliveryCheckpoint saved;
    SLUICE_RETURN_IF_ERROR(document_
                               .Update([&](const EtcdDocument::Version& current) -> Result<std::optional<std::string>> {
                                 SLUICE_ASSIGN_OR_RETURN(saved, Decode(current, key_));
                                 MergeProgress(saved, key, progress);
                                 return std::optional<std::string>(channels::EncodeDeliveryCheckpoint(saved));
                               })
                               .status());
    return saved;
  }

 private:
  const std::string key_;
  EtcdDocument document_;
};

}  // namespace

void MergeProgress(channels::DeliveryCheckpoint& into, const channels::ShardKey& key,
                   const channels::ShardProgress& progress) {
  channels::ShardProgress& kept = into[key];
  kept.finished = kept.finished || progress.finished;
  if (progress.last_sequence_number &&
      (!kept.last_sequence_number || Later(*progress.last_sequence_number, *kept.last_sequence_number))) {
    kept.last_sequence_number = progress.last_sequence_number;
  }
}

std::unique_ptr<channels::CheckpointStore> EtcdDeliveryCheckpoints::Open(const std::string& channel_id) {
  return std::make_unique<EtcdCheckpointStore>(client_, std::string(kDeliveryCheckpointPrefix) + channel_id);
}

void EtcdDeliveryCheckpoints::RemoveStale(const std::set<std::string>& ids) {
  for (const std::string& id : seen_) {
    if (ids.count(id) != 0) continue;
    if (Result<int64_t> deleted = client_.Delete(std::string(kDeliveryCheckpointPrefix) + id); !deleted.ok()) {
      log::Warn("cluster: removing the delivery checkpoint of channel {}: {}", id, deleted.status().ToString());
    }
  }
  seen_ = ids;
}

}  // namespace sluice::cluster
