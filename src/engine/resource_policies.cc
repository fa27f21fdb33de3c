// ResourcePolicies (engine/resource_policies.h): the policies of streams and
// consumers, over the account store, under the table's control lock.
#include "engine/resource_policies.h"

#include <mutex>
#include <shared_mutex>

#include "engine/consumer_arn.h"
#include "engine/engine.h"

namespace sluice::engine {

Result<std::pair<std::string, int64_t>> ResourcePolicies::TargetLocked(std::string_view resource_arn) const {
  if (std::optional<StreamRef> ref = ParseStreamArn(resource_arn)) {
    std::shared_ptr<StreamState> state = streams_.Find(*ref);
    if (!state) return Status::NotFound(StreamNotFoundMessage(*ref));
    std::shared_lock lock(state->mu);
    // The canonical ARN, so every spelling of the partition names one policy.
    return std::make_pair(StreamArn(*ref), state->meta.creation_ms);
  }
  // <stream arn>/consumer/<name>:<creation seconds>: the consumer must exist.
  if (ParseConsumerArn(resource_arn)) return consumers_.PolicyTargetLocked(resource_arn, /*require_active=*/false);
  const size_t consumer = resource_arn.find("/consumer/");
  if (consumer != std::string_view::npos && ParseStreamArn(resource_arn.substr(0, consumer))) {
    return Status::NotFound("Consumer " + std::string(resource_arn) + " not found.");
  }
  return Status::InvalidArgument("Invalid ResourceARN " + std::string(resource_arn) + ".");
}

Status ResourcePolicies::PutResourcePolicy(std::string_view resource_arn, std::string policy) {
  std::lock_guard control(streams_.control_mu());
  // Like the service, a policy is put only on an ACTIVE consumer.
  if (ParseConsumerArn(resource_arn)) {
    SLUICE_RETURN_IF_ERROR(consumers_.PolicyTargetLocked(resource_arn, /*require_active=*/true).status());
  }
  SLUICE_ASSIGN_OR_RETURN(auto target, TargetLocked(resource_arn));
  return accounts_.PutPolicy(target.first, target.second, std::move(policy));
}

Result<std::string> ResourcePolicies::GetResourcePolicy(std::string_view resource_arn) const {
  std::lock_guard control(streams_.control_mu());
  SLUICE_ASSIGN_OR_RETURN(auto target, TargetLocked(resource_arn));
  // Like the service, a resource without a policy has the empty one.
  return accounts_.GetPolicy(target.first, target.second).value_or("{}");
}

Status ResourcePolicies::DeleteResourcePolicy(std::string_view resource_arn) {
  std::lock_guard control(streams_.control_mu());
  SLUICE_ASSIGN_OR_RETURN(auto target, TargetLocked(resource_arn));
  SLUICE_ASSIGN_OR_RETURN(bool had_policy, accounts_.DeletePolicy(target.first, target.second));
  if (!had_policy) {
    return Status::NotFound("No resource policy found for resource ARN " + std::string(resource_arn) + ".");
  }
  return Status::Ok();
}

}  // namespace sluice::engine
