// Dispatcher: the Kinesis API front door. Picks the operation from
// X-Amz-Target and the codec from Content-Type, decodes and validates the
// request, calls the engine, and encodes the result or error in the AWS shape.
// Knows nothing of sockets or files.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "channels/channel_registry.h"
#include "engine/engine.h"

namespace sluice::api {

class CallRates;
class FaultInjector;
class SubscriptionRelays;

struct ApiRequest {
  std::string_view target;         // X-Amz-Target value
  std::string_view content_type;   // Content-Type value
  std::string_view authorization;  // Authorization header (may be empty)
  std::string_view body;
  // The caller's namespace when the transport authenticated it (the
  // credentials' account, the credential scope's region); empty: the
  // server's defaults.
  std::string_view account;
  std::string_view region;
  // When set, the dispatcher stores there the stream the request names
  // (StreamName, or the name in StreamARN or ConsumerARN), for request
  // logs; left empty when it names none or the body does not parse.
  std::string* stream_name = nullptr;
};

// The output of a streamed response (SubscribeToShard's event stream), as
// the transport provides it. Thread-safe.
class StreamOutput {
 public:
  virtual ~StreamOutput() = default;
  // Appends bytes to the response body; false once the stream is closed.
  virtual bool Write(std::string bytes) = 0;
  // Ends the body. Idempotent.
  virtual void Finish() = 0;
  // Bytes written but not yet sent to the client.
  virtual size_t Buffered() const = 0;
};

// A streamed response body. The transport sends the status and headers,
// then calls `start` with the output; `on_drain` after Buffered() went above
// `drain_threshold` and came back below it; `on_close` once if the stream
// closes before Finish (client gone, server stopping).
struct ApiStream {
  std::function<void(std::shared_ptr<StreamOutput>)> start;
  std::function<void()> on_drain;
  std::function<void()> on_close;
  size_t drain_threshold = 1u << 20;
};

struct ApiResponse {
  int status = 200;
  std::string content_type;  // echoes the request's codec
  std::string error_type;    // x-amzn-ErrorType when an error, else empty
  std::string body;
  std::shared_ptr<ApiStream> stream;  // set for a streamed body (then `body` is empty)
  // An injected fault: close the connection instead of answering.
  bool drop_connection = false;
  // The call touched a shard another node leads (NotLeader): that node's
  // address, where cluster mode forwards the request; empty otherwise.
  std::string leader_address;
};

struct ApiOptions {
  std::string default_account = "000000000000";
  std::string default_region = "us-east-1";
  // The control-plane call rates, when limits are on; not owned.
  CallRates* call_rates = nullptr;
  // Fault rules (api/faults.h), when the server takes them; not owned.
  FaultInjector* faults = nullptr;
  // The channels (CreateChannel ...); not owned. Null: those operations
  // answer InternalFailure.
  channels::ChannelRegistry* channels = nullptr;
  // Cluster mode: SubscribeToShard for a shard another node leads is relayed
  // from its leader (api/subscription_relay.h); not owned. Null: such a call
  // answers the retryable InternalFailure.
  SubscriptionRelays* relays = nullptr;
};

class Dispatcher {
 public:
  Dispatcher(engine::Engine& engine, ApiOptions options);

  // Handles one call. `done` is called exactly once, possibly on another
  // thread (PutRecord/PutRecords complete when their records are durable).
  // `request` need only live during this call.
  //
  // Checks, in the service's order: empty body (SerializationException for
  // a known target, else UnknownOperationException; JSON for JSON content
  // types, CBOR otherwise); a content type that is neither JSON 1.1, CBOR
  // 1.1 nor application/json (403 AccessDeniedException or 404
  // UnknownOperationException, XML bodies); a CBOR body that does not
  // decode to a map (SerializationException, in CBOR); a body that is not a JSON object
  // (SerializationException without message); an unknown target
  // (UnknownOperationException). CBOR requests are transcoded to JSON
  // and their answers (and errors) back to CBOR, so both codecs share every
  // handler and validation rule. Then the operation's own type checks,
  // validation, semantics and engine call (see operation.h). No
  // Authorization header is required.
  //
  // Thread-safe: may be called concurrently from any number of threads.
  void Handle(const ApiRequest& request, std::function<void(ApiResponse)> done);

 private:
  engine::Engine& engine_;
  ApiOptions options_;
};

}  // namespace sluice::api
