// Runs whole workloads against a small in-memory Kinesis on 127.0.0.1 that
// keeps every record, so what the benchmark reports can be checked.
#include "bench/workloads.h"

#include <poll.h>

#include <gtest/gtest.h>

#include <cstdio>
#include <mutex>
#include <string>
#include <vector>

#include "bench/json_scan.h"
#include "bench/scripted_server.h"
#include "protocol/event_stream.h"

namespace sluice::bench {
namespace {

// One stream, one shard. Iterators are record positions in decimal. A
// SubscribeToShard streams every record put after it, polling every 2 ms.
class FakeKinesis {
 public:
  FakeKinesis() : server_([this](int fd, const ScriptedRequest& r) { return Serve(fd, r); }) {}

  BenchConfig Config() const {
    BenchConfig c;
    c.endpoint = server_.endpoint();
    c.stream_prefix = "test";
    return c;
  }

  std::mutex mu;
  std::vector<std::string> data;  // base64, in write order
  int creates = 0, deletes = 0, describes = 0;
  int fail_records_per_put = 0;  // reported as FailedRecordCount (none are stored then)
  bool refuse_create = false;
  bool refuse_subscribe = false;
  int consumers = 0, subscriptions = 0;
  bool deleted_with_consumers = false;

 private:
  static std::string Chunk(std::string_view bytes) {
    char size[32];
    std::snprintf(size, sizeof(size), "%zx\r\n", bytes.size());
    return size + std::string(bytes) + "\r\n";
  }

  // Streams records from the current end (LATEST) until the client hangs up.
  bool Subscribe(int fd) {
    size_t next = 0;
    {
      std::lock_guard<std::mutex> lock(mu);
      if (refuse_subscribe) {
        return SendAll(fd, "HTTP/1.1 400 Bad Request\r\nContent-Length: 2\r\n\r\n{}");
      }
      ++subscriptions;
      next = data.size();
    }
    std::string initial;
    EXPECT_TRUE(protocol::EncodeInitialResponse("application/json", &initial).ok());
    if (!SendAll(fd,
                 "HTTP/1.1 200 OK\r\nContent-Type: application/vnd.amazon.eventstream\r\n"
                 "Transfer-Encoding: chunked\r\n\r\n" +
                     Chunk(initial))) {
      return false;
    }
    for (;;) {
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 2) != 0) return false;  // the client closed (or sent bytes it should not)
      std::string payload = "{\"Records\":[";
      {
        std::lock_guard<std::mutex> lock(mu);
        if (next == data.size()) continue;
        for (size_t i = next; i < data.size(); ++i) {
          if (i > next) payload += ",";
          payload += R"({"SequenceNumber":")" + std::to_string(i) + R"(","Data":")" + data[i] +
                     R"(","PartitionKey":"k","ApproximateArrivalTimestamp":1.0})";
        }
        next = data.size();
      }
      payload += "],\"ContinuationSequenceNumber\":\"" + std::to_string(next) + "\",\"MillisBehindLatest\":0}";
      std::string event;
      EXPECT_TRUE(protocol::EncodeEvent("SubscribeToShardEvent", "application/json", payload, &event).ok());
      if (!SendAll(fd, Chunk(event))) return false;
    }
  }

  bool Serve(int fd, const ScriptedRequest& r) {
    const std::string op = r.Operation();
    if (op == "SubscribeToShard") return Subscribe(fd);
    std::lock_guard<std::mutex> lock(mu);
    if (op == "RegisterStreamConsumer") {
      std::string name;
      json::ScanString(r.body, "ConsumerName", &name);
      ++consumers;
      return SendAll(fd, Ok(R"({"Consumer":{"ConsumerName":")" + name +
                            R"(","ConsumerARN":"arn:aws:kinesis:us-east-1:123456789012:stream/s/consumer/)" + name +
                            R"(:1","ConsumerStatus":"ACTIVE"}})"));
    }
    if (op == "CreateStream") {
      ++creates;
      if (refuse_create) {
        return SendAll(fd, "HTTP/1.1 400 Bad Request\r\nContent-Length: 2\r\n\r\n{}");
      }
      data.clear();
      return SendAll(fd, Ok(""));
    }
    if (op == "DescribeStreamSummary") {
      // CREATING once, then ACTIVE: the benchmark must wait.
      const char* status = describes++ == 0 ? "CREATING" : "ACTIVE";
      return SendAll(fd, Ok(std::string(R"({"StreamDescriptionSummary":{"StreamARN":"arn:aws:kinesis:)"
                                        R"(us-east-1:123456789012:stream/s","StreamStatus":")") +
                            status + "\"}}"));
    }
    if (op == "DeleteStream") {
      ++deletes;
      deleted_with_consumers = r.body.find("\"EnforceConsumerDeletion\":true") != std::string::npos;
      return SendAll(fd, Ok(""));
    }
    if (op == "GetShardIterator") return SendAll(fd, Ok(R"({"ShardIterator":"0"})"));
    if (op == "PutRecord") {
      std::string d;
      json::ScanString(r.body, "Data", &d);
      data.push_back(d);
      return SendAll(fd, Ok(R"({"SequenceNumber":"1","ShardId":"shardId-000000000000"})"));
    }
    if (op == "PutRecords") {
      size_t from = 0, n = 0;
      std::string_view d;
      std::vector<std::string> batch;
      while (json::ScanRawString(r.body, "Data", &from, &d)) batch.emplace_back(d), ++n;
      std::string out = "{\"FailedRecordCount\":" + std::to_string(fail_records_per_put) + ",\"Records\":[";
      for (size_t i = 0; i < n; ++i) {
        if (i) out += ",";
        out += R"({"SequenceNumber":"1","ShardId":"shardId-000000000000"})";
      }
      out += "]}";
      if (fail_records_per_put == 0) data.insert(data.end(), batch.begin(), batch.end());
      return SendAll(fd, Ok(out));
    }
    if (op == "GetRecords") {
      std::string it;
      int64_t limit = 10000;
      json::ScanString(r.body, "ShardIterator", &it);
      json::ScanInt(r.body, "Limit", &limit);
      size_t pos = std::stoul(it);
      std::string out = "{\"Records\":[";
      const size_t end = std::min(data.size(), pos + static_cast<size_t>(limit));
      for (size_t i = pos; i < end; ++i) {
        if (i > pos) out += ",";
        out += R"({"SequenceNumber":")" + std::to_string(i) + R"(","Data":")" + data[i] +
               R"(","PartitionKey":"k","ApproximateArrivalTimestamp":1.0})";
      }
      out += "],\"NextShardIterator\":\"" + std::to_string(end) + "\",\"MillisBehindLatest\":0}";
      return SendAll(fd, Ok(out));
    }
    return SendAll(fd, "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
  }

  ScriptedServer server_;
};

TEST(WorkloadsTest, GetDrainsExactlyWhatWasLoaded) {
  FakeKinesis fake;
  BenchConfig c = fake.Config();
  c.records = 2345;  // not a multiple of the batch: the last PutRecords is partial
  c.batch = 100;
  c.get_limit = 1000;
  c.connections = 3;
  WorkloadResult r;
  ASSERT_TRUE(RunWorkload("get", c, &r)) << r.failure;
  EXPECT_TRUE(r.ran);
  EXPECT_EQ(r.errors, 0u) << r.note;
  EXPECT_NE(r.note.find("drained 2345 of 2345 loaded (verified)"), std::string::npos) << r.note;
  EXPECT_GT(r.rate, 0);
  EXPECT_EQ(r.latency.count(), 3u);  // 1000 + 1000 + 345
  std::lock_guard<std::mutex> lock(fake.mu);
  EXPECT_EQ(fake.data.size(), 2345u);
  EXPECT_EQ(fake.creates, 1);
  EXPECT_EQ(fake.deletes, 1);
  EXPECT_GE(fake.describes, 2);
}

TEST(WorkloadsTest, E2eMeasuresPutToGetLatencyOfEveryRecord) {
  FakeKinesis fake;
  BenchConfig c = fake.Config();
  c.duration_s = 0.3;
  c.rate = 200;
  WorkloadResult r;
  ASSERT_TRUE(RunWorkload("e2e", c, &r)) << r.failure;
  EXPECT_EQ(r.errors, 0u) << r.note;
  std::lock_guard<std::mutex> lock(fake.mu);
  // 60 are due at 200/s over 0.3 s; a slow machine may send fewer, never more.
  EXPECT_GE(fake.data.size(), 1u);
  EXPECT_LE(fake.data.size(), 61u);
  EXPECT_EQ(r.latency.count(), fake.data.size());
  EXPECT_GT(r.latency.max(), 0);
  EXPECT_LT(r.latency.max(), 10'000'000'000);
}

TEST(WorkloadsTest, PutRecordsCountsFailedRecordsAsErrors) {
  FakeKinesis fake;
  fake.fail_records_per_put = 3;
  BenchConfig c = fake.Config();
  c.duration_s = 0.1;
  c.batch = 10;
  c.connections = 2;
  WorkloadResult r;
  ASSERT_TRUE(RunWorkload("put-records", c, &r)) << r.failure;
  EXPECT_GT(r.errors, 0u);
  EXPECT_EQ(r.errors, r.latency.count());  // every response had failures
  EXPECT_NE(r.note.find("failed records"), std::string::npos);
}

TEST(WorkloadsTest, PutRecordReportsRequestsPerSecond) {
  FakeKinesis fake;
  BenchConfig c = fake.Config();
  c.duration_s = 0.2;
  c.connections = 4;
  WorkloadResult r;
  ASSERT_TRUE(RunWorkload("put-record", c, &r)) << r.failure;
  EXPECT_EQ(r.errors, 0u);
  EXPECT_STREQ(r.unit, "requests/s");
  EXPECT_GT(r.rate, 0);
  std::lock_guard<std::mutex> lock(fake.mu);
  EXPECT_GE(fake.data.size(), r.latency.count());
  EXPECT_EQ(fake.deletes, 1);
}

TEST(WorkloadsTest, SetupFailureIsReportedNotRun) {
  FakeKinesis fake;
  fake.refuse_create = true;
  WorkloadResult r;
  EXPECT_FALSE(RunWorkload("put-records", fake.Config(), &r));
  EXPECT_FALSE(r.ran);
  EXPECT_NE(r.failure.find("CreateStream: HTTP 400"), std::string::npos) << r.failure;
}

TEST(WorkloadsTest, PushMeasuresEveryRecordAtEverySubscriber) {
  FakeKinesis fake;
  BenchConfig c = fake.Config();
  c.duration_s = 0.3;
  c.rate = 200;
  c.subscribers = 3;
  WorkloadResult r;
  ASSERT_TRUE(RunWorkload("push", c, &r)) << r.failure;
  EXPECT_EQ(r.errors, 0u) << r.note;
  std::lock_guard<std::mutex> lock(fake.mu);
  EXPECT_GE(fake.data.size(), 1u);
  EXPECT_LE(fake.data.size(), 61u);
  EXPECT_EQ(r.latency.count(), 3 * fake.data.size()) << r.note;
  EXPECT_GT(r.latency.max(), 0);
  EXPECT_LT(r.latency.max(), 10'000'000'000);
  EXPECT_EQ(fake.consumers, 3);
  EXPECT_EQ(fake.subscriptions, 3);
  EXPECT_EQ(fake.deletes, 1);
  EXPECT_TRUE(fake.deleted_with_consumers);
  ASSERT_EQ(r.fields.size(), 2u);
  EXPECT_EQ(r.fields[0].first, "produced");
  EXPECT_EQ(r.fields[1], (std::pair<std::string, std::string>("subscribers", "3")));
}

TEST(WorkloadsTest, PushFanoutReportsTheProducerWithAndWithoutSubscribers) {
  FakeKinesis fake;
  BenchConfig c = fake.Config();
  c.duration_s = 0.2;
  c.rate = 200;
  c.fanout = 2;
  WorkloadResult r;
  ASSERT_TRUE(RunWorkload("push-fanout", c, &r)) << r.failure;
  ASSERT_EQ(r.phases.size(), 2u);
  EXPECT_EQ(r.phases[0].label, "0");
  EXPECT_EQ(r.phases[1].label, "2");
  for (const auto& phase : r.phases) {
    EXPECT_TRUE(phase.ran);
    EXPECT_EQ(phase.errors, 0u) << phase.note;
    EXPECT_GT(phase.latency.count(), 0u);  // the producer's PutRecord latency
    EXPECT_GT(phase.rate, 0);
  }
  std::lock_guard<std::mutex> lock(fake.mu);
  EXPECT_EQ(fake.consumers, 2);
  EXPECT_EQ(fake.subscriptions, 2);
}

TEST(WorkloadsTest, PushReportsARefusedSubscriptionAsNotRun) {
  FakeKinesis fake;
  fake.refuse_subscribe = true;
  BenchConfig c = fake.Config();
  c.duration_s = 0.2;
  WorkloadResult r;
  EXPECT_FALSE(RunWorkload("push", c, &r));
  EXPECT_FALSE(r.ran);
  EXPECT_NE(r.failure.find("SubscribeToShard: HTTP 400"), std::string::npos) << r.failure;
}

TEST(WorkloadsTest, UnknownWorkloadIsRejected) {
  EXPECT_FALSE(IsWorkload("fillseq"));
  EXPECT_TRUE(IsWorkload("e2e"));
  WorkloadResult r;
  EXPECT_FALSE(RunWorkload("fillseq", BenchConfig{}, &r));
}

}  // namespace
}  // namespace sluice::bench
