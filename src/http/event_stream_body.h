// The body of a SubscribeToShard response, read while it streams.
//
// A SubscribeToShard answer is `HTTP/1.1 200` with `Transfer-Encoding:
// chunked` and an AWS event stream as its body (protocol/event_stream.h):
// an `initial-response` event, then `SubscribeToShardEvent`s for as long as
// the subscription lasts, possibly one exception event, and the final
// zero-length chunk. Chunk boundaries and message boundaries are unrelated:
// a chunk may hold several messages or part of one.
//
// EventStreamBody is the BodySink of such a response: the ResponseParser (or
// an HTTP/2 connection) removes the framing and hands it the body in pieces
// as they arrive; it decodes messages incrementally (protocol's
// EventStreamDecoder, the one decoder) and passes each one to its listener
// as soon as its last byte is in. An
// answer other than 200 is an ordinary JSON error: its body is kept (up to
// kMaxErrorBodyBytes) instead of decoded.
//
// Lifecycle: one EventStreamBody per subscription attempt; Reset() before
// reusing it for another response. Threading: one thread, the one feeding the
// parser.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "http/response_parser.h"
#include "protocol/event_stream.h"

namespace sluice::http {

// What one event-stream message of a SubscribeToShard response is.
enum class SubscribeMessageKind {
  kInitialResponse,  // :message-type event, :event-type initial-response
  kRecords,          // :message-type event, :event-type SubscribeToShardEvent
  kException,        // :message-type exception (or error); the stream ends after it
  kOther,            // any other event type
};
SubscribeMessageKind KindOf(const protocol::EventStreamMessage& message);

// "<:exception-type>: <payload>" (or :error-code / :error-message) of an
// exception message, for reports.
std::string DescribeException(const protocol::EventStreamMessage& message);

class EventStreamBody final : public BodySink {
 public:
  static constexpr size_t kMaxErrorBodyBytes = 4096;

  // Called for each decoded message, in order, from within OnBody.
  using Listener = std::function<void(const protocol::EventStreamMessage& message)>;

  explicit EventStreamBody(Listener listener) : listener_(std::move(listener)) {}

  void OnBody(int status, std::string_view bytes) override;

  // Forgets the current response (decoder state, error body, counts).
  void Reset();

  // Event-stream framing failed (bad CRC, bad length); nothing more is
  // decoded from this response.
  bool failed() const { return decoder_.failed(); }
  const Status& decode_status() const { return decoder_.status(); }
  // No partial message buffered: a stream that ends here ended cleanly.
  bool at_message_boundary() const { return decoder_.AtMessageBoundary(); }
  uint64_t messages() const { return messages_; }
  // The start of the body of a non-200 answer.
  const std::string& error_body() const { return error_body_; }

 private:
  Listener listener_;
  protocol::EventStreamDecoder decoder_;
  std::vector<protocol::EventStreamMessage> decoded_;
  std::string error_body_;
  uint64_t messages_ = 0;
};

}  // namespace sluice::http
