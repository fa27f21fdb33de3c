#include "cli/bench_seed.h"

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CLI/CLI.hpp>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <mutex>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "cli/client_commands.h"
#include "client/client.h"
#include "client/producer.h"
#include "client/reader.h"
#include "client/subscriber.h"
#include "protocol/errors.h"
#include "util/status.h"

namespace sluice::cli {
namespace {

using client::Client;
using client::ClientConfig;
using client::Error;
using client::Outcome;
using Clock = std::chrono::steady_clock;

struct SeedFlags {
  std::string endpoint;
  std::string region;
  std::string out_dir = "bench-results/seed";
  bool quick = false;
  double put_seconds = 5;
  double lag_seconds = 10;
  int rate = 200;
  int record_size = 100;
  std::vector<int> shards{1, 2, 3};
  int threads = 16;
};

struct PutRow {
  int shards = 0;
  std::string api;
  double records_per_s = 0;
  uint64_t records = 0;
  uint64_t errors = 0;
  int record_size = 0;
};

// PutRecord threads putting while one Reader polls every shard without pause.
struct TogetherRow {
  int shards = 0;
  double put_per_s = 0;
  double read_per_s = 0;  // records read during the put phase, per second
  uint64_t put = 0;
  uint64_t read = 0;  // after the reader caught up (with a deadline)
  uint64_t errors = 0;
};

struct LagRow {
  std::string mode;
  uint64_t sent = 0;
  uint64_t received = 0;
  std::vector<double> lags_ms;  // sorted
  double Percentile(double p) const {
    if (lags_ms.empty()) return 0;
    const size_t i = std::min(lags_ms.size() - 1, static_cast<size_t>(p / 100.0 * static_cast<double>(lags_ms.size())));
    return lags_ms[i];
  }
};

int64_t WallMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

double Since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// The client library's error as a Status. The message is the client's
// "<type>: <message>"; the code is the service's exception when the server
// answered (InternalFailure for one the table does not name), else what kept
// the answer away (ConnectionFailed, TimedOut, TlsFailed, BadResponse).
Status FromClientError(const Error& e) {
  std::string message = e.ToString();
  if (e.http_status == 0) {
    if (e.type == "TimeoutError") return Status::TimedOut(std::move(message));
    if (e.type == "TlsError") return Status::TlsFailed(std::move(message));
    if (e.type == "ProtocolError") return Status::BadResponse(std::move(message));
    return Status::ConnectionFailed(std::move(message));  // ConnectionError, ClientError, Stopped
  }
  for (int c = static_cast<int>(ErrorCode::kResourceNotFound); c <= static_cast<int>(ErrorCode::kServiceUnavailable);
       ++c) {
    const auto code = static_cast<ErrorCode>(c);
    if (e.type == protocol::ErrorTypeName(code)) return Status(code, std::move(message));
  }
  return Status::Internal(std::move(message));
}

// kExitUnreachable when no answer came from the server, else kExitServerError.
int ExitCodeFor(const Status& failure) {
  switch (failure.code()) {
    case ErrorCode::kConnectionFailed:
    case ErrorCode::kTimedOut:
    case ErrorCode::kTlsFailed:
    case ErrorCode::kBadResponse:
    case ErrorCode::kCancelled: return kExitUnreachable;
    default: return kExitServerError;
  }
}

// The put time stamped at the start of a record's data (see Payload()), or
// nothing for a record without one.
std::optional<int64_t> StampOf(const std::string& data) {
  int64_t stamp_us = 0;
  const auto [end, ec] = std::from_chars(data.data(), data.data() + data.size(), stamp_us);
  if (ec != std::errc()) return std::nullopt;
  return stamp_us;
}

// A stream for one measurement, deleted on scope exit once Create() made it.
class ScratchStream {
 public:
  ScratchStream(Client& client, const std::string& purpose) : client_(client) {
    std::mt19937_64 rng(std::random_device{}());
    char suffix[16];
    std::snprintf(suffix, sizeof suffix, "%08llx", static_cast<unsigned long long>(rng() & 0xffffffffu));
    name_ = "sluice-seed-" + purpose + "-" + suffix;
  }
  ~ScratchStream() {
    // Best effort: a scratch stream left behind is only clutter.
    if (created_) (void)client_.DeleteStream(name_, true);
  }
  ScratchStream(const ScratchStream&) = delete;
  ScratchStream& operator=(const ScratchStream&) = delete;

  // CreateStream, then waits (up to a minute) for it to be ACTIVE.
  Status Create(int shards) {
    Outcome<client::Done> r = client_.CreateStream(name_, shards);
    if (!r.ok()) return FromClientError(r.error());
    created_ = true;
    Outcome<client::StreamSummary> s = client_.WaitForActive(name_, 60000);
    if (!s.ok()) return FromClientError(s.error());
    arn_ = s->arn;
    return Status::Ok();
  }
  const std::string& name() const { return name_; }
  const std::string& arn() const { return arn_; }

 private:
  Client& client_;
  std::string name_;
  std::string arn_;
  bool created_ = false;
};

std::string Payload(int size, int64_t stamp_us) {
  std::string s = std::to_string(stamp_us);
  if (static_cast<int>(s.size()) < size) s.append(static_cast<size_t>(size) - s.size(), ' ');
  return s;
}

// f.threads threads, one PutRecord at a time each, for f.put_seconds.
struct PutCounts {
  uint64_t ok = 0;
  uint64_t errors = 0;
  double seconds = 0;
};

Result<PutCounts> PutRecordFor(const std::shared_ptr<Client>& client, const SeedFlags& f, const std::string& stream) {
  std::atomic<uint64_t> ok{0}, errors{0};
  std::optional<Error> fatal;
  std::mutex mu;
  const std::string data = Payload(f.record_size, 0);
  const auto start = Clock::now();
  const auto until = start + std::chrono::duration<double>(f.put_seconds);
  std::vector<std::thread> threads;
  for (int t = 0; t < f.threads; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937_64 rng(static_cast<uint64_t>(t) * 7919 + 1);
      while (Clock::now() < until) {
        Outcome<client::PutResult> r = client->PutRecord(stream, std::to_string(rng()), data);
        if (r.ok()) {
          ++ok;
        } else {
          ++errors;
          if (!r.error().Retryable()) {
            std::lock_guard lock(mu);
            if (!fatal) fatal = r.error();
            return;
          }
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  if (fatal) return FromClientError(*fatal);
  return PutCounts{ok.load(), errors.load(), Since(start)};
}

Result<PutRow> MeasurePutRecord(const std::shared_ptr<Client>& client, const SeedFlags& f, int shards) {
  ScratchStream stream(*client, "put");
  SLUICE_RETURN_IF_ERROR(stream.Create(shards));
  SLUICE_ASSIGN_OR_RETURN(const PutCounts c, PutRecordFor(client, f, stream.name()));
  return PutRow{shards, "PutRecord", static_cast<double>(c.ok) / c.seconds, c.ok, c.errors, f.record_size};
}

// A thread that runs a reader until stopped, keeping how it failed. Stop()
// joins it; failure() is read after that.
class ReaderThread {
 public:
  // `run` is called on the thread with the stop condition; it returns how it ended.
  explicit ReaderThread(std::function<Status(const std::function<bool()>&)> run)
      : thread_([this, run = std::move(run)] {
          failure_ = run([this] { return stop_.load(); });
          failed_ = !failure_.ok();
        }) {}
  ~ReaderThread() { Stop(); }
  ReaderThread(const ReaderThread&) = delete;
  ReaderThread& operator=(const ReaderThread&) = delete;

  // True once the reader ended with an error (safe while it runs).
  bool failed() const { return failed_.load(); }
  void Stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  // How the reader failed; OK if it did not. Only after Stop().
  const Status& failure() const { return failure_; }

 private:
  std::atomic<bool> stop_{false};
  std::atomic<bool> failed_{false};
  Status failure_;
  std::thread thread_;  // last: starts once the members above exist
};

// Puts and gets together: the PutRecord measurement while a Reader (from
// TRIM_HORIZON, no pause after an empty answer) reads every shard.
Result<TogetherRow> MeasureTogether(const std::shared_ptr<Client>& client, const SeedFlags& f, int shards) {
  ScratchStream stream(*client, "both");
  SLUICE_RETURN_IF_ERROR(stream.Create(shards));
  client::ReaderOptions ro;
  ro.stream_name = stream.name();
  ro.start = client::StartingPosition::TrimHorizon();
  ro.idle_poll_ms = 0;
  client::Reader reader(client, ro);
  std::atomic<uint64_t> read{0};
  ReaderThread t([&](const std::function<bool()>& stop) {
    Outcome<client::Done> r = reader.Run([&](const client::Record&) { ++read; }, false, stop);
    return r.ok() ? Status::Ok() : FromClientError(r.error());
  });
  SLUICE_ASSIGN_OR_RETURN(const PutCounts c, PutRecordFor(client, f, stream.name()));
  const uint64_t read_during = read.load();
  // The reader catches up (with a deadline) so the row can say whether every record arrived.
  const auto deadline = Clock::now() + std::chrono::seconds(30);
  while (read.load() < c.ok && !t.failed() && Clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  t.Stop();
  SLUICE_RETURN_IF_ERROR(t.failure());
  return TogetherRow{
      shards,  static_cast<double>(c.ok) / c.seconds, static_cast<double>(read_during) / c.seconds, c.ok, read.load(),
      c.errors};
}

Result<PutRow> MeasurePutRecords(const std::shared_ptr<Client>& client, const SeedFlags& f, int shards) {
  ScratchStream stream(*client, "puts");
  SLUICE_RETURN_IF_ERROR(stream.Create(shards));
  client::ProducerOptions po;
  po.stream_name = stream.name();
  po.in_flight = 8;
  po.linger_ms = 5;
  po.ordering = client::Ordering::kBatched;
  client::Producer producer(client, po);
  const std::string data = Payload(f.record_size, 0);
  std::mt19937_64 rng(42);
  const auto start = Clock::now();
  const auto until = start + std::chrono::duration<double>(f.put_seconds);
  std::optional<std::future<Outcome<client::PutResult>>> probe;
  uint64_t n = 0;
  while (Clock::now() < until) {
    auto fut = producer.Put(std::to_string(rng()), data);
    if (++n % 4096 == 1) probe = std::move(fut);  // one kept to report a failure
  }
  producer.Flush();
  const double seconds = Since(start);
  const client::Producer::Stats stats = producer.stats();
  if (probe) {
    Outcome<client::PutResult> r = probe->get();
    if (!r.ok() && !r.error().Retryable()) return FromClientError(r.error());
  }
  return PutRow{shards,
                "PutRecords",
                static_cast<double>(stats.records_acknowledged) / seconds,
                stats.records_acknowledged,
                stats.records_failed,
                f.record_size};
}

// Puts at f.rate records/s for f.lag_seconds with PutRecord (stamped with the
// send time) while `consume` runs; `received` returns how many arrived.
Result<LagRow> MeasureLag(const std::shared_ptr<Client>& client, const SeedFlags& f, const std::string& mode,
                          const std::string& stream, const std::function<size_t()>& received) {
  LagRow row;
  row.mode = mode;
  const auto start = Clock::now();
  const auto period = std::chrono::duration<double>(1.0 / f.rate);
  const uint64_t total = static_cast<uint64_t>(f.lag_seconds * f.rate);
  for (uint64_t i = 0; i < total; ++i) {
    std::this_thread::sleep_until(start + std::chrono::duration_cast<Clock::duration>(period * static_cast<double>(i)));
    Outcome<client::PutResult> r =
        client->PutRecord(stream, "k" + std::to_string(i % 16), Payload(f.record_size, WallMicros()));
    if (r.ok())
      ++row.sent;
    else if (!r.error().Retryable())
      return FromClientError(r.error());
  }
  // Wait (with a deadline) for the records still on their way.
  const auto deadline = Clock::now() + std::chrono::seconds(10);
  while (received() < row.sent && Clock::now() < deadline) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  return row;
}

// Put-to-receive lags of stamped records, in milliseconds, gathered from a
// reader's thread.
class LagCollector {
 public:
  void Add(const client::Record& r) {
    const std::optional<int64_t> stamp_us = StampOf(r.data);
    if (!stamp_us) return;  // not one of ours
    const double lag = static_cast<double>(WallMicros() - *stamp_us) / 1000.0;
    std::lock_guard lock(mu_);
    lags_.push_back(lag);
  }
  size_t size() {
    std::lock_guard lock(mu_);
    return lags_.size();
  }
  // Moves the lags, sorted, into `row`; once the reader has stopped.
  void Finish(LagRow* row) {
    std::lock_guard lock(mu_);
    row->lags_ms = std::move(lags_);
    row->received = row->lags_ms.size();
    std::sort(row->lags_ms.begin(), row->lags_ms.end());
  }

 private:
  std::mutex mu_;
  std::vector<double> lags_;
};

Result<LagRow> LagByPolling(const std::shared_ptr<Client>& client, const SeedFlags& f, int64_t idle_poll_ms) {
  ScratchStream stream(*client, "poll");
  SLUICE_RETURN_IF_ERROR(stream.Create(1));
  client::ReaderOptions ro;
  ro.stream_name = stream.name();
  ro.start = client::StartingPosition::Latest();
  ro.idle_poll_ms = idle_poll_ms;
  client::Reader reader(client, ro);
  LagCollector lags;
  auto handler = [&](const client::Record& r) { lags.Add(r); };
  // The first poll takes the LATEST iterators before anything is put.
  Outcome<client::Reader::PollResult> first = reader.Poll(handler);
  if (!first.ok()) return FromClientError(first.error());
  ReaderThread t([&](const std::function<bool()>& stop) {
    Outcome<client::Done> r = reader.Run(handler, false, stop);
    return r.ok() ? Status::Ok() : FromClientError(r.error());
  });
  SLUICE_ASSIGN_OR_RETURN(
      LagRow row, MeasureLag(client, f, idle_poll_ms == 0 ? "GetRecords, 0 ms polling" : "GetRecords, 1 s polling",
                             stream.name(), [&] { return lags.size(); }));
  t.Stop();
  SLUICE_RETURN_IF_ERROR(t.failure());
  lags.Finish(&row);
  return row;
}

Result<LagRow> LagByPush(const std::shared_ptr<Client>& client, const ClientConfig& config, const SeedFlags& f) {
  ScratchStream stream(*client, "push");
  SLUICE_RETURN_IF_ERROR(stream.Create(1));
  Outcome<client::Consumer> consumer = client->EnsureConsumer(stream.arn(), "seed", 60000);
  if (!consumer.ok()) return FromClientError(consumer.error());
  client::SubscriberOptions so;
  so.consumer_arn = consumer->arn;
  so.start = client::StartingPosition::Latest();
  client::ShardSubscriber sub(config, so, "shardId-000000000000");
  LagCollector lags;
  ReaderThread t([&](const std::function<bool()>& stop) {
    auto r = sub.Run([&](const client::Record& r) { lags.Add(r); }, stop);
    return r.ok() ? Status::Ok() : FromClientError(r.error());
  });
  const auto deadline = Clock::now() + std::chrono::seconds(30);
  while (sub.subscriptions() == 0 && !t.failed() && Clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  if (sub.subscriptions() == 0) {
    t.Stop();
    if (!t.failure().ok()) return t.failure();
    return FromClientError(Error{"TimeoutError", "SubscribeToShard did not start", 0});
  }
  SLUICE_ASSIGN_OR_RETURN(LagRow row,
                          MeasureLag(client, f, "SubscribeToShard (push)", stream.name(), [&] { return lags.size(); }));
  t.Stop();
  SLUICE_RETURN_IF_ERROR(t.failure());
  lags.Finish(&row);
  return row;
}

// Every measurement in turn, into the rows; the first failure ends them.
Status Measure(const std::shared_ptr<Client>& client, const ClientConfig& config, const SeedFlags& f,
               std::vector<PutRow>* puts, std::vector<TogetherRow>* together, std::vector<LagRow>* lags) {
  for (int shards : f.shards) {
    std::fprintf(stderr, "seed: PutRecord, %d shard%s\n", shards, shards == 1 ? "" : "s");
    SLUICE_ASSIGN_OR_RETURN(PutRow single, MeasurePutRecord(client, f, shards));
    puts->push_back(std::move(single));
    std::fprintf(stderr, "seed: PutRecords, %d shard%s\n", shards, shards == 1 ? "" : "s");
    SLUICE_ASSIGN_OR_RETURN(PutRow batched, MeasurePutRecords(client, f, shards));
    puts->push_back(std::move(batched));
  }
  for (int shards : f.shards) {
    std::fprintf(stderr, "seed: PutRecord with a reader, %d shard%s\n", shards, shards == 1 ? "" : "s");
    SLUICE_ASSIGN_OR_RETURN(TogetherRow row, MeasureTogether(client, f, shards));
    together->push_back(std::move(row));
  }
  std::fprintf(stderr, "seed: lag, GetRecords polling every 1 s\n");
  SLUICE_ASSIGN_OR_RETURN(LagRow slow, LagByPolling(client, f, 1000));
  lags->push_back(std::move(slow));
  std::fprintf(stderr, "seed: lag, GetRecords polling without pause\n");
  SLUICE_ASSIGN_OR_RETURN(LagRow fast, LagByPolling(client, f, 0));
  lags->push_back(std::move(fast));
  std::fprintf(stderr, "seed: lag, SubscribeToShard\n");
  SLUICE_ASSIGN_OR_RETURN(LagRow push, LagByPush(client, config, f));
  lags->push_back(std::move(push));
  return Status::Ok();
}

std::string Fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

bool WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  return static_cast<bool>(out);
}

bool MakeDirs(const std::string& path) {
  std::string partial;
  std::stringstream ss(path);
  std::string part;
  if (!path.empty() && path[0] == '/') partial = "/";
  while (std::getline(ss, part, '/')) {
    if (part.empty()) continue;
    partial += part + "/";
    if (mkdir(partial.c_str(), 0755) != 0 && errno != EEXIST) return false;
  }
  return true;
}

// Runs gnuplot on `script` in `dir`: IoError if it cannot start or fails.
Status RunGnuplot(const std::string& dir, const std::string& script) {
  const pid_t pid = fork();
  if (pid < 0) return Status::IoError("fork failed");
  if (pid == 0) {
    if (chdir(dir.c_str()) != 0) _exit(126);
    execlp("gnuplot", "gnuplot", script.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return Status::Ok();
  return Status::IoError(WIFEXITED(status) && WEXITSTATUS(status) == 127
                             ? "gnuplot not found (install the gnuplot-nox package; scripts/bootstrap does)"
                             : "gnuplot failed with status " +
                                   std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : -1));
}

constexpr const char* kPlotScript =
    R"gp(# Drawn by `sluice bench seed`; run `gnuplot plots.gp` in this folder to redraw.
set terminal pngcairo size 900,500 noenhanced font "sans,10"
set datafile separator "\t"
set grid ytics

set output "throughput.png"
set title "Puts per second per shard"
set xlabel "shards"
set ylabel "records/s per shard"
set xtics 1
set offsets 0.2, 0.2, 0, 0
set yrange [0:*]
set key top right
plot "throughput.dat" using 1:2 with linespoints lw 2 pt 7 title "PutRecord", \
     "throughput.dat" using 1:3 with linespoints lw 2 pt 5 title "PutRecords", \
     "throughput.dat" using 1:4 with linespoints lw 2 pt 9 title "PutRecord with a reader polling"

set output "lag.png"
set title "Put-to-get lag"
set xlabel "percentile"
set ylabel "lag (ms)"
set logscale y
set xtics ("p50" 0, "p90" 1, "p99" 2, "max" 3)
set key top left
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set boxwidth 0.9
plot "lag.dat" using 2 title columnheader(2), "" using 3 title columnheader(3), "" using 4 title columnheader(4)
)gp";

}  // namespace

int RunBenchSeed(int argc, char** argv) {
  SeedFlags f;
  CLI::App app{
      "sluice bench seed: puts/s per shard (alone and with a reader polling) and put-to-get lag "
      "through the client library, as a Markdown report with PNG plots"};
  app.name("sluice bench seed");
  app.add_option("--endpoint", f.endpoint, "Server URL (default as the client commands: $SLUICE_ENDPOINT, ...)");
  app.add_option("--region", f.region, "Region to sign for");
  app.add_option("--out", f.out_dir, "Results folder (created)")->capture_default_str();
  app.add_flag("--quick", f.quick, "Short phases (1 s of puts, 3 s of lag each), for tests");
  app.add_option("--put-seconds", f.put_seconds, "Seconds of each put measurement")->capture_default_str();
  app.add_option("--lag-seconds", f.lag_seconds, "Seconds of each lag measurement")->capture_default_str();
  app.add_option("--rate", f.rate, "Records/s put during the lag measurements")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  app.add_option("--record-size", f.record_size, "Bytes per record")
      ->check(CLI::Range(20, 1048576))
      ->capture_default_str();
  app.add_option("--shards", f.shards, "Shard counts of the put measurements")->delimiter(',')->capture_default_str();
  app.add_option("--threads", f.threads, "PutRecord threads")->check(CLI::Range(1, 256))->capture_default_str();
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? kExitOk : kExitUsage;
  }
  if (f.quick) {
    f.put_seconds = 1;
    f.lag_seconds = 3;
  }
  for (int s : f.shards) {
    if (s < 1 || s > 100) {
      std::fprintf(stderr, "sluice: --shards: %d is not within 1..100\n", s);
      return kExitUsage;
    }
  }

  ClientConfig config = ClientConfig::FromEnvironment();
  if (!f.endpoint.empty()) config.endpoint = f.endpoint;
  if (!f.region.empty()) config.region = f.region;
  Outcome<std::shared_ptr<Client>> connected = Client::Connect(config);
  if (!connected.ok()) {
    std::fprintf(stderr, "sluice: %s\n", connected.error().ToString().c_str());
    return kExitUsage;
  }
  std::shared_ptr<Client> client = *connected;
  if (!MakeDirs(f.out_dir)) {
    std::fprintf(stderr, "sluice: cannot create %s\n", f.out_dir.c_str());
    return kExitServerError;
  }

  std::vector<PutRow> puts;
  std::vector<TogetherRow> together;
  std::vector<LagRow> lags;
  const Status measured = Measure(client, config, f, &puts, &together, &lags);
  if (!measured.ok()) {
    std::fprintf(stderr, "sluice: %s\n", measured.message().c_str());
    return ExitCodeFor(measured);
  }

  // Data files and plots.
  std::string throughput =
      "# shards\tPutRecord records/s per shard\tPutRecords records/s per shard\t"
      "PutRecord with a reader, records/s per shard\n";
  for (int shards : f.shards) {
    double single = 0, batched = 0, with_reader = 0;
    for (const PutRow& r : puts) {
      if (r.shards != shards) continue;
      (r.api == "PutRecord" ? single : batched) = r.records_per_s / shards;
    }
    for (const TogetherRow& r : together) {
      if (r.shards == shards) with_reader = r.put_per_s / shards;
    }
    throughput += std::to_string(shards) + "\t" + Fixed(single, 1) + "\t" + Fixed(batched, 1) + "\t" +
                  Fixed(with_reader, 1) + "\n";
  }
  std::string lag_dat = "percentile";
  for (const LagRow& r : lags) lag_dat += "\t" + r.mode;
  lag_dat += "\n";
  const std::pair<const char*, double> percentiles[] = {{"p50", 50}, {"p90", 90}, {"p99", 99}, {"max", 100}};
  for (const auto& [label, p] : percentiles) {
    lag_dat += label;
    for (const LagRow& r : lags) lag_dat += "\t" + Fixed(std::max(0.01, r.Percentile(p)), 3);
    lag_dat += "\n";
  }
  if (!WriteFile(f.out_dir + "/throughput.dat", throughput) || !WriteFile(f.out_dir + "/lag.dat", lag_dat) ||
      !WriteFile(f.out_dir + "/plots.gp", kPlotScript)) {
    std::fprintf(stderr, "sluice: cannot write into %s\n", f.out_dir.c_str());
    return kExitServerError;
  }
  if (Status plotted = RunGnuplot(f.out_dir, "plots.gp"); !plotted.ok()) {
    std::fprintf(stderr, "sluice: %s\n", plotted.message().c_str());
    return kExitServerError;
  }

  std::string md = "# sluice bench seed\n\n";
  md += "Endpoint " + config.endpoint + "; records of " + std::to_string(f.record_size) + " bytes; " +
        Fixed(f.put_seconds, 1) + " s per put measurement (PutRecord: " + std::to_string(f.threads) +
        " threads; PutRecords: the Producer, 8 requests in flight); lag: " + std::to_string(f.rate) +
        " records/s put with PutRecord for " + Fixed(f.lag_seconds, 1) + " s on one shard.\n\n";
  md += "## Puts\n\n| shards | API | records/s | records/s per shard | MB/s | records | errors |\n";
  md += "|---:|---|---:|---:|---:|---:|---:|\n";
  for (const PutRow& r : puts) {
    md += "| " + std::to_string(r.shards) + " | " + r.api + " | " + Fixed(r.records_per_s, 0) + " | " +
          Fixed(r.records_per_s / r.shards, 0) + " | " + Fixed(r.records_per_s * r.record_size / 1e6, 2) + " | " +
          std::to_string(r.records) + " | " + std::to_string(r.errors) + " |\n";
  }
  md += "\n![puts per shard](throughput.png)\n\n";
  md +=
      "## Puts and gets together\n\nPutRecord as above while one Reader polls every shard from TRIM_HORIZON without "
      "pause; records read/s counts what was read during the puts.\n\n";
  md += "| shards | put records/s | put records/s per shard | read records/s | records put | records read | errors |\n";
  md += "|---:|---:|---:|---:|---:|---:|---:|\n";
  for (const TogetherRow& r : together) {
    md += "| " + std::to_string(r.shards) + " | " + Fixed(r.put_per_s, 0) + " | " + Fixed(r.put_per_s / r.shards, 0) +
          " | " + Fixed(r.read_per_s, 0) + " | " + std::to_string(r.put) + " | " + std::to_string(r.read) + " | " +
          std::to_string(r.errors) + " |\n";
  }
  md += "\n";
  md += "## Put-to-get lag\n\n| reader | records put | received | p50 ms | p90 ms | p99 ms | max ms |\n";
  md += "|---|---:|---:|---:|---:|---:|---:|\n";
  for (const LagRow& r : lags) {
    md += "| " + r.mode + " | " + std::to_string(r.sent) + " | " + std::to_string(r.received) + " | " +
          Fixed(r.Percentile(50), 1) + " | " + Fixed(r.Percentile(90), 1) + " | " + Fixed(r.Percentile(99), 1) + " | " +
          Fixed(r.Percentile(100), 1) + " |\n";
  }
  md += "\n![put-to-get lag](lag.png)\n";
  if (!WriteFile(f.out_dir + "/results.md", md)) {
    std::fprintf(stderr, "sluice: cannot write into %s\n", f.out_dir.c_str());
    return kExitServerError;
  }
  std::fwrite(md.data(), 1, md.size(), stdout);
  std::fprintf(stderr, "seed: wrote %s/results.md, throughput.png, lag.png\n", f.out_dir.c_str());
  return kExitOk;
}

}  // namespace sluice::cli
