// The gateway's JSON, bytes in and values out, as etcd 3.4 writes and reads it.
#include "cluster/etcd_json.h"

#include <gtest/gtest.h>

namespace sluice::cluster::etcd_json {
namespace {

TEST(EtcdJsonTest, RequestsCarryKeysAsBase64AndIntegersAsStrings) {
  EXPECT_EQ(PutRequest("foo", "bar", 7), R"({"key":"Zm9v","value":"YmFy","lease":"7"})");
  EXPECT_EQ(RangeRequest("a", "b", 2), R"({"key":"YQ==","range_end":"Yg==","limit":"2"})");
  EXPECT_EQ(RangeRequest("a", "", 0), R"({"key":"YQ=="})");
  EXPECT_EQ(LeaseIdRequest(4111120501222503433), R"({"ID":"4111120501222503433"})");
  EXPECT_EQ(CompactionRequest(42), R"({"revision":"42","physical":true})");
  EXPECT_EQ(WatchCreateRequest("a", "b", 5),
            R"({"create_request":{"key":"YQ==","range_end":"Yg==","start_revision":"5"}})");
}

TEST(EtcdJsonTest, ATxnNamesItsTargetsAndBranchesAsTheGatewayExpects) {
  EXPECT_EQ(TxnRequest({Compare::Absent("k")}, {TxnOp::Put("k", "v")}, {TxnOp::Get("k")}),
            R"({"compare":[{"target":"CREATE","result":"EQUAL","key":"aw==","create_revision":"0"}],)"
            R"("success":[{"request_put":{"key":"aw==","value":"dg=="}}],)"
            R"("failure":[{"request_range":{"key":"aw=="}}]})");
}

TEST(EtcdJsonTest, ARangeAnswerReadsStringIntegersAndLeavesOutZeroes) {
  Result<RangeResult> r =
      ParseRange(R"({"header":{"revision":"9"},"kvs":[{"key":"Zm9v","create_revision":"2","mod_revision":"8",)"
                 R"("version":"3","value":"YmFy","lease":"77"},{"key":"Zm9w"}],"more":true,"count":"5"})");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->revision, 9);
  ASSERT_EQ(r->kvs.size(), 2u);
  EXPECT_EQ(r->kvs[0].key, "foo");
  EXPECT_EQ(r->kvs[0].value, "bar");
  EXPECT_EQ(r->kvs[0].mod_revision, 8);
  EXPECT_EQ(r->kvs[0].lease, 77);
  EXPECT_EQ(r->kvs[1].value, "");
  EXPECT_TRUE(r->more);
}

TEST(EtcdJsonTest, AFailedTxnHasNoSucceededMemberAndReturnsWhatItRead) {
  Result<TxnResult> r =
      ParseTxn(R"({"header":{"revision":"3"},"responses":[{"response_range":{"header":{"revision":"3"},)"
               R"("kvs":[{"key":"Zm9v","mod_revision":"2","value":"YmF6"}],"count":"1"}}]})");
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->succeeded);
  ASSERT_EQ(r->kvs.size(), 1u);
  EXPECT_EQ(r->kvs[0].value, "baz");
}

TEST(EtcdJsonTest, AKeepAliveOfAGoneLeaseHasNoTtl) {
  EXPECT_EQ(*ParseKeepAlive(R"({"result":{"header":{},"ID":"5","TTL":"9"}})"), 9);
  EXPECT_EQ(*ParseKeepAlive(R"({"result":{"header":{},"ID":"999"}})"), 0);
}

TEST(EtcdJsonTest, WatchMessagesCarryEventsInOrderAndCompaction) {
  Result<WatchMessage> m = ParseWatchMessage(
      R"({"result":{"header":{"revision":"4"},"events":[{"kv":{"key":"YQ==","mod_revision":"3","value":"MQ=="}},)"
      R"({"type":"DELETE","kv":{"key":"YQ==","mod_revision":"4"}}]}})");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  ASSERT_EQ(m->events.size(), 2u);
  EXPECT_EQ(m->events[0].type, WatchEvent::Type::kPut);
  EXPECT_EQ(m->events[0].kv.value, "1");
  EXPECT_EQ(m->events[1].type, WatchEvent::Type::kDelete);
  EXPECT_EQ(m->events[1].kv.mod_revision, 4);
  Result<WatchMessage> compacted =
      ParseWatchMessage(R"({"result":{"header":{},"canceled":true,"compact_revision":"12"}})");
  ASSERT_TRUE(compacted.ok());
  EXPECT_EQ(compacted->compact_revision, 12);
}

TEST(EtcdJsonTest, ErrorsMapTheirGrpcCodes) {
  Status missing = ErrorStatus(404, R"({"error":"etcdserver: requested lease not found","code":5,)"
                                    R"("message":"etcdserver: requested lease not found"})");
  EXPECT_EQ(missing.code(), ErrorCode::kResourceNotFound);
  EXPECT_EQ(missing.message(), "etcd: etcdserver: requested lease not found (HTTP 404)");
  EXPECT_TRUE(Retryable(ErrorStatus(503, R"({"message":"etcdserver: no leader","code":14})")));
  EXPECT_FALSE(Retryable(ErrorStatus(400, R"({"message":"bad","code":3})")));
  EXPECT_TRUE(Retryable(ErrorStatus(503, "Service Unavailable")));
  EXPECT_FALSE(ParseRange("not json").ok());
  EXPECT_FALSE(ParseRange(R"({"kvs":[{"key":"!!"}]})").ok());
}

}  // namespace
}  // namespace sluice::cluster::etcd_json
