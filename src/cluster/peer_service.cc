#include "cluster/peer_service.h"

#include <utility>

#include "cluster/peer_codec.h"
#include "cluster/peer_transport.h"
#include "protocol/errors.h"

namespace sluice::cluster {
namespace {

constexpr std::string_view kJsonContentType = "application/json";

gateway::ServiceResponse JsonError(int http_status, const Status& error) {
  gateway::ServiceResponse r;
  r.status = http_status;
  r.content_type = std::string(kJsonContentType);
  r.error_type = protocol::ErrorTypeName(error.code());
  r.body = protocol::EncodeJsonError(error);
  return r;
}

gateway::ServiceResponse Answer(const FetchResponse& response) {
  gateway::ServiceResponse r;
  r.content_type = std::string(kPeerContentType);
  r.body = EncodeFetchResponse(response);
  return r;
}

}  // namespace

gateway::ServiceMatch PeerService::match() const { return {.target_prefix = {}, .path_prefix = kPeerPathPrefix}; }

gateway::ServiceResponse PeerService::Error(const server::HttpRequest&, const Status& error) const {
  return JsonError(protocol::HttpStatusFor(error.code()), error);
}

void PeerService::Handle(const gateway::ServiceRequest& request, gateway::ServiceResponder respond) {
  const server::HttpRequest& http = request.http;
  const std::string_view path = http.target.substr(0, http.target.find('?'));
  if (path == kPeerPutToShardPath && puts_ != nullptr) return HandlePutToShard(request, std::move(respond));
  if (path != kPeerFetchPath || handler_ == nullptr) {
    respond(JsonError(
        404, Status(ErrorCode::kUnknownOperation, "no peer protocol operation at " + std::string(path) +
                                                      " (fetch is POST " + std::string(kPeerFetchPath) + ")")));
    return;
  }
  // Another version is answered in this node's, with an error its sender
  // understands whatever it speaks.
  if (auto version = PeerMessageVersion(http.body); version.ok() && *version != kPeerProtocolVersion) {
    FetchResponse unsupported;
    unsupported.error = FetchError::kUnsupportedVersion;
    unsupported.message = "peer protocol version " + std::to_string(*version) +
                          " is not spoken here (this node speaks " + std::to_string(kPeerProtocolVersion) + ")";
    respond(Answer(unsupported));
    return;
  }
  Result<FetchRequest> fetch = DecodeFetchRequest(http.body);
  if (!fetch.ok()) {
    respond(JsonError(400, Status::InvalidArgument("malformed FetchRequest: " + fetch.status().message())));
    return;
  }
  if (request.resource != nullptr) *request.resource = fetch->shard.stream;
  handler_->Fetch(*fetch, [respond = std::move(respond)](FetchResponse response) { respond(Answer(response)); });
}

void PeerService::HandlePutToShard(const gateway::ServiceRequest& request, gateway::ServiceResponder respond) {
  const server::HttpRequest& http = request.http;
  auto answer = [](const PutToShardResponse& response) {
    gateway::ServiceResponse r;
    r.content_type = std::string(kPeerContentType);
    r.body = EncodePutToShardResponse(response);
    return r;
  };
  if (auto version = PeerMessageVersion(http.body); version.ok() && *version != kPeerProtocolVersion) {
    PutToShardResponse unsupported;
    unsupported.error = PutError::kUnsupportedVersion;
    unsupported.message = "peer protocol version " + std::to_string(*version) +
                          " is not spoken here (this node speaks " + std::to_string(kPeerProtocolVersion) + ")";
    respond(answer(unsupported));
    return;
  }
  Result<PutToShardRequest> put = DecodePutToShardRequest(http.body);
  if (!put.ok()) {
    respond(JsonError(400, Status::InvalidArgument("malformed PutToShardRequest: " + put.status().message())));
    return;
  }
  if (request.resource != nullptr) *request.resource = put->shard.stream;
  puts_->PutToShard(*put,
                    [respond = std::move(respond), answer](PutToShardResponse response) { respond(answer(response)); });
}

}  // namespace sluice::cluster
