// ValidationErrors: collects model-constraint violations in the service's
// words and formats the ValidationException message:
//
//   1 validation error detected: Value 'x!' at 'streamName' failed to satisfy
//   constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+
//
// Entries are kept in the order added (callers add them in the service's
// member order; for one member: not-null, pattern, min length, max length).
// At most 10 entries are kept and counted, as the service does.
//
// The Check* helpers encode the constraint phrases; the pattern matchers
// are passed in by the caller (the model's patterns live in the API layer).
//
// Threading: none; one builder per request.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"

namespace sluice::protocol {

class ValidationErrors {
 public:
  static constexpr size_t kMaxErrors = 10;

  // Adds "Value <v> at '<path>' failed to satisfy constraint: <constraint>",
  // where <v> is `null` when `value` is nullopt and `'<value>'` otherwise.
  void Add(std::optional<std::string_view> value, std::string_view path, std::string_view constraint);

  // --- constraint helpers (each adds at most one entry per violated rule) ---
  // String: not-null (when `required`), pattern, min and max length (in
  // UTF-16 code units, as the service counts). `pattern_text` is empty when
  // the member has no pattern; `matches` is consulted only when it is not.
  void CheckString(std::string_view path, std::optional<std::string_view> value, bool required,
                   std::string_view pattern_text, bool (*matches)(std::string_view), int64_t min_len, int64_t max_len);
  // Integer/long: not-null, min value, max value. Pass INT64_MIN/MAX for none.
  void CheckNumber(std::string_view path, std::optional<int64_t> value, bool required, int64_t min, int64_t max);
  // Enum: not-null, membership.
  void CheckEnum(std::string_view path, std::optional<std::string_view> value, bool required,
                 std::span<const std::string_view> allowed);
  // Blob (given the decoded size): not-null, max length.
  void CheckBlob(std::string_view path, std::optional<size_t> decoded_size, bool required, int64_t max_len);
  // Any required member: not-null only.
  void CheckRequired(std::string_view path, bool present);

  bool empty() const { return count_ == 0; }
  size_t count() const { return count_; }

  // OK when empty, else ValidationException with the formatted message.
  Status ToStatus() const;

 private:
  std::vector<std::string> entries_;
  size_t count_ = 0;
};

// Renders a blob value as the service does: java.nio.HeapByteBuffer[...].
std::string BlobValueString(size_t size);

// Length of UTF-8 `s` in UTF-16 code units (what Java's String.length() says).
size_t Utf16Length(std::string_view s);

}  // namespace sluice::protocol
