// SubscribeToShard on the engine: a subscription is woken by appends (no
// polling), respects its sink's flow control, ends after its lifetime, at
// the end of a closed shard, when its stream goes away, or when a newer
// subscription takes over. Real engine and logs; the sink records events.
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>

#include "engine/engine.h"
#include "engine/hash_ranges.h"
#include "engine_test_util.h"

namespace sluice::engine {
namespace {

using testing::PollUntil;
using testing::PutOne;
using testing::TempDir;

// Keeps what the engine delivered.
class RecordingSink : public SubscriptionSink {
 public:
  bool Send(const SubscriptionEvent& event) override {
    std::lock_guard lock(mu_);
    Event e;
    for (const Record& r : event.batch.records) e.data.emplace_back(r.data);
    e.continuation = event.continuation_sequence_number;
    for (const ChildShard& c : event.batch.child_shards) e.children.push_back(c.shard_id);
    events_.push_back(std::move(e));
    return accept_.load();
  }
  bool Ready() override { return ready_.load(); }
  void End(const Status& status) override {
    std::lock_guard lock(mu_);
    ends_.push_back(status);
  }

  struct Event {
    std::vector<std::string> data;
    std::optional<std::string> continuation;
    std::vector<std::string> children;
  };
  std::vector<Event> events() {
    std::lock_guard lock(mu_);
    return events_;
  }
  std::vector<std::string> records() {
    std::vector<std::string> out;
    for (const Event& e : events()) out.insert(out.end(), e.data.begin(), e.data.end());
    return out;
  }
  std::vector<Status> ends() {
    std::lock_guard lock(mu_);
    return ends_;
  }

  std::atomic<bool> ready_{true};
  std::atomic<bool> accept_{true};

 private:
  std::mutex mu_;
  std::vector<Event> events_;
  std::vector<Status> ends_;
};

class SubscriptionTest : public ::testing::Test {
 protected:
  void Open(storage::Durability durability = storage::Durability::kOs) {
    EngineOptions o;
    o.data_dir = dir_.path();
    o.durability = durability;
    o.subscription_lifetime_ms = lifetime_ms_;
    o.subscription_heartbeat_ms = heartbeat_ms_;
    o.subscription_takeover_ms = takeover_ms_;
    o.limits = limits_;
    o.clock = clock_;
    auto e = Engine::Open(o);
    ASSERT_TRUE(e.ok()) << e.status().ToString();
    engine_ = std::move(e).value();
    engine_->Start();
    CreateStreamParams p;
    p.shard_count = 1;
    ASSERT_TRUE(engine_->control().CreateStream(s_, p).ok());
    auto c = engine_->consumers().RegisterStreamConsumer(s_, "reader", {});
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    arn_ = c->arn;
    auto ref = engine_->consumers().ResolveActiveConsumer(c->arn);
    ASSERT_TRUE(ref.ok()) << ref.status().ToString();
    consumer_ = *ref;
  }

  // The handle keeps the subscription alive (the API layer holds it for as
  // long as the response stream is open).
  std::shared_ptr<Subscription> Subscribe(const std::shared_ptr<RecordingSink>& sink,
                                          IteratorType type = IteratorType::kLatest,
                                          const std::string& shard = "shardId-000000000000") {
    auto sub = engine_->subscriptions().SubscribeToShard(consumer_, shard, type, std::nullopt, std::nullopt, sink);
    EXPECT_TRUE(sub.ok()) << sub.status().ToString();
    if (!sub.ok()) return nullptr;
    (*sub)->Start();
    return *sub;
  }

  void TearDown() override {
    if (engine_) engine_->Stop();
  }

  TempDir dir_;
  int64_t lifetime_ms_ = 60000;
  int64_t heartbeat_ms_ = 60000;
  int64_t takeover_ms_ = 5000;
  ThroughputLimits limits_;            // none unless a test sets them
  ManualClock manual_{1700000000000};  // outlives the engine's threads
  Clock* clock_ = nullptr;             // the system clock unless a test sets &manual_
  std::unique_ptr<Engine> engine_;
  ConsumerRef consumer_;
  std::string arn_;
  const StreamRef s_{"123456789012", "us-east-1", "pushed"};
};

TEST_F(SubscriptionTest, AnAppendWakesTheSubscription) {
  Open();
  auto sink = std::make_shared<RecordingSink>();
  auto sub = Subscribe(sink);
  // The first event goes out at once, empty, with where to resume.
  ASSERT_TRUE(PollUntil([&] { return sink->events().size() == 1; }));
  EXPECT_TRUE(sink->events()[0].data.empty());
  EXPECT_TRUE(sink->events()[0].continuation.has_value());
  PutOne(*engine_, s_, "k", "one");
  PutOne(*engine_, s_, "k", "two");
  PutOne(*engine_, s_, "k", "three");
  ASSERT_TRUE(PollUntil([&] { return sink->records().size() == 3; }));
  EXPECT_EQ(sink->records(), (std::vector<std::string>{"one", "two", "three"}));
  EXPECT_TRUE(sink->ends().empty());
  sub->Cancel();
}

TEST_F(SubscriptionTest, DeliveryWaitsForTheFsyncInFsyncMode) {
  Open(storage::Durability::kFsync);
  auto sink = std::make_shared<RecordingSink>();
  auto sink_sub = Subscribe(sink);
  ASSERT_NE(sink_sub, nullptr);
  ASSERT_TRUE(PollUntil([&] { return sink->events().size() == 1; }));
  const std::string seq = PutOne(*engine_, s_, "k", "durable");
  ASSERT_TRUE(PollUntil([&] { return sink->records().size() == 1; }));
  auto events = sink->events();
  ASSERT_TRUE(events.back().continuation.has_value());
  // The continuation names the last record delivered: resuming after it
  // starts past it.
  EXPECT_EQ(*events.back().continuation, seq);
}

TEST_F(SubscriptionTest, TrimHorizonStartsWithTheRecordsAlreadyThere) {
  Open();
  PutOne(*engine_, s_, "k", "old1");
  PutOne(*engine_, s_, "k", "old2");
  auto sink = std::make_shared<RecordingSink>();
  auto sink_sub = Subscribe(sink, IteratorType::kTrimHorizon);
  ASSERT_NE(sink_sub, nullptr);
  ASSERT_TRUE(PollUntil([&] { return sink->records().size() == 2; }));
  PutOne(*engine_, s_, "k", "new");
  ASSERT_TRUE(PollUntil([&] { return sink->records().size() == 3; }));
  EXPECT_EQ(sink->records(), (std::vector<std::string>{"old1", "old2", "new"}));
}

TEST_F(SubscriptionTest, MetricsReportEachActiveSubscriptionsConsumerShardAndRecordsSent) {
  Open();
  PutOne(*engine_, s_, "k", "a");
  PutOne(*engine_, s_, "k", "b");
  auto sink = std::make_shared<RecordingSink>();
  auto sub = Subscribe(sink, IteratorType::kTrimHorizon);
  ASSERT_NE(sub, nullptr);
  ASSERT_TRUE(PollUntil([&] { return sink->records().size() == 2; }));
  ASSERT_TRUE(PollUntil([&] {
    EngineMetrics m = engine_->Metrics();
    return m.subscriptions.size() == 1 && m.subscriptions[0].records_sent == 2;
  }));
  EngineMetrics m = engine_->Metrics();
  EXPECT_EQ(m.active_subscriptions, 1);
  EXPECT_EQ(m.subscriptions[0].stream.name, "pushed");
  EXPECT_EQ(m.subscriptions[0].consumer_arn, arn_);
  EXPECT_EQ(m.subscriptions[0].shard_id, "shardId-000000000000");
  EXPECT_EQ(m.subscriptions[0].millis_behind_latest, 0);  // caught up
  EXPECT_GT(m.subscriptions[0].last_event_ms, 0);
  sub->Cancel();
  ASSERT_TRUE(PollUntil([&] { return engine_->Metrics().subscriptions.empty(); }));
}

TEST_F(SubscriptionTest, ASinkWithoutRoomIsNotSentToUntilItWakesTheSubscription) {
  Open();
  auto sink = std::make_shared<RecordingSink>();
  auto sub = Subscribe(sink);
  ASSERT_TRUE(PollUntil([&] { return sink->events().size() == 1; }));
  sink->ready_ = false;
  for (int i = 0; i < 5; ++i) PutOne(*engine_, s_, "k", "r" + std::to_string(i));
  // Nothing is sent while the sink has no room (the appends woke the
  // subscription; it found no room and waits for Wake).
  EXPECT_EQ(sink->events().size(), 1u);
  sink->ready_ = true;
  sub->Wake();
  ASSERT_TRUE(PollUntil([&] { return sink->records().size() == 5; }));
  EXPECT_EQ(sink->records().front(), "r0");
  EXPECT_EQ(sink->records().back(), "r4");
}

TEST_F(SubscriptionTest, ASubscriptionEndsCleanlyAfterItsLifetime) {
  lifetime_ms_ = 300;
  Open();
  auto sink = std::make_shared<RecordingSink>();
  auto sink_sub = Subscribe(sink);
  ASSERT_NE(sink_sub, nullptr);
  ASSERT_TRUE(PollUntil([&] { return !sink->ends().empty(); }));
  EXPECT_TRUE(sink->ends()[0].ok()) << sink->ends()[0].ToString();
  EXPECT_EQ(sink->ends().size(), 1u);
  // A new subscription right after the old one ended is allowed.
  auto again = std::make_shared<RecordingSink>();
  auto again_sub = Subscribe(again);
  EXPECT_NE(again_sub, nullptr);
}

TEST_F(SubscriptionTest, ASubscriberThatStopsReadingStillReachesItsEnd) {
  lifetime_ms_ = 300;
  Open();
  auto sink = std::make_shared<RecordingSink>();
  sink->ready_ = false;
  auto sub = Subscribe(sink);
  PutOne(*engine_, s_, "k", "never read");
  ASSERT_TRUE(PollUntil([&] { return !sink->ends().empty(); }));
  EXPECT_TRUE(sink->ends()[0].ok());
  EXPECT_TRUE(sink->records().empty());
}

TEST_F(SubscriptionTest, HeartbeatsMoveOnWhileIdle) {
  heartbeat_ms_ = 50;
  Open();
  auto sink = std::make_shared<RecordingSink>();
  auto sink_sub = Subscribe(sink);
  ASSERT_NE(sink_sub, nullptr);
  ASSERT_TRUE(PollUntil([&] { return sink->events().size() >= 3; }));
  for (const auto& e : sink->events()) {
    EXPECT_TRUE(e.data.empty());
    EXPECT_TRUE(e.continuation.has_value());
  }
}

TEST_F(SubscriptionTest, ASecondSubscriptionIsRefusedThenTakesOver) {
  Open();
  auto first = std::make_shared<RecordingSink>();
  auto first_sub = Subscribe(first);
  ASSERT_NE(first_sub, nullptr);
  auto refused =
      engine_->subscriptions().SubscribeToShard(consumer_, "shardId-000000000000", IteratorType::kLatest, std::nullopt,
                                                std::nullopt, std::make_shared<RecordingSink>());
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), ErrorCode::kResourceInUse);
  EXPECT_EQ(refused.status().message().rfind("Another active subscription exists for this consumer: arn:aws:kinesis:"
                                             "us-east-1:123456789012:stream/pushed/consumer/reader:",
                                             0),
            0u)
      << refused.status().message();
}

TEST_F(SubscriptionTest, ALaterSubscriptionReplacesTheOlderOne) {
  takeover_ms_ = 0;
  Open();
  auto first = std::make_shared<RecordingSink>();
  auto first_sub = Subscribe(first);
  ASSERT_NE(first_sub, nullptr);
  auto second = std::make_shared<RecordingSink>();
  auto second_sub = Subscribe(second);
  ASSERT_NE(second_sub, nullptr);
  ASSERT_TRUE(PollUntil([&] { return !first->ends().empty(); }));
  EXPECT_EQ(first->ends()[0].code(), ErrorCode::kResourceInUse);
  PutOne(*engine_, s_, "k", "after");
  ASSERT_TRUE(PollUntil([&] { return second->records().size() == 1; }));
  EXPECT_TRUE(first->records().empty());
}

TEST_F(SubscriptionTest, TheEndOfAClosedShardCarriesTheChildren) {
  Open();
  auto sink = std::make_shared<RecordingSink>();
  auto sink_sub = Subscribe(sink);
  ASSERT_NE(sink_sub, nullptr);
  ASSERT_TRUE(PollUntil([&] { return sink->events().size() == 1; }));
  PutOne(*engine_, s_, "k", "parent");
  ASSERT_TRUE(engine_->control().SplitShard(s_, "shardId-000000000000", HashKey{1} << 127).ok());
  ASSERT_TRUE(PollUntil([&] { return !sink->ends().empty(); }));
  EXPECT_TRUE(sink->ends()[0].ok());
  auto events = sink->events();
  EXPECT_EQ(sink->records(), std::vector<std::string>{"parent"});
  const auto& last = events.back();
  EXPECT_FALSE(last.continuation.has_value());
  EXPECT_EQ(last.children, (std::vector<std::string>{"shardId-000000000001", "shardId-000000000002"}));
  for (size_t i = 0; i + 1 < events.size(); ++i) {
    EXPECT_TRUE(events[i].children.empty());
    EXPECT_TRUE(events[i].continuation.has_value());
  }
}

TEST_F(SubscriptionTest, ShortLivedShardsOfAScaleLeadToTheirChildren) {
  Open();
  ASSERT_TRUE(engine_->control().UpdateShardCount(s_, 2).ok());  // shards 1, 2
  ASSERT_TRUE(engine_->control().UpdateShardCount(s_, 3).ok());  // splits 1 and 2, merges the middle pieces
  auto d = engine_->control().DescribeStream(s_);
  ASSERT_TRUE(d.ok());
  // A shard created and closed by the same change: it has no records and
  // reads straight to its children, by GetRecords and by subscription.
  std::optional<std::string> transient;
  for (const Shard& s : d->shards) {
    if (s.close_ms && *s.close_ms == s.open_ms) transient = s.shard_id;
  }
  ASSERT_TRUE(transient.has_value());
  auto it = engine_->records().GetShardIterator(s_, *transient, IteratorType::kTrimHorizon, {}, {});
  ASSERT_TRUE(it.ok()) << it.status().ToString();
  auto r = engine_->records().GetRecords(*it, 10, std::nullopt);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->records.empty());
  EXPECT_FALSE(r->next_shard_iterator.has_value());
  EXPECT_FALSE(r->child_shards.empty());

  auto sink = std::make_shared<RecordingSink>();
  auto sink_sub = Subscribe(sink, IteratorType::kTrimHorizon, *transient);
  ASSERT_NE(sink_sub, nullptr);
  ASSERT_TRUE(PollUntil([&] { return !sink->ends().empty(); }));
  ASSERT_FALSE(sink->events().empty());
  EXPECT_FALSE(sink->events().back().children.empty());
}

TEST_F(SubscriptionTest, DeletingTheStreamEndsTheSubscription) {
  Open();
  auto sink = std::make_shared<RecordingSink>();
  auto sink_sub = Subscribe(sink);
  ASSERT_NE(sink_sub, nullptr);
  ASSERT_TRUE(PollUntil([&] { return sink->events().size() == 1; }));
  ASSERT_TRUE(engine_->control().DeleteStream(s_, /*enforce_consumer_deletion=*/true).ok());
  ASSERT_TRUE(PollUntil([&] { return !sink->ends().empty(); }));
  EXPECT_EQ(sink->ends()[0].code(), ErrorCode::kResourceNotFound);
}

TEST_F(SubscriptionTest, ACancelledSubscriptionIsSentNothingMore) {
  Open();
  auto sink = std::make_shared<RecordingSink>();
  auto sub = Subscribe(sink);
  ASSERT_TRUE(PollUntil([&] { return sink->events().size() == 1; }));
  sub->Cancel();
  // A second subscriber proves the delivery thread has processed later work.
  takeover_ms_ = 0;
  PutOne(*engine_, s_, "k", "unseen");
  auto witness = std::make_shared<RecordingSink>();
  auto other = engine_->consumers().RegisterStreamConsumer(s_, "witness", {});
  ASSERT_TRUE(other.ok());
  auto witness_ref = engine_->consumers().ResolveActiveConsumer(other->arn);
  ASSERT_TRUE(witness_ref.ok());
  auto w = engine_->subscriptions().SubscribeToShard(*witness_ref, "shardId-000000000000", IteratorType::kTrimHorizon,
                                                     std::nullopt, std::nullopt, witness);
  ASSERT_TRUE(w.ok());
  (*w)->Start();
  ASSERT_TRUE(PollUntil([&] { return witness->records().size() == 1; }));
  EXPECT_EQ(sink->events().size(), 1u);
  EXPECT_TRUE(sink->ends().empty()) << "a cancelled subscription's sink is not ended either";
}

// --- the fan-out quotas (engine/throughput_quota.h) ---

TEST_F(SubscriptionTest, OneSubscribeToShardCallPerSecondPerConsumerAndShard) {
  limits_ = ThroughputLimits::Real();
  clock_ = &manual_;
  Open();
  auto subscribe = [&] {
    return engine_->subscriptions().SubscribeToShard(consumer_, "shardId-000000000000", IteratorType::kLatest,
                                                     std::nullopt, std::nullopt, std::make_shared<RecordingSink>());
  };
  auto first = subscribe();
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  (*first)->Cancel();
  auto second = subscribe();
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), ErrorCode::kLimitExceeded);
  EXPECT_EQ(second.status().message(), "Rate exceeded for consumer " + arn_ + " and shard shardId-000000000000.");
  manual_.Advance(1000);
  auto third = subscribe();
  ASSERT_TRUE(third.ok()) << third.status().ToString();
  (*third)->Cancel();
}

TEST_F(SubscriptionTest, ASubscriptionIsPacedAtTheFanOutRate) {
  limits_.fanout_bytes = 4000;  // bytes per second; the system clock: pacing waits for real
  Open();
  std::vector<testing::OwnedEntry> burst;
  for (int i = 0; i < 6; ++i) burst.push_back({"k", std::string(1999, 'x'), std::nullopt});  // 12,000 bytes
  ASSERT_TRUE(testing::PutSync(*engine_, s_, burst).ok());
  auto sink = std::make_shared<RecordingSink>();
  auto sub = Subscribe(sink, IteratorType::kTrimHorizon);
  ASSERT_NE(sub, nullptr);
  // One event carries the burst and leaves 8,000 bytes of debt: 2 s at 4,000/s.
  ASSERT_TRUE(PollUntil([&] { return sink->records().size() == 6; }));
  const auto sent = std::chrono::steady_clock::now();
  PutOne(*engine_, s_, "k", "late");
  ASSERT_TRUE(PollUntil([&] { return sink->records().size() == 7; }, std::chrono::seconds(20)));
  const auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - sent);
  EXPECT_GE(waited.count(), 1500) << "the record after the burst waited for the debt to be repaid";
  sub->Cancel();
}

}  // namespace
}  // namespace sluice::engine
