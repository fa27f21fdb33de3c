// A SubscribeToShard response read as it streams: HTTP/1.1 head, chunked
// transfer-encoding and event-stream messages, all parsed incrementally by
// ResponseParser + EventStreamBody. The bytes are real: messages come from
// the protocol library's encoder, framed in chunks by hand.
#include "http/event_stream_body.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "http/response_parser.h"
#include "bench/paced_producer.h"
#include "util/base64.h"

namespace sluice::bench {

using http::DescribeException;
using http::EventStreamBody;
using http::KindOf;
using http::ResponseParser;
using http::SubscribeMessageKind;
namespace {

constexpr const char* kHead =
    "HTTP/1.1 200 OK\r\n"
    "Content-Type: application/vnd.amazon.eventstream\r\n"
    "Transfer-Encoding: chunked\r\n\r\n";

std::string Chunk(std::string_view bytes) {
  char size[32];
  std::snprintf(size, sizeof(size), "%zx\r\n", bytes.size());
  return size + std::string(bytes) + "\r\n";
}

std::string InitialResponse() {
  std::string out;
  EXPECT_TRUE(protocol::EncodeInitialResponse("application/json", &out).ok());
  return out;
}

// A base64 Data value stamped with `sent_ns`, as a PacedProducer writes it.
std::string StampedData(int64_t sent_ns) {
  std::string data(20, 'x');
  WriteStamp(sent_ns, &data);
  return base64::Encode(data);
}

std::string RecordsEvent(const std::vector<std::string>& data_b64) {
  std::string payload = "{\"Records\":[";
  for (size_t i = 0; i < data_b64.size(); ++i) {
    if (i) payload += ",";
    payload += "{\"SequenceNumber\":\"" + std::to_string(i) + "\",\"ApproximateArrivalTimestamp\":1.7e9,\"Data\":\"" +
               data_b64[i] + "\",\"PartitionKey\":\"k\"}";
  }
  payload += "],\"ContinuationSequenceNumber\":\"9\",\"MillisBehindLatest\":0}";
  std::string out;
  EXPECT_TRUE(protocol::EncodeEvent("SubscribeToShardEvent", "application/json", payload, &out).ok());
  return out;
}

// Collects what an EventStreamBody delivers, fed through a ResponseParser.
struct Reader {
  Reader() : body([this](const protocol::EventStreamMessage& m) { messages.push_back(m); }) {
    parser.set_body_sink(&body);
  }
  // Feeds `bytes` in two pieces split at `at`; returns bytes consumed.
  size_t FeedSplit(const std::string& bytes, size_t at) {
    size_t used = parser.Feed(bytes.data(), at);
    if (used == at) used += parser.Feed(bytes.data() + at, bytes.size() - at);
    return used;
  }

  std::vector<protocol::EventStreamMessage> messages;
  EventStreamBody body;
  ResponseParser parser;
};

// initial-response and two events: the first chunk holds the initial
// response and the first event whole plus the start of the second, which
// ends in the next chunk; then the final zero-length chunk.
struct Stream {
  Stream() {
    initial = InitialResponse();
    first = RecordsEvent({StampedData(1000), StampedData(2000)});
    second = RecordsEvent({StampedData(3000)});
    const size_t cut = second.size() / 2;
    bytes = kHead + Chunk(initial + first + second.substr(0, cut)) + Chunk(second.substr(cut)) + "0\r\n\r\n";
  }
  std::string initial, first, second, bytes;
};

TEST(EventStreamBodyTest, SplitAtEveryByteBoundaryGivesTheSameMessages) {
  const Stream s;
  for (size_t at = 0; at <= s.bytes.size(); ++at) {
    Reader r;
    ASSERT_EQ(r.FeedSplit(s.bytes, at), s.bytes.size()) << at;
    ASSERT_TRUE(r.parser.complete()) << at;
    ASSERT_EQ(r.messages.size(), 3u) << at;
    EXPECT_EQ(KindOf(r.messages[0]), SubscribeMessageKind::kInitialResponse);
    EXPECT_EQ(r.messages[0].payload, "{}");
    EXPECT_EQ(KindOf(r.messages[1]), SubscribeMessageKind::kRecords);
    EXPECT_EQ(KindOf(r.messages[2]), SubscribeMessageKind::kRecords);
    EXPECT_FALSE(r.body.failed());
    EXPECT_TRUE(r.body.at_message_boundary());
    EXPECT_EQ(r.parser.body(), "");  // streamed, not buffered
  }
}

TEST(EventStreamBodyTest, ByteAtATime) {
  const Stream s;
  Reader r;
  for (char ch : s.bytes) ASSERT_EQ(r.parser.Feed(&ch, 1), 1u);
  EXPECT_TRUE(r.parser.complete());
  ASSERT_EQ(r.messages.size(), 3u);
  EXPECT_EQ(r.body.messages(), 3u);
  Histogram latency;
  const StampScan scan = RecordStampedLatencies(r.messages[1].payload, 5000, &latency);
  EXPECT_EQ(scan.stamped, 2u);
  EXPECT_EQ(latency.min(), 3000);  // 5000 - 2000
  EXPECT_EQ(latency.max(), 4000);  // 5000 - 1000
}

TEST(EventStreamBodyTest, SeveralEventsInOneChunkArriveTogether) {
  const std::string initial = InitialResponse();
  const std::string a = RecordsEvent({StampedData(1)});
  const std::string b = RecordsEvent({StampedData(2), StampedData(3)});
  Reader r;
  const std::string head = kHead;
  r.parser.Feed(head.data(), head.size());
  EXPECT_TRUE(r.messages.empty());
  const std::string chunk = Chunk(initial + a + b);
  r.parser.Feed(chunk.data(), chunk.size());
  ASSERT_EQ(r.messages.size(), 3u);
  EXPECT_EQ(KindOf(r.messages[2]), SubscribeMessageKind::kRecords);
  EXPECT_FALSE(r.parser.complete());  // the stream goes on
}

TEST(EventStreamBodyTest, EventSpanningChunksIsDeliveredWhenItsLastByteArrives) {
  const std::string event = RecordsEvent({StampedData(7)});
  Reader r;
  std::string bytes = kHead;
  // Three chunks of one event: the CRC at its end arrives last.
  const size_t third = event.size() / 3;
  bytes += Chunk(event.substr(0, third)) + Chunk(event.substr(third, third));
  r.parser.Feed(bytes.data(), bytes.size());
  EXPECT_TRUE(r.messages.empty());
  EXPECT_FALSE(r.body.at_message_boundary());
  // The last chunk, all but its trailing CRLF: the event is whole already.
  const std::string last = Chunk(event.substr(2 * third));
  r.parser.Feed(last.data(), last.size() - 2);
  ASSERT_EQ(r.messages.size(), 1u);
  EXPECT_TRUE(r.body.at_message_boundary());
  Histogram latency;
  EXPECT_EQ(RecordStampedLatencies(r.messages[0].payload, 10, &latency).stamped, 1u);
  EXPECT_EQ(latency.max(), 3);
}

TEST(EventStreamBodyTest, FinalZeroChunkCompletesTheResponse) {
  const std::string initial = InitialResponse();
  Reader r;
  const std::string bytes = kHead + Chunk(initial);
  EXPECT_EQ(r.parser.Feed(bytes.data(), bytes.size()), bytes.size());
  EXPECT_FALSE(r.parser.complete());
  const std::string end = "0\r\n\r\n";
  // A keep-alive connection's next bytes are left alone.
  const std::string more = end + "HTTP/1.1 200 OK\r\n";
  EXPECT_EQ(r.parser.Feed(more.data(), more.size()), end.size());
  EXPECT_TRUE(r.parser.complete());
  EXPECT_EQ(r.messages.size(), 1u);
  EXPECT_TRUE(r.body.at_message_boundary());
}

TEST(EventStreamBodyTest, StreamCutMidMessageIsNotAtABoundary) {
  const std::string event = RecordsEvent({StampedData(7)});
  Reader r;
  const std::string bytes = kHead + Chunk(event.substr(0, 20));
  r.parser.Feed(bytes.data(), bytes.size());
  r.parser.FeedEof();
  EXPECT_TRUE(r.parser.failed());
  EXPECT_FALSE(r.body.at_message_boundary());
  EXPECT_TRUE(r.messages.empty());
}

TEST(EventStreamBodyTest, ExceptionMessageIsReported) {
  std::string exception;
  ASSERT_TRUE(protocol::EncodeException("ResourceInUseException", "application/json", "{\"message\":\"taken over\"}",
                                        &exception)
                  .ok());
  Reader r;
  const std::string bytes = kHead + Chunk(InitialResponse() + exception) + "0\r\n\r\n";
  r.parser.Feed(bytes.data(), bytes.size());
  ASSERT_TRUE(r.parser.complete());
  ASSERT_EQ(r.messages.size(), 2u);
  EXPECT_EQ(KindOf(r.messages[1]), SubscribeMessageKind::kException);
  EXPECT_EQ(DescribeException(r.messages[1]), "ResourceInUseException: {\"message\":\"taken over\"}");
}

TEST(EventStreamBodyTest, CorruptMessageFailsAfterDeliveringTheGoodOnes) {
  std::string bad = RecordsEvent({StampedData(7)});
  bad[bad.size() - 1] ^= 0x01;  // message CRC
  Reader r;
  const std::string bytes = kHead + Chunk(InitialResponse() + bad) + Chunk(InitialResponse());
  r.parser.Feed(bytes.data(), bytes.size());
  EXPECT_EQ(r.messages.size(), 1u);
  EXPECT_TRUE(r.body.failed());
  EXPECT_EQ(r.body.decode_status().code(), ErrorCode::kCorruption) << r.body.decode_status().ToString();
}

TEST(EventStreamBodyTest, ErrorAnswerIsKeptNotDecoded) {
  const std::string error_body = R"({"__type":"ResourceNotFoundException","message":"no consumer"})";
  const std::string bytes =
      "HTTP/1.1 400 Bad Request\r\nContent-Type: application/x-amz-json-1.1\r\n"
      "Content-Length: " +
      std::to_string(error_body.size()) + "\r\n\r\n" + error_body;
  for (size_t at = 0; at <= bytes.size(); ++at) {
    Reader r;
    ASSERT_EQ(r.FeedSplit(bytes, at), bytes.size());
    ASSERT_TRUE(r.parser.complete());
    EXPECT_EQ(r.parser.status(), 400);
    EXPECT_EQ(r.body.error_body(), error_body);
    EXPECT_TRUE(r.messages.empty());
    EXPECT_FALSE(r.body.failed());
  }
}

TEST(EventStreamBodyTest, ResetForgetsThePartialMessage) {
  const std::string event = RecordsEvent({StampedData(7)});
  Reader r;
  std::string bytes = kHead + Chunk(event.substr(0, 10));
  r.parser.Feed(bytes.data(), bytes.size());
  EXPECT_FALSE(r.body.at_message_boundary());
  r.body.Reset();
  r.parser.Reset();
  r.parser.set_body_sink(&r.body);
  bytes = kHead + Chunk(event);
  r.parser.Feed(bytes.data(), bytes.size());
  EXPECT_EQ(r.messages.size(), 1u);
  EXPECT_TRUE(r.body.at_message_boundary());
}

TEST(EventStreamBodyTest, UnstampedRecordsAreCountedAsForeign) {
  Histogram latency;
  const std::string payload = "{\"Records\":[{\"Data\":\"aGVsbG8gd29ybGQh\",\"PartitionKey\":\"k\"},{\"Data\":\"" +
                              StampedData(40) + "\",\"PartitionKey\":\"k\"}]}";
  const StampScan scan = RecordStampedLatencies(payload, 100, &latency);
  EXPECT_EQ(scan.stamped, 1u);
  EXPECT_EQ(scan.foreign, 1u);
  EXPECT_EQ(latency.max(), 60);
}

}  // namespace
}  // namespace sluice::bench
