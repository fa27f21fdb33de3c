// AccountControl (engine/account_control.h): the account settings, over the
// account store.
#include "engine/account_control.h"

namespace sluice::engine {

AccountSettings AccountControl::DescribeAccountSettings(const std::string& account, const std::string& region) const {
  return accounts_.Describe(account, region);
}

Result<AccountSettings> AccountControl::UpdateAccountSettings(const std::string& account, const std::string& region,
                                                              bool enable) {
  return accounts_.UpdateCommitment(account, region, enable);
}

bool AccountControl::MinimumThroughputCommitmentEnabled(const std::string& account, const std::string& region) const {
  return accounts_.CommitmentInForce(account, region);
}

}  // namespace sluice::engine
