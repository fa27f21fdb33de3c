#include "engine/account_store.h"

#include <utility>

namespace sluice::engine {
namespace {

// Big-endian fields, like the metadata document (docs/engine-formats.md).
class Writer {
 public:
  explicit Writer(std::string* out) : out_(out) {}
  void U8(uint8_t v) { out_->push_back(static_cast<char>(v)); }
  void U32(uint32_t v) {
    for (int s = 24; s >= 0; s -= 8) out_->push_back(static_cast<char>(v >> s));
  }
  void I64(int64_t v) {
    for (int s = 56; s >= 0; s -= 8) out_->push_back(static_cast<char>(static_cast<uint64_t>(v) >> s));
  }
  void Str(std::string_view s) {
    U32(static_cast<uint32_t>(s.size()));
    out_->append(s);
  }

 private:
  std::string* out_;
};

// Reads fields until one runs past the end; from then on ok() is false and
// every read yields zero or empty.
class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  bool ok() const { return ok_; }
  bool empty() const { return in_.empty(); }
  uint8_t U8() { return static_cast<uint8_t>(Take(1)); }
  uint32_t U32() { return static_cast<uint32_t>(Take(4)); }
  int64_t I64() { return static_cast<int64_t>(Take(8)); }
  std::string Str() { return std::string(Bytes(U32())); }

 private:
  std::string_view Bytes(size_t n) {
    if (!ok_ || in_.size() < n) {
      ok_ = false;
      return {};
    }
    std::string_view v = in_.substr(0, n);
    in_.remove_prefix(n);
    return v;
  }
  uint64_t Take(size_t n) {
    uint64_t v = 0;
    for (char c : Bytes(n)) v = (v << 8) | static_cast<unsigned char>(c);
    return v;
  }

  std::string_view in_;
  bool ok_ = true;
};

Status Corrupt(const std::string& what) { return Status::Corruption("account document: " + what); }

void PutOptionalTime(Writer& w, const std::optional<int64_t>& ms) { w.I64(ms ? *ms : -1); }
std::optional<int64_t> GetOptionalTime(Reader& r) {
  int64_t v = r.I64();
  return v < 0 ? std::nullopt : std::optional<int64_t>(v);
}

}  // namespace

std::string EncodeAccountDocument(const AccountDocument& doc) {
  std::string out;
  Writer w(&out);
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
  Reader r(bytes);
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
