// TlsHandshakeConnection: a connection whose TLS handshake is under way.
// Once the handshake completes, the socket and its TlsTransport move to the
// protocol ALPN chose (EventLoop::FinishTlsHandshake): "h2" to an
// Http2Connection, "http/1.1" or none to an Http1Connection. Without ALPN the
// Http1Connection still sniffs the HTTP/2 client preface, as on a plain
// socket, so a client that sends HTTP/2 unannounced over TLS (the AWS SDK for
// Java's Netty client by default) is served HTTP/2.
//
// The handshake must finish within header_timeout_ms of accept (a client
// that stalls mid-handshake is the TLS form of slowloris). A failed
// handshake (plaintext on a TLS port, a bad or truncated record, an alert,
// the client leaving) is logged at debug level and the connection closed.
//
// Threading: loop thread only (see Connection).
#pragma once

#include <cstdint>
#include <memory>

#include "server/connection.h"
#include "server/tls_transport.h"

namespace sluice::server {

class TlsHandshakeConnection final : public Connection {
 public:
  // `started_ns`: when the connection was accepted (the timeout runs from it).
  TlsHandshakeConnection(EventLoop* loop, uint64_t id, int fd, std::unique_ptr<TlsTransport> transport,
                         int64_t started_ns);

  // Called once after registration: tries the handshake at once (the
  // ClientHello may already be in) and arms the deadline.
  void Start();

  void OnEvents(uint32_t events) override;
  void Complete(uint64_t tag, HttpResponse response) override {}
  void BeginDrain() override { Close(); }
  void OnDeadline() override;

 private:
  void Advance();

  TlsTransport* tls_;  // owned by the Connection base
  const int64_t started_ns_;
};

}  // namespace sluice::server
