#include "http/http1_connection.h"

namespace sluice::http {

Http1Connection::Http1Connection(Url url, std::shared_ptr<TlsContext> tls, int64_t connect_timeout_ms)
    : url_(std::move(url)), tls_(std::move(tls)), connect_timeout_ms_(connect_timeout_ms) {}

Status Http1Connection::Exchange(const Request& request, const ExchangeOptions& options, Response* response,
                                 bool* got_bytes) {
  parser_.Reset();
  parser_.set_body_sink(options.sink);
  SLUICE_RETURN_IF_ERROR(RoundTrip(SerializeHttp1(request, url_.host_header), &parser_, options, got_bytes));
  response->status = parser_.status();
  response->headers.clear();
  for (const auto& [name, value] : parser_.headers()) response->headers.emplace_back(name, value);
  response->body.assign(parser_.body());
  return Status::Ok();
}

Status Http1Connection::RoundTrip(std::string_view bytes, ResponseParser* parser, const ExchangeOptions& options,
                                  bool* got_bytes) {
  *got_bytes = false;
  if (socket_ == nullptr) {
    SLUICE_ASSIGN_OR_RETURN(socket_, Socket::Connect(url_, tls_.get(), connect_timeout_ms_));
  }
  if (Status sent = socket_->WriteAll(bytes, connect_timeout_ms_); !sent.ok()) {
    Close();
    return sent;
  }
  char buf[64 * 1024];
  while (!parser->complete()) {
    Result<size_t> n = socket_->ReadSome(buf, sizeof buf, options.idle_timeout_ms, options.stop);
    if (!n.ok()) {
      Close();
      return n.status();
    }
    if (*n == 0) {
      parser->FeedEof();
      if (parser->complete()) break;
      Close();
      return Status::ConnectionFailed(*got_bytes ? "connection closed mid-answer" : "connection closed");
    }
    *got_bytes = true;
    size_t used = 0;
    while (used < *n && !parser->complete() && !parser->failed()) used += parser->Feed(buf + used, *n - used);
    if (parser->failed()) {
      Close();
      return Status::BadResponse("bad HTTP answer: " + parser->error());
    }
  }
  if (!parser->keep_alive()) Close();
  return Status::Ok();
}

}  // namespace sluice::http
