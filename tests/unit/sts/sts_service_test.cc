#include "sts/sts_service.h"

#include <gtest/gtest.h>

#include <optional>

namespace sluice::sts {
namespace {

// Drives the service directly, as the gateway would.
gateway::ServiceResponse Send(StsService& service, std::string_view form, std::string_view account) {
  server::HttpRequest http;
  http.method = "POST";
  http.target = "/";
  http.headers = {{"content-type", "application/x-www-form-urlencoded; charset=utf-8"}};
  http.body = form;
  std::optional<gateway::ServiceResponse> answer;
  service.Handle(gateway::ServiceRequest{http, "", account, ""}, [&](gateway::ServiceResponse r) { answer = r; });
  EXPECT_TRUE(answer.has_value());
  return answer.value_or(gateway::ServiceResponse{});
}

TEST(StsServiceTest, GetCallerIdentityNamesTheDefaultAccountInXml) {
  StsService service("000000000000");
  gateway::ServiceResponse r = Send(service, "Action=GetCallerIdentity&Version=2011-06-15", "");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "text/xml");
  EXPECT_NE(r.body.find("<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"
                        "<GetCallerIdentityResult><Arn>arn:aws:iam::000000000000:root</Arn>"
                        "<UserId>000000000000</UserId><Account>000000000000</Account></GetCallerIdentityResult>"),
            std::string::npos)
      << r.body;
}

TEST(StsServiceTest, GetCallerIdentityNamesTheCallersAccount) {
  StsService service("000000000000");
  gateway::ServiceResponse r = Send(service, "Action=GetCallerIdentity&Version=2011-06-15", "123456789012");
  EXPECT_NE(r.body.find("<Account>123456789012</Account>"), std::string::npos) << r.body;
}

TEST(StsServiceTest, AnyOtherActionIsInvalidActionWithItsNameEscaped) {
  StsService service("000000000000");
  gateway::ServiceResponse r = Send(service, "Action=Assume%3CRole&Version=2011-06-15", "");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.error_type, "InvalidAction");
  EXPECT_NE(r.body.find("<Type>Sender</Type><Code>InvalidAction</Code>"
                        "<Message>Could not find operation Assume&lt;Role for version 2011-06-15</Message>"),
            std::string::npos)
      << r.body;
}

}  // namespace
}  // namespace sluice::sts
