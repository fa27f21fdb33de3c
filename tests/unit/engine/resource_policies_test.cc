// ResourcePolicies (engine/resource_policies.h) on its own, over a stream
// table of one stream, a real consumer registry and a real account store:
// the empty policy, replacement, the canonical ARN, consumers' policies,
// the service's errors and a failed save. The Engine's policies() is tested
// with deletion and restarts in account_store_test.cc.
#include "engine/resource_policies.h"

#include <gtest/gtest.h>

#include <climits>

#include "engine/engine.h"
#include "engine_test_util.h"
#include "one_stream_table.h"

namespace sluice::engine {
namespace {

using testing::OneStreamTable;
using testing::TempDir;

constexpr int64_t kStart = 1700000000000;
const std::string kArn = "arn:aws:kinesis:us-east-1:123456789012:stream/orders";

StreamMeta ActiveStream() {
  StreamMeta m;
  m.ref = {"123456789012", "us-east-1", "orders"};
  m.status = StreamStatus::kActive;
  m.creation_ms = kStart;
  return m;
}

class ResourcePoliciesTest : public ::testing::Test {
 protected:
  ManualClock clock_{kStart};
  EngineOptions options_;
  OneStreamTable table_{ActiveStream()};
  AccountStore accounts_{"", /*in_memory=*/true, clock_};
  ConsumerRegistry consumers_{options_, clock_, table_, accounts_, [] {}};
  ResourcePolicies policies_{table_, consumers_, accounts_};
  const StreamRef s_{"123456789012", "us-east-1", "orders"};
};

TEST_F(ResourcePoliciesTest, AStreamWithoutAPolicyReadsAsEmptyAndPutReplacesVerbatim) {
  EXPECT_EQ(*policies_.GetResourcePolicy(kArn), "{}");
  ASSERT_TRUE(policies_.PutResourcePolicy(kArn, R"({"Version":"2012-10-17"})").ok());
  ASSERT_TRUE(policies_.PutResourcePolicy(kArn, R"({ "Statement" : [] })").ok());
  EXPECT_EQ(*policies_.GetResourcePolicy(kArn), R"({ "Statement" : [] })");
  ASSERT_TRUE(policies_.DeleteResourcePolicy(kArn).ok());
  EXPECT_EQ(*policies_.GetResourcePolicy(kArn), "{}");
  Status again = policies_.DeleteResourcePolicy(kArn);
  EXPECT_EQ(again.code(), ErrorCode::kResourceNotFound);
  EXPECT_EQ(again.message(), "No resource policy found for resource ARN " + kArn + ".");
}

TEST_F(ResourcePoliciesTest, EverySpellingOfThePartitionNamesOnePolicy) {
  ASSERT_TRUE(policies_.PutResourcePolicy("arn:aws-cn:kinesis:us-east-1:123456789012:stream/orders", "{\"a\":1}").ok());
  EXPECT_EQ(*policies_.GetResourcePolicy(kArn), "{\"a\":1}");
}

TEST_F(ResourcePoliciesTest, APolicyIsPutOnlyOnAnActiveConsumer) {
  options_.register_consumer_delay_ms = 500;
  auto c = consumers_.RegisterStreamConsumer(s_, "app", {});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(policies_.PutResourcePolicy(c->arn, "{}").code(), ErrorCode::kResourceInUse);
  EXPECT_EQ(*policies_.GetResourcePolicy(c->arn), "{}");  // a CREATING consumer still has one to read
  clock_.Advance(500);
  {
    std::lock_guard control(table_.control_mu());
    int64_t next_due = INT64_MAX;
    consumers_.SettleLocked(clock_.NowMillis(), &next_due);
  }
  ASSERT_TRUE(policies_.PutResourcePolicy(c->arn, "{\"c\":1}").ok());
  EXPECT_EQ(*policies_.GetResourcePolicy(c->arn), "{\"c\":1}");
  EXPECT_EQ(*policies_.GetResourcePolicy(kArn), "{}");  // the stream's own is apart
}

TEST_F(ResourcePoliciesTest, UnknownResourcesGetTheServicesErrors) {
  const std::string other = "arn:aws:kinesis:us-east-1:123456789012:stream/other";
  Status stream = policies_.PutResourcePolicy(other, "{}");
  EXPECT_EQ(stream.code(), ErrorCode::kResourceNotFound);
  EXPECT_EQ(stream.message(), "Stream other under account 123456789012 not found.");
  const std::string consumer = kArn + "/consumer/missing:1700000000";
  Status missing = policies_.GetResourcePolicy(consumer).status();
  EXPECT_EQ(missing.code(), ErrorCode::kResourceNotFound);
  EXPECT_EQ(missing.message(), "Consumer " + consumer + " not found.");
  Status malformed = policies_.DeleteResourcePolicy(kArn + "/consumer/no-seconds");
  EXPECT_EQ(malformed.code(), ErrorCode::kResourceNotFound);
  Status neither = policies_.PutResourcePolicy("arn:aws:kinesis:us-east-1:123456789012:table/x", "{}");
  EXPECT_EQ(neither.code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(neither.message(), "Invalid ResourceARN arn:aws:kinesis:us-east-1:123456789012:table/x.");
}

TEST(ResourcePoliciesAloneTest, AFailedSaveKeepsThePolicyThatWasThere) {
  TempDir dir;
  ManualClock clock{kStart};
  EngineOptions options;
  OneStreamTable table{ActiveStream()};
  AccountStore accounts(dir.path() + "/accounts", /*in_memory=*/false, clock);
  ASSERT_TRUE(accounts.Load().ok());
  ConsumerRegistry consumers(options, clock, table, accounts, [] {});
  ResourcePolicies policies(table, consumers, accounts);
  ASSERT_TRUE(policies.PutResourcePolicy(kArn, "{\"kept\":1}").ok());
  std::filesystem::remove_all(dir.path());  // the next save has nowhere to go
  EXPECT_EQ(policies.PutResourcePolicy(kArn, "{\"lost\":1}").code(), ErrorCode::kIoError);
  EXPECT_EQ(policies.DeleteResourcePolicy(kArn).code(), ErrorCode::kIoError);
  EXPECT_EQ(*policies.GetResourcePolicy(kArn), "{\"kept\":1}");
}

}  // namespace
}  // namespace sluice::engine
