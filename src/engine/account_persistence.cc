#include "engine/account_persistence.h"

#include <utility>

namespace sluice::engine {

Status LocalAccountPersistence::Load() {
  SLUICE_ASSIGN_OR_RETURN(std::optional<std::string> bytes, store_.Load());
  if (!bytes) return Status::Ok();
  SLUICE_ASSIGN_OR_RETURN(AccountDocument doc, DecodeAccountDocument(*bytes));
  std::lock_guard lock(mu_);
  doc_ = std::make_shared<const AccountDocument>(std::move(doc));
  return Status::Ok();
}

std::shared_ptr<const AccountDocument> LocalAccountPersistence::Read() {
  std::lock_guard lock(mu_);
  return doc_;
}

Result<std::shared_ptr<const AccountDocument>> LocalAccountPersistence::Update(const Edit& edit) {
  std::shared_ptr<const AccountDocument> current = Read();
  std::optional<AccountDocument> next = edit(*current);
  if (!next) return current;
  SLUICE_RETURN_IF_ERROR(store_.Save(EncodeAccountDocument(*next)));
  auto saved = std::make_shared<const AccountDocument>(std::move(*next));
  std::lock_guard lock(mu_);
  doc_ = saved;
  return saved;
}

}  // namespace sluice::engine
