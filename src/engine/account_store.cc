#include "engine/account_store.h"

#include <iterator>
#include <utility>

namespace sluice::engine {

AccountStore::AccountStore(std::string path, bool in_memory, const Clock& clock)
    : AccountStore(std::make_shared<LocalAccountPersistence>(std::move(path), in_memory), clock) {}

AccountStore::AccountStore(std::shared_ptr<AccountPersistence> persistence, const Clock& clock)
    : clock_(clock), persistence_(std::move(persistence)) {}

Status AccountStore::Load() { return persistence_->Load(); }

MinimumThroughputCommitment AccountStore::Effective(MinimumThroughputCommitment c, int64_t now_ms) {
  if (c.status == CommitmentStatus::kEnabledUntilEarliestAllowedEnd && c.earliest_allowed_end_ms &&
      now_ms >= *c.earliest_allowed_end_ms) {
    c.status = CommitmentStatus::kDisabled;
    c.ended_ms = c.earliest_allowed_end_ms;
  }
  return c;
}

AccountSettings AccountStore::Describe(const std::string& account, const std::string& region) const {
  std::shared_ptr<const AccountDocument> doc = persistence_->Read();
  AccountSettings settings;
  auto it = doc->commitments.find({account, region});
  if (it != doc->commitments.end()) {
    settings.minimum_throughput_commitment = Effective(it->second, clock_.NowMillis());
  }
  return settings;
}

bool AccountStore::CommitmentInForce(const std::string& account, const std::string& region) const {
  return Describe(account, region).minimum_throughput_commitment.status != CommitmentStatus::kDisabled;
}

Result<AccountSettings> AccountStore::UpdateCommitment(const std::string& account, const std::string& region,
                                                       bool enable) {
  const int64_t now = clock_.NowMillis();
  AccountSettings out;
  SLUICE_RETURN_IF_ERROR(Change([&](const AccountDocument& doc) -> std::optional<AccountDocument> {
    MinimumThroughputCommitment current;
    auto it = doc.commitments.find({account, region});
    if (it != doc.commitments.end()) current = Effective(it->second, now);

    MinimumThroughputCommitment next = current;
    if (enable) {
      if (current.status == CommitmentStatus::kDisabled) {
        next = MinimumThroughputCommitment{};
        next.status = CommitmentStatus::kEnabled;
        next.started_ms = now;
        next.earliest_allowed_end_ms = now + kMinimumCommitmentMs;
      } else if (current.status == CommitmentStatus::kEnabledUntilEarliestAllowedEnd) {
        next.status = CommitmentStatus::kEnabled;  // cancels the pending disable
        next.ended_ms.reset();
      }
    } else if (current.status == CommitmentStatus::kEnabled) {
      const int64_t earliest = current.earliest_allowed_end_ms.value_or(now);
      if (now < earliest) {
        next.status = CommitmentStatus::kEnabledUntilEarliestAllowedEnd;
        next.ended_ms = earliest;
      } else {
        next.status = CommitmentStatus::kDisabled;
        next.ended_ms = now;
      }
    }

    out.minimum_throughput_commitment = next;
    const bool changed = it == doc.commitments.end() || next.status != it->second.status ||
                         next.started_ms != it->second.started_ms || next.ended_ms != it->second.ended_ms ||
                         next.earliest_allowed_end_ms != it->second.earliest_allowed_end_ms;
    if (!changed || (it == doc.commitments.end() && next.status == CommitmentStatus::kDisabled)) return std::nullopt;
    AccountDocument updated = doc;
    updated.commitments[{account, region}] = next;
    return updated;
  }));
  return out;
}

Status AccountStore::PutPolicy(const std::string& arn, int64_t stream_creation_ms, std::string policy) {
  return Change([&](const AccountDocument& doc) -> std::optional<AccountDocument> {
    AccountDocument updated = doc;
    updated.policies[arn] = AccountDocument::Policy{policy, stream_creation_ms};
    return updated;
  });
}

std::optional<std::string> AccountStore::GetPolicy(std::string_view arn, int64_t stream_creation_ms) const {
  std::shared_ptr<const AccountDocument> doc = persistence_->Read();
  auto it = doc->policies.find(arn);
  if (it == doc->policies.end() || it->second.stream_creation_ms != stream_creation_ms) return std::nullopt;
  return it->second.text;
}

Result<bool> AccountStore::DeletePolicy(std::string_view arn, int64_t stream_creation_ms) {
  bool current = false;
  SLUICE_RETURN_IF_ERROR(Change([&](const AccountDocument& doc) -> std::optional<AccountDocument> {
    auto it = doc.policies.find(arn);
    current = it != doc.policies.end() && it->second.stream_creation_ms == stream_creation_ms;
    if (it == doc.policies.end()) return std::nullopt;
    AccountDocument updated = doc;
    updated.policies.erase(std::string(arn));
    return updated;
  }));
  return current;
}

Status AccountStore::ErasePoliciesOf(std::string_view stream_arn, int64_t created_at_or_before) {
  const std::string consumers = std::string(stream_arn) + "/consumer/";
  return Change([&](const AccountDocument& doc) -> std::optional<AccountDocument> {
    AccountDocument updated = doc;
    const size_t before = updated.policies.size();
    const auto erase_if_older = [&](auto it) {
      return it->second.stream_creation_ms <= created_at_or_before ? updated.policies.erase(it) : std::next(it);
    };
    if (auto it = updated.policies.find(stream_arn); it != updated.policies.end()) erase_if_older(it);
    for (auto it = updated.policies.lower_bound(consumers);
         it != updated.policies.end() && it->first.compare(0, consumers.size(), consumers) == 0;) {
      it = erase_if_older(it);
    }
    if (updated.policies.size() == before) return std::nullopt;
    return updated;
  });
}

Status AccountStore::Change(const AccountPersistence::Edit& edit) {
  std::lock_guard lock(change_mu_);
  return persistence_->Update(edit).status();
}

}  // namespace sluice::engine
