#include "engine/consumer_arn.h"

#include "engine/engine.h"

namespace sluice::engine {
namespace {

constexpr std::string_view kConsumerInfix = "/consumer/";

bool IsNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
}

}  // namespace

std::string ConsumerArn(const StreamRef& stream, std::string_view name, int64_t creation_ms) {
  std::string arn = StreamArn(stream);
  arn += kConsumerInfix;
  arn += name;
  arn += ':';
  arn += std::to_string(creation_ms / 1000);
  return arn;
}

std::optional<ParsedConsumerArn> ParseConsumerArn(std::string_view arn) {
  // A stream name has no '/', so the consumer part starts at the first '/'
  // after ":stream/".
  constexpr std::string_view kStream = ":stream/";
  const size_t stream = arn.find(kStream);
  if (stream == std::string_view::npos) return std::nullopt;
  const size_t infix = arn.find('/', stream + kStream.size());
  if (infix == std::string_view::npos || arn.substr(infix, kConsumerInfix.size()) != kConsumerInfix) {
    return std::nullopt;
  }
  std::optional<StreamRef> ref = ParseStreamArn(arn.substr(0, infix));
  if (!ref) return std::nullopt;

  std::string_view rest = arn.substr(infix + kConsumerInfix.size());
  const size_t colon = rest.rfind(':');
  if (colon == std::string_view::npos) return std::nullopt;
  std::string_view name = rest.substr(0, colon);
  std::string_view seconds = rest.substr(colon + 1);
  if (name.empty() || name.size() > 128 || seconds.empty() || seconds.size() > 18) return std::nullopt;
  for (char c : name) {
    if (!IsNameChar(c)) return std::nullopt;
  }
  int64_t value = 0;
  for (char c : seconds) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  return ParsedConsumerArn{*std::move(ref), std::string(name), value};
}

}  // namespace sluice::engine
