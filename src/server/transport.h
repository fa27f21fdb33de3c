// Transport: how a connection moves bytes on its socket, so the HTTP/1.1 and
// HTTP/2 code is the same over a plain socket and over TLS.
//
// PlainTransport reads and writes the socket directly (writev through the
// OutputQueue); TlsTransport (tls_transport.h) runs an established OpenSSL
// session over the same non-blocking socket. A transport does not own the
// descriptor: the Connection does, and closes it.
//
// Readiness: TLS can need the opposite direction (a read that must first
// write, say a key update answer); the connection asks for it through
// ReadWantsWrite()/WriteWantsRead() and retries on either event.
//
// Threading: the owning connection's loop thread only.
#pragma once

#include <sys/types.h>

#include <cstddef>

#include "server/output_queue.h"

namespace sluice::server {

class Transport {
 public:
  // Read(): >0 bytes read, kEof (orderly end), kAgain (nothing now), kError.
  static constexpr ssize_t kEof = 0;
  static constexpr ssize_t kAgain = -1;
  static constexpr ssize_t kError = -2;

  virtual ~Transport() = default;

  // Reads up to `length` bytes. A TLS transport fills the buffer as far as
  // the bytes already received allow, so a short read means "drained".
  virtual ssize_t Read(void* buffer, size_t length) = 0;
  // Writes from the front of `queue` as far as the socket takes (consuming
  // what was written); `*written` grows by the bytes taken.
  virtual OutputQueue::WriteResult Write(OutputQueue& queue, size_t* written) = 0;
  // Ends our sending direction (lingering close): TLS sends close_notify.
  virtual void ShutdownWrite() = 0;
  // The connection is closing: last words (close_notify), never blocking.
  virtual void OnClose() {}
  // Bytes (or an end) already taken off the socket and not yet returned by
  // Read(): epoll will not report them, so the reader must keep reading.
  virtual bool HasBuffered() const { return false; }
  // A TLS session (for the connection gauges).
  virtual bool secure() const { return false; }
  virtual bool ReadWantsWrite() const { return false; }
  virtual bool WriteWantsRead() const { return false; }
};

class PlainTransport final : public Transport {
 public:
  explicit PlainTransport(int fd) : fd_(fd) {}
  ssize_t Read(void* buffer, size_t length) override;
  OutputQueue::WriteResult Write(OutputQueue& queue, size_t* written) override;
  void ShutdownWrite() override;

 private:
  const int fd_;
};

}  // namespace sluice::server
