// CloudWatchService: the CloudWatch metrics API (what the KCL and the KPL
// publish their metrics with) as one of the gateway's services, so that an
// application pointing its CloudWatch client at Sluice's endpoint works
// against Sluice alone. Matched by the RPC v2 CBOR path prefix
// "/service/GraniteServiceVersion20100801/", the JSON 1.0 target prefix
// "GraniteServiceVersion20100801." and the query protocol's form content
// type (wire.h); signed as "monitoring". Serves PutMetricData, ListMetrics
// and GetMetricStatistics over a MetricStore (memory only); any other
// operation answers UnknownOperationException (InvalidAction in the query
// protocol). Thread-safe.
#pragma once

#include <string>
#include <vector>

#include "cloudwatch/metric_store.h"
#include "gateway/service.h"

namespace sluice::cloudwatch {

class CloudWatchService final : public gateway::Service {
 public:
  // `store` must outlive the service. Calls that name no account or region
  // run in `default_account` and `default_region`.
  CloudWatchService(MetricStore& store, std::string default_account, std::string default_region)
      : store_(store), default_account_(std::move(default_account)), default_region_(std::move(default_region)) {}

  std::string_view name() const override { return "cloudwatch"; }
  gateway::ServiceMatch match() const override;
  std::string_view signing_name() const override { return "monitoring"; }
  std::vector<std::string> operations() const override;

  void Handle(const gateway::ServiceRequest& request, gateway::ServiceResponder respond) override;
  gateway::ServiceResponse Error(const server::HttpRequest& request, const Status& error) const override;

 private:
  MetricStore& store_;
  std::string default_account_;
  std::string default_region_;
};

}  // namespace sluice::cloudwatch
