// A toy service for the gateway's tests: matched by a target or path
// prefix, it answers every call with an echo of its operation and body in
// the AWS JSON 1.0 protocol, and writes errors as DynamoDB does
// ({"__type":"com.amazonaws.dynamodb.v20120810#<name>","message":...}).
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
      respond(Error(request.http, {"UnknownOperationException", "", 400}));
      return;
    }
    if (request.resource) *request.resource = "table";
    ServiceResponse r;
    r.content_type = "application/x-amz-json-1.0";
    r.body = name_ + ":" + std::string(request.operation) + ":" + std::string(request.http.body) + ":" +
             std::string(request.region);
    respond(std::move(r));
  }

  ServiceResponse Error(const server::HttpRequest&, const ErrorReply& error) const override {
    ServiceResponse r;
    r.status = error.http_status;
    r.content_type = "application/x-amz-json-1.0";
    r.error_type = std::string(error.type);
    r.body = R"({"__type":"com.amazonaws.dynamodb.v20120810#)" + std::string(error.type) + R"(","message":")" +
             std::string(error.message) + R"("})";
    return r;
  }

 private:
  std::string name_;
  ServiceMatch match_;
};

}  // namespace sluice::gateway::testing
