#include "cluster/etcd_account_persistence.h"

#include <optional>
#include <string>

namespace sluice::cluster {

EtcdAccountPersistence::EtcdAccountPersistence(EtcdClient& client)
    : document_(client, std::string(kAccountsKey), "account settings and resource policies",
                engine::DecodeAccountDocument, engine::EncodeAccountDocument) {}

Result<std::shared_ptr<const engine::AccountDocument>> EtcdAccountPersistence::Update(const Edit& edit) {
  return document_.Update(
      [&](const engine::AccountDocument& current) -> Result<std::optional<engine::AccountDocument>> {
        return edit(current);
      });
}

}  // namespace sluice::cluster
