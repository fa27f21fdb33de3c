// The AWS event-stream message codec (`application/vnd.amazon.eventstream`),
// the framing of a SubscribeToShard response body. Bytes in, bytes out: no
// I/O, no clocks. The format is described in docs/event-stream.md, with worked examples;
// in short, one message is
//
//   total length   uint32 BE   whole message, these 4 bytes and the trailing CRC included
//   headers length uint32 BE   bytes of the headers section
//   prelude CRC    uint32 BE   CRC-32 (IEEE, as zlib) of the previous 8 bytes
//   headers        repeated:   name length (uint8), name, value type (uint8), value
//   payload        total - headers length - 16 bytes
//   message CRC    uint32 BE   CRC-32 of every preceding byte of the message
//
// Header values (type byte, then encoding, all integers big-endian):
//   0 true (no bytes)  1 false (no bytes)  2 int8  3 int16  4 int32  5 int64
//   6 byte array (uint16 length + bytes)   7 string (uint16 length + UTF-8)
//   8 timestamp (int64 epoch milliseconds)  9 UUID (16 bytes)
//
// Limits are those of the reference C implementation (aws-c-event-stream),
// which the C++ SDK decodes with: a message is at most 16 MiB, a headers
// section at most 128 KiB. The encoder refuses to exceed them and the
// decoder rejects messages that do.
//
// Threading: the free functions are thread-safe; an EventStreamDecoder is
// used by one thread at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"

namespace sluice::protocol {

// Fixed overhead of a message: total length, headers length, prelude CRC
// (the 12-byte prelude) and the trailing message CRC.
inline constexpr size_t kEventStreamPreludeBytes = 12;
inline constexpr size_t kEventStreamOverheadBytes = 16;
inline constexpr size_t kEventStreamMaxMessageBytes = 16 * 1024 * 1024;
inline constexpr size_t kEventStreamMaxHeadersBytes = 128 * 1024;

// Budget for the serialized payload of one SubscribeToShardEvent, for the
// delivery code that builds it (not enforced here).
//
// Splitting rule: append records to the event while the payload stays within
// this budget, counting each record at its encoded size (base64 Data in JSON
// grows by 4/3; CBOR carries the bytes as they are); a record that would
// cross the budget starts the next event, and an event always carries at
// least one record. So an event is either within the budget or holds a
// single record, and the largest single record, a 10 MiB Data blob (about
// 13.3 MiB as base64) plus its partition key, sequence number and envelope,
// still fits under kEventStreamMaxMessageBytes, about 2.6 MiB to spare. 2 MiB
// is also the per-shard, per-consumer throughput of one second (§6.2), so
// apart from a single large record an event holds at most about a second of
// a busy shard, which is what a client's SDK buffers per message.
inline constexpr size_t kMaxRecordsPayloadBytes = 2 * 1024 * 1024;

enum class EventStreamHeaderType : uint8_t {
  kBoolTrue = 0,
  kBoolFalse = 1,
  kByte = 2,
  kInt16 = 3,
  kInt32 = 4,
  kInt64 = 5,
  kByteArray = 6,
  kString = 7,
  kTimestamp = 8,
  kUuid = 9,
};

// A typed header value. Only the field the type uses is meaningful; the
// other stays at its default so that values compare equal with ==.
struct EventStreamHeaderValue {
  EventStreamHeaderType type = EventStreamHeaderType::kString;
  // kByte, kInt16, kInt32, kInt64; kTimestamp as epoch milliseconds.
  int64_t integer = 0;
  // kByteArray and kString (at most 65535 bytes); kUuid (exactly 16 bytes).
  std::string bytes;

  static EventStreamHeaderValue Bool(bool value);
  static EventStreamHeaderValue Byte(int8_t value);
  static EventStreamHeaderValue Int16(int16_t value);
  static EventStreamHeaderValue Int32(int32_t value);
  static EventStreamHeaderValue Int64(int64_t value);
  static EventStreamHeaderValue ByteArray(std::string_view value);
  static EventStreamHeaderValue String(std::string_view value);
  static EventStreamHeaderValue TimestampMillis(int64_t epoch_ms);
  // `value` must be 16 bytes, in wire order.
  static EventStreamHeaderValue Uuid(std::string_view value);

  bool operator==(const EventStreamHeaderValue&) const = default;
};

struct EventStreamHeader {
  // At most 255 bytes by the format. aws-c-event-stream (the C++ SDK's
  // decoder) refuses names over 127 bytes; the Kinesis names are all short.
  std::string name;
  EventStreamHeaderValue value;

  bool operator==(const EventStreamHeader&) const = default;
};

struct EventStreamMessage {
  std::vector<EventStreamHeader> headers;  // in wire order; names may repeat
  std::string payload;

  // The first header called `name`, or null.
  const EventStreamHeaderValue* Find(std::string_view name) const;

  bool operator==(const EventStreamMessage&) const = default;
};

// Appends one message to *out.
// Returns InvalidArgument, leaving *out as it was, when a header name is
// longer than 255 bytes, a string or byte array longer than 65535, a UUID not
// 16 bytes, an integer outside its type's range, the headers section over
// kEventStreamMaxHeadersBytes or the message over kEventStreamMaxMessageBytes.
Status EncodeMessage(std::span<const EventStreamHeader> headers, std::string_view payload, std::string* out);

// Building a message in place, for payloads written straight into the output
// buffer (a JsonWriter on *out) instead of copied in:
//   SLUICE_ASSIGN_OR_RETURN(size_t start, BeginMessage(headers, out));
//   ... append the payload to *out ...
//   SLUICE_RETURN_IF_ERROR(FinishMessage(start, out));
// BeginMessage appends the prelude (lengths not yet final) and the headers and
// returns where the message starts; it fails as EncodeMessage does, leaving
// *out as it was. FinishMessage fills in the total length and both CRCs; if
// the message would exceed kEventStreamMaxMessageBytes it truncates *out back
// to `start` and returns InvalidArgument. Nothing but the payload may be
// appended in between.
Result<size_t> BeginMessage(std::span<const EventStreamHeader> headers, std::string* out);
Status FinishMessage(size_t start, std::string* out);

// Kinesis messages. All headers are strings, in the order the protocol doc's
// worked example uses (:message-type first); clients look headers up by name.
//
// `:message-type=event`, `:event-type=<event_type>`, `:content-type=<content_type>`.
Status EncodeEvent(std::string_view event_type, std::string_view content_type, std::string_view payload,
                   std::string* out);
// `:message-type=exception`, `:exception-type=<exception_type>`,
// `:content-type=<content_type>`. Kinesis sends `{"message":"..."}` as the
// payload and ends the stream after it.
Status EncodeException(std::string_view exception_type, std::string_view content_type, std::string_view payload,
                       std::string* out);
// The first message of a SubscribeToShard response: an `initial-response`
// event with payload `{}`.
Status EncodeInitialResponse(std::string_view content_type, std::string* out);

// Incremental decoder: feed the bytes of a response (or request) body in
// chunks of any size, get complete messages out.
//
// Errors (the decoder then stays failed; every later Feed returns the same
// status):
//   Corruption       prelude CRC or message CRC mismatch
//   InvalidArgument  total length < 16 or > kEventStreamMaxMessageBytes,
//                    headers length > total - 16 or > kEventStreamMaxHeadersBytes,
//                    a header overrunning the headers section, an unknown
//                    value type
// The prelude is checked as soon as its 12 bytes have arrived, so a bad
// length is refused before any of the message is buffered. Memory: at most
// one partial message (<= 16 MiB) plus the unparsed part of the last chunk.
//
// A clean end of stream is AtMessageBoundary() after the last Feed; anything
// else means the peer stopped mid-message.
class EventStreamDecoder {
 public:
  // Decodes every message completed by `bytes`, appending them to *messages
  // in order. On error, messages completed before the bad one have still
  // been appended.
  Status Feed(std::string_view bytes, std::vector<EventStreamMessage>* messages);

  bool failed() const { return !status_.ok(); }
  const Status& status() const { return status_; }
  // True when no partial message is buffered.
  bool AtMessageBoundary() const { return buffer_.empty(); }
  size_t buffered_bytes() const { return buffer_.size(); }

 private:
  std::string buffer_;  // the start of an incomplete message
  Status status_;
};

}  // namespace sluice::protocol
