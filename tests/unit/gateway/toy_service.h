// A toy service for the gateway's tests: matched by a target or path
// prefix, it answers every call with an echo of its operation and body in
// the AWS JSON 1.0 protocol, and writes errors as DynamoDB does
// ({"__type":"com.amazonaws.dynamodb.v20120810#<name>","message":...}).
// WhoService answers every call with the namespace it runs as.
#pragma once

#include <string>
#include <vector>

#include "gateway/service.h"

namespace sluice::gateway::testing {

class ToyService final : public Service {
 public:
  ToyService(std::string name, ServiceMatch match) : name_(std::move(name)), match_(match) {}

  std::string_view name() const override { return name_; }
  ServiceMatch match() const override { return match_; }
  std::string_view signing_name() const override { return name_; }
  std::vector<std::string> operations() const override { return {"Echo"}; }

  void Handle(const ServiceRequest& request, ServiceResponder respond) override {
    if (!request.operation.empty() && request.operation != "Echo") {
      respond(Error(request.http, Status(ErrorCode::kUnknownOperation, "")));
      return;
    }
    if (request.resource) *request.resource = "table";
    ServiceResponse r;
    r.content_type = "application/x-amz-json-1.0";
    r.body = name_ + ":" + std::string(request.operation) + ":" + std::string(request.http.body) + ":" +
             std::string(request.region);
    respond(std::move(r));
  }

  // Its own error table: the code's name plus "Exception", always 400.
  ServiceResponse Error(const server::HttpRequest&, const Status& error) const override {
    const std::string type = std::string(ErrorCodeName(error.code())) + "Exception";
    ServiceResponse r;
    r.status = 400;
    r.content_type = "application/x-amz-json-1.0";
    r.error_type = type;
    r.body = R"({"__type":"com.amazonaws.dynamodb.v20120810#)" + type + R"(","message":")" + error.message() + R"("})";
    return r;
  }

 private:
  std::string name_;
  ServiceMatch match_;
};

// Answers every call "<account>/<region>", as the gateway passed them
// (empty: the defaults); errors as ToyService writes them.
class WhoService final : public Service {
 public:
  explicit WhoService(ServiceMatch match) : match_(match) {}

  std::string_view name() const override { return "who"; }
  ServiceMatch match() const override { return match_; }
  std::string_view signing_name() const override { return "who"; }
  std::vector<std::string> operations() const override { return {"Who"}; }

  void Handle(const ServiceRequest& request, ServiceResponder respond) override {
    ServiceResponse r;
    r.content_type = "application/x-amz-json-1.0";
    r.body = std::string(request.account) + "/" + std::string(request.region);
    respond(std::move(r));
  }
  ServiceResponse Error(const server::HttpRequest& request, const Status& error) const override {
    return ToyService("who", match_).Error(request, error);
  }

 private:
  ServiceMatch match_;
};

}  // namespace sluice::gateway::testing
