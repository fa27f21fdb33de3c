// Control-plane changes of an existing stream: tags, retention, enhanced
// monitoring, encryption, and the account limits. Each change is saved in
// the metadata document, so it survives reopening the engine.
#include <gtest/gtest.h>

#include "engine/engine.h"
#include "engine_test_util.h"

namespace sluice::engine {
namespace {

using testing::PutOne;
using testing::PutSync;
using testing::TempDir;

constexpr int64_t kStart = 1700000000000;
constexpr int64_t kHour = 3600 * 1000;
const StreamRef kStream{"123456789012", "us-east-1", "settings"};

std::unique_ptr<Engine> OpenEngine(const std::string& dir, Clock* clock, int64_t create_delay_ms = 0) {
  EngineOptions o;
  o.data_dir = dir;
  o.durability = storage::Durability::kOs;
  o.clock = clock;
  o.create_stream_delay_ms = create_delay_ms;
  o.log.segment_max_bytes = 1;  // every batch its own segment, so trimming shows
  auto engine = Engine::Open(o);
  EXPECT_TRUE(engine.ok()) << engine.status().ToString();
  return engine.ok() ? std::move(engine).value() : nullptr;
}

void Create(Engine& engine, const StreamRef& s, int shards, StreamMode mode = StreamMode::kProvisioned) {
  CreateStreamParams p;
  p.shard_count = shards;
  p.mode = mode;
  ASSERT_TRUE(engine.control().CreateStream(s, p).ok());
}

using Tags = std::vector<std::pair<std::string, std::string>>;

TEST(StreamSettingsTest, TagsAreAddedOverwrittenRemovedAndPersisted) {
  TempDir dir;
  ManualClock clock(kStart);
  {
    auto engine = OpenEngine(dir.path(), &clock);
    Create(*engine, kStream, 1);
    ASSERT_TRUE(engine->control().AddTags(kStream, {{"b", "1"}, {"a", "2"}}).ok());
    ASSERT_TRUE(engine->control().AddTags(kStream, {{"b", "3"}, {"c", ""}}).ok());
    ASSERT_TRUE(engine->control().RemoveTags(kStream, {"c", "missing"}).ok());
    EXPECT_EQ(*engine->control().ListTags(kStream), (Tags{{"a", "2"}, {"b", "3"}}));
  }
  auto engine = OpenEngine(dir.path(), &clock);
  EXPECT_EQ(*engine->control().ListTags(kStream), (Tags{{"a", "2"}, {"b", "3"}}));
}

TEST(StreamSettingsTest, AtMostFiftyTagsPerStream) {
  ManualClock clock(kStart);
  EngineOptions o;
  o.durability = storage::Durability::kMemory;
  o.clock = &clock;
  auto engine = std::move(Engine::Open(o)).value();
  Create(*engine, kStream, 1);
  Tags fifty;
  for (int i = 0; i < 50; ++i) fifty.emplace_back("k" + std::to_string(i), "v");
  ASSERT_TRUE(engine->control().AddTags(kStream, fifty).ok());
  // Overwriting existing keys does not count twice.
  EXPECT_TRUE(engine->control().AddTags(kStream, {{"k0", "w"}}).ok());
  Status st = engine->control().AddTags(kStream, {{"one-more", "v"}});
  EXPECT_EQ(st.code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(st.message(),
            "Failed to add tags to stream settings under account 123456789012 because a given stream cannot "
            "have more than 50 tags associated with it.");
  EXPECT_EQ(engine->control().ListTags(kStream)->size(), 50u);
}

TEST(StreamSettingsTest, ChangesNeedAnExistingActiveStream) {
  ManualClock clock(kStart);
  EngineOptions o;
  o.durability = storage::Durability::kMemory;
  o.clock = &clock;
  o.create_stream_delay_ms = 500;
  auto engine = std::move(Engine::Open(o)).value();
  Status missing = engine->control().AddTags(kStream, {{"a", "b"}});
  EXPECT_EQ(missing.code(), ErrorCode::kResourceNotFound);
  EXPECT_EQ(missing.message(), "Stream settings under account 123456789012 not found.");

  Create(*engine, kStream, 1);  // CREATING for 500 ms
  const std::string in_use = "Stream settings under account 123456789012 not ACTIVE, instead in state CREATING";
  for (Status st :
       {engine->control().AddTags(kStream, {{"a", "b"}}), engine->control().RemoveTags(kStream, {"a"}),
        engine->control().UpdateRetention(kStream, 48, true), engine->control().UpdateEncryption(kStream, "k"),
        engine->control().UpdateShardLevelMetrics(kStream, {"IncomingBytes"}, true).status()}) {
    EXPECT_EQ(st.code(), ErrorCode::kResourceInUse);
    EXPECT_EQ(st.message(), in_use);
  }
  clock.Advance(500);
  engine->RunHousekeeping();
  EXPECT_TRUE(engine->control().AddTags(kStream, {{"a", "b"}}).ok());
}

TEST(StreamSettingsTest, RetentionBoundsAndDirection) {
  ManualClock clock(kStart);
  EngineOptions o;
  o.durability = storage::Durability::kMemory;
  o.clock = &clock;
  auto engine = std::move(Engine::Open(o)).value();
  Create(*engine, kStream, 1);
  auto message = [](Status st) {
    EXPECT_EQ(st.code(), ErrorCode::kInvalidArgument);
    return st.message();
  };
  EXPECT_EQ(message(engine->control().UpdateRetention(kStream, 23, true)),
            "Minimum allowed retention period is 24 hours. Requested retention period (23 hours) is too short.");
  EXPECT_EQ(message(engine->control().UpdateRetention(kStream, 8761, true)),
            "Maximum allowed retention period is 8760 hours. Requested retention period (8761 hours) is too long.");
  ASSERT_TRUE(engine->control().UpdateRetention(kStream, 100, true).ok());
  EXPECT_EQ(message(engine->control().UpdateRetention(kStream, 50, true)),
            "Requested retention period (50 hours) for stream settings can not be shorter than existing "
            "retention period (100 hours). Use DecreaseStreamRetentionPeriod API.");
  EXPECT_EQ(message(engine->control().UpdateRetention(kStream, 200, false)),
            "Requested retention period (200 hours) for stream settings can not be longer than existing "
            "retention period (100 hours). Use IncreaseStreamRetentionPeriod API.");
  EXPECT_EQ(message(engine->control().UpdateRetention(kStream, 10, false)),
            "Minimum allowed retention period is 24 hours. Requested retention period (10 hours) is too short.");
  ASSERT_TRUE(engine->control().UpdateRetention(kStream, 8760, true).ok());
  EXPECT_EQ(engine->control().DescribeStream(kStream)->retention_hours, 8760);
  ASSERT_TRUE(engine->control().UpdateRetention(kStream, 24, false).ok());
  EXPECT_EQ(engine->control().DescribeStream(kStream)->retention_hours, 24);
}

TEST(StreamSettingsTest, TheStreamsRetentionGovernsReadsAndTrimming) {
  TempDir dir;
  ManualClock clock(kStart);
  auto engine = OpenEngine(dir.path(), &clock);
  Create(*engine, kStream, 1);
  ASSERT_TRUE(engine->control().UpdateRetention(kStream, 48, true).ok());
  PutOne(*engine, kStream, "k", "old");
  clock.Advance(30 * kHour);  // past the default 24 h, within 48 h
  PutOne(*engine, kStream, "k", "new");
  engine->RunHousekeeping();
  auto read = [&] {
    auto it = engine->records().GetShardIterator(kStream, "shardId-000000000000", IteratorType::kTrimHorizon, {}, {});
    EXPECT_TRUE(it.ok());
    std::vector<std::string> out;
    auto got = engine->records().GetRecords(*it, 100, std::nullopt);
    EXPECT_TRUE(got.ok()) << got.status().ToString();
    if (got.ok()) {
      for (const Record& r : got->records) out.emplace_back(r.data);
    }
    return out;
  };
  EXPECT_EQ(read(), (std::vector<std::string>{"old", "new"}));  // not trimmed at 24 h

  // Decreasing makes the older record unreadable at once.
  ASSERT_TRUE(engine->control().UpdateRetention(kStream, 24, false).ok());
  EXPECT_EQ(read(), (std::vector<std::string>{"new"}));
  engine->RunHousekeeping();  // and trims its segment
  EXPECT_EQ(read(), (std::vector<std::string>{"new"}));

  // The retention survives a restart.
  engine.reset();
  engine = OpenEngine(dir.path(), &clock);
  EXPECT_EQ(engine->control().DescribeStream(kStream)->retention_hours, 24);
  EXPECT_EQ(read(), (std::vector<std::string>{"new"}));
}

TEST(StreamSettingsTest, ShardLevelMetricsAreMergedInModelOrderAndPersisted) {
  TempDir dir;
  ManualClock clock(kStart);
  {
    auto engine = OpenEngine(dir.path(), &clock);
    Create(*engine, kStream, 1);
    auto r = engine->control().UpdateShardLevelMetrics(kStream, {"OutgoingBytes", "IncomingBytes"}, true);
    ASSERT_TRUE(r.ok());
    EXPECT_TRUE(r->first.empty());
    EXPECT_EQ(r->second, (std::vector<std::string>{"IncomingBytes", "OutgoingBytes"}));
    r = engine->control().UpdateShardLevelMetrics(kStream, {"IteratorAgeMilliseconds"}, true);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->first, (std::vector<std::string>{"IncomingBytes", "OutgoingBytes"}));
    EXPECT_EQ(r->second, (std::vector<std::string>{"IncomingBytes", "OutgoingBytes", "IteratorAgeMilliseconds"}));
    r = engine->control().UpdateShardLevelMetrics(kStream, {"OutgoingBytes", "IncomingRecords"}, false);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->second, (std::vector<std::string>{"IncomingBytes", "IteratorAgeMilliseconds"}));
  }
  auto engine = OpenEngine(dir.path(), &clock);
  EXPECT_EQ(engine->control().DescribeStream(kStream)->shard_level_metrics,
            (std::vector<std::string>{"IncomingBytes", "IteratorAgeMilliseconds"}));
}

TEST(StreamSettingsTest, RecordsWrittenWhileEncryptedReportKms) {
  TempDir dir;
  ManualClock clock(kStart);
  auto engine = OpenEngine(dir.path(), &clock);
  Create(*engine, kStream, 1);
  auto put = [&](const std::string& data) {
    auto r = PutSync(*engine, kStream, {{"k", data, std::nullopt}});
    EXPECT_TRUE(r.ok());
    return r.ok() && (*r)[0].encrypted;
  };
  auto encrypted_flags = [&] {
    auto it = engine->records().GetShardIterator(kStream, "shardId-000000000000", IteratorType::kTrimHorizon, {}, {});
    auto got = engine->records().GetRecords(*it, 100, std::nullopt);
    std::vector<bool> out;
    if (got.ok()) {
      for (const Record& r : got->records) out.push_back(r.encrypted);
    }
    return out;
  };
  EXPECT_FALSE(put("plain"));
  clock.Advance(10);
  ASSERT_TRUE(engine->control().UpdateEncryption(kStream, "alias/one").ok());
  EXPECT_TRUE(put("secret"));
  // Changing the key keeps the stream encrypted since the first start.
  clock.Advance(10);
  ASSERT_TRUE(engine->control().UpdateEncryption(kStream, "alias/two").ok());
  auto desc = engine->control().DescribeStream(kStream);
  EXPECT_EQ(desc->encryption_type, "KMS");
  EXPECT_EQ(desc->key_id, std::optional<std::string>("alias/two"));
  EXPECT_EQ(encrypted_flags(), (std::vector<bool>{false, true}));

  // The state survives a restart.
  engine.reset();
  engine = OpenEngine(dir.path(), &clock);
  EXPECT_EQ(encrypted_flags(), (std::vector<bool>{false, true}));
  EXPECT_EQ(engine->control().DescribeStream(kStream)->key_id, std::optional<std::string>("alias/two"));

  ASSERT_TRUE(engine->control().UpdateEncryption(kStream, std::nullopt).ok());
  desc = engine->control().DescribeStream(kStream);
  EXPECT_EQ(desc->encryption_type, "NONE");
  EXPECT_FALSE(desc->key_id.has_value());
  EXPECT_FALSE(put("plain again"));
}

TEST(StreamSettingsTest, LimitsCountOpenShardsAndOnDemandStreamsOfTheNamespace) {
  ManualClock clock(kStart);
  EngineOptions o;
  o.durability = storage::Durability::kMemory;
  o.clock = &clock;
  auto engine = std::move(Engine::Open(o)).value();
  AccountLimits empty = engine->control().DescribeLimits("123456789012", "us-east-1");
  EXPECT_EQ(empty.shard_limit, 20000);
  EXPECT_EQ(empty.open_shard_count, 0);
  EXPECT_EQ(empty.on_demand_stream_count, 0);
  EXPECT_EQ(empty.on_demand_stream_count_limit, 50);

  Create(*engine, kStream, 3);
  Create(*engine, {"123456789012", "us-east-1", "od"}, 2, StreamMode::kOnDemand);
  Create(*engine, {"123456789012", "eu-west-1", "elsewhere"}, 5);
  Create(*engine, {"999999999999", "us-east-1", "other-account"}, 7, StreamMode::kOnDemand);
  AccountLimits l = engine->control().DescribeLimits("123456789012", "us-east-1");
  EXPECT_EQ(l.open_shard_count, 5);
  EXPECT_EQ(l.on_demand_stream_count, 1);
  EXPECT_EQ(engine->control().DescribeLimits("123456789012", "eu-west-1").open_shard_count, 5);
}

}  // namespace
}  // namespace sluice::engine
