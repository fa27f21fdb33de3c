#include "cluster/peer_signing.h"

#include <algorithm>
#include <cctype>

#include "util/clock.h"

namespace sluice::cluster {
namespace {

// Whether `name` begins with `lower_prefix`, ignoring case.
bool StartsWithIgnoringCase(std::string_view name, std::string_view lower_prefix) {
  if (name.size() < lower_prefix.size()) return false;
  for (size_t i = 0; i < lower_prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(name[i])) != lower_prefix[i]) return false;
  }
  return true;
}

bool IsPeerHeader(std::string_view name) { return StartsWithIgnoringCase(name, "x-sluice-peer-"); }

bool NameIs(std::string_view name, std::string_view lower) {
  return name.size() == lower.size() && StartsWithIgnoringCase(name, lower);
}

}  // namespace

void SignPeerRequest(const auth::PeerSigner& signer, std::string_view account, std::string_view region,
                     http::Request& request) {
  std::erase_if(request.headers, [](const auto& header) { return IsPeerHeader(header.first); });
  std::string_view operation;
  for (const auto& [name, value] : request.headers) {
    if (NameIs(name, "x-amz-target")) operation = value;
  }
  for (auto& header : signer.Headers(request.method, request.target, operation, account, region, request.body,
                                     SystemClock::Instance().NowMillis())) {
    request.headers.push_back(std::move(header));
  }
}

}  // namespace sluice::cluster
