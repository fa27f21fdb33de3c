// Streamed responses (HttpResponse::streaming) over HTTP/2 with prior
// knowledge: DATA fed over time next to other streams, RST_STREAM, the
// client going away, flow control as back-pressure, shutdown and timeouts.
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include "server/h2_client.h"
#include "server/server.h"
#include "server/socket_client.h"
#include "server/stream_probe.h"
#include "server/stream_server_fixture.h"
#include "util/clock.h"

namespace sluice::server {
namespace {

using testing::Fnv1a;
using testing::H2Client;
using testing::PatternPiece;
using testing::PollUntil;
using testing::StreamProbe;
using testing::TestSocket;

class Http2StreamFixture : public testing::StreamServerFixture {
 protected:
  // Opens /stream on `client` and waits for its response headers.
  int32_t OpenStream(H2Client& client) {
    int32_t id = client.Submit("GET", "/stream", "");
    EXPECT_TRUE(client.RunUntil([&] { return probe_->starts() == 1 && client.response(id).status != 0; }));
    return id;
  }
};

TEST_F(Http2StreamFixture, BodyFromAnotherThreadWhileAnotherStreamIsServed) {
  StartServer();
  H2Client client(server_->port());
  ASSERT_TRUE(client.connected());
  int32_t id = OpenStream(client);
  const auto& streamed = client.response(id);
  EXPECT_EQ(streamed.status, 200);
  EXPECT_EQ(streamed.Header("content-length"), "");
  EXPECT_EQ(streamed.Header("content-type"), "application/vnd.amazon.eventstream");

  auto go = std::make_shared<std::atomic<bool>>(false);
  probe_->RunProducer([go](std::shared_ptr<BodyWriter> writer) {
    EXPECT_TRUE(writer->Write("alpha"));
    if (!PollUntil([&] { return go->load(); }, 10000)) return;
    EXPECT_TRUE(writer->Write("beta"));
    EXPECT_TRUE(writer->Write("gamma"));
    writer->Finish();
  });
  ASSERT_TRUE(client.RunUntil([&] { return streamed.body == "alpha"; }));

  // Another request on the same connection is answered meanwhile.
  int32_t unary = client.Submit("POST", "/other", "x");
  ASSERT_TRUE(client.RunUntil([&] { return client.response(unary).closed; }));
  EXPECT_EQ(client.response(unary).body, "echo /other");
  EXPECT_FALSE(streamed.closed);

  *go = true;
  ASSERT_TRUE(client.RunUntil([&] { return streamed.closed; }));
  EXPECT_EQ(streamed.body, "alphabetagamma");
  EXPECT_EQ(streamed.error_code, static_cast<uint32_t>(NGHTTP2_NO_ERROR));
  probe_->JoinProducer();
  EXPECT_EQ(probe_->closes(), 0);
  EXPECT_FALSE(probe_->writer()->Write("late"));
}

TEST_F(Http2StreamFixture, ResetOfTheStreamCallsOnCloseAndTheConnectionServesOn) {
  StartServer();
  H2Client client(server_->port());
  int32_t id = OpenStream(client);
  std::shared_ptr<BodyWriter> writer = probe_->writer();
  ASSERT_TRUE(writer->Write("some"));
  ASSERT_TRUE(client.RunUntil([&] { return client.response(id).body == "some"; }));

  nghttp2_submit_rst_stream(client.session(), NGHTTP2_FLAG_NONE, id, NGHTTP2_CANCEL);
  ASSERT_TRUE(client.RunUntil([&] { return probe_->closes() > 0; }));
  EXPECT_FALSE(writer->Write("more"));
  EXPECT_TRUE(writer->closed());

  int32_t unary = client.Submit("GET", "/next", "");
  ASSERT_TRUE(client.RunUntil([&] { return client.response(unary).closed; }));
  EXPECT_EQ(client.response(unary).body, "echo /next");
  EXPECT_EQ(probe_->closes(), 1);
}

TEST_F(Http2StreamFixture, ClientDisconnectCallsOnCloseOnce) {
  StartServer();
  auto client = std::make_unique<H2Client>(server_->port());
  OpenStream(*client);
  std::shared_ptr<BodyWriter> writer = probe_->writer();
  ASSERT_NE(writer, nullptr);
  client.reset();  // closes the socket

  ASSERT_TRUE(PollUntil([&] { return probe_->closes() > 0; }));
  EXPECT_FALSE(writer->Write("after"));
  LoopBarrier();
  EXPECT_EQ(probe_->closes(), 1);
}

TEST_F(Http2StreamFixture, FlowControlHoldsBytesInTheBufferUntilTheClientReads) {
  StartServer();
  H2Client client(server_->port());  // default 64 KiB windows
  int32_t id = OpenStream(client);
  std::shared_ptr<BodyWriter> writer = probe_->writer();
  // One large write: at most one window of it can leave before the client
  // reads and opens its windows again.
  constexpr size_t kFill = 4u << 20;
  std::string fill = PatternPiece(0, kFill);
  uint64_t expected = Fnv1a(fill);
  ASSERT_TRUE(writer->Write(std::move(fill)));
  LoopBarrier();
  EXPECT_GT(writer->BufferedBytes(), kFill - (64u << 10));
  EXPECT_EQ(probe_->drains(), 0);

  ASSERT_TRUE(client.RunUntil([&] { return probe_->drains() > 0; }, 30000));
  EXPECT_EQ(probe_->drains(), 1);
  EXPECT_LT(writer->BufferedBytes(), threshold_);
  writer->Finish();
  ASSERT_TRUE(client.RunUntil([&] { return client.response(id).closed; }, 30000));
  ASSERT_EQ(client.response(id).body.size(), kFill);
  EXPECT_EQ(Fnv1a(client.response(id).body), expected);
}

TEST_F(Http2StreamFixture, StreamWhoseClientReadsNothingIsResetOnlyOnceTheBudgetIsExceeded) {
  ServerOptions options;
  options.max_buffered_bytes = 1u << 20;
  StartServer(options);
  H2Client client(server_->port());  // default 64 KiB windows, never reopened below
  int32_t id = OpenStream(client);
  std::shared_ptr<BodyWriter> writer = probe_->writer();
  // Held back by flow control while the client reads nothing, but within
  // the budget: the stream stays open past the one-second stall check.
  ASSERT_TRUE(writer->Write(PatternPiece(0, 512u << 10)));
  int64_t until = MonotonicNanos() + 1'500'000'000;
  while (MonotonicNanos() < until) LoopBarrier();
  EXPECT_EQ(probe_->closes(), 0);
  // Past the budget: reset within about a second, and the producer told.
  ASSERT_TRUE(writer->Write(PatternPiece(512u << 10, 1u << 20)));
  ASSERT_TRUE(PollUntil([&] { return probe_->closes() == 1; }, 5000));
  EXPECT_FALSE(writer->Write("after"));
  ASSERT_TRUE(client.RunUntil([&] { return client.response(id).closed; }));
  EXPECT_EQ(client.response(id).error_code, static_cast<uint32_t>(NGHTTP2_CANCEL));
  EXPECT_LT(client.response(id).body.size(), (512u << 10) + (1u << 20));
  // The connection lives on: another stream is served.
  int32_t other = client.Submit("GET", "/other", "");
  ASSERT_TRUE(client.RunUntil([&] { return client.response(other).closed; }));
  EXPECT_EQ(client.response(other).body, "echo /other");
}

TEST_F(Http2StreamFixture, SixtyFourMebibytesInMebibytePiecesWithBackPressureArriveIntact) {
  StartServer();
  H2Client client(server_->port(), {{NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, 1u << 20}});
  nghttp2_session_set_local_window_size(client.session(), NGHTTP2_FLAG_NONE, 0, 16 << 20);
  int32_t id = OpenStream(client);
  constexpr uint64_t kTotal = 64ull << 20;
  auto produced = std::make_shared<std::atomic<uint64_t>>(0);
  probe_->RunProducer([this, produced](std::shared_ptr<BodyWriter> writer) {
    *produced = probe_->ProduceWithBackPressure(*writer, kTotal, 1 << 20);
  });
  bool done = client.RunUntil([&] { return client.response(id).closed; }, 120000);
  probe_->JoinProducer();
  ASSERT_TRUE(done);
  EXPECT_EQ(produced->load(), kTotal);
  const auto& r = client.response(id);
  EXPECT_EQ(r.error_code, static_cast<uint32_t>(NGHTTP2_NO_ERROR));
  ASSERT_EQ(r.body.size(), kTotal);
  EXPECT_EQ(Fnv1a(r.body), Fnv1a(PatternPiece(0, kTotal)));
  EXPECT_GE(probe_->drains(), probe_->waits());
}

TEST_F(Http2StreamFixture, ShutdownResetsAnOpenStreamPromptlyWithOnClose) {
  StartServer();
  H2Client client(server_->port());
  int32_t id = OpenStream(client);
  ASSERT_TRUE(probe_->writer()->Write("tick"));
  ASSERT_TRUE(client.RunUntil([&] { return client.response(id).body == "tick"; }));

  int64_t start = MonotonicNanos();
  server_->Shutdown(30000);
  int64_t elapsed_ms = (MonotonicNanos() - start) / 1'000'000;
  EXPECT_LT(elapsed_ms, 15000);  // not the drain time
  EXPECT_EQ(probe_->closes(), 1);
  EXPECT_FALSE(probe_->writer()->Write("tock"));
  // The client learns: the stream is reset (CANCEL) or the connection ends.
  client.RunUntil([&] { return client.response(id).closed || client.eof(); });
  const auto& r = client.response(id);
  EXPECT_TRUE(client.eof() || (r.closed && r.error_code == NGHTTP2_CANCEL));
  EXPECT_EQ(r.body, "tick");
}

TEST_F(Http2StreamFixture, NoIdleTimeoutWhileStreamingAndItResumesAfter) {
  ServerOptions options;
  options.idle_timeout_ms = 100;
  StartServer(options);
  H2Client client(server_->port());
  int32_t id = OpenStream(client);
  // Several idle timeouts pass with nothing sent either way.
  EXPECT_FALSE(client.RunUntil([&] { return client.eof(); }, 600));
  EXPECT_FALSE(client.eof());
  EXPECT_EQ(probe_->closes(), 0);

  ASSERT_TRUE(probe_->writer()->Write("late"));
  probe_->writer()->Finish();
  ASSERT_TRUE(client.RunUntil([&] { return client.response(id).closed; }));
  EXPECT_EQ(client.response(id).body, "late");
  EXPECT_TRUE(client.RunUntil([&] { return client.eof(); }, 5000));
}

}  // namespace
}  // namespace sluice::server
