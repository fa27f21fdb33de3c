#include "cli/client_commands.h"

#include <signal.h>
#include <unistd.h>

#include <CLI/CLI.hpp>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <future>
#include <map>
#include <memory>
#include <random>
#include <string>

#include "cli/line_reader.h"
#include "cli/output.h"
#include "client/client.h"
#include "client/group_consumer.h"
#include "client/lease_table.h"
#include "client/producer.h"
#include "client/reader.h"
#include "client/subscriber.h"
#include "protocol/json_writer.h"

namespace sluice::cli {
namespace {

using client::Client;
using client::ClientConfig;
using client::Error;
using client::Outcome;

std::atomic<bool> g_interrupted{false};

void OnSignal(int) { g_interrupted = true; }

// SIGINT/SIGTERM/SIGHUP end a follow or a put cleanly (a tail deregisters
// its consumer, a put says what it wrote) instead of killing the process.
void CatchStopSignals() {
  struct sigaction sa {};
  sa.sa_handler = OnSignal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGHUP, &sa, nullptr);
  signal(SIGPIPE, SIG_IGN);
}

int64_t WallMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

double SecondsSince(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

// Flags every client command has.
struct Common {
  std::string endpoint;
  std::string region;
  bool json = false;
  bool no_verify_ssl = false;
  std::string ca_bundle;
  double timeout_s = 30;
};

void AddCommon(CLI::App* app, Common* c) {
  app->add_option("--endpoint", c->endpoint,
                  "Server URL (default: $SLUICE_ENDPOINT, $AWS_ENDPOINT_URL_KINESIS, $AWS_ENDPOINT_URL, "
                  "else http://127.0.0.1:4567)");
  app->add_option("--region", c->region,
                  "Region to sign for (default: $AWS_REGION, $AWS_DEFAULT_REGION, else us-east-1)");
  app->add_flag("--json", c->json, "Machine-readable JSON output");
  app->add_option("--ca-bundle", c->ca_bundle,
                  "PEM file of CAs to trust for https:// (default: $AWS_CA_BUNDLE, else the system's)");
  app->add_flag("--no-verify-ssl", c->no_verify_ssl, "Do not verify the server's TLS certificate");
  app->add_option("--timeout", c->timeout_s, "Seconds to wait for the server on each call")->capture_default_str();
}

ClientConfig ConfigFrom(const Common& c) {
  ClientConfig config = ClientConfig::FromEnvironment();
  if (!c.endpoint.empty()) config.endpoint = c.endpoint;
  if (!c.region.empty()) config.region = c.region;
  if (!c.ca_bundle.empty()) config.ca_file = c.ca_bundle;
  if (c.no_verify_ssl) config.verify_tls = false;
  config.timeout_ms = static_cast<int64_t>(c.timeout_s * 1000);
  return config;
}

int Fail(const Error& e) {
  std::fprintf(stderr, "sluice: %s\n", e.ToString().c_str());
  if (e.http_status != 0) return kExitServerError;
  return e.type == "ClientError" ? kExitUsage : kExitUnreachable;
}

int Usage(const std::string& message) {
  std::fprintf(stderr, "sluice: %s\n", message.c_str());
  return kExitUsage;
}

void Print(const std::string& s) { std::fwrite(s.data(), 1, s.size(), stdout); }

// A whole number flag's lower bound, in words: "--shards: must be at least 1
// (the service's minimum), not 0" (CLI11's own checks print the range of a
// double, with a 309-digit upper end).
CLI::Validator AtLeast(long long min, const std::string& why = "") {
  return CLI::Validator(
      [min, why](std::string& value) -> std::string {
        char* end = nullptr;
        errno = 0;
        const long long v = std::strtoll(value.c_str(), &end, 10);
        if (value.empty() || *end != '\0' || errno != 0) return "not a whole number: " + value;
        if (v < min) return "must be at least " + std::to_string(min) + why + ", not " + value;
        return "";
      },
      ">= " + std::to_string(min));
}

// A flag of seconds: a number above 0 (or 0 too when `zero_ok`).
CLI::Validator Seconds(bool zero_ok) {
  return CLI::Validator(
      [zero_ok](std::string& value) -> std::string {
        char* end = nullptr;
        const double v = std::strtod(value.c_str(), &end);
        if (value.empty() || *end != '\0' || !std::isfinite(v)) return "not a number of seconds: " + value;
        if (v < 0 || (v == 0 && !zero_ok))
          return std::string("must be ") + (zero_ok ? "0 or more" : "more than 0") + ", not " + value;
        return "";
      },
      zero_ok ? "seconds >= 0" : "seconds > 0");
}

// Runs `body` with a connected client.
int WithClient(const Common& c, const std::function<int(Client&, const ClientConfig&)>& body) {
  const ClientConfig config = ConfigFrom(c);
  Outcome<std::shared_ptr<Client>> client = Client::Connect(config);
  if (!client.ok()) return Fail(client.error());
  return body(**client, config);
}

std::string ShardState(const client::Shard& s) { return s.open() ? "OPEN" : "CLOSED"; }

void WriteShardJson(protocol::JsonWriter& w, const client::Shard& s) {
  w.BeginObject();
  w.Member("ShardId", s.shard_id);
  if (!s.parent_shard_id.empty()) w.Member("ParentShardId", s.parent_shard_id);
  if (!s.adjacent_parent_shard_id.empty()) w.Member("AdjacentParentShardId", s.adjacent_parent_shard_id);
  w.Key("HashKeyRange");
  w.BeginObject();
  w.Member("StartingHashKey", s.starting_hash_key);
  w.Member("EndingHashKey", s.ending_hash_key);
  w.EndObject();
  w.Key("SequenceNumberRange");
  w.BeginObject();
  w.Member("StartingSequenceNumber", s.starting_sequence_number);
  if (!s.ending_sequence_number.empty()) w.Member("EndingSequenceNumber", s.ending_sequence_number);
  w.EndObject();
  w.Member("State", ShardState(s));
  w.EndObject();
}

// Prints the stream's summary and shards (DescribeStreamSummary + ListShards).
int Describe(Client& client, const std::string& name, bool json) {
  Outcome<client::StreamSummary> s = client.DescribeStreamSummary(name);
  if (!s.ok()) return Fail(s.error());
  Outcome<std::vector<client::Shard>> shards = client.ListShards(name);
  if (!shards.ok()) return Fail(shards.error());
  if (json) {
    std::string out;
    protocol::JsonWriter w(&out);
    w.BeginObject();
    w.Member("StreamName", s->name);
    w.Member("StreamARN", s->arn);
    w.Member("StreamStatus", s->status);
    w.Member("StreamMode", s->mode);
    w.MemberInt("RetentionPeriodHours", s->retention_hours);
    w.MemberInt("OpenShardCount", s->open_shard_count);
    w.MemberInt("ConsumerCount", s->consumer_count);
    w.Member("EncryptionType", s->encryption);
    w.Key("StreamCreationTimestamp");
    w.TimestampMillis(s->creation_ms);
    w.Key("Shards");
    w.BeginArray();
    for (const auto& shard : *shards) WriteShardJson(w, shard);
    w.EndArray();
    w.EndObject();
    Print(out + "\n");
    return kExitOk;
  }
  std::string out;
  out += "Stream     " + s->name + "\n";
  out += "ARN        " + s->arn + "\n";
  out += "Status     " + s->status + "\n";
  out += "Mode       " + s->mode + "\n";
  out += "Retention  " + std::to_string(s->retention_hours) + " hours\n";
  out += "Shards     " + std::to_string(s->open_shard_count) + " open, " +
         std::to_string(shards->size() - static_cast<size_t>(s->open_shard_count)) + " closed\n";
  out += "Consumers  " + std::to_string(s->consumer_count) + "\n";
  out += "Created    " + FormatTime(s->creation_ms) + "\n\n";
  std::vector<std::vector<std::string>> rows;
  for (const auto& shard : *shards) {
    std::string parents = shard.parent_shard_id;
    if (!shard.adjacent_parent_shard_id.empty()) parents += "," + shard.adjacent_parent_shard_id;
    rows.push_back({shard.shard_id, ShardState(shard), parents.empty() ? "-" : parents, shard.starting_hash_key,
                    shard.ending_hash_key});
  }
  out += FormatTable({"SHARD", "STATE", "PARENTS", "STARTING HASH KEY", "ENDING HASH KEY"}, rows);
  Print(out);
  return kExitOk;
}

// After a change: wait for ACTIVE, then print what happened.
int AfterChange(Client& client, const std::string& name, bool wait, bool json, const std::string& what) {
  if (wait) {
    Outcome<client::StreamSummary> s = client.WaitForActive(name, 5 * 60 * 1000);
    if (!s.ok()) return Fail(s.error());
    if (json) {
      std::string out;
      protocol::JsonWriter w(&out);
      w.BeginObject();
      w.Member("StreamName", s->name);
      w.Member("StreamARN", s->arn);
      w.Member("StreamStatus", s->status);
      w.MemberInt("OpenShardCount", s->open_shard_count);
      w.MemberInt("RetentionPeriodHours", s->retention_hours);
      w.EndObject();
      Print(out + "\n");
    } else {
      Print(what + "; " + s->name + " is " + s->status + " with " + std::to_string(s->open_shard_count) +
            " open shard" + (s->open_shard_count == 1 ? "" : "s") + "\n");
    }
    return kExitOk;
  }
  if (json) {
    std::string out;
    protocol::JsonWriter w(&out);
    w.BeginObject();
    w.Member("StreamName", name);
    w.EndObject();
    Print(out + "\n");
  } else {
    Print(what + "\n");
  }
  return kExitOk;
}

// ---- stream ---------------------------------------------------------------

void AddStreamCommands(CLI::App& app, std::vector<ClientCommand>* commands) {
  CLI::App* stream = app.add_subcommand("stream", "Create, list, describe, reshard and delete streams");
  stream->require_subcommand(1);

  {
    auto c = std::make_shared<Common>();
    auto name = std::make_shared<std::string>();
    auto shards = std::make_shared<int>(1);
    auto on_demand = std::make_shared<bool>(false);
    auto no_wait = std::make_shared<bool>(false);
    CLI::App* cmd = stream->add_subcommand("create", "Create a stream and wait until it is ACTIVE");
    cmd->add_option("name", *name, "Stream name")->required();
    CLI::Option* shards_flag = cmd->add_option("--shards", *shards, "Number of shards")
                                   ->check(AtLeast(1, " (the service's minimum)"))
                                   ->capture_default_str();
    cmd->add_flag("--on-demand", *on_demand, "An ON_DEMAND stream (no shard count)");
    cmd->add_flag("--no-wait", *no_wait, "Return without waiting for ACTIVE");
    AddCommon(cmd, c.get());
    commands->push_back({cmd, [=] {
                           if (*on_demand && shards_flag->count() > 0) {
                             return Usage(
                                 "--on-demand and --shards exclude each other: an ON_DEMAND stream has no shard count");
                           }
                           return WithClient(*c, [&](Client& client, const ClientConfig&) {
                             Outcome<client::Done> r =
                                 client.CreateStream(*name, *on_demand ? std::nullopt : std::optional<int>(*shards));
                             if (!r.ok()) return Fail(r.error());
                             return AfterChange(client, *name, !*no_wait, c->json, "created stream " + *name);
                           });
                         }});
  }
  {
    auto c = std::make_shared<Common>();
    CLI::App* cmd = stream->add_subcommand("list", "List the streams, one name a line");
    AddCommon(cmd, c.get());
    commands->push_back({cmd, [=] {
                           return WithClient(*c, [&](Client& client, const ClientConfig&) {
                             Outcome<std::vector<std::string>> names = client.ListStreams();
                             if (!names.ok()) return Fail(names.error());
                             std::string out;
                             if (c->json) {
                               protocol::JsonWriter w(&out);
                               w.BeginObject();
                               w.Key("StreamNames");
                               w.BeginArray();
                               for (const auto& n : *names) w.String(n);
                               w.EndArray();
                               w.EndObject();
                               out += "\n";
                             } else {
                               for (const auto& n : *names) out += n + "\n";
                             }
                             Print(out);
                             return kExitOk;
                           });
                         }});
  }
  {
    auto c = std::make_shared<Common>();
    auto name = std::make_shared<std::string>();
    CLI::App* cmd = stream->add_subcommand("describe", "Show a stream's settings and its shards");
    cmd->add_option("name", *name, "Stream name")->required();
    AddCommon(cmd, c.get());
    commands->push_back(
        {cmd, [=] {
           return WithClient(*c, [&](Client& client, const ClientConfig&) { return Describe(client, *name, c->json); });
         }});
  }
  {
    auto c = std::make_shared<Common>();
    auto name = std::make_shared<std::string>();
    auto force = std::make_shared<bool>(false);
    CLI::App* cmd = stream->add_subcommand("delete", "Delete a stream");
    cmd->add_option("name", *name, "Stream name")->required();
    cmd->add_flag("--force", *force, "Delete its registered consumers with it");
    AddCommon(cmd, c.get());
    commands->push_back({cmd, [=] {
                           return WithClient(*c, [&](Client& client, const ClientConfig&) {
                             Outcome<client::Done> r = client.DeleteStream(*name, *force);
                             if (!r.ok() && !*force && r.error().type == "ResourceInUseException" &&
                                 r.error().message.find("EnforceConsumerDeletion") != std::string::npos) {
                               // The service names its API parameter; say the flag of this command.
                               std::fprintf(stderr,
                                            "sluice: ResourceInUseException: stream %s has registered consumers; "
                                            "`sluice stream delete %s --force` deletes them with it\n",
                                            name->c_str(), name->c_str());
                               return kExitServerError;
                             }
                             if (!r.ok()) return Fail(r.error());
                             return AfterChange(client, *name, false, c->json, "deleting stream " + *name);
                           });
                         }});
  }
  {
    auto c = std::make_shared<Common>();
    auto name = std::make_shared<std::string>();
    auto shard = std::make_shared<std::string>();
    auto at = std::make_shared<std::string>();
    auto no_wait = std::make_shared<bool>(false);
    CLI::App* cmd =
        stream->add_subcommand("split", "Split an open shard in two (in the middle of its hash range by default)");
    cmd->add_option("name", *name, "Stream name")->required();
    cmd->add_option("shard", *shard, "Shard id (shardId-000000000000) or index (0)")->required();
    cmd->add_option("--at", *at, "The new shard's starting hash key (decimal)");
    cmd->add_flag("--no-wait", *no_wait, "Return without waiting for ACTIVE");
    AddCommon(cmd, c.get());
    commands->push_back({cmd, [=] {
                           return WithClient(*c, [&](Client& client, const ClientConfig&) {
                             const std::string shard_id = ShardIdFromArg(*shard);
                             std::string key = *at;
                             if (key.empty()) {
                               Outcome<std::vector<client::Shard>> shards = client.ListShards(*name);
                               if (!shards.ok()) return Fail(shards.error());
                               for (const auto& s : *shards) {
                                 if (s.shard_id != shard_id) continue;
                                 std::optional<std::string> mid = MiddleHashKey(s.starting_hash_key, s.ending_hash_key);
                                 if (!mid)
                                   return Usage("shard " + shard_id + " has a single hash key; it cannot be split");
                                 key = *mid;
                               }
                               if (key.empty()) return Usage("stream " + *name + " has no shard " + shard_id);
                             }
                             Outcome<client::Done> r = client.SplitShard(*name, shard_id, key);
                             if (!r.ok()) return Fail(r.error());
                             return AfterChange(client, *name, !*no_wait, c->json, "split " + shard_id + " at " + key);
                           });
                         }});
  }
  {
    auto c = std::make_shared<Common>();
    auto name = std::make_shared<std::string>();
    auto a = std::make_shared<std::string>();
    auto b = std::make_shared<std::string>();
    auto no_wait = std::make_shared<bool>(false);
    CLI::App* cmd = stream->add_subcommand("merge", "Merge two adjacent open shards");
    cmd->add_option("name", *name, "Stream name")->required();
    cmd->add_option("shard", *a, "Shard id")->required();
    cmd->add_option("adjacent", *b, "The adjacent shard's id")->required();
    cmd->add_flag("--no-wait", *no_wait, "Return without waiting for ACTIVE");
    AddCommon(cmd, c.get());
    commands->push_back({cmd, [=] {
                           return WithClient(*c, [&](Client& client, const ClientConfig&) {
                             Outcome<client::Done> r = client.MergeShards(*name, *a, *b);
                             if (!r.ok()) return Fail(r.error());
                             return AfterChange(client, *name, !*no_wait, c->json, "merged " + *a + " and " + *b);
                           });
                         }});
  }
  {
    auto c = std::make_shared<Common>();
    auto name = std::make_shared<std::string>();
    auto count = std::make_shared<int>(0);
    auto no_wait = std::make_shared<bool>(false);
    CLI::App* cmd = stream->add_subcommand("scale", "Change the number of open shards (UpdateShardCount, uniform)");
    cmd->add_option("name", *name, "Stream name")->required();
    cmd->add_option("count", *count, "Target number of open shards")->required()->check(AtLeast(1));
    cmd->add_flag("--no-wait", *no_wait, "Return without waiting for ACTIVE");
    AddCommon(cmd, c.get());
    commands->push_back({cmd, [=] {
                           return WithClient(*c, [&](Client& client, const ClientConfig&) {
                             Outcome<client::Done> r = client.UpdateShardCount(*name, *count);
                             if (!r.ok()) return Fail(r.error());
                             return AfterChange(client, *name, !*no_wait, c->json,
                                                "scaling " + *name + " to " + std::to_string(*count));
                           });
                         }});
  }
  {
    auto c = std::make_shared<Common>();
    auto name = std::make_shared<std::string>();
    auto hours = std::make_shared<int>(0);
    CLI::App* cmd = stream->add_subcommand("retention", "Set the retention period (hours, 24 to 8760)");
    cmd->add_option("name", *name, "Stream name")->required();
    cmd->add_option("hours", *hours, "Retention period in hours")->required()->check(AtLeast(1));
    AddCommon(cmd, c.get());
    commands->push_back({cmd, [=] {
                           return WithClient(*c, [&](Client& client, const ClientConfig&) {
                             Outcome<client::Done> r = client.SetRetention(*name, *hours);
                             if (!r.ok()) return Fail(r.error());
                             return AfterChange(client, *name, true, c->json,
                                                "retention of " + *name + " is " + std::to_string(*hours) + " hours");
                           });
                         }});
  }
}

// ---- put -------------------------------------------------------------------

struct PutFlags {
  Common common;
  std::string stream;
  std::string key_field;
  std::string key;
  int in_flight = 4;
  int64_t linger_ms = 20;
  double progress_s = 1.0;
};

// The service's largest record: data and partition key together.
constexpr size_t kMaxRecordBytes = 1024 * 1024;
// Memory of a put: the producer holds at most this much of the input, and
// each sender thread at most this many unanswered lines.
constexpr size_t kPutBufferBytes = 8 * 1024 * 1024;
constexpr size_t kPendingLinesPerSender = 2000;

// A line handed to the producer, by its number.
struct PendingLine {
  uint64_t line;
  std::future<Outcome<client::PutResult>> result;
};

int RunPut(const PutFlags& f) {
  CatchStopSignals();
  const ClientConfig config = ConfigFrom(f.common);
  auto client = Client::Connect(config);
  if (!client.ok()) return Fail(client.error());
  client::ProducerOptions po;
  po.stream_name = f.stream;
  po.in_flight = f.in_flight;
  po.linger_ms = f.linger_ms;
  po.max_buffered_bytes = kPutBufferBytes;
  client::Producer producer(*client, po);
  std::mt19937_64 rng(std::random_device{}());
  const bool tty = isatty(STDERR_FILENO) != 0;
  const size_t max_pending = kPendingLinesPerSender * static_cast<size_t>(std::max(1, f.in_flight));

  // Answers are taken in line order: every line before first_unwritten was
  // written. After the first failure the producer is aborted, so the lines
  // still pending fail at once unless already on their way.
  std::deque<PendingLine> pending;
  uint64_t handed = 0, acknowledged = 0, written_after = 0, first_unwritten = 0;
  std::optional<Error> failure;
  std::map<std::string, uint64_t> per_shard;
  auto take = [&](PendingLine& p) {
    Outcome<client::PutResult> r = p.result.get();
    if (r.ok()) {
      ++acknowledged;
      ++per_shard[r->shard_id];
      if (failure) ++written_after;
    } else if (!failure) {
      failure = r.error();
      first_unwritten = p.line;
      producer.Abort(r.error());
    }
  };
  // Takes the answers that are in (all: waits for every one).
  auto collect = [&](bool all) {
    while (!pending.empty() &&
           (all || pending.size() > max_pending ||
            pending.front().result.wait_for(std::chrono::seconds(0)) == std::future_status::ready)) {
      take(pending.front());
      pending.pop_front();
    }
  };

  LineReader in(STDIN_FILENO, kMaxRecordBytes);
  const auto start = std::chrono::steady_clock::now();
  auto last_progress = start;
  bool progress_shown = false;
  std::string line;
  std::string bad_line;  // why the input stopped at a line it could not send
  while (!g_interrupted && !failure) {
    const LineReader::Got got = in.Next(&line, 100);
    if (got == LineReader::kEnd) break;
    if (got == LineReader::kTooLong) {
      bad_line =
          "longer than a record may be (" + std::to_string(kMaxRecordBytes) + " bytes of data and partition key)";
      break;
    }
    if (got == LineReader::kLine) {
      std::string key;
      if (!f.key_field.empty()) {
        std::optional<std::string> k = KeyFromJsonField(line, f.key_field);
        if (!k || k->empty()) {
          bad_line = "not a JSON object with a non-empty \"" + f.key_field + "\"";
          break;
        }
        key = std::move(*k);
      } else if (!f.key.empty()) {
        key = f.key;
      } else {
        char buf[24];
        std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(rng()));
        key = buf;
      }
      if (line.size() + key.size() > kMaxRecordBytes) {
        bad_line = std::to_string(line.size()) + " bytes of data and a " + std::to_string(key.size()) +
                   "-byte partition key, more than a record's " + std::to_string(kMaxRecordBytes) + " bytes";
        break;
      }
      pending.push_back({in.line_number(), producer.Put(std::move(key), std::move(line))});
      ++handed;
      line.clear();
    }
    collect(false);
    const auto now = std::chrono::steady_clock::now();
    if (std::chrono::duration<double>(now - last_progress).count() >= f.progress_s) {
      last_progress = now;
      progress_shown = true;
      std::fprintf(stderr, "%s%llu records read, %llu acknowledged, %.0f records/s%s", tty ? "\r" : "",
                   static_cast<unsigned long long>(in.line_number()), static_cast<unsigned long long>(acknowledged),
                   static_cast<double>(acknowledged) / SecondsSince(start), tty ? "" : "\n");
    }
  }
  collect(true);
  producer.Close();
  const double seconds = SecondsSince(start);
  if (progress_shown) {
    std::fprintf(stderr, "%s%llu records in %.1f s, %.0f records/s\n", tty ? "\r" : "",
                 static_cast<unsigned long long>(acknowledged), seconds,
                 seconds > 0 ? static_cast<double>(acknowledged) / seconds : 0.0);
  }
  const uint64_t failed = handed - acknowledged;
  if (f.common.json) {
    std::string out;
    protocol::JsonWriter w(&out);
    w.BeginObject();
    w.Member("StreamName", f.stream);
    w.MemberInt("Records", static_cast<int64_t>(acknowledged));
    w.MemberInt("FailedRecordCount", static_cast<int64_t>(failed));
    if (failure || !bad_line.empty()) {
      w.MemberInt("FirstUnwrittenLine", static_cast<int64_t>(failure ? first_unwritten : in.line_number()));
    }
    w.Key("Shards");
    w.BeginObject();
    for (const auto& [shard, n] : per_shard) w.MemberInt(shard, static_cast<int64_t>(n));
    w.EndObject();
    w.EndObject();
    Print(out + "\n");
  } else {
    Print("put " + std::to_string(acknowledged) + " record" + (acknowledged == 1 ? "" : "s") + " to " + f.stream +
          (failed > 0 ? ", " + std::to_string(failed) + " failed" : "") + "\n");
  }
  if (failure) {
    const std::string written = WrittenSoFar(acknowledged, first_unwritten, written_after);
    const bool client_side = failure->type == "ClientError";  // e.g. a --key-field value too long for a key
    const bool gone = (failure->http_status == 0 && !client_side) || failure->http_status >= 500;
    if (gone) {
      std::fprintf(stderr, "sluice put: the server at %s stopped answering (%s); %s\n", config.endpoint.c_str(),
                   failure->ToString().c_str(), written.c_str());
    } else {
      std::fprintf(stderr, "sluice put: line %llu: %s; %s\n", static_cast<unsigned long long>(first_unwritten),
                   failure->ToString().c_str(), written.c_str());
    }
    if (client_side) return kExitUsage;
    return failure->http_status == 0 ? kExitUnreachable : kExitServerError;
  }
  if (!bad_line.empty()) {
    std::fprintf(stderr, "sluice put: line %llu: %s; %s, the rest of the input was not read\n",
                 static_cast<unsigned long long>(in.line_number()), bad_line.c_str(),
                 WrittenSoFar(acknowledged, in.line_number(), 0).c_str());
    return kExitUsage;
  }
  if (!in.error().empty()) {
    std::fprintf(stderr, "sluice put: reading stdin after line %llu: %s\n",
                 static_cast<unsigned long long>(in.line_number()), in.error().c_str());
    return kExitServerError;
  }
  return kExitOk;
}

// ---- get / tail ------------------------------------------------------------

struct ReadFlags {
  Common common;
  std::string stream;
  std::vector<std::string> shards;
  std::string from;  // latest | trim-horizon
  std::string at;
  std::string format = "raw";
  int64_t max = 0;
  bool follow = false;
  bool poll = false;
  std::string consumer;  // empty: one of this process's own (ProcessConsumerName)
  std::string group;     // tail: read as a member of this consumer group
  std::string member_id;
  bool push = false;             // --group: read by SubscribeToGroup
  double session_timeout_s = 0;  // 0: the server's default
  double poll_interval_s = 1.0;
  double for_seconds = 0;
};

const std::map<std::string, RecordFormat> kFormats = {
    {"raw", RecordFormat::kRaw}, {"json", RecordFormat::kJson}, {"hex", RecordFormat::kHex}};

// --format; --json, the flag of every client command, means --format json here.
RecordFormat FormatOf(const ReadFlags& f) {
  return f.common.json && f.format == "raw" ? RecordFormat::kJson : kFormats.at(f.format);
}

// The starting position from --from / --at; `fallback` when neither is given.
std::optional<client::StartingPosition> StartFrom(const ReadFlags& f, client::StartingPosition fallback,
                                                  std::string* error) {
  if (!f.at.empty()) {
    if (!f.from.empty()) {
      *error = "give --from or --at, not both";
      return std::nullopt;
    }
    std::optional<int64_t> ms = ParseTime(f.at, WallMs());
    if (!ms) {
      *error = "--at: not a time: " + f.at + " (epoch seconds, 2026-11-24T22:30:00Z or -5m)";
      return std::nullopt;
    }
    return client::StartingPosition::AtTimestamp(*ms);
  }
  if (f.from.empty()) return fallback;
  if (f.from == "latest") return client::StartingPosition::Latest();
  if (f.from == "trim-horizon") return client::StartingPosition::TrimHorizon();
  *error = "--from must be latest or trim-horizon";
  return std::nullopt;
}

// "sluice-cli-3f9a0c1d": a consumer name of this process's own, so that two
// tails never take over each other's subscriptions.
std::string ProcessConsumerName() {
  char buf[32];
  std::snprintf(buf, sizeof buf, "sluice-cli-%08x", static_cast<unsigned>(std::random_device{}()));
  return buf;
}

// tail --group: a member of the group prints the records of the shards the
// server gives it, and checkpoints each batch up to the last record printed.
// Without -f it stops once every shard it reads is at the tip.
int RunGroupTail(const ReadFlags& f) {
  if (!f.at.empty()) return Usage("--at cannot be used with --group (the group's checkpoints say where to start)");
  if (!f.shards.empty()) return Usage("--shard cannot be used with --group (the server assigns the shards)");
  const RecordFormat format = FormatOf(f);
  const ClientConfig config = ConfigFrom(f.common);
  auto client = Client::Connect(config);
  if (!client.ok()) return Fail(client.error());
  client::GroupConsumerOptions o;
  o.stream = f.stream;
  o.group = f.group;
  o.member_id = f.member_id;
  o.session_timeout_ms = static_cast<int64_t>(f.session_timeout_s * 1000);
  if (f.from == "latest") o.initial_position = "LATEST";
  if (f.from == "trim-horizon") o.initial_position = "TRIM_HORIZON";
  o.auto_checkpoint = false;  // checkpointed below, up to the last record printed
  o.idle_poll_ms = static_cast<int64_t>(f.poll_interval_s * 1000);
  if (f.push) o.push = config;
  client::GroupConsumer consumer(*client, o);
  const auto begun = std::chrono::steady_clock::now();
  int64_t printed = 0;
  auto stop = [&] {
    return g_interrupted.load() || (f.max > 0 && printed >= f.max) ||
           (f.for_seconds > 0 && SecondsSince(begun) >= f.for_seconds) || (!f.follow && consumer.CaughtUp());
  };
  auto print = [&](const std::string& shard_id, const std::vector<client::Record>& batch) {
    std::string last;
    for (const client::Record& r : batch) {
      if (f.max > 0 && printed >= f.max) break;
      Print(FormatRecord(format, r));
      last = r.sequence_number;
      ++printed;
    }
    std::fflush(stdout);  // printed before it is checkpointed
    if (last.empty()) return;
    Outcome<client::Done> done = consumer.Checkpoint(shard_id, last);
    if (!done.ok()) {
      std::fprintf(stderr, "sluice: checkpoint of %s not written: %s\n", shard_id.c_str(),
                   done.error().ToString().c_str());
    }
  };
  auto say_assignment = [&](int64_t generation, const std::vector<std::string>& shards) {
    std::string list;
    for (const std::string& id : shards) list += (list.empty() ? "" : " ") + id;
    std::fprintf(stderr, "group %s, member %s, generation %lld: reading %zu %s%s%s\n", f.group.c_str(),
                 consumer.member_id().c_str(), static_cast<long long>(generation), shards.size(),
                 shards.size() == 1 ? "shard" : "shards", list.empty() ? "" : ": ", list.c_str());
  };
  Outcome<client::Done> r = consumer.Run(print, stop, say_assignment);
  if (!r.ok()) return Fail(r.error());
  return kExitOk;
}

int RunRead(const ReadFlags& f, bool is_tail) {
  CatchStopSignals();
  if (is_tail && !f.group.empty()) return RunGroupTail(f);
  std::string error;
  const std::optional<client::StartingPosition> start =
      StartFrom(f, is_tail ? client::StartingPosition::Latest() : client::StartingPosition::TrimHorizon(), &error);
  if (!start) return Usage(error);
  const RecordFormat format = FormatOf(f);
  const auto begun = std::chrono::steady_clock::now();
  std::atomic<int64_t> printed{0};
  auto stop = [&] {
    return g_interrupted.load() || (f.max > 0 && printed.load() >= f.max) ||
           (f.for_seconds > 0 && SecondsSince(begun) >= f.for_seconds);
  };
  auto print = [&](const client::Record& r) {
    if (f.max > 0 && printed.load() >= f.max) return;
    Print(FormatRecord(format, r));
    if (f.follow) std::fflush(stdout);  // a follower's reader sees each record at once
    ++printed;
  };
  const ClientConfig config = ConfigFrom(f.common);
  auto client = Client::Connect(config);
  if (!client.ok()) return Fail(client.error());
  std::vector<std::string> shard_ids;
  for (const std::string& arg : f.shards) shard_ids.push_back(ShardIdFromArg(arg));
  // A follower checks the shards it was given before it waits (and registers
  // nothing for a shard the stream does not have), then says on stderr what
  // it waits for: "2 shards" or "shard shardId-000000000001".
  size_t open_shards = 0;
  if (f.follow) {
    Outcome<std::vector<client::Shard>> listed = (*client)->ListShards(f.stream);
    if (!listed.ok()) return Fail(listed.error());
    Outcome<client::Done> known = client::CheckShardsListed(**client, f.stream, *listed, shard_ids);
    if (!known.ok()) return Fail(known.error());
    for (const client::Shard& shard : *listed) open_shards += shard.open() ? 1 : 0;
  }
  auto say_waiting = [&](const std::string& how) {
    const std::string which = shard_ids.size() == 1 ? "shard " + shard_ids[0]
                              : !shard_ids.empty()
                                  ? std::to_string(shard_ids.size()) + " shards"
                                  : std::to_string(open_shards) + (open_shards == 1 ? " shard" : " shards");
    std::fprintf(stderr, "waiting for records on stream %s (%s, %s); Ctrl-C to stop\n", f.stream.c_str(), which.c_str(),
                 how.c_str());
  };

  if (is_tail && f.follow && !f.poll) {
    Outcome<client::StreamSummary> s = (*client)->DescribeStreamSummary(f.stream);
    if (!s.ok()) return Fail(s.error());
    // The consumer this process registers is its own: it goes when the tail ends.
    const std::string consumer_name = f.consumer.empty() ? ProcessConsumerName() : f.consumer;
    bool registered = false;
    Outcome<client::Consumer> consumer = (*client)->EnsureConsumer(s->arn, consumer_name, 60000, &registered);
    if (!consumer.ok()) return Fail(consumer.error());
    client::SubscriberOptions so;
    so.consumer_arn = consumer->arn;
    so.start = *start;
    so.shard_ids = shard_ids;
    say_waiting("push via consumer " + consumer_name);
    client::StreamSubscriber subscriber(*client, config, f.stream, so);
    Outcome<client::Done> r = subscriber.Run(print, stop);
    if (registered) {
      Outcome<client::Done> gone = (*client)->DeregisterStreamConsumer(s->arn, consumer_name);
      if (!gone.ok() && gone.error().type != "ResourceNotFoundException") {
        std::fprintf(stderr, "sluice: could not deregister consumer %s: %s\n", consumer_name.c_str(),
                     gone.error().ToString().c_str());
      }
    }
    if (!r.ok()) return Fail(r.error());
    return kExitOk;
  }
  client::ReaderOptions ro;
  ro.stream_name = f.stream;
  ro.start = *start;
  ro.shard_ids = shard_ids;
  ro.idle_poll_ms = static_cast<int64_t>(f.poll_interval_s * 1000);
  if (f.follow) {
    char every[48];
    std::snprintf(every, sizeof every, "polling every %g s", f.poll_interval_s);
    say_waiting(every);
  }
  client::Reader reader(*client, ro);
  Outcome<client::Done> r = reader.Run(print, !f.follow, stop);
  if (!r.ok()) return Fail(r.error());
  return kExitOk;
}

void AddReadFlags(CLI::App* cmd, ReadFlags* f, bool is_tail) {
  cmd->add_option("stream", f->stream, "Stream name")->required();
  cmd->add_option("--shard", f->shards, "Read only this shard (id or index); repeatable");
  cmd->add_option(
         "--from", f->from,
         std::string("Where to start: latest or trim-horizon (default ") + (is_tail ? "latest" : "trim-horizon") + ")")
      ->check(CLI::IsMember({"latest", "trim-horizon"}));
  cmd->add_option("--at", f->at, "Start at a time: epoch seconds, 2026-11-24T22:30:00Z, or an age like -5m");
  cmd->add_option("--format", f->format, "Output: raw (the data and a newline), json (one object a line), hex")
      ->check(CLI::IsMember({"raw", "json", "hex"}))
      ->capture_default_str();
  cmd->add_option("--max", f->max, "Stop after this many records")->check(AtLeast(0));
  cmd->add_option("--poll-interval", f->poll_interval_s, "Seconds between GetRecords of a shard that had nothing")
      ->check(Seconds(false))
      ->capture_default_str();
  AddCommon(cmd, &f->common);
}

}  // namespace

struct LeasesFlags {
  Common common;
  std::string application;
  std::string stream;
};

// How far a lease's reader is behind the stream's tip (MillisBehindLatest of
// a GetRecords from its checkpoint), or nullopt when that cannot be asked:
// no stream known, a checkpoint that is not a position (AT_TIMESTAMP), a
// shard gone. "finished" leases (SHARD_END) are not asked.
std::optional<int64_t> MillisBehind(Client& client, const std::string& stream, const client::Lease& lease) {
  if (stream.empty()) return std::nullopt;
  client::StartingPosition from;
  if (lease.CheckpointIsSequenceNumber()) {
    from = client::StartingPosition::AfterSequenceNumber(lease.checkpoint);
  } else if (lease.checkpoint == "TRIM_HORIZON") {
    from = client::StartingPosition::TrimHorizon();
  } else if (lease.checkpoint == "LATEST") {
    return 0;
  } else {
    return std::nullopt;
  }
  Outcome<std::string> iterator = client.GetShardIterator(stream, lease.ShardId(), from);
  if (!iterator.ok()) return std::nullopt;
  Outcome<client::GetRecordsResult> records = client.GetRecords(*iterator, 1);
  if (!records.ok()) return std::nullopt;
  return records->millis_behind_latest;
}

int RunLeases(const LeasesFlags& f) {
  return WithClient(f.common, [&](Client& client, const ClientConfig&) {
    Outcome<std::vector<client::Lease>> leases = client::ReadLeaseTable(client, f.application);
    if (!leases.ok()) return Fail(leases.error());
    std::vector<std::optional<int64_t>> behind;
    for (const client::Lease& lease : *leases) {
      const std::string stream = f.stream.empty() ? lease.StreamName() : f.stream;
      behind.push_back(lease.checkpoint == "SHARD_END" ? std::nullopt : MillisBehind(client, stream, lease));
    }
    std::string out;
    if (f.common.json) {
      protocol::JsonWriter w(&out);
      w.BeginObject();
      w.Key("Leases");
      w.BeginArray();
      for (size_t i = 0; i < leases->size(); ++i) {
        const client::Lease& lease = (*leases)[i];
        w.BeginObject();
        w.Member("LeaseKey", lease.key);
        w.Member("ShardId", lease.ShardId());
        if (!lease.StreamName().empty()) w.Member("StreamName", lease.StreamName());
        if (!lease.owner.empty()) w.Member("Owner", lease.owner);
        w.Member("Checkpoint", lease.checkpoint);
        w.MemberInt("Counter", lease.counter);
        w.Key("ParentShardIds");
        w.BeginArray();
        for (const auto& p : lease.parents) w.String(p);
        w.EndArray();
        if (behind[i]) w.MemberInt("MillisBehindLatest", *behind[i]);
        w.EndObject();
      }
      w.EndArray();
      w.EndObject();
      out += '\n';
    } else {
      std::vector<std::vector<std::string>> rows;
      for (size_t i = 0; i < leases->size(); ++i) {
        const client::Lease& lease = (*leases)[i];
        std::string lag = lease.checkpoint == "SHARD_END" ? "finished"
                          : behind[i]                     ? std::to_string(*behind[i]) + " ms"
                                                          : "-";
        rows.push_back(
            {lease.key, lease.owner.empty() ? "-" : lease.owner, lease.checkpoint, std::to_string(lease.counter), lag});
      }
      out = FormatTable({"SHARD", "OWNER", "CHECKPOINT", "COUNTER", "BEHIND"}, rows);
    }
    Print(out);
    return kExitOk;
  });
}

std::vector<ClientCommand> AddClientCommands(CLI::App& app) {
  std::vector<ClientCommand> commands;
  AddStreamCommands(app, &commands);

  {
    auto f = std::make_shared<PutFlags>();
    CLI::App* cmd = app.add_subcommand("put", "Put each line of stdin as a record");
    cmd->add_option("stream", f->stream, "Stream name")->required();
    cmd->add_option("--key-field", f->key_field,
                    "Lines are JSON objects; this member is the partition key (default: a random key per line)");
    cmd->add_option("--key", f->key, "The same partition key for every line");
    cmd->add_option("--in-flight", f->in_flight, "PutRecords requests in flight at once")
        ->check(CLI::Range(1, 64))
        ->capture_default_str();
    cmd->add_option("--linger-ms", f->linger_ms, "How long a partial batch waits for more lines")
        ->check(AtLeast(0))
        ->capture_default_str();
    cmd->add_option("--progress-interval", f->progress_s, "Seconds between progress lines on stderr")
        ->check(Seconds(false))
        ->capture_default_str();
    cmd->get_option("--key")->excludes(cmd->get_option("--key-field"));
    AddCommon(cmd, &f->common);
    commands.push_back({cmd, [f] { return RunPut(*f); }});
  }
  {
    auto f = std::make_shared<ReadFlags>();
    CLI::App* cmd = app.add_subcommand("get", "Read records (every shard, parents first) until caught up");
    AddReadFlags(cmd, f.get(), false);
    commands.push_back({cmd, [f] { return RunRead(*f, false); }});
  }
  {
    auto f = std::make_shared<ReadFlags>();
    CLI::App* cmd =
        app.add_subcommand("tail", "Print new records; with -f keep following, pushed by SubscribeToShard (or --poll)");
    AddReadFlags(cmd, f.get(), true);
    cmd->add_flag("-f,--follow", f->follow, "Keep following until interrupted (or --max / --for)");
    cmd->add_flag("--poll", f->poll, "Follow by polling GetRecords instead of SubscribeToShard");
    cmd->add_option("--consumer", f->consumer,
                    "Consumer name for SubscribeToShard, registered if needed and then deregistered when the tail "
                    "ends (default: sluice-cli-<random>, this process's own)");
    cmd->add_option("--for", f->for_seconds, "Stop following after this many seconds")->check(Seconds(true));
    cmd->add_option("--group", f->group,
                    "Read as a member of this consumer group: the server assigns the shards, and each record "
                    "printed is checkpointed in the group (--from: the group's initial position)");
    cmd->add_option("--member-id", f->member_id, "The member id in --group (default: one the server makes)")
        ->needs(cmd->get_option("--group"));
    cmd->add_flag("--push", f->push,
                  "In --group: the server pushes the records of this member's shards over one SubscribeToGroup "
                  "connection instead of GetRecords polls")
        ->needs(cmd->get_option("--group"));
    cmd->add_option("--session-timeout", f->session_timeout_s,
                    "Seconds without a heartbeat after which the server gives this member's shards to the others "
                    "(1 to 300; default: the server's, 10)")
        ->check(CLI::Range(1.0, 300.0))
        ->needs(cmd->get_option("--group"));
    commands.push_back({cmd, [f] { return RunRead(*f, true); }});
  }
  {
    auto f = std::make_shared<LeasesFlags>();
    CLI::App* cmd = app.add_subcommand(
        "leases", "Show a KCL application's lease table: which worker reads which shard, and its checkpoint");
    cmd->add_option("application", f->application, "The KCL application's name (it names the lease table)")->required();
    cmd->add_option("--stream", f->stream,
                    "The stream the application reads, to show how far behind each checkpoint is (multi-stream "
                    "applications name it in their lease keys)");
    AddCommon(cmd, &f->common);
    commands.push_back({cmd, [f] { return RunLeases(*f); }});
  }
  return commands;
}

}  // namespace sluice::cli
