#include "cluster/etcd_watch.h"

#include <chrono>

#include "cluster/etcd_json.h"
#include "util/log.h"

namespace sluice::cluster {
namespace {

// Splits the stream into its messages (the gateway ends each with a newline)
// and hands each to `on_message`; a message that fails stops the stream.
class LineSink final : public http::BodySink {
 public:
  explicit LineSink(std::function<Status(std::string_view)> on_message) : on_message_(std::move(on_message)) {}

  void OnBody(int status, std::string_view bytes) override {
    if (status != 200 || !failure_.ok()) return;
    buffer_.append(bytes);
    size_t start = 0;
    for (size_t nl; (nl = buffer_.find('\n', start)) != std::string::npos; start = nl + 1) {
      std::string_view line(buffer_.data() + start, nl - start);
      if (line.find_first_not_of(" \r\t") == std::string_view::npos) continue;
      failure_ = on_message_(line);
      if (!failure_.ok()) break;
    }
    buffer_.erase(0, start);
  }
  const Status& failure() const { return failure_; }

 private:
  std::function<Status(std::string_view)> on_message_;
  std::string buffer_;
  Status failure_;
};

// A watch stream is quiet while nothing changes: no idle limit of its own.
constexpr int64_t kStreamIdleMs = int64_t{24} * 3600 * 1000;

}  // namespace

EtcdWatch::EtcdWatch(EtcdClient& client, WatchOptions options)
    : client_(client), options_(std::move(options)), thread_([this] { Run(); }) {}

EtcdWatch::~EtcdWatch() { Stop(); }

void EtcdWatch::Stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

void EtcdWatch::Run() {
  const std::string range_end = PrefixEnd(options_.prefix);
  int64_t backoff_ms = 100;
  // Where the next stream starts: after the last event delivered, or, before
  // any, after the revision the first stream was created at (a watch "from
  // now" must not skip what changed while it reconnected).
  int64_t from = options_.from_revision;
  bool compacted = false;
  const auto wait = [&] {
    for (int64_t waited = 0; waited < backoff_ms && !stop_; waited += 20) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    backoff_ms = std::min<int64_t>(backoff_ms * 2, 1000);
  };
  while (!stop_) {
    if (compacted) {
      Result<int64_t> read = options_.on_compacted();
      if (!read.ok()) {
        log::Warn("etcd watch of {}: cannot read it again after a compaction: {}", options_.prefix,
                  read.status().ToString());
        wait();
        continue;
      }
      compacted = false;
      ++resyncs_;
      from = *read + 1;
      next_revision_ = from;
      log::Info("etcd watch of {}: read again at revision {}; watching from {}", options_.prefix, *read, from);
    }
    bool delivered = false;
    Status ended;  // a reason to end the watch for good
    LineSink sink([&](std::string_view line) -> Status {
      Result<etcd_json::WatchMessage> m = etcd_json::ParseWatchMessage(line);
      if (!m.ok()) return m.status();
      if (m->compact_revision > 0) {
        ended =
            Status::InvalidArgument("etcd: the watch of " + options_.prefix + " needs revision " +
                                    std::to_string(from) + ", compacted up to " + std::to_string(m->compact_revision));
        return ended;
      }
      if (m->canceled) return Status::BadResponse("etcd cancelled the watch: " + m->cancel_reason);
      if (m->created && from == 0) from = m->revision + 1;
      next_revision_ = from;
      if (m->events.empty()) return Status::Ok();
      options_.on_events(m->events);
      last_revision_ = m->events.back().kv.mod_revision;
      from = last_revision_ + 1;
      next_revision_ = from;
      delivered = true;
      return Status::Ok();
    });
    ++streams_opened_;
    Status s = client_.StreamOnce(
        "/v3/watch", etcd_json::WatchCreateRequest(options_.prefix, range_end, from), &sink,
        [this, &sink] { return stop_.load() || !sink.failure().ok(); }, kStreamIdleMs);
    if (stop_) break;
    if (!ended.ok() && options_.on_compacted) {
      log::Warn("{}; reading it again", ended.message());
      compacted = true;
      backoff_ms = 100;
      continue;
    }
    if (!ended.ok()) {
      log::Warn("{}", ended.message());
      if (options_.on_error) options_.on_error(ended);
      return;
    }
    if (delivered) backoff_ms = 100;
    log::Debug("etcd watch of {} ended ({}); reopening from revision {}", options_.prefix,
               sink.failure().ok() ? s.ToString() : sink.failure().ToString(), from);
    wait();
  }
}

}  // namespace sluice::cluster
