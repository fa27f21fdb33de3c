#include "server/http1_parser.h"

#include <algorithm>

#include <cstring>
#include <string_view>

namespace sluice::server {
namespace {

// RFC 9110 tchar.
inline bool IsTokenChar(unsigned char c) {
  if (c >= '0' && c <= '9') return true;
  if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') return true;
  return std::strchr("!#$%&'*+-.^_`|~", c) != nullptr && c != 0;
}

// Field values: visible characters, obs-text, space and tab.
inline bool IsValueChar(unsigned char c) { return c == '\t' || (c >= 0x20 && c != 0x7f); }

bool EqualsIgnoreCase(std::string_view a, std::string_view lower) {
  if (a.size() != lower.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char c = a[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c | 0x20);
    if (c != lower[i]) return false;
  }
  return true;
}

std::string_view TrimOws(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Calls `fn(token)` for each comma-separated, trimmed, non-empty token.
template <typename Fn>
void ForEachToken(std::string_view list, Fn fn) {
  while (!list.empty()) {
    size_t comma = list.find(',');
    std::string_view token = TrimOws(list.substr(0, comma));
    if (!token.empty()) fn(token);
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
}

size_t FindCrlf(const char* data, size_t from, size_t end) {
  for (size_t i = from; i + 1 < end; ++i) {
    const void* cr = std::memchr(data + i, '\r', end - 1 - i);
    if (cr == nullptr) return std::string_view::npos;
    i = static_cast<const char*>(cr) - data;
    if (data[i + 1] == '\n') return i;
  }
  return std::string_view::npos;
}

// Whether a '\n' in [from, end) lacks the '\r' before it (the byte before
// `from`, when there is one, belongs to the same buffer).
bool HasBareLf(const char* data, size_t from, size_t end) {
  for (size_t i = from; i < end; ++i) {
    const void* lf = std::memchr(data + i, '\n', end - i);
    if (lf == nullptr) return false;
    i = static_cast<const char*>(lf) - data;
    if (i == 0 || data[i - 1] != '\r') return true;
  }
  return false;
}

}  // namespace

void Http1Parser::Reset() {
  state_ = State::kHeaders;
  start_ = scanned_ = body_start_ = pos_ = 0;
  chunk_left_ = 0;
  trailer_bytes_ = 0;
  started_ = false;
  header_spans_.clear();
  http_minor_ = 1;
  keep_alive_ = true;
  expect_continue_ = chunked_ = false;
  content_length_ = 0;
  consumed_ = 0;
  error_status_ = 0;
  chunked_body_.clear();
  request_.headers.clear();
  request_.body = {};
  request_.method = request_.target = {};
}

Http1ParseResult Http1Parser::Fail(int status) {
  state_ = State::kError;
  error_status_ = status;
  return Http1ParseResult::kError;
}

Http1ParseResult Http1Parser::Parse(char* data, size_t size) {
  switch (state_) {
    case State::kHeaders: {
      // Tolerate empty lines before a request line (RFC 9112 §2.2).
      while (start_ + 1 < size && data[start_] == '\r' && data[start_ + 1] == '\n') {
        start_ += 2;
        if (start_ > limits_.max_header_bytes) return Fail(431);
      }
      if (size > start_) started_ = true;
      size_t from = scanned_ > start_ + 3 ? scanned_ - 3 : start_;
      std::string_view all(data, size);
      size_t end = all.find("\r\n\r\n", from);
      // A line ended by a bare LF would never complete the section: refuse
      // it now rather than wait for the header timeout.
      // Only within the bytes a section may hold: past them the answer is
      // 431, however much arrived at once.
      size_t section_end =
          std::min(end == std::string_view::npos ? size : end + 4, start_ + limits_.max_header_bytes + 1);
      if (HasBareLf(data, scanned_ > start_ ? scanned_ : start_, section_end)) return Fail(400);
      if (end == std::string_view::npos) {
        scanned_ = size;
        if (size - start_ > limits_.max_header_bytes) return Fail(431);
        return Http1ParseResult::kNeedMore;
      }
      if (end + 4 - start_ > limits_.max_header_bytes) return Fail(431);
      return ParseHeaderSection(data, end);
    }
    case State::kBody: {
      if (size - body_start_ < content_length_) return Http1ParseResult::kNeedMore;
      consumed_ = body_start_ + content_length_;
      state_ = State::kDone;
      BuildViews(data);
      request_.body = std::string_view(data + body_start_, content_length_);
      return Http1ParseResult::kComplete;
    }
    case State::kChunkSize:
    case State::kChunkData:
    case State::kChunkDataEnd:
    case State::kTrailers: return ParseChunked(data, size);
    case State::kDone: return Http1ParseResult::kComplete;
    case State::kError: return Http1ParseResult::kError;
  }
  return Fail(400);
}

Http1ParseResult Http1Parser::ParseHeaderSection(char* data, size_t end) {
  size_t line_end = FindCrlf(data, start_, end + 2);
  if (!ParseRequestLine(data, start_, line_end)) return error_status_ ? Fail(error_status_) : Fail(400);
  size_t pos = line_end + 2;
  while (pos < end + 2) {
    size_t eol = FindCrlf(data, pos, end + 2);
    if (header_spans_.size() >= limits_.max_headers) return Fail(431);
    if (!ParseHeaderLine(data, pos, eol)) return Fail(400);
    pos = eol + 2;
  }
  if (!InterpretHeaders(data)) return Fail(error_status_ ? error_status_ : 400);
  body_start_ = end + 4;
  BuildViews(data);
  if (chunked_) {
    state_ = State::kChunkSize;
    pos_ = body_start_;
  } else {
    if (content_length_ > limits_.max_body_bytes) return Fail(413);
    state_ = State::kBody;
  }
  return Http1ParseResult::kHeadersDone;
}

bool Http1Parser::ParseRequestLine(const char* data, size_t begin, size_t end) {
  size_t i = begin;
  while (i < end && IsTokenChar(static_cast<unsigned char>(data[i]))) ++i;
  if (i == begin || i >= end || data[i] != ' ') return false;
  method_ = {static_cast<uint32_t>(begin), static_cast<uint32_t>(i - begin)};
  size_t target_begin = ++i;
  while (i<end&& static_cast<unsigned char>(data[i])> 0x20 && data[i] != 0x7f) ++i;
  if (i == target_begin || i >= end || data[i] != ' ') return false;
  target_ = {static_cast<uint32_t>(target_begin), static_cast<uint32_t>(i - target_begin)};
  std::string_view version(data + i + 1, end - i - 1);
  if (version.size() != 8 || version.substr(0, 5) != "HTTP/" || version[6] != '.' || version[5] < '0' ||
      version[5] > '9' || version[7] < '0' || version[7] > '9') {
    return false;
  }
  if (version[5] != '1' || version[7] > '1') {
    error_status_ = 505;
    return false;
  }
  http_minor_ = version[7] - '0';
  return true;
}

bool Http1Parser::ParseHeaderLine(char* data, size_t begin, size_t end) {
  size_t i = begin;
  while (i < end && IsTokenChar(static_cast<unsigned char>(data[i]))) {
    if (data[i] >= 'A' && data[i] <= 'Z') data[i] = static_cast<char>(data[i] | 0x20);
    ++i;
  }
  // Rejects empty names, whitespace before the colon and obs-fold lines.
  if (i == begin || i >= end || data[i] != ':') return false;
  Span name{static_cast<uint32_t>(begin), static_cast<uint32_t>(i - begin)};
  size_t v = i + 1;
  for (size_t j = v; j < end; ++j) {
    if (!IsValueChar(static_cast<unsigned char>(data[j]))) return false;
  }
  while (v < end && (data[v] == ' ' || data[v] == '\t')) ++v;
  size_t ve = end;
  while (ve > v && (data[ve - 1] == ' ' || data[ve - 1] == '\t')) --ve;
  header_spans_.push_back({name, {static_cast<uint32_t>(v), static_cast<uint32_t>(ve - v)}});
  return true;
}

bool Http1Parser::InterpretHeaders(const char* data) {
  bool have_length = false;
  bool have_transfer_encoding = false;
  bool connection_close = false;
  bool connection_keep_alive = false;
  for (const auto& h : header_spans_) {
    std::string_view name(data + h.name.offset, h.name.length);
    std::string_view value(data + h.value.offset, h.value.length);
    if (name == "content-length") {
      if (value.empty() || value.size() > 18) return false;
      uint64_t n = 0;
      for (char c : value) {
        if (c < '0' || c > '9') return false;
        n = n * 10 + static_cast<uint64_t>(c - '0');
      }
      if (have_length && n != content_length_) return false;
      have_length = true;
      content_length_ = n;
    } else if (name == "transfer-encoding") {
      // Only a lone "chunked" is supported; anything else is refused.
      if (have_transfer_encoding) return false;
      have_transfer_encoding = true;
      if (!EqualsIgnoreCase(value, "chunked")) {
        error_status_ = 501;
        return false;
      }
      chunked_ = true;
    } else if (name == "connection") {
      ForEachToken(value, [&](std::string_view token) {
        if (EqualsIgnoreCase(token, "close")) connection_close = true;
        if (EqualsIgnoreCase(token, "keep-alive")) connection_keep_alive = true;
      });
    } else if (name == "expect") {
      if (EqualsIgnoreCase(value, "100-continue")) expect_continue_ = http_minor_ >= 1;
    }
  }
  // Both framings at once is a request-smuggling vector: refuse it.
  if (have_length && chunked_) return false;
  keep_alive_ = http_minor_ >= 1 ? !connection_close : (connection_keep_alive && !connection_close);
  return true;
}

Http1ParseResult Http1Parser::ParseChunked(char* data, size_t size) {
  constexpr size_t kMaxChunkLine = 4096;
  while (true) {
    switch (state_) {
      case State::kChunkSize: {
        // The raw encoding stays buffered until the request completes, so
        // bound it too: tiny chunks must not multiply the memory held.
        if (pos_ - body_start_ > 2 * limits_.max_body_bytes + kMaxChunkLine) return Fail(413);
        size_t eol = FindCrlf(data, pos_, size);
        if (eol == std::string_view::npos) {
          if (size - pos_ > kMaxChunkLine) return Fail(400);
          return Http1ParseResult::kNeedMore;
        }
        if (eol - pos_ > kMaxChunkLine) return Fail(400);
        uint64_t n = 0;
        size_t i = pos_;
        for (; i < eol; ++i) {
          char c = data[i];
          int digit;
          if (c >= '0' && c <= '9')
            digit = c - '0';
          else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
            digit = (c | 0x20) - 'a' + 10;
          else
            break;
          if (i - pos_ >= 15) return Fail(400);
          n = n * 16 + static_cast<uint64_t>(digit);
        }
        if (i == pos_) return Fail(400);
        while (i < eol && (data[i] == ' ' || data[i] == '\t')) ++i;
        if (i < eol && data[i] != ';') return Fail(400);
        pos_ = eol + 2;
        if (n == 0) {
          state_ = State::kTrailers;
          break;
        }
        if (chunked_body_.size() + n > limits_.max_body_bytes) return Fail(413);
        chunk_left_ = n;
        state_ = State::kChunkData;
        break;
      }
      case State::kChunkData: {
        size_t available = size - pos_;
        if (available == 0) return Http1ParseResult::kNeedMore;
        size_t take = available < chunk_left_ ? available : static_cast<size_t>(chunk_left_);
        chunked_body_.append(data + pos_, take);
        pos_ += take;
        chunk_left_ -= take;
        if (chunk_left_ == 0) state_ = State::kChunkDataEnd;
        break;
      }
      case State::kChunkDataEnd: {
        if (size - pos_ < 2) return Http1ParseResult::kNeedMore;
        if (data[pos_] != '\r' || data[pos_ + 1] != '\n') return Fail(400);
        pos_ += 2;
        state_ = State::kChunkSize;
        break;
      }
      case State::kTrailers: {
        size_t eol = FindCrlf(data, pos_, size);
        if (eol == std::string_view::npos) {
          if (trailer_bytes_ + (size - pos_) > limits_.max_header_bytes) return Fail(431);
          return Http1ParseResult::kNeedMore;
        }
        trailer_bytes_ += eol + 2 - pos_;
        if (trailer_bytes_ > limits_.max_header_bytes) return Fail(431);
        bool last = eol == pos_;
        pos_ = eol + 2;  // trailer fields are read and ignored
        if (last) {
          consumed_ = pos_;
          state_ = State::kDone;
          BuildViews(data);
          request_.body = chunked_body_;
          return Http1ParseResult::kComplete;
        }
        break;
      }
      default: return Fail(400);
    }
  }
}

void Http1Parser::BuildViews(const char* data) {
  request_.method = std::string_view(data + method_.offset, method_.length);
  request_.target = std::string_view(data + target_.offset, target_.length);
  request_.http_major = 1;
  request_.headers.clear();
  for (const auto& h : header_spans_) {
    request_.headers.push_back({std::string_view(data + h.name.offset, h.name.length),
                                std::string_view(data + h.value.offset, h.value.length)});
  }
  request_.body = {};
}

}  // namespace sluice::server
