#include "cluster/etcd_channel_persistence.h"

#include <string>
#include <utility>

#include "channels/channel_document.h"
#include "util/log.h"

namespace sluice::cluster {

EtcdChannelPersistence::EtcdChannelPersistence(EtcdClient& client)
    : document_(client, std::string(kChannelRegistryKey), "channels") {}

Result<std::shared_ptr<const channels::ChannelDocument>> EtcdChannelPersistence::Decode(
    const EtcdDocument::Version& version) {
  std::lock_guard lock(mu_);
  if (decoded_ && version.revision == decoded_revision_) return decoded_;
  channels::ChannelDocument doc;
  if (version.exists) {
    Result<channels::ChannelDocument> read = channels::DecodeChannelDocument(version.bytes);
    if (!read.ok()) return Status::Corruption(std::string(kChannelRegistryKey) + ": " + read.status().message());
    doc = std::move(read).value();
  }
  decoded_ = std::make_shared<const channels::ChannelDocument>(std::move(doc));
  decoded_revision_ = version.revision;
  return decoded_;
}

Status EtcdChannelPersistence::Load() {
  SLUICE_RETURN_IF_ERROR(document_.Load());
  return Decode(*document_.Held()).status();
}

std::shared_ptr<const channels::ChannelDocument> EtcdChannelPersistence::Read() {
  Result<std::shared_ptr<const channels::ChannelDocument>> doc = Decode(*document_.Current());
  if (doc.ok()) return *doc;
  // A document another node wrote that this one cannot read (a newer
  // format): the last one it could read.
  log::Error("cluster: {}", doc.status().ToString());
  std::lock_guard lock(mu_);
  return decoded_ ? decoded_ : std::make_shared<const channels::ChannelDocument>();
}

Status EtcdChannelPersistence::Update(const Edit& edit) {
  return document_
      .Update([&](const EtcdDocument::Version& current) -> Result<std::optional<std::string>> {
        SLUICE_ASSIGN_OR_RETURN(std::shared_ptr<const channels::ChannelDocument> doc, Decode(current));
        SLUICE_ASSIGN_OR_RETURN(std::optional<channels::ChannelDocument> next, edit(*doc));
        if (!next) return std::optional<std::string>();
        return std::optional<std::string>(channels::EncodeChannelDocument(*next));
      })
      .status();
}

}  // namespace sluice::cluster
