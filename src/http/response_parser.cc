#include "http/response_parser.h"

#include <algorithm>
#include <cstring>

#include "util/ascii.h"

namespace sluice::http {
namespace {

constexpr size_t kHeadStep = 4096;

bool ContainsTokenIgnoreCase(std::string_view value, std::string_view token) {
  // Comma-separated list of tokens (e.g. "gzip, chunked").
  while (!value.empty()) {
    size_t comma = value.find(',');
    std::string_view item = value.substr(0, comma);
    while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
    while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
    if (EqualsIgnoreCase(item, token)) return true;
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
  return false;
}

bool ParseDecimal(std::string_view s, uint64_t* out) {
  if (s.empty() || s.size() > 18) return false;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  *out = v;
  return true;
}

}  // namespace

void ResponseParser::Reset() {
  state_ = State::kHead;
  started_ = false;
  head_.clear();
  line_.clear();
  body_.clear();
  error_.clear();
  fields_.clear();
  sink_ = nullptr;
  remaining_ = 0;
  status_ = 0;
  keep_alive_ = true;
}

size_t ResponseParser::Fail(std::string message, size_t consumed) {
  state_ = State::kError;
  error_ = std::move(message);
  keep_alive_ = false;
  return consumed;
}

void ResponseParser::AppendBody(const char* data, size_t n) {
  if (n == 0) return;
  if (sink_ != nullptr) {
    sink_->OnBody(status_, std::string_view(data, n));
  } else {
    body_.append(data, n);
  }
}

bool ResponseParser::TakeLine(const char* data, size_t n, size_t* used) {
  const void* nl = std::memchr(data, '\n', n);
  size_t take = nl ? static_cast<size_t>(static_cast<const char*>(nl) - data) + 1 : n;
  line_.append(data, take);
  *used = take;
  if (!nl) return false;
  line_.pop_back();
  if (!line_.empty() && line_.back() == '\r') line_.pop_back();
  return true;
}

bool ResponseParser::ParseHead() {
  std::string_view head(head_);
  size_t eol = head.find("\r\n");
  std::string_view status_line = head.substr(0, eol);
  // "HTTP/1.1 200 OK"
  if (status_line.size() < 12 || status_line.substr(0, 7) != "HTTP/1." || status_line[8] != ' ') {
    error_ = "malformed status line";
    return false;
  }
  const bool http10 = status_line[7] == '0';
  uint64_t code = 0;
  if (!ParseDecimal(status_line.substr(9, 3), &code) || code < 100 || code > 999) {
    error_ = "malformed status code";
    return false;
  }
  status_ = static_cast<int>(code);
  keep_alive_ = !http10;

  bool chunked = false, have_length = false;
  uint64_t length = 0;
  size_t pos = eol + 2;
  while (pos < head.size()) {
    size_t end = head.find("\r\n", pos);
    if (end == std::string_view::npos) end = head.size();
    std::string_view line = head.substr(pos, end - pos);
    pos = end + 2;
    if (line.empty()) break;
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) {
      error_ = "malformed header line";
      return false;
    }
    std::string_view name = line.substr(0, colon);
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
    fields_.push_back({static_cast<size_t>(name.data() - head.data()), name.size(),
                       static_cast<size_t>(value.data() - head.data()), value.size()});
    if (EqualsIgnoreCase(name, "content-length")) {
      uint64_t v = 0;
      if (!ParseDecimal(value, &v) || (have_length && v != length)) {
        error_ = "bad Content-Length";
        return false;
      }
      have_length = true;
      length = v;
    } else if (EqualsIgnoreCase(name, "transfer-encoding")) {
      if (ContainsTokenIgnoreCase(value, "chunked")) chunked = true;
    } else if (EqualsIgnoreCase(name, "connection")) {
      if (ContainsTokenIgnoreCase(value, "close")) keep_alive_ = false;
      if (ContainsTokenIgnoreCase(value, "keep-alive")) keep_alive_ = true;
    }
  }

  if (status_ < 200 || status_ == 204 || status_ == 304) {
    // 1xx is not expected (we never send Expect: 100-continue); treat as bodiless.
    state_ = State::kComplete;
  } else if (chunked) {
    state_ = State::kChunkSize;
  } else if (have_length) {
    remaining_ = length;
    state_ = length == 0 ? State::kComplete : State::kBody;
  } else {
    keep_alive_ = false;
    state_ = State::kBodyUntilClose;
  }
  return true;
}

size_t ResponseParser::Feed(const char* data, size_t n) {
  size_t pos = 0;
  if (n > 0) started_ = true;
  while (pos < n) {
    switch (state_) {
      case State::kHead: {
        // Copy at most a few KiB at a time (a head is small; the body that
        // follows it may be megabytes) and search only the new bytes plus 3
        // of overlap for the blank line.
        const size_t old = head_.size();
        const size_t take = std::min({n - pos, kHeadStep, kMaxHeadBytes + 1 - old});
        head_.append(data + pos, take);
        const size_t from = old >= 3 ? old - 3 : 0;
        const size_t end = head_.find("\r\n\r\n", from);
        if (end == std::string::npos) {
          if (head_.size() > kMaxHeadBytes) return Fail("response head too large", pos + take);
          pos += take;
          break;
        }
        const size_t head_len = end + 4;
        pos += head_len - old;  // bytes of this call that belong to the head
        head_.resize(head_len);
        if (!ParseHead()) return Fail(error_, pos);
        break;
      }
      case State::kBody: {
        const size_t take = static_cast<size_t>(std::min<uint64_t>(remaining_, n - pos));
        AppendBody(data + pos, take);
        pos += take;
        remaining_ -= take;
        if (remaining_ == 0) state_ = State::kComplete;
        break;
      }
      case State::kBodyUntilClose:
        AppendBody(data + pos, n - pos);
        pos = n;
        break;
      case State::kChunkSize: {
        size_t used = 0;
        const bool whole = TakeLine(data + pos, n - pos, &used);
        pos += used;
        if (line_.size() > 1024) return Fail("chunk size line too long", pos);
        if (!whole) break;
        std::string_view s(line_);
        s = s.substr(0, s.find(';'));
        while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
        if (s.empty() || s.size() > 15) return Fail("bad chunk size", pos);
        uint64_t size = 0;
        for (char c : s) {
          int d;
          if (c >= '0' && c <= '9')
            d = c - '0';
          else if (c >= 'a' && c <= 'f')
            d = c - 'a' + 10;
          else if (c >= 'A' && c <= 'F')
            d = c - 'A' + 10;
          else
            return Fail("bad chunk size", pos);
          size = size * 16 + static_cast<uint64_t>(d);
        }
        line_.clear();
        remaining_ = size;
        state_ = size == 0 ? State::kTrailer : State::kChunkData;
        break;
      }
      case State::kChunkData: {
        const size_t take = static_cast<size_t>(std::min<uint64_t>(remaining_, n - pos));
        AppendBody(data + pos, take);
        pos += take;
        remaining_ -= take;
        if (remaining_ == 0) state_ = State::kChunkDataEnd;
        break;
      }
      case State::kChunkDataEnd: {
        size_t used = 0;
        const bool whole = TakeLine(data + pos, n - pos, &used);
        pos += used;
        if (!whole) {
          if (line_.size() > 1) return Fail("missing CRLF after chunk", pos);
          break;
        }
        if (!line_.empty()) return Fail("missing CRLF after chunk", pos);
        state_ = State::kChunkSize;
        break;
      }
      case State::kTrailer: {
        size_t used = 0;
        const bool whole = TakeLine(data + pos, n - pos, &used);
        pos += used;
        if (line_.size() > kMaxHeadBytes) return Fail("trailer too large", pos);
        if (!whole) break;
        const bool blank = line_.empty();
        line_.clear();
        if (blank) state_ = State::kComplete;
        break;
      }
      case State::kComplete:
      case State::kError: return pos;
    }
  }
  return pos;
}

std::vector<std::pair<std::string_view, std::string_view>> ResponseParser::headers() const {
  std::vector<std::pair<std::string_view, std::string_view>> out;
  out.reserve(fields_.size());
  const std::string_view head(head_);
  for (const Field& f : fields_) {
    out.emplace_back(head.substr(f.name_at, f.name_size), head.substr(f.value_at, f.value_size));
  }
  return out;
}

std::string_view ResponseParser::Header(std::string_view name) const {
  const std::string_view head(head_);
  for (const Field& f : fields_) {
    if (EqualsIgnoreCase(head.substr(f.name_at, f.name_size), name)) return head.substr(f.value_at, f.value_size);
  }
  return {};
}

void ResponseParser::FeedEof() {
  if (state_ == State::kBodyUntilClose) {
    state_ = State::kComplete;
    return;
  }
  if (state_ != State::kComplete && state_ != State::kError) {
    Fail(started_ ? "connection closed mid-response" : "connection closed", 0);
  }
}

}  // namespace sluice::http
