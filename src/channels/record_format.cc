#include "channels/record_format.h"

#include <simdjson.h>

#include <string>

namespace sluice::channels {

struct RecordWriter::Parser {
  simdjson::dom::parser parser;
};

RecordWriter::RecordWriter() : parser_(std::make_unique<Parser>()) {}
RecordWriter::~RecordWriter() = default;

RecordFormat ParseRecordFormat(std::string_view name) {
  if (name == "JSON" || name == "GSR_JSON") return RecordFormat::kJson;
  if (name == "STRING") return RecordFormat::kString;
  return RecordFormat::kByteArray;
}

const char* FormatContentType(RecordFormat f) {
  switch (f) {
    case RecordFormat::kJson: return "application/x-ndjson";
    case RecordFormat::kString: return "text/plain; charset=utf-8";
    case RecordFormat::kByteArray: break;
  }
  return "application/octet-stream";
}

const char* FormatExtension(RecordFormat f) {
  switch (f) {
    case RecordFormat::kJson: return ".json";
    case RecordFormat::kString: return ".txt";
    case RecordFormat::kByteArray: break;
  }
  return "";
}

bool RecordWriter::Append(RecordFormat format, std::string_view data, std::string* object, std::string* reason) {
  switch (format) {
    case RecordFormat::kByteArray: object->append(data); return true;
    case RecordFormat::kString:
      if (!simdjson::validate_utf8(data.data(), data.size())) {
        *reason = "record is not valid UTF-8 text (RecordFormatType STRING)";
        return false;
      }
      object->append(data);
      object->push_back('\n');
      return true;
    case RecordFormat::kJson: {
      simdjson::dom::element doc;
      if (auto error = parser_->parser.parse(data.data(), data.size()).get(doc); error) {
        *reason =
            std::string("record is not a JSON document (RecordFormatType JSON): ") + simdjson::error_message(error);
        return false;
      }
      // A JSON text has line breaks only between tokens (never inside a
      // string), so turning them into spaces keeps the document and puts it
      // on one line.
      const size_t start = object->size();
      object->append(data);
      for (size_t i = start; i < object->size(); ++i) {
        if ((*object)[i] == '\n' || (*object)[i] == '\r') (*object)[i] = ' ';
      }
      object->push_back('\n');
      return true;
    }
  }
  return false;
}

}  // namespace sluice::channels
