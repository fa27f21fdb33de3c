// The Kinesis protocol's codecs, told apart by the request's Content-Type:
// AWS JSON 1.1 (and plain application/json) or CBOR 1.1 (the Java SDKs and
// the KCL); anything else is not decoded.
#pragma once

#include <string_view>

namespace sluice::api {

inline constexpr std::string_view kAmzJson = "application/x-amz-json-1.1";
inline constexpr std::string_view kAmzCbor = "application/x-amz-cbor-1.1";
inline constexpr std::string_view kPlainJson = "application/json";

enum class Codec { kAmzJson, kPlainJson, kCbor, kOther };

// The media type without parameters and surrounding blanks.
std::string_view MediaType(std::string_view content_type);

Codec CodecOf(std::string_view media_type);

}  // namespace sluice::api
