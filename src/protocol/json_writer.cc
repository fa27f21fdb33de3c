#include "protocol/json_writer.h"

#include <array>
#include <charconv>
#include <cmath>
#include <iterator>

#include <fmt/format.h>

#include "util/base64.h"

namespace sluice::protocol {
namespace {

constexpr std::array<bool, 256> MakeEscapeTable() {
  std::array<bool, 256> t{};
  for (int c = 0; c < 0x20; ++c) t[c] = true;
  t['"'] = true;
  t['\\'] = true;
  return t;
}
constexpr auto kNeedsEscape = MakeEscapeTable();

void AppendEscape(std::string* out, unsigned char c) {
  switch (c) {
    case '"': out->append("\\\""); return;
    case '\\': out->append("\\\\"); return;
    case '\b': out->append("\\b"); return;
    case '\f': out->append("\\f"); return;
    case '\n': out->append("\\n"); return;
    case '\r': out->append("\\r"); return;
    case '\t': out->append("\\t"); return;
    default: {
      static constexpr char kHex[] = "0123456789abcdef";
      char buf[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 15]};
      out->append(buf, 6);
    }
  }
}

void AppendInt(std::string* out, int64_t v) {
  char buf[24];
  auto res = std::to_chars(buf, buf + sizeof(buf), v);
  out->append(buf, res.ptr);
}

}  // namespace

void AppendJsonEscaped(std::string* out, std::string_view value) {
  const auto* s = reinterpret_cast<const unsigned char*>(value.data());
  size_t n = value.size();
  size_t run_start = 0;
  for (size_t i = 0; i < n; ++i) {
    if (kNeedsEscape[s[i]]) {
      out->append(value.data() + run_start, i - run_start);
      AppendEscape(out, s[i]);
      run_start = i + 1;
    }
  }
  out->append(value.data() + run_start, n - run_start);
}

void AppendEpochSeconds(std::string* out, int64_t epoch_ms) {
  // Floor division so that negative times still read correctly.
  int64_t secs = epoch_ms / 1000;
  int64_t millis = epoch_ms % 1000;
  if (millis < 0) {
    millis += 1000;
    secs -= 1;
  }
  AppendInt(out, secs);
  char frac[4] = {'.', static_cast<char>('0' + millis / 100), static_cast<char>('0' + millis / 10 % 10),
                  static_cast<char>('0' + millis % 10)};
  out->append(frac, 4);
}

void JsonWriter::BeforeValue() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (depth_ > 0) {
    uint64_t bit = uint64_t{1} << (depth_ - 1);
    if (has_element_ & bit) out_->push_back(',');
    has_element_ |= bit;
  }
}

void JsonWriter::BeginObject() {
  BeforeValue();
  out_->push_back('{');
  assert(depth_ < 64);
  ++depth_;
  has_element_ &= ~(uint64_t{1} << (depth_ - 1));
}

void JsonWriter::EndObject() {
  assert(depth_ > 0 && !after_key_);
  --depth_;
  out_->push_back('}');
}

void JsonWriter::BeginArray() {
  BeforeValue();
  out_->push_back('[');
  assert(depth_ < 64);
  ++depth_;
  has_element_ &= ~(uint64_t{1} << (depth_ - 1));
}

void JsonWriter::EndArray() {
  assert(depth_ > 0 && !after_key_);
  --depth_;
  out_->push_back(']');
}

void JsonWriter::Key(std::string_view name) {
  assert(depth_ > 0 && !after_key_);
  BeforeValue();
  out_->push_back('"');
  out_->append(name);
  out_->append("\":", 2);
  after_key_ = true;
}

void JsonWriter::String(std::string_view value) {
  BeforeValue();
  out_->push_back('"');
  AppendJsonEscaped(out_, value);
  out_->push_back('"');
}

void JsonWriter::Int(int64_t value) {
  BeforeValue();
  AppendInt(out_, value);
}

void JsonWriter::Double(double value) {
  BeforeValue();
  if (!std::isfinite(value)) {
    out_->append("null");
    return;
  }
  fmt::format_to(std::back_inserter(*out_), "{}", value);
}

void JsonWriter::Bool(bool value) {
  BeforeValue();
  out_->append(value ? "true" : "false");
}

void JsonWriter::Null() {
  BeforeValue();
  out_->append("null");
}

void JsonWriter::Raw(std::string_view json) {
  BeforeValue();
  out_->append(json);
}

void JsonWriter::TimestampMillis(int64_t epoch_ms) {
  BeforeValue();
  AppendEpochSeconds(out_, epoch_ms);
}

void JsonWriter::Blob(std::string_view bytes) {
  BeforeValue();
  size_t old = out_->size();
  size_t enc = base64::EncodedSize(bytes.size());
  // resize() zero-fills; the base64 bytes overwrite it at once. Callers that
  // write many blobs reserve the whole response up front.
  out_->resize(old + enc + 2);
  char* p = out_->data() + old;
  *p++ = '"';
  p = base64::Encode(bytes.data(), bytes.size(), p);
  *p = '"';
}

}  // namespace sluice::protocol
