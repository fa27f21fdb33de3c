#include "cluster/peer_signing.h"

#include <algorithm>
#include <cctype>

#include "util/clock.h"

namespace sluice::cluster {
namespace {

bool IsPeerHeader(std::string_view name) {
  constexpr std::string_view kPrefix = "x-sluice-peer-";
  if (name.size() < kPrefix.size()) return false;
  for (size_t i = 0; i < kPrefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(name[i])) != kPrefix[i]) return false;
  }
  return true;
}

}  // namespace

void SignPeerRequest(const auth::PeerSigner& signer, std::string_view account, std::string_view region,
                     http::Request& request) {
  std::erase_if(request.headers, [](const auto& header) { return IsPeerHeader(header.first); });
  for (auto& header : signer.Headers(request.method, request.target, account, region, request.body,
                                     SystemClock::Instance().NowMillis())) {
    request.headers.push_back(std::move(header));
  }
}

}  // namespace sluice::cluster
