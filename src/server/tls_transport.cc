#include "server/tls_transport.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include "server/tls_context.h"
#include "util/log.h"

namespace sluice::server {
namespace {

constexpr size_t kRecordBytes = 16 << 10;  // the largest TLS record's payload
constexpr size_t kMaxWriteCall = 256 << 10;

}  // namespace

TlsTransport::TlsTransport(SSL* ssl, int fd) : ssl_(ssl), fd_(fd) {
  SSL_set_fd(ssl_, fd_);
  SSL_set_accept_state(ssl_);
}

TlsTransport::~TlsTransport() { SSL_free(ssl_); }

TlsTransport::Step TlsTransport::Handshake(std::string* error) {
  ERR_clear_error();
  handshake_wants_write_ = false;
  int r = SSL_do_handshake(ssl_);
  if (r == 1) return Step::kDone;
  int code = SSL_get_error(ssl_, r);
  if (code == SSL_ERROR_WANT_READ) return Step::kAgain;
  if (code == SSL_ERROR_WANT_WRITE) {
    handshake_wants_write_ = true;
    return Step::kAgain;
  }
  broken_ = true;
  if (code == SSL_ERROR_SYSCALL) {
    *error = errno != 0 ? std::strerror(errno) : "the peer closed the connection";
  } else if (code == SSL_ERROR_ZERO_RETURN) {
    *error = "the peer closed the session";
  } else {
    *error = TlsErrorText();
  }
  ERR_clear_error();
  return Step::kFailed;
}

std::string TlsTransport::Alpn() const {
  const unsigned char* data = nullptr;
  unsigned int length = 0;
  SSL_get0_alpn_selected(ssl_, &data, &length);
  return data == nullptr ? std::string() : std::string(reinterpret_cast<const char*>(data), length);
}

ssize_t TlsTransport::Classify(int result, bool reading) {
  int code = SSL_get_error(ssl_, result);
  switch (code) {
    case SSL_ERROR_WANT_READ:
      if (!reading) write_wants_read_ = true;
      return kAgain;
    case SSL_ERROR_WANT_WRITE:
      if (reading) read_wants_write_ = true;
      return kAgain;
    case SSL_ERROR_ZERO_RETURN: return kEof;  // close_notify: an orderly end
    default:
      // SYSCALL (reset, or EOF without close_notify: a truncated stream)
      // or SSL (bad record, alert): the session is unusable.
      broken_ = true;
      bool eof = reading && code == SSL_ERROR_SYSCALL && errno == 0;
      if (!eof) {
        log::Debug("TLS {} failed on fd {}: {}", reading ? "read" : "write", fd_,
                   code == SSL_ERROR_SYSCALL ? std::string(std::strerror(errno)) : TlsErrorText());
      }
      ERR_clear_error();
      return eof ? kEof : kError;
  }
}

ssize_t TlsTransport::Read(void* buffer, size_t length) {
  if (deferred_ != 1) {
    ssize_t end = deferred_;
    deferred_ = 1;
    return end;
  }
  read_wants_write_ = false;
  auto* out = static_cast<char*>(buffer);
  size_t total = 0;
  while (total < length) {
    ERR_clear_error();
    size_t got = 0;
    int r = SSL_read_ex(ssl_, out + total, length - total, &got);
    if (r == 1) {
      total += got;
      continue;
    }
    ssize_t status = Classify(r, true);
    if (total == 0) return status;
    if (status != kAgain) deferred_ = status;  // returned by the next call
    break;
  }
  return static_cast<ssize_t>(total);
}

bool TlsTransport::HasBuffered() const { return deferred_ != 1 || SSL_pending(ssl_) > 0; }

OutputQueue::WriteResult TlsTransport::Write(OutputQueue& queue, size_t* written) {
  write_wants_read_ = false;
  if (broken_) return OutputQueue::WriteResult::kError;
  while (!queue.empty()) {
    std::string_view front = queue.Front();
    const char* data;
    size_t length;
    if (front.size() >= kRecordBytes) {
      data = front.data();
      length = front.size() < kMaxWriteCall ? front.size() : kMaxWriteCall;
    } else {
      scratch_.resize(kRecordBytes);
      length = queue.CopyFront(scratch_.data(), kRecordBytes);
      data = scratch_.data();
    }
    ERR_clear_error();
    size_t sent = 0;
    int r = SSL_write_ex(ssl_, data, length, &sent);
    if (r != 1) {
      ssize_t status = Classify(r, false);
      return status == kAgain ? OutputQueue::WriteResult::kBlocked : OutputQueue::WriteResult::kError;
    }
    *written += sent;
    queue.Consume(sent);
  }
  return OutputQueue::WriteResult::kDone;
}

void TlsTransport::ShutdownWrite() {
  OnClose();
  ::shutdown(fd_, SHUT_WR);
}

void TlsTransport::OnClose() {
  if (broken_ || shut_down_ || !SSL_is_init_finished(ssl_)) return;
  shut_down_ = true;
  // One attempt at close_notify; a full socket just loses it.
  ERR_clear_error();
  SSL_shutdown(ssl_);
  ERR_clear_error();
}

}  // namespace sluice::server
