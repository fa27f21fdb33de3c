#include "gateway/router.h"

namespace sluice::gateway {

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
  const std::string_view content_type = request.Header("content-type");
  for (size_t i = 0; i < services_.size(); ++i) {
    const ServiceMatch m = services_[i]->match();
    if (!m.content_type.empty() && content_type.starts_with(m.content_type)) {
      return {services_[i], static_cast<int>(i), true, {}};
    }
  }
  if (fallback_ < 0) return {};
  return {services_[fallback_], fallback_, false, {}};
}

}  // namespace sluice::gateway
