// The groups tests' fixture: a real engine (in memory, on a manual clock)
// with one stream, a group store and a coordinator over them, and
// synchronous forms of the coordinator's durable calls.
#pragma once

#include <gtest/gtest.h>

#include <future>
#include <memory>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "engine/engine_test_util.h"
#include "groups/coordinator.h"
#include "groups/group_store.h"

namespace sluice::groups::testing {

inline constexpr int64_t kStart = 1700000000000;

class CoordinatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    engine::EngineOptions o;
    o.durability = storage::Durability::kMemory;
    o.clock = &clock_;
    auto e = engine::Engine::Open(o);
    ASSERT_TRUE(e.ok()) << e.status().ToString();
    engine_ = std::move(e).value();
    auto store = GroupStore::Open({.data_dir = "", .durability = storage::Durability::kMemory});
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(store).value();
    coordinator_ = std::make_unique<Coordinator>(*engine_, *store_, CoordinatorOptions{.clock = &clock_});
  }

  void CreateStream(int shards) {
    engine::CreateStreamParams p;
    p.shard_count = shards;
    ASSERT_TRUE(engine_->control().CreateStream(stream_, p).ok());
  }

  MemberView Join(const std::string& member, int64_t timeout_ms = 10000) {
    JoinRequest r{key_, member, timeout_ms, std::nullopt};
    std::promise<Result<MemberView>> done;
    coordinator_->Join(r, [&done](Result<MemberView> v) { done.set_value(std::move(v)); });
    Result<MemberView> v = done.get_future().get();
    EXPECT_TRUE(v.ok()) << v.status().ToString();
    return v.ok() ? *v : MemberView{};
  }

  MemberView Heartbeat(const std::string& member) {
    Result<MemberView> v = coordinator_->Heartbeat(key_, member);
    EXPECT_TRUE(v.ok()) << v.status().ToString();
    return v.ok() ? *v : MemberView{};
  }

  Status Commit(const std::string& member, int64_t generation, const std::string& shard,
                std::optional<std::string> sequence_number, bool shard_end = false) {
    std::promise<Status> done;
    coordinator_->Commit({key_, member, generation, shard, std::move(sequence_number), shard_end},
                         [&done](Status s) { done.set_value(std::move(s)); });
    return done.get_future().get();
  }

  static std::vector<std::string> Ids(const MemberView& v) {
    std::vector<std::string> out;
    for (const AssignedShard& a : v.assignment) out.push_back(a.shard_id);
    return out;
  }

  ManualClock clock_{kStart};
  const engine::StreamRef stream_{"123456789012", "us-east-1", "orders"};
  const GroupKey key_{"123456789012", "us-east-1", "orders", "billing"};
  std::unique_ptr<engine::Engine> engine_;
  std::unique_ptr<GroupStore> store_;
  std::unique_ptr<Coordinator> coordinator_;
};

}  // namespace sluice::groups::testing
