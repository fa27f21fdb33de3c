// HTTP/1.1 keep-alive over a Socket, answers read by the ResponseParser.
#pragma once

#include <memory>
#include <string_view>

#include "http/connection.h"
#include "http/tls_context.h"
#include "http/url.h"

namespace sluice::http {

class Http1Connection final : public Connection {
 public:
  // `tls` is needed for https:// (from TlsContext::Create with "http/1.1").
  Http1Connection(Url url, std::shared_ptr<TlsContext> tls, int64_t connect_timeout_ms);

  Status Exchange(const Request& request, const ExchangeOptions& options, Response* response, bool* got_bytes) override;

  // Sends `bytes` (one or more whole HTTP/1.1 requests, already serialised)
  // and feeds the answer to `parser` (Reset by the caller; it may carry a
  // BodySink) until it is complete. Exchange is this with SerializeHttp1.
  Status RoundTrip(std::string_view bytes, ResponseParser* parser, const ExchangeOptions& options, bool* got_bytes);

  bool connected() const override { return socket_ != nullptr; }
  void Close() override { socket_.reset(); }

 private:
  const Url url_;
  const std::shared_ptr<TlsContext> tls_;
  const int64_t connect_timeout_ms_;
  std::unique_ptr<Socket> socket_;
  ResponseParser parser_;
};

}  // namespace sluice::http
