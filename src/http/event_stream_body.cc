#include "http/event_stream_body.h"

#include <algorithm>

namespace sluice::http {
namespace {

std::string_view StringHeader(const protocol::EventStreamMessage& m, std::string_view name) {
  const protocol::EventStreamHeaderValue* v = m.Find(name);
  if (v == nullptr || v->type != protocol::EventStreamHeaderType::kString) return {};
  return v->bytes;
}

}  // namespace

SubscribeMessageKind KindOf(const protocol::EventStreamMessage& message) {
  const std::string_view type = StringHeader(message, ":message-type");
  if (type == "exception" || type == "error") return SubscribeMessageKind::kException;
  const std::string_view event = StringHeader(message, ":event-type");
  if (event == "SubscribeToShardEvent") return SubscribeMessageKind::kRecords;
  if (event == "initial-response") return SubscribeMessageKind::kInitialResponse;
  return SubscribeMessageKind::kOther;
}

std::string DescribeException(const protocol::EventStreamMessage& message) {
  std::string_view type = StringHeader(message, ":exception-type");
  if (type.empty()) type = StringHeader(message, ":error-code");
  std::string out(type.empty() ? std::string_view("exception") : type);
  std::string_view detail = message.payload;
  if (detail.empty()) detail = StringHeader(message, ":error-message");
  if (!detail.empty()) out.append(": ").append(detail.substr(0, 300));
  return out;
}

void EventStreamBody::OnBody(int status, std::string_view bytes) {
  if (status != 200) {
    const size_t room = kMaxErrorBodyBytes - std::min(kMaxErrorBodyBytes, error_body_.size());
    error_body_.append(bytes.substr(0, room));
    return;
  }
  if (decoder_.failed()) return;
  decoded_.clear();
  // On a framing error the messages before the bad one are still delivered.
  (void)decoder_.Feed(bytes, &decoded_);
  for (const auto& m : decoded_) {
    ++messages_;
    listener_(m);
  }
}

void EventStreamBody::Reset() {
  decoder_ = protocol::EventStreamDecoder();
  decoded_.clear();
  error_body_.clear();
  messages_ = 0;
}

}  // namespace sluice::http
