// AccountPersistence: where the AccountStore (engine/account_store.h) keeps
// its document. The engine owns the seam; the store keeps the rules (the
// commitment's transitions, the policies' incarnations) and hands each change
// here as an edit of the whole document.
//
// A single node keeps the document in its data directory
// (LocalAccountPersistence below, the default). In cluster mode it is shared
// by every node (cluster/etcd_account_persistence.h, one etcd key): a change
// made on a stale copy is applied again to the current one, so no change is
// lost, and a read sees every change acknowledged through any node.
//
// Threading: Read may be called from any thread; the store calls Update one
// at a time (under its own mutex).
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "engine/account_document.h"
#include "storage/metadata_store.h"
#include "util/status.h"

namespace sluice::engine {

class AccountPersistence {
 public:
  // Given the current document, returns the next one, or nullopt when the
  // change changes nothing (then nothing is saved). It may be called more
  // than once for one Update (a shared store calls it again on a fresher
  // document), so it must depend only on its argument and what it captures.
  using Edit = std::function<std::optional<AccountDocument>(const AccountDocument& current)>;

  virtual ~AccountPersistence() = default;

  // Reads the saved document, if one was ever saved. Called once, before
  // any other call. Errors: Corruption for a document that fails its
  // checksum or does not decode; the store's own.
  virtual Status Load() = 0;
  // The current document (never null). A shared store returns every change
  // acknowledged through any node before the call (or, when its store does
  // not answer, the last document it saw).
  virtual std::shared_ptr<const AccountDocument> Read() = 0;
  // Applies `edit` to the current document and saves the result before
  // returning it (the current document when `edit` changed nothing).
  // Errors: IoError (local) or the shared store's (nothing changed, or for
  // a shared store's lost answer, possibly changed: see its header).
  virtual Result<std::shared_ptr<const AccountDocument>> Update(const Edit& edit) = 0;
};

// The data directory's own document: a storage::MetadataStore (atomic
// replace, checksummed), or memory only when `in_memory`.
class LocalAccountPersistence final : public AccountPersistence {
 public:
  LocalAccountPersistence(std::string path, bool in_memory) : store_(std::move(path), in_memory) {}

  Status Load() override;
  std::shared_ptr<const AccountDocument> Read() override;
  Result<std::shared_ptr<const AccountDocument>> Update(const Edit& edit) override;

 private:
  storage::MetadataStore store_;
  std::mutex mu_;
  std::shared_ptr<const AccountDocument> doc_ = std::make_shared<AccountDocument>();  // guarded by mu_
};

}  // namespace sluice::engine
