#include "api/consumers.h"

#include <string>

#include "api/model_rules.h"
#include "api/stream_addressing.h"
#include "engine/consumer_arn.h"
#include "engine/engine.h"

namespace sluice::api {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || IsDigit(c) || c == '_' || c == '.' || c == '-';
}

}  // namespace

bool MatchesConsumerArnPattern(std::string_view s) {
  // The tail is fixed by the end of the value, because names hold no '/' or
  // ':': stream/<name>/consumer/<name>:<digits>. Walk it backwards.
  size_t i = s.size();
  size_t digits = 0;
  while (i > 0 && IsDigit(s[i - 1])) --i, ++digits;
  if (digits == 0 || i == 0 || s[i - 1] != ':') return false;
  --i;
  size_t name = 0;
  while (i > 0 && IsNameChar(s[i - 1])) --i, ++name;
  constexpr std::string_view kConsumer = "/consumer/";
  if (name == 0 || i < kConsumer.size() || s.substr(i - kConsumer.size(), kConsumer.size()) != kConsumer) {
    return false;
  }
  i -= kConsumer.size();
  name = 0;
  while (i > 0 && IsNameChar(s[i - 1])) --i, ++name;
  constexpr std::string_view kStream = "stream/";
  if (name == 0 || i < kStream.size() || s.substr(i - kStream.size(), kStream.size()) != kStream) return false;
  // The head, arn:aws.*:kinesis:.*:\d{12}:.* , before "stream/"; `.` excludes
  // line terminators.
  const std::string_view head = s.substr(0, i - kStream.size());
  if (head.find_first_of("\r\n") != std::string_view::npos) return false;
  constexpr std::string_view kPrefix = "arn:aws";
  constexpr std::string_view kKinesis = ":kinesis:";
  if (head.substr(0, kPrefix.size()) != kPrefix) return false;
  const size_t kinesis = head.find(kKinesis, kPrefix.size());
  if (kinesis == std::string_view::npos) return false;
  for (size_t j = kinesis + kKinesis.size(); j + 13 < head.size(); ++j) {
    if (head[j] != ':' || head[j + 13] != ':') continue;
    bool all_digits = true;
    for (size_t k = j + 1; k < j + 13; ++k) all_digits = all_digits && IsDigit(head[k]);
    if (all_digits) return true;
  }
  return false;
}

void CheckConsumerName(protocol::ValidationErrors& errors, std::optional<std::string_view> value, bool required) {
  errors.CheckString("consumerName", value, required, kNamePattern, &MatchesNamePattern, 1, 128);
}

void CheckConsumerArn(protocol::ValidationErrors& errors, std::optional<std::string_view> value) {
  errors.CheckString("consumerARN", value, /*required=*/false, kConsumerArnPattern, &MatchesConsumerArnPattern, 1,
                     2048);
}

Result<engine::ConsumerLookup> ResolveConsumer(const ApiOptions& options, std::optional<std::string_view> stream_arn,
                                               std::optional<std::string_view> consumer_name,
                                               std::optional<std::string_view> consumer_arn) {
  if (!consumer_arn && !(stream_arn && consumer_name)) {
    return Status::InvalidArgument("ConsumerArn or both ConsumerName and StreamARN are required for this request.");
  }
  std::optional<engine::StreamRef> stream;
  if (stream_arn) {
    Result<engine::StreamRef> ref = ResolveStream(options, std::nullopt, stream_arn);
    if (!ref.ok()) return ref.status();
    stream = *std::move(ref);
  }
  if (!consumer_arn) return engine::ConsumerLookup{*std::move(stream), std::string(*consumer_name), std::nullopt};

  std::optional<engine::ParsedConsumerArn> parsed = engine::ParseConsumerArn(*consumer_arn);
  if (!parsed) return Status::NotFound("Consumer " + std::string(*consumer_arn) + " not found.");
  if (stream && (stream->account != parsed->stream.account || stream->region != parsed->stream.region ||
                 stream->name != parsed->stream.name)) {
    return Status::InvalidArgument("StreamARN " + std::string(*stream_arn) + " and ConsumerARN " +
                                   std::string(*consumer_arn) + " refer to different streams.");
  }
  if (consumer_name && *consumer_name != parsed->name) {
    return Status::InvalidArgument("ConsumerName " + std::string(*consumer_name) + " and ConsumerARN " +
                                   std::string(*consumer_arn) + " refer to different consumers.");
  }
  return engine::ConsumerLookup{std::move(parsed->stream), std::move(parsed->name), parsed->creation_seconds};
}

namespace {

void WriteConsumerMembers(protocol::JsonWriter& w, const engine::ConsumerDescription& c) {
  w.Member("ConsumerName", c.name);
  w.Member("ConsumerARN", c.arn);
  w.Member("ConsumerStatus", engine::ConsumerStatusName(c.status));
  w.Key("ConsumerCreationTimestamp");
  w.TimestampMillis(c.creation_ms);
}

}  // namespace

void WriteConsumer(protocol::JsonWriter& w, const engine::ConsumerDescription& c) {
  w.BeginObject();
  WriteConsumerMembers(w, c);
  w.EndObject();
}

void WriteConsumerDescription(protocol::JsonWriter& w, const engine::ConsumerDescription& c) {
  w.BeginObject();
  WriteConsumerMembers(w, c);
  w.Member("StreamARN", c.stream_arn);
  w.EndObject();
}

Result<engine::ConsumerLookup> DecodeConsumerLookup(const ApiOptions& options, const protocol::JsonObject& body) {
  std::optional<std::string_view> stream_arn, name, consumer_arn;
  SLUICE_RETURN_IF_ERROR(body.GetString("StreamARN", &stream_arn));
  SLUICE_RETURN_IF_ERROR(body.GetString("ConsumerName", &name));
  SLUICE_RETURN_IF_ERROR(body.GetString("ConsumerARN", &consumer_arn));
  protocol::ValidationErrors errors;
  CheckStreamArn(errors, stream_arn);
  CheckConsumerName(errors, name);
  CheckConsumerArn(errors, consumer_arn);
  SLUICE_RETURN_IF_ERROR(errors.ToStatus());
  return ResolveConsumer(options, stream_arn, name, consumer_arn);
}

}  // namespace sluice::api
