#include "cluster/etcd_channel_persistence.h"

#include <string>

#include "channels/channel_document.h"

namespace sluice::cluster {

EtcdChannelPersistence::EtcdChannelPersistence(EtcdClient& client)
    : document_(client, std::string(kChannelRegistryKey), "channels", channels::DecodeChannelDocument,
                channels::EncodeChannelDocument) {}

Status EtcdChannelPersistence::Update(const Edit& edit) { return document_.Update(edit).status(); }

}  // namespace sluice::cluster
