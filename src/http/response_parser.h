// The one HTTP/1.1 response parser of Sluice's outbound calls (the client
// library, the load generator, and every HttpClient connection).
//
// Feed() it bytes as they arrive; it consumes up to the end of one response
// and stops, so bytes after a complete response stay with the caller. It
// understands the status line, Content-Length, `Transfer-Encoding: chunked`
// (trailers skipped), bodies delimited by connection close (complete after
// FeedEof()), and `Connection: close` / HTTP/1.0 for keep-alive. Headers are
// limited to kMaxHeadBytes. The body is copied into a buffer whose capacity
// is kept across Reset(), so a long run does not allocate per response; or,
// for a response that streams for as long as the connection lives (a
// SubscribeToShard event stream), handed piece by piece to a BodySink as it
// is parsed, and not kept.
// Not thread-safe; one parser per connection.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sluice::http {

class ResponseParser;

// Receives a response body as it is parsed, with any chunked (HTTP/1.1) or
// DATA-frame (HTTP/2) framing removed: each call is the next run of body
// bytes (never empty), valid only during the call, with the response's
// status, which is known before the first body byte.
class BodySink {
 public:
  virtual ~BodySink() = default;
  virtual void OnBody(int status, std::string_view bytes) = 0;
};

class ResponseParser {
 public:
  static constexpr size_t kMaxHeadBytes = 64 * 1024;

  // Consumes bytes of the current response from `data` and returns how many
  // were used (fewer than n only when the response completed or failed).
  size_t Feed(const char* data, size_t n);
  size_t Feed(std::string_view s) { return Feed(s.data(), s.size()); }
  // The peer closed the connection: completes a close-delimited body, and
  // fails a response that is still incomplete.
  void FeedEof();

  // Forgets the current response and any body sink; keeps buffer capacity.
  void Reset();

  // Sends the body of the current response to `sink` instead of body(),
  // which stays empty. Set before the first Feed of the response; the sink
  // must outlive it (or the next Reset). Null restores buffering.
  void set_body_sink(BodySink* sink) { sink_ = sink; }

  bool complete() const { return state_ == State::kComplete; }
  bool failed() const { return state_ == State::kError; }
  // True once any byte of a response has been consumed.
  bool started() const { return started_; }
  const std::string& error() const { return error_; }

  // Valid once complete(), and to a BodySink once the head is parsed.
  int status() const { return status_; }
  std::string_view body() const { return body_; }
  // False if the server asked to close the connection after this response.
  bool keep_alive() const { return keep_alive_; }
  // The header fields as sent (names in their case, values trimmed); views
  // into the parser, valid until the next Reset.
  std::vector<std::pair<std::string_view, std::string_view>> headers() const;
  // The first field named `name` (any case), or "" when none.
  std::string_view Header(std::string_view name) const;

 private:
  enum class State {
    kHead,
    kBody,
    kBodyUntilClose,
    kChunkSize,
    kChunkData,
    kChunkDataEnd,
    kTrailer,
    kComplete,
    kError
  };

  size_t Fail(std::string message, size_t consumed);
  // Parses head_ (status line and headers, ending in CRLF CRLF).
  bool ParseHead();
  // Reads one CRLF-terminated line into line_; true when the line is whole.
  bool TakeLine(const char* data, size_t n, size_t* used);
  // Appends body bytes to body_ or passes them to the sink.
  void AppendBody(const char* data, size_t n);

  State state_ = State::kHead;
  bool started_ = false;
  std::string head_;
  std::string line_;
  std::string body_;
  std::string error_;
  struct Field {
    size_t name_at, name_size, value_at, value_size;  // offsets into head_
  };
  std::vector<Field> fields_;
  BodySink* sink_ = nullptr;
  uint64_t remaining_ = 0;  // body or chunk bytes still to read
  int status_ = 0;
  bool keep_alive_ = true;
};

}  // namespace sluice::http
