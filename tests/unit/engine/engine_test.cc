// Engine behaviour over real in-memory storage, with a ManualClock.
#include "engine/engine.h"

#include <gtest/gtest.h>

#include "engine/sequence_number.h"
#include "engine_test_util.h"

namespace sluice::engine {
namespace {

using testing::OwnedEntry;
using testing::PutOne;
using testing::PutSync;

constexpr int64_t kStart = 1700000000000;  // 2023-11-14T22:13:20Z

class EngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    EngineOptions o;
    o.durability = storage::Durability::kMemory;
    o.clock = &clock_;
    auto e = Engine::Open(o);
    ASSERT_TRUE(e.ok()) << e.status().ToString();
    engine_ = std::move(e).value();
  }

  void Create(const StreamRef& s, int shards) {
    CreateStreamParams p;
    p.shard_count = shards;
    Status st = engine_->control().CreateStream(s, p);
    ASSERT_TRUE(st.ok()) << st.ToString();
  }

  std::string Iterator(const StreamRef& s, const std::string& shard, IteratorType t,
                       std::optional<std::string> seq = std::nullopt, std::optional<int64_t> ts = std::nullopt) {
    std::optional<std::string_view> seq_view;
    if (seq) seq_view = *seq;
    auto it = engine_->records().GetShardIterator(s, shard, t, seq_view, ts);
    EXPECT_TRUE(it.ok()) << it.status().ToString();
    return it.ok() ? *it : "";
  }

  std::vector<std::string> Data(const GetRecordsResult& r) {
    std::vector<std::string> out;
    for (const Record& rec : r.records) out.emplace_back(rec.data);
    return out;
  }

  ManualClock clock_{kStart};
  std::unique_ptr<Engine> engine_;
  const StreamRef s_{"123456789012", "us-east-1", "orders"};
};

TEST_F(EngineTest, CreateStreamIsActiveAtOnceWithEvenShards) {
  Create(s_, 3);
  auto d = engine_->control().DescribeStream(s_);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->name, "orders");
  EXPECT_EQ(d->arn, "arn:aws:kinesis:us-east-1:123456789012:stream/orders");
  EXPECT_EQ(d->status, StreamStatus::kActive);
  EXPECT_EQ(d->creation_ms, kStart);
  EXPECT_EQ(d->retention_hours, 24);
  EXPECT_EQ(d->open_shard_count, 3);
  ASSERT_EQ(d->shards.size(), 3u);
  EXPECT_EQ(d->shards[0].shard_id, "shardId-000000000000");
  EXPECT_EQ(d->shards[2].shard_id, "shardId-000000000002");
  EXPECT_EQ(d->shards[0].hash_range.start, 0);
  EXPECT_EQ(d->shards[2].hash_range.end, kMaxHashKey);
  EXPECT_EQ(d->shards[1].hash_range.start, d->shards[0].hash_range.end + 1);
  EXPECT_FALSE(d->shards[0].ending_sequence_number.has_value());
  auto start = ParseSequenceNumber(d->shards[1].starting_sequence_number);
  ASSERT_TRUE(start.has_value());
  EXPECT_EQ(start->shard_index, 1u);
  EXPECT_EQ(start->counter, 0u);
  EXPECT_EQ(start->shard_created_seconds, kStart / 1000);
}

TEST_F(EngineTest, CreatingAnExistingStreamIsResourceInUse) {
  Create(s_, 1);
  CreateStreamParams p;
  p.shard_count = 2;
  Status st = engine_->control().CreateStream(s_, p);
  EXPECT_EQ(st.code(), ErrorCode::kResourceInUse);
  EXPECT_EQ(st.message(), "Stream orders under account 123456789012 already exists.");
}

TEST_F(EngineTest, SameNameInAnotherNamespaceIsAnotherStream) {
  Create(s_, 1);
  Create({"123456789012", "eu-west-1", "orders"}, 2);
  Create({"999999999999", "us-east-1", "orders"}, 3);
  EXPECT_EQ(engine_->control().DescribeStream({"999999999999", "us-east-1", "orders"})->shards.size(), 3u);
  EXPECT_EQ(engine_->control().DescribeStream(s_)->shards.size(), 1u);
}

TEST_F(EngineTest, ListStreamsIsSortedByNameWithinTheNamespace) {
  for (const char* name : {"zeta", "alpha", "mid"}) Create({"123456789012", "us-east-1", name}, 1);
  Create({"123456789012", "us-west-2", "other"}, 1);
  auto list = engine_->control().ListStreams("123456789012", "us-east-1");
  ASSERT_EQ(list.size(), 3u);
  EXPECT_EQ(list[0].name, "alpha");
  EXPECT_EQ(list[1].name, "mid");
  EXPECT_EQ(list[2].name, "zeta");
  EXPECT_EQ(list[0].arn, "arn:aws:kinesis:us-east-1:123456789012:stream/alpha");
  EXPECT_TRUE(engine_->control().ListStreams("000000000000", "us-east-1").empty());
}

TEST_F(EngineTest, DescribeUnknownStreamIsNotFound) {
  auto d = engine_->control().DescribeStream(s_);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().code(), ErrorCode::kResourceNotFound);
  EXPECT_EQ(d.status().message(), "Stream orders under account 123456789012 not found.");
}

TEST_F(EngineTest, TagsFromCreateAreStoredSortedWithLastValueWinning) {
  CreateStreamParams p;
  p.shard_count = 1;
  p.tags = {{"team", "a"}, {"env", "prod"}, {"team", "b"}};
  ASSERT_TRUE(engine_->control().CreateStream(s_, p).ok());
  auto tags = engine_->control().ListTags(s_);
  ASSERT_TRUE(tags.ok());
  std::vector<std::pair<std::string, std::string>> want = {{"env", "prod"}, {"team", "b"}};
  EXPECT_EQ(*tags, want);
}

TEST_F(EngineTest, PutThenGetFromTrimHorizonReturnsRecordsInOrder) {
  Create(s_, 1);
  auto put = PutSync(*engine_, s_, {{"k1", "one", {}}, {"k2", "two", {}}, {"k3", "three", {}}});
  ASSERT_TRUE(put.ok());
  ASSERT_EQ(put->size(), 3u);
  auto got = engine_->records().GetRecords(Iterator(s_, "shardId-000000000000", IteratorType::kTrimHorizon), 100,
                                           std::nullopt);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(Data(*got), (std::vector<std::string>{"one", "two", "three"}));
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(ToView(got->records[i].sequence_number), ToView((*put)[i].sequence_number));
    EXPECT_EQ(got->records[i].arrival_ms, kStart);
    auto f = ParseSequenceNumber(ToView((*put)[i].sequence_number));
    ASSERT_TRUE(f.has_value());
    EXPECT_EQ(f->counter, i + 1);  // offset + 1: dense
    EXPECT_EQ(f->record_seconds, kStart / 1000);
  }
  EXPECT_EQ(got->records[1].partition_key, "k2");
  EXPECT_EQ(got->millis_behind_latest, 0);
  EXPECT_TRUE(got->next_shard_iterator.has_value());
  EXPECT_TRUE(got->child_shards.empty());
}

TEST_F(EngineTest, RecordsAreRoutedByMd5OfThePartitionKey) {
  Create(s_, 4);
  // MD5("a") < 2^126 → shard 0; an explicit key picks the shard directly.
  auto put = PutSync(*engine_, s_, {{"a", "x", {}}, {"z", "y", HashKey{3} << 126}, {"q", "w", kMaxHashKey}});
  ASSERT_TRUE(put.ok());
  EXPECT_EQ((*put)[0].shard_index, 0);
  EXPECT_EQ((*put)[1].shard_index, 3);
  EXPECT_EQ((*put)[2].shard_index, 3);
  auto got = engine_->records().GetRecords(Iterator(s_, "shardId-000000000003", IteratorType::kTrimHorizon), 100,
                                           std::nullopt);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(Data(*got), (std::vector<std::string>{"y", "w"}));
}

TEST_F(EngineTest, EmptyDataAndBinaryBytesRoundTrip) {
  Create(s_, 1);
  std::string binary("\0\xff\x01zz", 5);
  ASSERT_TRUE(PutSync(*engine_, s_, {{"k", "", {}}, {"k", binary, {}}}).ok());
  auto got =
      engine_->records().GetRecords(Iterator(s_, "shardId-000000000000", IteratorType::kTrimHorizon), 10, std::nullopt);
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->records.size(), 2u);
  EXPECT_EQ(got->records[0].data, "");
  EXPECT_EQ(got->records[1].data, binary);
  // The views survive moving the result around.
  GetRecordsResult moved = std::move(got).value();
  EXPECT_EQ(moved.records[1].data, binary);
  EXPECT_EQ(moved.records[1].partition_key, "k");
}

TEST_F(EngineTest, LatestSeesOnlyLaterRecords) {
  Create(s_, 1);
  PutOne(*engine_, s_, "k", "before");
  std::string it = Iterator(s_, "shardId-000000000000", IteratorType::kLatest);
  PutOne(*engine_, s_, "k", "after");
  auto got = engine_->records().GetRecords(it, 100, std::nullopt);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(Data(*got), (std::vector<std::string>{"after"}));
}

TEST_F(EngineTest, EmptyReadReturnsAFreshIteratorAtTheSamePosition) {
  Create(s_, 1);
  std::string it = Iterator(s_, "shardId-000000000000", IteratorType::kLatest);
  clock_.Advance(1000);
  auto empty = engine_->records().GetRecords(it, 100, std::nullopt);
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->records.empty());
  ASSERT_TRUE(empty->next_shard_iterator.has_value());
  EXPECT_NE(*empty->next_shard_iterator, it);  // new issue time
  PutOne(*engine_, s_, "k", "later");
  auto got = engine_->records().GetRecords(*empty->next_shard_iterator, 100, std::nullopt);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(Data(*got), (std::vector<std::string>{"later"}));
}

TEST_F(EngineTest, LimitPagesThroughWithoutSkippingOrRepeating) {
  Create(s_, 1);
  std::vector<OwnedEntry> batch;
  for (int i = 0; i < 25; ++i) batch.push_back({"k", "r" + std::to_string(i), {}});
  ASSERT_TRUE(PutSync(*engine_, s_, batch).ok());
  std::string it = Iterator(s_, "shardId-000000000000", IteratorType::kTrimHorizon);
  std::vector<std::string> seen;
  for (int page = 0; page < 5; ++page) {
    auto got = engine_->records().GetRecords(it, 7, std::nullopt);
    ASSERT_TRUE(got.ok());
    EXPECT_LE(got->records.size(), 7u);
    for (auto& d : Data(*got)) seen.push_back(d);
    it = *got->next_shard_iterator;
  }
  ASSERT_EQ(seen.size(), 25u);
  for (int i = 0; i < 25; ++i) EXPECT_EQ(seen[i], "r" + std::to_string(i));
}

TEST_F(EngineTest, OneReadStopsAtTenMebibytes) {
  Create(s_, 1);
  const std::string mib(1024 * 1024 - 1, 'm');  // + 1-byte key = 1 MiB per record
  for (int i = 0; i < 12; ++i) PutOne(*engine_, s_, "k", mib);
  std::string it = Iterator(s_, "shardId-000000000000", IteratorType::kTrimHorizon);
  auto first = engine_->records().GetRecords(it, 10000, {});
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->records.size(), 10u);
  auto rest = engine_->records().GetRecords(*first->next_shard_iterator, 10000, {});
  ASSERT_TRUE(rest.ok());
  EXPECT_EQ(rest->records.size(), 2u);
}

TEST_F(EngineTest, AtAndAfterSequenceNumber) {
  Create(s_, 1);
  std::vector<std::string> seqs;
  for (const char* d : {"a", "b", "c"}) seqs.push_back(PutOne(*engine_, s_, "k", d));
  auto at = engine_->records().GetRecords(
      Iterator(s_, "shardId-000000000000", IteratorType::kAtSequenceNumber, seqs[1]), 100, {});
  ASSERT_TRUE(at.ok());
  EXPECT_EQ(Data(*at), (std::vector<std::string>{"b", "c"}));
  auto after = engine_->records().GetRecords(
      Iterator(s_, "shardId-000000000000", IteratorType::kAfterSequenceNumber, seqs[1]), 100, {});
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(Data(*after), (std::vector<std::string>{"c"}));
}

TEST_F(EngineTest, ShardStartingSequenceNumberIsAcceptedForAtAndAfter) {
  Create(s_, 1);
  PutOne(*engine_, s_, "k", "first");
  std::string start = engine_->control().DescribeStream(s_)->shards[0].starting_sequence_number;
  for (IteratorType t : {IteratorType::kAtSequenceNumber, IteratorType::kAfterSequenceNumber}) {
    auto got = engine_->records().GetRecords(Iterator(s_, "shardId-000000000000", t, start), 100, {});
    ASSERT_TRUE(got.ok());
    EXPECT_EQ(Data(*got), (std::vector<std::string>{"first"}));
  }
}

TEST_F(EngineTest, SequenceNumbersFromElsewhereAreRejectedWithTheServiceMessages) {
  Create(s_, 2);
  // A record in shard 1 (explicit key in its range).
  auto put = PutSync(*engine_, s_, {{"k", "x", kMaxHashKey}});
  ASSERT_TRUE(put.ok());
  const std::string shard1_seq(ToView((*put)[0].sequence_number));
  auto wrong_shard =
      engine_->records().GetShardIterator(s_, "shardId-000000000000", IteratorType::kAtSequenceNumber, shard1_seq, {});
  ASSERT_FALSE(wrong_shard.ok());
  EXPECT_EQ(wrong_shard.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(wrong_shard.status().message(),
            "Invalid StartingSequenceNumber. It encodes shardId-000000000001, while it was used "
            "in a call to a shard with shardId-000000000000");

  // Same shard index, another shard creation time: another stream.
  const std::string foreign = SequenceNumberString({kStart / 1000 - 50, 0, 1, kStart / 1000});
  auto other =
      engine_->records().GetShardIterator(s_, "shardId-000000000000", IteratorType::kAfterSequenceNumber, foreign, {});
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.status().message(),
            "StartingSequenceNumber " + foreign +
                " used in GetShardIterator on shard shardId-000000000000 in stream orders under "
                "account 123456789012 is invalid because it did not come from this stream.");

  auto garbage =
      engine_->records().GetShardIterator(s_, "shardId-000000000000", IteratorType::kAtSequenceNumber, "12345", {});
  ASSERT_FALSE(garbage.ok());
  EXPECT_EQ(garbage.status().message(),
            "StartingSequenceNumber 12345 used in GetShardIterator on shard shardId-000000000000 "
            "in stream orders under account 123456789012 is invalid.");
}

TEST_F(EngineTest, IteratorTypeAndSequenceNumberMustAgree) {
  Create(s_, 1);
  auto with_seq = engine_->records().GetShardIterator(s_, "shardId-000000000000", IteratorType::kLatest, "1", {});
  EXPECT_EQ(with_seq.status().message(),
            "Must either specify (1) AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER and "
            "StartingSequenceNumber or (2) TRIM_HORIZON or LATEST and no StartingSequenceNumber. "
            "Request specified LATEST and also a StartingSequenceNumber.");
  auto without =
      engine_->records().GetShardIterator(s_, "shardId-000000000000", IteratorType::kAfterSequenceNumber, {}, {});
  EXPECT_EQ(without.status().message(),
            "Must either specify (1) AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER and "
            "StartingSequenceNumber or (2) TRIM_HORIZON or LATEST and no StartingSequenceNumber. "
            "Request specified AFTER_SEQUENCE_NUMBER and no StartingSequenceNumber.");
  auto no_ts = engine_->records().GetShardIterator(s_, "shardId-000000000000", IteratorType::kAtTimestamp, {}, {});
  EXPECT_EQ(no_ts.status().message(),
            "Must specify timestampInMillis parameter for iterator of type AT_TIMESTAMP. Current "
            "request has no timestamp parameter.");
}

TEST_F(EngineTest, AtTimestampStartsAtTheFirstRecordArrivedAtOrAfterIt) {
  Create(s_, 1);
  PutOne(*engine_, s_, "k", "t0");
  clock_.Advance(1000);
  PutOne(*engine_, s_, "k", "t1");
  clock_.Advance(1000);
  PutOne(*engine_, s_, "k", "t2");
  auto mid = engine_->records().GetRecords(
      Iterator(s_, "shardId-000000000000", IteratorType::kAtTimestamp, {}, kStart + 1000), 100, {});
  ASSERT_TRUE(mid.ok());
  EXPECT_EQ(Data(*mid), (std::vector<std::string>{"t1", "t2"}));
  auto early = engine_->records().GetRecords(
      Iterator(s_, "shardId-000000000000", IteratorType::kAtTimestamp, {}, kStart - 100000), 100, {});
  ASSERT_TRUE(early.ok());
  EXPECT_EQ(early->records.size(), 3u);
  auto between = engine_->records().GetRecords(
      Iterator(s_, "shardId-000000000000", IteratorType::kAtTimestamp, {}, kStart + 1500), 100, {});
  EXPECT_EQ(Data(*between), (std::vector<std::string>{"t2"}));
}

TEST_F(EngineTest, AtTimestampInTheFutureIsRejected) {
  Create(s_, 1);
  const int64_t now = clock_.NowMillis();
  auto it = engine_->records().GetShardIterator(s_, "shardId-000000000000", IteratorType::kAtTimestamp, {}, now + 5000);
  ASSERT_FALSE(it.ok());
  EXPECT_EQ(it.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(it.status().message(),
            "The timestampInMillis parameter cannot be greater than the currentTimestampInMillis. "
            "timestampInMillis: " +
                std::to_string(now + 5000) + ", currentTimestampInMillis: " + std::to_string(now));
}

TEST_F(EngineTest, RecordsPastRetentionAreNeverReturned) {
  Create(s_, 1);
  PutOne(*engine_, s_, "k", "old");
  clock_.Advance(12 * 3600 * 1000);
  PutOne(*engine_, s_, "k", "newer");
  clock_.Advance(12 * 3600 * 1000 + 1);  // "old" is now 24 h + 1 ms old
  PutOne(*engine_, s_, "k", "newest");
  auto got = engine_->records().GetRecords(Iterator(s_, "shardId-000000000000", IteratorType::kTrimHorizon), 100, {});
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(Data(*got), (std::vector<std::string>{"newer", "newest"}));
  auto at_ts = engine_->records().GetRecords(
      Iterator(s_, "shardId-000000000000", IteratorType::kAtTimestamp, {}, kStart), 100, {});
  EXPECT_EQ(Data(*at_ts), (std::vector<std::string>{"newer", "newest"}));
}

TEST_F(EngineTest, MillisBehindLatestCountsFromTheLastReturnedRecord) {
  Create(s_, 1);
  PutOne(*engine_, s_, "k", "a");
  clock_.Advance(4000);
  PutOne(*engine_, s_, "k", "b");
  clock_.Advance(1000);
  auto first = engine_->records().GetRecords(Iterator(s_, "shardId-000000000000", IteratorType::kTrimHorizon), 1, {});
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(first->records.size(), 1u);
  EXPECT_EQ(first->millis_behind_latest, 5000);  // now - arrival of "a"
  auto rest = engine_->records().GetRecords(*first->next_shard_iterator, 10, {});
  ASSERT_TRUE(rest.ok());
  EXPECT_EQ(Data(*rest), (std::vector<std::string>{"b"}));
  EXPECT_EQ(rest->millis_behind_latest, 0);  // caught up
}

TEST_F(EngineTest, IteratorsExpireAfterTheirTtl) {
  Create(s_, 1);
  std::string it = Iterator(s_, "shardId-000000000000", IteratorType::kTrimHorizon);
  clock_.Advance(300000);
  EXPECT_TRUE(engine_->records().GetRecords(it, 1, {}).ok());
  clock_.Advance(1);
  auto expired = engine_->records().GetRecords(it, 1, {});
  ASSERT_FALSE(expired.ok());
  EXPECT_EQ(expired.status().code(), ErrorCode::kExpiredIterator);
  EXPECT_EQ(expired.status().message(),
            "Iterator expired. The iterator was created at time Tue Nov 14 22:13:20 UTC 2023 "
            "while right now it is Tue Nov 14 22:18:20 UTC 2023 which is further in the future "
            "than the tolerated delay of 300000 milliseconds.");
}

TEST_F(EngineTest, TamperedIteratorIsInvalid) {
  Create(s_, 1);
  std::string it = Iterator(s_, "shardId-000000000000", IteratorType::kTrimHorizon);
  it[10] = it[10] == 'A' ? 'B' : 'A';
  auto got = engine_->records().GetRecords(it, 1, {});
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(got.status().message(), "Invalid ShardIterator.");
}

TEST_F(EngineTest, IteratorOfADeletedOrRecreatedStreamIsNotFound) {
  Create(s_, 1);
  std::string it = Iterator(s_, "shardId-000000000000", IteratorType::kTrimHorizon);
  ASSERT_TRUE(engine_->control().DeleteStream(s_, false).ok());
  auto gone = engine_->records().GetRecords(it, 1, {});
  ASSERT_FALSE(gone.ok());
  EXPECT_EQ(gone.status().code(), ErrorCode::kResourceNotFound);
  EXPECT_EQ(gone.status().message(),
            "Shard shardId-000000000000 in stream orders under account 123456789012 does not exist");
  Create(s_, 1);  // same name, same clock millisecond
  auto recreated = engine_->records().GetRecords(it, 1, {});
  ASSERT_FALSE(recreated.ok());
  EXPECT_EQ(recreated.status().code(), ErrorCode::kResourceNotFound);
}

TEST_F(EngineTest, StreamArnMustNameTheIteratorsStream) {
  Create(s_, 1);
  std::string it = Iterator(s_, "shardId-000000000000", IteratorType::kTrimHorizon);
  EXPECT_TRUE(engine_->records().GetRecords(it, 1, s_).ok());
  auto wrong = engine_->records().GetRecords(it, 1, StreamRef{"123456789012", "us-east-1", "other"});
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.status().code(), ErrorCode::kInvalidArgument);
}

TEST_F(EngineTest, UnknownShardsAreNotFound) {
  Create(s_, 2);
  auto missing = engine_->records().GetShardIterator(s_, "shardId-000000000005", IteratorType::kLatest, {}, {});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), ErrorCode::kResourceNotFound);
  EXPECT_EQ(missing.status().message(),
            "Shard shardId-000000000005 in stream orders under account 123456789012 does not exist");
  auto bare = engine_->records().GetShardIterator(s_, "1", IteratorType::kLatest, {}, {});
  EXPECT_TRUE(bare.ok());  // kinesalite's bare-number form
  auto junk = engine_->records().GetShardIterator(s_, "shard-x", IteratorType::kLatest, {}, {});
  EXPECT_EQ(junk.status().message(), "Could not find shard shard-x in stream orders under account 123456789012.");
  auto no_stream = engine_->records().GetShardIterator({"123456789012", "us-east-1", "nope"}, "shardId-000000000000",
                                                       IteratorType::kLatest, {}, {});
  EXPECT_EQ(no_stream.status().message(),
            "Shard shardId-000000000000 in stream nope under account 123456789012 does not exist");
}

TEST_F(EngineTest, PutToAMissingStreamIsNotFound) {
  auto r = PutSync(*engine_, s_, {{"k", "v", {}}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kResourceNotFound);
  EXPECT_EQ(r.status().message(), "Stream orders under account 123456789012 not found.");
}

TEST_F(EngineTest, OversizedRecordFailsTheWholeCallAndWritesNothing) {
  Create(s_, 1);
  const std::string big(1024 * 1024, 'x');  // plus a 1-byte key: one byte too many
  auto r = PutSync(*engine_, s_, {{"k", "fine", {}}, {"k", big, {}}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kInvalidArgument);
  auto got = engine_->records().GetRecords(Iterator(s_, "shardId-000000000000", IteratorType::kTrimHorizon), 100, {});
  ASSERT_TRUE(got.ok());
  EXPECT_TRUE(got->records.empty());
  // Exactly at the limit is accepted.
  auto ok = PutSync(*engine_, s_, {{"k", std::string(1024 * 1024 - 1, 'y'), {}}});
  ASSERT_TRUE(ok.ok());
}

TEST_F(EngineTest, ListShardsAppliesFiltersAndCreationTimestamp) {
  Create(s_, 3);
  auto all = engine_->control().ListShards(s_, ShardFilter{}, std::nullopt);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 3u);
  ShardFilter after;
  after.type = ShardFilter::Type::kAfterShardId;
  after.shard_id = "shardId-000000000000";
  EXPECT_EQ(engine_->control().ListShards(s_, after, std::nullopt)->size(), 2u);
  ShardFilter latest;
  latest.type = ShardFilter::Type::kAtLatest;
  EXPECT_EQ(engine_->control().ListShards(s_, latest, std::nullopt)->size(), 3u);
  ShardFilter horizon;
  horizon.type = ShardFilter::Type::kAtTrimHorizon;
  EXPECT_EQ(engine_->control().ListShards(s_, horizon, std::nullopt)->size(), 3u);
  EXPECT_TRUE(engine_->control().ListShards(s_, ShardFilter{}, kStart).ok());
  auto wrong = engine_->control().ListShards(s_, ShardFilter{}, kStart - 60000);
  EXPECT_EQ(wrong.status().code(), ErrorCode::kResourceNotFound);
}

TEST_F(EngineTest, DeleteWithoutDelayRemovesTheStream) {
  Create(s_, 1);
  ASSERT_TRUE(engine_->control().DeleteStream(s_, false).ok());
  EXPECT_EQ(engine_->control().DescribeStream(s_).status().code(), ErrorCode::kResourceNotFound);
  EXPECT_EQ(engine_->control().DeleteStream(s_, false).code(), ErrorCode::kResourceNotFound);
  EXPECT_TRUE(engine_->control().ListStreams(s_.account, s_.region).empty());
}

TEST(StreamArnTest, FormatsAndParses) {
  StreamRef s{"123456789012", "us-east-1", "my.stream_1"};
  EXPECT_EQ(StreamArn(s), "arn:aws:kinesis:us-east-1:123456789012:stream/my.stream_1");
  auto p = ParseStreamArn(StreamArn(s));
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->account, "123456789012");
  EXPECT_EQ(p->region, "us-east-1");
  EXPECT_EQ(p->name, "my.stream_1");
  EXPECT_TRUE(ParseStreamArn("arn:aws-cn:kinesis:cn-north-1:123456789012:stream/x").has_value());
  EXPECT_FALSE(ParseStreamArn("arn:aws:kinesis:us-east-1:123456789012:stream/").has_value());
  EXPECT_FALSE(ParseStreamArn("arn:aws:sqs:us-east-1:123456789012:stream/x").has_value());
  EXPECT_FALSE(ParseStreamArn("arn:aws:kinesis:us-east-1:123456789012:stream/x/consumer/c:1").has_value());
  EXPECT_FALSE(ParseStreamArn("not-an-arn").has_value());
}

TEST(ShardIdTest, FormatsAndParses) {
  EXPECT_EQ(ShardIdFor(7), "shardId-000000000007");
  EXPECT_EQ(ParseShardId("shardId-000000000007"), std::optional<int>(7));
  EXPECT_EQ(ParseShardId("7"), std::optional<int>(7));
  EXPECT_FALSE(ParseShardId("shardId-").has_value());
  EXPECT_FALSE(ParseShardId("shardId-x").has_value());
  EXPECT_FALSE(ParseShardId("shardId-99999999999").has_value());  // > 2^31 - 1
}

}  // namespace
}  // namespace sluice::engine
