#include "cluster/peer_client.h"

#include <algorithm>

#include "cluster/peer_codec.h"
#include "cluster/peer_signing.h"
#include "cluster/peer_transport.h"

namespace sluice::cluster {
namespace {

// The start of an error body, enough for its message.
constexpr size_t kErrorBodyBytes = 512;

}  // namespace

Result<std::shared_ptr<http::HttpClient>> PeerClient::ClientFor(std::string_view address, int64_t timeout_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  auto key = std::make_pair(std::string(address), timeout_ms);
  auto it = clients_.find(key);
  if (it != clients_.end()) return it->second;
  http::ClientOptions options;
  options.url = "http://" + std::string(address);
  options.protocol = http::Protocol::kHttp1;
  options.timeout_ms = timeout_ms;
  SLUICE_ASSIGN_OR_RETURN(std::shared_ptr<http::HttpClient> client, http::MakeHttpClient(options));
  clients_.emplace(std::move(key), client);
  return client;
}

Result<FetchResponse> PeerClient::Fetch(const std::string& address, const FetchRequest& request) {
  const int64_t timeout_ms = options_.timeout_ms + static_cast<int64_t>(request.max_wait_ms);
  SLUICE_ASSIGN_OR_RETURN(std::shared_ptr<http::HttpClient> client, ClientFor(address, timeout_ms));
  http::Request post;
  post.method = "POST";
  post.target = std::string(kPeerFetchPath);
  post.headers.emplace_back("Content-Type", std::string(kPeerContentType));
  post.body = EncodeFetchRequest(request);
  if (options_.signer) SignPeerRequest(*options_.signer, "", "", post);
  SLUICE_ASSIGN_OR_RETURN(http::Response answer, client->Send(post));
  if (answer.status != 200) {
    return Status::BadResponse("peer " + std::string(address) + " answered a fetch with HTTP " +
                               std::to_string(answer.status) + ": " +
                               answer.body.substr(0, std::min(answer.body.size(), kErrorBodyBytes)));
  }
  Result<FetchResponse> response = DecodeFetchResponse(answer.body);
  if (!response.ok()) {
    return Status::BadResponse("peer " + std::string(address) +
                               " answered a fetch with a malformed FetchResponse: " + response.status().message());
  }
  return response;
}

}  // namespace sluice::cluster
