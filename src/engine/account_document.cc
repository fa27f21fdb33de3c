#include "engine/account_document.h"

#include <optional>
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

}  // namespace sluice::engine
