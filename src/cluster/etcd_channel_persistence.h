// The channel registry of cluster mode (docs/cluster.md, "Account state and
// channels"): the registry's RegistryPersistence as one etcd key that every
// node shares, so that a CreateChannel, UpdateChannel, DeleteChannel or a
// channel's tags through any node are seen through every other and outlive
// any node.
//
//   /sluice/v1/channels/registry
//   the channel document, channels::EncodeChannelDocument
//   (docs/channels.md, "Channel document")
//
// Changes by compare-and-swap, re-applied to the newer document after a
// conflict; every node kept current by a watch; each read fetches the key
// (EtcdDocument, etcd_document.h). A read while etcd does not answer gets the
// node's last copy; a change then fails with ServiceUnavailable.
//
// Threading: as channels::RegistryPersistence.
#pragma once

#include <memory>
#include <string_view>

#include "channels/registry_persistence.h"
#include "cluster/etcd_client.h"
#include "cluster/etcd_decoded_document.h"

namespace sluice::cluster {

inline constexpr std::string_view kChannelRegistryKey = "/sluice/v1/channels/registry";

class EtcdChannelPersistence final : public channels::RegistryPersistence {
 public:
  // `client` must outlive it.
  explicit EtcdChannelPersistence(EtcdClient& client);

  // Reads the key and watches it from then on. Errors: those of the etcd
  // call; Corruption for a document that does not decode.
  Status Load() override { return document_.Load(); }
  std::shared_ptr<const channels::ChannelDocument> Read() override { return document_.Read(); }
  // Errors: the edit's; EtcdDocument::Update's; Corruption for a document in
  // etcd that does not decode (nothing written).
  Status Update(const Edit& edit) override;
  // Ends the watch. Idempotent.
  void Stop() { document_.Stop(); }

  // Versions of the key taken from the watch so far.
  int64_t watched() const { return document_.watched(); }

 private:
  EtcdDecodedDocument<channels::ChannelDocument> document_;
};

}  // namespace sluice::cluster
