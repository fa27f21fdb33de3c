#include "api/kinesis_service.h"

#include <cstring>
#include <memory>

#include "api/operation_table.h"
#include "api/wire_errors.h"
#include "gateway/forwarded_call.h"

namespace sluice::api {
namespace {

using gateway::CopyForForwarding;

// The server's body writer as the API layer's stream output.
class BodyOutput final : public StreamOutput {
 public:
  explicit BodyOutput(std::shared_ptr<server::BodyWriter> writer) : writer_(std::move(writer)) {}
  bool Write(std::string bytes) override { return writer_->Write(std::move(bytes)); }
  void Finish() override { writer_->Finish(); }
  size_t Buffered() const override { return writer_->BufferedBytes(); }

 private:
  std::shared_ptr<server::BodyWriter> writer_;
};

std::shared_ptr<server::StreamingBody> StreamingBodyFor(std::shared_ptr<ApiStream> stream) {
  auto body = std::make_shared<server::StreamingBody>();
  body->drain_threshold = stream->drain_threshold;
  body->on_start = [stream](std::shared_ptr<server::BodyWriter> writer) {
    if (stream->start) stream->start(std::make_shared<BodyOutput>(std::move(writer)));
  };
  body->on_drain = [stream] {
    if (stream->on_drain) stream->on_drain();
  };
  body->on_close = [stream] {
    if (stream->on_close) stream->on_close();
  };
  return body;
}

gateway::ServiceResponse ToServiceResponse(ApiResponse out) {
  gateway::ServiceResponse r;
  r.status = out.status;
  r.content_type = std::move(out.content_type);
  r.error_type = std::move(out.error_type);
  r.body = std::move(out.body);
  if (out.stream) r.streaming = StreamingBodyFor(std::move(out.stream));
  r.drop_connection = out.drop_connection;
  return r;
}

std::unique_ptr<SubscriptionRelays> MakeRelays(const engine::Engine& engine, LeaderCall call) {
  const engine::EngineOptions& eo = engine.options();
  if (eo.iterator_key.size() != engine::kIteratorKeySize) return nullptr;
  engine::IteratorCodec::Key key;
  std::memcpy(key.data(), eo.iterator_key.data(), key.size());
  RelayOptions options;
  options.heartbeat_ms = eo.subscription_heartbeat_ms;
  options.takeover_ms = eo.subscription_takeover_ms;
  return std::make_unique<SubscriptionRelays>(std::move(call), engine::IteratorCodec(key), options);
}

ApiOptions WithRelays(ApiOptions options, SubscriptionRelays* relays) {
  options.relays = relays;
  return options;
}

}  // namespace

KinesisService::KinesisService(engine::Engine& engine, ApiOptions options, gateway::Forwarder* forwarder,
                               std::string node_id, bool forward_puts, bool relay_subscriptions)
    : relays_(relay_subscriptions && forwarder != nullptr
                  ? MakeRelays(engine,
                               [this](gateway::ForwardedRequest request,
                                      std::function<void(Result<gateway::ForwardedResponse>)> done) {
                                 CallForRelay(std::move(request), std::move(done));
                               })
                  : nullptr),
      dispatcher_(engine, WithRelays(std::move(options), relays_.get())),
      forwarder_(forwarder),
      node_id_(std::move(node_id)),
      forward_puts_(forward_puts) {}

KinesisService::~KinesisService() {
  if (relays_) relays_->Stop();
}

void KinesisService::CallForRelay(gateway::ForwardedRequest request,
                                  std::function<void(Result<gateway::ForwardedResponse>)> done) {
  auto held = std::make_shared<gateway::ForwardedRequest>(std::move(request));
  ApiRequest call;
  for (const auto& [name, value] : held->headers) {
    if (name == "x-amz-target") call.target = value;
    if (name == "content-type") call.content_type = value;
  }
  call.body = held->body;
  call.account = held->account;
  call.region = held->region;
  dispatcher_.Handle(call, [this, held, done = std::move(done)](ApiResponse out) mutable {
    if (!out.leader_address.empty()) {
      held->headers.emplace_back(gateway::kForwardedHeader, node_id_);
      return forwarder_->Forward(out.leader_address, std::move(*held), std::move(done));
    }
    gateway::ForwardedResponse answer;
    answer.status = out.status;
    answer.headers.emplace_back("content-type", std::move(out.content_type));
    if (!out.error_type.empty()) answer.headers.emplace_back("x-amzn-ErrorType", std::move(out.error_type));
    answer.body = std::move(out.body);
    done(std::move(answer));
  });
}

bool KinesisService::Forwardable(const gateway::ServiceRequest& request) const {
  if (forwarder_ == nullptr || !request.http.Header(gateway::kForwardedHeader).empty()) return false;
  const std::string_view op = request.operation;
  // The body is copied for a forwardable call: only where a NotLeader can come back.
  if (op == "PutRecord" || op == "PutRecords") return forward_puts_;
  return op == "GetShardIterator" || op == "GetRecords";
}

gateway::ServiceMatch KinesisService::match() const { return {.target_prefix = kTargetPrefix, .path_prefix = {}}; }

std::vector<std::string> KinesisService::operations() const {
  std::vector<std::string> names;
  for (const OperationEntry& op : AllOperations()) names.emplace_back(op.name);
  return names;
}

void KinesisService::Handle(const gateway::ServiceRequest& request, gateway::ServiceResponder respond) {
  const server::HttpRequest& http = request.http;
  ApiRequest call;
  call.target = http.Header("x-amz-target");
  call.content_type = http.Header("content-type");
  call.authorization = http.Header("authorization");
  call.body = http.body;
  call.account = request.account;
  call.region = request.region;
  call.stream_name = request.resource;
  if (!Forwardable(request)) {
    dispatcher_.Handle(call,
                       [respond = std::move(respond)](ApiResponse out) { respond(ToServiceResponse(std::move(out))); });
    return;
  }
  // Copied before the call: the request's views end with Handle, the answer
  // may come later.
  auto copy = std::make_shared<gateway::ForwardedRequest>(CopyForForwarding(request, node_id_));
  dispatcher_.Handle(call, [this, copy, respond = std::move(respond)](ApiResponse out) mutable {
    if (out.leader_address.empty()) return respond(ToServiceResponse(std::move(out)));
    const std::string address = out.leader_address;
    auto fallback = std::make_shared<gateway::ServiceResponse>(ToServiceResponse(std::move(out)));
    forwarder_->Forward(address, std::move(*copy),
                        [fallback, respond = std::move(respond)](Result<gateway::ForwardedResponse> answer) {
                          // The leader did not answer: the retryable InternalFailure
                          // the call already had.
                          if (!answer.ok()) return respond(std::move(*fallback));
                          respond(gateway::Relayed(std::move(*answer)));
                        });
  });
}

gateway::ServiceResponse KinesisService::Error(const server::HttpRequest& request, const Status& error) const {
  return ToServiceResponse(GatewayErrorResponse(request.Header("content-type"), error));
}

}  // namespace sluice::api
