#include "object_store/s3_errors.h"

#include <fmt/format.h>

namespace sluice::object_store {
namespace {

constexpr std::string_view kRetryable = "retryable: ";

std::string DecodeEntities(std::string_view s) {
  static constexpr std::pair<std::string_view, char> kEntities[] = {
      {"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''}};
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    bool decoded = false;
    if (s[i] == '&') {
      for (const auto& [entity, c] : kEntities) {
        if (s.substr(i, entity.size()) == entity) {
          out.push_back(c);
          i += entity.size();
          decoded = true;
          break;
        }
      }
    }
    if (!decoded) out.push_back(s[i++]);
  }
  return out;
}

}  // namespace

std::string XmlElementText(std::string_view xml, std::string_view tag) {
  const std::string open = fmt::format("<{}>", tag), close = fmt::format("</{}>", tag);
  const size_t start = xml.find(open);
  if (start == std::string_view::npos) return "";
  const size_t text = start + open.size();
  const size_t end = xml.find(close, text);
  if (end == std::string_view::npos) return "";
  return DecodeEntities(xml.substr(text, end - text));
}

Status S3ErrorStatus(int http_status, std::string_view body, std::string_view what) {
  const std::string code = XmlElementText(body, "Code");
  const std::string message = XmlElementText(body, "Message");
  const std::string detail = code.empty() ? fmt::format("{}: HTTP {}", what, http_status)
                                          : fmt::format("{}: {} ({}, HTTP {})", what, message, code, http_status);
  if (code == "NoSuchBucket") return Status::NotFound(detail);
  if (http_status == 403 || code == "AccessDenied" || code == "SignatureDoesNotMatch" || code == "InvalidAccessKeyId") {
    return {ErrorCode::kAccessDenied, detail};
  }
  if (http_status >= 500 || code == "SlowDown" || code == "InternalError") {
    return Status::IoError(std::string(kRetryable) + detail);
  }
  return Status::InvalidArgument(detail);
}

bool IsRetryableS3Error(const Status& status) {
  return status.code() == ErrorCode::kIoError && status.message().starts_with(kRetryable);
}

}  // namespace sluice::object_store
