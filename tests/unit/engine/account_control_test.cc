// AccountControl (engine/account_control.h) on its own, over a real account
// store on a ManualClock: the settings it reports, the commitment's
// transitions, a failed save; and through Engine::accounts(), the
// commitment that warm throughput needs.
#include "engine/account_control.h"

#include <gtest/gtest.h>

#include "engine/engine.h"
#include "engine_test_util.h"

namespace sluice::engine {
namespace {

using testing::TempDir;

constexpr int64_t kStart = 1700000000000;
constexpr int64_t kHour = 60 * 60 * 1000;
const std::string kAcct = "123456789012";
const std::string kRegion = "us-east-1";

class AccountControlTest : public ::testing::Test {
 protected:
  ManualClock clock_{kStart};
  AccountStore store_{"", /*in_memory=*/true, clock_};
  AccountControl accounts_{store_};
};

TEST_F(AccountControlTest, ANamespaceIsDisabledWithNoTimesUntilFirstEnabled) {
  const MinimumThroughputCommitment c = accounts_.DescribeAccountSettings(kAcct, kRegion).minimum_throughput_commitment;
  EXPECT_EQ(c.status, CommitmentStatus::kDisabled);
  EXPECT_FALSE(c.started_ms.has_value());
  EXPECT_FALSE(c.ended_ms.has_value());
  EXPECT_FALSE(c.earliest_allowed_end_ms.has_value());
  EXPECT_FALSE(accounts_.MinimumThroughputCommitmentEnabled(kAcct, kRegion));
}

TEST_F(AccountControlTest, AnEarlyDisableKeepsTheCommitmentInForceUntilItsEarliestEnd) {
  auto enabled = accounts_.UpdateAccountSettings(kAcct, kRegion, /*enable=*/true);
  ASSERT_TRUE(enabled.ok()) << enabled.status().ToString();
  EXPECT_EQ(enabled->minimum_throughput_commitment.status, CommitmentStatus::kEnabled);
  EXPECT_EQ(enabled->minimum_throughput_commitment.earliest_allowed_end_ms, kStart + 24 * kHour);
  EXPECT_TRUE(accounts_.MinimumThroughputCommitmentEnabled(kAcct, kRegion));
  EXPECT_FALSE(accounts_.MinimumThroughputCommitmentEnabled(kAcct, "eu-west-1"));  // per namespace

  clock_.Advance(kHour);
  auto disabled = accounts_.UpdateAccountSettings(kAcct, kRegion, /*enable=*/false);
  ASSERT_TRUE(disabled.ok());
  EXPECT_EQ(disabled->minimum_throughput_commitment.status, CommitmentStatus::kEnabledUntilEarliestAllowedEnd);
  EXPECT_TRUE(accounts_.MinimumThroughputCommitmentEnabled(kAcct, kRegion));

  clock_.Set(kStart + 24 * kHour);
  EXPECT_EQ(accounts_.DescribeAccountSettings(kAcct, kRegion).minimum_throughput_commitment.status,
            CommitmentStatus::kDisabled);
  EXPECT_FALSE(accounts_.MinimumThroughputCommitmentEnabled(kAcct, kRegion));
}

TEST(AccountControlAloneTest, AFailedSaveLeavesTheSettingsAsTheyWere) {
  TempDir dir;
  ManualClock clock{kStart};
  AccountStore store(dir.path() + "/missing/accounts", /*in_memory=*/false, clock);
  ASSERT_TRUE(store.Load().ok());
  AccountControl accounts(store);
  auto update = accounts.UpdateAccountSettings(kAcct, kRegion, /*enable=*/true);
  EXPECT_EQ(update.status().code(), ErrorCode::kIoError);
  EXPECT_EQ(accounts.DescribeAccountSettings(kAcct, kRegion).minimum_throughput_commitment.status,
            CommitmentStatus::kDisabled);
  EXPECT_FALSE(accounts.MinimumThroughputCommitmentEnabled(kAcct, kRegion));
}

TEST(AccountControlEngineTest, WarmThroughputNeedsTheCommitmentEngineAccountsEnables) {
  ManualClock clock{kStart};
  EngineOptions o;
  o.durability = storage::Durability::kMemory;
  o.clock = &clock;
  auto engine = Engine::Open(o);
  ASSERT_TRUE(engine.ok()) << engine.status().ToString();
  CreateStreamParams p;
  p.mode = StreamMode::kOnDemand;
  p.warm_throughput_mibps = 100;
  const StreamRef s{kAcct, kRegion, "warm"};
  EXPECT_EQ((*engine)->control().CreateStream(s, p).code(), ErrorCode::kInvalidArgument);
  ASSERT_TRUE((*engine)->accounts().UpdateAccountSettings(kAcct, kRegion, /*enable=*/true).ok());
  EXPECT_TRUE((*engine)->control().CreateStream(s, p).ok());
}

}  // namespace
}  // namespace sluice::engine
