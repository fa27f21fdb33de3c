#include "cluster/etcd_document.h"

#include <utility>

#include "util/log.h"

namespace sluice::cluster {

namespace {
constexpr int kMaxAttempts = 100;
}  // namespace

EtcdDocument::EtcdDocument(EtcdClient& client, std::string key, std::string what)
    : client_(client), key_(std::move(key)), what_(std::move(what)) {}

EtcdDocument::~EtcdDocument() { Stop(); }

std::shared_ptr<const EtcdDocument::Version> EtcdDocument::FromKvs(const std::vector<KeyValue>& kvs,
                                                                   int64_t revision) const {
  auto v = std::make_shared<Version>();
  v->revision = revision;
  for (const KeyValue& kv : kvs) {
    if (kv.key != key_) continue;  // a range over the key as a prefix may hold longer keys
    v->exists = true;
    v->revision = kv.mod_revision;
    v->bytes = kv.value;
  }
  return v;
}

std::shared_ptr<const EtcdDocument::Version> EtcdDocument::Take(std::shared_ptr<const Version> next) {
  std::lock_guard lock(mu_);
  if (next->revision > held_->revision) held_ = std::move(next);
  return held_;
}

Status EtcdDocument::Load() {
  SLUICE_ASSIGN_OR_RETURN(RangeResult range, client_.GetPrefix(key_));
  Take(FromKvs(range.kvs, range.revision));
  WatchOptions watch;
  watch.prefix = key_;
  watch.from_revision = range.revision + 1;
  watch.on_events = [this](const std::vector<WatchEvent>& events) {
    for (const WatchEvent& e : events) {
      if (e.kv.key != key_) continue;
      auto v = std::make_shared<Version>();
      v->exists = e.type == WatchEvent::Type::kPut;
      v->revision = e.kv.mod_revision;
      if (v->exists) v->bytes = e.kv.value;
      Take(std::move(v));
      std::lock_guard lock(mu_);
      ++watched_;
    }
  };
  watch.on_compacted = [this]() -> Result<int64_t> {
    SLUICE_ASSIGN_OR_RETURN(RangeResult again, client_.GetPrefix(key_));
    Take(FromKvs(again.kvs, again.revision));
    return again.revision;
  };
  watch.on_error = [this](const Status& error) {
    log::Error("cluster: the watch of the {} ({}) ended: {}", what_, key_, error.ToString());
  };
  watch_ = std::make_unique<EtcdWatch>(client_, std::move(watch));
  return Status::Ok();
}

std::shared_ptr<const EtcdDocument::Version> EtcdDocument::Held() const {
  std::lock_guard lock(mu_);
  return held_;
}

std::shared_ptr<const EtcdDocument::Version> EtcdDocument::Current() {
  Result<RangeResult> range = client_.GetPrefix(key_);
  if (!range.ok()) {
    log::Warn("cluster: reading the {} from etcd: {}; answering with the copy this node holds", what_,
              range.status().ToString());
    return Held();
  }
  return Take(FromKvs(range->kvs, range->revision));
}

Result<std::shared_ptr<const EtcdDocument::Version>> EtcdDocument::Update(const Edit& edit) {
  std::shared_ptr<const Version> current = Held();
  bool read = false;  // `current` was read from etcd for this update
  for (int attempt = 0; attempt < kMaxAttempts; ++attempt) {
    Result<std::optional<std::string>> edited = edit(*current);
    if (!edited.ok() || !edited->has_value()) {
      // Refused, or nothing to change, on the copy this node held, which may
      // miss another node's change: judged again on the key as it is.
      if (!read) {
        current = Current();
        read = true;
        continue;
      }
      if (!edited.ok()) return edited.status();
      return current;
    }
    std::optional<std::string> next = std::move(edited).value();
    Result<TxnResult> txn = client_.CompareAndSwap(key_, current->exists ? current->revision : 0, *next);
    if (!txn.ok()) {
      if (txn.status().code() != ErrorCode::kTimedOut) return txn.status();
      log::Warn("cluster: a change of the {} is not confirmed: {}", what_, txn.status().ToString());
      return Status(ErrorCode::kServiceUnavailable,
                    "The " + what_ +
                        ": the change could not be confirmed, the cluster's metadata store did not answer in "
                        "time; try again.");
    }
    if (txn->succeeded) {
      auto written = std::make_shared<Version>();
      written->exists = true;
      written->revision = txn->revision;
      written->bytes = std::move(*next);
      Take(written);
      return std::shared_ptr<const Version>(std::move(written));
    }
    // Changed through another node since `current`: the failed branch read
    // the key as it is now; the edit is applied to that.
    current = Take(FromKvs(txn->kvs, txn->revision));
    read = true;
  }
  return Status::InUse("The " + what_ + " kept changing through other nodes at the same time; try again.");
}

void EtcdDocument::Stop() {
  if (watch_) watch_->Stop();
}

int64_t EtcdDocument::watched() const {
  std::lock_guard lock(mu_);
  return watched_;
}

}  // namespace sluice::cluster
