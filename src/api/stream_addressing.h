// Which stream a request names: StreamName and/or StreamARN, resolved in
// the caller's namespace (ApiOptions::default_account/default_region unless
// the ARN names another account or region).
#pragma once

#include <optional>
#include <string_view>

#include "api/dispatcher.h"
#include "engine/types.h"
#include "util/status.h"

namespace sluice::api {

// Errors (InvalidArgumentException):
//   both absent   "Stream arn and stream name can't be empty at the same time"
//   bad ARN       "Invalid StreamARN <arn>."
//   disagreement  "StreamARN <arn> and StreamName <name> refer to different streams."
// The inputs are assumed to have passed the model's pattern checks.
Result<engine::StreamRef> ResolveStream(const ApiOptions& options, std::optional<std::string_view> stream_name,
                                        std::optional<std::string_view> stream_arn);

// The namespace of a request that names no stream (ListStreams).
engine::StreamRef DefaultNamespace(const ApiOptions& options);

}  // namespace sluice::api
