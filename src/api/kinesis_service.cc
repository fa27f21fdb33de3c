#include "api/kinesis_service.h"

#include <memory>

#include "api/operation_table.h"
#include "api/wire_errors.h"

namespace sluice::api {
namespace {

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

}  // namespace

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
  dispatcher_.Handle(call,
                     [respond = std::move(respond)](ApiResponse out) { respond(ToServiceResponse(std::move(out))); });
}

gateway::ServiceResponse KinesisService::Error(const server::HttpRequest& request, const Status& error) const {
  return ToServiceResponse(GatewayErrorResponse(request.Header("content-type"), error));
}

}  // namespace sluice::api
