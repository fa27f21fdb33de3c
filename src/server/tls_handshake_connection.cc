#include "server/tls_handshake_connection.h"

#include <string>

#include "server/event_loop.h"
#include "util/log.h"

namespace sluice::server {
namespace {

constexpr int64_t kNsPerMs = 1'000'000;

}  // namespace

TlsHandshakeConnection::TlsHandshakeConnection(EventLoop* loop, uint64_t id, int fd,
                                               std::unique_ptr<TlsTransport> transport, int64_t started_ns)
    : Connection(loop, id, fd, std::move(transport)),
      tls_(static_cast<TlsTransport*>(&this->transport())),
      started_ns_(started_ns) {}

void TlsHandshakeConnection::Start() {
  SetDeadline(started_ns_ + context().options.header_timeout_ms * kNsPerMs);
  Advance();
}

void TlsHandshakeConnection::OnEvents(uint32_t events) { Advance(); }

void TlsHandshakeConnection::Advance() {
  std::string error;
  switch (tls_->Handshake(&error)) {
    case TlsTransport::Step::kDone: loop_->FinishTlsHandshake(this, tls_->Alpn()); return;
    case TlsTransport::Step::kAgain: SetInterest(!tls_->HandshakeWantsWrite(), tls_->HandshakeWantsWrite()); return;
    case TlsTransport::Step::kFailed:
      log::Debug("connection {}: TLS handshake failed: {}", id(), error);
      Close();
      return;
  }
}

void TlsHandshakeConnection::OnDeadline() {
  log::Debug("connection {}: TLS handshake not finished within the header timeout", id());
  Close();
}

}  // namespace sluice::server
