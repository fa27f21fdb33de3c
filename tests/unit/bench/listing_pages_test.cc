// The listing walks against a scripted server that pages a known list.
#include "bench/listing_pages.h"

#include <gtest/gtest.h>

#include <string>

#include "bench/json_scan.h"
#include "bench/scripted_server.h"

namespace sluice::bench {
namespace {

TEST(ListingPagesTest, StreamNamesOfReadsTheArrayInOrder) {
  const auto names = StreamNamesOf(R"({"HasMoreStreams":true,"StreamNames":["a-1","b-2", "c"]})");
  ASSERT_EQ(names.size(), 3u);
  EXPECT_EQ(names[0], "a-1");
  EXPECT_EQ(names[2], "c");
  EXPECT_TRUE(StreamNamesOf(R"({"StreamNames":[]})").empty());
  EXPECT_TRUE(StreamNamesOf(R"({"Other":1})").empty());
}

// 250 streams "s000".."s249" of one shard each; pages are answered from the
// request's Limit/ExclusiveStartStreamName or MaxResults/NextToken (the
// token is the index to start at). fail_at_request refuses that request.
class PagingServer {
 public:
  static constexpr int kItems = 250;
  PagingServer() : server_([this](int fd, const ScriptedRequest& r) { return Serve(fd, r); }) {}
  Endpoint endpoint() const { return server_.endpoint(); }
  int fail_at_request = -1;

 private:
  static std::string Name(int i) {
    char buf[8];
    std::snprintf(buf, sizeof(buf), "s%03d", i);
    return buf;
  }
  bool Serve(int fd, const ScriptedRequest& r) {
    if (r.number == fail_at_request) {
      return SendAll(fd, "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 2\r\n\r\n{}");
    }
    int64_t limit = 100, start = 0;
    std::string from;
    if (r.Operation() == "ListStreams") {
      json::ScanInt(r.body, "Limit", &limit);
      if (json::ScanString(r.body, "ExclusiveStartStreamName", &from)) start = std::stoi(from.substr(1)) + 1;
      std::string body = "{\"StreamNames\":[";
      int64_t i = start;
      for (; i < std::min<int64_t>(kItems, start + limit); ++i) body += (i > start ? ",\"" : "\"") + Name(i) + "\"";
      body += "],\"HasMoreStreams\":" + std::string(i < kItems ? "true" : "false") + "}";
      return SendAll(fd, Ok(body));
    }
    json::ScanInt(r.body, "MaxResults", &limit);
    if (json::ScanString(r.body, "NextToken", &from)) start = std::stoi(from);
    std::string body = "{\"Shards\":[";
    int64_t i = start;
    for (; i < std::min<int64_t>(kItems, start + limit); ++i) {
      body += (i > start ? "," : "") + std::string("{\"ShardId\":\"shardId-") + std::to_string(i) +
              "\",\"HashKeyRange\":{\"StartingHashKey\":\"" + std::to_string(i * 1000) + "\"}}";
    }
    body += "]";
    if (i < kItems) body += ",\"NextToken\":\"" + std::to_string(i) + "\"";
    return SendAll(fd, Ok(body + "}"));
  }
  ScriptedServer server_;
};

TEST(ListingPagesTest, ListStreamsWalkVisitsEveryNameOnceAndTimesEachPage) {
  PagingServer server;
  StreamAdmin admin(server.endpoint());
  const PageWalk walk = WalkListStreams(admin, 100);
  EXPECT_TRUE(walk.status.ok()) << walk.status.message();
  EXPECT_EQ(walk.items, PagingServer::kItems);
  EXPECT_EQ(walk.pages, 3);
  EXPECT_EQ(walk.latency.count(), 3u);
}

TEST(ListingPagesTest, ListShardsWalkFollowsTokensAndCollectsStartingHashKeys) {
  PagingServer server;
  StreamAdmin admin(server.endpoint());
  std::vector<std::string> keys;
  const PageWalk walk = WalkListShards(admin, "s", 100, &keys);
  EXPECT_TRUE(walk.status.ok()) << walk.status.message();
  EXPECT_EQ(walk.items, PagingServer::kItems);
  EXPECT_EQ(walk.pages, 3);
  ASSERT_EQ(keys.size(), 250u);
  EXPECT_EQ(keys[0], "0");
  EXPECT_EQ(keys[249], "249000");
}

TEST(ListingPagesTest, FailedPageEndsTheWalkWithWhatWasReached) {
  PagingServer server;
  server.fail_at_request = 1;
  StreamAdmin admin(server.endpoint());
  const PageWalk walk = WalkListShards(admin, "s", 100);
  EXPECT_FALSE(walk.status.ok());
  EXPECT_NE(walk.status.message().find("HTTP 500"), std::string::npos);
  EXPECT_EQ(walk.pages, 1);
  EXPECT_EQ(walk.items, 100);
}

}  // namespace
}  // namespace sluice::bench
