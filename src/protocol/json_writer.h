// JsonWriter: a small, fast JSON writer that appends to a caller-owned
// std::string. Built for the hot responses (GetRecords with 10,000 records,
// PutRecords with 500 results): no per-value allocation, base64 blobs are
// encoded straight into the output, timestamps are written as epoch seconds
// with exactly three decimals ("1506440188.749", never exponent notation, as
// the AWS SDKs require).
//
// The writer tracks commas itself: call Key() before each member value of an
// object, and the value/Begin*/End* calls in JSON order. Misuse (a value
// without a key inside an object, unbalanced End*) is a programming error and
// is caught by assertions in debug builds only.
//
// Threading: one writer per thread; it holds a pointer to `out`, which must
// outlive it.
#pragma once

#include <cassert>
#include <cstdint>
#include <string>
#include <string_view>

namespace sluice::protocol {

class JsonWriter {
 public:
  explicit JsonWriter(std::string* out) : out_(out) {}

  void BeginObject();
  void EndObject();
  void BeginArray();
  void EndArray();

  // Writes `"name":` (plus a leading comma when needed). `name` is written
  // verbatim: pass member names that need no escaping.
  void Key(std::string_view name);

  void String(std::string_view value);  // escapes as JSON requires
  void Int(int64_t value);
  // The shortest text that reads back as `value`; non-finite values as null
  // (JSON has no spelling for them).
  void Double(double value);
  void Bool(bool value);
  void Null();
  // Epoch milliseconds written as epoch seconds with three decimals.
  void TimestampMillis(int64_t epoch_ms);
  // Raw bytes written as a base64 JSON string.
  void Blob(std::string_view bytes);
  // A value that is already JSON (e.g. a document read earlier), copied as is.
  void Raw(std::string_view json);

  // Convenience: Key + value.
  void Member(std::string_view name, std::string_view value) {
    Key(name);
    String(value);
  }
  void MemberInt(std::string_view name, int64_t value) {
    Key(name);
    Int(value);
  }
  void MemberDouble(std::string_view name, double value) {
    Key(name);
    Double(value);
  }
  void MemberBool(std::string_view name, bool value) {
    Key(name);
    Bool(value);
  }

  std::string* out() { return out_; }

 private:
  void BeforeValue();

  std::string* out_;
  // One bit per nesting level: set when the level already holds an element.
  uint64_t has_element_ = 0;
  int depth_ = 0;
  bool after_key_ = false;
};

// Appends `value` as a JSON string body (without the quotes) to `out`.
void AppendJsonEscaped(std::string* out, std::string_view value);

// Appends epoch milliseconds as "<seconds>.<mmm>" to `out`.
void AppendEpochSeconds(std::string* out, int64_t epoch_ms);

}  // namespace sluice::protocol
