// RegistryPersistence: where the ChannelRegistry (channels/channel_registry.h)
// keeps its document, every channel of every namespace. The channels folder
// owns the seam; the registry keeps the rules (names, states, tags) and hands
// each change here as an edit of the whole document.
//
// A single node keeps the document in its data directory
// (LocalRegistryPersistence below, the default). In cluster mode it is shared
// by every node (cluster/etcd_channel_persistence.h, one etcd key): an edit
// made on a stale copy is applied again to the current one, so no change is
// lost, and a read sees every change acknowledged through any node.
//
// Threading: Read may be called from any thread; the registry calls Update
// one at a time (under its own mutex).
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "channels/channel.h"
#include "storage/metadata_store.h"
#include "util/status.h"

namespace sluice::channels {

using ChannelDocument = std::vector<Channel>;

class RegistryPersistence {
 public:
  // Given the current document, the next one, or nullopt when the change
  // changes nothing (then nothing is saved); an error (the service's: a name
  // taken, a channel not found) ends the Update with it. It may be called
  // more than once for one Update (a shared store calls it again on a
  // fresher document), so it must depend only on its argument and what it
  // captures.
  using Edit = std::function<Result<std::optional<ChannelDocument>>(const ChannelDocument& current)>;

  virtual ~RegistryPersistence() = default;

  // Reads the saved document, if one was ever saved. Called once, before
  // any other call. Errors: Corruption for a document that does not decode;
  // the store's own.
  virtual Status Load() = 0;
  // The current document (never null). A shared store returns every change
  // acknowledged through any node before the call (or, when its store does
  // not answer, the last document it saw).
  virtual std::shared_ptr<const ChannelDocument> Read() = 0;
  // Applies `edit` to the current document and saves the result before
  // returning (nothing saved when `edit` changed nothing).
  // Errors: the edit's; IoError (local) or the shared store's (nothing
  // changed, or for a shared store's lost answer, possibly changed: see its
  // header).
  virtual Status Update(const Edit& edit) = 0;
};

// The data directory's own document, <data-dir>/channels: a
// storage::MetadataStore (atomic replace, checksummed, fsynced), or memory
// only when `in_memory`.
class LocalRegistryPersistence final : public RegistryPersistence {
 public:
  LocalRegistryPersistence(std::string path, bool in_memory) : store_(std::move(path), in_memory) {}

  Status Load() override;
  std::shared_ptr<const ChannelDocument> Read() override;
  Status Update(const Edit& edit) override;

 private:
  storage::MetadataStore store_;
  std::mutex mu_;
  std::shared_ptr<const ChannelDocument> doc_ = std::make_shared<ChannelDocument>();  // guarded by mu_
};

}  // namespace sluice::channels
