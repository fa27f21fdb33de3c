#include "cloudwatch/cbor_document.h"

#include <cmath>
#include <vector>

#include "protocol/cbor.h"

namespace sluice::cloudwatch {
namespace {

// Builds the tree from the decoder's events: a stack of open lists and maps,
// each map remembering the key its next value goes under.
class TreeBuilder final : public protocol::CborVisitor {
 public:
  Result<Value> Take() {
    if (!done_) return Status::Serialization("");
    return std::move(root_);
  }

  Status Unsigned(uint64_t v) override { return Scalar(Value::Number(static_cast<double>(v))); }
  Status Negative(uint64_t n) override { return Scalar(Value::Number(-1.0 - static_cast<double>(n))); }
  Status Bytes(std::string_view) override { return Status::Serialization("byte strings are not expected"); }
  Status Text(std::string_view text) override {
    if (!stack_.empty() && stack_.back().value.kind() == Value::Kind::kMap && !stack_.back().has_key) {
      stack_.back().key.assign(text);
      stack_.back().has_key = true;
      return Status::Ok();
    }
    return Scalar(Value::String(std::string(text)));
  }
  Status BeginArray(std::optional<uint64_t>) override { return Open(Value::List()); }
  Status EndArray() override { return Close(); }
  Status BeginMap(std::optional<uint64_t>) override { return Open(Value::Map()); }
  Status EndMap() override { return Close(); }
  Status Tag(uint64_t tag) override {
    if (tag != 1) return Status::Serialization("unexpected CBOR tag");
    timestamp_next_ = true;
    return Status::Ok();
  }
  Status Bool(bool b) override { return Scalar(Value::Bool(b)); }
  Status Null() override { return Scalar(Value()); }
  Status Undefined() override { return Scalar(Value()); }
  Status Simple(uint8_t) override { return Status::Serialization("unexpected CBOR simple value"); }
  Status Float(double d) override { return Scalar(Value::Number(d)); }

 private:
  struct Frame {
    Value value;
    std::string key;
    bool has_key = false;
  };

  Status Place(Value v) {
    if (stack_.empty()) {
      root_ = std::move(v);
      done_ = true;
      return Status::Ok();
    }
    Frame& top = stack_.back();
    if (top.value.kind() == Value::Kind::kList) {
      top.value.Add(std::move(v));
    } else {
      if (!top.has_key) return Status::Serialization("CBOR map keys must be text");
      if (!v.is_null()) top.value.Set(top.key, std::move(v));  // null members read as absent
      top.has_key = false;
    }
    return Status::Ok();
  }

  Status Scalar(Value v) {
    if (timestamp_next_) {
      timestamp_next_ = false;
      if (v.kind() != Value::Kind::kNumber) return Status::Serialization("tag 1 must wrap a number");
      v = Value::Timestamp(*v.AsNumber());
    }
    return Place(std::move(v));
  }

  Status Open(Value v) {
    if (timestamp_next_) return Status::Serialization("tag 1 must wrap a number");
    if (!stack_.empty() && stack_.back().value.kind() == Value::Kind::kMap && !stack_.back().has_key) {
      return Status::Serialization("CBOR map keys must be text");
    }
    stack_.push_back({std::move(v), {}, false});
    return Status::Ok();
  }

  Status Close() {
    Value v = std::move(stack_.back().value);
    stack_.pop_back();
    return Place(std::move(v));
  }

  std::vector<Frame> stack_;
  Value root_;
  bool done_ = false;
  bool timestamp_next_ = false;
};

void WriteNumber(protocol::CborWriter& w, double d) {
  if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9.0e15) {
    w.Int(static_cast<int64_t>(d));
  } else {
    w.Double(d);
  }
}

void Write(protocol::CborWriter& w, const Value& v) {
  switch (v.kind()) {
    case Value::Kind::kNull: w.Null(); break;
    case Value::Kind::kBool: w.Bool(*v.AsBool()); break;
    case Value::Kind::kNumber: w.Double(*v.AsNumber()); break;
    case Value::Kind::kString: w.Text(*v.AsString()); break;
    case Value::Kind::kTimestamp:
      w.Tag(1);
      WriteNumber(w, *v.AsTime());
      break;
    case Value::Kind::kList:
      w.BeginArray(v.items().size());
      for (const Value& item : v.items()) Write(w, item);
      break;
    case Value::Kind::kMap:
      w.BeginMap(v.members().size());
      for (const auto& [key, member] : v.members()) {
        w.Text(key);
        Write(w, member);
      }
      break;
  }
}

}  // namespace

Result<Value> DecodeCborDocument(std::string_view bytes) {
  if (bytes.empty()) return Value::Map();
  TreeBuilder builder;
  SLUICE_RETURN_IF_ERROR(protocol::DecodeCbor(bytes, &builder));
  return builder.Take();
}

std::string EncodeCborDocument(const Value& value) {
  std::string out;
  protocol::CborWriter w(&out);
  Write(w, value);
  return out;
}

}  // namespace sluice::cloudwatch
