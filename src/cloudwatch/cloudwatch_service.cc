#include "cloudwatch/cloudwatch_service.h"

#include <fmt/format.h>

#include "cloudwatch/errors.h"
#include "cloudwatch/operations.h"
#include "cloudwatch/wire.h"
#include "util/clock.h"

namespace sluice::cloudwatch {

gateway::ServiceMatch CloudWatchService::match() const {
  return {.target_prefix = kTargetPrefix, .path_prefix = kPathPrefix, .content_type = kFormContentType};
}

std::vector<std::string> CloudWatchService::operations() const { return OperationNames(); }

void CloudWatchService::Handle(const gateway::ServiceRequest& request, gateway::ServiceResponder respond) {
  DecodedCall call;
  const Status decoded = DecodeCall(request, &call);
  const Operation op = FindOperation(call.operation);
  if (op == nullptr) {
    return respond(EncodeError(
        call.wire, Status(ErrorCode::kUnknownOperation,
                          fmt::format("Could not find operation {} for version {}", call.operation, kApiVersion))));
  }
  if (!decoded.ok()) return respond(EncodeError(call.wire, decoded));
  OperationContext context{request.account.empty() ? default_account_ : std::string(request.account),
                           request.region.empty() ? default_region_ : std::string(request.region), store_,
                           SystemClock::Instance().NowMillis()};
  if (request.resource != nullptr) {
    if (const Value* ns = call.input.Find("Namespace"); ns != nullptr && ns->AsString())
      *request.resource = *ns->AsString();
  }
  Result<Value> output = op(call.input, context);
  if (!output.ok()) return respond(EncodeError(call.wire, output.status()));
  respond(EncodeOutput(call.wire, call.operation, *output));
}

gateway::ServiceResponse CloudWatchService::Error(const server::HttpRequest& request, const Status& error) const {
  return EncodeError(WireOf(request), error);
}

}  // namespace sluice::cloudwatch
