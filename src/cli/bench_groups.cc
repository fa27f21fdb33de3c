#include "cli/bench_groups.h"

#include <unistd.h>

#include <CLI/CLI.hpp>

#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <ctime>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "bench/group_deliveries.h"
#include "bench/load_loop.h"
#include "bench/paced_producer.h"
#include "bench/report.h"
#include "bench/workloads.h"
#include "cli/client_commands.h"
#include "client/client.h"
#include "client/group_calls.h"
#include "client/group_consumer.h"
#include "util/clock.h"

namespace sluice::cli {
namespace {

using bench::GroupDeliveries;
using client::Client;
using client::ClientConfig;

constexpr int64_t kSecondNs = 1'000'000'000;
constexpr int64_t kActiveTimeoutMs = 60'000;
constexpr int64_t kCoverTimeoutNs = 60 * kSecondNs;  // members joined until every shard is read
constexpr int64_t kProducerGraceNs = 10 * kSecondNs;
constexpr auto kPollStep = std::chrono::milliseconds(20);

struct GroupBenchFlags {
  std::string endpoint;
  std::string region;
  int rate = 1000;
  int shards = 4;
  int members = 2;
  double duration_s = 30;
  double warmup_s = 10;
  int record_size = 100;
  int connections = 0;  // the producer's; 0: PacedProducerConnections' default
  int poll_ms = 200;
  double session_timeout_s = 0;
  double drain_s = 30;
  bool no_rebalance = false;
  bool push = false;
  bool json = false;
};

double Ms(int64_t ns) { return static_cast<double>(ns) / 1e6; }

std::string Fixed(double v, int decimals) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

// The paced producer of `sluice bench` on a LoadLoop of its own.
class ProducerHandler final : public bench::LoopHandler {
 public:
  ProducerHandler(const bench::BenchConfig& c, const std::string& stream, int connections)
      : producer(c, stream, connections) {}
  bench::Next NextRequest(int conn, int64_t now) override { return producer.NextRequest(conn, now); }
  void OnResponse(int conn, const bench::ResponseParser& r, int64_t, int64_t latency_ns) override {
    producer.OnResponse(conn, r, latency_ns);
  }
  void OnTransportError(int conn, std::string_view what) override { producer.OnTransportError(conn, what); }
  bool Done(int64_t now) override { return producer.Finished(now); }

  bench::PacedProducer producer;
};

// One group member: a GroupConsumer on a thread of its own that hands every
// record it gets to the deliveries.
class Member {
 public:
  Member(int index, std::shared_ptr<Client> client, const client::GroupConsumerOptions& options,
         GroupDeliveries* deliveries)
      : index_(index), consumer_(std::move(client), options), deliveries_(deliveries) {
    thread_ = std::thread([this] { Run(); });
  }
  ~Member() { Stop(); }

  // Returns once the member has left the group.
  void Stop() {
    consumer_.Stop();
    if (thread_.joinable()) thread_.join();
  }

  std::vector<std::string> shards() const {
    std::lock_guard lock(mu_);
    return shards_;
  }
  std::optional<client::Error> error() const {
    std::lock_guard lock(mu_);
    return error_;
  }

 private:
  void Run() {
    auto on_batch = [this](const std::string& shard_id, const std::vector<client::Record>& batch) {
      const int64_t now = MonotonicNanos();
      for (const client::Record& r : batch) deliveries_->Deliver(index_, shard_id, r.sequence_number, r.data, now);
    };
    auto on_assignment = [this](int64_t, const std::vector<std::string>& shard_ids) {
      std::lock_guard lock(mu_);
      shards_ = shard_ids;
    };
    client::Outcome<client::Done> done = consumer_.Run(on_batch, {}, on_assignment);
    std::lock_guard lock(mu_);
    shards_.clear();
    if (!done.ok()) error_ = done.error();
  }

  const int index_;
  client::GroupConsumer consumer_;
  GroupDeliveries* deliveries_;
  mutable std::mutex mu_;
  std::vector<std::string> shards_;
  std::optional<client::Error> error_;
  std::thread thread_;
};

// Every shard of the stream is read by exactly one of `members`.
bool Covered(const std::vector<std::unique_ptr<Member>>& members, int shards) {
  std::set<std::string> read;
  size_t held = 0;
  for (const auto& m : members) {
    for (const std::string& id : m->shards()) read.insert(id), ++held;
  }
  return static_cast<int>(read.size()) == shards && held == read.size();
}

void SleepUntil(int64_t monotonic_ns) {
  const int64_t left = monotonic_ns - MonotonicNanos();
  if (left > 0) std::this_thread::sleep_for(std::chrono::nanoseconds(left));
}

// The run on an existing stream: members, producer, member changes, drain.
bool Measure(const GroupBenchFlags& f, const ClientConfig& config, const bench::Endpoint& endpoint,
             const std::string& stream, const std::string& group, bench::WorkloadResult* out) {
  GroupDeliveries deliveries;
  std::vector<std::unique_ptr<Member>> members;
  auto add_member = [&]() -> bool {
    client::Outcome<std::shared_ptr<Client>> client = Client::Connect(config);
    if (!client.ok()) return out->failure = client.error().ToString(), false;
    client::GroupConsumerOptions o;
    o.stream = stream;
    o.group = group;
    o.member_id = "bench-member-" + std::to_string(members.size());
    o.session_timeout_ms = static_cast<int64_t>(f.session_timeout_s * 1000);
    o.idle_poll_ms = f.poll_ms;
    if (f.push) o.push = config;
    const int index = static_cast<int>(members.size());
    members.push_back(std::make_unique<Member>(index, *client, o, &deliveries));
    return true;
  };
  for (int i = 0; i < f.members; ++i) {
    if (!add_member()) return false;
  }
  const int64_t cover_deadline = MonotonicNanos() + kCoverTimeoutNs;
  while (!Covered(members, f.shards)) {
    for (const auto& m : members) {
      if (auto e = m->error()) return out->failure = "a member stopped: " + e->ToString(), false;
    }
    if (MonotonicNanos() > cover_deadline) return out->failure = "the group's members never held every shard", false;
    std::this_thread::sleep_for(kPollStep);
  }

  bench::BenchConfig bc;
  bc.endpoint = endpoint;
  bc.rate = f.rate;
  bc.record_size = f.record_size;
  bc.shards = f.shards;
  bc.duration_s = f.duration_s;
  bc.connections = f.connections;
  const int producers = bench::PacedProducerConnections(bc);
  bench::LoadLoop loop(endpoint, producers);
  if (Status opened = loop.Open(); !opened.ok()) return out->failure = opened.message(), false;
  ProducerHandler handler(bc, stream, producers);
  // The warmup's records are delivered but not measured: a member may hold a
  // shard before its previous owner's hand-over lets it read (a heartbeat).
  const int64_t start = MonotonicNanos() + static_cast<int64_t>(f.warmup_s * kSecondNs);
  const int64_t duration_ns = static_cast<int64_t>(f.duration_s * kSecondNs);
  const int64_t end = start + duration_ns;
  deliveries.MeasureFrom(start);
  handler.producer.Start(MonotonicNanos(), end);
  Status produced_status;
  std::thread producing([&] { produced_status = loop.Run(&handler, end + kProducerGraceNs); });

  if (!f.no_rebalance) {
    SleepUntil(start + duration_ns / 3);
    deliveries.MemberChange("join", MonotonicNanos());
    if (!add_member()) {
      producing.join();
      return false;
    }
    SleepUntil(start + 2 * duration_ns / 3);
    deliveries.MemberChange("leave", MonotonicNanos(), 0);
    members[0]->Stop();
  }
  producing.join();
  if (!produced_status.ok()) return out->failure = "producer: " + produced_status.message(), false;

  const uint64_t produced = handler.producer.produced;
  const int64_t drain_deadline = MonotonicNanos() + static_cast<int64_t>(f.drain_s * kSecondNs);
  while (deliveries.distinct() < produced && MonotonicNanos() < drain_deadline) std::this_thread::sleep_for(kPollStep);
  uint64_t member_errors = 0;
  std::string last_error = handler.producer.last_error;
  for (auto& m : members) {
    m->Stop();
    if (auto e = m->error()) ++member_errors, last_error = e->ToString();
  }

  const uint64_t distinct = deliveries.distinct();
  const uint64_t missing = produced > distinct ? produced - distinct : 0;
  const double produced_s = f.warmup_s + f.duration_s;
  out->ran = true;
  out->rate = static_cast<double>(distinct) / produced_s;
  out->mb_per_s = out->rate * f.record_size / 1e6;
  out->latency = deliveries.latency();
  out->errors = handler.producer.errors + missing + deliveries.unstamped() + member_errors;
  out->fields.emplace_back("produced", Fixed(static_cast<double>(produced) / produced_s, 0));
  out->fields.emplace_back("mode", f.push ? "push" : "polling");
  out->fields.emplace_back("members", std::to_string(f.members));
  out->fields.emplace_back("shards", std::to_string(f.shards));
  out->fields.emplace_back("duplicates", std::to_string(deliveries.duplicates()));
  for (const GroupDeliveries::Change& c : deliveries.changes()) {
    out->fields.emplace_back(c.what + "-ms", c.took_ns < 0 ? "-" : Fixed(Ms(c.took_ns), 1));
    out->fields.emplace_back(c.what + "-moved", std::to_string(c.moved));
    if (c.what == "leave") out->fields.emplace_back("leave-unread", std::to_string(c.unread));
    if (c.unread > 0) ++out->errors;
  }
  char note[400];
  std::snprintf(note, sizeof note,
                "target %d records/s, %.0f s warmup; put %" PRIu64 ", delivered %" PRIu64 " (%" PRIu64
                " missing, %" PRIu64 " again); poll-ms %d, session %s; PutRecord p50 %.3f p99 %.3f ms%s%s",
                f.rate, f.warmup_s, produced, distinct, missing, deliveries.duplicates(), f.poll_ms,
                f.session_timeout_s > 0 ? (Fixed(f.session_timeout_s, 1) + " s").c_str() : "server's default",
                Ms(handler.producer.put_latency.Percentile(50)), Ms(handler.producer.put_latency.Percentile(99)),
                last_error.empty() ? "" : "; last error: ", last_error.c_str());
  out->note = note;
  return true;
}

}  // namespace

int RunBenchGroups(int argc, char** argv) {
  GroupBenchFlags f;
  CLI::App app{
      "sluice bench groups: put -> member latency of a consumer group under a paced producer, and the time a "
      "member joining and one leaving leave shards unread"};
  app.name("sluice bench groups");
  app.add_option("--endpoint", f.endpoint,
                 "Server URL, http://<ipv4|localhost>:<port> (default as the client commands)");
  app.add_option("--region", f.region, "Region to sign for");
  app.add_option("--rate", f.rate, "Records/s put")->check(CLI::Range(1, 1'000'000))->capture_default_str();
  app.add_option("--shards", f.shards, "Shards of the stream")->check(CLI::Range(1, 1000))->capture_default_str();
  app.add_option("--members", f.members, "Members at the start")->check(CLI::Range(1, 100))->capture_default_str();
  app.add_option("--duration", f.duration_s, "Seconds of puts")->check(CLI::Range(1.0, 86400.0))->capture_default_str();
  app.add_option("--warmup", f.warmup_s, "Seconds of puts before the measured ones (delivered, not measured)")
      ->check(CLI::Range(0.0, 3600.0))
      ->capture_default_str();
  app.add_option("--record-size", f.record_size, "Bytes per record")
      ->check(CLI::Range(static_cast<int>(bench::kStampBytes), 1048576))
      ->capture_default_str();
  app.add_option("--connections", f.connections, "Producer connections (default: rate/250 within 8..64)")
      ->check(CLI::Range(1, 4096));
  app.add_option("--poll-ms", f.poll_ms, "Polling: pause of a shard whose last GetRecords returned nothing")
      ->check(CLI::Range(0, 60000))
      ->capture_default_str();
  app.add_option("--session-timeout", f.session_timeout_s, "Members' session timeout, s (0: the server's default)")
      ->check(CLI::Range(0.0, 3600.0))
      ->capture_default_str();
  app.add_option("--drain", f.drain_s, "Longest wait after the puts for every record to be delivered, s")
      ->check(CLI::Range(0.0, 3600.0))
      ->capture_default_str();
  app.add_flag("--no-rebalance", f.no_rebalance, "Keep the members as they are (no join, no leave)");
  app.add_flag("--push", f.push, "Members read by SubscribeToGroup instead of polling GetRecords");
  app.add_flag("--json", f.json, "The result as one JSON object");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? kExitOk : kExitUsage;
  }

  ClientConfig config = ClientConfig::FromEnvironment();
  if (!f.endpoint.empty()) config.endpoint = f.endpoint;
  if (!f.region.empty()) config.region = f.region;
  Result<bench::Endpoint> endpoint = bench::ParseEndpoint(config.endpoint);
  if (!endpoint.ok()) {
    std::fprintf(stderr, "sluice: %s\n", endpoint.status().message().c_str());
    return kExitUsage;
  }
  client::Outcome<std::shared_ptr<Client>> admin = Client::Connect(config);
  if (!admin.ok()) {
    std::fprintf(stderr, "sluice: %s\n", admin.error().ToString().c_str());
    return kExitUsage;
  }

  const std::string tag = std::to_string(getpid()) + "-" + std::to_string(SystemClock::Instance().NowMillis());
  const std::string stream = "sluice-bench-groups-" + tag;
  const std::string group = "bench-" + tag;
  bench::WorkloadResult result;
  bool ok = false;
  if (auto created = (*admin)->CreateStream(stream, f.shards); !created.ok()) {
    result.failure = "CreateStream: " + created.error().ToString();
  } else if (auto active = (*admin)->WaitForActive(stream, kActiveTimeoutMs); !active.ok()) {
    result.failure = "stream not ACTIVE: " + active.error().ToString();
  } else {
    ok = Measure(f, config, *endpoint, stream, group, &result);
    (void)client::DeleteGroup(**admin, stream, group);
  }
  (void)(*admin)->DeleteStream(stream, true);

  if (f.json) {
    std::printf("%s\n", bench::ResultJson("groups", result).c_str());
  } else {
    std::string command = "sluice bench";
    for (int i = 0; i < argc; ++i) command += std::string(" ") + argv[i];
    char date[64];
    const std::time_t t = std::time(nullptr);
    std::strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
    std::printf("# %s\n# date %s  endpoint %s  shards %d  members %d  rate %d  record %d B  duration %.1f s\n",
                command.c_str(), date, config.endpoint.c_str(), f.shards, f.members, f.rate, f.record_size,
                f.duration_s);
    bench::PrintResult("groups", result);
  }
  std::fflush(stdout);
  return ok ? kExitOk : kExitServerError;
}

}  // namespace sluice::cli
