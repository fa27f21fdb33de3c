// KinesisService: the Kinesis Data Streams API as one of the gateway's
// services. Matched by the X-Amz-Target prefix "Kinesis_20131202.", signed
// as "kinesis"; its codecs (JSON 1.1, CBOR 1.1), operation table and error
// shapes are the Dispatcher's (dispatcher.h, operation_table.h,
// wire_errors.h). Thread-safe.
#pragma once

#include <string>
#include <vector>

#include "api/dispatcher.h"
#include "gateway/service.h"

namespace sluice::api {

class KinesisService final : public gateway::Service {
 public:
  KinesisService(engine::Engine& engine, ApiOptions options) : dispatcher_(engine, std::move(options)) {}

  std::string_view name() const override { return "kinesis"; }
  gateway::ServiceMatch match() const override;
  std::string_view signing_name() const override { return "kinesis"; }
  std::vector<std::string> operations() const override;

  void Handle(const gateway::ServiceRequest& request, gateway::ServiceResponder respond) override;
  gateway::ServiceResponse Error(const server::HttpRequest& request, const Status& error) const override;

 private:
  Dispatcher dispatcher_;
};

}  // namespace sluice::api
