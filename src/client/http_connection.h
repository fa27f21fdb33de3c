// One blocking HTTP/1.1 connection to a Kinesis endpoint, plain or TLS
// (OpenSSL), kept alive across requests. Internal to the client library.
//
// Threading: one thread at a time per connection.
#pragma once

#include <openssl/ssl.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "bench/http_response.h"
#include "client/config.h"
#include "client/types.h"

namespace sluice::client {

// The TLS context shared by a transport's connections.
class TlsContext {
 public:
  static Outcome<std::shared_ptr<TlsContext>> Create(const ClientConfig& config);
  ~TlsContext();
  SSL_CTX* get() const { return ctx_; }
  bool verify() const { return verify_; }

 private:
  SSL_CTX* ctx_ = nullptr;
  bool verify_ = true;
};

class HttpConnection {
 public:
  HttpConnection(EndpointAddress endpoint, int64_t timeout_ms, std::shared_ptr<TlsContext> tls);
  ~HttpConnection();
  HttpConnection(const HttpConnection&) = delete;
  HttpConnection& operator=(const HttpConnection&) = delete;

  const EndpointAddress& endpoint() const { return endpoint_; }
  bool connected() const { return fd_ >= 0; }

  // Connects if needed, sends `request` (a whole HTTP message) and feeds
  // the answer to `parser` (Reset by the caller; it may carry a BodySink)
  // until it is complete. Waiting for bytes, `stop` (if set) is asked every
  // 100 ms and ends the call with a "Stopped" error when it returns true;
  // `idle_timeout_ms` without a byte is a TimeoutError. The connection is
  // closed after any error and after an answer that does not keep it alive.
  // `*got_bytes` tells whether any answer byte arrived (a stale keep-alive
  // connection fails with none).
  Outcome<Done> RoundTrip(std::string_view request, bench::ResponseParser* parser,
                          int64_t idle_timeout_ms, const std::function<bool()>& stop,
                          bool* got_bytes);

  void Close();

 private:
  Outcome<Done> Connect();
  Outcome<Done> SendAll(std::string_view bytes);
  // Reads what is available into buf, waiting up to the idle timeout.
  // 0 bytes: the peer closed. -1 with *error set: failure.
  long ReadSome(char* buf, size_t n, int64_t idle_timeout_ms, const std::function<bool()>& stop,
                Error* error);
  Error SslError(const std::string& what);

  EndpointAddress endpoint_;
  int64_t timeout_ms_;
  std::shared_ptr<TlsContext> tls_;
  int fd_ = -1;
  SSL* ssl_ = nullptr;
};

// The head of a signed Kinesis JSON 1.1 request plus its body.
std::string BuildKinesisRequest(const ClientConfig& config, const EndpointAddress& endpoint,
                                std::string_view operation, std::string_view body, int64_t now_seconds);

}  // namespace sluice::client

namespace sluice::client {
// A TLS context for an https:// endpoint; null for http://.
Outcome<std::shared_ptr<TlsContext>> MakeTlsContextFor(const ClientConfig& config, const EndpointAddress& endpoint);
}  // namespace sluice::client
