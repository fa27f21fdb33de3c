#include "protocol/event_stream.h"

#include <fmt/format.h>
#include <zlib.h>

#include <cassert>
#include <initializer_list>
#include <limits>
#include <utility>

namespace sluice::protocol {
namespace {

using Type = EventStreamHeaderType;

constexpr size_t kMaxHeaderNameBytes = 255;
constexpr size_t kMaxVariableValueBytes = 65535;  // uint16 length prefix
constexpr size_t kUuidBytes = 16;
constexpr uint8_t kLastKnownType = static_cast<uint8_t>(Type::kUuid);

uint32_t Crc32(const char* p, size_t n) {
  // Messages are capped at 16 MiB, so the length always fits zlib's uInt.
  return static_cast<uint32_t>(crc32(0, reinterpret_cast<const Bytef*>(p), static_cast<uInt>(n)));
}

void AppendBigEndian(std::string* out, uint64_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) out->push_back(static_cast<char>(v >> (8 * i)));
}

void StoreBigEndian32(char* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<char>(v >> (8 * (3 - i)));
}

uint64_t LoadBigEndian(const char* p, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v = (v << 8) | static_cast<uint8_t>(p[i]);
  return v;
}

// Width of a fixed-size value; 0 for booleans, -1 for the length-prefixed
// types and for unknown types.
int FixedWidth(Type type) {
  switch (type) {
    case Type::kBoolTrue:
    case Type::kBoolFalse: return 0;
    case Type::kByte: return 1;
    case Type::kInt16: return 2;
    case Type::kInt32: return 4;
    case Type::kInt64:
    case Type::kTimestamp: return 8;
    case Type::kUuid: return static_cast<int>(kUuidBytes);
    case Type::kByteArray:
    case Type::kString: break;
  }
  return -1;
}

bool FitsType(Type type, int64_t v) {
  switch (type) {
    case Type::kByte: return v >= std::numeric_limits<int8_t>::min() && v <= std::numeric_limits<int8_t>::max();
    case Type::kInt16: return v >= std::numeric_limits<int16_t>::min() && v <= std::numeric_limits<int16_t>::max();
    case Type::kInt32: return v >= std::numeric_limits<int32_t>::min() && v <= std::numeric_limits<int32_t>::max();
    default: return true;
  }
}

Status AppendHeader(const EventStreamHeader& header, std::string* out) {
  const EventStreamHeaderValue& v = header.value;
  if (header.name.size() > kMaxHeaderNameBytes) {
    return Status::InvalidArgument(
        fmt::format("event-stream: header name of {} bytes exceeds 255", header.name.size()));
  }
  auto type_byte = static_cast<uint8_t>(v.type);
  if (type_byte > kLastKnownType) {
    return Status::InvalidArgument(fmt::format("event-stream: unknown header value type {}", type_byte));
  }
  out->push_back(static_cast<char>(header.name.size()));
  out->append(header.name);
  out->push_back(static_cast<char>(type_byte));
  switch (v.type) {
    case Type::kBoolTrue:
    case Type::kBoolFalse: return Status::Ok();
    case Type::kByteArray:
    case Type::kString:
      if (v.bytes.size() > kMaxVariableValueBytes) {
        return Status::InvalidArgument(
            fmt::format("event-stream: header '{}' value of {} bytes exceeds 65535", header.name, v.bytes.size()));
      }
      AppendBigEndian(out, v.bytes.size(), 2);
      out->append(v.bytes);
      return Status::Ok();
    case Type::kUuid:
      if (v.bytes.size() != kUuidBytes) {
        return Status::InvalidArgument(
            fmt::format("event-stream: header '{}' UUID has {} bytes, not 16", header.name, v.bytes.size()));
      }
      out->append(v.bytes);
      return Status::Ok();
    default:
      if (!FitsType(v.type, v.integer)) {
        return Status::InvalidArgument(
            fmt::format("event-stream: header '{}' value {} does not fit type {}", header.name, v.integer, type_byte));
      }
      AppendBigEndian(out, static_cast<uint64_t>(v.integer), FixedWidth(v.type));
      return Status::Ok();
  }
}

Status HeadersTooLarge(size_t bytes) {
  return Status::InvalidArgument(
      fmt::format("event-stream: headers section of {} bytes exceeds {}", bytes, kEventStreamMaxHeadersBytes));
}

// One message whose headers are all strings, written without building
// EventStreamHeader objects (the Kinesis events).
Status EncodeStringHeaders(std::initializer_list<std::pair<std::string_view, std::string_view>> headers,
                           std::string_view payload, std::string* out) {
  size_t start = out->size();
  out->append(kEventStreamPreludeBytes, '\0');
  for (const auto& [name, value] : headers) {
    if (value.size() > kMaxVariableValueBytes) {
      out->resize(start);
      return Status::InvalidArgument(
          fmt::format("event-stream: header '{}' value of {} bytes exceeds 65535", name, value.size()));
    }
    assert(name.size() <= kMaxHeaderNameBytes);
    out->push_back(static_cast<char>(name.size()));
    out->append(name);
    out->push_back(static_cast<char>(Type::kString));
    AppendBigEndian(out, value.size(), 2);
    out->append(value);
  }
  size_t headers_bytes = out->size() - start - kEventStreamPreludeBytes;
  if (headers_bytes > kEventStreamMaxHeadersBytes) {
    out->resize(start);
    return HeadersTooLarge(headers_bytes);
  }
  StoreBigEndian32(out->data() + start + 4, static_cast<uint32_t>(headers_bytes));
  out->append(payload);
  return FinishMessage(start, out);
}

struct Prelude {
  uint32_t total_bytes = 0;
  uint32_t headers_bytes = 0;
};

// Validates the 12 bytes at `p`; the CRC first, since lengths with a bad CRC
// are noise.
Status CheckPrelude(const char* p, Prelude* prelude) {
  uint32_t stored = static_cast<uint32_t>(LoadBigEndian(p + 8, 4));
  uint32_t computed = Crc32(p, 8);
  if (stored != computed) {
    return Status::Corruption(
        fmt::format("event-stream: prelude CRC mismatch (stored {:08x}, computed {:08x})", stored, computed));
  }
  prelude->total_bytes = static_cast<uint32_t>(LoadBigEndian(p, 4));
  prelude->headers_bytes = static_cast<uint32_t>(LoadBigEndian(p + 4, 4));
  if (prelude->total_bytes < kEventStreamOverheadBytes) {
    return Status::InvalidArgument(
        fmt::format("event-stream: total length {} is below the 16-byte minimum", prelude->total_bytes));
  }
  if (prelude->total_bytes > kEventStreamMaxMessageBytes) {
    return Status::InvalidArgument(fmt::format("event-stream: total length {} exceeds the limit of {}",
                                               prelude->total_bytes, kEventStreamMaxMessageBytes));
  }
  if (prelude->headers_bytes > kEventStreamMaxHeadersBytes) return HeadersTooLarge(prelude->headers_bytes);
  if (prelude->headers_bytes > prelude->total_bytes - kEventStreamOverheadBytes) {
    return Status::InvalidArgument(fmt::format("event-stream: headers length {} does not fit in a {}-byte message",
                                               prelude->headers_bytes, prelude->total_bytes));
  }
  return Status::Ok();
}

Status HeaderOverrun(size_t offset, const char* what) {
  return Status::InvalidArgument(
      fmt::format("event-stream: {} of the header at offset {} overruns the headers section", what, offset));
}

Status DecodeHeaders(std::string_view section, std::vector<EventStreamHeader>* headers) {
  size_t pos = 0;
  while (pos < section.size()) {
    size_t header_start = pos;
    size_t name_bytes = static_cast<uint8_t>(section[pos++]);
    // The name and the type byte after it.
    if (section.size() - pos < name_bytes + 1) return HeaderOverrun(header_start, "the name");
    EventStreamHeader& h = headers->emplace_back();
    h.name.assign(section.substr(pos, name_bytes));
    pos += name_bytes;
    uint8_t type_byte = static_cast<uint8_t>(section[pos++]);
    if (type_byte > kLastKnownType) {
      return Status::InvalidArgument(
          fmt::format("event-stream: unknown header value type {} at offset {}", type_byte, header_start));
    }
    h.value.type = static_cast<Type>(type_byte);
    int width = FixedWidth(h.value.type);
    if (width < 0) {  // uint16 length + bytes
      if (section.size() - pos < 2) return HeaderOverrun(header_start, "the value length");
      size_t length = LoadBigEndian(section.data() + pos, 2);
      pos += 2;
      if (section.size() - pos < length) return HeaderOverrun(header_start, "the value");
      h.value.bytes.assign(section.substr(pos, length));
      pos += length;
      continue;
    }
    if (section.size() - pos < static_cast<size_t>(width)) return HeaderOverrun(header_start, "the value");
    const char* p = section.data() + pos;
    pos += width;
    switch (h.value.type) {
      case Type::kByte: h.value.integer = static_cast<int8_t>(LoadBigEndian(p, 1)); break;
      case Type::kInt16: h.value.integer = static_cast<int16_t>(LoadBigEndian(p, 2)); break;
      case Type::kInt32: h.value.integer = static_cast<int32_t>(LoadBigEndian(p, 4)); break;
      case Type::kInt64:
      case Type::kTimestamp: h.value.integer = static_cast<int64_t>(LoadBigEndian(p, 8)); break;
      case Type::kUuid: h.value.bytes.assign(p, kUuidBytes); break;
      default: break;  // booleans carry no bytes
    }
  }
  return Status::Ok();
}

// Decodes one whole message whose prelude has been checked.
Status DecodeBody(std::string_view message, const Prelude& prelude, EventStreamMessage* out) {
  size_t crc_at = message.size() - 4;
  uint32_t stored = static_cast<uint32_t>(LoadBigEndian(message.data() + crc_at, 4));
  uint32_t computed = Crc32(message.data(), crc_at);
  if (stored != computed) {
    return Status::Corruption(
        fmt::format("event-stream: message CRC mismatch (stored {:08x}, computed {:08x})", stored, computed));
  }
  std::string_view rest = message.substr(kEventStreamPreludeBytes, crc_at - kEventStreamPreludeBytes);
  SLUICE_RETURN_IF_ERROR(DecodeHeaders(rest.substr(0, prelude.headers_bytes), &out->headers));
  out->payload.assign(rest.substr(prelude.headers_bytes));
  return Status::Ok();
}

}  // namespace

EventStreamHeaderValue EventStreamHeaderValue::Bool(bool value) {
  return {value ? Type::kBoolTrue : Type::kBoolFalse, 0, {}};
}
EventStreamHeaderValue EventStreamHeaderValue::Byte(int8_t value) { return {Type::kByte, value, {}}; }
EventStreamHeaderValue EventStreamHeaderValue::Int16(int16_t value) { return {Type::kInt16, value, {}}; }
EventStreamHeaderValue EventStreamHeaderValue::Int32(int32_t value) { return {Type::kInt32, value, {}}; }
EventStreamHeaderValue EventStreamHeaderValue::Int64(int64_t value) { return {Type::kInt64, value, {}}; }
EventStreamHeaderValue EventStreamHeaderValue::ByteArray(std::string_view value) {
  return {Type::kByteArray, 0, std::string(value)};
}
EventStreamHeaderValue EventStreamHeaderValue::String(std::string_view value) {
  return {Type::kString, 0, std::string(value)};
}
EventStreamHeaderValue EventStreamHeaderValue::TimestampMillis(int64_t epoch_ms) {
  return {Type::kTimestamp, epoch_ms, {}};
}
EventStreamHeaderValue EventStreamHeaderValue::Uuid(std::string_view value) {
  assert(value.size() == kUuidBytes);
  return {Type::kUuid, 0, std::string(value)};
}

const EventStreamHeaderValue* EventStreamMessage::Find(std::string_view name) const {
  for (const EventStreamHeader& h : headers) {
    if (h.name == name) return &h.value;
  }
  return nullptr;
}

Result<size_t> BeginMessage(std::span<const EventStreamHeader> headers, std::string* out) {
  size_t start = out->size();
  out->append(kEventStreamPreludeBytes, '\0');
  for (const EventStreamHeader& h : headers) {
    Status st = AppendHeader(h, out);
    size_t headers_bytes = out->size() - start - kEventStreamPreludeBytes;
    // Checked per header so that oversized input is refused early.
    if (st.ok() && headers_bytes > kEventStreamMaxHeadersBytes) st = HeadersTooLarge(headers_bytes);
    if (!st.ok()) {
      out->resize(start);
      return st;
    }
  }
  StoreBigEndian32(out->data() + start + 4, static_cast<uint32_t>(out->size() - start - kEventStreamPreludeBytes));
  return start;
}

Status FinishMessage(size_t start, std::string* out) {
  assert(out->size() >= start + kEventStreamPreludeBytes);
  size_t total = out->size() - start + 4;
  if (total > kEventStreamMaxMessageBytes) {
    out->resize(start);
    return Status::InvalidArgument(
        fmt::format("event-stream: message of {} bytes exceeds the limit of {}", total, kEventStreamMaxMessageBytes));
  }
  char* p = out->data() + start;
  StoreBigEndian32(p, static_cast<uint32_t>(total));
  StoreBigEndian32(p + 8, Crc32(p, 8));
  uint32_t message_crc = Crc32(p, total - 4);
  AppendBigEndian(out, message_crc, 4);
  return Status::Ok();
}

Status EncodeMessage(std::span<const EventStreamHeader> headers, std::string_view payload, std::string* out) {
  SLUICE_ASSIGN_OR_RETURN(size_t start, BeginMessage(headers, out));
  out->append(payload);
  return FinishMessage(start, out);
}

Status EncodeEvent(std::string_view event_type, std::string_view content_type, std::string_view payload,
                   std::string* out) {
  return EncodeStringHeaders({{":message-type", "event"}, {":event-type", event_type}, {":content-type", content_type}},
                             payload, out);
}

Status EncodeException(std::string_view exception_type, std::string_view content_type, std::string_view payload,
                       std::string* out) {
  return EncodeStringHeaders(
      {{":message-type", "exception"}, {":exception-type", exception_type}, {":content-type", content_type}}, payload,
      out);
}

Status EncodeInitialResponse(std::string_view content_type, std::string* out) {
  return EncodeEvent("initial-response", content_type, "{}", out);
}

Status EventStreamDecoder::Feed(std::string_view bytes, std::vector<EventStreamMessage>* messages) {
  if (!status_.ok()) return status_;
  // Whole messages are decoded straight from the caller's chunk; only an
  // incomplete tail is copied into buffer_.
  bool from_buffer = !buffer_.empty();
  if (from_buffer) buffer_.append(bytes);
  std::string_view input = from_buffer ? std::string_view(buffer_) : bytes;
  size_t pos = 0;
  Status st;
  while (input.size() - pos >= kEventStreamPreludeBytes) {
    Prelude prelude;
    st = CheckPrelude(input.data() + pos, &prelude);
    if (!st.ok()) break;
    if (input.size() - pos < prelude.total_bytes) break;
    EventStreamMessage message;
    st = DecodeBody(input.substr(pos, prelude.total_bytes), prelude, &message);
    if (!st.ok()) break;
    messages->push_back(std::move(message));
    pos += prelude.total_bytes;
  }
  if (!st.ok()) {
    status_ = std::move(st);
    std::string().swap(buffer_);
    return status_;
  }
  if (from_buffer) {
    buffer_.erase(0, pos);
  } else {
    buffer_.assign(input.substr(pos));
  }
  return Status::Ok();
}

}  // namespace sluice::protocol
