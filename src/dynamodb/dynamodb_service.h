// DynamoDbService: the DynamoDB API (the calls the KCL's lease tables make,
// and any application's) as one of the gateway's services. Matched by the
// X-Amz-Target prefix "DynamoDB_20120810.", signed as "dynamodb", JSON 1.0
// bodies; tables per account and region in a TableStore. Operations not
// served answer UnknownOperationException. Thread-safe.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "dynamodb/table_store.h"
#include "gateway/service.h"

namespace sluice::dynamodb {

class DynamoDbService final : public gateway::Service {
 public:
  // `store` must outlive the service. Calls that name no account or region
  // run in `default_account` and `default_region`.
  DynamoDbService(TableStore& store, std::string default_account, std::string default_region)
      : store_(store), default_account_(std::move(default_account)), default_region_(std::move(default_region)) {}

  std::string_view name() const override { return "dynamodb"; }
  gateway::ServiceMatch match() const override { return {.target_prefix = "DynamoDB_20120810.", .path_prefix = {}}; }
  std::string_view signing_name() const override { return "dynamodb"; }
  std::vector<std::string> operations() const override;

  void Handle(const gateway::ServiceRequest& request, gateway::ServiceResponder respond) override;
  gateway::ServiceResponse Error(const server::HttpRequest& request, const Status& error) const override;

 private:
  TableStore& store_;
  std::string default_account_;
  std::string default_region_;
};

}  // namespace sluice::dynamodb
