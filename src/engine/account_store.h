// AccountStore: the engine's account-level state that belongs to no stream
// record: the account settings of each (account, region) namespace
// (the minimum throughput billing commitment) and the resource policies of
// streams and consumers, keyed by resource ARN.
//
// Persistence: one document (engine/account_document.h), each change saved
// whole through an AccountPersistence (engine/account_persistence.h) before
// it is acknowledged or becomes visible. A single node's is the data
// directory's own (a storage::MetadataStore: atomic replace, checksummed;
// in memory mode it lives in memory only); in cluster mode it is shared by
// every node through etcd (cluster/etcd_account_persistence.h).
//
// Policies carry the creation time of the stream they were put on, so a
// policy left behind by a crash between a stream's removal and the removal
// of its policies is never shown on a recreated stream of the same name:
// callers pass the stream's current creation time and the store treats a
// policy of another incarnation as absent.
//
// Lifecycle: construct, Load() once before any other call, then use from any
// thread: every method is thread-safe (one internal mutex serialises the
// changes; saves happen under it, so they are applied in the order saved).
//
// Errors: Load() returns Corruption for a document that fails its checksum
// or does not decode; mutators return IoError when the save fails, leaving
// the state as it was.
#pragma once

#include <cstdint>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>

#include "engine/account_document.h"
#include "engine/account_persistence.h"
#include "engine/types.h"
#include "util/clock.h"
#include "util/status.h"

namespace sluice::engine {

class AccountStore {
 public:
  // `path` is the document's file (ignored when `in_memory`); `clock` must
  // outlive the store.
  AccountStore(std::string path, bool in_memory, const Clock& clock);
  // Keeps the document in `persistence` (cluster mode's shared one).
  AccountStore(std::shared_ptr<AccountPersistence> persistence, const Clock& clock);

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
  // Errors: IoError (nothing changed); a shared persistence's own.
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
  // (`<stream_arn>/consumer/...`) put on incarnations created at or before
  // `created_at_or_before` (a node applying another's deletion late never
  // removes a recreated stream's). No save when there is none. Errors: IoError.
  Status ErasePoliciesOf(std::string_view stream_arn,
                         int64_t created_at_or_before = std::numeric_limits<int64_t>::max());

 private:
  // `c` as it reads at `now_ms` (a pending disable whose time has come is
  // DISABLED).
  static MinimumThroughputCommitment Effective(MinimumThroughputCommitment c, int64_t now_ms);
  // Saves the change `edit` makes (AccountPersistence::Update), one at a time.
  Status Change(const AccountPersistence::Edit& edit);

  const Clock& clock_;
  std::shared_ptr<AccountPersistence> persistence_;
  std::mutex change_mu_;  // one change at a time
};

}  // namespace sluice::engine
