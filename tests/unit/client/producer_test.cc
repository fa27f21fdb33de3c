// Producer against a scripted transport: batching limits, linger, retries of
// failed entries and requests, per-key order, back-pressure, flush.
#include "client/producer.h"

#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "protocol/byte_arena.h"
#include "protocol/json_reader.h"

namespace sluice::client {
namespace {

using namespace std::chrono_literals;

struct Entry {
  std::string key;
  std::string data;
};

// Answers PutRecords calls through `script`; keeps every request and the
// records the "service" accepted, in the order it accepted them.
class ScriptedTransport final : public Transport {
 public:
  // Returns the ErrorCode for entry `i` of request `n` ("" = accepted), or a
  // whole-request error through *request_error.
  using Script = std::function<std::string(int n, size_t i, const Entry& e, std::optional<Error>* request_error)>;

  explicit ScriptedTransport(Script script) : script_(std::move(script)) {}

  Outcome<HttpReply> CallApi(const JsonApi& api, std::string_view operation, std::string_view body) override {
    EXPECT_EQ(api.target_prefix, kKinesisApi.target_prefix);
    EXPECT_EQ(operation, "PutRecords");
    std::vector<Entry> entries = Parse(body);
    std::unique_lock lock(mu_);
    gate_cv_.wait(lock, [&] { return open_; });
    const int n = static_cast<int>(requests_.size());
    requests_.push_back(entries);
    std::optional<Error> request_error;
    std::vector<std::string> codes;
    for (size_t i = 0; i < entries.size(); ++i) codes.push_back(script_(n, i, entries[i], &request_error));
    if (request_error) {
      const bool server = request_error->http_status >= 500;
      return HttpReply{request_error->http_status == 0 ? 400 : request_error->http_status,
                       "{\"__type\":\"" + request_error->type + "\",\"message\":\"" + request_error->message + "\"}" +
                           (server ? "" : "")};
    }
    std::string out = "{\"FailedRecordCount\":0,\"Records\":[";
    for (size_t i = 0; i < entries.size(); ++i) {
      if (i > 0) out += ",";
      if (codes[i].empty()) {
        accepted_.push_back(entries[i]);
        out += "{\"SequenceNumber\":\"" + std::to_string(++sequence_) + "\",\"ShardId\":\"shardId-000000000000\"}";
      } else {
        out += "{\"ErrorCode\":\"" + codes[i] + "\",\"ErrorMessage\":\"scripted\"}";
      }
    }
    out += "]}";
    return HttpReply{200, out};
  }

  void Close() {
    std::lock_guard lock(mu_);
    open_ = false;
  }
  void Open() {
    std::lock_guard lock(mu_);
    open_ = true;
    gate_cv_.notify_all();
  }
  std::vector<std::vector<Entry>> requests() {
    std::lock_guard lock(mu_);
    return requests_;
  }
  std::vector<Entry> accepted() {
    std::lock_guard lock(mu_);
    return accepted_;
  }

 private:
  static std::vector<Entry> Parse(std::string_view body) {
    std::vector<Entry> out;
    Result<protocol::JsonObject> doc = protocol::ParseJsonRequest(body);
    EXPECT_TRUE(doc.ok());
    std::optional<protocol::JsonArray> list;
    EXPECT_TRUE(doc->GetList("Records", &list).ok());
    protocol::ByteArena arena;
    for (size_t i = 0; list && i < list->size(); ++i) {
      protocol::JsonObject r;
      EXPECT_TRUE(list->StructureAt(i, &r).ok());
      std::optional<std::string_view> key, data;
      EXPECT_TRUE(r.GetString("PartitionKey", &key).ok());
      EXPECT_TRUE(r.GetBlob("Data", &arena, &data).ok());
      out.push_back({std::string(key.value_or("")), std::string(data.value_or(""))});
    }
    return out;
  }

  Script script_;
  std::mutex mu_;
  std::condition_variable gate_cv_;
  bool open_ = true;
  std::vector<std::vector<Entry>> requests_;
  std::vector<Entry> accepted_;
  uint64_t sequence_ = 0;
};

std::string AcceptAll(int, size_t, const Entry&, std::optional<Error>*) { return ""; }

ProducerOptions Options() {
  ProducerOptions o;
  o.stream_name = "s";
  o.linger_ms = 60000;  // only full batches, Flush or Close send
  o.backoff_base_ms = 1;
  o.backoff_max_ms = 4;
  return o;
}

// Each record sent as soon as a sender is free; at most `bytes` buffered.
ProducerOptions SendAtOnceWithABufferOf(size_t bytes) {
  ProducerOptions o = Options();
  o.linger_ms = 0;
  o.max_buffered_bytes = bytes;
  return o;
}

// Per key, the data of its accepted records must be "0", "1", ... in order.
void ExpectPerKeyOrder(const std::vector<Entry>& accepted, size_t keys, size_t per_key) {
  std::map<std::string, std::vector<std::string>> by_key;
  for (const Entry& e : accepted) by_key[e.key].push_back(e.data);
  ASSERT_EQ(by_key.size(), keys);
  for (const auto& [key, datas] : by_key) {
    ASSERT_EQ(datas.size(), per_key) << key;
    for (size_t i = 0; i < datas.size(); ++i) EXPECT_EQ(datas[i], std::to_string(i)) << key;
  }
}

TEST(Producer, BatchesAtMost500RecordsPerRequest) {
  auto t = std::make_shared<ScriptedTransport>(AcceptAll);
  Producer p(std::make_shared<Client>(t), Options());
  std::vector<std::future<Outcome<PutResult>>> futures;
  for (int i = 0; i < 1200; ++i) futures.push_back(p.Put("k" + std::to_string(i), "d"));
  p.Flush();
  std::set<std::string> sequence_numbers;
  for (auto& f : futures) {
    ASSERT_EQ(f.wait_for(0s), std::future_status::ready);
    Outcome<PutResult> r = f.get();
    ASSERT_TRUE(r.ok()) << r.error().ToString();
    EXPECT_EQ(r->shard_id, "shardId-000000000000");
    sequence_numbers.insert(r->sequence_number);
  }
  EXPECT_EQ(sequence_numbers.size(), 1200u);
  std::vector<size_t> sizes;
  for (const auto& r : t->requests()) sizes.push_back(r.size());
  EXPECT_EQ(sizes, (std::vector<size_t>{500, 500, 200}));
  EXPECT_EQ(p.stats().records_acknowledged, 1200u);
}

TEST(Producer, BatchesAtMostFiveMebibytesPerRequest) {
  auto t = std::make_shared<ScriptedTransport>(AcceptAll);
  Producer p(std::make_shared<Client>(t), Options());
  const std::string mib(1024 * 1024, 'x');
  for (int i = 0; i < 9; ++i) p.Put("key" + std::to_string(i), mib);
  p.Flush();
  std::vector<size_t> sizes;
  for (const auto& r : t->requests()) {
    size_t bytes = 0;
    for (const Entry& e : r) bytes += e.key.size() + e.data.size();
    EXPECT_LE(bytes, 5u * 1024 * 1024);
    sizes.push_back(r.size());
  }
  // 4 records of 1 MiB plus their keys fit; a fifth would not.
  EXPECT_EQ(sizes, (std::vector<size_t>{4, 4, 1}));
}

TEST(Producer, SendsAPartialBatchOnceItsOldestRecordLingered) {
  auto t = std::make_shared<ScriptedTransport>(AcceptAll);
  ProducerOptions o = Options();
  o.linger_ms = 20;
  Producer p(std::make_shared<Client>(t), o);
  auto f = p.Put("k", "v");
  ASSERT_EQ(f.wait_for(10s), std::future_status::ready);  // no Flush
  EXPECT_TRUE(f.get().ok());
  EXPECT_EQ(t->requests().size(), 1u);
}

TEST(Producer, RetriesThrottledEntriesAndKeepsEachKeysOrder) {
  // The first time a record of an even-numbered key is seen, it is throttled.
  std::mutex mu;
  std::set<std::string> seen;
  auto t = std::make_shared<ScriptedTransport>([&](int, size_t, const Entry& e, std::optional<Error>*) {
    std::lock_guard lock(mu);
    const bool even = (e.key.back() - '0') % 2 == 0;
    if (even && seen.insert(e.key + "/" + e.data).second) return std::string("ProvisionedThroughputExceededException");
    return std::string();
  });
  ProducerOptions o = Options();
  o.max_batch_records = 7;
  Producer p(std::make_shared<Client>(t), o);
  std::vector<std::future<Outcome<PutResult>>> futures;
  for (int i = 0; i < 20; ++i) {
    for (int k = 0; k < 6; ++k) futures.push_back(p.Put("key" + std::to_string(k), std::to_string(i)));
  }
  p.Flush();
  for (auto& f : futures) EXPECT_TRUE(f.get().ok());
  ExpectPerKeyOrder(t->accepted(), 6, 20);
  for (const auto& r : t->requests()) {
    std::set<std::string> keys;
    for (const Entry& e : r) EXPECT_TRUE(keys.insert(e.key).second) << "two records of " << e.key << " in one request";
  }
  EXPECT_EQ(p.stats().records_retried, 60u);
  EXPECT_EQ(p.stats().throttled, 60u);
}

TEST(Producer, RetriesWholeRequestsThatFailRetryably) {
  auto t = std::make_shared<ScriptedTransport>([](int n, size_t, const Entry&, std::optional<Error>* error) {
    if (n == 0) *error = Error{"ProvisionedThroughputExceededException", "slow down", 400};
    if (n == 1) *error = Error{"InternalFailure", "oops", 500};
    return std::string();
  });
  Producer p(std::make_shared<Client>(t), Options());
  auto a = p.Put("a", "1");
  auto b = p.Put("b", "2");
  p.Flush();
  ASSERT_TRUE(a.get().ok());
  ASSERT_TRUE(b.get().ok());
  ASSERT_EQ(t->requests().size(), 3u);
  EXPECT_EQ(t->accepted().size(), 2u);
}

TEST(Producer, FailsAtOnceOnANonRetryableError) {
  auto t = std::make_shared<ScriptedTransport>([](int, size_t, const Entry&, std::optional<Error>* error) {
    *error = Error{"ResourceNotFoundException", "Stream s under account 000000000000 not found.", 400};
    return std::string();
  });
  Producer p(std::make_shared<Client>(t), Options());
  auto f = p.Put("a", "1");
  p.Flush();
  Outcome<PutResult> r = f.get();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().type, "ResourceNotFoundException");
  EXPECT_EQ(r.error().message, "Stream s under account 000000000000 not found.");
  EXPECT_EQ(t->requests().size(), 1u);
  EXPECT_EQ(p.stats().records_failed, 1u);
}

TEST(Producer, GivesUpAfterMaxAttempts) {
  auto t = std::make_shared<ScriptedTransport>(
      [](int, size_t, const Entry&, std::optional<Error>*) { return std::string("InternalFailure"); });
  ProducerOptions o = Options();
  o.max_attempts = 4;
  Producer p(std::make_shared<Client>(t), o);
  auto f = p.Put("a", "1");
  p.Flush();
  Outcome<PutResult> r = f.get();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().type, "InternalFailure");
  EXPECT_EQ(t->requests().size(), 4u);
}

TEST(Producer, EntriesWithOtherErrorCodesFailWithoutRetry) {
  auto t = std::make_shared<ScriptedTransport>([](int, size_t i, const Entry&, std::optional<Error>*) {
    return i == 1 ? std::string("KMSAccessDeniedException") : std::string();
  });
  Producer p(std::make_shared<Client>(t), Options());
  auto a = p.Put("a", "1");
  auto b = p.Put("b", "2");
  p.Flush();
  EXPECT_TRUE(a.get().ok());
  Outcome<PutResult> rb = b.get();
  ASSERT_FALSE(rb.ok());
  EXPECT_EQ(rb.error().type, "KMSAccessDeniedException");
  EXPECT_EQ(t->requests().size(), 1u);
}

TEST(Producer, ARequestRefusedForOneRecordFailsOnlyThatRecord) {
  auto t = std::make_shared<ScriptedTransport>([](int, size_t, const Entry& e, std::optional<Error>* error) {
    if (e.data == "too large") *error = Error{"ValidationException", "1 validation error detected", 400};
    return std::string();
  });
  Producer p(std::make_shared<Client>(t), Options());
  auto a = p.Put("a", "fine");
  auto b = p.Put("b", "too large");
  auto c = p.Put("c", "also fine");
  p.Flush();
  EXPECT_TRUE(a.get().ok());
  Outcome<PutResult> rb = b.get();
  ASSERT_FALSE(rb.ok());
  EXPECT_EQ(rb.error().type, "ValidationException");
  EXPECT_TRUE(c.get().ok());
  std::vector<size_t> sizes;
  for (const auto& r : t->requests()) sizes.push_back(r.size());
  EXPECT_EQ(sizes, (std::vector<size_t>{3, 1, 1, 1}));
  EXPECT_EQ(t->accepted().size(), 2u);
}

TEST(Producer, RefusesPartitionKeysOutside1To256Characters) {
  auto t = std::make_shared<ScriptedTransport>(AcceptAll);
  Producer p(std::make_shared<Client>(t), Options());
  std::string longest;
  for (int i = 0; i < 256; ++i) longest += "\xc3\xa9";  // 256 characters, 512 bytes
  auto ok = p.Put(longest, "v");
  auto empty = p.Put("", "v");
  auto too_long = p.Put(std::string(257, 'k'), "v");
  p.Flush();
  EXPECT_TRUE(ok.get().ok());
  for (auto* f : {&empty, &too_long}) {
    Outcome<PutResult> r = f->get();
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().type, "ClientError");
  }
  EXPECT_EQ(t->accepted().size(), 1u);
}

TEST(Producer, BatchedOrderingPutsManyRecordsOfAKeyInOneRequest) {
  auto t = std::make_shared<ScriptedTransport>(AcceptAll);
  ProducerOptions o = Options();
  o.ordering = Ordering::kBatched;
  Producer p(std::make_shared<Client>(t), o);
  for (int i = 0; i < 100; ++i) p.Put("one-key", std::to_string(i));
  p.Flush();
  ASSERT_EQ(t->requests().size(), 1u);
  ExpectPerKeyOrder(t->accepted(), 1, 100);
}

TEST(Producer, PerKeyOrderingSendsOneRecordOfAKeyPerRequest) {
  auto t = std::make_shared<ScriptedTransport>(AcceptAll);
  Producer p(std::make_shared<Client>(t), Options());
  for (int i = 0; i < 5; ++i) p.Put("one-key", std::to_string(i));
  p.Flush();
  EXPECT_EQ(t->requests().size(), 5u);
  ExpectPerKeyOrder(t->accepted(), 1, 5);
}

TEST(Producer, TryPutFailsAndPutBlocksWhileTheBufferIsFull) {
  auto t = std::make_shared<ScriptedTransport>(AcceptAll);
  t->Close();  // requests wait in the transport
  Producer p(std::make_shared<Client>(t), SendAtOnceWithABufferOf(100));
  auto first = p.Put("k1", std::string(60, 'a'));  // 62 bytes buffered
  auto refused = p.TryPut("k2", std::string(60, 'b'));
  ASSERT_EQ(refused.wait_for(0s), std::future_status::ready);
  Outcome<PutResult> r = refused.get();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().type, "ClientError");
  EXPECT_EQ(r.error().message, "buffer full");
  EXPECT_EQ(p.buffered_bytes(), 62u);

  auto blocked = std::async(std::launch::async, [&] { return p.Put("k3", std::string(60, 'c')); });
  EXPECT_EQ(blocked.wait_for(200ms), std::future_status::timeout);  // still waiting for room
  t->Open();
  ASSERT_EQ(blocked.wait_for(10s), std::future_status::ready);
  auto third = blocked.get();
  p.Flush();
  EXPECT_TRUE(first.get().ok());
  EXPECT_TRUE(third.get().ok());
  EXPECT_EQ(p.buffered_bytes(), 0u);
}

TEST(Producer, CloseSendsWhatIsBufferedAndRefusesLaterPuts) {
  auto t = std::make_shared<ScriptedTransport>(AcceptAll);
  Producer p(std::make_shared<Client>(t), Options());
  auto f = p.Put("k", "v");
  p.Close();
  ASSERT_EQ(f.wait_for(0s), std::future_status::ready);
  EXPECT_TRUE(f.get().ok());
  Outcome<PutResult> late = p.Put("k", "w").get();
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.error().type, "ClientError");
}

TEST(Producer, AbortFailsWhatIsQueuedAndWakesABlockedPut) {
  auto t = std::make_shared<ScriptedTransport>(AcceptAll);
  t->Close();  // requests wait in the transport
  Producer p(std::make_shared<Client>(t), SendAtOnceWithABufferOf(100));
  auto in_flight = p.Put("k1", std::string(60, 'a'));
  auto queued = p.Put("k1", "later");  // waits behind its key's record in flight
  auto blocked = std::async(std::launch::async, [&] { return p.Put("k3", std::string(60, 'c')); });
  EXPECT_EQ(blocked.wait_for(200ms), std::future_status::timeout);

  p.Abort(Error{"ConnectionError", "the server went away", 0});
  ASSERT_EQ(blocked.wait_for(10s), std::future_status::ready);
  auto third = blocked.get();
  ASSERT_EQ(third.wait_for(0s), std::future_status::ready);
  EXPECT_EQ(third.get().error().type, "ConnectionError");
  ASSERT_EQ(queued.wait_for(0s), std::future_status::ready);
  EXPECT_EQ(queued.get().error().message, "the server went away");
  EXPECT_EQ(p.Put("k4", "x").get().error().type, "ConnectionError");

  t->Open();  // the request in flight is answered: its record stays acknowledged
  p.Close();
  EXPECT_TRUE(in_flight.get().ok());
  ASSERT_EQ(t->accepted().size(), 1u);
  EXPECT_EQ(t->accepted()[0].data, std::string(60, 'a'));
  EXPECT_EQ(p.buffered_bytes(), 0u);
}

TEST(Producer, ARecordInFlightAtAbortIsNotRetried) {
  auto t = std::make_shared<ScriptedTransport>([](int, size_t, const Entry&, std::optional<Error>* error) {
    *error = Error{"InternalFailure", "oops", 500};
    return std::string();
  });
  t->Close();
  ProducerOptions o = Options();
  o.linger_ms = 0;
  Producer p(std::make_shared<Client>(t), o);
  auto f = p.Put("k", "v");
  p.Abort(Error{"ConnectionError", "the server went away", 0});
  t->Open();
  ASSERT_EQ(f.wait_for(10s), std::future_status::ready);
  EXPECT_EQ(f.get().error().type, "ConnectionError");
  p.Close();
  EXPECT_LE(t->requests().size(), 1u);
}

TEST(Producer, SeveralRequestsInFlightStillKeepEachKeysOrder) {
  std::mutex mu;
  int calls = 0;
  auto t = std::make_shared<ScriptedTransport>([&](int n, size_t i, const Entry&, std::optional<Error>*) {
    std::lock_guard lock(mu);
    ++calls;
    return (n + i) % 3 == 0 ? std::string("ProvisionedThroughputExceededException") : std::string();
  });
  ProducerOptions o = Options();
  o.in_flight = 4;
  o.max_batch_records = 5;
  o.max_attempts = 0;
  Producer p(std::make_shared<Client>(t), o);
  for (int i = 0; i < 30; ++i) {
    for (int k = 0; k < 8; ++k) p.Put("key" + std::to_string(k), std::to_string(i));
  }
  p.Flush();
  ExpectPerKeyOrder(t->accepted(), 8, 30);
}

}  // namespace
}  // namespace sluice::client
