// ConsumerRegistry (engine/consumer_registry.h). Every change follows the
// control plane's steps under the control lock: snapshot, change the copy,
// save, then make it live. Reads take the stream's lock shared.
#include <algorithm>
#include <map>
#include <mutex>
#include <shared_mutex>

#include "engine/consumer_registry.h"

#include "engine/consumer_arn.h"
#include "engine/current_state.h"
#include "engine/engine.h"
#include "util/log.h"

namespace sluice::engine {

namespace {

std::string ConsumerNotFoundMessage(const ConsumerLookup& c) {
  if (c.creation_seconds)
    return "Consumer " + ConsumerArn(c.stream, c.name, *c.creation_seconds * 1000) + " not found.";
  return "Consumer " + c.name + " not found.";
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

ConsumerRegistry::ConsumerRegistry(const EngineOptions& options, const Clock& clock, StreamTable& streams,
                                   AccountStore& accounts, std::function<void()> kick_housekeeping)
    : options_(options),
      clock_(clock),
      streams_(streams),
      accounts_(accounts),
      kick_housekeeping_(std::move(kick_housekeeping)) {}

Status ConsumerRegistry::ChangeLocked(const StreamRef& stream, const std::function<Status(StreamMeta&)>& change) {
  return ChangeCurrentLocked(streams_, KeyOf(stream), [&]() -> Status {
    std::shared_ptr<StreamState> state = streams_.Find(stream);
    if (!state) return Status::NotFound(StreamNotFoundMessage(stream));
    std::vector<StreamMeta> snapshot = streams_.SnapshotLocked();
    auto target = std::find_if(snapshot.begin(), snapshot.end(),
                               [&](const StreamMeta& m) { return KeyOf(m.ref) == KeyOf(stream); });
    if (target == snapshot.end()) return Status::NotFound(StreamNotFoundMessage(stream));
    SLUICE_RETURN_IF_ERROR(change(*target));
    SLUICE_RETURN_IF_ERROR(streams_.SaveStreamLocked(*target));
    std::unique_lock lock(state->mu);
    state->meta.consumers = target->consumers;
    return Status::Ok();
  });
}

Result<ConsumerDescription> ConsumerRegistry::RegisterStreamConsumer(
    const StreamRef& stream, const std::string& name, const std::vector<std::pair<std::string, std::string>>& tags) {
  std::lock_guard control(streams_.control_mu());
  const int64_t now = Now();
  ConsumerDescription out;
  Status st = ChangeLocked(stream, [&](StreamMeta& m) {
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
    const auto creating = std::count_if(m.consumers.begin(), m.consumers.end(),
                                        [](const ConsumerMeta& c) { return c.status == ConsumerStatus::kCreating; });
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
  if (out.status == ConsumerStatus::kCreating) kick_housekeeping_();
  return out;
}

Result<ConsumerDescription> ConsumerRegistry::DescribeStreamConsumer(const ConsumerLookup& consumer) const {
  return ReadCurrent(streams_, KeyOf(consumer.stream), [&]() -> Result<ConsumerDescription> {
    std::shared_ptr<StreamState> state = streams_.Find(consumer.stream);
    if (!state) return Status::NotFound(StreamNotFoundMessage(consumer.stream));
    std::shared_lock lock(state->mu);
    const ConsumerMeta* c = FindConsumer(state->meta, consumer);
    if (!c) return Status::NotFound(ConsumerNotFoundMessage(consumer));
    return Describe(state->meta, *c);
  });
}

Result<std::vector<ConsumerDescription>> ConsumerRegistry::ListStreamConsumers(
    const StreamRef& stream, std::optional<int64_t> stream_creation_ms) const {
  std::shared_ptr<StreamState> state = streams_.Find(stream);
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

Status ConsumerRegistry::DeregisterStreamConsumer(const ConsumerLookup& consumer) {
  std::lock_guard control(streams_.control_mu());
  const int64_t now = Now();
  std::optional<std::pair<std::string, int64_t>> removed_policy;  // (consumer ARN, stream creation)
  bool scheduled = false;
  Status st = ChangeLocked(consumer.stream, [&](StreamMeta& m) {
    removed_policy.reset();  // what an earlier evaluation, refused, chose
    scheduled = false;
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
  if (scheduled) kick_housekeeping_();
  if (removed_policy) ErasePolicy(removed_policy->first, removed_policy->second);
  return Status::Ok();
}

Result<ConsumerRef> ConsumerRegistry::ResolveActiveConsumer(std::string_view consumer_arn) const {
  SLUICE_ASSIGN_OR_RETURN(ConsumerLookup lookup, LookupOf(consumer_arn));
  std::shared_ptr<StreamState> state = streams_.Find(lookup.stream);
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

Result<std::vector<std::pair<std::string, std::string>>> ConsumerRegistry::ListConsumerTags(
    std::string_view consumer_arn) const {
  SLUICE_ASSIGN_OR_RETURN(ConsumerLookup lookup, LookupOf(consumer_arn));
  std::shared_ptr<StreamState> state = streams_.Find(lookup.stream);
  if (!state) return Status::NotFound(StreamNotFoundMessage(lookup.stream));
  std::shared_lock lock(state->mu);
  const ConsumerMeta* c = FindConsumer(state->meta, lookup);
  if (!c) return Status::NotFound(ConsumerNotFoundMessage(lookup));
  return c->tags;
}

Status ConsumerRegistry::AddConsumerTags(std::string_view consumer_arn,
                                         const std::vector<std::pair<std::string, std::string>>& tags) {
  SLUICE_ASSIGN_OR_RETURN(ConsumerLookup lookup, LookupOf(consumer_arn));
  std::lock_guard control(streams_.control_mu());
  return ChangeLocked(lookup.stream, [&](StreamMeta& m) {
    ConsumerMeta* c = FindConsumer(m, lookup);
    if (!c) return Status::NotFound(ConsumerNotFoundMessage(lookup));
    std::map<std::string, std::string> merged(c->tags.begin(), c->tags.end());
    for (const auto& [k, v] : tags) merged[k] = v;
    if (merged.size() > kMaxTagsPerStream) return TooManyTags(lookup);
    c->tags.assign(merged.begin(), merged.end());
    return Status::Ok();
  });
}

Status ConsumerRegistry::RemoveConsumerTags(std::string_view consumer_arn, const std::vector<std::string>& keys) {
  SLUICE_ASSIGN_OR_RETURN(ConsumerLookup lookup, LookupOf(consumer_arn));
  std::lock_guard control(streams_.control_mu());
  return ChangeLocked(lookup.stream, [&](StreamMeta& m) {
    ConsumerMeta* c = FindConsumer(m, lookup);
    if (!c) return Status::NotFound(ConsumerNotFoundMessage(lookup));
    std::erase_if(c->tags,
                  [&](const auto& tag) { return std::find(keys.begin(), keys.end(), tag.first) != keys.end(); });
    return Status::Ok();
  });
}

Result<std::pair<std::string, int64_t>> ConsumerRegistry::PolicyTargetLocked(std::string_view consumer_arn,
                                                                             bool require_active) const {
  SLUICE_ASSIGN_OR_RETURN(ConsumerLookup lookup, LookupOf(consumer_arn));
  std::shared_ptr<StreamState> state = streams_.Find(lookup.stream);
  // A consumer of a missing stream is a missing consumer.
  if (!state) return Status::NotFound("Consumer " + std::string(consumer_arn) + " not found.");
  std::shared_lock lock(state->mu);
  const StreamMeta& m = state->meta;
  const ConsumerMeta* c = FindConsumer(m, lookup);
  if (!c) return Status::NotFound("Consumer " + std::string(consumer_arn) + " not found.");
  if (require_active && c->status != ConsumerStatus::kActive) {
    return Status::InUse("Consumer " + c->name + " with creation timestamp " + std::to_string(c->creation_ms / 1000) +
                         " under stream " + m.ref.name + " and account " + m.ref.account + " is not in ACTIVE status.");
  }
  // The canonical ARN, so every spelling of the partition names one policy.
  return std::make_pair(ConsumerArn(m.ref, c->name, c->creation_ms), m.creation_ms);
}

void ConsumerRegistry::SettleLocked(int64_t now, int64_t* next_due) {
  std::vector<StreamMeta> snapshot = streams_.SnapshotLocked();
  std::vector<std::pair<std::string, int64_t>> removed;  // (consumer ARN, stream creation) of policies to drop
  std::vector<const StreamMeta*> changed;                // the streams whose consumers moved
  for (StreamMeta& m : snapshot) {
    bool moved = false;
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
      moved = true;
      if (it->status == ConsumerStatus::kDeleting) {
        removed.emplace_back(ConsumerArn(m.ref, it->name, it->creation_ms), m.creation_ms);
        it = m.consumers.erase(it);
        continue;
      }
      it->status = ConsumerStatus::kActive;
      it->transition_at_ms = 0;
      ++it;
    }
    if (moved) changed.push_back(&m);
  }
  if (changed.empty()) return;
  Status saved = streams_.SaveStreamsLocked(changed);
  if (!saved.ok() && saved.code() == ErrorCode::kResourceInUse && streams_.shared_catalog()) {
    // Every node settles what is due, and another did first (or changed
    // the stream): take up the current records; what is still due is
    // settled at the next pass.
    for (const StreamMeta* m : changed) (void)RefreshedAfterLocked(streams_, KeyOf(m->ref), saved, 1);
    *next_due = std::min(*next_due, now + 1000);
    return;
  }
  if (!saved.ok()) {
    log::Error("engine: saving metadata for consumer transitions: {}", saved.ToString());
    *next_due = std::min(*next_due, now + 1000);  // retry soon, not in a tight loop
    return;
  }
  // Consumers change only under the control lock, which the caller holds, so the
  // snapshot's consumers are the live ones plus this pass's changes.
  for (const StreamMeta* m : changed) {
    std::shared_ptr<StreamState> state = streams_.Find(m->ref);
    if (!state) continue;
    std::unique_lock lock(state->mu);
    state->meta.consumers = m->consumers;
  }
  for (const auto& [arn, stream_creation_ms] : removed) ErasePolicy(arn, stream_creation_ms);
}

void ConsumerRegistry::ErasePolicy(const std::string& consumer_arn, int64_t stream_creation_ms) {
  Result<bool> erased = accounts_.DeletePolicy(consumer_arn, stream_creation_ms);
  if (!erased.ok()) {
    log::Warn("engine: removing the resource policy of deregistered consumer {}: {}", consumer_arn,
              erased.status().ToString());
  }
}

}  // namespace sluice::engine
