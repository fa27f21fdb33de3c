#include "auth/peer_signature.h"

#include <charconv>
#include <optional>

#include "auth/signing.h"

namespace sluice::auth {
namespace {

bool NameIs(std::string_view name, std::string_view lower) {
  if (name.size() != lower.size()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != lower[i]) return false;
  }
  return true;
}

// The header's value; nullopt when absent.
std::optional<std::string_view> Find(const RequestView& request, std::string_view lower) {
  for (const HeaderField& h : request.headers) {
    if (NameIs(h.name, lower)) return h.value;
  }
  return std::nullopt;
}

// The header that names a JSON call's operation, signed with the call.
constexpr std::string_view kOperationHeader = "x-amz-target";

Status Refused(std::string message) { return Status(ErrorCode::kInvalidSignature, std::move(message)); }

}  // namespace

std::string PeerStringToSign(std::string_view method, std::string_view target, std::string_view operation,
                             const PeerCall& call, std::string_view body) {
  std::string s;
  s.reserve(160 + target.size() + operation.size() + call.node.size() + call.account.size() + call.region.size());
  s.append(kPeerAlgorithm).append("\n");
  s.append(method).append("\n");
  s.append(target).append("\n");
  s.append(operation).append("\n");
  s.append(std::to_string(call.time_ms)).append("\n");
  s.append(call.node).append("\n");
  s.append(call.account).append("\n");
  s.append(call.region).append("\n");
  s.append(Sha256Hex(body));
  return s;
}

std::vector<std::pair<std::string, std::string>> PeerSigner::Headers(std::string_view method, std::string_view target,
                                                                     std::string_view operation,
                                                                     std::string_view account, std::string_view region,
                                                                     std::string_view body, int64_t now_ms) const {
  const PeerCall call{node_id_, std::string(account), std::string(region), now_ms};
  std::vector<std::pair<std::string, std::string>> headers;
  headers.reserve(5);
  headers.emplace_back(kPeerNodeHeader, node_id_);
  headers.emplace_back(kPeerTimeHeader, std::to_string(now_ms));
  if (!account.empty()) headers.emplace_back(kPeerAccountHeader, std::string(account));
  if (!region.empty()) headers.emplace_back(kPeerRegionHeader, std::string(region));
  headers.emplace_back(kPeerSignatureHeader, Signature(key_, PeerStringToSign(method, target, operation, call, body)));
  return headers;
}

Result<PeerCall> PeerVerifier::Verify(const RequestView& request, int64_t now_ms) const {
  const std::optional<std::string_view> signature = Find(request, kPeerSignatureHeader);
  if (!signature) return Status::NotFound("no peer signature");
  const std::optional<std::string_view> node = Find(request, kPeerNodeHeader);
  const std::optional<std::string_view> time = Find(request, kPeerTimeHeader);
  if (!node || node->empty()) return Refused(std::string("peer signature without ") + kPeerNodeHeader);
  if (!time) return Refused(std::string("peer signature without ") + kPeerTimeHeader);
  PeerCall call;
  const auto [end, ec] = std::from_chars(time->data(), time->data() + time->size(), call.time_ms);
  if (ec != std::errc() || end != time->data() + time->size() || time->empty()) {
    return Refused(std::string(kPeerTimeHeader) + " is not milliseconds since the epoch: '" + std::string(*time) + "'");
  }
  if (call.time_ms < now_ms - kMaxPeerClockSkewMs || call.time_ms > now_ms + kMaxPeerClockSkewMs) {
    return Refused("peer signature of node " + std::string(*node) + " made at " + std::to_string(call.time_ms) +
                   " ms, more than 5 minutes from this node's clock (" + std::to_string(now_ms) + " ms)");
  }
  call.node = std::string(*node);
  call.account = std::string(Find(request, kPeerAccountHeader).value_or(""));
  call.region = std::string(Find(request, kPeerRegionHeader).value_or(""));
  const std::string_view operation = Find(request, kOperationHeader).value_or("");
  const std::string want =
      Signature(key_, PeerStringToSign(request.method, request.target, operation, call, request.body));
  if (!SignaturesEqual(want, *signature)) {
    return Refused("peer signature of node " + call.node +
                   " does not match (another cluster's key, or a changed request)");
  }
  return call;
}

}  // namespace sluice::auth
