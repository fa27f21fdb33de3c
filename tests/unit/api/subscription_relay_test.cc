// SubscriptionRelay's continuation: a relayed subscription delivers every
// record of the leader's shard once, in order, whatever calls fail or
// whichever leader answers, resuming AFTER_SEQUENCE_NUMBER of the last
// record it delivered; it ends as a local subscription does (its lifetime,
// a closed shard's end) or after failing too long. The leader is the test's:
// an in-memory shard answering the Kinesis calls as JSON, with iterators
// signed by the cluster's key.
#include "api/subscription_relay.h"

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <future>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "api/shapes.h"
#include "api_test_util.h"
#include "engine/sequence_number.h"
#include "protocol/errors.h"
#include "protocol/json_reader.h"
#include "protocol/json_writer.h"
#include "util/hash_key.h"

namespace sluice::api {
namespace {

constexpr int64_t kShardCreatedSeconds = 1'780'000'000;

engine::IteratorCodec::Key TestKey() {
  engine::IteratorCodec::Key key{};
  key.fill(7);
  return key;
}

std::string SequenceNumberOf(uint64_t offset, int64_t arrival_ms) {
  return engine::SequenceNumberString({kShardCreatedSeconds, 0, offset + 1, arrival_ms / 1000});
}

// One shard's leader: records in memory, the Kinesis calls answered as
// JSON. Calls can be made to fail (no answer, or a 500) and a closed shard
// answers ChildShards at its end.
class FakeLeader {
 public:
  void Put(int n) {
    std::lock_guard lock(mu_);
    for (int i = 0; i < n; ++i) {
      const uint64_t offset = records_.size();
      records_.push_back({"k" + std::to_string(offset), "data-" + std::to_string(offset)});
    }
  }
  void Close() {
    std::lock_guard lock(mu_);
    closed_ = true;
  }
  // The next `n` calls get no answer (the leader is down, or moving).
  void FailNext(int n, Status why = Status(ErrorCode::kConnectionFailed, "connect: refused")) {
    std::lock_guard lock(mu_);
    failures_ = n;
    failure_ = std::move(why);
  }
  // Every call answers with this error until cleared.
  void AnswerError(std::optional<Status> error) {
    std::lock_guard lock(mu_);
    error_ = std::move(error);
  }
  int Calls() {
    std::lock_guard lock(mu_);
    return calls_;
  }
  std::vector<std::string> IteratorRequests() {
    std::lock_guard lock(mu_);
    return iterator_requests_;
  }

  LeaderCall Call() {
    return [this](gateway::ForwardedRequest request, std::function<void(Result<gateway::ForwardedResponse>)> done) {
      done(Answer(request));
    };
  }

 private:
  struct Stored {
    std::string key, data;
  };

  Result<gateway::ForwardedResponse> Answer(const gateway::ForwardedRequest& request) {
    std::lock_guard lock(mu_);
    std::string target;
    for (const auto& [name, value] : request.headers)
      if (name == "x-amz-target") target = value;
    ++calls_;
    if (target == "Kinesis_20131202.GetShardIterator") iterator_requests_.push_back(request.body);
    if (failures_ > 0) {
      --failures_;
      return failure_;
    }
    if (error_) return Json(protocol::HttpStatusFor(error_->code()), protocol::EncodeJsonError(*error_));
    Result<protocol::JsonObject> body = protocol::ParseJsonRequest(request.body);
    EXPECT_TRUE(body.ok());
    if (target == "Kinesis_20131202.GetShardIterator") {
      std::optional<std::string_view> type, seq;
      EXPECT_TRUE(body->GetString("ShardIteratorType", &type).ok());
      EXPECT_TRUE(body->GetString("StartingSequenceNumber", &seq).ok());
      uint64_t offset = 0;
      if (*type == "LATEST") offset = records_.size();
      if (*type == "AFTER_SEQUENCE_NUMBER") offset = engine::ParseSequenceNumber(*seq)->counter;
      if (*type == "AT_SEQUENCE_NUMBER") offset = engine::ParseSequenceNumber(*seq)->counter - 1;
      return Json(200, R"({"ShardIterator":")" + Iterator(offset) + R"("})");
    }
    EXPECT_EQ(target, "Kinesis_20131202.GetRecords");
    std::optional<std::string_view> token;
    EXPECT_TRUE(body->GetString("ShardIterator", &token).ok());
    const uint64_t from = codec_.Decode(*token)->offset;
    const uint64_t end = std::min<uint64_t>(records_.size(), from + 3);  // three at most: several calls
    std::vector<engine::Record> records;
    std::vector<engine::SequenceDigits> numbers;
    for (uint64_t o = from; o < end; ++o) {
      engine::Record r;
      r.arrival_ms = kShardCreatedSeconds * 1000 + static_cast<int64_t>(o) * 1000;
      r.sequence_number = engine::FormatSequenceNumber({kShardCreatedSeconds, 0, o + 1, r.arrival_ms / 1000});
      r.partition_key = records_[o].key;
      r.data = records_[o].data;
      records.push_back(r);
    }
    std::string out;
    protocol::JsonWriter w(&out);
    w.BeginObject();
    w.Key("Records");
    WriteRecords(w, records);
    const bool at_end = closed_ && end == records_.size();
    if (!at_end) w.Member("NextShardIterator", Iterator(end));
    w.MemberInt("MillisBehindLatest", end == records_.size() ? 0 : 1000);
    if (at_end) {
      w.Key("ChildShards");
      engine::ChildShard child{"shardId-000000000001", {"shardId-000000000000"}, {0, ~HashKey{0}}};
      WriteChildShards(w, std::span<const engine::ChildShard>(&child, 1));
    }
    w.EndObject();
    return Json(200, out);
  }

  std::string Iterator(uint64_t offset) const {
    return codec_.Encode({"000000000000", "us-east-1", "s", 1, 0, offset, 1});
  }
  static gateway::ForwardedResponse Json(int status, std::string body) {
    gateway::ForwardedResponse r;
    r.status = status;
    r.headers = {{"Content-Type", "application/x-amz-json-1.1"}};
    r.body = std::move(body);
    return r;
  }

  const engine::IteratorCodec codec_{TestKey()};
  std::mutex mu_;
  std::vector<Stored> records_;
  bool closed_ = false;
  int failures_ = 0;
  Status failure_;
  std::optional<Status> error_;
  std::vector<std::string> iterator_requests_;
  int calls_ = 0;
};

// What the client would see: the events and how the subscription ended.
class RecordingSink final : public engine::SubscriptionSink {
 public:
  struct Event {
    std::vector<std::string> sequence_numbers;
    std::vector<std::string> data;
    std::optional<std::string> continuation;
    int64_t millis_behind_latest = 0;
    size_t children = 0;
  };
  bool Send(const engine::SubscriptionEvent& e) override {
    std::lock_guard lock(mu);
    Event out;
    for (const engine::Record& r : e.batch.records) {
      out.sequence_numbers.emplace_back(engine::ToView(r.sequence_number));
      out.data.emplace_back(r.data);
    }
    out.continuation = e.continuation_sequence_number;
    out.millis_behind_latest = e.batch.millis_behind_latest;
    out.children = e.batch.child_shards.size();
    events.push_back(std::move(out));
    return true;
  }
  bool Ready() override {
    ++asked_ready;
    return ready.load();
  }
  void End(const Status& status) override {
    std::lock_guard lock(mu);
    ended = status;
  }
  std::vector<std::string> Data() {
    std::lock_guard lock(mu);
    std::vector<std::string> out;
    for (const Event& e : events) out.insert(out.end(), e.data.begin(), e.data.end());
    return out;
  }
  std::optional<Status> Ended() {
    std::lock_guard lock(mu);
    return ended;
  }
  size_t EventCount() {
    std::lock_guard lock(mu);
    return events.size();
  }

  std::atomic<bool> ready{true};
  std::atomic<int> asked_ready{0};
  std::mutex mu;
  std::vector<Event> events;
  std::optional<Status> ended;
};

std::vector<std::string> DataOf(int from, int to) {
  std::vector<std::string> out;
  for (int i = from; i < to; ++i) out.push_back("data-" + std::to_string(i));
  return out;
}

class SubscriptionRelayTest : public ::testing::Test {
 protected:
  std::shared_ptr<SubscriptionRelay> Open(RelayPosition from, int64_t lifetime_ms = 60'000) {
    Result<std::shared_ptr<SubscriptionRelay>> relay =
        Subscribe(std::move(from), /*takeover_rule=*/false, sink_, lifetime_ms);
    EXPECT_TRUE(relay.ok());
    return *relay;
  }
  Result<std::shared_ptr<SubscriptionRelay>> Subscribe(RelayPosition from, bool takeover_rule,
                                                       std::shared_ptr<RecordingSink> sink,
                                                       int64_t lifetime_ms = 60'000) {
    RelayStart start;
    start.stream = {"000000000000", "us-east-1", "s"};
    start.shard_index = 0;
    start.shard_created_seconds = kShardCreatedSeconds;
    start.position = std::move(from);
    start.expires_ms = relays_->NowMillis() + lifetime_ms;
    start.label = "consumer";
    return relays_->Open(std::move(start), std::move(sink), takeover_rule);
  }

  RelayOptions Options() {
    RelayOptions o;
    o.heartbeat_ms = 60'000;
    o.idle_poll_ms = 2;
    o.retry_first_ms = 1;
    o.retry_max_ms = 8;
    o.give_up_ms = 200;
    o.takeover_ms = 50;
    return o;
  }

  FakeLeader leader_;
  std::shared_ptr<RecordingSink> sink_ = std::make_shared<RecordingSink>();
  std::unique_ptr<SubscriptionRelays> relays_ =
      std::make_unique<SubscriptionRelays>(leader_.Call(), engine::IteratorCodec(TestKey()), Options());
};

TEST_F(SubscriptionRelayTest, EveryRecordOnceInOrderAndTheContinuationIsTheLastRecordsSequenceNumber) {
  leader_.Put(5);
  auto relay = Open({"TRIM_HORIZON", std::nullopt, std::nullopt});
  relay->Start();
  leader_.Put(4);
  ASSERT_TRUE(testing::Eventually([&] { return sink_->Data().size() == 9; }));
  EXPECT_EQ(sink_->Data(), DataOf(0, 9));
  std::lock_guard lock(sink_->mu);
  const RecordingSink::Event& first = sink_->events.front();
  ASSERT_FALSE(first.sequence_numbers.empty());
  EXPECT_EQ(first.continuation, first.sequence_numbers.back());
  EXPECT_EQ(sink_->events.back().millis_behind_latest, 0);
  relay->Cancel();
}

TEST_F(SubscriptionRelayTest, BeforeAnyRecordTheContinuationIsThePositionsOwn) {
  leader_.Put(2);
  auto relay = Open({"LATEST", std::nullopt, std::nullopt});
  relay->Start();
  ASSERT_TRUE(testing::Eventually([&] { return sink_->EventCount() >= 1; }));
  std::lock_guard lock(sink_->mu);
  // The first event goes out at once, empty, resuming after offset 1: what a
  // local subscription sends there.
  EXPECT_TRUE(sink_->events.front().data.empty());
  EXPECT_EQ(sink_->events.front().continuation,
            engine::SequenceNumberString({kShardCreatedSeconds, 0, 2, kShardCreatedSeconds}));
  relay->Cancel();
}

TEST_F(SubscriptionRelayTest, AFailedCallResumesAfterTheLastDeliveredRecordWithNoGapOrDuplicate) {
  leader_.Put(6);
  auto relay = Open({"TRIM_HORIZON", std::nullopt, std::nullopt});
  relay->Start();
  ASSERT_TRUE(testing::Eventually([&] { return sink_->Data().size() == 6; }));
  leader_.FailNext(5);  // the leader goes away for five calls
  leader_.Put(6);
  ASSERT_TRUE(testing::Eventually([&] { return sink_->Data().size() >= 12; }));
  EXPECT_EQ(sink_->Data(), DataOf(0, 12));
  // It asked again after the last record it had sent (offset 5, counter 6).
  const std::vector<std::string> asked = leader_.IteratorRequests();
  ASSERT_GE(asked.size(), 2u);
  EXPECT_NE(asked.back().find(R"("ShardIteratorType":"AFTER_SEQUENCE_NUMBER")"), std::string::npos) << asked.back();
  EXPECT_NE(asked.back().find(SequenceNumberOf(5, (kShardCreatedSeconds + 5) * 1000)), std::string::npos)
      << asked.back();
  EXPECT_FALSE(sink_->Ended().has_value());
  relay->Cancel();
}

TEST_F(SubscriptionRelayTest, ALeaderAnsweringInternalFailureMidStreamIsRetriedWithoutGapOrDuplicate) {
  leader_.Put(4);
  auto relay = Open({"TRIM_HORIZON", std::nullopt, std::nullopt});
  relay->Start();
  ASSERT_TRUE(testing::Eventually([&] { return sink_->Data().size() == 4; }));
  // A deposed leader answers the retryable InternalFailure until the new one serves.
  leader_.AnswerError(Status(ErrorCode::kInternalFailure, "Internal Service Failure"));
  leader_.Put(5);
  ASSERT_TRUE(testing::Eventually([&] { return leader_.IteratorRequests().size() >= 2; }));
  leader_.AnswerError(std::nullopt);
  ASSERT_TRUE(testing::Eventually([&] { return sink_->Data().size() >= 9; }));
  EXPECT_EQ(sink_->Data(), DataOf(0, 9));
  relay->Cancel();
}

TEST_F(SubscriptionRelayTest, NoAnswerForLongerThanGiveUpEndsTheSubscriptionWithInternalFailure) {
  auto relay = Open({"TRIM_HORIZON", std::nullopt, std::nullopt});
  leader_.FailNext(1'000'000);
  relay->Start();
  ASSERT_TRUE(testing::Eventually([&] { return sink_->Ended().has_value(); }));
  EXPECT_EQ(sink_->Ended()->code(), ErrorCode::kInternalFailure);
  EXPECT_EQ(sink_->EventCount(), 0u);
}

TEST_F(SubscriptionRelayTest, AnErrorNoRetryCuresEndsTheSubscriptionWithIt) {
  leader_.Put(1);
  auto relay = Open({"TRIM_HORIZON", std::nullopt, std::nullopt});
  relay->Start();
  ASSERT_TRUE(testing::Eventually([&] { return sink_->Data().size() == 1; }));
  leader_.AnswerError(Status::NotFound("Stream s under account 000000000000 not found."));
  ASSERT_TRUE(testing::Eventually([&] { return sink_->Ended().has_value(); }));
  EXPECT_EQ(sink_->Ended()->code(), ErrorCode::kResourceNotFound);
  EXPECT_EQ(sink_->Ended()->message(), "Stream s under account 000000000000 not found.");
}

TEST_F(SubscriptionRelayTest, TheSubscriptionEndsCleanlyAtItsLifetime) {
  auto relay = Open({"TRIM_HORIZON", std::nullopt, std::nullopt}, /*lifetime_ms=*/50);
  relay->Start();
  ASSERT_TRUE(testing::Eventually([&] { return sink_->Ended().has_value(); }));
  EXPECT_TRUE(sink_->Ended()->ok());
}

TEST_F(SubscriptionRelayTest, AtAClosedShardsEndTheChildShardsComeInAnEventOfTheirOwnAndTheSubscriptionEnds) {
  leader_.Put(2);
  leader_.Close();
  auto relay = Open({"TRIM_HORIZON", std::nullopt, std::nullopt});
  relay->Start();
  ASSERT_TRUE(testing::Eventually([&] { return sink_->Ended().has_value(); }));
  EXPECT_TRUE(sink_->Ended()->ok());
  std::lock_guard lock(sink_->mu);
  ASSERT_EQ(sink_->events.size(), 2u);
  EXPECT_EQ(sink_->events[0].data, DataOf(0, 2));
  EXPECT_EQ(sink_->events[0].children, 0u);
  EXPECT_TRUE(sink_->events[1].data.empty());
  EXPECT_EQ(sink_->events[1].children, 1u);
  EXPECT_FALSE(sink_->events[1].continuation.has_value());
}

TEST_F(SubscriptionRelayTest, NothingIsReadWhileTheSinkHasNoRoomAndWakeResumes) {
  leader_.Put(3);
  sink_->ready = false;
  auto relay = Open({"TRIM_HORIZON", std::nullopt, std::nullopt});
  relay->Start();
  ASSERT_TRUE(testing::Eventually([&] { return sink_->asked_ready.load() >= 1; }));
  // Told there is no room, it waits for Wake (or its lifetime's end) and calls nothing.
  EXPECT_EQ(leader_.Calls(), 0);
  EXPECT_EQ(sink_->EventCount(), 0u);
  sink_->ready = true;
  relay->Wake();
  ASSERT_TRUE(testing::Eventually([&] { return sink_->Data().size() == 3; }));
  relay->Cancel();
}

TEST_F(SubscriptionRelayTest, ASecondSubscriptionWithinTheTakeoverTimeIsRefusedAndALaterOneReplacesTheFirst) {
  const RelayPosition trim{"TRIM_HORIZON", std::nullopt, std::nullopt};
  Result<std::shared_ptr<SubscriptionRelay>> first = Subscribe(trim, true, sink_);
  ASSERT_TRUE(first.ok());
  (*first)->Start();
  auto second_sink = std::make_shared<RecordingSink>();
  Result<std::shared_ptr<SubscriptionRelay>> second = Subscribe(trim, true, second_sink);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), ErrorCode::kResourceInUse);
  EXPECT_EQ(second.status().message(), "Another active subscription exists for this consumer: consumer");

  Result<std::shared_ptr<SubscriptionRelay>> later = second;
  ASSERT_TRUE(testing::Eventually([&] { return (later = Subscribe(trim, true, second_sink)).ok(); }));
  ASSERT_TRUE(testing::Eventually([&] { return sink_->Ended().has_value(); }));
  EXPECT_EQ(sink_->Ended()->code(), ErrorCode::kResourceInUse);
  EXPECT_EQ(sink_->Ended()->message(),
            "This subscription of consumer consumer to shard shardId-000000000000 was replaced by a newer "
            "SubscribeToShard call.");
  (*later)->Cancel();
}

TEST_F(SubscriptionRelayTest, BeginFixesThePositionAtTheCallAndReportsTheLeadersErrors) {
  leader_.Put(3);
  auto relay = Open({"LATEST", std::nullopt, std::nullopt});
  std::promise<Status> began;
  relay->Begin([&began](Status st) { began.set_value(st); });
  ASSERT_TRUE(began.get_future().get().ok());
  leader_.Put(2);  // after the call: delivered
  relay->Start();
  ASSERT_TRUE(testing::Eventually([&] { return sink_->Data().size() == 2; }));
  EXPECT_EQ(sink_->Data(), DataOf(3, 5));
  relay->Cancel();

  leader_.AnswerError(Status::InvalidArgument("StartingSequenceNumber 1 used in GetShardIterator is invalid."));
  std::promise<Status> refused;
  Open({"AT_SEQUENCE_NUMBER", "1", std::nullopt})->Begin([&refused](Status st) { refused.set_value(st); });
  const Status st = refused.get_future().get();
  EXPECT_EQ(st.code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(st.message(), "StartingSequenceNumber 1 used in GetShardIterator is invalid.");

  leader_.AnswerError(std::nullopt);
  leader_.FailNext(1);
  std::promise<Status> unanswered;
  Open({"LATEST", std::nullopt, std::nullopt})->Begin([&unanswered](Status st) { unanswered.set_value(st); });
  EXPECT_EQ(unanswered.get_future().get().code(), ErrorCode::kInternalFailure);
}

}  // namespace
}  // namespace sluice::api
