#include "engine/account_store.h"

#include <utility>

#include "engine/byte_fields.h"

namespace sluice::engine {
namespace {

Status Corrupt(const std::string& what) { return Status::Corruption("account document: " + what); }

void PutOptionalTime(ByteWriter& w, const std::optional<int64_t>& ms) { w.I64(ms ? *ms : -1); }
std::optional<int64_t> GetOptionalTime(ByteReader& r) {
  int64_t v = r.I64();
  return v < 0 ? std::nullopt : std::optional<int64_t>(v);
}

}  // namespace

std::string EncodeAccountDocument(const AccountDocument& doc) {
  std::string out;
  ByteWriter w(&out);
  w.U8(kAccountDocumentVersion);
  w.U32(static_cast<uint32_t>(doc.commitments.size()));
  for (const auto& [ns, c] : doc.commitments) {
    w.Str(ns.first);
    w.Str(ns.second);
    w.U8(static_cast<uint8_t>(c.status));
    PutOptionalTime(w, c.started_ms);
    PutOptionalTime(w, c.ended_ms);
    PutOptionalTime(w, c.earliest_allowed_end_ms);
  }
  w.U32(static_cast<uint32_t>(doc.policies.size()));
  for (const auto& [arn, policy] : doc.policies) {
    w.Str(arn);
    w.I64(policy.stream_creation_ms);
    w.Str(policy.text);
  }
  return out;
}

Result<AccountDocument> DecodeAccountDocument(std::string_view bytes) {
  ByteReader r(bytes);
  const uint8_t version = r.U8();
  if (!r.ok()) return Corrupt("empty");
  if (version != kAccountDocumentVersion) return Corrupt("unknown version " + std::to_string(version));
  AccountDocument doc;
  const uint32_t settings = r.U32();
  for (uint32_t i = 0; r.ok() && i < settings; ++i) {
    std::string account = r.Str();
    std::string region = r.Str();
    const uint8_t status = r.U8();
    if (r.ok() && status > static_cast<uint8_t>(CommitmentStatus::kEnabledUntilEarliestAllowedEnd)) {
      return Corrupt("bad commitment status " + std::to_string(status));
    }
    MinimumThroughputCommitment c;
    c.status = static_cast<CommitmentStatus>(status);
    c.started_ms = GetOptionalTime(r);
    c.ended_ms = GetOptionalTime(r);
    c.earliest_allowed_end_ms = GetOptionalTime(r);
    doc.commitments[{std::move(account), std::move(region)}] = c;
  }
  const uint32_t policies = r.U32();
  for (uint32_t i = 0; r.ok() && i < policies; ++i) {
    std::string arn = r.Str();
    AccountDocument::Policy policy;
    policy.stream_creation_ms = r.I64();
    policy.text = r.Str();
    doc.policies[std::move(arn)] = std::move(policy);
  }
  if (!r.ok()) return Corrupt("truncated");
  if (!r.empty()) return Corrupt("trailing bytes");
  return doc;
}

AccountStore::AccountStore(std::string path, bool in_memory, const Clock& clock)
    : clock_(clock), store_(std::move(path), in_memory) {}

Status AccountStore::Load() {
  SLUICE_ASSIGN_OR_RETURN(std::optional<std::string> bytes, store_.Load());
  if (!bytes) return Status::Ok();
  SLUICE_ASSIGN_OR_RETURN(AccountDocument doc, DecodeAccountDocument(*bytes));
  std::lock_guard lock(mu_);
  doc_ = std::move(doc);
  return Status::Ok();
}

MinimumThroughputCommitment AccountStore::Effective(MinimumThroughputCommitment c, int64_t now_ms) {
  if (c.status == CommitmentStatus::kEnabledUntilEarliestAllowedEnd && c.earliest_allowed_end_ms &&
      now_ms >= *c.earliest_allowed_end_ms) {
    c.status = CommitmentStatus::kDisabled;
    c.ended_ms = c.earliest_allowed_end_ms;
  }
  return c;
}

AccountSettings AccountStore::Describe(const std::string& account, const std::string& region) const {
  std::lock_guard lock(mu_);
  AccountSettings settings;
  auto it = doc_.commitments.find({account, region});
  if (it != doc_.commitments.end()) {
    settings.minimum_throughput_commitment = Effective(it->second, clock_.NowMillis());
  }
  return settings;
}

bool AccountStore::CommitmentInForce(const std::string& account, const std::string& region) const {
  return Describe(account, region).minimum_throughput_commitment.status != CommitmentStatus::kDisabled;
}

Result<AccountSettings> AccountStore::UpdateCommitment(const std::string& account, const std::string& region,
                                                       bool enable) {
  std::lock_guard lock(mu_);
  const int64_t now = clock_.NowMillis();
  MinimumThroughputCommitment current;
  auto it = doc_.commitments.find({account, region});
  if (it != doc_.commitments.end()) current = Effective(it->second, now);

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

  AccountSettings out;
  out.minimum_throughput_commitment = next;
  const bool changed = it == doc_.commitments.end() || next.status != it->second.status ||
                       next.started_ms != it->second.started_ms || next.ended_ms != it->second.ended_ms ||
                       next.earliest_allowed_end_ms != it->second.earliest_allowed_end_ms;
  if (!changed || (it == doc_.commitments.end() && next.status == CommitmentStatus::kDisabled)) return out;
  AccountDocument updated = doc_;
  updated.commitments[{account, region}] = next;
  SLUICE_RETURN_IF_ERROR(CommitLocked(std::move(updated)));
  return out;
}

Status AccountStore::PutPolicy(const std::string& arn, int64_t stream_creation_ms, std::string policy) {
  std::lock_guard lock(mu_);
  AccountDocument updated = doc_;
  updated.policies[arn] = AccountDocument::Policy{std::move(policy), stream_creation_ms};
  return CommitLocked(std::move(updated));
}

std::optional<std::string> AccountStore::GetPolicy(std::string_view arn, int64_t stream_creation_ms) const {
  std::lock_guard lock(mu_);
  auto it = doc_.policies.find(arn);
  if (it == doc_.policies.end() || it->second.stream_creation_ms != stream_creation_ms) return std::nullopt;
  return it->second.text;
}

Result<bool> AccountStore::DeletePolicy(std::string_view arn, int64_t stream_creation_ms) {
  std::lock_guard lock(mu_);
  auto it = doc_.policies.find(arn);
  if (it == doc_.policies.end()) return false;
  const bool current = it->second.stream_creation_ms == stream_creation_ms;
  AccountDocument updated = doc_;
  updated.policies.erase(std::string(arn));
  SLUICE_RETURN_IF_ERROR(CommitLocked(std::move(updated)));
  return current;
}

Status AccountStore::ErasePoliciesOf(std::string_view stream_arn) {
  const std::string consumers = std::string(stream_arn) + "/consumer/";
  std::lock_guard lock(mu_);
  AccountDocument updated = doc_;
  const size_t before = updated.policies.size();
  updated.policies.erase(std::string(stream_arn));
  for (auto it = updated.policies.lower_bound(consumers);
       it != updated.policies.end() && it->first.compare(0, consumers.size(), consumers) == 0;) {
    it = updated.policies.erase(it);
  }
  if (updated.policies.size() == before) return Status::Ok();
  return CommitLocked(std::move(updated));
}

Status AccountStore::CommitLocked(AccountDocument next) {
  SLUICE_RETURN_IF_ERROR(store_.Save(EncodeAccountDocument(next)));
  doc_ = std::move(next);
  return Status::Ok();
}

}  // namespace sluice::engine
