// ConsumerRegistry: registration, lookup, listing, deregistration, their
// CREATING/DELETING periods driven by RunHousekeeping on a ManualClock,
// quotas, persistence across a reopen, DeleteStream's
// EnforceConsumerDeletion, ResolveActiveConsumer, consumer tags and
// policies, and the consumer ARN format, reached through an Engine; and the
// registry alone over a stream table whose saves can fail.
#include <gtest/gtest.h>

#include <cstdint>
#include <mutex>
#include <shared_mutex>

#include "engine/consumer_arn.h"
#include "engine/consumer_registry.h"
#include "engine/engine.h"
#include "engine/stream_state.h"
#include "engine/stream_table.h"
#include "engine_test_util.h"
#include "one_stream_table.h"

namespace sluice::engine {
namespace {

using testing::OneStreamTable;
using testing::TempDir;

constexpr int64_t kStart = 1700000000000;
using Tags = std::vector<std::pair<std::string, std::string>>;

class ConsumersTest : public ::testing::Test {
 protected:
  std::unique_ptr<Engine> Open(int64_t register_delay = 0, int64_t deregister_delay = 0, const std::string& dir = "",
                               int64_t delete_delay = 0) {
    EngineOptions o;
    o.durability = dir.empty() ? storage::Durability::kMemory : storage::Durability::kOs;
    o.data_dir = dir;
    o.clock = &clock_;
    o.register_consumer_delay_ms = register_delay;
    o.deregister_consumer_delay_ms = deregister_delay;
    o.delete_stream_delay_ms = delete_delay;
    o.quotas.consumers_per_stream = consumer_limit_;
    auto e = Engine::Open(o);
    EXPECT_TRUE(e.ok()) << e.status().ToString();
    return e.ok() ? std::move(e).value() : nullptr;
  }

  void CreateStream(Engine& e, const StreamRef& s = {}) {
    CreateStreamParams p;
    p.shard_count = 1;
    ASSERT_TRUE(e.control().CreateStream(s.name.empty() ? s_ : s, p).ok());
  }

  ConsumerLookup ByName(const std::string& name) const { return {s_, name, std::nullopt}; }

  ManualClock clock_{kStart};
  int consumer_limit_ = 20;
  const StreamRef s_{"123456789012", "us-east-1", "orders"};
  const std::string stream_arn_ = "arn:aws:kinesis:us-east-1:123456789012:stream/orders";
};

TEST_F(ConsumersTest, RegisterDescribesTheConsumerAndItsArn) {
  auto e = Open();
  CreateStream(*e);
  clock_.Set(kStart + 1234);
  auto c = e->consumers().RegisterStreamConsumer(s_, "app", {});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->name, "app");
  EXPECT_EQ(c->arn, stream_arn_ + "/consumer/app:1700000001");
  EXPECT_EQ(c->status, ConsumerStatus::kActive);  // no registration delay
  EXPECT_EQ(c->creation_ms, kStart + 1234);
  EXPECT_EQ(c->stream_arn, stream_arn_);

  auto by_name = e->consumers().DescribeStreamConsumer(ByName("app"));
  ASSERT_TRUE(by_name.ok());
  EXPECT_EQ(by_name->arn, c->arn);
  auto by_arn = e->consumers().DescribeStreamConsumer({s_, "app", 1700000001});
  ASSERT_TRUE(by_arn.ok());
  EXPECT_EQ(by_arn->name, "app");
  EXPECT_EQ(e->control().DescribeStream(s_)->consumer_count, 1);
}

TEST_F(ConsumersTest, UnknownConsumersAndStreamsAreNotFound) {
  auto e = Open();
  CreateStream(*e);
  ASSERT_TRUE(e->consumers().RegisterStreamConsumer(s_, "app", {}).ok());
  auto missing = e->consumers().DescribeStreamConsumer(ByName("other"));
  EXPECT_EQ(missing.status().code(), ErrorCode::kResourceNotFound);
  EXPECT_EQ(missing.status().message(), "Consumer other not found.");
  // Right name, another second: an earlier or later consumer of that name.
  auto stale = e->consumers().DescribeStreamConsumer({s_, "app", 1600000000});
  EXPECT_EQ(stale.status().code(), ErrorCode::kResourceNotFound);
  EXPECT_EQ(stale.status().message(), "Consumer " + stream_arn_ + "/consumer/app:1600000000 not found.");
  auto no_stream = e->consumers().DescribeStreamConsumer({{"123456789012", "us-east-1", "nope"}, "app", std::nullopt});
  EXPECT_EQ(no_stream.status().message(), "Stream nope under account 123456789012 not found.");
  EXPECT_EQ(e->consumers().RegisterStreamConsumer({"123456789012", "us-east-1", "nope"}, "app", {}).status().code(),
            ErrorCode::kResourceNotFound);
  EXPECT_EQ(e->consumers().DeregisterStreamConsumer(ByName("other")).code(), ErrorCode::kResourceNotFound);
}

TEST_F(ConsumersTest, DuplicateNameIsInUse) {
  auto e = Open();
  CreateStream(*e);
  ASSERT_TRUE(e->consumers().RegisterStreamConsumer(s_, "app", {}).ok());
  auto again = e->consumers().RegisterStreamConsumer(s_, "app", {});
  EXPECT_EQ(again.status().code(), ErrorCode::kResourceInUse);
  EXPECT_EQ(again.status().message(), "Consumer app exists");
  // The same name on another stream is another consumer.
  const StreamRef other{"123456789012", "us-east-1", "other"};
  CreateStream(*e, other);
  EXPECT_TRUE(e->consumers().RegisterStreamConsumer(other, "app", {}).ok());
}

TEST_F(ConsumersTest, ConsumerQuotaOfTheStreamIsLimitExceeded) {
  consumer_limit_ = 3;
  auto e = Open();
  CreateStream(*e);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(e->consumers().RegisterStreamConsumer(s_, "c" + std::to_string(i), {}).ok());
  auto over = e->consumers().RegisterStreamConsumer(s_, "c3", {});
  EXPECT_EQ(over.status().code(), ErrorCode::kLimitExceeded);
  EXPECT_EQ(over.status().message(), "Only 3 consumers can be registered to a stream at once");
  // Room again once one is gone.
  ASSERT_TRUE(e->consumers().DeregisterStreamConsumer(ByName("c0")).ok());
  EXPECT_TRUE(e->consumers().RegisterStreamConsumer(s_, "c3", {}).ok());
}

TEST_F(ConsumersTest, AtMostFiveConsumersAreCreatingAtOnce) {
  auto e = Open(/*register_delay=*/1000);
  CreateStream(*e);
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(e->consumers().RegisterStreamConsumer(s_, "c" + std::to_string(i), {}).ok());
  auto sixth = e->consumers().RegisterStreamConsumer(s_, "c5", {});
  EXPECT_EQ(sixth.status().code(), ErrorCode::kLimitExceeded);
  EXPECT_EQ(sixth.status().message(), "Only 5 consumers can be created at the same time");
  clock_.Advance(1000);
  e->RunHousekeeping();
  EXPECT_TRUE(e->consumers().RegisterStreamConsumer(s_, "c5", {}).ok());
}

TEST_F(ConsumersTest, CreatingBecomesActiveWhenTheDelayEnds) {
  auto e = Open(/*register_delay=*/500);
  CreateStream(*e);
  auto c = e->consumers().RegisterStreamConsumer(s_, "app", {});
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->status, ConsumerStatus::kCreating);
  clock_.Advance(499);
  e->RunHousekeeping();
  EXPECT_EQ(e->consumers().DescribeStreamConsumer(ByName("app"))->status, ConsumerStatus::kCreating);
  clock_.Advance(1);
  e->RunHousekeeping();
  EXPECT_EQ(e->consumers().DescribeStreamConsumer(ByName("app"))->status, ConsumerStatus::kActive);
}

TEST_F(ConsumersTest, DeregisterWithADelayIsDeletingThenGone) {
  auto e = Open(0, /*deregister_delay=*/300);
  CreateStream(*e);
  ASSERT_TRUE(e->consumers().RegisterStreamConsumer(s_, "app", {}).ok());
  ASSERT_TRUE(e->consumers().DeregisterStreamConsumer(ByName("app")).ok());
  EXPECT_EQ(e->consumers().DescribeStreamConsumer(ByName("app"))->status, ConsumerStatus::kDeleting);
  // Deregistering a DELETING consumer again changes nothing.
  EXPECT_TRUE(e->consumers().DeregisterStreamConsumer(ByName("app")).ok());
  EXPECT_EQ(e->consumers().ListStreamConsumers(s_, std::nullopt)->size(), 1u);
  clock_.Advance(299);
  e->RunHousekeeping();
  EXPECT_TRUE(e->consumers().DescribeStreamConsumer(ByName("app")).ok());
  clock_.Advance(1);
  e->RunHousekeeping();
  EXPECT_EQ(e->consumers().DescribeStreamConsumer(ByName("app")).status().code(), ErrorCode::kResourceNotFound);
  EXPECT_TRUE(e->consumers().ListStreamConsumers(s_, std::nullopt)->empty());
  EXPECT_EQ(e->control().DescribeStream(s_)->consumer_count, 0);
}

TEST_F(ConsumersTest, DeregisterWithoutADelayIsGoneAtOnce) {
  auto e = Open();
  CreateStream(*e);
  auto c = e->consumers().RegisterStreamConsumer(s_, "app", {});
  ASSERT_TRUE(c.ok());
  auto parsed = ParseConsumerArn(c->arn);
  ASSERT_TRUE(parsed.has_value());
  ASSERT_TRUE(e->consumers().DeregisterStreamConsumer({parsed->stream, parsed->name, parsed->creation_seconds}).ok());
  EXPECT_EQ(e->consumers().DescribeStreamConsumer(ByName("app")).status().code(), ErrorCode::kResourceNotFound);
}

TEST_F(ConsumersTest, ListIsInRegistrationOrderAndChecksTheCreationTime) {
  auto e = Open();
  CreateStream(*e);
  for (const char* name : {"zeta", "alpha", "mid"}) {
    clock_.Advance(10);
    ASSERT_TRUE(e->consumers().RegisterStreamConsumer(s_, name, {}).ok());
  }
  auto list = e->consumers().ListStreamConsumers(s_, std::nullopt);
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 3u);
  EXPECT_EQ((*list)[0].name, "zeta");
  EXPECT_EQ((*list)[1].name, "alpha");
  EXPECT_EQ((*list)[2].name, "mid");
  EXPECT_TRUE(e->consumers().ListStreamConsumers(s_, kStart + 999).ok());  // same second
  EXPECT_EQ(e->consumers().ListStreamConsumers(s_, kStart - 1000).status().code(), ErrorCode::kResourceNotFound);
}

TEST_F(ConsumersTest, RegisteringOnACreatingStreamIsInUse) {
  EngineOptions o;
  o.durability = storage::Durability::kMemory;
  o.clock = &clock_;
  o.create_stream_delay_ms = 100;
  auto e = Engine::Open(o);
  ASSERT_TRUE(e.ok());
  CreateStream(**e);
  auto c = (*e)->consumers().RegisterStreamConsumer(s_, "app", {});
  EXPECT_EQ(c.status().code(), ErrorCode::kResourceInUse);
  EXPECT_EQ(c.status().message(), "Stream orders under account 123456789012 not ACTIVE, instead in state CREATING");
  EXPECT_EQ((*e)->consumers().ListStreamConsumers(s_, std::nullopt).status().code(), ErrorCode::kResourceInUse);
}

TEST_F(ConsumersTest, ConsumersAndTheirTransitionsSurviveAReopen) {
  TempDir dir;
  std::string arn;
  {
    auto e = Open(/*register_delay=*/1000, 0, dir.path());
    CreateStream(*e);
    auto c = e->consumers().RegisterStreamConsumer(s_, "app", {{"team", "data"}});
    ASSERT_TRUE(c.ok());
    arn = c->arn;
    ASSERT_TRUE(e->consumers().RegisterStreamConsumer(s_, "second", {}).ok());
    e->Stop();
  }
  {
    auto e = Open(1000, 0, dir.path());
    ASSERT_NE(e, nullptr);
    auto list = e->consumers().ListStreamConsumers(s_, std::nullopt);
    ASSERT_TRUE(list.ok());
    ASSERT_EQ(list->size(), 2u);
    EXPECT_EQ((*list)[0].arn, arn);
    EXPECT_EQ((*list)[0].status, ConsumerStatus::kCreating);
    EXPECT_EQ(*e->consumers().ListConsumerTags(arn), (Tags{{"team", "data"}}));
    // The saved CREATING period ends on time after the restart.
    clock_.Advance(1000);
    e->RunHousekeeping();
    EXPECT_EQ(e->consumers().DescribeStreamConsumer(ByName("app"))->status, ConsumerStatus::kActive);
    ASSERT_TRUE(e->consumers().DeregisterStreamConsumer(ByName("second")).ok());
    e->Stop();
  }
  auto e = Open(1000, 0, dir.path());
  auto list = e->consumers().ListStreamConsumers(s_, std::nullopt);
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].name, "app");
  EXPECT_EQ((*list)[0].status, ConsumerStatus::kActive);
  EXPECT_EQ(e->control().DescribeStream(s_)->consumer_count, 1);
}

TEST_F(ConsumersTest, DeleteStreamWithConsumersNeedsEnforceConsumerDeletion) {
  auto e = Open();
  CreateStream(*e);
  ASSERT_TRUE(e->consumers().RegisterStreamConsumer(s_, "app", {}).ok());
  Status refused = e->control().DeleteStream(s_, /*enforce_consumer_deletion=*/false);
  EXPECT_EQ(refused.code(), ErrorCode::kResourceInUse);
  EXPECT_EQ(refused.message(),
            "DeleteStream can\u2019t delete 123456789012:orders because there are consumers associated with this "
            "data stream. To delete orders anyway, set the EnforceConsumerDeletion parameter to true to force the "
            "deletion of all the consumers that are associated with it.");
  EXPECT_TRUE(e->control().DescribeStream(s_).ok());
  ASSERT_TRUE(e->control().DeleteStream(s_, /*enforce_consumer_deletion=*/true).ok());
  EXPECT_EQ(e->control().DescribeStream(s_).status().code(), ErrorCode::kResourceNotFound);
  // A stream of the same name starts without the old consumers.
  CreateStream(*e);
  EXPECT_TRUE(e->consumers().ListStreamConsumers(s_, std::nullopt)->empty());
}

TEST_F(ConsumersTest, DeleteStreamWithoutConsumersNeedsNoFlag) {
  auto e = Open();
  CreateStream(*e);
  EXPECT_TRUE(e->control().DeleteStream(s_, false).ok());
}

TEST_F(ConsumersTest, EnforcedDeletionWithADelayTakesTheConsumersAlong) {
  auto e = Open(0, 0, "", /*delete_delay=*/200);
  CreateStream(*e);
  ASSERT_TRUE(e->consumers().RegisterStreamConsumer(s_, "app", {}).ok());
  ASSERT_TRUE(e->control().DeleteStream(s_, true).ok());
  EXPECT_EQ(e->consumers().DescribeStreamConsumer(ByName("app"))->status, ConsumerStatus::kDeleting);
  clock_.Advance(200);
  e->RunHousekeeping();
  EXPECT_EQ(e->control().DescribeStream(s_).status().code(), ErrorCode::kResourceNotFound);
  EXPECT_EQ(e->consumers().DescribeStreamConsumer(ByName("app")).status().code(), ErrorCode::kResourceNotFound);
}

TEST_F(ConsumersTest, ResolveActiveConsumer) {
  auto e = Open(/*register_delay=*/100);
  CreateStream(*e);
  auto c = e->consumers().RegisterStreamConsumer(s_, "app", {});
  ASSERT_TRUE(c.ok());
  auto creating = e->consumers().ResolveActiveConsumer(c->arn);
  EXPECT_EQ(creating.status().code(), ErrorCode::kResourceInUse);
  EXPECT_EQ(creating.status().message(),
            "Consumer app with creation timestamp 1700000000 under stream: orders , account 123456789012 is not "
            "in ACTIVE status.");
  clock_.Advance(100);
  e->RunHousekeeping();
  auto active = e->consumers().ResolveActiveConsumer(c->arn);
  ASSERT_TRUE(active.ok()) << active.status().ToString();
  EXPECT_EQ(active->stream.name, "orders");
  EXPECT_EQ(active->stream.account, "123456789012");
  EXPECT_EQ(active->consumer_name, "app");
  EXPECT_EQ(active->consumer_creation_ms, kStart);
  // Another partition's spelling names the same consumer.
  std::string cn_arn = c->arn;
  cn_arn.replace(0, 7, "arn:aws-cn");
  EXPECT_TRUE(e->consumers().ResolveActiveConsumer(cn_arn).ok());

  EXPECT_EQ(e->consumers().ResolveActiveConsumer(stream_arn_ + "/consumer/app:1700000001").status().code(),
            ErrorCode::kResourceNotFound);
  EXPECT_EQ(e->consumers().ResolveActiveConsumer(stream_arn_ + "/consumer/nope:1700000000").status().code(),
            ErrorCode::kResourceNotFound);
  EXPECT_EQ(e->consumers()
                .ResolveActiveConsumer("arn:aws:kinesis:us-east-1:123456789012:stream/gone/consumer/app:1700000000")
                .status()
                .message(),
            "Stream gone under account 123456789012 not found.");
  EXPECT_EQ(e->consumers().ResolveActiveConsumer("not an arn").status().code(), ErrorCode::kResourceNotFound);
  ASSERT_TRUE(e->consumers().DeregisterStreamConsumer(ByName("app")).ok());
  EXPECT_EQ(e->consumers().ResolveActiveConsumer(c->arn).status().code(), ErrorCode::kResourceNotFound);
}

TEST_F(ConsumersTest, ConsumerTagsAreTheConsumersOwn) {
  auto e = Open();
  CreateStream(*e);
  auto c = e->consumers().RegisterStreamConsumer(s_, "app", {{"b", "2"}, {"a", "1"}, {"b", "3"}});
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(*e->consumers().ListConsumerTags(c->arn), (Tags{{"a", "1"}, {"b", "3"}}));
  ASSERT_TRUE(e->consumers().AddConsumerTags(c->arn, {{"c", "x"}, {"a", "0"}}).ok());
  ASSERT_TRUE(e->consumers().RemoveConsumerTags(c->arn, {"b", "absent"}).ok());
  EXPECT_EQ(*e->consumers().ListConsumerTags(c->arn), (Tags{{"a", "0"}, {"c", "x"}}));
  EXPECT_TRUE(e->control().ListTags(s_)->empty());  // the stream's tags are untouched
  Tags many;
  for (int i = 0; i < 49; ++i) many.emplace_back("k" + std::to_string(i), "");
  EXPECT_EQ(e->consumers().AddConsumerTags(c->arn, many).code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(e->consumers().ListConsumerTags(stream_arn_ + "/consumer/nope:1").status().code(),
            ErrorCode::kResourceNotFound);
}

TEST_F(ConsumersTest, ConsumerPoliciesNeedTheConsumerAndGoWithIt) {
  auto e = Open(/*register_delay=*/50, /*deregister_delay=*/50);
  CreateStream(*e);
  auto c = e->consumers().RegisterStreamConsumer(s_, "app", {});
  ASSERT_TRUE(c.ok());
  Status creating = e->policies().PutResourcePolicy(c->arn, "{}");
  EXPECT_EQ(creating.code(), ErrorCode::kResourceInUse);
  EXPECT_EQ(creating.message(),
            "Consumer app with creation timestamp 1700000000 under stream orders and account 123456789012 is not "
            "in ACTIVE status.");
  clock_.Advance(50);
  e->RunHousekeeping();
  ASSERT_TRUE(e->policies().PutResourcePolicy(c->arn, R"({"Version":"2012-10-17"})").ok());
  EXPECT_EQ(*e->policies().GetResourcePolicy(c->arn), R"({"Version":"2012-10-17"})");
  EXPECT_EQ(e->policies().GetResourcePolicy(stream_arn_ + "/consumer/other:1700000000").status().message(),
            "Consumer " + stream_arn_ + "/consumer/other:1700000000 not found.");

  ASSERT_TRUE(e->consumers().DeregisterStreamConsumer(ByName("app")).ok());
  EXPECT_TRUE(e->policies().GetResourcePolicy(c->arn).ok());  // DELETING: still there
  clock_.Advance(50);
  e->RunHousekeeping();
  EXPECT_EQ(e->policies().GetResourcePolicy(c->arn).status().code(), ErrorCode::kResourceNotFound);
  // A new consumer of the same name in the same second has no policy.
  clock_.Set(kStart + 100);
  auto again = e->consumers().RegisterStreamConsumer(s_, "app", {});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->arn, c->arn);
  clock_.Advance(50);
  e->RunHousekeeping();
  EXPECT_EQ(*e->policies().GetResourcePolicy(again->arn), "{}");
}

TEST(ConsumerArnTest, FormatsAndParses) {
  const StreamRef s{"123456789012", "eu-west-1", "my.stream_1"};
  const std::string arn = ConsumerArn(s, "app-1", 1700000000999);
  EXPECT_EQ(arn, "arn:aws:kinesis:eu-west-1:123456789012:stream/my.stream_1/consumer/app-1:1700000000");
  auto p = ParseConsumerArn(arn);
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->stream.account, "123456789012");
  EXPECT_EQ(p->stream.region, "eu-west-1");
  EXPECT_EQ(p->stream.name, "my.stream_1");
  EXPECT_EQ(p->name, "app-1");
  EXPECT_EQ(p->creation_seconds, 1700000000);
  auto zero = ParseConsumerArn("arn:aws-us-gov:kinesis:r:123456789012:stream/s/consumer/c:0");
  ASSERT_TRUE(zero.has_value());
  EXPECT_EQ(zero->creation_seconds, 0);
}

TEST(ConsumerArnTest, RejectsMalformedArns) {
  const std::string base = "arn:aws:kinesis:us-east-1:123456789012:stream/s";
  for (const std::string& bad : std::vector<std::string>{
           base,                                                                    // a stream ARN
           base + "/consumer/c",                                                    // no creation time
           base + "/consumer/c:",                                                   // empty creation time
           base + "/consumer/:1",                                                   // empty name
           base + "/consumer/c:1x",                                                 // not digits
           base + "/consumer/c:-1",                                                 // signed
           base + "/consumer/c d:1",                                                // space in the name
           base + "/consumer/c/d:1",                                                // slash in the name
           base + "/consumer/c:1234567890123456789",                                // 19 digits: past 18
           base + "/consumers/c:1",                                                 // wrong infix
           base + "/x/consumer/c:1",                                                // extra path segment
           std::string("arn:aws:s3:us-east-1:123456789012:stream/s/consumer/c:1"),  // another service
           "arn:aws:kinesis:us-east-1:123456789012:table/s/consumer/c:1",
           "",
       }) {
    EXPECT_FALSE(ParseConsumerArn(bad).has_value()) << bad;
  }
  EXPECT_TRUE(ParseConsumerArn(base + "/consumer/" + std::string(128, 'n') + ":1").has_value());
  EXPECT_FALSE(ParseConsumerArn(base + "/consumer/" + std::string(129, 'n') + ":1").has_value());
}

class ConsumerRegistryAloneTest : public ::testing::Test {
 protected:
  static StreamMeta ActiveStream() {
    StreamMeta m;
    m.ref = {"123456789012", "us-east-1", "orders"};
    m.status = StreamStatus::kActive;
    m.creation_ms = kStart;
    return m;
  }

  ManualClock clock_{kStart};
  EngineOptions options_;
  OneStreamTable table_{ActiveStream()};
  AccountStore accounts_{"", /*in_memory=*/true, clock_};
  int kicks_ = 0;
  ConsumerRegistry registry_{options_, clock_, table_, accounts_, [this] { ++kicks_; }};
  const StreamRef s_{"123456789012", "us-east-1", "orders"};
};

TEST_F(ConsumerRegistryAloneTest, ARegisteredConsumerIsSavedBeforeItIsLive) {
  auto c = registry_.RegisterStreamConsumer(s_, "app", {});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  ASSERT_EQ(table_.saved.size(), 1u);
  ASSERT_EQ(table_.saved[0].size(), 1u);
  ASSERT_EQ(table_.saved[0][0].consumers.size(), 1u);
  EXPECT_EQ(table_.saved[0][0].consumers[0].name, "app");
  EXPECT_EQ(registry_.ListStreamConsumers(s_, std::nullopt)->size(), 1u);
  EXPECT_EQ(kicks_, 0);  // ACTIVE at once: no transition to settle
}

TEST_F(ConsumerRegistryAloneTest, AFailedSaveRegistersNothing) {
  table_.fail_saves = true;
  auto c = registry_.RegisterStreamConsumer(s_, "app", {});
  EXPECT_EQ(c.status().code(), ErrorCode::kIoError);
  EXPECT_TRUE(registry_.ListStreamConsumers(s_, std::nullopt)->empty());
  EXPECT_EQ(registry_.DescribeStreamConsumer({s_, "app", std::nullopt}).status().code(), ErrorCode::kResourceNotFound);
}

TEST_F(ConsumerRegistryAloneTest, ADelayedRegistrationWakesHousekeepingAndSettlesWhenDue) {
  options_.register_consumer_delay_ms = 500;
  ASSERT_TRUE(registry_.RegisterStreamConsumer(s_, "app", {}).ok());
  EXPECT_EQ(kicks_, 1);
  int64_t next_due = INT64_MAX;
  {
    std::lock_guard control(table_.control_mu());
    registry_.SettleLocked(kStart + 499, &next_due);
  }
  EXPECT_EQ(next_due, kStart + 500);
  EXPECT_EQ(registry_.DescribeStreamConsumer({s_, "app", std::nullopt})->status, ConsumerStatus::kCreating);
  {
    std::lock_guard control(table_.control_mu());
    registry_.SettleLocked(kStart + 500, &next_due);
  }
  EXPECT_EQ(registry_.DescribeStreamConsumer({s_, "app", std::nullopt})->status, ConsumerStatus::kActive);
}

}  // namespace
}  // namespace sluice::engine
