// Throughput quotas: the buckets of one shard (or on-demand stream) driven
// by hand, then a real engine over real logs with a hand-moved clock (the
// fan-out quotas are in subscription_test.cc).
#include "engine/throughput_quota.h"

#include <gtest/gtest.h>

#include <cmath>

#include "engine/engine.h"
#include "engine_test_util.h"

namespace sluice::engine {
namespace {

using testing::OwnedEntry;
using testing::PutSync;
using testing::TempDir;

constexpr double kMiB = 1024.0 * 1024.0;

std::vector<size_t> Sizes(size_t n, size_t each) { return std::vector<size_t>(n, each); }

TEST(ThroughputLimits, RealHasTheServiceFiguresAndEachCanBeSet) {
  ThroughputLimits none;
  EXPECT_FALSE(none.Any());
  ThroughputLimits l = ThroughputLimits::Real();
  EXPECT_TRUE(l.Any());
  EXPECT_EQ(l.shard.write_bytes, kMiB);
  EXPECT_EQ(l.shard.write_records, 1000);
  EXPECT_EQ(l.shard.read_calls, 5);
  EXPECT_EQ(l.shard.read_bytes, 2 * kMiB);
  EXPECT_EQ(l.on_demand.write_bytes, 4 * kMiB);
  EXPECT_EQ(l.on_demand.write_records, 4000);
  EXPECT_EQ(l.on_demand.read_bytes, 8 * kMiB);
  EXPECT_EQ(l.fanout_bytes, 2 * kMiB);
  EXPECT_EQ(l.subscribe_calls, 1);

  ASSERT_TRUE(none.Set("shard-write-records", 2000).ok());
  EXPECT_EQ(none.shard.write_records, 2000);
  EXPECT_TRUE(none.Any());
  ASSERT_TRUE(none.Set("fanout-bytes", 10).ok());
  EXPECT_EQ(none.fanout_bytes, 10);
  ASSERT_TRUE(none.Set("on-demand-scale-delay-ms", 0).ok());
  EXPECT_EQ(none.on_demand_scale_delay_ms, 0);
  Status bad = none.Set("shard-write-kittens", 1);
  EXPECT_EQ(bad.code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(bad.message().find("shard-write-records"), std::string::npos) << "names the known limits";
  EXPECT_EQ(none.Set("shard-read-calls", -1).code(), ErrorCode::kInvalidArgument);
  // --limit NAME=nan or =inf (strtod reads both): refused, not a NaN figure
  // or an infinite count cast to an integer.
  const ThroughputLimits before = none;
  EXPECT_EQ(none.Set("shard-write-bytes", std::nan("")).code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(none.Set("update-shard-count-per-day", HUGE_VAL).code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(none.Set("on-demand-scale-delay-ms", 1e300).code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(none.shard.write_bytes, before.shard.write_bytes);
  EXPECT_EQ(none.scalings_per_day, before.scalings_per_day);
  EXPECT_EQ(none.on_demand_scale_delay_ms, before.on_demand_scale_delay_ms);
  EXPECT_EQ(l.scalings_per_day, 10);
  EXPECT_EQ(none.Figures().size(), 12u);
}

TEST(ThroughputQuota, WritesAdmitAPrefixUpToOneSecondOfRecords) {
  const QuotaFigures f = ThroughputLimits::Real().shard;
  ThroughputQuota q;
  auto sizes = Sizes(1500, 10);
  EXPECT_EQ(q.AdmitWrites(f, sizes.data(), sizes.size(), 0), 1000u);
  EXPECT_EQ(q.AdmitWrites(f, sizes.data(), 1, 0), 0u);
  EXPECT_EQ(q.AdmitWrites(f, sizes.data(), sizes.size(), 250), 250u);  // 250 ms of flow
}

TEST(ThroughputQuota, WritesAreLimitedByBytesToo) {
  const QuotaFigures f = ThroughputLimits::Real().shard;
  ThroughputQuota q;
  auto sizes = Sizes(10, 256 * 1024);  // 2.5 MiB
  EXPECT_EQ(q.AdmitWrites(f, sizes.data(), sizes.size(), 0), 4u);
  EXPECT_EQ(q.AdmitWrites(f, sizes.data(), sizes.size(), 500), 2u);
}

TEST(ThroughputQuota, ARecordLargerThanASecondOfBytesFitsAFullBucket) {
  QuotaFigures f = ThroughputLimits::Real().shard;
  ThroughputQuota q;
  const size_t big[] = {static_cast<size_t>(kMiB) + 256};  // 1 MiB of data and a key
  EXPECT_EQ(q.AdmitWrites(f, big, 1, 0), 1u);
  EXPECT_EQ(q.AdmitWrites(f, big, 1, 900), 0u);   // the bucket is not full again yet
  EXPECT_EQ(q.AdmitWrites(f, big, 1, 1100), 1u);  // debt repaid and refilled
}

TEST(ThroughputQuota, FiveReadCallsASecondShared) {
  const QuotaFigures f = ThroughputLimits::Real().shard;
  ThroughputQuota q;
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(q.AdmitReadCall(f, 0)) << i;
  EXPECT_FALSE(q.AdmitReadCall(f, 0));
  EXPECT_FALSE(q.AdmitReadCall(f, 199));
  EXPECT_TRUE(q.AdmitReadCall(f, 200));
}

TEST(ThroughputQuota, ATenMiBReadBlocksTheShardForFiveSeconds) {
  const QuotaFigures f = ThroughputLimits::Real().shard;
  ThroughputQuota q;
  ASSERT_TRUE(q.AdmitReadCall(f, 1000));
  q.ChargeRead(f, static_cast<size_t>(10 * kMiB), 1000);
  EXPECT_FALSE(q.AdmitReadCall(f, 1001));
  EXPECT_FALSE(q.AdmitReadCall(f, 5999));
  EXPECT_TRUE(q.AdmitReadCall(f, 6000));
}

TEST(ThroughputQuota, ReadsWithinTheBytesRateAreNotBlocked) {
  const QuotaFigures f = ThroughputLimits::Real().shard;
  ThroughputQuota q;
  for (int64_t t = 0; t < 10000; t += 200) {  // 5 calls/s of 400 KiB = 2 MiB/s
    ASSERT_TRUE(q.AdmitReadCall(f, t)) << t;
    q.ChargeRead(f, 400 * 1024, t);
  }
}

TEST(ThroughputQuota, IteratorCallsFiveASecond) {
  const QuotaFigures f = ThroughputLimits::Real().shard;
  ThroughputQuota q;
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(q.AdmitIteratorCall(f, 0));
  EXPECT_FALSE(q.AdmitIteratorCall(f, 0));
  EXPECT_TRUE(q.AdmitIteratorCall(f, 200));
}

TEST(ThroughputQuota, UnlimitedFiguresAdmitEverything) {
  ThroughputQuota q;
  QuotaFigures none;
  auto sizes = Sizes(100000, 1 << 20);
  EXPECT_EQ(q.AdmitWrites(none, sizes.data(), sizes.size(), 0), sizes.size());
  for (int i = 0; i < 100; ++i) EXPECT_TRUE(q.AdmitReadCall(none, 0));
}

TEST(ThroughputQuota, OnDemandScalesToTwiceTheSustainedPeakAfterTheDelay) {
  const QuotaFigures f = ThroughputLimits::Real().on_demand;  // 4,000 records/s to start
  ThroughputQuota q;
  auto sizes = Sizes(10000, 1);
  const int64_t delay = 60000;
  // A full second at the initial capacity: a peak of 1x.
  int64_t t = 0;
  size_t accepted = 0;
  for (; t <= 1000; t += 10) accepted += q.AdmitWrites(f, sizes.data(), 200, t, true, delay);
  EXPECT_NEAR(static_cast<double>(accepted), 8000, 50);  // burst + one second of flow
  EXPECT_EQ(q.Current(f).write_records, 4000);
  // Not before the delay...
  q.AdmitWrites(f, sizes.data(), 0, t + delay - 100, true, delay);
  EXPECT_EQ(q.Current(f).write_records, 4000);
  // ...then twice the peak (the peak window ran over capacity: 2x of at least 1x).
  q.AdmitWrites(f, sizes.data(), 0, t + delay + 1000, true, delay);
  EXPECT_GE(q.Current(f).write_records, 8000);
  EXPECT_GE(q.Current(f).read_bytes, 16 * kMiB);
  // Idle streams never scale down below what they reached (the service keeps
  // the capacity of the last 30 days' peak).
  q.AdmitWrites(f, sizes.data(), 0, t + 10 * delay, true, delay);
  EXPECT_GE(q.Current(f).write_records, 8000);
}

TEST(ThroughputQuota, CallFiguresBelowOnePerSecondStillAdmitCalls) {
  // --limit shard-read-calls=0.5: one call every two seconds, not none (a
  // bucket holding one second of 0.5 calls never holds a whole call).
  QuotaFigures f;
  f.read_calls = 0.5;
  f.iterator_calls = 0.5;
  ThroughputQuota q;
  EXPECT_TRUE(q.AdmitReadCall(f, 0));
  EXPECT_FALSE(q.AdmitReadCall(f, 1000));
  EXPECT_TRUE(q.AdmitReadCall(f, 2000));
  EXPECT_TRUE(q.AdmitIteratorCall(f, 0));
  EXPECT_FALSE(q.AdmitIteratorCall(f, 1000));
  EXPECT_TRUE(q.AdmitIteratorCall(f, 2000));
}

// --- a real engine ---

constexpr int64_t kStart = 1700000000000;

class EngineQuotaTest : public ::testing::Test {
 protected:
  void Open(ThroughputLimits limits, bool on_demand = false, int shards = 1) {
    EngineOptions o;
    o.data_dir = dir_.path();
    o.durability = storage::Durability::kOs;
    o.clock = &clock_;
    o.limits = limits;
    auto e = Engine::Open(o);
    ASSERT_TRUE(e.ok()) << e.status().ToString();
    engine_ = std::move(e).value();
    engine_->Start();
    CreateStreamParams p;
    p.shard_count = shards;
    if (on_demand) p.mode = StreamMode::kOnDemand;
    ASSERT_TRUE(engine_->control().CreateStream(s_, p).ok());
  }
  void TearDown() override {
    if (engine_) engine_->Stop();
  }

  // `n` records with explicit hash key 0 (the first shard) or the top one.
  std::vector<OwnedEntry> Records(size_t n, bool last_shard = false) {
    std::vector<OwnedEntry> out;
    for (size_t i = 0; i < n; ++i) {
      out.push_back({"k", "r" + std::to_string(i), last_shard ? ~HashKey{0} : HashKey{0}});
    }
    return out;
  }

  TempDir dir_;
  ManualClock clock_{kStart};
  std::unique_ptr<Engine> engine_;
  const StreamRef s_{"123456789012", "us-east-1", "limited"};
};

TEST_F(EngineQuotaTest, PutRecordsThrottlesOnlyTheRecordsOverTheShardQuota) {
  Open(ThroughputLimits::Real(), false, 2);
  auto first = Records(400);
  auto other = Records(300, true);
  first.insert(first.end(), other.begin(), other.end());
  for (int i = 0; i < 3; ++i) {  // 1,200 to shard 0, 900 to shard 1
    auto r = PutSync(*engine_, s_, first);
    ASSERT_TRUE(r.ok());
    if (i < 2) {
      for (const auto& e : *r) EXPECT_TRUE(e.status.ok()) << e.status.ToString();
      continue;
    }
    // The third call: shard 0 has 200 tokens left, shard 1 all of its 100.
    int ok0 = 0, throttled0 = 0, ok1 = 0;
    for (size_t j = 0; j < r->size(); ++j) {
      const PutEntryResult& e = (*r)[j];
      if (j < 400) {
        if (e.status.ok()) {
          ++ok0;
          EXPECT_EQ(throttled0, 0) << "a refused record is never followed by an accepted one of its shard";
        } else {
          ++throttled0;
          EXPECT_EQ(e.status.code(), ErrorCode::kProvisionedThroughputExceeded);
          EXPECT_EQ(e.status.message(),
                    "Rate exceeded for shard shardId-000000000000 in stream limited under account 123456789012.");
        }
      } else {
        ok1 += e.status.ok() ? 1 : 0;
      }
    }
    EXPECT_EQ(ok0, 200);
    EXPECT_EQ(throttled0, 200);
    EXPECT_EQ(ok1, 300);
  }
  // Half a second later, 500 more fit shard 0.
  clock_.Advance(500);
  auto r = PutSync(*engine_, s_, Records(600));
  ASSERT_TRUE(r.ok());
  int ok = 0;
  for (const auto& e : *r) ok += e.status.ok() ? 1 : 0;
  EXPECT_EQ(ok, 500);
}

TEST_F(EngineQuotaTest, WithoutLimitsNothingIsThrottled) {
  Open(ThroughputLimits{});
  for (int i = 0; i < 10; ++i) {
    auto r = PutSync(*engine_, s_, Records(500));
    ASSERT_TRUE(r.ok());
    for (const auto& e : *r) ASSERT_TRUE(e.status.ok());
  }
  auto it = engine_->records().GetShardIterator(s_, "shardId-000000000000", IteratorType::kTrimHorizon, {}, {});
  ASSERT_TRUE(it.ok());
  for (int i = 0; i < 50; ++i) ASSERT_TRUE(engine_->records().GetRecords(*it, 1, std::nullopt).ok());
}

TEST_F(EngineQuotaTest, GetRecordsAndGetShardIteratorFollowTheReadQuota) {
  Open(ThroughputLimits::Real());
  ASSERT_TRUE(PutSync(*engine_, s_, Records(10)).ok());
  std::string iterator;
  for (int i = 0; i < 5; ++i) {
    auto it = engine_->records().GetShardIterator(s_, "shardId-000000000000", IteratorType::kTrimHorizon, {}, {});
    ASSERT_TRUE(it.ok()) << i;
    iterator = *it;
  }
  auto sixth = engine_->records().GetShardIterator(s_, "shardId-000000000000", IteratorType::kTrimHorizon, {}, {});
  ASSERT_FALSE(sixth.ok());
  EXPECT_EQ(sixth.status().code(), ErrorCode::kProvisionedThroughputExceeded);
  EXPECT_EQ(sixth.status().message(),
            "Rate exceeded for shard shardId-000000000000 in stream limited under account 123456789012.");

  for (int i = 0; i < 5; ++i) {
    auto r = engine_->records().GetRecords(iterator, 1, std::nullopt);
    ASSERT_TRUE(r.ok()) << i << " " << r.status().ToString();
    iterator = *r->next_shard_iterator;
  }
  auto refused = engine_->records().GetRecords(iterator, 1, std::nullopt);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), ErrorCode::kProvisionedThroughputExceeded);
  // The refused call read nothing: its iterator still works, from the same record.
  clock_.Advance(200);
  auto again = engine_->records().GetRecords(iterator, 1, std::nullopt);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  ASSERT_EQ(again->records.size(), 1u);
  EXPECT_EQ(again->records[0].data, "r5");
}

TEST_F(EngineQuotaTest, TenScalingsPerStreamInAnyTwentyFourHours) {
  Open(ThroughputLimits::Real());
  for (int i = 0; i < 10; ++i) {
    auto r = engine_->control().UpdateShardCount(s_, i % 2 == 0 ? 2 : 1);
    ASSERT_TRUE(r.ok()) << i << " " << r.status().ToString();
    clock_.Advance(3600 * 1000);  // one an hour
  }
  auto refused = engine_->control().UpdateShardCount(s_, 2);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), ErrorCode::kLimitExceeded);
  EXPECT_EQ(refused.status().message(),
            "Stream limited under account 123456789012 has reached the limit of 10 UpdateShardCount scaling "
            "operations in a rolling 24-hour period.");
  // The first scaling leaves the rolling window 24 hours after it was made.
  clock_.Advance(14 * 3600 * 1000);
  EXPECT_TRUE(engine_->control().UpdateShardCount(s_, 2).ok());
}

TEST_F(EngineQuotaTest, OnDemandStreamsShareOneStreamCapacity) {
  Open(ThroughputLimits::Real(), true);  // 4 shards, 4,000 records/s for the stream
  std::vector<OwnedEntry> spread;
  for (int i = 0; i < 500; ++i) spread.push_back({"key-" + std::to_string(i), "x", std::nullopt});
  int ok = 0;
  for (int call = 0; call < 10; ++call) {
    auto r = PutSync(*engine_, s_, spread);
    ASSERT_TRUE(r.ok());
    for (const auto& e : *r) ok += e.status.ok() ? 1 : 0;
  }
  EXPECT_EQ(ok, 4000);
}

TEST_F(EngineQuotaTest, ACallRefusedForTheStreamsReadBytesTakesNoShardCallToken) {
  ThroughputLimits limits;
  ASSERT_TRUE(limits.Set("shard-read-calls", 1).ok());
  ASSERT_TRUE(limits.Set("on-demand-read-bytes", 1000).ok());
  Open(limits, true);
  ASSERT_TRUE(PutSync(*engine_, s_, {{"k", std::string(1500, 'x'), HashKey{0}}}).ok());
  ASSERT_TRUE(PutSync(*engine_, s_, {{"k", "small", HashKey{0}}}).ok());
  auto it = engine_->records().GetShardIterator(s_, "shardId-000000000000", IteratorType::kTrimHorizon, {}, {});
  ASSERT_TRUE(it.ok()) << it.status().ToString();
  auto first = engine_->records().GetRecords(*it, 1, std::nullopt);  // 1,501 bytes: the stream's reads wait 1.5 s
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  const std::string next = *first->next_shard_iterator;
  clock_.Advance(1000);  // the shard's call token is back; the stream's bytes are not
  auto refused = engine_->records().GetRecords(next, 1, std::nullopt);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), ErrorCode::kProvisionedThroughputExceeded);
  clock_.Advance(600);  // the bytes are back, and the call token was never spent
  auto again = engine_->records().GetRecords(next, 1, std::nullopt);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  ASSERT_EQ(again->records.size(), 1u);
  EXPECT_EQ(again->records[0].data, "small");
}

}  // namespace
}  // namespace sluice::engine
