#include "protocol/event_stream.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::protocol {
namespace {

using namespace std::string_view_literals;
using Type = EventStreamHeaderType;
using Value = EventStreamHeaderValue;

// "00 00 00 1e" -> the four bytes.
std::string Hex(std::string_view hex) {
  std::string out;
  int nibbles = 0;
  unsigned byte = 0;
  for (char c : hex) {
    if (c == ' ') continue;
    unsigned v = (c >= '0' && c <= '9') ? c - '0' : (c | 0x20) - 'a' + 10;
    byte = byte << 4 | v;
    if (++nibbles == 2) {
      out.push_back(static_cast<char>(byte));
      nibbles = 0;
      byte = 0;
    }
  }
  return out;
}

std::string Be32(uint32_t v) {
  std::string out(4, '\0');
  for (int i = 0; i < 4; ++i) out[i] = static_cast<char>(v >> (8 * (3 - i)));
  return out;
}

uint32_t Crc(std::string_view bytes) {
  return static_cast<uint32_t>(crc32(0, reinterpret_cast<const Bytef*>(bytes.data()), bytes.size()));
}

// A prelude with the given lengths and a correct CRC.
std::string Prelude(uint32_t total, uint32_t headers) {
  std::string p = Be32(total) + Be32(headers);
  return p + Be32(Crc(p));
}

// A message around arbitrary header-section bytes, with both CRCs correct, so
// tests reach the header parser with malformed headers.
std::string Frame(std::string_view header_section, std::string_view payload) {
  std::string m = Prelude(static_cast<uint32_t>(16 + header_section.size() + payload.size()),
                          static_cast<uint32_t>(header_section.size()));
  m.append(header_section);
  m.append(payload);
  return m + Be32(Crc(m));
}

std::string Encode(const std::vector<EventStreamHeader>& headers, std::string_view payload) {
  std::string out;
  Status st = EncodeMessage(headers, payload, &out);
  EXPECT_TRUE(st.ok()) << st.ToString();
  return out;
}

// Decodes `bytes` in one Feed, expecting success and a clean end.
std::vector<EventStreamMessage> DecodeAll(std::string_view bytes) {
  EventStreamDecoder decoder;
  std::vector<EventStreamMessage> messages;
  Status st = decoder.Feed(bytes, &messages);
  EXPECT_TRUE(st.ok()) << st.ToString();
  EXPECT_TRUE(decoder.AtMessageBoundary());
  return messages;
}

// Decodes `bytes` in one Feed and returns the error.
Status DecodeError(std::string_view bytes) {
  EventStreamDecoder decoder;
  std::vector<EventStreamMessage> messages;
  Status st = decoder.Feed(bytes, &messages);
  EXPECT_FALSE(st.ok());
  EXPECT_TRUE(messages.empty());
  return st;
}

constexpr std::string_view kInitialResponseHeaders =
    "\x0d:message-type\x07\x00\x05"
    "event"
    "\x0b:event-type\x07\x00\x10"
    "initial-response"
    "\x0d:content-type\x07\x00\x10"
    "application/json"sv;

// --- The protocol doc's worked vectors -------------------------------------

TEST(EventStreamTest, NoHeaderMessageMatchesPublishedBytes) {
  std::string expected = Hex("00 00 00 1e 00 00 00 00 ba f2 f6 8a") + R"({"foo": "bar"})" + Hex("ae 72 58 e4");
  ASSERT_EQ(expected.size(), 30u);
  EXPECT_EQ(Encode({}, R"({"foo": "bar"})"), expected);

  std::vector<EventStreamMessage> messages = DecodeAll(expected);
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_TRUE(messages[0].headers.empty());
  EXPECT_EQ(messages[0].payload, R"({"foo": "bar"})");
}

TEST(EventStreamTest, InitialResponseMatchesPublishedBytes) {
  std::string expected =
      Hex("00 00 00 68 00 00 00 56 4e 68 17 24") + std::string(kInitialResponseHeaders) + "{}" + Hex("fe 94 2c 1d");
  ASSERT_EQ(expected.size(), 104u);
  ASSERT_EQ(kInitialResponseHeaders.size(), 0x56u);

  std::string out;
  ASSERT_TRUE(EncodeInitialResponse("application/json", &out).ok());
  EXPECT_EQ(out, expected);

  std::vector<EventStreamMessage> messages = DecodeAll(expected);
  ASSERT_EQ(messages.size(), 1u);
  const EventStreamMessage& m = messages[0];
  ASSERT_EQ(m.headers.size(), 3u);
  EXPECT_EQ(m.headers[0], (EventStreamHeader{":message-type", Value::String("event")}));
  EXPECT_EQ(m.headers[1], (EventStreamHeader{":event-type", Value::String("initial-response")}));
  EXPECT_EQ(m.headers[2], (EventStreamHeader{":content-type", Value::String("application/json")}));
  EXPECT_EQ(m.payload, "{}");
}

// docs/event-stream.md §4: a heartbeat with the headers in the server's
// order. This test keeps the doc's bytes true.
TEST(EventStreamTest, HeartbeatMatchesTheDocumentedBytes) {
  constexpr std::string_view kPayload =
      R"({"Records":[],"ContinuationSequenceNumber":"49646437577108476416916876405827138351405044649047359490",)"
      R"("MillisBehindLatest":0})";
  ASSERT_EQ(kPayload.size(), 125u);
  std::string expected = Hex("00 00 00 e8 00 00 00 5b 81 3f db 0b") +
                         std::string(
                             "\x0b:event-type\x07\x00\x15"
                             "SubscribeToShardEvent"
                             "\x0d:content-type\x07\x00\x10"
                             "application/json"
                             "\x0d:message-type\x07\x00\x05"
                             "event"sv) +
                         std::string(kPayload) + Hex("b6 1a 5d e0");
  ASSERT_EQ(expected.size(), 232u);
  EXPECT_EQ(Encode({{":event-type", Value::String("SubscribeToShardEvent")},
                    {":content-type", Value::String("application/json")},
                    {":message-type", Value::String("event")}},
                   kPayload),
            expected);
}

// --- Kinesis builders ------------------------------------------------------

TEST(EventStreamTest, EventCarriesMessageEventAndContentTypeHeaders) {
  std::string out = "prefix";
  ASSERT_TRUE(EncodeEvent("SubscribeToShardEvent", "application/x-amz-cbor-1.1", "\xa0", &out).ok());
  ASSERT_EQ(out.substr(0, 6), "prefix");  // appends
  std::vector<EventStreamMessage> messages = DecodeAll(std::string_view(out).substr(6));
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].headers,
            (std::vector<EventStreamHeader>{{":message-type", Value::String("event")},
                                            {":event-type", Value::String("SubscribeToShardEvent")},
                                            {":content-type", Value::String("application/x-amz-cbor-1.1")}}));
  EXPECT_EQ(messages[0].payload, "\xa0");
}

TEST(EventStreamTest, ExceptionCarriesExceptionTypeHeader) {
  std::string out;
  std::string payload = R"({"message":"Another active subscription exists"})";
  ASSERT_TRUE(EncodeException("ResourceInUseException", "application/json", payload, &out).ok());
  std::vector<EventStreamMessage> messages = DecodeAll(out);
  ASSERT_EQ(messages.size(), 1u);
  const EventStreamMessage& m = messages[0];
  ASSERT_NE(m.Find(":message-type"), nullptr);
  EXPECT_EQ(m.Find(":message-type")->bytes, "exception");
  EXPECT_EQ(m.Find(":exception-type")->bytes, "ResourceInUseException");
  EXPECT_EQ(m.Find(":content-type")->bytes, "application/json");
  EXPECT_EQ(m.Find(":event-type"), nullptr);
  EXPECT_EQ(m.payload, payload);
  // Same bytes as the generic encoder with the same headers.
  EXPECT_EQ(out, Encode(m.headers, payload));
}

// --- Header types ----------------------------------------------------------

// The bytes of the single header of `message` (after the 12-byte prelude).
std::string HeaderBytes(const std::string& message) {
  uint32_t headers = 0;
  for (int i = 4; i < 8; ++i) headers = headers << 8 | static_cast<uint8_t>(message[i]);
  return message.substr(12, headers);
}

TEST(EventStreamTest, EncodesEachHeaderTypeAsSpecified) {
  auto one = [](Value v) { return HeaderBytes(Encode({{"h", std::move(v)}}, "")); };
  EXPECT_EQ(one(Value::Bool(true)), Hex("01 68 00"));
  EXPECT_EQ(one(Value::Bool(false)), Hex("01 68 01"));
  EXPECT_EQ(one(Value::Byte(-2)), Hex("01 68 02 fe"));
  EXPECT_EQ(one(Value::Int16(0x1234)), Hex("01 68 03 12 34"));
  EXPECT_EQ(one(Value::Int32(-2)), Hex("01 68 04 ff ff ff fe"));
  EXPECT_EQ(one(Value::Int64(0x0102030405060708)), Hex("01 68 05 01 02 03 04 05 06 07 08"));
  EXPECT_EQ(one(Value::ByteArray(Hex("00 ff"))), Hex("01 68 06 00 02 00 ff"));
  EXPECT_EQ(one(Value::String("ab")), Hex("01 68 07 00 02 61 62"));
  EXPECT_EQ(one(Value::TimestampMillis(1506440188749)), Hex("01 68 08 00 00 01 5e be d5 13 4d"));
  EXPECT_EQ(one(Value::Uuid(Hex("00112233445566778899aabbccddeeff"))),
            Hex("01 68 09 00 11 22 33 44 55 66 77 88 99 aa bb cc dd ee ff"));
}

TEST(EventStreamTest, EveryHeaderTypeRoundTrips) {
  std::vector<EventStreamHeader> headers = {
      {"true", Value::Bool(true)},
      {"false", Value::Bool(false)},
      {"byte-min", Value::Byte(INT8_MIN)},
      {"byte-max", Value::Byte(INT8_MAX)},
      {"int16-min", Value::Int16(INT16_MIN)},
      {"int16-max", Value::Int16(INT16_MAX)},
      {"int32-min", Value::Int32(INT32_MIN)},
      {"int32-max", Value::Int32(INT32_MAX)},
      {"int64-min", Value::Int64(INT64_MIN)},
      {"int64-max", Value::Int64(INT64_MAX)},
      {"bytes-empty", Value::ByteArray("")},
      {"bytes", Value::ByteArray(std::string("\x00\x01\xfe\xff", 4))},
      {"string-empty", Value::String("")},
      {"string", Value::String("h\xc3\xa9llo")},
      {"string-longest", Value::String(std::string(65535, 's'))},
      {"timestamp", Value::TimestampMillis(1506440188749)},
      {"timestamp-before-epoch", Value::TimestampMillis(-1)},
      {"uuid", Value::Uuid(Hex("00112233445566778899aabbccddeeff"))},
      {"", Value::String("empty name")},
      {std::string(255, 'n'), Value::Int32(7)},
      {"true", Value::Bool(false)},  // names may repeat
  };
  std::string payload("\x00payload\xff", 9);
  std::string bytes = Encode(headers, payload);
  std::vector<EventStreamMessage> messages = DecodeAll(bytes);
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].headers, headers);
  EXPECT_EQ(messages[0].payload, payload);
  EXPECT_EQ(messages[0].Find("true")->type, Type::kBoolTrue);  // the first of the two
  // Re-encoding the decoded message gives the same bytes.
  EXPECT_EQ(Encode(messages[0].headers, messages[0].payload), bytes);
}

TEST(EventStreamTest, InPlaceEncodingEqualsEncodeMessage) {
  std::vector<EventStreamHeader> headers = {{":message-type", Value::String("event")}};
  std::string out = "xy";
  Result<size_t> start = BeginMessage(headers, &out);
  ASSERT_TRUE(start.ok());
  EXPECT_EQ(*start, 2u);
  out.append("payload written in place");
  ASSERT_TRUE(FinishMessage(*start, &out).ok());
  EXPECT_EQ(out, "xy" + Encode(headers, "payload written in place"));
}

// --- Incremental decoding --------------------------------------------------

std::string ThreeMessageStream() {
  std::string s;
  EXPECT_TRUE(EncodeInitialResponse("application/json", &s).ok());
  EXPECT_TRUE(EncodeEvent("SubscribeToShardEvent", "application/json",
                          R"({"Records":[],"ContinuationSequenceNumber":"1","MillisBehindLatest":0})", &s)
                  .ok());
  s += Encode({}, "");  // the smallest message: 16 bytes
  EXPECT_TRUE(EncodeException("InternalFailureException", "application/json", R"({"message":"x"})", &s).ok());
  return s;
}

TEST(EventStreamTest, DecodesStreamFedOneByteAtATime) {
  std::string stream = ThreeMessageStream();
  std::vector<EventStreamMessage> whole = DecodeAll(stream);
  ASSERT_EQ(whole.size(), 4u);

  EventStreamDecoder decoder;
  std::vector<EventStreamMessage> messages;
  size_t first_message_bytes = 104;
  for (size_t i = 0; i < stream.size(); ++i) {
    ASSERT_TRUE(decoder.Feed(stream.substr(i, 1), &messages).ok()) << i;
    if (i + 1 < first_message_bytes) {
      EXPECT_TRUE(messages.empty()) << i;  // nothing before the last byte of a message
      EXPECT_FALSE(decoder.AtMessageBoundary());
    }
    if (i + 1 == first_message_bytes) {
      EXPECT_EQ(messages.size(), 1u);
      EXPECT_TRUE(decoder.AtMessageBoundary());
    }
  }
  EXPECT_TRUE(decoder.AtMessageBoundary());
  EXPECT_EQ(messages, whole);
}

TEST(EventStreamTest, DecodesStreamFedInRandomChunks) {
  std::string stream;
  for (int i = 0; i < 5; ++i) stream += ThreeMessageStream();
  std::vector<EventStreamMessage> whole = DecodeAll(stream);
  ASSERT_EQ(whole.size(), 20u);

  std::mt19937 rng(20261124);
  for (int trial = 0; trial < 200; ++trial) {
    std::uniform_int_distribution<size_t> chunk(0, trial % 2 ? 17 : 300);  // includes empty chunks
    EventStreamDecoder decoder;
    std::vector<EventStreamMessage> messages;
    for (size_t pos = 0; pos < stream.size();) {
      size_t n = std::min(chunk(rng), stream.size() - pos);
      ASSERT_TRUE(decoder.Feed(stream.substr(pos, n), &messages).ok());
      pos += n;
    }
    EXPECT_TRUE(decoder.AtMessageBoundary());
    EXPECT_EQ(decoder.buffered_bytes(), 0u);
    ASSERT_EQ(messages, whole) << "trial " << trial;
  }
}

TEST(EventStreamTest, TruncatedStreamIsNotAtMessageBoundary) {
  std::string stream = ThreeMessageStream();
  std::string last;
  ASSERT_TRUE(EncodeException("InternalFailureException", "application/json", R"({"message":"x"})", &last).ok());
  EventStreamDecoder decoder;
  std::vector<EventStreamMessage> messages;
  ASSERT_TRUE(decoder.Feed(std::string_view(stream).substr(0, stream.size() - 1), &messages).ok());
  EXPECT_EQ(messages.size(), 3u);
  EXPECT_FALSE(decoder.AtMessageBoundary());
  EXPECT_EQ(decoder.buffered_bytes(), last.size() - 1);
}

// --- Rejections ------------------------------------------------------------

TEST(EventStreamTest, PreludeCrcMismatchIsCorruption) {
  std::string m = Encode({{"a", Value::String("b")}}, "payload");
  m[9] ^= 0x01;  // inside the stored prelude CRC
  Status st = DecodeError(m);
  EXPECT_EQ(st.code(), ErrorCode::kCorruption);
  EXPECT_NE(st.message().find("prelude CRC"), std::string::npos) << st.message();

  // A flipped length is caught by the prelude CRC too.
  m = Encode({}, "payload");
  m[3] ^= 0x01;
  EXPECT_EQ(DecodeError(m).code(), ErrorCode::kCorruption);
}

TEST(EventStreamTest, MessageCrcMismatchIsCorruption) {
  std::string m = Encode({{"a", Value::String("b")}}, "payload");
  m[m.size() - 6] ^= 0x80;  // a payload byte
  Status st = DecodeError(m);
  EXPECT_EQ(st.code(), ErrorCode::kCorruption);
  EXPECT_NE(st.message().find("message CRC"), std::string::npos) << st.message();

  m = Encode({{"a", Value::String("b")}}, "payload");
  m[13] ^= 0x01;  // a header byte
  EXPECT_EQ(DecodeError(m).code(), ErrorCode::kCorruption);

  m = Encode({}, "");
  m.back() ^= 0x01;  // the stored CRC itself
  EXPECT_EQ(DecodeError(m).code(), ErrorCode::kCorruption);
}

TEST(EventStreamTest, TotalLengthBelowSixteenIsRejected) {
  for (uint32_t total : {0u, 12u, 15u}) {
    Status st = DecodeError(Prelude(total, 0));  // refused from the prelude alone
    EXPECT_EQ(st.code(), ErrorCode::kInvalidArgument) << total;
    EXPECT_NE(st.message().find("total length"), std::string::npos) << st.message();
  }
}

TEST(EventStreamTest, TotalLengthOverSixteenMebibytesIsRejectedFromThePrelude) {
  for (uint32_t total : {uint32_t{16 << 20} + 1, UINT32_MAX}) {
    Status st = DecodeError(Prelude(total, 0));
    EXPECT_EQ(st.code(), ErrorCode::kInvalidArgument) << total;
    EXPECT_NE(st.message().find("exceeds"), std::string::npos) << st.message();
  }
}

TEST(EventStreamTest, HeadersLengthBeyondMessageIsRejected) {
  EXPECT_EQ(DecodeError(Prelude(20, 5)).code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(DecodeError(Prelude(16, 1)).code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(DecodeError(Prelude(16, UINT32_MAX)).code(), ErrorCode::kInvalidArgument);
}

TEST(EventStreamTest, HeadersLengthOver128KibIsRejected) {
  Status st = DecodeError(Prelude(16 << 20, (128 << 10) + 1));
  EXPECT_EQ(st.code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(st.message().find("headers section"), std::string::npos) << st.message();
}

TEST(EventStreamTest, HeaderOverrunningItsSectionIsRejected) {
  struct Case {
    std::string_view section;
    std::string_view error;
  };
  const Case cases[] = {
      {"\x05"
       "abc"sv,
       "the name of the header at offset 0"},  // name longer than the section
      {"\x03"
       "abc"sv,
       "the name of the header at offset 0"},  // name fits, type byte missing
      {"\x01"
       "a\x07\x00"sv,
       "the value length"},  // string length prefix cut off
      {"\x01"
       "a\x07\x00\x05"
       "abcd"sv,
       "the value of"},  // string shorter than its length
      {"\x01"
       "a\x06\x00\x02"
       "x"sv,
       "the value of"},  // byte array shorter than its length
      {"\x01"
       "a\x04\x00\x00\x00"sv,
       "the value of"},  // int32 cut off
      {"\x01"
       "a\x05\x00\x00\x00\x00\x00"sv,
       "the value of"},  // int64 cut off
      {"\x01"
       "a\x08\x00"sv,
       "the value of"},  // timestamp cut off
      {"\x01"
       "a\x09\x00\x11\x22"sv,
       "the value of"},  // UUID cut off
      {"\x01"
       "a\x00\x01"
       "b\x02"sv,
       "the value of the header at offset 3"},  // second header's byte cut off
  };
  for (const Case& c : cases) {
    // A payload follows the section; it must not be read as header bytes.
    Status st = DecodeError(Frame(c.section, "PAYLOADPAYLOAD"));
    EXPECT_EQ(st.code(), ErrorCode::kInvalidArgument) << st.ToString();
    EXPECT_NE(st.message().find("overruns"), std::string::npos) << st.message();
    EXPECT_NE(st.message().find(c.error), std::string::npos) << st.message();
  }
}

TEST(EventStreamTest, UnknownHeaderValueTypeIsRejected) {
  for (char type : {'\x0a', '\x7f', '\xff'}) {
    std::string section = std::string(
                              "\x01"
                              "a") +
                          type + std::string(16, '\0');
    Status st = DecodeError(Frame(section, ""));
    EXPECT_EQ(st.code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(st.message().find("unknown header value type"), std::string::npos) << st.message();
  }
}

TEST(EventStreamTest, DecoderStaysFailedAfterAnError) {
  std::string good = Encode({}, "good");
  std::string bad = good;
  bad[14] ^= 0x01;  // a payload byte

  EventStreamDecoder decoder;
  std::vector<EventStreamMessage> messages;
  Status st = decoder.Feed(good + bad + good, &messages);
  EXPECT_EQ(st.code(), ErrorCode::kCorruption);
  ASSERT_EQ(messages.size(), 1u);  // the message before the bad one is delivered
  EXPECT_EQ(messages[0].payload, "good");
  EXPECT_TRUE(decoder.failed());

  Status again = decoder.Feed(good, &messages);
  EXPECT_EQ(again.code(), ErrorCode::kCorruption);
  EXPECT_EQ(again.message(), st.message());
  EXPECT_EQ(messages.size(), 1u);
  EXPECT_EQ(decoder.buffered_bytes(), 0u);
}

TEST(EventStreamTest, BadPreludeIsRefusedBeforeTheBodyArrives) {
  std::string m = Encode({}, std::string(1000, 'x'));
  m[9] ^= 0x01;
  EventStreamDecoder decoder;
  std::vector<EventStreamMessage> messages;
  EXPECT_TRUE(decoder.Feed(std::string_view(m).substr(0, 11), &messages).ok());
  EXPECT_EQ(decoder.Feed(std::string_view(m).substr(11, 1), &messages).code(), ErrorCode::kCorruption);
}

// --- Limits ----------------------------------------------------------------

TEST(EventStreamTest, MessageOfExactlySixteenMebibytesIsAccepted) {
  std::vector<EventStreamHeader> headers = {{":message-type", Value::String("event")}};
  size_t headers_bytes = 1 + 13 + 1 + 2 + 5;
  std::string payload(kEventStreamMaxMessageBytes - 16 - headers_bytes, 'p');
  std::string bytes = Encode(headers, payload);
  ASSERT_EQ(bytes.size(), kEventStreamMaxMessageBytes);

  EventStreamDecoder decoder;
  std::vector<EventStreamMessage> messages;
  // In two chunks, splitting the prelude.
  ASSERT_TRUE(decoder.Feed(std::string_view(bytes).substr(0, 5), &messages).ok());
  ASSERT_TRUE(decoder.Feed(std::string_view(bytes).substr(5), &messages).ok());
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].headers, headers);
  EXPECT_TRUE(messages[0].payload == payload);
}

TEST(EventStreamTest, EncoderRefusesAMessageOverSixteenMebibytes) {
  std::string out = "kept";
  Status st = EncodeMessage({}, std::string(kEventStreamMaxMessageBytes - 15, 'p'), &out);
  EXPECT_EQ(st.code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(out, "kept");
  st = EncodeEvent("SubscribeToShardEvent", "application/json", std::string(kEventStreamMaxMessageBytes, 'p'), &out);
  EXPECT_EQ(st.code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(out, "kept");
  EXPECT_TRUE(EncodeMessage({}, std::string(kEventStreamMaxMessageBytes - 16, 'p'), &out).ok());
}

// Two string headers filling the headers section to `section_bytes`.
std::vector<EventStreamHeader> HeadersOfSize(size_t section_bytes) {
  size_t first = 1 + 1 + 1 + 2 + 65535;
  return {{"a", Value::String(std::string(65535, 'v'))},
          {"b", Value::String(std::string(section_bytes - first - 5, 'w'))}};
}

TEST(EventStreamTest, HeadersSectionOfExactly128KibIsAccepted) {
  std::vector<EventStreamHeader> headers = HeadersOfSize(kEventStreamMaxHeadersBytes);
  std::string bytes = Encode(headers, "{}");
  ASSERT_EQ(bytes.size(), 16 + kEventStreamMaxHeadersBytes + 2);
  std::vector<EventStreamMessage> messages = DecodeAll(bytes);
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].headers, headers);

  std::string out;
  EXPECT_EQ(EncodeMessage(HeadersOfSize(kEventStreamMaxHeadersBytes + 1), "{}", &out).code(),
            ErrorCode::kInvalidArgument);
  EXPECT_TRUE(out.empty());
}

TEST(EventStreamTest, EncoderRefusesValuesThatDoNotFitTheirType) {
  std::string out;
  auto fails = [&](std::vector<EventStreamHeader> headers) {
    Status st = EncodeMessage(headers, "", &out);
    return st.code() == ErrorCode::kInvalidArgument && out.empty();
  };
  EXPECT_TRUE(fails({{std::string(256, 'n'), Value::Bool(true)}}));
  EXPECT_TRUE(fails({{"s", Value::String(std::string(65536, 's'))}}));
  EXPECT_TRUE(fails({{"b", Value::ByteArray(std::string(65536, 'b'))}}));
  EXPECT_TRUE(fails({{"u", {Type::kUuid, 0, std::string(15, 'u')}}}));
  EXPECT_TRUE(fails({{"i", {Type::kByte, 128, {}}}}));
  EXPECT_TRUE(fails({{"i", {Type::kInt16, -32769, {}}}}));
  EXPECT_TRUE(fails({{"i", {Type::kInt32, int64_t{1} << 31, {}}}}));
  EXPECT_TRUE(fails({{"t", {static_cast<Type>(10), 0, {}}}}));
  EXPECT_TRUE(fails({{"ok", Value::String("fine")}, {"s", Value::String(std::string(65536, 's'))}}));
  EXPECT_TRUE(EncodeException("x", "application/json", "", &out).ok());
  std::string long_type(65536, 'x');
  size_t before = out.size();
  EXPECT_EQ(EncodeException(long_type, "application/json", "", &out).code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(out.size(), before);
}

// An event over kMaxRecordsPayloadBytes holds a single record; the largest
// (10 MiB of Data, base64 in JSON) plus a generous envelope must still fit.
constexpr size_t kMaxRecordData = 10 << 20;
constexpr size_t kMaxRecordBase64 = (kMaxRecordData + 2) / 3 * 4;
constexpr size_t kEnvelope = 64 << 10;  // partition key, sequence number, field names, headers
static_assert(kMaxRecordBase64 + kEnvelope + kEventStreamOverheadBytes < kEventStreamMaxMessageBytes);
static_assert(kMaxRecordsPayloadBytes + kEnvelope < kEventStreamMaxMessageBytes);

}  // namespace
}  // namespace sluice::protocol
