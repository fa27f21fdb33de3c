// Just enough JSON reading for the load generator: find a member by name
// and read its string or integer value, or count members of one name.
//
// These are scans, not a parser: they look for `"<key>"` followed by
// optional whitespace and ':' anywhere in the text, at any depth, and assume
// the key never occurs inside a string value (true of the Kinesis responses
// they read: keys are PascalCase words, values are base64, digits or ids).
// They never allocate except to return an unescaped string.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace sluice::bench::json {

// Position of the first byte of the value of member `key` at or after
// `from`, or npos. `key` is given without quotes.
size_t FindValue(std::string_view text, std::string_view key, size_t from = 0);

// Reads the string value of `key` into *out (JSON escapes decoded; \u
// escapes outside ASCII are kept verbatim). False if absent, null or not a
// string.
bool ScanString(std::string_view text, std::string_view key, std::string* out);

// Like ScanString but returns a view of the raw (still escaped) characters
// between the quotes; starts looking at `*from` and leaves it after the value.
bool ScanRawString(std::string_view text, std::string_view key, size_t* from, std::string_view* out);

// Reads an integer value of `key`. False if absent or not an integer.
bool ScanInt(std::string_view text, std::string_view key, int64_t* out);

// Number of members named `key` in the text.
size_t CountKey(std::string_view text, std::string_view key);

}  // namespace sluice::bench::json
