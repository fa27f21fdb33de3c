// The account settings and resource policies of cluster mode
// (docs/cluster.md, "Account state and channels"): the engine's
// AccountPersistence as one etcd key that every node shares, so that an
// UpdateAccountSettings or PutResourcePolicy through any node is seen through
// every other and outlives any node.
//
//   /sluice/v1/accounts/document
//   the account document, engine::EncodeAccountDocument
//   (docs/engine-formats.md, "Account document")
//
// Changes by compare-and-swap, re-applied to the newer document after a
// conflict; every node kept current by a watch; each read fetches the key
// (EtcdDocument, etcd_document.h). A read while etcd does not answer gets the
// node's last copy; a change then fails with ServiceUnavailable.
//
// Threading: as engine::AccountPersistence.
#pragma once

#include <memory>
#include <string_view>

#include "cluster/etcd_client.h"
#include "cluster/etcd_decoded_document.h"
#include "engine/account_persistence.h"

namespace sluice::cluster {

inline constexpr std::string_view kAccountsKey = "/sluice/v1/accounts/document";

class EtcdAccountPersistence final : public engine::AccountPersistence {
 public:
  // `client` must outlive it.
  explicit EtcdAccountPersistence(EtcdClient& client);

  // Reads the key and watches it from then on. Errors: those of the etcd
  // call; Corruption for a document that does not decode.
  Status Load() override { return document_.Load(); }
  std::shared_ptr<const engine::AccountDocument> Read() override { return document_.Read(); }
  // Errors: EtcdDocument::Update's; Corruption for a document in etcd that
  // does not decode (nothing written).
  Result<std::shared_ptr<const engine::AccountDocument>> Update(const Edit& edit) override;
  // Ends the watch. Idempotent.
  void Stop() { document_.Stop(); }

  // Versions of the key taken from the watch so far.
  int64_t watched() const { return document_.watched(); }

 private:
  EtcdDecodedDocument<engine::AccountDocument> document_;
};

}  // namespace sluice::cluster
