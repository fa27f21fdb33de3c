#include "sts/sts_service.h"

#include <fmt/format.h>

#include "cloudwatch/query_protocol.h"
#include "gateway/aws_responses.h"

namespace sluice::sts {
namespace {

constexpr std::string_view kFormContentType = "application/x-www-form-urlencoded";
constexpr std::string_view kXmlNamespace = "https://sts.amazonaws.com/doc/2011-06-15/";
constexpr std::string_view kApiVersion = "2011-06-15";

struct ErrorName {
  std::string_view code;
  int status = 400;
  bool sender = true;
};

ErrorName ErrorNameOf(const Status& status) {
  switch (status.code()) {
    case ErrorCode::kUnknownOperation: return {"InvalidAction"};
    case ErrorCode::kSerialization: return {"MalformedInput"};
    case ErrorCode::kMissingAuthenticationToken: return {"MissingAuthenticationToken", 403};
    case ErrorCode::kIncompleteSignature: return {"IncompleteSignature", 403};
    case ErrorCode::kInvalidSignature: return {"SignatureDoesNotMatch", 403};
    case ErrorCode::kUnrecognizedClient: return {"InvalidClientTokenId", 403};
    default: return {"InternalFailure", 500, false};
  }
}

gateway::ServiceResponse Xml(int status, std::string body) {
  gateway::ServiceResponse r;
  r.status = status;
  r.content_type = "text/xml";
  r.body = std::move(body);
  return r;
}

}  // namespace

gateway::ServiceMatch StsService::match() const {
  return {.target_prefix = {}, .path_prefix = {}, .content_type = kFormContentType};
}

void StsService::Handle(const gateway::ServiceRequest& request, gateway::ServiceResponder respond) {
  Result<cloudwatch::QueryRequest> form = cloudwatch::DecodeQueryForm(request.http.body);
  if (!form.ok()) return respond(Error(request.http, form.status()));
  if (form->action != "GetCallerIdentity") {
    return respond(Error(request.http,
                         Status(ErrorCode::kUnknownOperation,
                                fmt::format("Could not find operation {} for version {}", form->action, kApiVersion))));
  }
  const std::string account = request.account.empty() ? default_account_ : std::string(request.account);
  respond(Xml(200, fmt::format("<GetCallerIdentityResponse xmlns=\"{}\"><GetCallerIdentityResult>"
                               "<Arn>arn:aws:iam::{}:root</Arn><UserId>{}</UserId><Account>{}</Account>"
                               "</GetCallerIdentityResult><ResponseMetadata><RequestId>{}</RequestId>"
                               "</ResponseMetadata></GetCallerIdentityResponse>",
                               kXmlNamespace, account, account, account, gateway::RequestId())));
}

gateway::ServiceResponse StsService::Error(const server::HttpRequest&, const Status& error) const {
  const ErrorName name = ErrorNameOf(error);
  gateway::ServiceResponse r =
      Xml(name.status, fmt::format("<ErrorResponse xmlns=\"{}\"><Error><Type>{}</Type><Code>{}</Code>"
                                   "<Message>{}</Message></Error><RequestId>{}</RequestId></ErrorResponse>",
                                   kXmlNamespace, name.sender ? "Sender" : "Receiver", name.code,
                                   cloudwatch::XmlEscape(error.message()), gateway::RequestId()));
  r.error_type = std::string(name.code);
  return r;
}

}  // namespace sluice::sts
