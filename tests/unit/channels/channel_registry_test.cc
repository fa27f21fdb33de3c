// ChannelRegistry on a ManualClock: the lifecycle (CREATING -> ACTIVE or
// FAILED, UPDATING, DELETING -> gone), the service's errors, persistence
// across reopen, corrupt documents, and the document codec.
#include "channels/channel_registry.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "channels/channel_document.h"
#include "engine/engine_test_util.h"

namespace sluice::channels {
namespace {

constexpr int64_t kStart = 1700000000000;
const std::string kAcct = "123456789012";
const std::string kRegion = "us-east-1";

Channel S3Channel(const std::string& name) {
  Channel c;
  c.account = kAcct;
  c.region = kRegion;
  c.name = name;
  c.role_arn = "arn:aws:iam::123456789012:role/r";
  c.streams.push_back({"arn:aws:kinesis:us-east-1:123456789012:stream/s", kStart - 5, {"JSON", std::nullopt}});
  c.destination = DestinationType::kS3;
  c.s3 = S3Storage{"arn:aws:s3:::bucket", kAcct, "p/{yyyy}/", "STANDARD", "GZIP"};
  c.dead_letter = DeadLetterQueue{"arn:aws:s3:::dlq", kAcct, "errors/"};
  c.tags["team"] = "a";
  return c;
}

class ChannelRegistryTest : public ::testing::Test {
 protected:
  std::unique_ptr<ChannelRegistry> Open(int64_t delay_ms = 1000) {
    RegistryOptions o;
    o.path = ChannelsPath(dir_.path());
    o.create_delay_ms = o.update_delay_ms = o.delete_delay_ms = delay_ms;
    auto r = std::make_unique<ChannelRegistry>(o, clock_);
    Status s = r->Load();
    EXPECT_TRUE(s.ok()) << s.ToString();
    return r;
  }
  engine::testing::TempDir dir_;
  ManualClock clock_{kStart};
};

TEST_F(ChannelRegistryTest, NewChannelIsCreatingThenActiveAfterTheDelay) {
  auto reg = Open();
  auto created = reg->Create(S3Channel("c"));
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  EXPECT_EQ(created->status, ChannelStatus::kCreating);
  EXPECT_EQ(created->creation_ms, kStart);
  EXPECT_EQ(created->id.size(), 36u);
  EXPECT_EQ(reg->Describe(kAcct, kRegion, "c")->status, ChannelStatus::kCreating);
  clock_.Advance(1000);
  EXPECT_EQ(reg->Describe(kAcct, kRegion, "c")->status, ChannelStatus::kActive);
}

TEST_F(ChannelRegistryTest, S3TablesChannelFailsWithAPlainReason) {
  auto reg = Open(0);
  Channel c = S3Channel("t");
  c.s3.reset();
  c.destination = DestinationType::kS3Tables;
  c.tables.push_back({"arn:aws:s3tables:us-east-1:123456789012:bucket/tb", "ns", "tbl", "ZSTD", std::nullopt});
  ASSERT_TRUE(reg->Create(c).ok());
  auto d = reg->Describe(kAcct, kRegion, "t");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->status, ChannelStatus::kFailed);
  EXPECT_EQ(d->status_reason, std::string(kS3TablesNotSupported));
}

TEST_F(ChannelRegistryTest, CreatingAChannelTwiceIsResourceInUse) {
  auto reg = Open();
  ASSERT_TRUE(reg->Create(S3Channel("c")).ok());
  auto again = reg->Create(S3Channel("c"));
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().code(), ErrorCode::kResourceInUse);
  EXPECT_EQ(again.status().message(), "Channel c under account 123456789012 already exists.");
}

TEST_F(ChannelRegistryTest, UnknownChannelIsResourceNotFound) {
  auto reg = Open();
  auto d = reg->Describe(kAcct, kRegion, "nope");
  EXPECT_EQ(d.status().code(), ErrorCode::kResourceNotFound);
  EXPECT_EQ(d.status().message(), "Channel nope under account 123456789012 not found.");
  EXPECT_EQ(reg->Delete(kAcct, kRegion, "nope").code(), ErrorCode::kResourceNotFound);
}

TEST_F(ChannelRegistryTest, UpdateNeedsAnActiveChannelAndPassesThroughUpdating) {
  auto reg = Open();
  ASSERT_TRUE(reg->Create(S3Channel("c")).ok());
  auto early = reg->Update(kAcct, kRegion, "c", 60, std::nullopt);
  EXPECT_EQ(early.status().code(), ErrorCode::kResourceInUse);
  EXPECT_EQ(early.status().message(), "Channel c under account 123456789012 not ACTIVE, instead in state CREATING.");
  clock_.Advance(1000);
  auto updated = reg->Update(kAcct, kRegion, "c", 60, Logging{true, "g", std::nullopt});
  ASSERT_TRUE(updated.ok()) << updated.status().ToString();
  EXPECT_EQ(updated->status, ChannelStatus::kUpdating);
  EXPECT_EQ(updated->data_freshness_s, 60);
  clock_.Advance(1000);
  auto d = reg->Describe(kAcct, kRegion, "c");
  EXPECT_EQ(d->status, ChannelStatus::kActive);
  EXPECT_EQ(d->data_freshness_s, 60);
  ASSERT_TRUE(d->logging.has_value());
  EXPECT_TRUE(d->logging->enabled);
}

TEST_F(ChannelRegistryTest, DeletedChannelIsDeletingThenGone) {
  auto reg = Open();
  ASSERT_TRUE(reg->Create(S3Channel("c")).ok());
  ASSERT_TRUE(reg->Delete(kAcct, kRegion, "c").ok());
  EXPECT_EQ(reg->Describe(kAcct, kRegion, "c")->status, ChannelStatus::kDeleting);
  EXPECT_TRUE(reg->Delete(kAcct, kRegion, "c").ok());  // again: no change
  clock_.Advance(1000);
  EXPECT_EQ(reg->Describe(kAcct, kRegion, "c").status().code(), ErrorCode::kResourceNotFound);
  EXPECT_TRUE(reg->List(kAcct, kRegion).empty());
  EXPECT_TRUE(reg->Create(S3Channel("c")).ok());  // the name is free again
}

TEST_F(ChannelRegistryTest, ListIsPerNamespaceInNameOrder) {
  auto reg = Open();
  for (const char* n : {"b", "a", "c"}) ASSERT_TRUE(reg->Create(S3Channel(n)).ok());
  Channel other = S3Channel("z");
  other.region = "eu-west-1";
  ASSERT_TRUE(reg->Create(other).ok());
  auto list = reg->List(kAcct, kRegion);
  ASSERT_EQ(list.size(), 3u);
  EXPECT_EQ(list[0].name, "a");
  EXPECT_EQ(list[2].name, "c");
}

TEST_F(ChannelRegistryTest, ChannelsSurviveReopenWithEveryMember) {
  std::string id;
  {
    auto reg = Open();
    auto created = reg->Create(S3Channel("c"));
    ASSERT_TRUE(created.ok());
    id = created->id;
  }
  clock_.Advance(1000);
  auto reg = Open();
  auto d = reg->Describe(kAcct, kRegion, "c");
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->id, id);
  EXPECT_EQ(d->status, ChannelStatus::kActive);
  EXPECT_EQ(d->s3->output_key_template, "p/{yyyy}/");
  EXPECT_EQ(d->s3->compression, "GZIP");
  EXPECT_EQ(d->dead_letter->error_output_prefix, "errors/");
  EXPECT_EQ(d->streams.at(0).stream_creation_ms, kStart - 5);
  EXPECT_EQ(d->tags.at("team"), "a");
}

TEST_F(ChannelRegistryTest, TagsAreAddedRemovedAndKeptAcrossReopen) {
  auto r = Open();
  ASSERT_TRUE(r->Create(S3Channel("c")).ok());
  ASSERT_TRUE(r->AddTags(kAcct, kRegion, "c", {{"team", "b"}, {"env", "test"}}).ok());
  ASSERT_TRUE(r->RemoveTags(kAcct, kRegion, "c", {"env", "absent"}).ok());
  r.reset();
  auto reopened = Open();
  Result<Channel> c = reopened->Describe(kAcct, kRegion, "c");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->tags, (std::map<std::string, std::string>{{"team", "b"}}));
  EXPECT_EQ(c->status, ChannelStatus::kCreating);  // tagging is no state change
}

TEST_F(ChannelRegistryTest, TagsBeyondFiftyAreRefusedAndNothingChanges) {
  auto r = Open();
  ASSERT_TRUE(r->Create(S3Channel("c")).ok());
  std::map<std::string, std::string> many;
  for (int i = 0; i < 50; ++i) many["k" + std::to_string(i)] = "v";
  Status s = r->AddTags(kAcct, kRegion, "c", many);
  EXPECT_EQ(s.code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(s.message(),
            "Failed to add tags to channel c under account 123456789012 because a given channel cannot have more "
            "than 50 tags associated with it.");
  EXPECT_EQ(r->Describe(kAcct, kRegion, "c")->tags.size(), 1u);
  EXPECT_EQ(r->AddTags(kAcct, kRegion, "missing", many).code(), ErrorCode::kResourceNotFound);
  EXPECT_EQ(r->RemoveTags(kAcct, kRegion, "missing", {"a"}).code(), ErrorCode::kResourceNotFound);
}

TEST_F(ChannelRegistryTest, CorruptDocumentFailsTheLoad) {
  { ASSERT_TRUE(Open()->Create(S3Channel("c")).ok()); }
  const std::string path = ChannelsPath(dir_.path());
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  f.seekp(-3, std::ios::end);
  f.put('\x7f');
  f.close();
  ChannelRegistry reg(RegistryOptions{path}, clock_);
  EXPECT_EQ(reg.Load().code(), ErrorCode::kCorruption);
}

TEST(ChannelDocumentTest, TruncatedDocumentIsCorruption) {
  std::string bytes = EncodeChannelDocument({S3Channel("c")});
  auto ok = DecodeChannelDocument(bytes);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->at(0).name, "c");
  EXPECT_EQ(DecodeChannelDocument(bytes.substr(0, bytes.size() - 1)).status().code(), ErrorCode::kCorruption);
  EXPECT_EQ(DecodeChannelDocument(bytes + "x").status().code(), ErrorCode::kCorruption);
}

TEST(ChannelArnTest, ArnRoundTripsThroughTheParser) {
  std::string arn = ChannelArn(kAcct, kRegion, "my.channel");
  EXPECT_EQ(arn, "arn:aws:kinesis:us-east-1:123456789012:channel/my.channel");
  auto parsed = ParseChannelArn(arn);
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->name, "my.channel");
  EXPECT_EQ(parsed->account, kAcct);
  EXPECT_FALSE(ParseChannelArn("arn:aws:kinesis:us-east-1:123456789012:stream/x").has_value());
}

}  // namespace
}  // namespace sluice::channels
