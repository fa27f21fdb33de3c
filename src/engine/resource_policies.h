// ResourcePolicies: PutResourcePolicy, GetResourcePolicy and
// DeleteResourcePolicy of a stream ARN or a consumer ARN
// (<stream arn>/consumer/<name>:<seconds>). The API layer reaches it as
// Engine::policies().
//
// A policy is stored verbatim (the API layer checks that it is a JSON
// object) by the account store (engine/account_store.h) under the
// resource's canonical ARN, with the creation time of its stream, and
// persisted before a call returns; Put replaces. A resource without a policy
// reads as "{}". Deleting a stream deletes its policies and those of its
// consumers (StreamControl); deregistering a consumer deletes its policy
// (ConsumerRegistry).
//
// Ownership: owned by the Engine; holds references to the engine's stream
// table, consumer registry and account store, which outlive it.
//
// Threading: every method is thread-safe. Each call runs under the table's
// control lock, like every control-plane change, so "the resource exists"
// and "its policy is saved" cannot interleave with the stream's removal
// (which erases its policies under the same lock).
//
// Errors: ResourceNotFound (stream missing: the usual message; consumer (or
// its stream) missing: "Consumer <arn> not found."; Delete without a policy:
// "No resource policy found for resource ARN <arn>."), ResourceInUse (Put on
// a consumer that is not ACTIVE), InvalidArgument (an ARN naming neither),
// IoError.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "engine/account_store.h"
#include "engine/consumer_registry.h"
#include "engine/stream_table.h"
#include "util/status.h"

namespace sluice::engine {

class ResourcePolicies {
 public:
  ResourcePolicies(const StreamTable& streams, const ConsumerRegistry& consumers, AccountStore& accounts)
      : streams_(streams), consumers_(consumers), accounts_(accounts) {}

  Status PutResourcePolicy(std::string_view resource_arn, std::string policy);
  Result<std::string> GetResourcePolicy(std::string_view resource_arn) const;
  Status DeleteResourcePolicy(std::string_view resource_arn);

 private:
  // The stored key (canonical ARN) and the stream's creation time for the
  // policy of `resource_arn`, once the resource is known to exist. Caller
  // holds the control lock.
  Result<std::pair<std::string, int64_t>> TargetLocked(std::string_view resource_arn) const;

  const StreamTable& streams_;
  const ConsumerRegistry& consumers_;
  AccountStore& accounts_;
};

}  // namespace sluice::engine
