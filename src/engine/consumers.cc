// Stream consumers (enhanced fan-out registrations): RegisterStreamConsumer,
// DescribeStreamConsumer, ListStreamConsumers, DeregisterStreamConsumer,
// consumer tags, and the consumer transitions of the housekeeping pass.
//
// Consumers are part of their stream's metadata (StreamMeta::consumers), so
// every change follows the control plane's steps under control_mu_:
// snapshot, change the copy, save, then make it live. Reads take the
// stream's lock shared. A consumer's resource policy is kept by the account
// store under the consumer's canonical ARN and removed when the consumer is.
#include <algorithm>
#include <map>
#include <mutex>
#include <shared_mutex>

#include "engine/consumer_arn.h"
#include "engine/engine_impl.h"
#include "util/log.h"

namespace sluice::engine {

// ---------------------------------------------------------------- Engine ---

Result<ConsumerDescription> Engine::RegisterStreamConsumer(
    const StreamRef& stream, const std::string& name, const std::vector<std::pair<std::string, std::string>>& tags) {
  return impl_->RegisterStreamConsumer(stream, name, tags);
}
Result<ConsumerDescription> Engine::DescribeStreamConsumer(const ConsumerLookup& consumer) const {
  return impl_->DescribeStreamConsumer(consumer);
}
Result<std::vector<ConsumerDescription>> Engine::ListStreamConsumers(const StreamRef& stream,
                                                                     std::optional<int64_t> stream_creation_ms) const {
  return impl_->ListStreamConsumers(stream, stream_creation_ms);
}
Status Engine::DeregisterStreamConsumer(const ConsumerLookup& consumer) {
  return impl_->DeregisterStreamConsumer(consumer);
}
Result<ConsumerRef> Engine::ResolveActiveConsumer(std::string_view consumer_arn) const {
  return impl_->ResolveActiveConsumer(consumer_arn);
}
Result<std::vector<std::pair<std::string, std::string>>> Engine::ListConsumerTags(
    std::string_view consumer_arn) const {
  return impl_->ListConsumerTags(consumer_arn);
}
Status Engine::AddConsumerTags(std::string_view consumer_arn,
                               const std::vector<std::pair<std::string, std::string>>& tags) {
  return impl_->AddConsumerTags(consumer_arn, tags);
}
Status Engine::RemoveConsumerTags(std::string_view consumer_arn, const std::vector<std::string>& keys) {
  return impl_->RemoveConsumerTags(consumer_arn, keys);
}

// ------------------------------------------------------------------ Impl ---

namespace {

std::string ConsumerNotFoundMessage(const ConsumerLookup& c) {
  if (c.creation_seconds) return "Consumer " + ConsumerArn(c.stream, c.name, *c.creation_seconds * 1000) + " not found.";
  return "Consumer " + c.name + " not found.";
}

std::string StreamNotActiveMessage(const StreamRef& stream, StreamStatus status) {
  return "Stream " + stream.name + " under account " + stream.account + " not ACTIVE, instead in state " +
         StreamStatusName(status);
}

// The consumer `c` names in `m`, or null.
template <typename Meta>
auto FindConsumer(Meta& m, const ConsumerLookup& c) -> decltype(&m.consumers[0]) {
  for (auto& consumer : m.consumers) {
    if (consumer.name != c.name) continue;
    if (c.creation_seconds && consumer.creation_ms / 1000 != *c.creation_seconds) return nullptr;
    return &consumer;
  }
  return nullptr;
}

ConsumerDescription Describe(const StreamMeta& m, const ConsumerMeta& c) {
  ConsumerDescription d;
  d.name = c.name;
  d.arn = ConsumerArn(m.ref, c.name, c.creation_ms);
  d.status = c.status;
  d.creation_ms = c.creation_ms;
  d.stream_arn = StreamArn(m.ref);
  return d;
}

// The lookup a ConsumerARN makes; ResourceNotFound when it does not parse.
Result<ConsumerLookup> LookupOf(std::string_view consumer_arn) {
  std::optional<ParsedConsumerArn> parsed = ParseConsumerArn(consumer_arn);
  if (!parsed) return Status::NotFound("Consumer " + std::string(consumer_arn) + " not found.");
  return ConsumerLookup{std::move(parsed->stream), std::move(parsed->name), parsed->creation_seconds};
}

Status TooManyTags(const ConsumerLookup& c) {
  return Status::InvalidArgument("Failed to add tags to consumer " + c.name + " under account " + c.stream.account +
                                 " because a given consumer cannot have more than " +
                                 std::to_string(kMaxTagsPerStream) + " tags associated with it.");
}

}  // namespace

Status Engine::Impl::ChangeConsumersLocked(const StreamRef& stream,
                                           const std::function<Status(StreamMeta&)>& change) {
  std::shared_ptr<StreamState> state = Find(stream);
  if (!state) return Status::NotFound(StreamNotFoundMessage(stream));
  std::vector<StreamMeta> snapshot = SnapshotLocked();
  auto target = std::find_if(snapshot.begin(), snapshot.end(),
                             [&](const StreamMeta& m) { return KeyOf(m.ref) == KeyOf(stream); });
  if (target == snapshot.end()) return Status::NotFound(StreamNotFoundMessage(stream));
  SLUICE_RETURN_IF_ERROR(change(*target));
  SLUICE_RETURN_IF_ERROR(SaveLocked(snapshot));
  std::unique_lock lock(state->mu);
  state->meta.consumers = target->consumers;
  return Status::Ok();
}

Result<ConsumerDescription> Engine::Impl::RegisterStreamConsumer(
    const StreamRef& stream, const std::string& name, const std::vector<std::pair<std::string, std::string>>& tags) {
  std::lock_guard control(control_mu_);
  const int64_t now = Now();
  ConsumerDescription out;
  Status st = ChangeConsumersLocked(stream, [&](StreamMeta& m) {
    // Registering is allowed while the stream is ACTIVE or UPDATING.
    if (m.status == StreamStatus::kCreating || m.status == StreamStatus::kDeleting) {
      return Status::InUse(StreamNotActiveMessage(m.ref, m.status));
    }
    const ConsumerLookup lookup{m.ref, name, std::nullopt};
    if (FindConsumer(m, lookup)) return Status::InUse("Consumer " + name + " exists");
    if (m.consumers.size() >= static_cast<size_t>(std::max(options_.quotas.consumers_per_stream, 0))) {
      return Status::LimitExceeded("Only " + std::to_string(options_.quotas.consumers_per_stream) +
                                   " consumers can be registered to a stream at once");
    }
    const auto creating = std::count_if(m.consumers.begin(), m.consumers.end(), [](const ConsumerMeta& c) {
      return c.status == ConsumerStatus::kCreating;
    });
    if (creating >= kMaxConsumersCreating) {
      return Status::LimitExceeded("Only " + std::to_string(kMaxConsumersCreating) +
                                   " consumers can be created at the same time");
    }
    std::map<std::string, std::string> sorted;
    for (const auto& [k, v] : tags) sorted[k] = v;  // the last value of a key wins
    if (sorted.size() > kMaxTagsPerStream) return TooManyTags(lookup);
    ConsumerMeta c;
    c.name = name;
    c.creation_ms = now;
    if (options_.register_consumer_delay_ms > 0) {
      c.status = ConsumerStatus::kCreating;
      c.transition_at_ms = now + options_.register_consumer_delay_ms;
    } else {
      c.status = ConsumerStatus::kActive;
    }
    c.tags.assign(sorted.begin(), sorted.end());
    m.consumers.push_back(c);
    out = Describe(m, c);
    return Status::Ok();
  });
  if (!st.ok()) return st;
  if (out.status == ConsumerStatus::kCreating) KickHousekeeping();
  return out;
}

Result<ConsumerDescription> Engine::Impl::DescribeStreamConsumer(const ConsumerLookup& consumer) const {
  std::shared_ptr<StreamState> state = Find(consumer.stream);
  if (!state) return Status::NotFound(StreamNotFoundMessage(consumer.stream));
  std::shared_lock lock(state->mu);
  const ConsumerMeta* c = FindConsumer(state->meta, consumer);
  if (!c) return Status::NotFound(ConsumerNotFoundMessage(consumer));
  return Describe(state->meta, *c);
}

Result<std::vector<ConsumerDescription>> Engine::Impl::ListStreamConsumers(
    const StreamRef& stream, std::optional<int64_t> stream_creation_ms) const {
  std::shared_ptr<StreamState> state = Find(stream);
  if (!state) return Status::NotFound(StreamNotFoundMessage(stream));
  std::shared_lock lock(state->mu);
  const StreamMeta& m = state->meta;
  // Whole seconds, as ListShards compares it.
  if (stream_creation_ms && *stream_creation_ms / 1000 != m.creation_ms / 1000) {
    return Status::NotFound(StreamNotFoundMessage(stream));
  }
  if (m.status == StreamStatus::kCreating) return Status::InUse(StreamNotActiveMessage(m.ref, m.status));
  std::vector<ConsumerDescription> out;
  out.reserve(m.consumers.size());
  for (const ConsumerMeta& c : m.consumers) out.push_back(Describe(m, c));
  return out;
}

Status Engine::Impl::DeregisterStreamConsumer(const ConsumerLookup& consumer) {
  std::lock_guard control(control_mu_);
  const int64_t now = Now();
  std::optional<std::pair<std::string, int64_t>> removed_policy;  // (consumer ARN, stream creation)
  bool scheduled = false;
  Status st = ChangeConsumersLocked(consumer.stream, [&](StreamMeta& m) {
    ConsumerMeta* c = FindConsumer(m, consumer);
    if (!c) return Status::NotFound(ConsumerNotFoundMessage(consumer));
    if (c->status == ConsumerStatus::kDeleting) return Status::Ok();  // already on its way out
    if (options_.deregister_consumer_delay_ms > 0) {
      c->status = ConsumerStatus::kDeleting;
      c->transition_at_ms = now + options_.deregister_consumer_delay_ms;
      scheduled = true;
      return Status::Ok();
    }
    removed_policy.emplace(ConsumerArn(m.ref, c->name, c->creation_ms), m.creation_ms);
    m.consumers.erase(m.consumers.begin() + (c - m.consumers.data()));
    return Status::Ok();
  });
  if (!st.ok()) return st;
  if (scheduled) KickHousekeeping();
  if (removed_policy) {
    Result<bool> erased = accounts_->DeletePolicy(removed_policy->first, removed_policy->second);
    if (!erased.ok()) {
      log::Warn("engine: removing the resource policy of deregistered consumer {}: {}", removed_policy->first,
                erased.status().ToString());
    }
  }
  return Status::Ok();
}

Result<ConsumerRef> Engine::Impl::ResolveActiveConsumer(std::string_view consumer_arn) const {
  SLUICE_ASSIGN_OR_RETURN(ConsumerLookup lookup, LookupOf(consumer_arn));
  std::shared_ptr<StreamState> state = Find(lookup.stream);
  if (!state) return Status::NotFound(StreamNotFoundMessage(lookup.stream));
  std::shared_lock lock(state->mu);
  const ConsumerMeta* c = FindConsumer(state->meta, lookup);
  if (!c) return Status::NotFound(ConsumerNotFoundMessage(lookup));
  if (c->status != ConsumerStatus::kActive) {
    // The service's words for SubscribeToShard, spacing included.
    return Status::InUse("Consumer " + c->name + " with creation timestamp " + std::to_string(c->creation_ms / 1000) +
                         " under stream: " + state->meta.ref.name + " , account " + state->meta.ref.account +
                         " is not in ACTIVE status.");
  }
  return ConsumerRef{state->meta.ref, c->name, c->creation_ms};
}

Result<std::vector<std::pair<std::string, std::string>>> Engine::Impl::ListConsumerTags(
    std::string_view consumer_arn) const {
  SLUICE_ASSIGN_OR_RETURN(ConsumerLookup lookup, LookupOf(consumer_arn));
  std::shared_ptr<StreamState> state = Find(lookup.stream);
  if (!state) return Status::NotFound(StreamNotFoundMessage(lookup.stream));
  std::shared_lock lock(state->mu);
  const ConsumerMeta* c = FindConsumer(state->meta, lookup);
  if (!c) return Status::NotFound(ConsumerNotFoundMessage(lookup));
  return c->tags;
}

Status Engine::Impl::AddConsumerTags(std::string_view consumer_arn,
                                     const std::vector<std::pair<std::string, std::string>>& tags) {
  SLUICE_ASSIGN_OR_RETURN(ConsumerLookup lookup, LookupOf(consumer_arn));
  std::lock_guard control(control_mu_);
  return ChangeConsumersLocked(lookup.stream, [&](StreamMeta& m) {
    ConsumerMeta* c = FindConsumer(m, lookup);
    if (!c) return Status::NotFound(ConsumerNotFoundMessage(lookup));
    std::map<std::string, std::string> merged(c->tags.begin(), c->tags.end());
    for (const auto& [k, v] : tags) merged[k] = v;
    if (merged.size() > kMaxTagsPerStream) return TooManyTags(lookup);
    c->tags.assign(merged.begin(), merged.end());
    return Status::Ok();
  });
}

Status Engine::Impl::RemoveConsumerTags(std::string_view consumer_arn, const std::vector<std::string>& keys) {
  SLUICE_ASSIGN_OR_RETURN(ConsumerLookup lookup, LookupOf(consumer_arn));
  std::lock_guard control(control_mu_);
  return ChangeConsumersLocked(lookup.stream, [&](StreamMeta& m) {
    ConsumerMeta* c = FindConsumer(m, lookup);
    if (!c) return Status::NotFound(ConsumerNotFoundMessage(lookup));
    std::erase_if(c->tags, [&](const auto& tag) { return std::find(keys.begin(), keys.end(), tag.first) != keys.end(); });
    return Status::Ok();
  });
}

Result<std::pair<std::string, int64_t>> Engine::Impl::ConsumerPolicyTargetLocked(std::string_view consumer_arn,
                                                                                 bool require_active) const {
  SLUICE_ASSIGN_OR_RETURN(ConsumerLookup lookup, LookupOf(consumer_arn));
  std::shared_ptr<StreamState> state = Find(lookup.stream);
  // A consumer of a missing stream is a missing consumer.
  if (!state) return Status::NotFound("Consumer " + std::string(consumer_arn) + " not found.");
  std::shared_lock lock(state->mu);
  const StreamMeta& m = state->meta;
  const ConsumerMeta* c = FindConsumer(m, lookup);
  if (!c) return Status::NotFound("Consumer " + std::string(consumer_arn) + " not found.");
  if (require_active && c->status != ConsumerStatus::kActive) {
    return Status::InUse("Consumer " + c->name + " with creation timestamp " + std::to_string(c->creation_ms / 1000) +
                         " under stream " + m.ref.name + " and account " + m.ref.account +
                         " is not in ACTIVE status.");
  }
  // The canonical ARN, so every spelling of the partition names one policy.
  return std::make_pair(ConsumerArn(m.ref, c->name, c->creation_ms), m.creation_ms);
}

void Engine::Impl::SettleConsumersLocked(int64_t now, int64_t* next_due) {
  std::vector<StreamMeta> snapshot = SnapshotLocked();
  std::vector<std::pair<std::string, int64_t>> removed;  // (consumer ARN, stream creation) of policies to drop
  bool changed = false;
  for (StreamMeta& m : snapshot) {
    for (auto it = m.consumers.begin(); it != m.consumers.end();) {
      if (it->transition_at_ms == 0) {
        ++it;
        continue;
      }
      if (it->transition_at_ms > now) {
        *next_due = std::min(*next_due, it->transition_at_ms);
        ++it;
        continue;
      }
      changed = true;
      if (it->status == ConsumerStatus::kDeleting) {
        removed.emplace_back(ConsumerArn(m.ref, it->name, it->creation_ms), m.creation_ms);
        it = m.consumers.erase(it);
        continue;
      }
      it->status = ConsumerStatus::kActive;
      it->transition_at_ms = 0;
      ++it;
    }
  }
  if (!changed) return;
  Status saved = SaveLocked(snapshot);
  if (!saved.ok()) {
    log::Error("engine: saving metadata for consumer transitions: {}", saved.ToString());
    *next_due = std::min(*next_due, now + 1000);  // retry soon, not in a tight loop
    return;
  }
  // Consumers change only under control_mu_, which the caller holds, so the
  // snapshot's consumers are the live ones plus this pass's changes.
  for (const StreamMeta& m : snapshot) {
    std::shared_ptr<StreamState> state = Find(m.ref);
    if (!state) continue;
    std::unique_lock lock(state->mu);
    state->meta.consumers = m.consumers;
  }
  for (const auto& [arn, stream_creation_ms] : removed) {
    Result<bool> erased = accounts_->DeletePolicy(arn, stream_creation_ms);
    if (!erased.ok()) {
      log::Warn("engine: removing the resource policy of deregistered consumer {}: {}", arn,
                erased.status().ToString());
    }
  }
}

}  // namespace sluice::engine
