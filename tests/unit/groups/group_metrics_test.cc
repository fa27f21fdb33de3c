// The groups' /metrics families and console JSON, read from a coordinator
// over a real in-memory engine.
#include "groups/group_metrics.h"

#include <gtest/gtest.h>

#include <map>
#include <sstream>

#include "engine/engine_test_util.h"
#include "groups_test_util.h"

namespace sluice::groups {
namespace {

using engine::testing::PutOne;
using testing::CoordinatorTest;

class GroupMetricsTest : public CoordinatorTest {
 protected:
  std::string Scrape() {
    metrics::Exposition out;
    AddGroupMetrics(*coordinator_, engine_->Metrics(engine::ShardDetail::kNone).streams, out);
    return out.Render();
  }

  // The sum of the samples of `family` (its lines starting "<family>{").
  static int64_t Sum(const std::string& text, const std::string& family, int* samples) {
    std::istringstream lines(text);
    int64_t sum = 0;
    *samples = 0;
    for (std::string line; std::getline(lines, line);) {
      if (line.rfind(family + "{", 0) != 0) continue;
      sum += std::stoll(line.substr(line.rfind(' ') + 1));
      ++*samples;
    }
    return sum;
  }
};

TEST_F(GroupMetricsTest, EveryGroupReportsMembersGenerationAndRebalances) {
  CreateStream(2);
  Join("a");
  Join("b");
  const std::string text = Scrape();
  const std::string labels = R"({stream="orders",group="billing",account="123456789012",region="us-east-1"})";
  EXPECT_NE(text.find("sluice_group_members" + labels + " 2\n"), std::string::npos) << text;
  const int64_t generation = coordinator_->Describe(key_)->generation;
  ASSERT_GT(generation, 0);
  EXPECT_NE(text.find("sluice_group_generation" + labels + " " + std::to_string(generation) + "\n"), std::string::npos)
      << text;
  EXPECT_NE(text.find("sluice_group_rebalances_total" + labels + " " + std::to_string(generation) + "\n"),
            std::string::npos)
      << text;
}

TEST_F(GroupMetricsTest, LagPerShardOnlyForStreamsWithEnhancedMonitoringOfIteratorAge) {
  CreateStream(2);
  MemberView a = Join("a");
  std::map<std::string, std::string> newest;  // shard id -> its newest sequence number
  for (int i = 0; i < 5; ++i) {
    auto put = engine::testing::PutSync(*engine_, stream_, {{"key-" + std::to_string(i), "data", std::nullopt}});
    ASSERT_TRUE(put.ok());
    newest["shardId-00000000000" + std::to_string((*put)[0].shard_index)] =
        std::string(engine::ToView((*put)[0].sequence_number));
  }
  int samples = 0;
  Sum(Scrape(), "sluice_group_records_behind", &samples);
  EXPECT_EQ(samples, 0) << "a stream without enhanced monitoring reports no shard series";

  ASSERT_TRUE(engine_->control().UpdateShardLevelMetrics(stream_, {"IteratorAgeMilliseconds"}, true).ok());
  clock_.Advance(1500);
  std::string text = Scrape();
  EXPECT_EQ(Sum(text, "sluice_group_records_behind", &samples), 5) << text;
  EXPECT_EQ(samples, 2);
  EXPECT_GE(Sum(text, "sluice_group_millis_behind_latest", &samples), 1500) << text;

  // Checkpointed at each shard's newest record: nothing behind.
  for (const auto& [shard, sequence_number] : newest)
    ASSERT_TRUE(Commit("a", a.generation, shard, sequence_number).ok());
  text = Scrape();
  EXPECT_EQ(Sum(text, "sluice_group_records_behind", &samples), 0) << text;
  EXPECT_EQ(Sum(text, "sluice_group_millis_behind_latest", &samples), 0) << text;
}

TEST_F(GroupMetricsTest, ConsoleJsonListsOnlyStreamsWithGroupsAndDescribesThem) {
  CreateStream(2);
  engine::CreateStreamParams one;
  one.shard_count = 1;
  ASSERT_TRUE(engine_->control().CreateStream({"123456789012", "us-east-1", "idle"}, one).ok());
  EXPECT_EQ(GroupsJson(*coordinator_, engine_->Metrics(engine::ShardDetail::kNone).streams), R"({"streams":[]})");
  Join("a");
  PutOne(*engine_, stream_, "k", "data");
  const std::string json = GroupsJson(*coordinator_, engine_->Metrics(engine::ShardDetail::kNone).streams);
  EXPECT_EQ(json.find(R"("name":"idle")"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("name":"orders","more_groups":false,"groups":[{"name":"billing")"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("members":[{"member_id":"a","assignment":["shardId-000000000000","shardId-000000000001"])"),
            std::string::npos)
      << json;
  EXPECT_NE(json.find(R"("owner":"a","sequence_number":null,"shard_end":false,"records_behind":1)"), std::string::npos)
      << json;
}

}  // namespace
}  // namespace sluice::groups
