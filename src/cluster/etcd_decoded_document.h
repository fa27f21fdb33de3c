// EtcdDecodedDocument<T>: an EtcdDocument (etcd_document.h) whose bytes are
// a T, decoded once per revision: the shared part of the account state's and
// the channel registry's persistence in cluster mode
// (etcd_account_persistence.h, etcd_channel_persistence.h).
//
// Threading: as EtcdDocument.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "cluster/etcd_document.h"
#include "util/log.h"
#include "util/status.h"

namespace sluice::cluster {

template <typename T>
class EtcdDecodedDocument {
 public:
  // Corruption for bytes that do not decode.
  using Decoder = std::function<Result<T>(std::string_view bytes)>;
  using Encoder = std::function<std::string(const T& doc)>;
  // Given the current document, the next, or nullopt for no change; an
  // error ends the update. May be called more than once.
  using Edit = std::function<Result<std::optional<T>>(const T& current)>;

  // A key never written reads as T{}. `client` must outlive the document.
  EtcdDecodedDocument(EtcdClient& client, std::string key, std::string what, Decoder decode, Encoder encode)
      : key_(key), document_(client, std::move(key), std::move(what)), decode_(decode), encode_(encode) {}

  // Reads the key and watches it from then on. Errors: those of the etcd
  // call; Corruption for a document that does not decode.
  Status Load() {
    SLUICE_RETURN_IF_ERROR(document_.Load());
    return Decode(*document_.Held()).status();
  }

  // The document as of now (EtcdDocument::Current); one this node cannot
  // decode (a newer format) is logged and the last one it could is returned.
  std::shared_ptr<const T> Read() {
    Result<std::shared_ptr<const T>> doc = Decode(*document_.Current());
    if (doc.ok()) return *doc;
    log::Error("cluster: {}", doc.status().ToString());
    std::lock_guard lock(mu_);
    return decoded_ ? decoded_ : std::make_shared<const T>();
  }

  // Applies `edit` and writes its result (EtcdDocument::Update); returns the
  // document saved, or the current one when `edit` changed nothing.
  // Errors: the edit's; EtcdDocument::Update's; Corruption for a document
  // in etcd that does not decode (nothing written).
  Result<std::shared_ptr<const T>> Update(const Edit& edit) {
    std::shared_ptr<const T> saved;
    Result<std::shared_ptr<const EtcdDocument::Version>> written =
        document_.Update([&](const EtcdDocument::Version& current) -> Result<std::optional<std::string>> {
          SLUICE_ASSIGN_OR_RETURN(std::shared_ptr<const T> doc, Decode(current));
          SLUICE_ASSIGN_OR_RETURN(std::optional<T> next, edit(*doc));
          if (!next) {
            saved = doc;
            return std::optional<std::string>();
          }
          std::string bytes = encode_(*next);
          saved = std::make_shared<const T>(std::move(*next));
          return std::optional<std::string>(std::move(bytes));
        });
    if (!written.ok()) return written.status();
    return saved;
  }

  void Stop() { document_.Stop(); }
  int64_t watched() const { return document_.watched(); }

 private:
  // `version` decoded; the last decoded one again when it is the same.
  Result<std::shared_ptr<const T>> Decode(const EtcdDocument::Version& version) {
    std::lock_guard lock(mu_);
    if (decoded_ && version.revision == decoded_revision_) return decoded_;
    T doc{};
    if (version.exists) {
      Result<T> read = decode_(version.bytes);
      if (!read.ok()) return Status::Corruption(key_ + ": " + read.status().message());
      doc = std::move(read).value();
    }
    decoded_ = std::make_shared<const T>(std::move(doc));
    decoded_revision_ = version.revision;
    return decoded_;
  }

  const std::string key_;
  EtcdDocument document_;
  const Decoder decode_;
  const Encoder encode_;
  std::mutex mu_;
  int64_t decoded_revision_ = -1;     // guarded by mu_
  std::shared_ptr<const T> decoded_;  // guarded by mu_
};

}  // namespace sluice::cluster
