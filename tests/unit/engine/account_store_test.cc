// AccountStore (account settings and resource policies) on its own and
// through the Engine: the commitment's transitions on a ManualClock, policy
// lifetimes, persistence across reopen, corrupt documents, memory mode.
#include "engine/account_store.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "engine/data_layout.h"
#include "engine/engine.h"
#include "engine_test_util.h"

namespace sluice::engine {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

constexpr int64_t kStart = 1700000000000;
constexpr int64_t kHour = 60 * 60 * 1000;
const std::string kAcct = "123456789012";
const std::string kRegion = "us-east-1";
const std::string kArn = "arn:aws:kinesis:us-east-1:123456789012:stream/s";

class AccountStoreTest : public ::testing::Test {
 protected:
  std::unique_ptr<AccountStore> Open() {
    auto store = std::make_unique<AccountStore>(AccountsPath(dir_.path()), /*in_memory=*/false, clock_);
    Status s = store->Load();
    EXPECT_TRUE(s.ok()) << s.ToString();
    return store;
  }
  MinimumThroughputCommitment Update(AccountStore& store, bool enable) {
    auto r = store.UpdateCommitment(kAcct, kRegion, enable);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? r->minimum_throughput_commitment : MinimumThroughputCommitment{};
  }
  void WriteFile(const std::string& bytes) {
    std::ofstream(AccountsPath(dir_.path()), std::ios::binary | std::ios::trunc) << bytes;
  }
  std::string ReadFile() {
    std::ifstream in(AccountsPath(dir_.path()), std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

  TempDir dir_;
  ManualClock clock_{kStart};
};

TEST_F(AccountStoreTest, CommitmentIsDisabledWithoutTimesByDefault) {
  auto store = Open();
  MinimumThroughputCommitment c = store->Describe(kAcct, kRegion).minimum_throughput_commitment;
  EXPECT_EQ(c.status, CommitmentStatus::kDisabled);
  EXPECT_FALSE(c.started_ms || c.ended_ms || c.earliest_allowed_end_ms);
  EXPECT_FALSE(store->CommitmentInForce(kAcct, kRegion));
  // Disabling what was never enabled changes nothing and writes nothing.
  EXPECT_EQ(Update(*store, false).status, CommitmentStatus::kDisabled);
  EXPECT_FALSE(fs::exists(AccountsPath(dir_.path())));
}

TEST_F(AccountStoreTest, EnablingStartsATwentyFourHourCommitment) {
  auto store = Open();
  MinimumThroughputCommitment c = Update(*store, true);
  EXPECT_EQ(c.status, CommitmentStatus::kEnabled);
  EXPECT_EQ(c.started_ms, kStart);
  EXPECT_EQ(c.earliest_allowed_end_ms, kStart + 24 * kHour);
  EXPECT_FALSE(c.ended_ms);
  EXPECT_TRUE(store->CommitmentInForce(kAcct, kRegion));

  clock_.Advance(kHour);  // enabling again is a no-op: the start does not move
  MinimumThroughputCommitment again = Update(*store, true);
  EXPECT_EQ(again.status, CommitmentStatus::kEnabled);
  EXPECT_EQ(again.started_ms, kStart);
  EXPECT_EQ(again.earliest_allowed_end_ms, kStart + 24 * kHour);
}

TEST_F(AccountStoreTest, DisablingEarlyKeepsTheCommitmentUntilItsEarliestEnd) {
  auto store = Open();
  Update(*store, true);
  clock_.Advance(2 * kHour);
  MinimumThroughputCommitment c = Update(*store, false);
  EXPECT_EQ(c.status, CommitmentStatus::kEnabledUntilEarliestAllowedEnd);
  EXPECT_EQ(c.started_ms, kStart);
  EXPECT_EQ(c.earliest_allowed_end_ms, kStart + 24 * kHour);
  EXPECT_EQ(c.ended_ms, kStart + 24 * kHour);
  EXPECT_TRUE(store->CommitmentInForce(kAcct, kRegion));

  clock_.Set(kStart + 24 * kHour - 1);
  EXPECT_EQ(store->Describe(kAcct, kRegion).minimum_throughput_commitment.status,
            CommitmentStatus::kEnabledUntilEarliestAllowedEnd);
  clock_.Set(kStart + 24 * kHour);
  MinimumThroughputCommitment ended = store->Describe(kAcct, kRegion).minimum_throughput_commitment;
  EXPECT_EQ(ended.status, CommitmentStatus::kDisabled);
  EXPECT_EQ(ended.ended_ms, kStart + 24 * kHour);
  EXPECT_FALSE(store->CommitmentInForce(kAcct, kRegion));
}

TEST_F(AccountStoreTest, EnablingCancelsAPendingDisable) {
  auto store = Open();
  Update(*store, true);
  clock_.Advance(kHour);
  Update(*store, false);
  clock_.Advance(kHour);
  MinimumThroughputCommitment c = Update(*store, true);
  EXPECT_EQ(c.status, CommitmentStatus::kEnabled);
  EXPECT_EQ(c.started_ms, kStart);
  EXPECT_EQ(c.earliest_allowed_end_ms, kStart + 24 * kHour);
  EXPECT_FALSE(c.ended_ms);
}

TEST_F(AccountStoreTest, DisablingAfterTheMinimumEndsNowAndEnablingStartsAnew) {
  auto store = Open();
  Update(*store, true);
  clock_.Advance(30 * kHour);
  MinimumThroughputCommitment off = Update(*store, false);
  EXPECT_EQ(off.status, CommitmentStatus::kDisabled);
  EXPECT_EQ(off.ended_ms, kStart + 30 * kHour);
  EXPECT_EQ(off.started_ms, kStart);

  clock_.Advance(kHour);
  MinimumThroughputCommitment on = Update(*store, true);
  EXPECT_EQ(on.status, CommitmentStatus::kEnabled);
  EXPECT_EQ(on.started_ms, kStart + 31 * kHour);
  EXPECT_EQ(on.earliest_allowed_end_ms, kStart + 55 * kHour);
  EXPECT_FALSE(on.ended_ms);
}

TEST_F(AccountStoreTest, NamespacesAreIndependent) {
  auto store = Open();
  Update(*store, true);
  EXPECT_FALSE(store->CommitmentInForce(kAcct, "eu-west-1"));
  EXPECT_FALSE(store->CommitmentInForce("210987654321", kRegion));
}

TEST_F(AccountStoreTest, PoliciesArePutReplacedAndDeleted) {
  auto store = Open();
  EXPECT_FALSE(store->GetPolicy(kArn, 1));
  ASSERT_TRUE(store->PutPolicy(kArn, 1, R"({"a":1})").ok());
  EXPECT_EQ(store->GetPolicy(kArn, 1), R"({"a":1})");
  ASSERT_TRUE(store->PutPolicy(kArn, 1, R"({"b":2})").ok());
  EXPECT_EQ(store->GetPolicy(kArn, 1), R"({"b":2})");
  auto deleted = store->DeletePolicy(kArn, 1);
  ASSERT_TRUE(deleted.ok());
  EXPECT_TRUE(*deleted);
  EXPECT_FALSE(store->GetPolicy(kArn, 1));
  auto again = store->DeletePolicy(kArn, 1);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(*again);
}

TEST_F(AccountStoreTest, APolicyOfAnotherStreamIncarnationReadsAsAbsent) {
  auto store = Open();
  ASSERT_TRUE(store->PutPolicy(kArn, 1, "{}").ok());
  EXPECT_FALSE(store->GetPolicy(kArn, 2));
  auto deleted = store->DeletePolicy(kArn, 2);
  ASSERT_TRUE(deleted.ok());
  EXPECT_FALSE(*deleted);
  EXPECT_FALSE(store->GetPolicy(kArn, 1));  // the stale one is gone too
}

TEST_F(AccountStoreTest, ErasingAStreamsPoliciesTakesItsConsumersButNoOtherStream) {
  auto store = Open();
  ASSERT_TRUE(store->PutPolicy(kArn, 1, "{}").ok());
  ASSERT_TRUE(store->PutPolicy(kArn + "/consumer/c:1700000000", 1, "{}").ok());
  ASSERT_TRUE(store->PutPolicy(kArn + "2", 1, R"({"keep":true})").ok());
  ASSERT_TRUE(store->ErasePoliciesOf(kArn).ok());
  EXPECT_FALSE(store->GetPolicy(kArn, 1));
  EXPECT_FALSE(store->GetPolicy(kArn + "/consumer/c:1700000000", 1));
  EXPECT_EQ(store->GetPolicy(kArn + "2", 1), R"({"keep":true})");
}

TEST_F(AccountStoreTest, ErasingAnIncarnationsPoliciesKeepsThoseOfANewerOne) {
  auto store = Open();
  ASSERT_TRUE(store->PutPolicy(kArn, 2, R"({"new":true})").ok());
  ASSERT_TRUE(store->PutPolicy(kArn + "/consumer/c:1700000000", 1, "{}").ok());
  ASSERT_TRUE(store->ErasePoliciesOf(kArn, /*created_at_or_before=*/1).ok());
  EXPECT_EQ(store->GetPolicy(kArn, 2), R"({"new":true})");
  EXPECT_FALSE(store->GetPolicy(kArn + "/consumer/c:1700000000", 1));
}

TEST_F(AccountStoreTest, SettingsAndPoliciesSurviveReopen) {
  {
    auto store = Open();
    Update(*store, true);
    clock_.Advance(kHour);
    Update(*store, false);
    ASSERT_TRUE(store->PutPolicy(kArn, 7, R"({"Version":"2012-10-17"})").ok());
  }
  auto store = Open();
  MinimumThroughputCommitment c = store->Describe(kAcct, kRegion).minimum_throughput_commitment;
  EXPECT_EQ(c.status, CommitmentStatus::kEnabledUntilEarliestAllowedEnd);
  EXPECT_EQ(c.started_ms, kStart);
  EXPECT_EQ(c.ended_ms, kStart + 24 * kHour);
  EXPECT_EQ(store->GetPolicy(kArn, 7), R"({"Version":"2012-10-17"})");
}

TEST_F(AccountStoreTest, AFlippedByteIsCorruptionNotACrash) {
  {
    auto store = Open();
    ASSERT_TRUE(store->PutPolicy(kArn, 1, "{}").ok());
  }
  std::string bytes = ReadFile();
  ASSERT_GT(bytes.size(), 30u);
  bytes[bytes.size() - 3] ^= 0x40;
  WriteFile(bytes);
  AccountStore store(AccountsPath(dir_.path()), false, clock_);
  Status s = store.Load();
  EXPECT_EQ(s.code(), ErrorCode::kCorruption) << s.ToString();
}

TEST_F(AccountStoreTest, ATruncatedFileIsCorruption) {
  {
    auto store = Open();
    Update(*store, true);
  }
  std::string bytes = ReadFile();
  WriteFile(bytes.substr(0, bytes.size() - 5));
  AccountStore store(AccountsPath(dir_.path()), false, clock_);
  EXPECT_EQ(store.Load().code(), ErrorCode::kCorruption);
}

TEST(AccountDocumentTest, RoundTripsAndRejectsTruncatedOrUnknownDocuments) {
  AccountDocument doc;
  MinimumThroughputCommitment c;
  c.status = CommitmentStatus::kEnabledUntilEarliestAllowedEnd;
  c.started_ms = 1;
  c.ended_ms = 2;
  c.earliest_allowed_end_ms = 2;
  doc.commitments[{kAcct, kRegion}] = c;
  doc.policies[kArn] = AccountDocument::Policy{R"({"x":"y"})", 5};
  const std::string bytes = EncodeAccountDocument(doc);
  EXPECT_EQ(bytes[0], char(kAccountDocumentVersion));

  auto back = DecodeAccountDocument(bytes);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  const MinimumThroughputCommitment& got = back->commitments.at({kAcct, kRegion});
  EXPECT_EQ(got.status, c.status);
  EXPECT_EQ(got.started_ms, 1);
  EXPECT_EQ(got.ended_ms, 2);
  EXPECT_EQ(back->policies.at(kArn).text, R"({"x":"y"})");
  EXPECT_EQ(back->policies.at(kArn).stream_creation_ms, 5);

  // Every proper prefix is truncated; extra bytes are trailing garbage.
  for (size_t n = 0; n < bytes.size(); ++n) {
    auto r = DecodeAccountDocument(std::string_view(bytes).substr(0, n));
    EXPECT_EQ(r.status().code(), ErrorCode::kCorruption) << "prefix of " << n;
  }
  EXPECT_EQ(DecodeAccountDocument(bytes + "x").status().code(), ErrorCode::kCorruption);
  std::string other_version = bytes;
  other_version[0] = 9;
  EXPECT_EQ(DecodeAccountDocument(other_version).status().code(), ErrorCode::kCorruption);
  std::string bad_status = bytes;
  // version, count, "123456789012" and "us-east-1" with their lengths, then the status.
  bad_status[1 + 4 + 4 + kAcct.size() + 4 + kRegion.size()] = 7;
  EXPECT_EQ(DecodeAccountDocument(bad_status).status().code(), ErrorCode::kCorruption);
}

TEST(AccountStoreMemoryTest, MemoryModeKeepsStateInMemoryOnly) {
  TempDir dir;
  ManualClock clock(kStart);
  AccountStore store(AccountsPath(dir.path()), /*in_memory=*/true, clock);
  ASSERT_TRUE(store.Load().ok());
  ASSERT_TRUE(store.UpdateCommitment(kAcct, kRegion, true).ok());
  ASSERT_TRUE(store.PutPolicy(kArn, 1, "{}").ok());
  EXPECT_TRUE(store.CommitmentInForce(kAcct, kRegion));
  EXPECT_EQ(store.GetPolicy(kArn, 1), "{}");
  EXPECT_TRUE(fs::is_empty(dir.path()));

  AccountStore fresh(AccountsPath(dir.path()), /*in_memory=*/true, clock);
  ASSERT_TRUE(fresh.Load().ok());
  EXPECT_FALSE(fresh.CommitmentInForce(kAcct, kRegion));
}

// --- through the Engine ---

class EnginePolicyTest : public ::testing::Test {
 protected:
  std::unique_ptr<Engine> Open() {
    EngineOptions o;
    o.data_dir = dir_.path();
    o.durability = storage::Durability::kOs;
    o.clock = &clock_;
    auto e = Engine::Open(o);
    EXPECT_TRUE(e.ok()) << e.status().ToString();
    return e.ok() ? std::move(e).value() : nullptr;
  }
  static CreateStreamParams OneShard() {
    CreateStreamParams p;
    p.shard_count = 1;
    return p;
  }

  TempDir dir_;
  ManualClock clock_{kStart};
  const StreamRef s_{kAcct, kRegion, "s"};
};

TEST_F(EnginePolicyTest, AStreamWithoutAPolicyReadsAsTheEmptyPolicy) {
  auto engine = Open();
  ASSERT_TRUE(engine->control().CreateStream(s_, OneShard()).ok());
  auto got = engine->policies().GetResourcePolicy(kArn);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, "{}");
  Status del = engine->policies().DeleteResourcePolicy(kArn);
  EXPECT_EQ(del.code(), ErrorCode::kResourceNotFound);
  EXPECT_EQ(del.message(), "No resource policy found for resource ARN " + kArn + ".");
}

TEST_F(EnginePolicyTest, MissingStreamsAndConsumersAreNotFound) {
  auto engine = Open();
  Status put = engine->policies().PutResourcePolicy(kArn, "{}");
  EXPECT_EQ(put.code(), ErrorCode::kResourceNotFound);
  EXPECT_EQ(put.message(), "Stream s under account 123456789012 not found.");
  ASSERT_TRUE(engine->control().CreateStream(s_, OneShard()).ok());
  const std::string consumer = kArn + "/consumer/c:1700000000";
  Status get = engine->policies().GetResourcePolicy(consumer).status();
  EXPECT_EQ(get.code(), ErrorCode::kResourceNotFound);
  EXPECT_EQ(get.message(), "Consumer " + consumer + " not found.");
  EXPECT_EQ(engine->policies().PutResourcePolicy("arn:aws:kinesis:us-east-1:123456789012:table/x", "{}").code(),
            ErrorCode::kInvalidArgument);
}

TEST_F(EnginePolicyTest, DeletingAStreamDeletesItsPolicyAndARecreatedStreamHasNone) {
  auto engine = Open();
  ASSERT_TRUE(engine->control().CreateStream(s_, OneShard()).ok());
  ASSERT_TRUE(engine->policies().PutResourcePolicy(kArn, R"({"Statement":[]})").ok());
  EXPECT_EQ(*engine->policies().GetResourcePolicy(kArn), R"({"Statement":[]})");
  ASSERT_TRUE(engine->control().DeleteStream(s_, false).ok());
  EXPECT_EQ(engine->policies().GetResourcePolicy(kArn).status().code(), ErrorCode::kResourceNotFound);
  clock_.Advance(1000);
  ASSERT_TRUE(engine->control().CreateStream(s_, OneShard()).ok());
  EXPECT_EQ(*engine->policies().GetResourcePolicy(kArn), "{}");
}

TEST_F(EnginePolicyTest, SettingsAndPoliciesSurviveAnEngineRestart) {
  {
    auto engine = Open();
    ASSERT_TRUE(engine->control().CreateStream(s_, OneShard()).ok());
    ASSERT_TRUE(engine->policies().PutResourcePolicy(kArn, R"({"Version":"2012-10-17"})").ok());
    auto settings = engine->accounts().UpdateAccountSettings(kAcct, kRegion, true);
    ASSERT_TRUE(settings.ok());
    engine->Stop();
  }
  auto engine = Open();
  ASSERT_TRUE(engine);
  EXPECT_EQ(*engine->policies().GetResourcePolicy(kArn), R"({"Version":"2012-10-17"})");
  EXPECT_TRUE(engine->accounts().MinimumThroughputCommitmentEnabled(kAcct, kRegion));
  EXPECT_EQ(engine->accounts().DescribeAccountSettings(kAcct, kRegion).minimum_throughput_commitment.started_ms,
            kStart);
}

TEST_F(EnginePolicyTest, ACorruptAccountDocumentStopsTheEngineFromOpening) {
  {
    auto engine = Open();
    ASSERT_TRUE(engine->accounts().UpdateAccountSettings(kAcct, kRegion, true).ok());
    engine->Stop();
  }
  std::ofstream(AccountsPath(dir_.path()), std::ios::binary | std::ios::trunc) << "garbage";
  EngineOptions o;
  o.data_dir = dir_.path();
  o.durability = storage::Durability::kOs;
  o.clock = &clock_;
  auto e = Engine::Open(o);
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.status().code(), ErrorCode::kCorruption);
}

}  // namespace
}  // namespace sluice::engine
