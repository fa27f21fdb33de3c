// Http1Parser: an incremental HTTP/1.1 request parser. Pure: bytes in, one
// request out at a time; no I/O, no timers.
//
// Usage: keep the bytes of the current request in a buffer that starts at the
// request's first byte, and call Parse() with the whole buffer each time more
// bytes arrive (the buffer may have moved; the start must be the same byte).
// Parse() reports kHeadersDone exactly once per request, when the header
// section is complete (so the caller can answer `Expect: 100-continue` or
// reject early), then kComplete when the body is in. After kComplete the
// request spans `consumed()` bytes; drop them and call Reset() for the next.
//
// Views in request() point into the caller's buffer (names lower-cased in
// place), or, for chunked bodies, into the parser's own decoded body. They
// are valid until the buffer moves or the next Parse()/Reset().
//
// Errors (kError, error_status()): 400 bad syntax, 431 header section (or
// chunked trailers) above max_header_bytes, 413 body above max_body_bytes
// (known from Content-Length before any body byte is read; for chunked
// bodies, also when the encoding itself passes twice the limit), 505 an HTTP
// version other than 1.0/1.1, 501 a transfer coding other than chunked.
// After an error the connection must be closed.
//
// Threading: none; one parser per connection.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "server/http_types.h"

namespace sluice::server {

struct Http1Limits {
  uint32_t max_header_bytes = 64u << 10;
  uint64_t max_body_bytes = 16ull << 20;
  uint32_t max_headers = 128;
};

enum class Http1ParseResult { kNeedMore, kHeadersDone, kComplete, kError };

class Http1Parser {
 public:
  explicit Http1Parser(Http1Limits limits) : limits_(limits) {}

  Http1ParseResult Parse(char* data, size_t size);
  // Forgets the current request; the next Parse() starts a new one.
  void Reset();

  // Valid after kHeadersDone (body empty) and kComplete.
  const HttpRequest& request() const { return request_; }
  int http_minor() const { return http_minor_; }
  // Whether the connection may stay open after this request.
  bool keep_alive() const { return keep_alive_; }
  bool expect_continue() const { return expect_continue_; }
  bool chunked() const { return chunked_; }
  uint64_t content_length() const { return content_length_; }
  // True once some byte of a request has been seen (a partial request).
  bool started() const { return started_; }
  // After kComplete: the request's length in the buffer.
  size_t consumed() const { return consumed_; }
  // After kError: the status to answer with.
  int error_status() const { return error_status_; }

 private:
  enum class State { kHeaders, kBody, kChunkSize, kChunkData, kChunkDataEnd, kTrailers, kDone, kError };
  struct Span {
    uint32_t offset;
    uint32_t length;
  };
  struct HeaderSpan {
    Span name;
    Span value;
  };

  Http1ParseResult Fail(int status);
  Http1ParseResult ParseHeaderSection(char* data, size_t end);
  bool ParseRequestLine(const char* line, size_t begin, size_t end);
  bool ParseHeaderLine(char* data, size_t begin, size_t end);
  bool InterpretHeaders(const char* data);
  Http1ParseResult ParseChunked(char* data, size_t size);
  void BuildViews(const char* data);

  Http1Limits limits_;
  State state_ = State::kHeaders;
  size_t start_ = 0;    // first byte of the request line (after skipped CRLFs)
  size_t scanned_ = 0;  // header terminator search resumes here
  size_t body_start_ = 0;
  size_t pos_ = 0;  // chunked decoding position
  uint64_t chunk_left_ = 0;
  size_t trailer_bytes_ = 0;
  bool started_ = false;

  Span method_{}, target_{};
  std::vector<HeaderSpan> header_spans_;
  int http_minor_ = 1;
  bool keep_alive_ = true;
  bool expect_continue_ = false;
  bool chunked_ = false;
  uint64_t content_length_ = 0;
  size_t consumed_ = 0;
  int error_status_ = 0;
  std::string chunked_body_;
  HttpRequest request_;
};

}  // namespace sluice::server
