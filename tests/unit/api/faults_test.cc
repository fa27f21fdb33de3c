// Fault rules: the document's checks, deterministic decisions for a seed,
// and the dispatcher answering with them; the control-plane call rates.
#include "api/faults.h"

#include <gtest/gtest.h>

#include <atomic>

#include "api/call_rates.h"
#include "api_test_util.h"

namespace sluice::api {
namespace {

using testing::ExpectError;
using testing::Json;

std::vector<bool> ErrorPattern(FaultInjector& f, int calls, std::string_view op = "PutRecord") {
  std::vector<bool> out;
  for (int i = 0; i < calls; ++i) out.push_back(f.Decide(op, "s", "000000000000", 0).error.has_value());
  return out;
}

TEST(FaultRules, TheSameSeedGivesTheSameFaults) {
  const std::string rules =
      R"({"rules":[{"operation":"PutRecord","error":"InternalFailure","error_rate":0.3,"seed":42}]})";
  FaultInjector a, b;
  ASSERT_TRUE(a.Replace(rules).ok());
  ASSERT_TRUE(b.Replace(rules).ok());
  std::vector<bool> first = ErrorPattern(a, 1000), second = ErrorPattern(b, 1000);
  EXPECT_EQ(first, second);
  const int failed = static_cast<int>(std::count(first.begin(), first.end(), true));
  EXPECT_GT(failed, 240);  // 30% of 1,000, give or take
  EXPECT_LT(failed, 360);
  // Replacing the rules starts the sequence again.
  ASSERT_TRUE(a.Replace(rules).ok());
  EXPECT_EQ(ErrorPattern(a, 1000), first);
  // Another seed, other faults.
  FaultInjector c;
  ASSERT_TRUE(
      c.Replace(R"({"rules":[{"operation":"PutRecord","error":"InternalFailure","error_rate":0.3,"seed":43}]})").ok());
  EXPECT_NE(ErrorPattern(c, 1000), first);
}

TEST(FaultRules, RulesMatchByOperationAndStreamAndTheFirstDecides) {
  FaultInjector f;
  ASSERT_TRUE(f.Replace(R"({"rules":[
      {"operation":"PutRecords","stream":"orders","error":"ProvisionedThroughputExceededException","error_rate":1},
      {"stream":"orders","error":"ServiceUnavailable","error_rate":1},
      {"operation":"*","latency_ms":25}]})")
                  .ok());
  FaultDecision d = f.Decide("PutRecords", "orders", "123456789012", 3);
  ASSERT_TRUE(d.error);
  EXPECT_EQ(d.error->code(), ErrorCode::kProvisionedThroughputExceeded);
  EXPECT_EQ(d.error->message(), "Rate exceeded for stream orders under account 123456789012.");
  d = f.Decide("GetRecords", "orders", "123456789012", 0);
  ASSERT_TRUE(d.error);
  EXPECT_EQ(d.error->code(), ErrorCode::kServiceUnavailable);
  d = f.Decide("ListStreams", "", "123456789012", 0);
  EXPECT_FALSE(d.error);
  EXPECT_EQ(d.delay_ms, 25);
}

TEST(FaultRules, LatencyDistributionsStayInTheirRange) {
  FaultInjector f;
  ASSERT_TRUE(
      f.Replace(
           R"({"rules":[{"operation":"ListStreams","latency_ms":{"distribution":"uniform","min":10,"max":20},"seed":1},
                                      {"operation":"ListShards","latency_ms":{"distribution":"exponential","mean":50},"seed":1},
                                      {"operation":"DescribeLimits","latency_ms":{"distribution":"normal","mean":100,"stddev":10},"seed":1}]})")
          .ok());
  double sum_b = 0, sum_c = 0;
  for (int i = 0; i < 2000; ++i) {
    int64_t a = f.Decide("ListStreams", "", "0", 0).delay_ms;
    EXPECT_GE(a, 10);
    EXPECT_LE(a, 20);
    sum_b += static_cast<double>(f.Decide("ListShards", "", "0", 0).delay_ms);
    int64_t c = f.Decide("DescribeLimits", "", "0", 0).delay_ms;
    EXPECT_GE(c, 0);
    sum_c += static_cast<double>(c);
  }
  EXPECT_NEAR(sum_b / 2000, 50, 6);
  EXPECT_NEAR(sum_c / 2000, 100, 2);
}

TEST(FaultRules, BadDocumentsAreRefusedAndTheRulesInForceStay) {
  FaultInjector f;
  ASSERT_TRUE(f.Replace(R"({"rules":[{"latency_ms":5}]})").ok());
  const std::string before = f.Describe();
  struct Case {
    const char* doc;
    const char* message;
  } cases[] = {
      {"not json", "fault rules: not a JSON document"},
      {R"({"rule":[]})", "fault rules: expected {\"rules\": [...]}"},
      {R"({"rules":[5]})", "fault rule 0: must be an object"},
      {R"({"rules":[{"colour":"red"}]})", "fault rule 0: unknown member \"colour\""},
      {R"({"rules":[{"operation":"PutRecod","error":"InternalFailure","error_rate":1}]})",
       "fault rule 0: unknown operation \"PutRecod\" (did you mean \"PutRecord\"?)"},
      {R"({"rules":[{},{"operation":"Produce","latency_ms":5}]})",
       "fault rule 1: unknown operation \"Produce\" (an operation of the Kinesis API, or \"*\")"},
      {R"({"rules":[{},{"error_rate":0.5}]})", "fault rule 1: an error rate needs \"error\""},
      {R"({"rules":[{"error":"InternalFailure","error_rate":1.5}]})",
       "fault rule 0: \"error_rate\" must be between 0 and 1"},
      {R"({"rules":[{"drop_rate":"often"}]})", "fault rule 0: \"drop_rate\" must be a number"},
      {R"({"rules":[{"drop_rate":0.1,"drop_when":"during"}]})",
       "fault rule 0: \"drop_when\" must be \"before\" or \"after\""},
      {R"({"rules":[{"latency_ms":{"distribution":"uniform","min":9}}]})", nullptr},
  };
  for (const Case& c : cases) {
    Status st = f.Replace(c.doc);
    EXPECT_EQ(st.code(), ErrorCode::kInvalidArgument) << c.doc;
    if (c.message) {
      EXPECT_EQ(st.message(), c.message) << c.doc;
    }
  }
  EXPECT_EQ(f.Describe(), before);
}

TEST(FaultRules, DescribeReadsBackAsTheSameRulesWithTheirSeeds) {
  FaultInjector f;
  ASSERT_TRUE(
      f.Replace(
           R"({"rules":[{"operation":"GetRecords","error":"KMSThrottling","error_rate":0.25,"drop_rate":0.5,"drop_when":"after","latency_ms":{"distribution":"normal","mean":100,"stddev":20}}]})")
          .ok());
  const std::string described = f.Describe();
  EXPECT_NE(described.find(R"("error":"KMSThrottlingException")"), std::string::npos) << described;
  EXPECT_NE(described.find(R"("seed":)"), std::string::npos) << "a chosen seed is reported: " << described;
  FaultInjector g;
  ASSERT_TRUE(g.Replace(described).ok()) << described;
  EXPECT_EQ(g.Describe(), described);
  for (int i = 0; i < 100; ++i) {
    FaultDecision x = f.Decide("GetRecords", "", "0", 0), y = g.Decide("GetRecords", "", "0", 0);
    EXPECT_EQ(x.error.has_value(), y.error.has_value());
    EXPECT_EQ(x.drop_after, y.drop_after);
    EXPECT_EQ(x.delay_ms, y.delay_ms);
  }
  f.Clear();
  EXPECT_FALSE(f.active());
  EXPECT_EQ(f.Describe(), R"({"rules":[]})");
}

TEST(FaultRules, StopRunsTheDelayedAnswersAtOnceAndLaterOnesWithoutDelay) {
  // The server stops the injector before the gateway its delayed answers
  // call into is destroyed: nothing may stay queued past Stop().
  FaultInjector f;
  std::atomic<int> ran{0};
  f.RunAfter(600000, [&] { ran++; });
  f.RunAfter(600000, [&] { ran++; });
  EXPECT_EQ(ran.load(), 0);
  f.Stop();
  EXPECT_EQ(ran.load(), 2) << "what was queued ran when Stop returned";
  f.RunAfter(600000, [&] { ran++; });
  EXPECT_EQ(ran.load(), 3) << "after Stop, at once on the caller's thread";
}

TEST(CallRates, TheServiceFiguresPerAccountOrPerStream) {
  CallRates rates;
  const int64_t t = 1000000;
  for (int i = 0; i < 10; ++i) EXPECT_TRUE(rates.Admit("DescribeStream", "111111111111", "r", "s", t).ok());
  Status st = rates.Admit("DescribeStream", "111111111111", "r", "other", t);
  EXPECT_EQ(st.code(), ErrorCode::kLimitExceeded);
  EXPECT_EQ(st.message(), "Rate exceeded for stream other under account 111111111111.");
  EXPECT_TRUE(rates.Admit("DescribeStream", "222222222222", "r", "s", t).ok()) << "another account";
  EXPECT_TRUE(rates.Admit("DescribeStream", "111111111111", "r", "s", t + 100).ok()) << "refilled";
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(rates.Admit("ListStreams", "1", "r", "", t).ok());
  EXPECT_EQ(rates.Admit("ListStreams", "1", "r", "", t).message(), "Rate exceeded for account 1.");
  // ListShards: 1,000 per stream.
  for (int i = 0; i < 1000; ++i) ASSERT_TRUE(rates.Admit("ListShards", "1", "r", "a", t).ok());
  EXPECT_FALSE(rates.Admit("ListShards", "1", "r", "a", t).ok());
  EXPECT_TRUE(rates.Admit("ListShards", "1", "r", "b", t).ok());
  // Data-plane calls have no control-plane rate.
  for (int i = 0; i < 5000; ++i) ASSERT_TRUE(rates.Admit("PutRecord", "1", "r", "a", t).ok());
}

TEST(CallRates, BucketsForNamesNoLongerCalledAreDropped) {
  // ListShards is counted per stream, by whatever name the call carries:
  // names that stop being called must not pile up.
  CallRates rates;
  const int64_t t = 1000000;
  for (int i = 0; i < 5000; ++i) ASSERT_TRUE(rates.Admit("ListShards", "1", "r", "s" + std::to_string(i), t).ok());
  EXPECT_LE(rates.size(), 5000u);
  for (int i = 0; i < 5000; ++i) {
    ASSERT_TRUE(rates.Admit("ListShards", "1", "r", "n" + std::to_string(i), t + 2000 + i).ok());
  }
  EXPECT_LT(rates.size(), 5000u) << "the first names' buckets, full again, were dropped";
  // A bucket still in use keeps its count.
  for (int i = 0; i < 1000; ++i) ASSERT_TRUE(rates.Admit("ListShards", "1", "r", "busy", t + 8000).ok());
  for (int i = 0; i < 3000; ++i)
    ASSERT_TRUE(rates.Admit("ListShards", "1", "r", "m" + std::to_string(i), t + 8000).ok());
  EXPECT_FALSE(rates.Admit("ListShards", "1", "r", "busy", t + 8000).ok());
}

class FaultDispatchTest : public testing::ApiTest {
 protected:
  void SetUp() override {
    ApiTest::SetUp();
    ApiOptions o;
    o.faults = &faults_;
    o.call_rates = &rates_;
    dispatcher_ = std::make_unique<Dispatcher>(*engine_, o);
  }
  FaultInjector faults_;
  CallRates rates_;
};

TEST_F(FaultDispatchTest, AnInjectedErrorIsAnsweredInTheServiceShapeAndWritesNothing) {
  CreateActiveStream("orders", 1);
  ASSERT_TRUE(
      faults_.Replace(R"({"rules":[{"operation":"PutRecord","error":"ServiceUnavailable","error_rate":1}]})").ok());
  ApiResponse r = Call("PutRecord", R"({"StreamName":"orders","PartitionKey":"k","Data":"AA=="})");
  ExpectError(r, 503, "ServiceUnavailable", "Service Unavailable");
  faults_.Clear();
  std::string it = Ok("GetShardIterator",
                      R"({"StreamName":"orders","ShardId":"shardId-000000000000","ShardIteratorType":"TRIM_HORIZON"})");
  Json j(it);
  std::string_view iterator;
  ASSERT_FALSE(j.root["ShardIterator"].get(iterator));
  Json records(Ok("GetRecords", R"({"ShardIterator":")" + std::string(iterator) + R"("})"));
  simdjson::dom::array list;
  ASSERT_FALSE(records.root["Records"].get(list));
  EXPECT_EQ(list.size(), 0u);
}

TEST_F(FaultDispatchTest, DroppedConnectionsBeforeOrAfterTheCall) {
  CreateActiveStream("orders", 1);
  ASSERT_TRUE(
      faults_
          .Replace(
              R"({"rules":[{"operation":"PutRecord","drop_rate":1,"drop_when":"after"},{"operation":"DescribeStreamSummary","drop_rate":1}]})")
          .ok());
  ApiResponse put = Call("PutRecord", R"({"StreamName":"orders","PartitionKey":"k","Data":"AA=="})");
  EXPECT_TRUE(put.drop_connection);
  EXPECT_TRUE(Call("DescribeStreamSummary", R"({"StreamName":"orders"})").drop_connection);
  faults_.Clear();
  // "after": the record was written although its answer was lost.
  Json j(Ok("GetShardIterator",
            R"({"StreamName":"orders","ShardId":"shardId-000000000000","ShardIteratorType":"TRIM_HORIZON"})"));
  std::string_view iterator;
  ASSERT_FALSE(j.root["ShardIterator"].get(iterator));
  Json records(Ok("GetRecords", R"({"ShardIterator":")" + std::string(iterator) + R"("})"));
  simdjson::dom::array list;
  ASSERT_FALSE(records.root["Records"].get(list));
  EXPECT_EQ(list.size(), 1u);
}

TEST_F(FaultDispatchTest, PutRecordsFailsTheRecordsTheRulePicksAndWritesTheOthers) {
  CreateActiveStream("orders", 1);
  ASSERT_TRUE(
      faults_
          .Replace(
              R"({"rules":[{"operation":"PutRecords","error":"InternalFailure","record_error_rate":0.5,"seed":9}]})")
          .ok());
  std::string body = R"({"StreamName":"orders","Records":[)";
  for (int i = 0; i < 100; ++i) body += std::string(i ? "," : "") + R"({"PartitionKey":"k","Data":"AA=="})";
  body += "]}";
  Json j(Ok("PutRecords", body));
  int64_t failed = 0;
  ASSERT_FALSE(j.root["FailedRecordCount"].get(failed));
  EXPECT_GT(failed, 30);
  EXPECT_LT(failed, 70);
  simdjson::dom::array results;
  ASSERT_FALSE(j.root["Records"].get(results));
  EXPECT_EQ(results.size(), 100u);
  int64_t counted = 0;
  for (auto r : results) {
    std::string_view code;
    if (!r["ErrorCode"].get(code)) {
      EXPECT_EQ(code, "InternalFailure");
      ++counted;
    } else {
      std::string_view seq;
      EXPECT_FALSE(r["SequenceNumber"].get(seq));
    }
  }
  EXPECT_EQ(counted, failed);
}

TEST_F(FaultDispatchTest, ControlPlaneRatesAnswerLimitExceeded) {
  for (int i = 0; i < 5; ++i) EXPECT_EQ(Call("ListStreams", "{}").status, 200);
  ExpectError(Call("ListStreams", "{}"), 400, "LimitExceededException", "Rate exceeded for account 000000000000.");
  clock_.Advance(1000);
  EXPECT_EQ(Call("ListStreams", "{}").status, 200);
}

TEST_F(FaultDispatchTest, AddedLatencyDelaysTheAnswer) {
  ASSERT_TRUE(faults_.Replace(R"({"rules":[{"operation":"DescribeLimits","latency_ms":150}]})").ok());
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(Call("DescribeLimits", "{}").status, 200);
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(150));
}

}  // namespace
}  // namespace sluice::api
