// StreamArn / ParseStreamArn (declared in engine/engine.h).
#include <string>

#include "engine/engine.h"

namespace sluice::engine {

std::string StreamArn(const StreamRef& stream) {
  std::string arn = "arn:aws:kinesis:";
  arn += stream.region;
  arn += ':';
  arn += stream.account;
  arn += ":stream/";
  arn += stream.name;
  return arn;
}

std::optional<StreamRef> ParseStreamArn(std::string_view arn) {
  // arn:<partition aws*>:kinesis:<region>:<account>:stream/<name>
  std::string_view parts[5];
  std::string_view rest = arn;
  for (auto& part : parts) {
    size_t colon = rest.find(':');
    if (colon == std::string_view::npos) return std::nullopt;
    part = rest.substr(0, colon);
    rest.remove_prefix(colon + 1);
  }
  if (parts[0] != "arn" || parts[1].substr(0, 3) != "aws" || parts[2] != "kinesis") {
    return std::nullopt;
  }
  constexpr std::string_view kStream = "stream/";
  if (parts[3].empty() || parts[4].empty() || rest.substr(0, kStream.size()) != kStream) {
    return std::nullopt;
  }
  std::string_view name = rest.substr(kStream.size());
  if (name.empty()) return std::nullopt;
  for (char c : name) {
    // A '/' would make it a consumer ARN (stream/<name>/consumer/...).
    if (c == '/' || c == ':' || c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      return std::nullopt;
    }
  }
  return StreamRef{std::string(parts[4]), std::string(parts[3]), std::string(name)};
}

}  // namespace sluice::engine
