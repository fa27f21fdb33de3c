// Fuzzes the CBOR codec: decoding arbitrary bytes, re-encoding what decoded
// (which must decode again to the same encoding), and the request
// transcoder, whose JSON must always parse. JSON that parses is also taken
// back through the response transcoder.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include <simdjson.h>

#include "protocol/cbor.h"
#include "protocol/cbor_transcode.h"
#include "protocol/json_reader.h"

using sluice::ErrorCode;
using sluice::Status;
using sluice::protocol::CborVisitor;
using sluice::protocol::CborWriter;

namespace {

// Re-encodes every item; notes whether the top level is a map.
class Reencode final : public CborVisitor {
 public:
  std::string out;
  bool top_is_map = false;

  Status Unsigned(uint64_t v) override {
    return Item([&] { w_.Unsigned(v); });
  }
  Status Negative(uint64_t n) override {
    return Item([&] { w_.Negative(n); });
  }
  Status Bytes(std::string_view b) override {
    return Item([&] { w_.Bytes(b); });
  }
  Status Text(std::string_view t) override {
    return Item([&] { w_.Text(t); });
  }
  Status BeginArray(std::optional<uint64_t> n) override {
    Item([&] { n ? w_.BeginArray(*n) : w_.BeginIndefiniteArray(); });
    indefinite_.push_back(!n);
    return Status::Ok();
  }
  Status BeginMap(std::optional<uint64_t> n) override {
    if (!started_) top_is_map = true;
    Item([&] { n ? w_.BeginMap(*n) : w_.BeginIndefiniteMap(); });
    indefinite_.push_back(!n);
    return Status::Ok();
  }
  Status EndArray() override { return End(); }
  Status EndMap() override { return End(); }
  Status Tag(uint64_t t) override {
    w_.Tag(t);
    return Status::Ok();  // the tagged item decides top_is_map
  }
  Status Bool(bool v) override {
    return Item([&] { w_.Bool(v); });
  }
  Status Null() override {
    return Item([&] { w_.Null(); });
  }
  Status Undefined() override {
    return Item([&] { w_.Undefined(); });
  }
  Status Simple(uint8_t v) override {
    return Item([&] {
      if (v < 24) {
        out.push_back(static_cast<char>(0xe0 | v));
      } else {
        out.push_back(static_cast<char>(0xf8));
        out.push_back(static_cast<char>(v));
      }
    });
  }
  Status Float(double v) override {
    return Item([&] { w_.Double(v); });
  }

 private:
  template <typename F>
  Status Item(F write) {
    started_ = true;
    write();
    return Status::Ok();
  }
  Status End() {
    if (indefinite_.back()) w_.Break();
    indefinite_.pop_back();
    return Status::Ok();
  }

  CborWriter w_{&out};
  std::vector<bool> indefinite_;
  bool started_ = false;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);

  Reencode first;
  Status decoded = sluice::protocol::DecodeCbor(input, &first);
  if (!decoded.ok() && decoded.code() != ErrorCode::kSerialization) abort();
  if (decoded.ok()) {
    // Our own encoding decodes, and re-encodes to itself.
    Reencode second;
    if (!sluice::protocol::DecodeCbor(first.out, &second).ok() || second.out != first.out) abort();
  }

  auto json = sluice::protocol::CborRequestToJson(input);
  if (!json.ok()) {
    if (json.status().code() != ErrorCode::kSerialization) abort();
    return 0;
  }
  // Transcoding succeeds only for a well-formed body whose top level is a map.
  if (!decoded.ok() || !first.top_is_map) abort();

  simdjson::dom::parser parser;
  auto doc = parser.parse(json->data(), json->size());
  if (doc.error() || doc.value_unsafe().type() != simdjson::dom::element_type::OBJECT) abort();
  if (!sluice::protocol::ParseJsonRequest(*json).ok()) abort();

  // Back to CBOR as a response; `Data` that is not base64 may refuse.
  auto cbor = sluice::protocol::JsonResponseToCbor(*json);
  if (cbor.ok() && !sluice::protocol::CborRequestToJson(*cbor).ok()) abort();
  return 0;
}
