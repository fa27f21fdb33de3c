// The router picks a service by X-Amz-Target prefix, then by path prefix,
// then by content type, else the fallback.
#include "gateway/router.h"

#include <gtest/gtest.h>

#include "toy_service.h"

namespace sluice::gateway {
namespace {

using testing::ToyService;

class RouterTest : public ::testing::Test {
 protected:
  RouterTest() {
    router_.Add(&kinesis_, /*fallback=*/true);
    router_.Add(&dynamodb_, /*fallback=*/false);
    router_.Add(&cloudwatch_, /*fallback=*/false);
  }

  Route Find(std::string_view target_header, std::string_view path = "/") {
    server::HttpRequest req;
    req.method = "POST";
    req.target = path;
    if (!target_header.empty()) req.headers = {{"x-amz-target", target_header}};
    return router_.Find(req);
  }

  ToyService kinesis_{"kinesis", {.target_prefix = "Kinesis_20131202.", .path_prefix = {}}};
  ToyService dynamodb_{"dynamodb", {.target_prefix = "DynamoDB_20120810.", .path_prefix = {}}};
  ToyService cloudwatch_{"monitoring",
                         {.target_prefix = {},
                          .path_prefix = "/service/GraniteServiceVersion20100801/",
                          .content_type = "application/x-www-form-urlencoded"}};
  Router router_;
};

TEST_F(RouterTest, ATargetPrefixPicksItsServiceAndNamesTheOperation) {
  Route r = Find("DynamoDB_20120810.PutItem");
  EXPECT_EQ(r.service, &dynamodb_);
  EXPECT_EQ(r.index, 1);
  EXPECT_TRUE(r.matched);
  EXPECT_EQ(r.operation, "PutItem");
  r = Find("Kinesis_20131202.PutRecords");
  EXPECT_EQ(r.service, &kinesis_);
  EXPECT_EQ(r.index, 0);
  EXPECT_EQ(r.operation, "PutRecords");
}

TEST_F(RouterTest, TheOperationEndsAtTheNextDot) {
  EXPECT_EQ(Find("DynamoDB_20120810.GetItem.extra").operation, "GetItem");
}

TEST_F(RouterTest, APathPrefixPicksItsServiceAndThePathNamesTheOperation) {
  Route r = Find("", "/service/GraniteServiceVersion20100801/operation/GetMetricData?x=1");
  EXPECT_EQ(r.service, &cloudwatch_);
  EXPECT_EQ(r.index, 2);
  EXPECT_TRUE(r.matched);
  EXPECT_EQ(r.operation, "GetMetricData");
  EXPECT_EQ(Find("", "/service/GraniteServiceVersion20100801/").operation, "");
}

TEST_F(RouterTest, AContentTypeOnlyOneServiceSpeaksPicksIt) {
  server::HttpRequest req;
  req.method = "POST";
  req.target = "/";
  req.headers = {{"content-type", "application/x-www-form-urlencoded; charset=utf-8"}};
  Route r = router_.Find(req);
  EXPECT_EQ(r.service, &cloudwatch_);
  EXPECT_TRUE(r.matched);
  EXPECT_EQ(r.operation, "");
  req.headers.push_back({"x-amz-target", "Kinesis_20131202.ListStreams"});
  EXPECT_EQ(router_.Find(req).service, &kinesis_) << "a target prefix wins";
}

TEST_F(RouterTest, AContentTypeRouteIsNamedByTheFormsAction) {
  server::HttpRequest req;
  req.method = "POST";
  req.target = "/";
  req.headers = {{"content-type", "application/x-www-form-urlencoded"}};
  req.body = "Action=PutMetricData&Version=2010-08-01&Namespace=A";
  EXPECT_EQ(router_.Find(req).operation, "PutMetricData");
  req.body = "Version=2010-08-01&Action=ListMetrics";
  EXPECT_EQ(router_.Find(req).operation, "ListMetrics");
  req.body = "Version=2010-08-01&NoAction=ListMetrics&";
  EXPECT_EQ(router_.Find(req).operation, "");
  req.body = "";
  req.target = "/?Action=GetMetricStatistics&Version=2010-08-01";
  EXPECT_EQ(router_.Find(req).operation, "GetMetricStatistics") << "a GET's query";
}

TEST_F(RouterTest, OfTwoServicesSpeakingOneContentTypeTheOneTheRequestIsSignedForWins) {
  ToyService sts{"sts", {.target_prefix = {}, .path_prefix = {}, .content_type = "application/x-www-form-urlencoded"}};
  router_.Add(&sts, /*fallback=*/false);
  server::HttpRequest req;
  req.method = "POST";
  req.target = "/";
  req.headers = {{"content-type", "application/x-www-form-urlencoded"},
                 {"authorization",
                  "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/sts/aws4_request, SignedHeaders=host, "
                  "Signature=00"}};
  EXPECT_EQ(router_.Find(req).service, &sts);
  req.headers[1].value =
      "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/monitoring/aws4_request, SignedHeaders=host, Signature=00";
  EXPECT_EQ(router_.Find(req).service, &cloudwatch_);
  req.headers.pop_back();
  EXPECT_EQ(router_.Find(req).service, &cloudwatch_) << "unsigned: the first added";
}

TEST_F(RouterTest, ATargetPrefixWinsOverAPath) {
  EXPECT_EQ(Find("DynamoDB_20120810.Query", "/service/GraniteServiceVersion20100801/").service, &dynamodb_);
}

TEST_F(RouterTest, AnUnclaimedRequestGoesToTheFallbackUnmatched) {
  for (std::string_view target : {"", "Unknown_1.Op", "DynamoDB_20120810", "kinesis_20131202.PutRecords"}) {
    Route r = Find(target, "/service/Other/");
    EXPECT_EQ(r.service, &kinesis_) << target;
    EXPECT_FALSE(r.matched) << target;
    EXPECT_EQ(r.operation, "") << target;
  }
}

TEST(RouterWithoutFallbackTest, AnUnclaimedRequestHasNoService) {
  ToyService dynamodb{"dynamodb", {.target_prefix = "DynamoDB_20120810.", .path_prefix = {}}};
  Router router;
  router.Add(&dynamodb, /*fallback=*/false);
  server::HttpRequest req;
  req.method = "POST";
  req.target = "/";
  req.headers = {{"x-amz-target", "Kinesis_20131202.PutRecords"}};
  Route r = router.Find(req);
  EXPECT_EQ(r.service, nullptr);
  EXPECT_EQ(r.index, -1);
  EXPECT_FALSE(r.matched);
}

}  // namespace
}  // namespace sluice::gateway
