#include "api/content_type.h"

namespace sluice::api {

std::string_view MediaType(std::string_view content_type) {
  content_type = content_type.substr(0, content_type.find(';'));
  while (!content_type.empty() && (content_type.front() == ' ' || content_type.front() == '\t')) {
    content_type.remove_prefix(1);
  }
  while (!content_type.empty() && (content_type.back() == ' ' || content_type.back() == '\t')) {
    content_type.remove_suffix(1);
  }
  return content_type;
}

Codec CodecOf(std::string_view media) {
  if (media == kAmzJson) return Codec::kAmzJson;
  if (media == kPlainJson) return Codec::kPlainJson;
  if (media == kAmzCbor) return Codec::kCbor;
  return Codec::kOther;
}

}  // namespace sluice::api
