#include "channels/registry_persistence.h"

#include <utility>

#include "channels/channel_document.h"

namespace sluice::channels {

Status LocalRegistryPersistence::Load() {
  SLUICE_ASSIGN_OR_RETURN(std::optional<std::string> bytes, store_.Load());
  if (!bytes) return Status::Ok();
  SLUICE_ASSIGN_OR_RETURN(ChannelDocument loaded, DecodeChannelDocument(*bytes));
  std::lock_guard lock(mu_);
  doc_ = std::make_shared<const ChannelDocument>(std::move(loaded));
  return Status::Ok();
}

std::shared_ptr<const ChannelDocument> LocalRegistryPersistence::Read() {
  std::lock_guard lock(mu_);
  return doc_;
}

Status LocalRegistryPersistence::Update(const Edit& edit) {
  std::shared_ptr<const ChannelDocument> current = Read();
  SLUICE_ASSIGN_OR_RETURN(std::optional<ChannelDocument> next, edit(*current));
  if (!next) return Status::Ok();
  SLUICE_RETURN_IF_ERROR(store_.Save(EncodeChannelDocument(*next)));
  std::lock_guard lock(mu_);
  doc_ = std::make_shared<const ChannelDocument>(std::move(*next));
  return Status::Ok();
}

}  // namespace sluice::channels
