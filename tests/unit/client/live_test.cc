// The client library against a real server started in this process.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "client/producer.h"
#include "client/reader.h"
#include "client/subscriber.h"
#include "live_server.h"

namespace sluice::client {
namespace {

using namespace std::chrono_literals;

// Fails the first `n` calls of `operation` with `error`, passes the rest on.
class FaultyTransport final : public Transport {
 public:
  FaultyTransport(std::shared_ptr<Transport> inner, std::string operation, int n, std::string error)
      : inner_(std::move(inner)), operation_(std::move(operation)), left_(n), error_(std::move(error)) {}
  Outcome<HttpReply> CallApi(const JsonApi& api, std::string_view operation, std::string_view body) override {
    if (operation == operation_) {
      ++calls_;
      // Let the first call through, so a fault hits a reader mid-shard.
      if (calls_ > 1 && left_ > 0) {
        --left_;
        return HttpReply{400, "{\"__type\":\"" + error_ + "\",\"message\":\"injected\"}"};
      }
    }
    return inner_->CallApi(api, operation, body);
  }
  std::atomic<int> calls_{0};

 private:
  std::shared_ptr<Transport> inner_;
  std::string operation_;
  std::atomic<int> left_;
  std::string error_;
};

bool WaitFor(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

std::string NewStream(Client& c, int shards) {
  static std::atomic<int> n{0};
  const std::string name = "client-test-" + std::to_string(++n);
  Outcome<Done> r = c.CreateStream(name, shards);
  EXPECT_TRUE(r.ok()) << r.error().ToString();
  EXPECT_TRUE(c.WaitForActive(name, 10000).ok());
  return name;
}

// Puts n records per key for `keys` keys, data "<key>:<i>".
void PutRecords(Client& c, const std::string& stream, int keys, int n) {
  for (int i = 0; i < n; ++i) {
    std::vector<PutRecordsEntry> batch;
    for (int k = 0; k < keys; ++k)
      batch.push_back({"key" + std::to_string(k), "key" + std::to_string(k) + ":" + std::to_string(i), ""});
    auto r = c.PutRecords(stream, batch);
    ASSERT_TRUE(r.ok()) << r.error().ToString();
    for (const auto& e : *r) ASSERT_TRUE(e.error_code.empty()) << e.error_code;
  }
}

void ExpectEveryKeyInOrder(const std::vector<Record>& records, int keys, int n) {
  std::map<std::string, std::vector<std::string>> by_key;
  for (const Record& r : records) by_key[r.partition_key].push_back(r.data);
  ASSERT_EQ(by_key.size(), static_cast<size_t>(keys));
  for (const auto& [key, datas] : by_key) {
    ASSERT_EQ(datas.size(), static_cast<size_t>(n)) << key;
    for (int i = 0; i < n; ++i) EXPECT_EQ(datas[i], key + ":" + std::to_string(i));
  }
}

TEST(LiveClient, ControlPlaneCallsAndTheServicesErrors) {
  LiveServer server;
  auto c = server.NewClient();
  const std::string name = NewStream(*c, 3);
  Outcome<StreamSummary> s = c->DescribeStreamSummary(name);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->open_shard_count, 3);
  EXPECT_EQ(s->retention_hours, 24);
  EXPECT_NE(s->arn.find(":stream/" + name), std::string::npos);
  Outcome<std::vector<std::string>> names = c->ListStreams();
  ASSERT_TRUE(names.ok());
  EXPECT_EQ(*names, std::vector<std::string>{name});
  ASSERT_TRUE(c->SetRetention(name, 48).ok());
  EXPECT_EQ(c->DescribeStreamSummary(name)->retention_hours, 48);
  ASSERT_TRUE(c->UpdateShardCount(name, 6).ok());
  ASSERT_TRUE(c->WaitForActive(name, 10000).ok());
  EXPECT_EQ(c->DescribeStreamSummary(name)->open_shard_count, 6);

  Outcome<StreamSummary> missing = c->DescribeStreamSummary("nope");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().type, "ResourceNotFoundException");
  EXPECT_EQ(missing.error().http_status, 400);
  EXPECT_NE(missing.error().message.find("nope"), std::string::npos);
}

TEST(LiveClient, ProducerAndReaderRoundTripInPerKeyOrder) {
  LiveServer server;
  auto c = server.NewClient();
  const std::string name = NewStream(*c, 3);
  ProducerOptions po;
  po.stream_name = name;
  po.linger_ms = 5;
  po.in_flight = 3;
  Producer producer(c, po);
  std::vector<std::future<Outcome<PutResult>>> futures;
  for (int i = 0; i < 200; ++i) {
    for (int k = 0; k < 10; ++k) {
      futures.push_back(producer.Put("key" + std::to_string(k), "key" + std::to_string(k) + ":" + std::to_string(i)));
    }
  }
  producer.Flush();
  std::set<std::string> shards;
  for (auto& f : futures) {
    Outcome<PutResult> r = f.get();
    ASSERT_TRUE(r.ok()) << r.error().ToString();
    shards.insert(r->shard_id);
  }
  EXPECT_GT(shards.size(), 1u);

  ReaderOptions ro;
  ro.stream_name = name;
  ro.start = StartingPosition::TrimHorizon();
  ro.limit = 100;
  Reader reader(c, ro);
  std::vector<Record> got;
  ASSERT_TRUE(reader.Run([&](const Record& r) { got.push_back(r); }, true, nullptr).ok());
  ExpectEveryKeyInOrder(got, 10, 200);
}

TEST(LiveClient, ReaderFollowsReshardingParentsFirst) {
  LiveServer server;
  auto c = server.NewClient();
  const std::string name = NewStream(*c, 2);
  PutRecords(*c, name, 6, 10);
  ASSERT_TRUE(c->UpdateShardCount(name, 4).ok());
  ASSERT_TRUE(c->WaitForActive(name, 10000).ok());
  PutRecords(*c, name, 6, 10);

  ReaderOptions ro;
  ro.stream_name = name;
  ro.start = StartingPosition::TrimHorizon();
  Reader reader(c, ro);
  std::vector<Record> got;
  ASSERT_TRUE(reader.Run([&](const Record& r) { got.push_back(r); }, true, nullptr).ok());
  // Each key's 20 records: "key:0".."key:9" before resharding, then again
  // "key:0".."key:9" in a child shard — read after its parent's.
  std::map<std::string, std::vector<std::string>> by_key;
  for (const Record& r : got) by_key[r.partition_key].push_back(r.data);
  ASSERT_EQ(by_key.size(), 6u);
  for (const auto& [key, datas] : by_key) {
    ASSERT_EQ(datas.size(), 20u) << key;
    for (int i = 0; i < 20; ++i) EXPECT_EQ(datas[i], key + ":" + std::to_string(i % 10));
  }
  // Every closed parent was read to its end.
  EXPECT_GE(reader.FinishedShards().size(), 2u);
}

TEST(LiveClient, ReaderReplacesExpiredIteratorsWithoutLossOrRepeats) {
  LiveServer server;
  auto real = server.NewClient();
  const std::string name = NewStream(*real, 1);
  PutRecords(*real, name, 3, 30);
  auto faulty = std::make_shared<FaultyTransport>(std::shared_ptr<Transport>(real, &real->transport()), "GetRecords", 3,
                                                  "ExpiredIteratorException");
  ReaderOptions ro;
  ro.stream_name = name;
  ro.start = StartingPosition::TrimHorizon();
  ro.limit = 7;
  Reader reader(std::make_shared<Client>(faulty), ro);
  std::vector<Record> got;
  ASSERT_TRUE(reader.Run([&](const Record& r) { got.push_back(r); }, true, nullptr).ok());
  ExpectEveryKeyInOrder(got, 3, 30);
  EXPECT_GE(faulty->calls_.load(), 3 + 90 / 7);
}

TEST(LiveClient, ReaderBacksOffWhenThrottled) {
  LiveServer server;
  auto real = server.NewClient();
  const std::string name = NewStream(*real, 1);
  PutRecords(*real, name, 2, 5);
  auto faulty = std::make_shared<FaultyTransport>(std::shared_ptr<Transport>(real, &real->transport()), "GetRecords", 3,
                                                  "ProvisionedThroughputExceededException");
  ReaderOptions ro;
  ro.stream_name = name;
  ro.start = StartingPosition::TrimHorizon();
  ro.limit = 3;
  ro.backoff_base_ms = 40;
  Reader reader(std::make_shared<Client>(faulty), ro);
  std::vector<Record> got;
  const auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(reader.Run([&](const Record& r) { got.push_back(r); }, true, nullptr).ok());
  // Three back-offs of 40, 80 and 160 ms (less the millisecond rounding of
  // each due time); without them the reads take a few milliseconds.
  EXPECT_GE(std::chrono::steady_clock::now() - start, 270ms);
  ExpectEveryKeyInOrder(got, 2, 5);
}

TEST(LiveClient, ReaderReadsOnlyTheShardsAskedFor) {
  LiveServer server;
  auto c = server.NewClient();
  const std::string name = NewStream(*c, 3);
  PutRecords(*c, name, 12, 2);
  ReaderOptions ro;
  ro.stream_name = name;
  ro.start = StartingPosition::TrimHorizon();
  ro.shard_ids = {"shardId-000000000001"};
  Reader reader(c, ro);
  std::vector<Record> got;
  ASSERT_TRUE(reader.Run([&](const Record& r) { got.push_back(r); }, true, nullptr).ok());
  ASSERT_FALSE(got.empty());
  EXPECT_LT(got.size(), 24u);
  for (const Record& r : got) EXPECT_EQ(r.shard_id, "shardId-000000000001");
  EXPECT_EQ(reader.Positions().size(), 1u);
}

TEST(LiveClient, ReaderFromLatestSeesOnlyNewRecords) {
  LiveServer server;
  auto c = server.NewClient();
  const std::string name = NewStream(*c, 2);
  PutRecords(*c, name, 2, 3);
  ReaderOptions ro;
  ro.stream_name = name;
  ro.idle_poll_ms = 10;
  Reader reader(c, ro);
  std::vector<Record> got;
  ASSERT_TRUE(reader.Run([&](const Record& r) { got.push_back(r); }, true, nullptr).ok());
  EXPECT_TRUE(got.empty());
  PutRecords(*c, name, 2, 4);
  ASSERT_TRUE(WaitFor(
      [&] {
        EXPECT_TRUE(reader.Poll([&](const Record& r) { got.push_back(r); }).ok());
        return got.size() >= 8;
      },
      10s));
  ExpectEveryKeyInOrder(got, 2, 4);
}

TEST(LiveClient, SubscriberResubscribesFromTheContinuationWithoutLossOrRepeats) {
  LiveServer::Options so;
  so.subscription_lifetime_ms = 300;
  so.subscription_heartbeat_ms = 50;
  LiveServer server(so);
  auto c = server.NewClient();
  const std::string name = NewStream(*c, 1);
  Outcome<StreamSummary> s = c->DescribeStreamSummary(name);
  ASSERT_TRUE(s.ok());
  Outcome<Consumer> consumer = c->EnsureConsumer(s->arn, "tail", 10000);
  ASSERT_TRUE(consumer.ok()) << consumer.error().ToString();

  SubscriberOptions opts;
  opts.consumer_arn = consumer->arn;
  opts.start = StartingPosition::TrimHorizon();
  ShardSubscriber sub(server.Config(), opts, "shardId-000000000000");
  std::mutex mu;
  std::vector<Record> got;
  std::atomic<bool> stop{false};
  std::thread t([&] {
    auto r = sub.Run(
        [&](const Record& rec) {
          std::lock_guard lock(mu);
          got.push_back(rec);
        },
        [&] { return stop.load(); });
    EXPECT_TRUE(r.ok()) << r.error().ToString();
  });
  // Records arrive across several subscriptions (each lives 300 ms).
  for (int round = 0; round < 4; ++round) {
    PutRecords(*c, name, 1, 5);
    const size_t want = static_cast<size_t>(5 * (round + 1));
    EXPECT_TRUE(WaitFor(
        [&] {
          std::lock_guard lock(mu);
          return got.size() >= want;
        },
        10s));
    const int subs = sub.subscriptions();
    EXPECT_TRUE(WaitFor([&] { return sub.subscriptions() > subs; }, 10s));
  }
  stop = true;
  t.join();
  std::lock_guard lock(mu);
  ASSERT_EQ(got.size(), 20u);
  for (size_t i = 0; i < got.size(); ++i) EXPECT_EQ(got[i].data, "key0:" + std::to_string(i % 5));
  for (size_t i = 1; i < got.size(); ++i) EXPECT_LT(got[i - 1].sequence_number, got[i].sequence_number);
  EXPECT_GE(sub.subscriptions(), 4);
}

TEST(LiveClient, SubscriberReturnsTheChildShardsAtTheEndOfASplitShard) {
  LiveServer server;
  auto c = server.NewClient();
  const std::string name = NewStream(*c, 1);
  PutRecords(*c, name, 2, 3);
  ASSERT_TRUE(c->SplitShard(name, "shardId-000000000000", "170141183460469231731687303715884105728").ok());
  ASSERT_TRUE(c->WaitForActive(name, 10000).ok());
  auto s = c->DescribeStreamSummary(name);
  auto consumer = c->EnsureConsumer(s->arn, "split", 10000);
  ASSERT_TRUE(consumer.ok());
  SubscriberOptions opts;
  opts.consumer_arn = consumer->arn;
  opts.start = StartingPosition::TrimHorizon();
  ShardSubscriber sub(server.Config(), opts, "shardId-000000000000");
  std::vector<Record> got;
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  auto r = sub.Run([&](const Record& rec) { got.push_back(rec); },
                   [&] { return std::chrono::steady_clock::now() > deadline; });
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  EXPECT_EQ(got.size(), 6u);
  ASSERT_EQ(r->size(), 2u);
  std::set<std::string> children{(*r)[0].shard_id, (*r)[1].shard_id};
  EXPECT_EQ(children, (std::set<std::string>{"shardId-000000000001", "shardId-000000000002"}));
  EXPECT_EQ((*r)[0].parent_shards, std::vector<std::string>{"shardId-000000000000"});
}

TEST(LiveClient, StreamSubscriberReadsEveryShardAndFollowsChildren) {
  LiveServer server;
  auto c = server.NewClient();
  const std::string name = NewStream(*c, 2);
  auto s = c->DescribeStreamSummary(name);
  auto consumer = c->EnsureConsumer(s->arn, "all", 10000);
  ASSERT_TRUE(consumer.ok());
  PutRecords(*c, name, 4, 5);
  ASSERT_TRUE(c->UpdateShardCount(name, 4).ok());
  ASSERT_TRUE(c->WaitForActive(name, 10000).ok());

  SubscriberOptions opts;
  opts.consumer_arn = consumer->arn;
  opts.start = StartingPosition::TrimHorizon();
  StreamSubscriber sub(c, server.Config(), name, opts);
  std::mutex mu;
  std::vector<Record> got;
  std::atomic<bool> stop{false};
  std::thread t([&] {
    auto r = sub.Run(
        [&](const Record& rec) {
          std::lock_guard lock(mu);
          got.push_back(rec);
        },
        [&] { return stop.load(); });
    EXPECT_TRUE(r.ok()) << r.error().ToString();
  });
  PutRecords(*c, name, 4, 5);  // lands in the children
  EXPECT_TRUE(WaitFor(
      [&] {
        std::lock_guard lock(mu);
        return got.size() >= 40;
      },
      20s));
  stop = true;
  t.join();
  std::map<std::string, std::vector<std::string>> by_key;
  for (const Record& r : got) by_key[r.partition_key].push_back(r.data);
  ASSERT_EQ(by_key.size(), 4u);
  for (const auto& [key, datas] : by_key) {
    ASSERT_EQ(datas.size(), 10u) << key;
    for (int i = 0; i < 10; ++i) EXPECT_EQ(datas[i], key + ":" + std::to_string(i % 5));
  }
}

TEST(LiveClient, TalksTlsToAServerItTrusts) {
  LiveServer::Options so;
  so.tls = true;
  LiveServer server(so);
  auto c = server.NewClient();
  ASSERT_EQ(server.Config().endpoint.substr(0, 8), "https://");
  const std::string name = NewStream(*c, 1);
  Outcome<PutResult> put = c->PutRecord(name, "k", "over tls");
  ASSERT_TRUE(put.ok()) << put.error().ToString();
  EXPECT_EQ(put->shard_id, "shardId-000000000000");

  ClientConfig untrusting = server.Config();
  untrusting.ca_file.clear();  // the system's CAs do not know the made certificate
  auto other = Client::Connect(untrusting);
  ASSERT_TRUE(other.ok());
  Outcome<std::vector<std::string>> refused = (*other)->ListStreams();
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().type, "TlsError");
}

TEST(LiveClient, ConnectionRefusedIsAConnectionError) {
  ClientConfig config;
  config.endpoint = "http://127.0.0.1:1";
  auto c = Client::Connect(config);
  ASSERT_TRUE(c.ok());
  Outcome<std::vector<std::string>> r = (*c)->ListStreams();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().type, "ConnectionError");
  EXPECT_TRUE(r.error().Retryable());
}

}  // namespace
}  // namespace sluice::client
