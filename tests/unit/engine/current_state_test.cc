// ChangeCurrentLocked (engine/current_state.h) through the engine, with a
// shared catalogue that refuses saves on demand: a fake is enough here, the
// real one (cluster/etcd_stream_catalog.h) is tested against etcd in
// tests/unit/cluster/etcd_stream_catalog_test.cc.
#include "engine/current_state.h"

#include <gtest/gtest.h>

#include <memory>

#include "engine/engine.h"

namespace sluice::engine {
namespace {

const StreamRef kOrders{"123456789012", "us-east-1", "orders"};

// Refuses the next `refusals` saves as a stale compare-and-swap would, and
// answers every Refresh with `newer`.
class RefusingCatalog final : public StreamCatalog {
 public:
  explicit RefusingCatalog(bool shared) : shared_(shared) {}
  Result<std::optional<std::vector<StreamMeta>>> Load() override {
    return std::optional<std::vector<StreamMeta>>(std::vector<StreamMeta>());
  }
  Status Init() override { return Status::Ok(); }
  Status Put(const std::vector<const StreamMeta*>& streams) override {
    ++puts;
    if (refusals == 0) return Status::Ok();
    --refusals;
    return Status::InUse(
        "Stream orders under account 123456789012 was changed through another node at the same "
        "time; try again.");
  }
  using StreamCatalog::Put;
  Status Erase(const StreamKey&) override { return Status::Ok(); }
  bool shared() const override { return shared_; }
  Result<bool> Refresh(const StreamKey&, const std::function<Status(const StreamChange&)>&) override {
    ++refreshes;
    return newer;
  }

  int refusals = 0;
  bool newer = true;
  int puts = 0;
  int refreshes = 0;

 private:
  bool shared_;
};

class CurrentStateTest : public testing::Test {
 protected:
  void Open(bool shared) {
    catalog_ = std::make_shared<RefusingCatalog>(shared);
    EngineOptions options;
    options.durability = storage::Durability::kMemory;
    options.catalog = catalog_;
    auto opened = Engine::Open(options);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    engine_ = std::move(opened).value();
    CreateStreamParams params;
    params.shard_count = 1;
    ASSERT_TRUE(engine_->control().CreateStream(kOrders, params).ok());
    catalog_->puts = 0;
  }

  std::shared_ptr<RefusingCatalog> catalog_;
  std::unique_ptr<Engine> engine_;
};

TEST_F(CurrentStateTest, ARefusedChangeIsEvaluatedAgainUntilItIsSaved) {
  Open(/*shared=*/true);
  catalog_->refusals = 3;
  Status added = engine_->control().AddTags(kOrders, {{"k", "v"}});
  ASSERT_TRUE(added.ok()) << added.ToString();
  EXPECT_EQ(catalog_->puts, 4);
  EXPECT_EQ(catalog_->refreshes, 3);
  EXPECT_EQ(engine_->control().ListTags(kOrders)->size(), 1u);
}

TEST_F(CurrentStateTest, AChangeRefusedOnEveryAttemptAnswersTryAgainAndChangesNothing) {
  Open(/*shared=*/true);
  catalog_->refusals = 100;
  Status refused = engine_->control().AddTags(kOrders, {{"k", "v"}});
  EXPECT_EQ(refused.code(), ErrorCode::kResourceInUse);
  EXPECT_NE(refused.message().find("try again."), std::string::npos) << refused.message();
  EXPECT_EQ(catalog_->puts, kCurrentStateAttempts);
  EXPECT_EQ(catalog_->refreshes, kCurrentStateAttempts - 1);
  EXPECT_TRUE(engine_->control().ListTags(kOrders)->empty());
}

TEST_F(CurrentStateTest, ARefusalWithNothingNewerInTheCatalogueStands) {
  Open(/*shared=*/true);
  catalog_->refusals = 1;
  catalog_->newer = false;
  EXPECT_EQ(engine_->control().AddTags(kOrders, {{"k", "v"}}).code(), ErrorCode::kResourceInUse);
  EXPECT_EQ(catalog_->puts, 1);
  EXPECT_EQ(catalog_->refreshes, 1);
}

TEST_F(CurrentStateTest, AStreamNotFoundIsLookedForOnceAndAChangeSavedAtOnceReadsNothing) {
  Open(/*shared=*/true);
  EXPECT_EQ(engine_->control().DescribeStream({kOrders.account, kOrders.region, "absent"}).status().code(),
            ErrorCode::kResourceNotFound);
  EXPECT_EQ(catalog_->refreshes, 1);  // a stream not found looks once
  catalog_->refreshes = 0;
  EXPECT_TRUE(engine_->control().AddTags(kOrders, {{"k", "v"}}).ok());
  EXPECT_EQ(catalog_->refreshes, 0);  // a change saved at once reads nothing
}

TEST_F(CurrentStateTest, ALocalCatalogueNeverReadsAgain) {
  Open(/*shared=*/false);
  catalog_->refusals = 1;
  EXPECT_EQ(engine_->control().AddTags(kOrders, {{"k", "v"}}).code(), ErrorCode::kResourceInUse);
  EXPECT_EQ(engine_->control().DescribeStream({kOrders.account, kOrders.region, "absent"}).status().code(),
            ErrorCode::kResourceNotFound);
  EXPECT_EQ(catalog_->puts, 1);
  EXPECT_EQ(catalog_->refreshes, 0);
}

}  // namespace
}  // namespace sluice::engine
