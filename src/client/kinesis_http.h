// The client library on the outbound HTTP library (src/http): the HTTP
// client for a ClientConfig, signed Kinesis JSON 1.1 requests, and its
// errors as the client's Error kinds. Internal to the client library.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>

#include "client/config.h"
#include "client/transport.h"
#include "client/types.h"
#include "http/http_client.h"
#include "protocol/event_stream.h"
#include "util/status.h"

namespace sluice::client {

// An HTTP/1.1 client for config.endpoint (TLS for https://, with the
// config's CA file and verification), keeping up to `max_idle` connections.
Outcome<std::shared_ptr<http::HttpClient>> MakeKinesisHttpClient(const ClientConfig& config, size_t max_idle);

// POST / with X-Amz-Target <api prefix>.<operation>, signed for the API's
// service in config.region at `now_seconds`.
http::Request JsonApiRequest(const ClientConfig& config, std::string_view host_header, const JsonApi& api,
                             std::string_view operation, std::string_view body, int64_t now_seconds);

// A failure below HTTP as the client reports it: ConnectionError,
// TimeoutError, TlsError, ProtocolError, Stopped (the caller's stop), or
// ClientError (a bad endpoint).
Error ErrorFromStatus(const Status& status);

// An event stream's exception message (SubscribeToShard, SubscribeToGroup)
// as an Error: its :exception-type (or :error-code) and payload's message.
Error EventStreamExceptionError(const protocol::EventStreamMessage& m);

}  // namespace sluice::client
