// StsService: the one call of the AWS Security Token Service that clients
// make before their first request to the service they use, GetCallerIdentity
// (the KPL asks it for the account of the stream ARN it builds), answered for
// the caller's account so the ARN names the stream Sluice holds. Query
// protocol: a form-encoded POST
//   Action=GetCallerIdentity&Version=2011-06-15
// signed as "sts" (which tells it from CloudWatch's form on the same port),
// answered in XML:
//   <GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
//     <GetCallerIdentityResult><Arn>arn:aws:iam::<account>:root</Arn>
//     <UserId><account></UserId><Account><account></Account></GetCallerIdentityResult>
//     <ResponseMetadata><RequestId>…</RequestId></ResponseMetadata>
//   </GetCallerIdentityResponse>
// Any other action answers InvalidAction (400, Sender). The form is decoded
// and the XML escaped by the query protocol codec CloudWatch speaks
// (cloudwatch/query_protocol.h). Thread-safe.
#pragma once

#include <string>
#include <vector>

#include "gateway/service.h"

namespace sluice::sts {

class StsService final : public gateway::Service {
 public:
  // Callers that name no account are in `default_account`.
  explicit StsService(std::string default_account) : default_account_(std::move(default_account)) {}

  std::string_view name() const override { return "sts"; }
  gateway::ServiceMatch match() const override;
  std::string_view signing_name() const override { return "sts"; }
  std::vector<std::string> operations() const override { return {"GetCallerIdentity"}; }

  void Handle(const gateway::ServiceRequest& request, gateway::ServiceResponder respond) override;
  gateway::ServiceResponse Error(const server::HttpRequest& request, const Status& error) const override;

 private:
  std::string default_account_;
};

}  // namespace sluice::sts
