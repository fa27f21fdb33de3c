#include "client/subscriber.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>

#include "client/kinesis_http.h"
#include "http/event_stream_body.h"
#include "protocol/json_reader.h"
#include "protocol/json_writer.h"

namespace sluice::client {
namespace {

int64_t WallSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// Sleeps `ms`, in steps, unless stop() turns true; false when it did.
bool Pause(int64_t ms, const std::function<bool()>& stop) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  while (std::chrono::steady_clock::now() < until) {
    if (stop && stop()) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(std::min<int64_t>(ms, 50)));
  }
  return !(stop && stop());
}

}  // namespace

std::string SubscribeToShardBody(const std::string& consumer_arn, const std::string& shard_id,
                                 const StartingPosition& position) {
  std::string body;
  protocol::JsonWriter w(&body);
  w.BeginObject();
  w.Member("ConsumerARN", consumer_arn);
  w.Member("ShardId", shard_id);
  w.Key("StartingPosition");
  w.BeginObject();
  w.Member("Type", position.TypeName());
  if (position.type == StartType::kAtTimestamp) {
    w.Key("Timestamp");
    w.TimestampMillis(position.timestamp_ms);
  }
  if (position.type == StartType::kAtSequenceNumber || position.type == StartType::kAfterSequenceNumber) {
    w.Member("SequenceNumber", position.sequence_number);
  }
  w.EndObject();
  w.EndObject();
  return body;
}

ShardSubscriber::ShardSubscriber(ClientConfig config, SubscriberOptions options, std::string shard_id)
    : config_(std::move(config)), options_(std::move(options)), shard_id_(std::move(shard_id)) {}

Outcome<std::vector<ChildShard>> ShardSubscriber::Run(const RecordHandler& handler, const std::function<bool()>& stop) {
  // One connection, kept for the next subscription.
  Outcome<std::shared_ptr<http::HttpClient>> made = MakeKinesisHttpClient(config_, 1);
  if (!made.ok()) return made.error();
  http::HttpClient& conn = **made;
  http::ExchangeOptions exchange;
  exchange.idle_timeout_ms = options_.idle_timeout_ms;
  exchange.stop = stop;
  int64_t backoff_ms = 0;
  auto back_off = [&]() {
    backoff_ms = backoff_ms == 0 ? options_.backoff_base_ms : std::min(backoff_ms * 2, options_.backoff_max_ms);
    return Pause(backoff_ms, stop);
  };

  while (!(stop && stop())) {
    const StartingPosition pos =
        continuation_.empty() ? options_.start : StartingPosition::AfterSequenceNumber(continuation_);
    const http::Request request =
        JsonApiRequest(config_, conn.url().host_header, kKinesisApi, "SubscribeToShard",
                       SubscribeToShardBody(options_.consumer_arn, shard_id_, pos), WallSeconds());
    bool ended = false;
    std::vector<ChildShard> children;
    std::optional<Error> event_error;
    std::optional<Error> handler_error;
    http::EventStreamBody body([&](const protocol::EventStreamMessage& m) {
      switch (http::KindOf(m)) {
        case http::SubscribeMessageKind::kRecords: {
          Outcome<GetRecordsResult> event = ParseRecordsPayload(m.payload, shard_id_);
          if (!event.ok()) {
            handler_error = event.error();
            return;
          }
          for (const Record& r : event->records) handler(r);
          if (!event->continuation_sequence_number.empty()) continuation_ = event->continuation_sequence_number;
          if (!event->child_shards.empty() && event->continuation_sequence_number.empty()) {
            ended = true;
            children = event->child_shards;
          }
          break;
        }
        case http::SubscribeMessageKind::kInitialResponse: ++subscriptions_; break;
        case http::SubscribeMessageKind::kException: event_error = EventStreamExceptionError(m); break;
        default: break;
      }
    });
    exchange.sink = &body;
    Result<http::Response> r = conn.Stream(request, exchange);
    if (handler_error) return *handler_error;
    if (ended) return children;
    if (!r.ok()) {
      if (r.status().code() == ErrorCode::kCancelled) break;
      if (!back_off()) break;
      continue;
    }
    if (r->status != 200) {
      Error e = ParseErrorReply(HttpReply{r->status, body.error_body()});
      if (e.type == "ResourceInUseException" || e.Retryable()) {
        if (!back_off()) break;
        continue;
      }
      return e;
    }
    if (body.failed()) {  // bad event-stream framing inside a whole HTTP answer
      if (!back_off()) break;
      continue;
    }
    if (event_error) {
      if (event_error->type == "ResourceInUseException" || event_error->Retryable()) {
        if (!back_off()) break;
        continue;
      }
      return *event_error;
    }
    backoff_ms = 0;  // a clean end (the subscription's lifetime): subscribe again at once
  }
  return std::vector<ChildShard>{};
}

StreamSubscriber::StreamSubscriber(std::shared_ptr<Client> client, ClientConfig config, std::string stream_name,
                                   SubscriberOptions options)
    : client_(std::move(client)),
      config_(std::move(config)),
      stream_name_(std::move(stream_name)),
      options_(std::move(options)) {}

Outcome<Done> StreamSubscriber::Run(const RecordHandler& handler, const std::function<bool()>& stop) {
  Outcome<std::vector<Shard>> listed = client_->ListShards(stream_name_);
  if (!listed.ok()) return listed.error();
  const std::vector<std::string>& only = options_.shard_ids;
  Outcome<Done> wanted = CheckShardsListed(*client_, stream_name_, *listed, only);
  if (!wanted.ok()) return wanted.error();

  struct Node {
    std::vector<std::string> parents;
    StartingPosition start;
    enum { kWaiting, kRunning, kFinished } state = kWaiting;
  };
  std::mutex mu;
  std::condition_variable cv;
  std::map<std::string, Node> nodes;
  std::optional<Error> failure;
  std::mutex handler_mu;
  std::atomic<bool> quit{false};
  auto should_stop = [&] { return quit.load() || (stop && stop()); };

  const bool latest = options_.start.type == StartType::kLatest;
  const StartingPosition later =
      options_.start.type == StartType::kAtTimestamp ? options_.start : StartingPosition::TrimHorizon();
  for (const Shard& s : *listed) {
    Node n;
    n.start = options_.start;
    if (!only.empty()) {
      if (std::find(only.begin(), only.end(), s.shard_id) == only.end()) continue;
    } else if (latest) {
      if (!s.open()) n.state = Node::kFinished;
    } else {
      if (!s.parent_shard_id.empty()) n.parents.push_back(s.parent_shard_id);
      if (!s.adjacent_parent_shard_id.empty()) n.parents.push_back(s.adjacent_parent_shard_id);
    }
    nodes.emplace(s.shard_id, std::move(n));
  }

  std::vector<std::thread> threads;
  int running = 0;
  auto serialized = [&](const Record& r) {
    std::lock_guard lock(handler_mu);
    handler(r);
  };
  std::unique_lock lock(mu);
  while (true) {
    for (auto& [id, n] : nodes) {
      if (n.state != Node::kWaiting) continue;
      bool ready = true;
      for (const std::string& p : n.parents) {
        auto it = nodes.find(p);
        if (it != nodes.end() && it->second.state != Node::kFinished) ready = false;
      }
      if (!ready) continue;
      n.state = Node::kRunning;
      ++running;
      SubscriberOptions opts = options_;
      opts.start = n.start;
      threads.emplace_back([&, id = id, opts] {
        ShardSubscriber sub(config_, opts, id);
        Outcome<std::vector<ChildShard>> r = sub.Run(serialized, should_stop);
        std::lock_guard inner(mu);
        --running;
        if (!r.ok()) {
          if (!failure) failure = r.error();
          quit = true;
        } else if (!should_stop()) {
          nodes[id].state = Node::kFinished;
          for (const ChildShard& c : *r) {
            if (!only.empty() || nodes.count(c.shard_id) != 0) continue;  // asked for some: not their children
            Node child;
            child.parents = c.parent_shards;
            child.start = later;
            nodes.emplace(c.shard_id, std::move(child));
          }
        }
        cv.notify_all();
      });
    }
    const bool waiting =
        std::any_of(nodes.begin(), nodes.end(), [](const auto& n) { return n.second.state == Node::kWaiting; });
    if (running == 0 && (should_stop() || !waiting)) break;
    cv.wait_for(lock, std::chrono::milliseconds(100));
  }
  lock.unlock();
  for (auto& t : threads) t.join();
  if (failure) return *failure;
  return Done{};
}

}  // namespace sluice::client
