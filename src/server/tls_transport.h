// TlsTransport: one OpenSSL server session over a connection's non-blocking
// socket (the socket BIO: OpenSSL reads and writes the descriptor itself).
//
// Handshake() is driven by TlsHandshakeConnection until it reports kDone;
// the transport then moves, with the socket, into the HTTP/1.1 or HTTP/2
// connection that ALPN chose, which reads and writes through it like through
// a plain socket. WANT_READ/WANT_WRITE of OpenSSL become kAgain plus the
// readiness the session waits for (ReadWantsWrite/WriteWantsRead).
//
// Writes: a front chunk of at least one record is handed to SSL_write as it
// lies; smaller chunks are coalesced into one record first, so tiny chunk
// framing does not cost a record each. A write that blocked is retried with
// the same leading bytes (the queue only grows at its back).
//
// Failures (a fatal alert, a truncated record, the peer vanishing) mark the
// session broken: no close_notify is attempted on it afterwards.
//
// Threading: the owning connection's loop thread only.
#pragma once

#include <string>

#include "server/transport.h"

typedef struct ssl_st SSL;

namespace sluice::server {

class TlsTransport final : public Transport {
 public:
  enum class Step { kDone, kAgain, kFailed };

  // Takes ownership of `ssl` and binds it to `fd` (server side).
  TlsTransport(SSL* ssl, int fd);
  ~TlsTransport() override;

  // Advances the handshake. kAgain: wait for the readiness WantsRead /
  // ReadWantsWrite tell; kFailed: `*error` says why.
  Step Handshake(std::string* error);
  bool HandshakeWantsWrite() const { return handshake_wants_write_; }
  // The protocol ALPN selected ("" when none).
  std::string Alpn() const;

  ssize_t Read(void* buffer, size_t length) override;
  OutputQueue::WriteResult Write(OutputQueue& queue, size_t* written) override;
  void ShutdownWrite() override;
  void OnClose() override;
  bool HasBuffered() const override;
  bool secure() const override { return true; }
  bool ReadWantsWrite() const override { return read_wants_write_; }
  bool WriteWantsRead() const override { return write_wants_read_; }

 private:
  // Maps a failed SSL_read/SSL_write return to kAgain/kEof/kError and
  // records which readiness the session waits for.
  ssize_t Classify(int result, bool reading);

  SSL* ssl_;
  const int fd_;
  bool broken_ = false;
  bool shut_down_ = false;
  bool handshake_wants_write_ = false;
  bool read_wants_write_ = false;
  bool write_wants_read_ = false;
  ssize_t deferred_ = 1;  // an end (kEof/kError) met after returning data; 1: none
  std::string scratch_;   // coalesced small chunks
};

}  // namespace sluice::server
