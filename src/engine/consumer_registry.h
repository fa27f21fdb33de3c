// ConsumerRegistry: stream consumers (enhanced fan-out registrations).
// RegisterStreamConsumer, DescribeStreamConsumer, ListStreamConsumers,
// DeregisterStreamConsumer, consumer tags, the consumer a SubscribeToShard
// names, and the consumer transitions of the housekeeping pass. The API
// layer reaches it as Engine::consumers().
//
// Consumers are part of their stream's metadata (StreamMeta::consumers),
// persisted before any call returns, and go with the stream when it is
// deleted. A consumer named by ConsumerARN must also have been created in
// the second the ARN carries. A consumer's resource policy is kept by the
// account store under the consumer's canonical ARN and removed with it.
//
// Ownership: owned by the Engine; holds references to the engine's options,
// clock, stream table and account store, which outlive it.
//
// Threading: every method is thread-safe. A change takes the table's
// control lock, then (to make the saved copy live) the stream's lock; a read
// takes only the stream's lock shared (the order in engine/stream_state.h).
//
// Errors: a missing stream is the usual "Stream <name> under account <acct>
// not found."; a missing consumer is "Consumer <arn> not found." (named by
// ARN) or "Consumer <name> not found." (by name).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/account_store.h"
#include "engine/stream_table.h"
#include "engine/types.h"
#include "util/clock.h"
#include "util/status.h"

namespace sluice::engine {

struct EngineOptions;

class ConsumerRegistry {
 public:
  // `kick_housekeeping` wakes the housekeeping pass when a transition is
  // scheduled.
  ConsumerRegistry(const EngineOptions& options, const Clock& clock, StreamTable& streams, AccountStore& accounts,
                   std::function<void()> kick_housekeeping);

  // Registers `name` with the stream (ACTIVE or UPDATING): CREATING for
  // register_consumer_delay_ms, then ACTIVE (ACTIVE at once when 0), with
  // `tags` (validated by the API). Errors: ResourceNotFound, ResourceInUse
  // (the name is taken; the stream is CREATING or DELETING), LimitExceeded
  // (quotas.consumers_per_stream consumers, or kMaxConsumersCreating in
  // CREATING), IoError.
  Result<ConsumerDescription> RegisterStreamConsumer(const StreamRef& stream, const std::string& name,
                                                     const std::vector<std::pair<std::string, std::string>>& tags);
  // Errors: ResourceNotFound.
  Result<ConsumerDescription> DescribeStreamConsumer(const ConsumerLookup& consumer) const;
  // The stream's consumers in registration order. `stream_creation_ms`, when
  // given, must match the stream's creation time (in whole seconds; else
  // ResourceNotFound). Errors: ResourceNotFound, ResourceInUse (CREATING).
  Result<std::vector<ConsumerDescription>> ListStreamConsumers(const StreamRef& stream,
                                                               std::optional<int64_t> stream_creation_ms) const;
  // DELETING for deregister_consumer_delay_ms, then gone with its resource
  // policy (at once when 0). Deregistering a DELETING consumer is a no-op.
  // Errors: ResourceNotFound, IoError.
  Status DeregisterStreamConsumer(const ConsumerLookup& consumer);
  // The stream and consumer a ConsumerARN names, for SubscribeToShard: ResourceNotFound when either
  // is missing (or the ARN's creation time doesn't match), ResourceInUse when the consumer is not ACTIVE.
  Result<ConsumerRef> ResolveActiveConsumer(std::string_view consumer_arn) const;
  // Tags of the consumer a ConsumerARN names (TagResource, UntagResource,
  // ListTagsForResource), sorted by key. Adding beyond kMaxTagsPerStream
  // tags is InvalidArgument. Errors: ResourceNotFound, IoError.
  Result<std::vector<std::pair<std::string, std::string>>> ListConsumerTags(std::string_view consumer_arn) const;
  Status AddConsumerTags(std::string_view consumer_arn, const std::vector<std::pair<std::string, std::string>>& tags);
  Status RemoveConsumerTags(std::string_view consumer_arn, const std::vector<std::string>& keys);

  // --- for the engine ---
  // Finishes the consumer transitions (CREATING -> ACTIVE, DELETING -> gone)
  // due at `now` and lowers `*next_due` to the earliest one still ahead.
  // Caller holds the control lock (the housekeeping pass).
  void SettleLocked(int64_t now, int64_t* next_due);
  // The stream (policy key, creation ms) of an existing consumer's ARN, for
  // resource policies; ResourceInUse when `require_active` and it is not
  // ACTIVE. Caller holds the control lock.
  Result<std::pair<std::string, int64_t>> PolicyTargetLocked(std::string_view consumer_arn, bool require_active) const;

 private:
  // Snapshot -> `change` the copy of `stream` -> save -> make the copy's
  // consumers live; in cluster mode evaluated again against the stream's
  // current record when refused (engine/current_state.h), so `change` may
  // run more than once. Caller holds the control lock. Errors:
  // ResourceNotFound, the change's own, IoError.
  Status ChangeLocked(const StreamRef& stream, const std::function<Status(StreamMeta&)>& change);
  // Drops the resource policy of a consumer that is gone; logs (does not
  // fail) when that cannot be saved.
  void ErasePolicy(const std::string& consumer_arn, int64_t stream_creation_ms);
  int64_t Now() const { return clock_.NowMillis(); }

  const EngineOptions& options_;
  const Clock& clock_;
  StreamTable& streams_;
  AccountStore& accounts_;
  std::function<void()> kick_housekeeping_;
};

}  // namespace sluice::engine
