// AccountStore: the engine's account-level state that belongs to no stream
// record: the account settings of each (account, region) namespace
// (the minimum throughput billing commitment) and the resource policies of
// streams and consumers, keyed by resource ARN.
//
// Persistence: one document of its own, saved whole through a
// storage::MetadataStore (atomic replace, checksummed) before any change is
// acknowledged or becomes visible; in memory mode it lives in memory only.
// The payload's byte format is in docs/engine-formats.md ("Account
// document"); EncodeAccountDocument / DecodeAccountDocument implement it.
//
// Policies carry the creation time of the stream they were put on, so a
// policy left behind by a crash between a stream's removal and the removal
// of its policies is never shown on a recreated stream of the same name:
// callers pass the stream's current creation time and the store treats a
// policy of another incarnation as absent.
//
// Lifecycle: construct, Load() once before any other call, then use from any
// thread: every method is thread-safe (one internal mutex; saves happen
// under it, so changes are applied in the order they were saved).
//
// Errors: Load() returns Corruption for a document that fails its checksum
// or does not decode; mutators return IoError when the save fails, leaving
// the state as it was.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>

#include "engine/types.h"
#include "storage/metadata_store.h"
#include "util/clock.h"
#include "util/status.h"

namespace sluice::engine {

// The decoded document: settings per (account, region), policies per ARN.
struct AccountDocument {
  struct Policy {
    std::string text;                // stored verbatim
    int64_t stream_creation_ms = 0;  // incarnation of the stream it was put on
  };
  std::map<std::pair<std::string, std::string>, MinimumThroughputCommitment> commitments;
  std::map<std::string, Policy, std::less<>> policies;
};

// Version byte of the account document's payload.
inline constexpr uint8_t kAccountDocumentVersion = 1;

std::string EncodeAccountDocument(const AccountDocument& doc);
// Corruption for an unknown version, a truncated document, an out-of-range
// status, or trailing bytes.
Result<AccountDocument> DecodeAccountDocument(std::string_view bytes);

class AccountStore {
 public:
  // `path` is the document's file (ignored when `in_memory`); `clock` must
  // outlive the store.
  AccountStore(std::string path, bool in_memory, const Clock& clock);

  AccountStore(const AccountStore&) = delete;
  AccountStore& operator=(const AccountStore&) = delete;

  // Reads the document, if one was ever saved. Corruption when it is bad.
  Status Load();

  // --- account settings ---
  // The namespace's settings as of now. A commitment whose disable was asked
  // for before its earliest allowed end reads ENABLED_UNTIL_EARLIEST_ALLOWED_END
  // until that time and DISABLED (EndedAt = EarliestAllowedEndAt) after it.
  AccountSettings Describe(const std::string& account, const std::string& region) const;
  // Enables or disables the commitment and returns the new settings:
  //   enable, when DISABLED: a new commitment, StartedAt = now,
  //     EarliestAllowedEndAt = now + 24 h;
  //   enable, when ENABLED_UNTIL_EARLIEST_ALLOWED_END: the pending disable
  //     is cancelled (ENABLED, same StartedAt and EarliestAllowedEndAt);
  //   enable, when ENABLED: no change;
  //   disable, when ENABLED before EarliestAllowedEndAt:
  //     ENABLED_UNTIL_EARLIEST_ALLOWED_END with EndedAt = EarliestAllowedEndAt;
  //   disable, when ENABLED at or after EarliestAllowedEndAt: DISABLED with
  //     EndedAt = now;
  //   disable otherwise: no change.
  // Errors: IoError (nothing changed).
  Result<AccountSettings> UpdateCommitment(const std::string& account, const std::string& region, bool enable);
  // Whether the commitment is in force now (ENABLED or
  // ENABLED_UNTIL_EARLIEST_ALLOWED_END).
  bool CommitmentInForce(const std::string& account, const std::string& region) const;

  // --- resource policies (keyed by the resource's canonical ARN) ---
  // Sets (replacing) the policy of `arn`, put on the stream incarnation
  // created at `stream_creation_ms`. Errors: IoError.
  Status PutPolicy(const std::string& arn, int64_t stream_creation_ms, std::string policy);
  // The policy of `arn` for the stream incarnation created at
  // `stream_creation_ms`; nullopt when there is none.
  std::optional<std::string> GetPolicy(std::string_view arn, int64_t stream_creation_ms) const;
  // Removes the policy of `arn`; returns whether the incarnation created at
  // `stream_creation_ms` had one (a policy of another incarnation is removed
  // too, but reported as absent). Errors: IoError.
  Result<bool> DeletePolicy(std::string_view arn, int64_t stream_creation_ms);
  // Removes the policies of the stream `stream_arn` and of its consumers
  // (`<stream_arn>/consumer/...`). No save when there is none. Errors: IoError.
  Status ErasePoliciesOf(std::string_view stream_arn);

 private:
  // `c` as it reads at `now_ms` (a pending disable whose time has come is
  // DISABLED).
  static MinimumThroughputCommitment Effective(MinimumThroughputCommitment c, int64_t now_ms);
  // Saves `next` and, on success, makes it the state. Caller holds mu_.
  Status CommitLocked(AccountDocument next);

  const Clock& clock_;
  storage::MetadataStore store_;
  mutable std::mutex mu_;
  AccountDocument doc_;  // guarded by mu_
};

}  // namespace sluice::engine
