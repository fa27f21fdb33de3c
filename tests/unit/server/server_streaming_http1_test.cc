// Streamed responses (HttpResponse::streaming) over HTTP/1.1, on real
// loopback sockets: chunked framing, pipelining behind a stream, the client
// going away, back-pressure, shutdown and timeouts.
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include "server/server.h"
#include "server/socket_client.h"
#include "server/stream_probe.h"
#include "server/stream_server_fixture.h"

namespace sluice::server {
namespace {

using testing::Fnv1a;
using testing::PatternPiece;
using testing::PollUntil;
using testing::StreamProbe;
using testing::TestSocket;

class Http1StreamFixture : public testing::StreamServerFixture {};

TEST_F(Http1StreamFixture, ChunkedBodyFromAnotherThreadThenThePipelinedResponse) {
  StartServer();
  TestSocket client(server_->port());
  // Both requests in one write: the second is read (and answered) while the
  // stream is open, and must wait behind it.
  ASSERT_TRUE(client.Send("GET /stream HTTP/1.1\r\nHost: x\r\n\r\nGET /after HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_TRUE(PollUntil([&] { return probe_->starts() == 1 && calls_.load() == 2; }));
  auto go = std::make_shared<std::atomic<bool>>(false);  // outlives an early return
  probe_->RunProducer([go](std::shared_ptr<BodyWriter> writer) {
    EXPECT_TRUE(writer->Write("alpha"));
    if (!PollUntil([&] { return go->load(); }, 10000)) return;
    EXPECT_TRUE(writer->Write("beta"));
    EXPECT_TRUE(writer->Write("gamma"));
    writer->Finish();
    EXPECT_FALSE(writer->Write("late"));
  });
  // The first piece arrives while the stream is still open.
  ASSERT_TRUE(client.WaitForBuffered("alpha"));
  EXPECT_EQ(client.Buffered().find("echo /after"), std::string::npos);
  *go = true;

  auto streamed = client.ReadResponse();
  ASSERT_TRUE(streamed.has_value());
  EXPECT_EQ(streamed->status, 200);
  EXPECT_TRUE(streamed->HasHeader("Transfer-Encoding: chunked\r\n"));
  EXPECT_FALSE(streamed->HasHeader("Content-Length"));
  EXPECT_TRUE(streamed->HasHeader("Content-Type: application/vnd.amazon.eventstream\r\n"));
  EXPECT_EQ(streamed->body, "alphabetagamma");

  auto after = client.ReadResponse();
  ASSERT_TRUE(after.has_value());
  EXPECT_EQ(after->body, "echo /after");
  probe_->JoinProducer();
  EXPECT_EQ(probe_->closes(), 0);  // finished, not closed

  // The keep-alive connection serves on.
  ASSERT_TRUE(client.Send("GET /again HTTP/1.1\r\n\r\n"));
  auto again = client.ReadResponse();
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->body, "echo /again");
}

TEST_F(Http1StreamFixture, WritesFromOnStartAreChunksInOrder) {
  probe_->SetStartHook([](const std::shared_ptr<BodyWriter>& writer) {
    // On the loop thread: nothing is written until on_start returns.
    writer->Write("one,");
    writer->Write(std::string(10000, 'x'));
    writer->Write(",two");
    writer->Finish();
  });
  StartServer();
  TestSocket client(server_->port());
  ASSERT_TRUE(client.Send("GET /stream HTTP/1.1\r\n\r\n"));
  auto r = client.ReadResponse();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->body, "one," + std::string(10000, 'x') + ",two");
}

TEST_F(Http1StreamFixture, Http10BodyIsUnframedAndEndsWithTheConnection) {
  probe_->SetStartHook([](const std::shared_ptr<BodyWriter>& writer) {
    writer->Write("raw ");
    writer->Write("bytes");
    writer->Finish();
  });
  StartServer();
  TestSocket client(server_->port());
  ASSERT_TRUE(client.Send("GET /stream HTTP/1.0\r\n\r\n"));
  auto all = client.ReadToEof();
  ASSERT_TRUE(all.has_value());
  size_t end_of_head = all->find("\r\n\r\n");
  ASSERT_NE(end_of_head, std::string::npos);
  std::string head = all->substr(0, end_of_head + 4);
  EXPECT_EQ(head.find("Transfer-Encoding"), std::string::npos);
  EXPECT_EQ(head.find("Content-Length"), std::string::npos);
  EXPECT_NE(head.find("Connection: close\r\n"), std::string::npos);
  EXPECT_EQ(all->substr(end_of_head + 4), "raw bytes");
}

TEST_F(Http1StreamFixture, HeadGetsTheHeadOnlyAndNoStart) {
  StartServer();
  TestSocket client(server_->port());
  ASSERT_TRUE(client.Send("HEAD /stream HTTP/1.1\r\n\r\nGET /next HTTP/1.1\r\n\r\n"));
  auto head = client.ReadUntil("\r\n\r\n");
  ASSERT_TRUE(head.has_value());
  EXPECT_NE(head->find("Transfer-Encoding: chunked\r\n"), std::string::npos);
  auto next = client.ReadResponse();
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(next->body, "echo /next");
  EXPECT_EQ(probe_->starts(), 0);
}

TEST_F(Http1StreamFixture, ClientDisconnectCallsOnCloseOnceAndWritesFail) {
  StartServer();
  TestSocket client(server_->port());
  ASSERT_TRUE(client.Send("GET /stream HTTP/1.1\r\n\r\n"));
  ASSERT_TRUE(PollUntil([&] { return probe_->starts() == 1; }));
  std::shared_ptr<BodyWriter> writer = probe_->writer();
  ASSERT_TRUE(writer->Write("first"));
  ASSERT_TRUE(client.WaitForBuffered("first"));
  client.Close();

  ASSERT_TRUE(PollUntil([&] { return probe_->closes() > 0; }));
  EXPECT_TRUE(writer->closed());
  EXPECT_FALSE(writer->Write("after"));
  writer->Finish();  // a no-op now
  LoopBarrier();     // anything the calls above could have caused has run
  EXPECT_EQ(probe_->closes(), 1);
  EXPECT_EQ(writer->BufferedBytes(), 0u);

  // The writer outlives the server.
  server_->Shutdown(0);
  server_.reset();
  EXPECT_FALSE(writer->Write("gone"));
  EXPECT_EQ(probe_->closes(), 1);
}

TEST_F(Http1StreamFixture, BufferFillsWhileTheClientDoesNotReadAndOnDrainFollowsReading) {
  StartServer();
  // A small fixed receive buffer: with the server's send buffer (a few MiB
  // at most) the kernel absorbs far less than the body.
  TestSocket client(server_->port(), 64 << 10);
  ASSERT_TRUE(client.Send("GET /stream HTTP/1.1\r\n\r\n"));
  ASSERT_TRUE(PollUntil([&] { return probe_->starts() == 1; }));
  std::shared_ptr<BodyWriter> writer = probe_->writer();
  // One large write from this thread: BufferedBytes() reaches the threshold
  // at once and cannot fall back below it before the client reads.
  constexpr size_t kFill = 24u << 20;
  std::string fill = PatternPiece(0, kFill);
  uint64_t expected = Fnv1a(fill);
  ASSERT_TRUE(writer->Write(std::move(fill)));
  EXPECT_GE(writer->BufferedBytes(), threshold_);
  LoopBarrier();  // the loop has taken the bytes and written what it could
  EXPECT_GT(writer->BufferedBytes(), threshold_);
  EXPECT_EQ(probe_->drains(), 0);

  // The client reads (keeping the bytes); the stream is open, so on_drain
  // is due once the buffer falls below the threshold.
  // Short read slices: on_drain may come while the last bytes are still in
  // flight, or after the client has read them all.
  int64_t deadline = testing::DeadlineAfterMs(60000);
  while (probe_->drains() == 0 && MonotonicNanos() < deadline) client.ReadMore(testing::DeadlineAfterMs(10));
  EXPECT_EQ(probe_->drains(), 1);
  EXPECT_LT(writer->BufferedBytes(), threshold_);
  EXPECT_FALSE(writer->closed());

  writer->Finish();
  auto r = client.ReadResponse(60000);
  ASSERT_TRUE(r.has_value());
  ASSERT_EQ(r->body.size(), kFill);
  EXPECT_EQ(Fnv1a(r->body), expected);
  EXPECT_EQ(probe_->drains(), 1);
}

TEST_F(Http1StreamFixture, SixtyFourMebibytesInMebibytePiecesWithBackPressureArriveIntact) {
  StartServer();
  TestSocket client(server_->port());
  ASSERT_TRUE(client.Send("GET /stream HTTP/1.1\r\n\r\n"));
  ASSERT_TRUE(PollUntil([&] { return probe_->starts() == 1; }));
  constexpr uint64_t kTotal = 64ull << 20;
  auto produced = std::make_shared<std::atomic<uint64_t>>(0);
  probe_->RunProducer([this, produced](std::shared_ptr<BodyWriter> writer) {
    *produced = probe_->ProduceWithBackPressure(*writer, kTotal, 1 << 20);
  });
  auto r = client.ReadResponse(120000);
  probe_->JoinProducer();
  EXPECT_EQ(produced->load(), kTotal);
  ASSERT_TRUE(r.has_value());
  ASSERT_EQ(r->body.size(), kTotal);
  EXPECT_EQ(Fnv1a(r->body), Fnv1a(PatternPiece(0, kTotal)));
  // Each wait of the producer ended with an on_drain of its own.
  EXPECT_GE(probe_->drains(), probe_->waits());
}

TEST_F(Http1StreamFixture, ShutdownEndsAnOpenStreamPromptlyWithOnClose) {
  StartServer();
  TestSocket client(server_->port());
  ASSERT_TRUE(client.Send("GET /stream HTTP/1.1\r\n\r\n"));
  ASSERT_TRUE(PollUntil([&] { return probe_->starts() == 1; }));
  ASSERT_TRUE(probe_->writer()->Write("tick"));
  ASSERT_TRUE(client.WaitForBuffered("tick"));

  int64_t start = MonotonicNanos();
  server_->Shutdown(30000);
  int64_t elapsed_ms = (MonotonicNanos() - start) / 1'000'000;
  EXPECT_LT(elapsed_ms, 15000);  // not the drain time
  EXPECT_EQ(probe_->closes(), 1);
  EXPECT_FALSE(probe_->writer()->Write("tock"));
  EXPECT_TRUE(client.WaitForEof());
}

TEST_F(Http1StreamFixture, NoTimeoutCutsAQuietStreamAndTheIdleTimeoutResumesAfter) {
  ServerOptions options;
  options.idle_timeout_ms = 100;
  options.header_timeout_ms = 100;
  StartServer(options);
  TestSocket client(server_->port());
  // A partial pipelined request behind the stream: its header clock must
  // not run either.
  ASSERT_TRUE(client.Send("GET /stream HTTP/1.1\r\n\r\nGET /late HTTP/1.1\r\n"));
  ASSERT_TRUE(PollUntil([&] { return probe_->starts() == 1; }));
  ASSERT_TRUE(probe_->writer()->Write("still here"));
  ASSERT_TRUE(client.WaitForBuffered("still here"));
  // Several idle and header timeouts pass without a byte either way.
  EXPECT_FALSE(client.WaitForEof(600));
  EXPECT_EQ(probe_->closes(), 0);

  ASSERT_TRUE(client.Send("\r\n"));
  probe_->writer()->Finish();
  auto streamed = client.ReadResponse();
  ASSERT_TRUE(streamed.has_value());
  EXPECT_EQ(streamed->body, "still here");
  auto late = client.ReadResponse();
  ASSERT_TRUE(late.has_value());
  EXPECT_EQ(late->body, "echo /late");
  // Idle again: the normal timeout closes the connection.
  EXPECT_TRUE(client.WaitForEof(5000));
}

}  // namespace
}  // namespace sluice::server
