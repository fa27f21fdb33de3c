// Account settings (the minimum throughput billing commitment) and resource
// policies: the Engine's forwarders and the Impl methods over AccountStore.
//
// Policy changes run under control_mu_, like every control-plane change, so
// "the stream exists" and "its policy is saved" cannot interleave with the
// stream's removal (which erases its policies under the same lock).
#include <mutex>
#include <shared_mutex>

#include "engine/consumer_arn.h"
#include "engine/data_layout.h"
#include "engine/engine_impl.h"

namespace sluice::engine {

// ---------------------------------------------------------------- Engine ---

AccountSettings Engine::DescribeAccountSettings(const std::string& account, const std::string& region) const {
  return impl_->DescribeAccountSettings(account, region);
}
Result<AccountSettings> Engine::UpdateAccountSettings(const std::string& account, const std::string& region,
                                                      bool enable) {
  return impl_->UpdateAccountSettings(account, region, enable);
}
bool Engine::MinimumThroughputCommitmentEnabled(const std::string& account, const std::string& region) const {
  return impl_->MinimumThroughputCommitmentEnabled(account, region);
}
Status Engine::PutResourcePolicy(std::string_view resource_arn, std::string policy) {
  return impl_->PutResourcePolicy(resource_arn, std::move(policy));
}
Result<std::string> Engine::GetResourcePolicy(std::string_view resource_arn) const {
  return impl_->GetResourcePolicy(resource_arn);
}
Status Engine::DeleteResourcePolicy(std::string_view resource_arn) { return impl_->DeleteResourcePolicy(resource_arn); }

// ------------------------------------------------------------------ Impl ---

std::unique_ptr<AccountStore> Engine::Impl::NewAccountStore(const EngineOptions& options, const Clock& clock) {
  const bool memory = options.durability == storage::Durability::kMemory;
  return std::make_unique<AccountStore>(memory ? std::string() : AccountsPath(options.data_dir), memory, clock);
}

Status Engine::Impl::LoadAccounts() { return accounts_->Load(); }

AccountSettings Engine::Impl::DescribeAccountSettings(const std::string& account, const std::string& region) const {
  return accounts_->Describe(account, region);
}

Result<AccountSettings> Engine::Impl::UpdateAccountSettings(const std::string& account, const std::string& region,
                                                            bool enable) {
  return accounts_->UpdateCommitment(account, region, enable);
}

bool Engine::Impl::MinimumThroughputCommitmentEnabled(const std::string& account, const std::string& region) const {
  return accounts_->CommitmentInForce(account, region);
}

Result<std::pair<std::string, int64_t>> Engine::Impl::PolicyTargetLocked(std::string_view resource_arn) const {
  if (std::optional<StreamRef> ref = ParseStreamArn(resource_arn)) {
    std::shared_ptr<StreamState> state = Find(*ref);
    if (!state) return Status::NotFound(StreamNotFoundMessage(*ref));
    std::shared_lock lock(state->mu);
    // The canonical ARN, so every spelling of the partition names one policy.
    return std::make_pair(StreamArn(*ref), state->meta.creation_ms);
  }
  // <stream arn>/consumer/<name>:<creation seconds>: the consumer must exist.
  if (ParseConsumerArn(resource_arn)) return consumers_->PolicyTargetLocked(resource_arn, /*require_active=*/false);
  const size_t consumer = resource_arn.find("/consumer/");
  if (consumer != std::string_view::npos && ParseStreamArn(resource_arn.substr(0, consumer))) {
    return Status::NotFound("Consumer " + std::string(resource_arn) + " not found.");
  }
  return Status::InvalidArgument("Invalid ResourceARN " + std::string(resource_arn) + ".");
}

Status Engine::Impl::PutResourcePolicy(std::string_view resource_arn, std::string policy) {
  std::lock_guard control(control_mu_);
  // Like the service, a policy is put only on an ACTIVE consumer.
  if (ParseConsumerArn(resource_arn)) {
    SLUICE_RETURN_IF_ERROR(consumers_->PolicyTargetLocked(resource_arn, /*require_active=*/true).status());
  }
  SLUICE_ASSIGN_OR_RETURN(auto target, PolicyTargetLocked(resource_arn));
  return accounts_->PutPolicy(target.first, target.second, std::move(policy));
}

Result<std::string> Engine::Impl::GetResourcePolicy(std::string_view resource_arn) const {
  std::lock_guard control(control_mu_);
  SLUICE_ASSIGN_OR_RETURN(auto target, PolicyTargetLocked(resource_arn));
  // Like the service, a resource without a policy has the empty one.
  return accounts_->GetPolicy(target.first, target.second).value_or("{}");
}

Status Engine::Impl::DeleteResourcePolicy(std::string_view resource_arn) {
  std::lock_guard control(control_mu_);
  SLUICE_ASSIGN_OR_RETURN(auto target, PolicyTargetLocked(resource_arn));
  SLUICE_ASSIGN_OR_RETURN(bool had_policy, accounts_->DeletePolicy(target.first, target.second));
  if (!had_policy) {
    return Status::NotFound("No resource policy found for resource ARN " + std::string(resource_arn) + ".");
  }
  return Status::Ok();
}

}  // namespace sluice::engine
