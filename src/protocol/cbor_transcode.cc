#include "protocol/cbor_transcode.h"

#include <array>
#include <charconv>
#include <cmath>
#include <limits>

#include <simdjson.h>

#include "protocol/cbor.h"
#include "protocol/json_writer.h"
#include "util/base64.h"

namespace sluice::protocol {
namespace {

constexpr int64_t kInt64Max = std::numeric_limits<int64_t>::max();
constexpr int64_t kInt64Min = std::numeric_limits<int64_t>::min();

Status Malformed() { return Status::Serialization(""); }

// Saturating conversion of a finite double to int64, rounding to nearest.
int64_t RoundToInt64(double d) {
  if (d >= 9.2e18) return kInt64Max;
  if (d <= -9.2e18) return kInt64Min;
  return std::llround(d);
}

void AppendUnsigned(std::string* out, uint64_t v) {
  char buf[24];
  auto res = std::to_chars(buf, buf + sizeof buf, v);
  out->append(buf, res.ptr);
}

void AppendSigned(std::string* out, int64_t v) {
  char buf[24];
  auto res = std::to_chars(buf, buf + sizeof buf, v);
  out->append(buf, res.ptr);
}

// CBOR items -> one JSON object (see CborRequestToJson).
class JsonFromCbor final : public CborVisitor {
 public:
  explicit JsonFromCbor(std::string* out) : out_(out) {}

  Status Unsigned(uint64_t value) override {
    SLUICE_RETURN_IF_ERROR(BeforeValue());
    if (TakeEpochTag() && static_cast<double>(value) >= kEpochMillisThreshold) {
      AppendEpochSeconds(out_, value > static_cast<uint64_t>(kInt64Max) ? kInt64Max : static_cast<int64_t>(value));
    } else {
      AppendUnsigned(out_, value);
    }
    return Status::Ok();
  }

  Status Negative(uint64_t n) override {
    SLUICE_RETURN_IF_ERROR(BeforeValue());
    int64_t value = n > static_cast<uint64_t>(kInt64Max) ? kInt64Min : -1 - static_cast<int64_t>(n);
    if (TakeEpochTag() && static_cast<double>(value) <= -kEpochMillisThreshold) {
      AppendEpochSeconds(out_, value);
    } else {
      AppendSigned(out_, value);
    }
    return Status::Ok();
  }

  Status Float(double value) override {
    SLUICE_RETURN_IF_ERROR(BeforeValue());
    bool epoch = TakeEpochTag();
    if (std::isnan(value)) {
      out_->append("null");
    } else if (std::isinf(value)) {
      out_->append(value > 0 ? "1.7976931348623157e308" : "-1.7976931348623157e308");
    } else if (epoch && std::fabs(value) >= kEpochMillisThreshold) {
      AppendEpochSeconds(out_, RoundToInt64(value));
    } else {
      char buf[32];
      auto res = std::to_chars(buf, buf + sizeof buf, value);
      out_->append(buf, res.ptr);
      // An integral float may print without '.' or exponent
      // ("-20065306113851629568"); keep it a float, or a JSON parser may
      // find an integer out of the 64-bit range.
      if (std::string_view(buf, res.ptr - buf).find_first_of(".e") == std::string_view::npos) out_->append(".0");
    }
    return Status::Ok();
  }

  Status Bytes(std::string_view bytes) override {
    SLUICE_RETURN_IF_ERROR(BeforeValue());
    TakeEpochTag();
    size_t old = out_->size();
    out_->resize(old + base64::EncodedSize(bytes.size()) + 2);
    char* p = out_->data() + old;
    *p++ = '"';
    p = base64::Encode(bytes.data(), bytes.size(), p);
    *p = '"';
    return Status::Ok();
  }

  Status Text(std::string_view text) override {
    if (InMap() && top().expect_key) {
      Frame& f = top();
      if (f.has_member) out_->push_back(',');
      f.has_member = true;
      f.expect_key = false;
      out_->push_back('"');
      AppendJsonEscaped(out_, text);
      out_->append("\":");
      return Status::Ok();
    }
    SLUICE_RETURN_IF_ERROR(BeforeValue());
    TakeEpochTag();
    out_->push_back('"');
    AppendJsonEscaped(out_, text);
    out_->push_back('"');
    return Status::Ok();
  }

  Status BeginArray(std::optional<uint64_t>) override {
    SLUICE_RETURN_IF_ERROR(BeforeValue());
    TakeEpochTag();
    return Push(false, '[');
  }
  Status EndArray() override { return Pop(']'); }

  Status BeginMap(std::optional<uint64_t>) override {
    if (depth_ == 0 && !started_) {
      started_ = true;
    } else {
      SLUICE_RETURN_IF_ERROR(BeforeValue());
    }
    TakeEpochTag();
    return Push(true, '{');
  }
  Status EndMap() override { return Pop('}'); }

  Status Tag(uint64_t tag) override {
    // A tag may wrap any value, but a key must be a bare text string.
    if (InMap() && top().expect_key) return Malformed();
    epoch_tag_ = tag == 1;
    return Status::Ok();
  }

  Status Bool(bool value) override { return Literal(value ? "true" : "false"); }
  Status Null() override { return Literal("null"); }
  Status Undefined() override { return Literal("null"); }
  Status Simple(uint8_t) override { return Malformed(); }

 private:
  struct Frame {
    bool map = false;
    bool expect_key = false;  // maps: the next item is a key
    bool has_member = false;  // a comma goes before the next member/element
  };

  bool InMap() const { return depth_ > 0 && frames_[depth_ - 1].map; }
  Frame& top() { return frames_[depth_ - 1]; }

  bool TakeEpochTag() {
    bool tagged = epoch_tag_;
    epoch_tag_ = false;
    return tagged;
  }

  // Places a value: only a map may be the top level, and a map key must be
  // text (Text handles keys itself).
  Status BeforeValue() {
    if (depth_ == 0) return Malformed();
    Frame& f = top();
    if (f.map) {
      if (f.expect_key) return Malformed();
      f.expect_key = true;
    } else {
      if (f.has_member) out_->push_back(',');
      f.has_member = true;
    }
    return Status::Ok();
  }

  Status Literal(std::string_view json) {
    SLUICE_RETURN_IF_ERROR(BeforeValue());
    TakeEpochTag();
    out_->append(json);
    return Status::Ok();
  }

  Status Push(bool map, char open) {
    // The decoder caps nesting at kMaxCborDepth below the top level.
    if (depth_ >= static_cast<int>(frames_.size())) return Malformed();
    frames_[depth_++] = Frame{map, map, false};
    out_->push_back(open);
    return Status::Ok();
  }

  Status Pop(char close) {
    --depth_;
    out_->push_back(close);
    return Status::Ok();
  }

  std::string* out_;
  std::array<Frame, kMaxCborDepth + 1> frames_;
  int depth_ = 0;
  bool started_ = false;
  bool epoch_tag_ = false;  // the next value is wrapped in tag 1
};

// How a member's JSON value becomes CBOR.
enum class MemberKind { kPlain, kBlob, kTimestamp };

// Every blob and timestamp member of the Kinesis output shapes. The names
// mean the same type wherever they appear, so the name alone decides.
struct SpecialMember {
  std::string_view name;
  MemberKind kind;
};
constexpr SpecialMember kSpecialMembers[] = {
    {"Data", MemberKind::kBlob},
    {"ApproximateArrivalTimestamp", MemberKind::kTimestamp},
    {"StreamCreationTimestamp", MemberKind::kTimestamp},
    {"ConsumerCreationTimestamp", MemberKind::kTimestamp},
    {"StartedAt", MemberKind::kTimestamp},
    {"EndedAt", MemberKind::kTimestamp},
    {"EarliestAllowedEndAt", MemberKind::kTimestamp},
};

MemberKind KindOf(std::string_view name) {
  for (const SpecialMember& m : kSpecialMembers) {
    if (m.name == name) return m.kind;
  }
  return MemberKind::kPlain;
}

using simdjson::dom::element;
using simdjson::dom::element_type;

// Epoch seconds (a JSON number) as epoch milliseconds, saturating.
int64_t SecondsToMillis(element value) {
  switch (value.type()) {
    case element_type::INT64: {
      int64_t s = value.get_int64().value_unsafe();
      if (s > kInt64Max / 1000) return kInt64Max;
      if (s < kInt64Min / 1000) return kInt64Min;
      return s * 1000;
    }
    case element_type::UINT64: return kInt64Max;  // beyond int64 seconds
    default: return RoundToInt64(value.get_double().value_unsafe() * 1000.0);
  }
}

class CborFromJson {
 public:
  explicit CborFromJson(std::string* out) : w_(out) {}

  Status Write(element value, MemberKind kind) {
    switch (value.type()) {
      case element_type::OBJECT: {
        simdjson::dom::object obj = value.get_object().value_unsafe();
        w_.BeginMap(obj.size());
        for (auto field : obj) {
          w_.Text(field.key);
          SLUICE_RETURN_IF_ERROR(Write(field.value, KindOf(field.key)));
        }
        return Status::Ok();
      }
      case element_type::ARRAY: {
        simdjson::dom::array arr = value.get_array().value_unsafe();
        w_.BeginArray(arr.size());
        for (element item : arr) SLUICE_RETURN_IF_ERROR(Write(item, MemberKind::kPlain));
        return Status::Ok();
      }
      case element_type::STRING: {
        std::string_view s = value.get_string().value_unsafe();
        if (kind != MemberKind::kBlob) {
          w_.Text(s);
          return Status::Ok();
        }
        if (!base64::Decode(s, &scratch_)) return Status::Internal("response blob is not valid base64");
        w_.Bytes(scratch_);
        return Status::Ok();
      }
      case element_type::INT64:
      case element_type::UINT64:
      case element_type::DOUBLE: return Number(value, kind);
      case element_type::BOOL: w_.Bool(value.get_bool().value_unsafe()); return Status::Ok();
      case element_type::NULL_VALUE: w_.Null(); return Status::Ok();
    }
    return Status::Internal("unknown JSON element type");
  }

 private:
  Status Number(element value, MemberKind kind) {
    if (kind == MemberKind::kTimestamp) {
      w_.TimestampMillis(SecondsToMillis(value));
    } else if (value.type() == element_type::INT64) {
      w_.Int(value.get_int64().value_unsafe());
    } else if (value.type() == element_type::UINT64) {
      w_.Unsigned(value.get_uint64().value_unsafe());
    } else {
      w_.Double(value.get_double().value_unsafe());
    }
    return Status::Ok();
  }

  CborWriter w_;
  std::string scratch_;  // a decoded blob, reused
};

}  // namespace

Result<std::string> CborRequestToJson(std::string_view cbor) {
  std::string json;
  // Byte strings dominate big requests (PutRecords): base64 grows them by 4/3.
  json.reserve(cbor.size() / 3 * 4 + 64);
  JsonFromCbor visitor(&json);
  SLUICE_RETURN_IF_ERROR(DecodeCbor(cbor, &visitor));
  return json;
}

Result<std::string> JsonResponseToCbor(std::string_view json) {
  if (json.empty()) return std::string();
  thread_local simdjson::dom::parser parser;
  auto doc = parser.parse(json.data(), json.size(), /*realloc_if_needed=*/true);
  if (doc.error()) return Status::Internal("response body is not JSON");
  std::string cbor;
  // Base64 blobs shrink to 3/4; everything else shrinks a little.
  cbor.reserve(json.size());
  CborFromJson writer(&cbor);
  SLUICE_RETURN_IF_ERROR(writer.Write(doc.value_unsafe(), MemberKind::kPlain));
  return cbor;
}

}  // namespace sluice::protocol
