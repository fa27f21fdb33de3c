#include "api/stream_addressing.h"

#include <string>

#include "engine/engine.h"

namespace sluice::api {

engine::StreamRef DefaultNamespace(const ApiOptions& options) {
  return engine::StreamRef{options.default_account, options.default_region, ""};
}

Result<engine::StreamRef> ResolveStream(const ApiOptions& options, std::optional<std::string_view> stream_name,
                                        std::optional<std::string_view> stream_arn) {
  if (!stream_name && !stream_arn) {
    return Status::InvalidArgument("Stream arn and stream name can't be empty at the same time");
  }
  if (!stream_arn) {
    engine::StreamRef ref = DefaultNamespace(options);
    ref.name = std::string(*stream_name);
    return ref;
  }
  std::optional<engine::StreamRef> parsed = engine::ParseStreamArn(*stream_arn);
  if (!parsed) return Status::InvalidArgument("Invalid StreamARN " + std::string(*stream_arn) + ".");
  if (stream_name && *stream_name != parsed->name) {
    return Status::InvalidArgument("StreamARN " + std::string(*stream_arn) + " and StreamName " +
                                   std::string(*stream_name) + " refer to different streams.");
  }
  return *std::move(parsed);
}

}  // namespace sluice::api
