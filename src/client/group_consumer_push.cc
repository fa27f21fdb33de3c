// GroupConsumer's push mode (options.push): the member's shards come on one
// SubscribeToGroup stream (docs/consumer-groups.md), opened again whenever
// it ends.
#include <algorithm>
#include <chrono>
#include <ctime>
#include <thread>

#include "client/group_consumer.h"
#include "client/kinesis_http.h"
#include "http/event_stream_body.h"
#include "util/clock.h"

namespace sluice::client {
namespace {

// A stream that stays quiet this long (no shard assigned, or the server
// gone without a word) is opened again.
constexpr int64_t kPushIdleTimeoutMs = 60000;

std::string_view EventType(const protocol::EventStreamMessage& m) {
  const protocol::EventStreamHeaderValue* t = m.Find(":event-type");
  return t != nullptr ? std::string_view(t->bytes) : std::string_view();
}

}  // namespace

Outcome<Done> GroupConsumer::RunPushed(const BatchHandler& handler, const std::function<bool()>& stopping,
                                       const AssignmentHandler& on_assignment) {
  Outcome<Done> joined = membership_.Join();
  if (!joined.ok()) return joined;
  Outcome<Done> result = Done{};
  Outcome<std::shared_ptr<http::HttpClient>> conn = MakeKinesisHttpClient(*options_.push, 1);
  if (!conn.ok()) result = conn.error();
  int64_t backoff_ms = 0;
  while (conn.ok() && !stopping()) {
    if (std::optional<Error> failed = membership_.failure()) {
      result = *failed;
      break;
    }
    const int64_t began = MonotonicMillis();
    Error error;
    if (!Subscribe(**conn, handler, stopping, on_assignment, &error)) {
      result = error;
      break;
    }
    // Opened again at once after a long stream, else backing off.
    backoff_ms = MonotonicMillis() - began >= options_.backoff_max_ms
                     ? 0
                     : std::min(std::max(backoff_ms * 2, options_.backoff_base_ms), options_.backoff_max_ms);
    const int64_t until = MonotonicMillis() + backoff_ms;
    while (!stopping() && MonotonicMillis() < until) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  shards_.clear();
  Outcome<Done> left = membership_.Leave();
  if (result.ok() && !left.ok()) return left;
  return result;
}

bool GroupConsumer::Subscribe(http::HttpClient& conn, const BatchHandler& handler,
                              const std::function<bool()>& stopping, const AssignmentHandler& on_assignment,
                              Error* error) {
  std::optional<Error> failed;  // Run must return it
  std::optional<Error> ended;   // the stream's exception event
  bool reopen = false;          // a ShardEnd checkpoint failed for now: its event comes again
  http::EventStreamBody body([&](const protocol::EventStreamMessage& m) {
    if (failed || ended || reopen) return;
    // The pushed assignment is the one followed; the heartbeats' updates
    // are taken so that they do not hold the next heartbeat back.
    (void)membership_.TakeUpdate();
    {
      std::lock_guard<std::mutex> lock(dropped_mu_);
      for (const std::string& id : dropped_) shards_.erase(id);
      dropped_.clear();
    }
    if (http::KindOf(m) == http::SubscribeMessageKind::kException) {
      ended = EventStreamExceptionError(m);
      return;
    }
    const std::string_view type = EventType(m);
    if (type == "AssignmentEvent") {
      Outcome<GroupAssignmentEvent> a = ParseAssignmentEvent(m.payload);
      if (!a.ok()) {
        failed = a.error();
        return;
      }
      pushed_generation_ = a->generation;
      std::map<std::string, ShardState> next;
      for (GroupShardAssignment& s : a->assignment) {
        auto kept = shards_.find(s.shard_id);
        if (kept != shards_.end()) {
          next.emplace(s.shard_id, std::move(kept->second));
          continue;
        }
        ShardState state;
        state.start = s.start;
        if (s.start.type == StartType::kAfterSequenceNumber) state.last_sequence = s.start.sequence_number;
        next.emplace(s.shard_id, std::move(state));
      }
      shards_ = std::move(next);
      if (on_assignment) on_assignment(a->generation, shards());
      return;
    }
    if (type != "RecordsEvent" && type != "ShardEndEvent") return;
    Outcome<GroupShardEvent> shard = ParseGroupShardEvent(m.payload);
    if (!shard.ok()) {
      failed = shard.error();
      return;
    }
    const std::string& id = shard->shard_id;
    auto it = shards_.find(id);
    if (it == shards_.end()) return;  // dropped here (fenced)
    if (type == "ShardEndEvent") {
      Outcome<Done> done = SendCheckpoint(id, it->second.last_sequence, true);
      if (done.ok()) {
        finished_.insert(id);
        shards_.erase(id);
      } else if (done.error().Retryable()) {
        reopen = true;
      } else if (!OnCheckpointError(id, done.error())) {
        failed = done.error();
      }
      return;
    }
    Outcome<GetRecordsResult> got = ParseRecordsPayload(m.payload, id);
    if (!got.ok()) {
      failed = got.error();
      return;
    }
    it->second.caught_up = got->records.empty() && got->millis_behind_latest == 0;
    if (!got->records.empty()) {
      handler(id, got->records);
      it->second.last_sequence = got->records.back().sequence_number;
      it->second.checkpoint_owed = options_.auto_checkpoint;
    }
    const int64_t now = MonotonicMillis();
    if (it->second.checkpoint_owed && now - it->second.checkpointed_ms >= options_.push_checkpoint_interval_ms) {
      it->second.checkpoint_owed = false;
      it->second.checkpointed_ms = now;
      Outcome<Done> done = Checkpoint(id, it->second.last_sequence);
      if (!done.ok() && !OnCheckpointError(id, done.error())) failed = done.error();
    }
  });
  http::ExchangeOptions exchange;
  exchange.idle_timeout_ms = kPushIdleTimeoutMs;
  exchange.stop = [&] { return stopping() || failed.has_value() || reopen; };
  exchange.sink = &body;
  const http::Request request =
      JsonApiRequest(*options_.push, conn.url().host_header, kSluiceApi, "SubscribeToGroup",
                     SubscribeToGroupBody(options_.stream, options_.group, membership_.member_id()),
                     static_cast<int64_t>(std::time(nullptr)));
  Result<http::Response> r = conn.Stream(request, exchange);
  for (const auto& [id, state] : shards_) {
    // What was handled since the last checkpoint; refused (fenced) when the
    // shard has moved on meanwhile, and then read again by its new owner.
    if (state.checkpoint_owed) (void)Checkpoint(id, state.last_sequence);
  }
  shards_.clear();  // read again from the checkpoints by the next stream
  if (failed) {
    *error = *failed;
    return false;
  }
  if (!r.ok()) return true;  // stopped, or the connection failed: opened again
  std::optional<Error> refused = ended;
  if (r->status != 200) refused = ParseErrorReply(HttpReply{r->status, body.error_body()});
  if (!refused) return true;
  if (refused->type == "UnknownMemberException" || refused->type == "FencedMemberException") {
    membership_.Rejoin();
    return true;
  }
  if (refused->Retryable()) return true;
  *error = *refused;
  return false;
}

}  // namespace sluice::client
