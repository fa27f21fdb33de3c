#include "protocol/validation.h"

namespace sluice::protocol {

void ValidationErrors::Add(std::optional<std::string_view> value, std::string_view path, std::string_view constraint) {
  if (count_ >= kMaxErrors) return;
  std::string e;
  e.reserve(64 + path.size() + constraint.size() + (value ? value->size() : 0));
  e.append("Value ");
  if (value) {
    e.append("'").append(*value).append("'");
  } else {
    e.append("null");
  }
  e.append(" at '").append(path).append("' failed to satisfy constraint: ").append(constraint);
  entries_.push_back(std::move(e));
  ++count_;
}

void ValidationErrors::CheckRequired(std::string_view path, bool present) {
  if (!present) Add(std::nullopt, path, "Member must not be null");
}

void ValidationErrors::CheckString(std::string_view path, std::optional<std::string_view> value, bool required,
                                   std::string_view pattern_text, bool (*matches)(std::string_view), int64_t min_len,
                                   int64_t max_len) {
  if (!value) {
    if (required) Add(std::nullopt, path, "Member must not be null");
    return;
  }
  if (!pattern_text.empty() && !matches(*value)) {
    Add(value, path, std::string("Member must satisfy regular expression pattern: ").append(pattern_text));
  }
  int64_t len = static_cast<int64_t>(Utf16Length(*value));
  if (len < min_len) {
    Add(value, path, "Member must have length greater than or equal to " + std::to_string(min_len));
  }
  if (len > max_len) {
    Add(value, path, "Member must have length less than or equal to " + std::to_string(max_len));
  }
}

void ValidationErrors::CheckNumber(std::string_view path, std::optional<int64_t> value, bool required, int64_t min,
                                   int64_t max) {
  if (!value) {
    if (required) Add(std::nullopt, path, "Member must not be null");
    return;
  }
  std::string v = std::to_string(*value);
  if (*value < min) Add(v, path, "Member must have value greater than or equal to " + std::to_string(min));
  if (*value > max) Add(v, path, "Member must have value less than or equal to " + std::to_string(max));
}

void ValidationErrors::CheckEnum(std::string_view path, std::optional<std::string_view> value, bool required,
                                 std::span<const std::string_view> allowed) {
  if (!value) {
    if (required) Add(std::nullopt, path, "Member must not be null");
    return;
  }
  for (auto a : allowed) {
    if (a == *value) return;
  }
  std::string c = "Member must satisfy enum value set: [";
  for (size_t i = 0; i < allowed.size(); ++i) {
    if (i) c.append(", ");
    c.append(allowed[i]);
  }
  c.append("]");
  Add(value, path, c);
}

void ValidationErrors::CheckBlob(std::string_view path, std::optional<size_t> decoded_size, bool required,
                                 int64_t max_len) {
  if (!decoded_size) {
    if (required) Add(std::nullopt, path, "Member must not be null");
    return;
  }
  if (static_cast<int64_t>(*decoded_size) > max_len) {
    Add(BlobValueString(*decoded_size), path,
        "Member must have length less than or equal to " + std::to_string(max_len));
  }
}

Status ValidationErrors::ToStatus() const {
  if (count_ == 0) return Status::Ok();
  std::string m = std::to_string(count_);
  m.append(count_ == 1 ? " validation error detected: " : " validation errors detected: ");
  for (size_t i = 0; i < entries_.size(); ++i) {
    if (i) m.append("; ");
    m.append(entries_[i]);
  }
  return Status::Validation(std::move(m));
}

std::string BlobValueString(size_t size) {
  std::string n = std::to_string(size);
  return "java.nio.HeapByteBuffer[pos=0 lim=" + n + " cap=" + n + "]";
}

size_t Utf16Length(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) {
    if ((c & 0xC0) != 0x80) ++n;  // a lead byte starts a code point
    if (c >= 0xF0) ++n;           // four-byte sequences need a surrogate pair
  }
  return n;
}

}  // namespace sluice::protocol
