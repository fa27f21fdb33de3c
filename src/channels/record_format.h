// How a channel writes one stream record into a delivered object, by the
// source stream's RecordFormatType (docs/channels.md, "Objects"):
//   JSON        the record's JSON document on one line (line breaks between
//               its tokens become spaces), then "\n": newline-delimited JSON
//   STRING      the record's bytes (UTF-8 text), then "\n"
//   BYTE_ARRAY  the record's bytes as they are, concatenated
// A record that is not what its format says (not one JSON document; not
// UTF-8) is refused with a reason, for the dead-letter bucket.
//
// Threading: a RecordWriter is used by one thread at a time (it keeps a
// JSON parser's buffers).
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace sluice::channels {

enum class RecordFormat { kJson, kString, kByteArray };

// "JSON" | "GSR_JSON" (kJson), "STRING", "BYTE_ARRAY"; others read as kByteArray.
RecordFormat ParseRecordFormat(std::string_view name);
// The Content-Type of an object of the format.
const char* FormatContentType(RecordFormat f);
// The suffix delivered keys carry before the compression's: ".json" for
// JSON, ".txt" for STRING, "" for BYTE_ARRAY.
const char* FormatExtension(RecordFormat f);

class RecordWriter {
 public:
  RecordWriter();
  ~RecordWriter();

  // Appends `data` to `*object` as `format` says and returns true, or
  // leaves `*object` as it was, sets `*reason` and returns false.
  bool Append(RecordFormat format, std::string_view data, std::string* object, std::string* reason);

 private:
  struct Parser;
  std::unique_ptr<Parser> parser_;
};

}  // namespace sluice::channels
