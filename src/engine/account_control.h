// AccountControl: the account settings of each (account, region) namespace.
// DescribeAccountSettings, UpdateAccountSettings, and whether the minimum
// throughput billing commitment is in force (which warm throughput needs).
// The API layer reaches it as Engine::accounts().
//
// The settings are kept by the account store (engine/account_store.h), which
// persists every change before it returns and defines the commitment's
// transitions.
//
// Ownership: owned by the Engine; holds a reference to the engine's account
// store, which outlives it.
//
// Threading: every method is thread-safe (the account store's own lock); no
// engine lock is taken, as the settings belong to no stream.
#pragma once

#include <string>

#include "engine/account_store.h"
#include "engine/types.h"
#include "util/status.h"

namespace sluice::engine {

class AccountControl {
 public:
  explicit AccountControl(AccountStore& accounts) : accounts_(accounts) {}

  // The namespace's settings: the minimum throughput billing commitment as of
  // now (DISABLED with no times until first enabled).
  AccountSettings DescribeAccountSettings(const std::string& account, const std::string& region) const;
  // Enables or disables the commitment (see AccountStore::UpdateCommitment for
  // the transitions and the 24 h minimum) and returns the new settings.
  // Persisted before returning. Errors: IoError (nothing changed).
  Result<AccountSettings> UpdateAccountSettings(const std::string& account, const std::string& region, bool enable);
  // Whether the namespace's commitment is in force (ENABLED or
  // ENABLED_UNTIL_EARLIEST_ALLOWED_END).
  bool MinimumThroughputCommitmentEnabled(const std::string& account, const std::string& region) const;

 private:
  AccountStore& accounts_;
};

}  // namespace sluice::engine
