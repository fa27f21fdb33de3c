#include "gateway/aws_responses.h"

#include <cstdint>
#include <random>

#include "util/base64.h"

namespace sluice::gateway {
namespace {

uint64_t NextRandom() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return rng();
}

}  // namespace

std::string RequestId() {
  uint64_t hi = NextRandom(), lo = NextRandom();
  hi = (hi & 0xffffffffffff0fffull) | 0x0000000000004000ull;
  lo = (lo & 0x3fffffffffffffffull) | 0x8000000000000000ull;
  char buf[37];
  static const char* kHex = "0123456789abcdef";
  int pos = 0;
  for (int i = 0; i < 32; ++i) {
    if (i == 8 || i == 12 || i == 16 || i == 20) buf[pos++] = '-';
    uint64_t word = i < 16 ? hi : lo;
    int shift = 60 - 4 * (i % 16);
    buf[pos++] = kHex[(word >> shift) & 0xf];
  }
  buf[pos] = '\0';
  return std::string(buf, 36);
}

namespace {

// x-amz-id-2: base64 of 72 random bytes, as the service (and kinesalite) send.
std::string AmzId2() {
  char raw[72];
  for (int i = 0; i < 72; i += 8) {
    uint64_t r = NextRandom();
    for (int k = 0; k < 8; ++k) raw[i + k] = static_cast<char>(r >> (8 * k));
  }
  return base64::Encode(std::string_view(raw, sizeof raw));
}

}  // namespace

server::HttpResponse AccessDenied() {
  server::HttpResponse r;
  r.status = 403;
  r.headers.emplace_back("Content-Type", "application/xml");
  r.body = std::string(kAccessDeniedXml);
  return r;
}

server::HttpResponse UnknownOperationJson10() {
  server::HttpResponse r;
  r.status = 400;
  r.headers.emplace_back("Content-Type", std::string(kAmzJson10));
  r.headers.emplace_back("x-amzn-ErrorType", "UnknownOperationException");
  r.body = R"({"__type":"com.amazon.coral.service#UnknownOperationException"})";
  return r;
}

void AddAwsHeaders(server::HttpResponse& r) {
  r.headers.emplace_back("x-amzn-RequestId", RequestId());
  r.headers.emplace_back("x-amz-id-2", AmzId2());
}

bool IsCorsRequest(const server::HttpRequest& req) { return !req.Header("origin").empty(); }

void AddCorsHeaders(server::HttpResponse& r) {
  r.headers.emplace_back("Access-Control-Allow-Origin", "*");
  r.headers.emplace_back("Access-Control-Expose-Headers",
                         "x-amzn-RequestId,x-amzn-ErrorType,x-amz-request-id,x-amz-id-2,"
                         "x-amzn-ErrorMessage,Date");
}

server::HttpResponse CorsPreflight(const server::HttpRequest& req) {
  server::HttpResponse r;
  AddAwsHeaders(r);
  AddCorsHeaders(r);
  std::string_view allow_headers = req.Header("access-control-request-headers");
  if (!allow_headers.empty()) r.headers.emplace_back("Access-Control-Allow-Headers", std::string(allow_headers));
  std::string_view allow_method = req.Header("access-control-request-method");
  if (!allow_method.empty()) r.headers.emplace_back("Access-Control-Allow-Methods", std::string(allow_method));
  r.headers.emplace_back("Access-Control-Max-Age", "172800");
  return r;
}

}  // namespace sluice::gateway
