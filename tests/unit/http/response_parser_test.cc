#include "http/response_parser.h"

#include <gtest/gtest.h>

#include <string>
#include <tuple>
#include <vector>

namespace sluice::http {
namespace {

// Feeds `bytes` in pieces of `step` and returns the total consumed.
size_t FeedInSteps(ResponseParser* p, const std::string& bytes, size_t step) {
  size_t used = 0;
  while (used < bytes.size() && !p->complete() && !p->failed()) {
    const size_t n = std::min(step, bytes.size() - used);
    used += p->Feed(bytes.data() + used, n);
  }
  return used;
}

TEST(ResponseParserTest, ContentLengthBody) {
  const std::string r =
      "HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.1\r\nContent-Length: 13\r\n\r\n"
      "{\"Shards\":[]}";
  ResponseParser p;
  EXPECT_EQ(p.Feed(r), r.size());
  ASSERT_TRUE(p.complete());
  EXPECT_EQ(p.status(), 200);
  EXPECT_EQ(p.body(), "{\"Shards\":[]}");
  EXPECT_TRUE(p.keep_alive());
}

TEST(ResponseParserTest, ByteAtATimeGivesSameResult) {
  const std::string r = "HTTP/1.1 400 Bad Request\r\ncontent-length: 5\r\n\r\nhello";
  for (size_t step : {1u, 2u, 3u, 7u}) {
    ResponseParser p;
    EXPECT_EQ(FeedInSteps(&p, r, step), r.size());
    ASSERT_TRUE(p.complete()) << step;
    EXPECT_EQ(p.status(), 400);
    EXPECT_EQ(p.body(), "hello");
  }
}

TEST(ResponseParserTest, StopsAtEndOfResponseLeavingNextBytes) {
  const std::string first = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
  const std::string r = first + "HTTP/1.1 200 OK\r\n";
  ResponseParser p;
  EXPECT_EQ(p.Feed(r), first.size());
  EXPECT_TRUE(p.complete());
  EXPECT_EQ(p.body(), "ok");
}

TEST(ResponseParserTest, EmptyBodyWithZeroLength) {
  ResponseParser p;
  const std::string r = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
  EXPECT_EQ(p.Feed(r), r.size());
  ASSERT_TRUE(p.complete());
  EXPECT_EQ(p.body(), "");
}

TEST(ResponseParserTest, ChunkedBodyWithExtensionsAndTrailers) {
  const std::string r =
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
      "5;name=value\r\nhello\r\n"
      "A\r\n, world!!!\r\n"
      "0\r\nX-Trailer: 1\r\n\r\n";
  for (size_t step : {1u, 4u, 1000u}) {
    ResponseParser p;
    EXPECT_EQ(FeedInSteps(&p, r, step), r.size());
    ASSERT_TRUE(p.complete()) << step;
    EXPECT_EQ(p.body(), "hello, world!!!");
  }
}

TEST(ResponseParserTest, BadChunkSizeFails) {
  ResponseParser p;
  p.Feed("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n");
  EXPECT_TRUE(p.failed());
  EXPECT_FALSE(p.keep_alive());
}

TEST(ResponseParserTest, MissingCrlfAfterChunkFails) {
  ResponseParser p;
  p.Feed("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabXY\r\n");
  EXPECT_TRUE(p.failed());
}

TEST(ResponseParserTest, ConnectionCloseAndHttp10) {
  ResponseParser p;
  p.Feed("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
  ASSERT_TRUE(p.complete());
  EXPECT_FALSE(p.keep_alive());

  ResponseParser q;
  q.Feed("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n");
  ASSERT_TRUE(q.complete());
  EXPECT_FALSE(q.keep_alive());

  ResponseParser k;
  k.Feed("HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 0\r\n\r\n");
  ASSERT_TRUE(k.complete());
  EXPECT_TRUE(k.keep_alive());
}

TEST(ResponseParserTest, BodyDelimitedByClose) {
  ResponseParser p;
  p.Feed("HTTP/1.1 200 OK\r\n\r\npartial");
  EXPECT_FALSE(p.complete());
  p.Feed(" body");
  p.FeedEof();
  ASSERT_TRUE(p.complete());
  EXPECT_EQ(p.body(), "partial body");
  EXPECT_FALSE(p.keep_alive());
}

TEST(ResponseParserTest, EofMidBodyFails) {
  ResponseParser p;
  p.Feed("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc");
  p.FeedEof();
  EXPECT_TRUE(p.failed());
}

TEST(ResponseParserTest, NoContentHasNoBody) {
  ResponseParser p;
  const std::string r = "HTTP/1.1 204 No Content\r\n\r\n";
  EXPECT_EQ(p.Feed(r), r.size());
  EXPECT_TRUE(p.complete());
}

TEST(ResponseParserTest, MalformedStatusLineFails) {
  for (const char* bad : {"HTTP/2 200 OK\r\n\r\n", "HTTP/1.1 2x0 OK\r\n\r\n", "garbage\r\n\r\n"}) {
    ResponseParser p;
    p.Feed(bad);
    EXPECT_TRUE(p.failed()) << bad;
  }
}

TEST(ResponseParserTest, ConflictingContentLengthsFail) {
  ResponseParser p;
  p.Feed("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n");
  EXPECT_TRUE(p.failed());
}

TEST(ResponseParserTest, OversizedHeadFails) {
  ResponseParser p;
  std::string head = "HTTP/1.1 200 OK\r\nX-Big: " + std::string(ResponseParser::kMaxHeadBytes, 'a');
  p.Feed(head);
  EXPECT_TRUE(p.failed());
}

TEST(ResponseParserTest, LargeHeadAndBodyInOneBuffer) {
  const std::string big_header = "X-Padding: " + std::string(10000, 'p') + "\r\n";
  const std::string body(300000, 'b');
  const std::string r = "HTTP/1.1 200 OK\r\n" + big_header + "Content-Length: " + std::to_string(body.size()) +
                        "\r\n\r\n" + body + "HTTP/1.1";  // start of a next response, left unconsumed
  ResponseParser p;
  EXPECT_EQ(p.Feed(r), r.size() - 8);
  ASSERT_TRUE(p.complete());
  EXPECT_EQ(p.body().size(), body.size());
  EXPECT_EQ(p.body(), body);
}

TEST(ResponseParserTest, ResetAllowsReuse) {
  ResponseParser p;
  p.Feed("HTTP/1.1 500 Internal Server Error\r\nContent-Length: 3\r\n\r\nbad");
  ASSERT_TRUE(p.complete());
  p.Reset();
  EXPECT_FALSE(p.complete());
  EXPECT_FALSE(p.started());
  p.Feed("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
  ASSERT_TRUE(p.complete());
  EXPECT_EQ(p.status(), 200);
  EXPECT_EQ(p.body(), "ok");
}

// Collects what a BodySink is given, and the status it saw.
struct CollectingSink final : BodySink {
  void OnBody(int response_status, std::string_view bytes) override {
    EXPECT_FALSE(bytes.empty());
    status = response_status;
    got.append(bytes);
    ++calls;
  }
  std::string got;
  int status = 0;
  int calls = 0;
};

TEST(ResponseParserTest, BodySinkGetsEveryBodyByteInsteadOfBody) {
  const std::string chunked =
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n";
  const std::string sized = "HTTP/1.1 404 Not Found\r\nContent-Length: 7\r\n\r\nmissing";
  for (const auto& [bytes, body, status] :
       {std::tuple{chunked, "hello world", 200}, std::tuple{sized, "missing", 404}}) {
    for (size_t step : {1u, 3u, 1000u}) {
      ResponseParser p;
      CollectingSink sink;
      p.set_body_sink(&sink);
      EXPECT_EQ(FeedInSteps(&p, bytes, step), bytes.size());
      ASSERT_TRUE(p.complete());
      EXPECT_EQ(sink.got, body);
      EXPECT_EQ(sink.status, status);
      EXPECT_EQ(p.body(), "");
    }
  }
}

TEST(ResponseParserTest, ResetDropsTheBodySink) {
  ResponseParser p;
  CollectingSink sink;
  p.set_body_sink(&sink);
  p.Reset();
  p.Feed("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
  ASSERT_TRUE(p.complete());
  EXPECT_EQ(p.body(), "ok");
  EXPECT_EQ(sink.calls, 0);
}

TEST(ResponseParserTest, HeadersAreKeptAsSentAndFoundInAnyCase) {
  ResponseParser p;
  p.Feed("HTTP/1.1 200 OK\r\nETag:  \"abc\" \r\nx-amz-request-id: r1\r\nContent-Length: 0\r\n\r\n");
  ASSERT_TRUE(p.complete());
  const auto headers = p.headers();
  ASSERT_EQ(headers.size(), 3u);
  EXPECT_EQ(headers[0].first, "ETag");
  EXPECT_EQ(headers[0].second, "\"abc\"");
  EXPECT_EQ(p.Header("etag"), "\"abc\"");
  EXPECT_EQ(p.Header("X-Amz-Request-Id"), "r1");
  EXPECT_EQ(p.Header("missing"), "");
  p.Reset();
  EXPECT_TRUE(p.headers().empty());
}

TEST(ResponseParserTest, PipelinedAnswersInOneBufferParseOneAfterTheOther) {
  const std::string two =
      "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\none"
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\ntwo\r\n0\r\n\r\n"
      "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 4\r\nConnection: close\r\n\r\nbusy";
  std::string_view rest(two);
  std::vector<std::string> bodies;
  ResponseParser p;
  while (!rest.empty()) {
    p.Reset();
    const size_t used = p.Feed(rest);
    ASSERT_TRUE(p.complete()) << rest;
    bodies.emplace_back(p.body());
    rest.remove_prefix(used);
  }
  EXPECT_EQ(bodies, (std::vector<std::string>{"one", "two", "busy"}));
  EXPECT_EQ(p.status(), 503);
  EXPECT_FALSE(p.keep_alive());
}

TEST(ResponseParserTest, AHeaderLineWithoutColonFails) {
  ResponseParser p;
  p.Feed("HTTP/1.1 200 OK\r\nContent-Length 5\r\n\r\nhello");
  EXPECT_TRUE(p.failed());
  EXPECT_EQ(p.error(), "malformed header line");
  EXPECT_FALSE(p.keep_alive());
}

}  // namespace
}  // namespace sluice::http
