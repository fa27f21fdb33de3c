// HTTP/2 over a Socket with an nghttp2 client session: h2c with prior
// knowledge for http://, h2 chosen by ALPN for https://. One request (one
// stream) at a time; the session, its SETTINGS and HPACK state live as long
// as the connection. A GOAWAY or any session error closes the connection.
#pragma once

#include <nghttp2/nghttp2.h>

#include <memory>
#include <string>

#include "http/connection.h"
#include "http/tls_context.h"
#include "http/url.h"

namespace sluice::http {

class Http2Connection final : public Connection {
 public:
  // `tls` is needed for https:// (from TlsContext::Create with "h2").
  Http2Connection(Url url, std::shared_ptr<TlsContext> tls, int64_t connect_timeout_ms);
  ~Http2Connection() override;

  Status Exchange(const Request& request, const ExchangeOptions& options, Response* response, bool* got_bytes) override;

  bool connected() const override { return socket_ != nullptr; }
  void Close() override;

 private:
  struct Call;  // the stream in flight

  Status Open();
  // Writes everything the session has queued.
  Status Flush();

  static ssize_t ReadBody(nghttp2_session*, int32_t, uint8_t* buf, size_t length, uint32_t* flags,
                          nghttp2_data_source* source, void*);
  static int OnHeader(nghttp2_session*, const nghttp2_frame* frame, const uint8_t* name, size_t namelen,
                      const uint8_t* value, size_t valuelen, uint8_t, void* self);
  static int OnData(nghttp2_session*, uint8_t, int32_t id, const uint8_t* data, size_t len, void* self);
  static int OnStreamClose(nghttp2_session*, int32_t id, uint32_t error_code, void* self);

  const Url url_;
  const std::shared_ptr<TlsContext> tls_;
  const int64_t connect_timeout_ms_;
  std::unique_ptr<Socket> socket_;
  nghttp2_session* session_ = nullptr;
  Call* call_ = nullptr;
};

}  // namespace sluice::http
