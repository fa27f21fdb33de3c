// The console's files and JSON API over a real in-memory engine.
#include "console/console.h"

#include <gtest/gtest.h>

#include "console/console_assets.h"
#include "engine/engine.h"

namespace sluice::console {
namespace {

class ConsoleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    engine::EngineOptions opts;
    opts.durability = storage::Durability::kMemory;
    auto e = engine::Engine::Open(opts);
    ASSERT_TRUE(e.ok());
    engine_ = std::move(e).value();
    console_ = std::make_unique<Console>(*engine_, "000000000000", "us-east-1");
    engine::CreateStreamParams p;
    p.shard_count = 2;
    ASSERT_TRUE(engine_->control().CreateStream(ref_, p).ok());
  }
  void TearDown() override { engine_->Stop(); }

  std::optional<server::HttpResponse> Get(std::string_view target) {
    server::HttpRequest req;
    req.method = "GET";
    req.target = target;
    server::HttpResponse r;
    if (!console_->Handle(req, &r)) return std::nullopt;
    return r;
  }

  std::unique_ptr<engine::Engine> engine_;
  std::unique_ptr<Console> console_;
  const engine::StreamRef ref_{"000000000000", "us-east-1", "browsed"};
};

TEST_F(ConsoleTest, QueryParameters) {
  EXPECT_EQ(QueryParam("a=1&name=x%20y+z&b", "name"), "x y z");
  EXPECT_EQ(QueryParam("a=1&b", "b"), "");
  EXPECT_EQ(QueryParam("a=1", "c"), "");
  EXPECT_EQ(QueryParam("a=%4", "a"), "%4");  // a truncated escape stays as it is
}

TEST_F(ConsoleTest, ServesTheEmbeddedPageAndItsFiles) {
  ASSERT_GE(ConsoleAssets().size(), 3u);
  auto index = Get("/console/");
  ASSERT_TRUE(index);
  EXPECT_EQ(index->status, 200);
  EXPECT_EQ(index->headers[0].second, "text/html; charset=utf-8");
  EXPECT_NE(index->body.find("<script src=\"/console/console.js\">"), std::string::npos);
  EXPECT_EQ(Get("/console")->body, index->body);
  auto js = Get("/console/console.js");
  ASSERT_TRUE(js);
  EXPECT_EQ(js->headers[0].second, "text/javascript; charset=utf-8");
  EXPECT_NE(js->body.find("/console/api/streams"), std::string::npos);
  EXPECT_EQ(Get("/console/nope.js")->status, 404);
  EXPECT_FALSE(Get("/health"));
  EXPECT_FALSE(Get("/consoles"));
}

TEST_F(ConsoleTest, StreamsAndShardCounters) {
  auto streams = Get("/console/api/streams");
  ASSERT_TRUE(streams);
  EXPECT_NE(streams->body.find("\"name\":\"browsed\",\"account\":\"000000000000\",\"region\":\"us-east-1\","
                               "\"status\":\"ACTIVE\",\"mode\":\"PROVISIONED\",\"retention_hours\":24,"
                               "\"bytes_on_disk\":0,\"open_shards\":2,\"shards\":2,\"in_records\":0"),
            std::string::npos)
      << streams->body;
  auto stream = Get("/console/api/stream?name=browsed");
  ASSERT_TRUE(stream);
  EXPECT_EQ(stream->status, 200);
  EXPECT_NE(stream->body.find("\"shard_counters\":[[\"shardId-000000000000\",true,0,0,0,0,0],"
                              "[\"shardId-000000000001\",true,0,0,0,0,0]]"),
            std::string::npos)
      << stream->body;
  EXPECT_EQ(Get("/console/api/stream?name=other")->status, 404);
}

TEST_F(ConsoleTest, LatestRecordsOfAShard) {
  std::vector<engine::PutEntry> entries;
  std::vector<std::string> data;
  for (int i = 0; i < 5; ++i) data.push_back("r" + std::to_string(i));
  for (const std::string& d : data) entries.push_back({"k", d, HashKey{0}});
  bool done = false;
  engine_->records().PutRecords(ref_, entries,
                                [&done](Result<std::vector<engine::PutEntryResult>> r) { done = r.ok(); });
  ASSERT_TRUE(done);  // memory mode completes inline
  auto records = Get("/console/api/records?stream=browsed&shard=shardId-000000000000&n=2");
  ASSERT_TRUE(records);
  EXPECT_EQ(records->status, 200);
  // The newest two, oldest first: "r3" and "r4" in base64.
  const size_t r3 = records->body.find("\"data\":\"cjM=\"");
  const size_t r4 = records->body.find("\"data\":\"cjQ=\"");
  EXPECT_NE(r3, std::string::npos) << records->body;
  EXPECT_NE(r4, std::string::npos);
  EXPECT_LT(r3, r4);
  EXPECT_EQ(records->body.find("cjI="), std::string::npos);
  EXPECT_EQ(Get("/console/api/records?stream=browsed&shard=shardId-000000000007")->status, 404);
}

TEST_F(ConsoleTest, GroupsAreServedFromTheirSourceAndAnswer404WithoutOne) {
  EXPECT_EQ(Get("/console/api/groups")->status, 404);
  console_->SetGroupsSource([] { return std::string(R"({"streams":[]})"); });
  auto groups = Get("/console/api/groups");
  ASSERT_TRUE(groups);
  EXPECT_EQ(groups->status, 200);
  EXPECT_EQ(groups->body, R"({"streams":[]})");
  EXPECT_NE(Get("/console/groups.js")->body.find("refreshGroups"), std::string::npos);
}

TEST_F(ConsoleTest, TheClusterIsServedFromItsSourceAndWithoutOneSaysTheServerIsNotInACluster) {
  auto single = Get("/console/api/cluster");
  ASSERT_TRUE(single);
  EXPECT_EQ(single->status, 404);
  EXPECT_NE(single->body.find("not in a cluster"), std::string::npos);
  console_->SetClusterSource([] { return std::string(R"({"nodes":[],"shards":[]})"); });
  auto cluster = Get("/console/api/cluster");
  ASSERT_TRUE(cluster);
  EXPECT_EQ(cluster->status, 200);
  EXPECT_EQ(cluster->body, R"({"nodes":[],"shards":[]})");
  EXPECT_NE(Get("/console/cluster.js")->body.find("refreshCluster"), std::string::npos);
  EXPECT_NE(Get("/console/")->body.find("id=\"nav-cluster\" hidden"), std::string::npos);
}

}  // namespace
}  // namespace sluice::console
