#include "engine/shard_iterator.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "engine/engine.h"
#include "util/base64.h"

namespace sluice::engine {
namespace {

IteratorCodec::Key FixedKey(unsigned char fill) {
  IteratorCodec::Key k;
  k.fill(fill);
  return k;
}

IteratorPosition SamplePosition() {
  return {"123456789012", "us-east-1", "orders", 1700000000123, 3, 42, 1700000100000};
}

TEST(ShardIteratorTest, EncodesAndDecodesEveryField) {
  IteratorCodec codec(FixedKey(7));
  std::string token = codec.Encode(SamplePosition());
  auto p = codec.Decode(token);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->account, "123456789012");
  EXPECT_EQ(p->region, "us-east-1");
  EXPECT_EQ(p->stream_name, "orders");
  EXPECT_EQ(p->stream_creation_ms, 1700000000123);
  EXPECT_EQ(p->shard_index, 3u);
  EXPECT_EQ(p->offset, 42u);
  EXPECT_EQ(p->issued_ms, 1700000100000);
}

TEST(ShardIteratorTest, MatchesTheWorkedExampleOfTheFormatDocument) {
  // docs/engine-formats.md, "Shard iterator": key = 32 bytes of 0x07.
  IteratorCodec codec(FixedKey(7));
  EXPECT_EQ(codec.Encode(SamplePosition()),
            "AQwxMjM0NTY3ODkwMTIJdXMtZWFzdC0xBm9yZGVycwAAAYvP5Wh7AAAAAwAAAAAAAAAqAAABi8/m7qBNgmst"
            "OZwO+gK46wgF4iBxmUGWB5WUoYvRaGEH7vONbQ==");
}

TEST(ShardIteratorTest, LongestNamesStayWithin512Characters) {
  IteratorCodec codec(FixedKey(1));
  IteratorPosition p = SamplePosition();
  p.stream_name = std::string(128, 'n');
  p.region = "ap-southeast-5-very-long-region-name";
  std::string token = codec.Encode(p);
  EXPECT_LE(token.size(), kMaxIteratorTokenSize);
  EXPECT_TRUE(codec.Decode(token).ok());
}

TEST(ShardIteratorTest, EveryFlippedByteIsRejected) {
  IteratorCodec codec(FixedKey(9));
  std::string raw;
  ASSERT_TRUE(base64::Decode(codec.Encode(SamplePosition()), &raw));
  for (size_t i = 0; i < raw.size(); ++i) {
    std::string bad = raw;
    bad[i] ^= 0x01;
    auto p = codec.Decode(base64::Encode(bad));
    ASSERT_FALSE(p.ok()) << "byte " << i;
    EXPECT_EQ(p.status().code(), ErrorCode::kInvalidArgument);
    EXPECT_EQ(p.status().message(), "Invalid ShardIterator.");
  }
}

TEST(ShardIteratorTest, GarbageAndWrongLengthsAreInvalid) {
  IteratorCodec codec(FixedKey(9));
  std::string good = codec.Encode(SamplePosition());
  for (std::string bad : {std::string(""), std::string("abc"), std::string("!!!!"), good.substr(0, good.size() - 4),
                          good + "AAAA", std::string(600, 'A'), base64::Encode(std::string(40, '\0'))}) {
    auto p = codec.Decode(bad);
    ASSERT_FALSE(p.ok()) << bad;
    EXPECT_EQ(p.status().message(), "Invalid ShardIterator.");
  }
}

TEST(ShardIteratorTest, AnotherKeyCannotVerify) {
  IteratorCodec a(FixedKey(1)), b(FixedKey(2));
  EXPECT_FALSE(b.Decode(a.Encode(SamplePosition())).ok());
}

TEST(ShardIteratorTest, AgeCheckUsesTheServiceMessage) {
  // 2015-01-22 01:22:02 UTC and five minutes and a second later.
  const int64_t issued = 1421889722000;
  EXPECT_TRUE(CheckIteratorAge(issued, issued + 300000, 300000).ok());
  Status s = CheckIteratorAge(issued, issued + 301000, 300000);
  EXPECT_EQ(s.code(), ErrorCode::kExpiredIterator);
  EXPECT_EQ(s.message(),
            "Iterator expired. The iterator was created at time Thu Jan 22 01:22:02 UTC 2015 "
            "while right now it is Thu Jan 22 01:27:03 UTC 2015 which is further in the future "
            "than the tolerated delay of 300000 milliseconds.");
}

class KeyFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("sluice-iterkey-" + std::to_string(::getpid()) + "-" +
                                                     ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
};

TEST_F(KeyFileTest, KeyIsCreatedOnceAndReusedAcrossOpens) {
  const std::string path = (dir_ / "iterator.key").string();
  auto first = IteratorCodec::Open(path);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(std::filesystem::file_size(path), kIteratorKeySize);
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
  std::string token = first->Encode(SamplePosition());
  auto second = IteratorCodec::Open(path);
  ASSERT_TRUE(second.ok());
  EXPECT_TRUE(second->Decode(token).ok());
}

TEST_F(KeyFileTest, KeyFileOfTheWrongSizeIsCorruption) {
  const std::string path = (dir_ / "iterator.key").string();
  std::ofstream(path) << "short";
  auto codec = IteratorCodec::Open(path);
  ASSERT_FALSE(codec.ok());
  EXPECT_EQ(codec.status().code(), ErrorCode::kCorruption);
}

// A cluster hands every node the same key (kept in etcd): an engine given
// it signs and verifies with it, and keeps no key file of its own.
TEST_F(KeyFileTest, AnEngineGivenTheKeyUsesItAndWritesNoKeyFile) {
  const std::string key(kIteratorKeySize, 'k');
  auto open = [&](const std::string& iterator_key) {
    EngineOptions o;
    o.data_dir = dir_.string();
    o.durability = storage::Durability::kOs;
    o.iterator_key = iterator_key;
    return Engine::Open(o);
  };
  const StreamRef stream{"123456789012", "us-east-1", "s"};
  std::string token;
  {
    auto first = open(key);
    ASSERT_TRUE(first.ok()) << first.status().ToString();
    CreateStreamParams p;
    p.shard_count = 1;
    ASSERT_TRUE((*first)->control().CreateStream(stream, p).ok());
    auto it = (*first)->records().GetShardIterator(stream, "shardId-000000000000", IteratorType::kTrimHorizon, {}, {});
    ASSERT_TRUE(it.ok()) << it.status().ToString();
    token = *it;
  }
  EXPECT_FALSE(std::filesystem::exists(dir_ / "iterator.key"));
  {
    auto same = open(key);
    ASSERT_TRUE(same.ok()) << same.status().ToString();
    EXPECT_TRUE((*same)->records().GetRecords(token, 1, std::nullopt).ok());
  }
  {
    auto other = open(std::string(kIteratorKeySize, 'x'));
    ASSERT_TRUE(other.ok()) << other.status().ToString();
    auto r = (*other)->records().GetRecords(token, 1, std::nullopt);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), ErrorCode::kInvalidArgument) << r.status().ToString();
  }
  auto short_key = open("short");
  ASSERT_FALSE(short_key.ok());
  EXPECT_EQ(short_key.status().code(), ErrorCode::kInvalidArgument);
}

TEST(ShardIteratorTest, InMemoryKeysDifferBetweenOpens) {
  auto a = IteratorCodec::Open("");
  auto b = IteratorCodec::Open("");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_FALSE(b->Decode(a->Encode(SamplePosition())).ok());
}

}  // namespace
}  // namespace sluice::engine
