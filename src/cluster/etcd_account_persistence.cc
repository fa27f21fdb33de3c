#include "cluster/etcd_account_persistence.h"

#include <string>
#include <utility>

#include "util/log.h"

namespace sluice::cluster {

EtcdAccountPersistence::EtcdAccountPersistence(EtcdClient& client)
    : document_(client, std::string(kAccountsKey), "account settings and resource policies") {}

Result<std::shared_ptr<const engine::AccountDocument>> EtcdAccountPersistence::Decode(
    const EtcdDocument::Version& version) {
  std::lock_guard lock(mu_);
  if (decoded_ && version.revision == decoded_revision_) return decoded_;
  engine::AccountDocument doc;
  if (version.exists) {
    Result<engine::AccountDocument> read = engine::DecodeAccountDocument(version.bytes);
    if (!read.ok()) return Status::Corruption(std::string(kAccountsKey) + ": " + read.status().message());
    doc = std::move(read).value();
  }
  decoded_ = std::make_shared<const engine::AccountDocument>(std::move(doc));
  decoded_revision_ = version.revision;
  return decoded_;
}

Status EtcdAccountPersistence::Load() {
  SLUICE_RETURN_IF_ERROR(document_.Load());
  return Decode(*document_.Held()).status();
}

std::shared_ptr<const engine::AccountDocument> EtcdAccountPersistence::Read() {
  std::shared_ptr<const EtcdDocument::Version> current = document_.Current();
  Result<std::shared_ptr<const engine::AccountDocument>> doc = Decode(*current);
  if (doc.ok()) return *doc;
  // A document another node wrote that this one cannot read (a newer
  // format): the last one it could read.
  log::Error("cluster: {}", doc.status().ToString());
  std::lock_guard lock(mu_);
  return decoded_ ? decoded_ : std::make_shared<const engine::AccountDocument>();
}

Result<std::shared_ptr<const engine::AccountDocument>> EtcdAccountPersistence::Update(const Edit& edit) {
  std::shared_ptr<const engine::AccountDocument> saved;
  Result<std::shared_ptr<const EtcdDocument::Version>> written =
      document_.Update([&](const EtcdDocument::Version& current) -> Result<std::optional<std::string>> {
        SLUICE_ASSIGN_OR_RETURN(std::shared_ptr<const engine::AccountDocument> doc, Decode(current));
        std::optional<engine::AccountDocument> next = edit(*doc);
        if (!next) {
          saved = doc;
          return std::optional<std::string>();
        }
        std::string bytes = engine::EncodeAccountDocument(*next);
        saved = std::make_shared<const engine::AccountDocument>(std::move(*next));
        return std::optional<std::string>(std::move(bytes));
      });
  if (!written.ok()) return written.status();
  return saved;
}

}  // namespace sluice::cluster
