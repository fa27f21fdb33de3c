// push: SubscribeToShard delivery latency. Subscribers, each a registered
// consumer with its own SubscribeToShard (StartingPosition LATEST) on its own
// HTTP/1.1 connection, are opened first; once every one has had its
// initial-response, a PacedProducer puts --rate records/s for --duration
// seconds. Every record pushed to a subscriber is one put-to-receive latency
// (the receive time is when its event's last byte was read). --subscribers
// (default one per shard) go round-robin over the shards, or all to shard 0
// with --same-shard.
//
// push-fanout: what subscribers cost the producer. The same paced producer
// runs twice on one stream, first with no subscribers, then with --fanout
// (default 16) on shard 0; each phase reports the producer's own PutRecord
// latency and acknowledged rate.
//
// Producers and subscribers share one LoadLoop: the event streams are
// responses that last the whole run, read through an EventStreamBody
// (http/event_stream_body.h) as they arrive.
#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <memory>

#include "bench/paced_producer.h"
#include "bench/requests.h"
#include "bench/workload_support.h"
#include "http/event_stream_body.h"
#include "util/clock.h"

namespace sluice::bench {
namespace {

using http::DescribeException;
using http::EventStreamBody;
using http::KindOf;
using http::SubscribeMessageKind;

constexpr int64_t kPushGraceNs = 5 * kSecond;
constexpr int64_t kSubscribeTimeoutNs = 15 * kSecond;
constexpr int64_t kConsumerTimeoutNs = 30 * kSecond;
double Ms(int64_t ns) { return static_cast<double>(ns) / 1e6; }

// One phase's figures.
struct PushStats {
  int subscribers = 0;
  int producers = 0;
  double elapsed_s = 0;
  Histogram delivery;     // put to receive, per record and subscriber
  Histogram put_latency;  // the producer's PutRecord
  uint64_t produced = 0;
  uint64_t expected = 0;  // deliveries due: records put to a shard x its subscribers
  uint64_t delivered = 0;
  uint64_t foreign = 0;  // records pushed without a stamp
  uint64_t events = 0;   // SubscribeToShardEvents, heartbeats included
  uint64_t put_errors = 0;
  uint64_t subscriber_errors = 0;
  std::string last_error;
  std::string cpu;

  uint64_t missing() const { return expected > delivered + foreign ? expected - delivered - foreign : 0; }
  uint64_t extra() const { return delivered + foreign > expected ? delivered + foreign - expected : 0; }
  uint64_t errors() const { return put_errors + subscriber_errors + missing() + extra() + foreign; }
};

// Connections [0, producers) are the producer's; subscriber i is connection
// producers + i.
class PushHandler final : public LoopHandler {
 public:
  struct Subscriber {
    int shard = 0;
    std::string request;  // SubscribeToShard, sent once
  };

  PushHandler(const BenchConfig& c, const std::string& stream, int producers, std::vector<Subscriber> subscribers,
              int64_t duration_ns, int64_t setup_deadline)
      : producer(c, stream, producers), duration_ns_(duration_ns), setup_deadline_(setup_deadline) {
    subs_.reserve(subscribers.size());
    for (size_t i = 0; i < subscribers.size(); ++i) {
      auto s = std::make_unique<Sub>();
      s->shard = subscribers[i].shard;
      s->request = std::move(subscribers[i].request);
      s->body =
          std::make_unique<EventStreamBody>([this, i](const protocol::EventStreamMessage& m) { OnMessage(i, m); });
      subs_.push_back(std::move(s));
    }
  }

  Next NextRequest(int conn, int64_t now) override {
    if (producer.owns(conn)) return producer.NextRequest(conn, now);
    Sub& s = *subs_[conn - producer.connections()];
    if (s.asked) return {};  // one subscription each; a lost one is not replaced
    s.asked = true;
    return {s.request, 0, s.body.get()};
  }

  void OnResponse(int conn, const ResponseParser& r, int64_t now, int64_t latency_ns) override {
    if (producer.owns(conn)) return producer.OnResponse(conn, r, latency_ns);
    Sub& s = *subs_[conn - producer.connections()];
    if (r.status() != 200) {
      SubscriberError("SubscribeToShard: HTTP " + std::to_string(r.status()) + " " +
                      s.body->error_body().substr(0, 300));
    } else if (s.body->failed()) {
      SubscriberError("event stream: " + s.body->decode_status().ToString());
    } else if (!s.body->at_message_boundary()) {
      SubscriberError("event stream ended mid-message");
    } else if (!s.failed) {
      // Ended cleanly, but a subscription outlives any run: count it.
      SubscriberError("subscription ended before the run did");
    }
  }

  void OnTransportError(int conn, std::string_view what) override {
    if (producer.owns(conn)) return producer.OnTransportError(conn, what);
    SubscriberError("subscriber: " + std::string(what));
  }

  bool Done(int64_t now) override {
    if (!setup_error.empty()) return true;
    if (!producer.started()) {
      if (now < setup_deadline_) return false;
      setup_error = "subscribers not ready in time (" + std::to_string(subscribed_) + " of " +
                    std::to_string(subs_.size()) + " had their initial-response)";
      return true;
    }
    if (!producer.Finished(now)) return false;
    return delivered + foreign >= Expected() || now >= producer.end_ns() + kPushGraceNs;
  }

  // Starts the producer now if nobody is to be waited for.
  void StartIfNoSubscribers(int64_t now) {
    if (subs_.empty()) producer.Start(now, now + duration_ns_);
  }

  uint64_t Expected() const {
    uint64_t n = 0;
    for (const auto& s : subs_) n += producer.produced_by_shard[static_cast<size_t>(s->shard)];
    return n;
  }

  PacedProducer producer;
  Histogram delivery;
  uint64_t delivered = 0;
  uint64_t foreign = 0;
  uint64_t events = 0;
  uint64_t subscriber_errors = 0;
  std::string last_error;
  std::string setup_error;  // a subscriber failed before producing began

 private:
  struct Sub {
    int shard = 0;
    std::string request;
    std::unique_ptr<EventStreamBody> body;
    bool asked = false;
    bool subscribed = false;
    bool failed = false;  // an exception event came; its end is not a second error
  };

  void OnMessage(size_t i, const protocol::EventStreamMessage& m) {
    Sub& s = *subs_[i];
    switch (KindOf(m)) {
      case SubscribeMessageKind::kRecords: {
        const StampScan scan = RecordStampedLatencies(m.payload, MonotonicNanos(), &delivery);
        delivered += scan.stamped;
        foreign += scan.foreign;
        ++events;
        break;
      }
      case SubscribeMessageKind::kInitialResponse:
        if (!s.subscribed) {
          s.subscribed = true;
          if (++subscribed_ == subs_.size()) {
            const int64_t now = MonotonicNanos();
            producer.Start(now, now + duration_ns_);
          }
        }
        break;
      case SubscribeMessageKind::kException:
        s.failed = true;
        SubscriberError(DescribeException(m));
        break;
      case SubscribeMessageKind::kOther: break;
    }
  }

  void SubscriberError(std::string what) {
    if (!producer.started() && setup_error.empty()) setup_error = what;
    ++subscriber_errors;
    last_error = std::move(what);
  }

  std::vector<std::unique_ptr<Sub>> subs_;
  size_t subscribed_ = 0;
  int64_t duration_ns_;
  int64_t setup_deadline_;
};

// Registers one consumer per entry of `shards` (named <name_prefix>-<i>),
// subscribes each to its shard and runs the producer. Not OK when setup
// failed.
Result<PushStats> RunPushPhase(const BenchConfig& c, ScopedStream& stream, const std::vector<int>& shards,
                               const std::string& name_prefix) {
  std::vector<PushHandler::Subscriber> subscribers(shards.size());
  if (!shards.empty()) {
    SLUICE_ASSIGN_OR_RETURN(const std::string stream_arn, stream.admin().StreamArn(stream.name()));
    for (size_t i = 0; i < shards.size(); ++i) {
      const std::string name = name_prefix + "-" + std::to_string(i);
      SLUICE_ASSIGN_OR_RETURN(const std::string consumer_arn,
                              stream.admin().RegisterConsumer(stream_arn, name, kConsumerTimeoutNs));
      stream.set_has_consumers();
      subscribers[i].shard = shards[i];
      subscribers[i].request = HttpRequest(c.endpoint.host_header, "SubscribeToShard",
                                           SubscribeToShardBody(consumer_arn, ShardIdOf(shards[i])));
    }
  }
  const int producers = PacedProducerConnections(c);
  LoadLoop loop(c.endpoint, producers + static_cast<int>(shards.size()));
  SLUICE_RETURN_IF_ERROR(loop.Open());
  const int64_t duration = static_cast<int64_t>(c.duration_s * kSecond);
  const int64_t setup_deadline = MonotonicNanos() + kSubscribeTimeoutNs;
  PushHandler handler(c, stream.name(), producers, std::move(subscribers), duration, setup_deadline);
  const CpuMeter cpu;
  handler.StartIfNoSubscribers(MonotonicNanos());
  SLUICE_RETURN_IF_ERROR(loop.Run(&handler, setup_deadline + duration + kPushGraceNs + kSecond));
  // A subscriber that failed or was not ready in time ended setup.
  if (!handler.setup_error.empty()) return Status::BadResponse(handler.setup_error);
  if (!handler.producer.started()) return Status::TimedOut("the producer never started");

  PushStats stats;
  stats.subscribers = static_cast<int>(shards.size());
  stats.producers = producers;
  stats.elapsed_s = Seconds(handler.producer.end_ns() - handler.producer.start_ns());
  stats.delivery = handler.delivery;
  stats.put_latency = handler.producer.put_latency;
  stats.produced = handler.producer.produced;
  stats.expected = handler.Expected();
  stats.delivered = handler.delivered;
  stats.foreign = handler.foreign;
  stats.events = handler.events;
  stats.put_errors = handler.producer.errors;
  stats.subscriber_errors = handler.subscriber_errors;
  stats.last_error = handler.last_error.empty() ? handler.producer.last_error : handler.last_error;
  stats.cpu = cpu.Percent();
  return stats;
}

std::string LastError(const PushStats& s) { return s.last_error.empty() ? "" : "; last error: " + s.last_error; }

}  // namespace

bool RunPush(const BenchConfig& c, WorkloadResult* out) {
  ScopedStream stream(c, "push");
  if (!stream.ok()) return out->failure = stream.error(), false;
  const int n = c.subscribers > 0 ? c.subscribers : c.shards;
  std::vector<int> shards(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) shards[i] = c.same_shard ? 0 : i % c.shards;
  Result<PushStats> phase = RunPushPhase(c, stream, shards, "push");
  if (!phase.ok()) return out->failure = phase.status().message(), false;
  const PushStats& s = *phase;

  out->ran = true;
  out->unit = "records/s";
  out->rate = static_cast<double>(s.delivered) / s.elapsed_s;
  out->mb_per_s = out->rate * c.record_size / 1e6;
  out->latency = s.delivery;
  out->errors = s.errors();
  char value[32];
  std::snprintf(value, sizeof(value), "%.0f", static_cast<double>(s.produced) / s.elapsed_s);
  out->fields = {{"produced", value}, {"subscribers", std::to_string(n)}};
  char note[400];
  std::snprintf(note, sizeof(note),
                "target %d records/s (%.0f due); put %" PRIu64 " on %d connections, delivered %" PRIu64 " of %" PRIu64
                " due to %d subscribers on %d shard(s) in %" PRIu64 " events (%" PRIu64 " missing, %" PRIu64
                " extra, %" PRIu64 " unreadable); PutRecord p50 %.3f ms p99 %.3f ms; %s",
                c.rate, c.rate * c.duration_s, s.produced, s.producers, s.delivered, s.expected, n,
                c.same_shard ? 1 : std::min(n, c.shards), s.events, s.missing(), s.extra(), s.foreign,
                Ms(s.put_latency.Percentile(50)), Ms(s.put_latency.Percentile(99)), s.cpu.c_str());
  out->note = note + LastError(s);
  return true;
}

bool RunPushFanout(const BenchConfig& c, WorkloadResult* out) {
  ScopedStream stream(c, "push-fanout");
  if (!stream.ok()) return out->failure = stream.error(), false;
  for (const int n : {0, c.fanout}) {
    const std::vector<int> shards(static_cast<size_t>(n), 0);
    Result<PushStats> run = RunPushPhase(c, stream, shards, "fanout" + std::to_string(n));
    if (!run.ok()) return out->failure = run.status().message(), false;
    const PushStats& s = *run;
    WorkloadResult phase;
    phase.ran = true;
    phase.label = std::to_string(n);
    phase.unit = "records/s";
    phase.rate = static_cast<double>(s.produced) / s.elapsed_s;
    phase.mb_per_s = phase.rate * c.record_size / 1e6;
    phase.latency = s.put_latency;
    phase.errors = s.errors();
    char value[32];
    std::snprintf(value, sizeof(value), "%.0f", static_cast<double>(s.delivered) / s.elapsed_s);
    phase.fields = {{"subscribers", std::to_string(n)}, {"delivered", value}};
    char note[400];
    int len = std::snprintf(note, sizeof(note),
                            "producer PutRecord latency at %d records/s on %d connections with %d "
                            "subscribers on shard 0; ",
                            c.rate, s.producers, n);
    if (n > 0 && len > 0 && static_cast<size_t>(len) < sizeof(note)) {
      len += std::snprintf(
          note + len, sizeof(note) - len,
          "delivered %" PRIu64 " of %" PRIu64 " due (%" PRIu64 " missing), put-to-receive p50 %.3f ms p99 %.3f ms; ",
          s.delivered, s.expected, s.missing(), Ms(s.delivery.Percentile(50)), Ms(s.delivery.Percentile(99)));
    }
    phase.note = note + s.cpu + LastError(s);
    out->phases.push_back(std::move(phase));
  }
  out->ran = true;
  return true;
}

}  // namespace sluice::bench
