#include "gateway/router.h"

#include <algorithm>

namespace sluice::gateway {
namespace {

// The service of an Authorization header's credential scope
// ("AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/sts/aws4_request, ..."),
// unverified; empty when there is none.
std::string_view SigningService(std::string_view authorization) {
  constexpr std::string_view kCredential = "Credential=";
  const size_t at = authorization.find(kCredential);
  if (at == std::string_view::npos) return {};
  std::string_view scope = authorization.substr(at + kCredential.size());
  scope = scope.substr(0, scope.find_first_of(", "));
  for (int skip = 0; skip < 3; ++skip) {  // access key, date, region
    const size_t slash = scope.find('/');
    if (slash == std::string_view::npos) return {};
    scope.remove_prefix(slash + 1);
  }
  return scope.substr(0, scope.find('/'));
}

// The Action field of a query-protocol form ("Action=GetCallerIdentity&
// Version=2011-06-15"), as written: operation names need no percent-decoding.
// Empty when there is none (or the body is compressed).
std::string_view FormAction(std::string_view form) {
  constexpr std::string_view kAction = "Action=";
  while (!form.empty()) {
    const std::string_view field = form.substr(0, form.find('&'));
    if (field.starts_with(kAction)) return field.substr(kAction.size());
    form.remove_prefix(std::min(form.size(), field.size() + 1));
  }
  return {};
}

}  // namespace

int Router::Add(Service* service, bool fallback) {
  services_.push_back(service);
  const int index = static_cast<int>(services_.size()) - 1;
  if (fallback) fallback_ = index;
  return index;
}

Route Router::Find(const server::HttpRequest& request) const {
  const std::string_view target = request.Header("x-amz-target");
  const std::string_view path = request.target.substr(0, request.target.find('?'));
  for (size_t i = 0; i < services_.size(); ++i) {
    const ServiceMatch m = services_[i]->match();
    if (!m.target_prefix.empty() && target.starts_with(m.target_prefix)) {
      std::string_view operation = target.substr(m.target_prefix.size());
      return {services_[i], static_cast<int>(i), true, operation.substr(0, operation.find('.'))};
    }
  }
  for (size_t i = 0; i < services_.size(); ++i) {
    const ServiceMatch m = services_[i]->match();
    if (!m.path_prefix.empty() && path.starts_with(m.path_prefix)) {
      constexpr std::string_view kOperation = "/operation/";
      const size_t at = path.rfind(kOperation);
      std::string_view operation =
          at == std::string_view::npos ? std::string_view() : path.substr(at + kOperation.size());
      return {services_[i], static_cast<int>(i), true, operation};
    }
  }
  // Several services may speak one content type (the query protocol's form):
  // the one the request is signed for wins, else the first added.
  const std::string_view content_type = request.Header("content-type");
  const std::string_view signed_for = SigningService(request.Header("authorization"));
  int by_content_type = -1;
  for (size_t i = 0; i < services_.size(); ++i) {
    const ServiceMatch m = services_[i]->match();
    if (m.content_type.empty() || !content_type.starts_with(m.content_type)) continue;
    if (by_content_type < 0) by_content_type = static_cast<int>(i);
    if (!signed_for.empty() && services_[i]->signing_name() == signed_for) {
      by_content_type = static_cast<int>(i);
      break;
    }
  }
  if (by_content_type >= 0) {
    // The query protocol names the operation in the form (or, on a GET, in
    // the URL's query).
    std::string_view action = FormAction(request.body);
    if (action.empty() && request.target.find('?') != std::string_view::npos) {
      action = FormAction(request.target.substr(request.target.find('?') + 1));
    }
    return {services_[by_content_type], by_content_type, true, action};
  }
  if (fallback_ < 0) return {};
  return {services_[fallback_], fallback_, false, {}};
}

}  // namespace sluice::gateway
