#include "engine/metadata_codec.h"

#include <gtest/gtest.h>

namespace sluice::engine {
namespace {

StreamMeta SampleStream() {
  StreamMeta m;
  m.ref = {"123456789012", "eu-west-1", "clicks"};
  m.status = StreamStatus::kDeleting;
  m.mode = StreamMode::kOnDemand;
  m.retention_hours = 48;
  m.creation_ms = 1700000000123;
  m.transition_at_ms = 1700000000623;
  m.encryption_type = "KMS";
  m.key_id = "alias/key";
  m.encrypted_since_ms = 1700000000400;
  m.shard_level_metrics = {"IncomingBytes", "OutgoingRecords"};
  m.max_record_size_kib = 2048;
  m.tags = {{"env", "prod"}, {"team", ""}};
  ShardMeta a;
  a.index = 0;
  a.range = {0, kMaxHashKey};
  a.created_seconds = 1700000000;
  a.open_ms = 1700000000123;
  a.close_ms = 1700000500000;
  ShardMeta b;
  b.index = 1;
  b.parent = 0;
  b.adjacent_parent = 7;
  b.range = {HashKey{1} << 100, kMaxHashKey - 5};
  b.created_seconds = 1700000501;
  b.open_ms = 1700000500000;
  m.shards = {a, b};
  return m;
}

TEST(MetadataCodecTest, RoundTripsEveryField) {
  StreamMeta in = SampleStream();
  StreamMeta plain;
  plain.ref = {"a", "r", "s"};
  auto out = DecodeMetadata(EncodeMetadata({in, plain}));
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  ASSERT_EQ(out->size(), 2u);
  const StreamMeta& m = (*out)[0];
  EXPECT_EQ(m.ref.account, in.ref.account);
  EXPECT_EQ(m.ref.region, in.ref.region);
  EXPECT_EQ(m.ref.name, in.ref.name);
  EXPECT_EQ(m.status, StreamStatus::kDeleting);
  EXPECT_EQ(m.mode, StreamMode::kOnDemand);
  EXPECT_EQ(m.retention_hours, 48);
  EXPECT_EQ(m.creation_ms, in.creation_ms);
  EXPECT_EQ(m.transition_at_ms, in.transition_at_ms);
  EXPECT_EQ(m.encryption_type, "KMS");
  EXPECT_EQ(m.key_id, std::optional<std::string>("alias/key"));
  EXPECT_EQ(m.encrypted_since_ms, std::optional<int64_t>(1700000000400));
  EXPECT_EQ(m.shard_level_metrics, in.shard_level_metrics);
  EXPECT_EQ(m.max_record_size_kib, 2048);
  EXPECT_EQ(m.tags, in.tags);
  ASSERT_EQ(m.shards.size(), 2u);
  EXPECT_EQ(m.shards[0].close_ms, std::optional<int64_t>(1700000500000));
  EXPECT_FALSE(m.shards[0].parent.has_value());
  EXPECT_EQ(m.shards[1].parent, std::optional<int>(0));
  EXPECT_EQ(m.shards[1].adjacent_parent, std::optional<int>(7));
  EXPECT_EQ(m.shards[1].range.start, HashKey{1} << 100);
  EXPECT_EQ(m.shards[1].range.end, kMaxHashKey - 5);
  EXPECT_EQ(m.shards[1].created_seconds, 1700000501);
  EXPECT_FALSE(m.shards[1].close_ms.has_value());
  EXPECT_EQ((*out)[1].ref.name, "s");
  EXPECT_FALSE((*out)[1].key_id.has_value());
  EXPECT_FALSE((*out)[1].encrypted_since_ms.has_value());
}

TEST(MetadataCodecTest, MatchesTheWorkedExampleOfTheFormatDocument) {
  // docs/engine-formats.md, "Metadata document": one ACTIVE one-shard stream.
  StreamMeta m;
  m.ref = {"123456789012", "us-east-1", "orders"};
  m.status = StreamStatus::kActive;
  m.creation_ms = 1700000000123;
  ShardMeta s;
  s.range = {0, kMaxHashKey};
  s.created_seconds = 1700000000;
  s.open_ms = 1700000000123;
  m.shards = {s};
  const std::string hex =
      "0100000001"
      "000000cc"
      "0000000c313233343536373839303132"
      "0000000975732d656173742d31"
      "000000066f7264657273"
      "02"
      "00"
      "00000018"
      "0000018bcfe5687b"
      "0000000000000000"
      "000000044e4f4e45"
      "00"
      "00000000"
      "00000400"
      "00000000"
      "00000001"
      "00000000"
      "ffffffff"
      "ffffffff"
      "00000000000000000000000000000000"
      "ffffffffffffffffffffffffffffffff"
      "000000006553f100"
      "0000018bcfe5687b"
      "ffffffffffffffff"
      "ffffffffffffffff"
      "ffffffffffffffff"
      "00"
      "ffffffff"
      "ffffffff"
      "00000000000000000000000000000000"
      "00000000"
      "00000000"
      "00";
  std::string doc = EncodeMetadata({m});
  std::string got;
  for (unsigned char c : doc) {
    static const char* d = "0123456789abcdef";
    got.push_back(d[c >> 4]);
    got.push_back(d[c & 15]);
  }
  EXPECT_EQ(got, hex);
}

TEST(MetadataCodecTest, EmptyTableRoundTrips) {
  auto out = DecodeMetadata(EncodeMetadata({}));
  ASSERT_TRUE(out.ok());
  EXPECT_TRUE(out->empty());
}

TEST(MetadataCodecTest, EveryTruncationIsCorruption) {
  std::string doc = EncodeMetadata({SampleStream()});
  for (size_t n = 0; n < doc.size(); ++n) {
    auto out = DecodeMetadata(std::string_view(doc).substr(0, n));
    ASSERT_FALSE(out.ok()) << n;
    EXPECT_EQ(out.status().code(), ErrorCode::kCorruption);
  }
}

TEST(MetadataCodecTest, UnknownVersionIsCorruption) {
  std::string doc = EncodeMetadata({});
  doc[0] = 99;
  EXPECT_EQ(DecodeMetadata(doc).status().code(), ErrorCode::kCorruption);
}

TEST(MetadataCodecTest, TrailingFieldsOfALaterVersionAreSkipped) {
  // Grow the stream record by 3 bytes (as a later writer appending a field
  // would) and fix up its length prefix.
  std::string doc = EncodeMetadata({SampleStream()});
  const size_t len_at = 1 + 4;
  uint32_t len = 0;
  for (int i = 0; i < 4; ++i) len = (len << 8) | static_cast<unsigned char>(doc[len_at + i]);
  doc += "xyz";
  len += 3;
  for (int i = 0; i < 4; ++i) doc[len_at + i] = static_cast<char>(len >> (24 - 8 * i));
  auto out = DecodeMetadata(doc);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ((*out)[0].ref.name, "clicks");
}

// warm throughput (8), pending kind (1), shard and adjacent (4 + 4), key
// (16), target (4): the fields appended after encrypted_since_ms.
constexpr size_t kReshardFieldsBytes = 8 + 1 + 4 + 4 + 16 + 4;
// The consumer count appended after them (SampleStream has no consumers).
constexpr size_t kConsumerFieldsBytes = 4;
// The record distribution strategy appended after the consumers.
constexpr size_t kDistributionFieldBytes = 1;

TEST(MetadataCodecTest, PendingReshardAndWarmThroughputRoundTrip) {
  StreamMeta m = SampleStream();
  m.status = StreamStatus::kUpdating;
  m.warm_throughput_mibps = 250;
  m.pending.kind = ReshardOp::Kind::kSplit;
  m.pending.shard = 1;
  m.pending.key = (HashKey{1} << 127) + 12345;
  auto out = DecodeMetadata(EncodeMetadata({m}));
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  const StreamMeta& got = (*out)[0];
  EXPECT_EQ(got.warm_throughput_mibps, 250);
  EXPECT_EQ(got.pending.kind, ReshardOp::Kind::kSplit);
  EXPECT_EQ(got.pending.shard, 1);
  EXPECT_EQ(got.pending.adjacent, -1);
  EXPECT_EQ(got.pending.key, (HashKey{1} << 127) + 12345);
}

TEST(MetadataCodecTest, ReadsRecordsWithoutTheReshardFields) {
  std::string doc = EncodeMetadata({SampleStream()});
  const size_t len_at = 1 + 4;
  uint32_t len = 0;
  for (int i = 0; i < 4; ++i) len = (len << 8) | static_cast<unsigned char>(doc[len_at + i]);
  doc.resize(doc.size() - kReshardFieldsBytes - kConsumerFieldsBytes - kDistributionFieldBytes);
  len -= kReshardFieldsBytes + kConsumerFieldsBytes + kDistributionFieldBytes;
  for (int i = 0; i < 4; ++i) doc[len_at + i] = static_cast<char>(len >> (24 - 8 * i));
  auto out = DecodeMetadata(doc);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_FALSE((*out)[0].warm_throughput_mibps.has_value());
  EXPECT_TRUE((*out)[0].pending.empty());
  EXPECT_TRUE((*out)[0].encrypted_since_ms.has_value());
}

TEST(MetadataCodecTest, UnknownPendingKindIsCorruption) {
  std::string doc = EncodeMetadata({SampleStream()});
  doc[doc.size() - (1 + 4 + 4 + 16 + 4) - kConsumerFieldsBytes - kDistributionFieldBytes] = 9;
  EXPECT_EQ(DecodeMetadata(doc).status().code(), ErrorCode::kCorruption);
}

TEST(MetadataCodecTest, ReadsRecordsWithoutTheEncryptionTimeField) {
  // A document of the code before `encrypted_since_ms` was appended: the
  // stream record ends after the shard list.
  std::string doc = EncodeMetadata({SampleStream()});
  const size_t len_at = 1 + 4;
  uint32_t len = 0;
  for (int i = 0; i < 4; ++i) len = (len << 8) | static_cast<unsigned char>(doc[len_at + i]);
  constexpr size_t kLaterFields = 8 + kReshardFieldsBytes + kConsumerFieldsBytes + kDistributionFieldBytes;
  doc.resize(doc.size() - kLaterFields);
  len -= kLaterFields;
  for (int i = 0; i < 4; ++i) doc[len_at + i] = static_cast<char>(len >> (24 - 8 * i));
  auto out = DecodeMetadata(doc);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  const StreamMeta& m = (*out)[0];
  EXPECT_EQ(m.ref.name, "clicks");
  EXPECT_EQ(m.encryption_type, "KMS");
  EXPECT_FALSE(m.encrypted_since_ms.has_value());
  ASSERT_EQ(m.shards.size(), 2u);
  EXPECT_EQ(m.shards[1].created_seconds, 1700000501);
}

StreamMeta WithConsumers() {
  StreamMeta m = SampleStream();
  ConsumerMeta active;
  active.name = "app-1";
  active.creation_ms = 1700000001234;
  active.status = ConsumerStatus::kActive;
  active.tags = {{"owner", "me"}, {"tier", ""}};
  ConsumerMeta deleting;
  deleting.name = "app.2";
  deleting.creation_ms = 1700000002000;
  deleting.status = ConsumerStatus::kDeleting;
  deleting.transition_at_ms = 1700000009000;
  m.consumers = {active, deleting};
  return m;
}

TEST(MetadataCodecTest, ConsumersRoundTrip) {
  auto out = DecodeMetadata(EncodeMetadata({WithConsumers(), SampleStream()}));
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  const std::vector<ConsumerMeta>& c = (*out)[0].consumers;
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(c[0].name, "app-1");
  EXPECT_EQ(c[0].creation_ms, 1700000001234);
  EXPECT_EQ(c[0].status, ConsumerStatus::kActive);
  EXPECT_EQ(c[0].transition_at_ms, 0);
  EXPECT_EQ(c[0].tags, (std::vector<std::pair<std::string, std::string>>{{"owner", "me"}, {"tier", ""}}));
  EXPECT_EQ(c[1].name, "app.2");
  EXPECT_EQ(c[1].status, ConsumerStatus::kDeleting);
  EXPECT_EQ(c[1].transition_at_ms, 1700000009000);
  EXPECT_TRUE(c[1].tags.empty());
  EXPECT_TRUE((*out)[1].consumers.empty());
}

TEST(MetadataCodecTest, ReadsRecordsWithoutTheConsumerFields) {
  // A document of the code before consumers were appended: the record ends
  // after the pending reshard.
  std::string doc = EncodeMetadata({SampleStream()});
  const size_t len_at = 1 + 4;
  uint32_t len = 0;
  for (int i = 0; i < 4; ++i) len = (len << 8) | static_cast<unsigned char>(doc[len_at + i]);
  doc.resize(doc.size() - kConsumerFieldsBytes - kDistributionFieldBytes);
  len -= kConsumerFieldsBytes + kDistributionFieldBytes;
  for (int i = 0; i < 4; ++i) doc[len_at + i] = static_cast<char>(len >> (24 - 8 * i));
  auto out = DecodeMetadata(doc);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TRUE((*out)[0].consumers.empty());
  EXPECT_EQ((*out)[0].pending.kind, ReshardOp::Kind::kNone);
}

TEST(MetadataCodecTest, ARecordCutInsideTheConsumersIsCorruption) {
  // Cut the record (fixing its length prefix) anywhere inside the consumer
  // fields but before their start: never a silently shorter consumer list.
  const std::string full = EncodeMetadata({WithConsumers()});
  const size_t consumer_bytes = full.size() - EncodeMetadata({SampleStream()}).size() + kConsumerFieldsBytes;
  for (size_t cut = kDistributionFieldBytes + 1; cut < consumer_bytes + kDistributionFieldBytes; ++cut) {
    std::string doc = full;
    const size_t len_at = 1 + 4;
    uint32_t len = 0;
    for (int i = 0; i < 4; ++i) len = (len << 8) | static_cast<unsigned char>(doc[len_at + i]);
    doc.resize(doc.size() - cut);
    len -= static_cast<uint32_t>(cut);
    for (int i = 0; i < 4; ++i) doc[len_at + i] = static_cast<char>(len >> (24 - 8 * i));
    auto out = DecodeMetadata(doc);
    ASSERT_FALSE(out.ok()) << cut;
    EXPECT_EQ(out.status().code(), ErrorCode::kCorruption);
  }
}

TEST(MetadataCodecTest, UnknownConsumerStatusIsCorruption) {
  StreamMeta m = SampleStream();
  ConsumerMeta c;
  c.name = "x";
  m.consumers = {c};
  std::string doc = EncodeMetadata({m});
  // The last consumer's fields: str name (4 + 1), i64 creation, u8 status,
  // i64 transition, u32 tag count; then the distribution strategy.
  doc[doc.size() - (8 + 4) - 1 - kDistributionFieldBytes] = 7;
  EXPECT_EQ(DecodeMetadata(doc).status().code(), ErrorCode::kCorruption);
}

TEST(MetadataCodecTest, RecordDistributionRoundTrips) {
  StreamMeta m = SampleStream();
  m.mode = StreamMode::kOnDemand;
  m.record_distribution = RecordDistribution::kAuto;
  auto out = DecodeMetadata(EncodeMetadata({m, SampleStream()}));
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ((*out)[0].record_distribution, RecordDistribution::kAuto);
  EXPECT_EQ((*out)[1].record_distribution, RecordDistribution::kUserPartitionKey);
}

TEST(MetadataCodecTest, ReadsRecordsWithoutTheDistributionFieldAsUserPartitionKey) {
  // A document of the code before the strategy was appended: the record
  // ends after the consumers.
  StreamMeta m = WithConsumers();
  m.record_distribution = RecordDistribution::kAuto;
  std::string doc = EncodeMetadata({m});
  const size_t len_at = 1 + 4;
  uint32_t len = 0;
  for (int i = 0; i < 4; ++i) len = (len << 8) | static_cast<unsigned char>(doc[len_at + i]);
  doc.resize(doc.size() - kDistributionFieldBytes);
  len -= kDistributionFieldBytes;
  for (int i = 0; i < 4; ++i) doc[len_at + i] = static_cast<char>(len >> (24 - 8 * i));
  auto out = DecodeMetadata(doc);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ((*out)[0].record_distribution, RecordDistribution::kUserPartitionKey);
  EXPECT_EQ((*out)[0].consumers.size(), 2u);
}

TEST(MetadataCodecTest, UnknownRecordDistributionIsCorruption) {
  std::string doc = EncodeMetadata({SampleStream()});
  doc.back() = 2;
  EXPECT_EQ(DecodeMetadata(doc).status().code(), ErrorCode::kCorruption);
}

}  // namespace
}  // namespace sluice::engine
