#include "cloudwatch/wire.h"

#include <zlib.h>

#include <fmt/format.h>

#include "cloudwatch/cbor_document.h"
#include "cloudwatch/errors.h"
#include "cloudwatch/json_document.h"
#include "cloudwatch/query_protocol.h"
#include "gateway/aws_responses.h"

namespace sluice::cloudwatch {
namespace {

constexpr std::string_view kCbor = "application/cbor";

bool HasToken(std::string_view header, std::string_view token) {
  while (!header.empty()) {
    const size_t comma = header.find(',');
    std::string_view item = header.substr(0, comma);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (item == token) return true;
    header = comma == std::string_view::npos ? std::string_view() : header.substr(comma + 1);
  }
  return false;
}

// Inflates a gzip body, at most kMaxInflatedBytes.
Result<std::string> Gunzip(std::string_view in) {
  z_stream z{};
  if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) return Status::Internal("zlib");
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  std::string out;
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    if (out.size() >= kMaxInflatedBytes) {
      inflateEnd(&z);
      return InvalidParameterValue(
          fmt::format("The request body is larger than {} bytes once decompressed.", kMaxInflatedBytes));
    }
    const size_t old = out.size();
    out.resize(std::min(kMaxInflatedBytes, old + 64 * 1024));
    z.next_out = reinterpret_cast<Bytef*>(out.data() + old);
    z.avail_out = static_cast<uInt>(out.size() - old);
    rc = inflate(&z, Z_NO_FLUSH);
    out.resize(out.size() - z.avail_out);
    if (rc != Z_OK && rc != Z_STREAM_END) {
      inflateEnd(&z);
      return InvalidParameterValue("The request body is declared gzip but cannot be decompressed.");
    }
    if (rc == Z_OK && z.avail_in == 0 && z.avail_out != 0) {
      inflateEnd(&z);
      return InvalidParameterValue("The request body is declared gzip but cannot be decompressed.");
    }
  }
  inflateEnd(&z);
  return out;
}

std::string_view OperationFromPath(std::string_view target) {
  std::string_view path = target.substr(0, target.find('?'));
  constexpr std::string_view kOperation = "/operation/";
  if (!path.starts_with(kPathPrefix)) return {};
  path.remove_prefix(kPathPrefix.size() - 1);
  if (!path.starts_with(kOperation)) return {};
  path.remove_prefix(kOperation.size());
  return path.find('/') == std::string_view::npos ? path : std::string_view();
}

}  // namespace

Wire WireOf(const server::HttpRequest& request) {
  if (request.Header("x-amz-target").starts_with(kTargetPrefix)) return Wire::kJson10;
  if (request.Header("content-type").starts_with(kFormContentType)) return Wire::kQuery;
  return Wire::kRpcV2Cbor;
}

Status DecodeCall(const gateway::ServiceRequest& request, DecodedCall* call) {
  const server::HttpRequest& http = request.http;
  call->wire = WireOf(http);
  call->input = Value::Map();
  if (call->wire == Wire::kJson10) {
    std::string_view target = http.Header("x-amz-target");
    call->operation = target.substr(kTargetPrefix.size());
  } else if (call->wire == Wire::kRpcV2Cbor) {
    call->operation = OperationFromPath(http.target);
  }
  std::string inflated;
  std::string_view body = http.body;
  if (HasToken(http.Header("content-encoding"), "gzip")) {
    SLUICE_ASSIGN_OR_RETURN(inflated, Gunzip(body));
    body = inflated;
  }
  switch (call->wire) {
    case Wire::kRpcV2Cbor: {
      SLUICE_ASSIGN_OR_RETURN(call->input, DecodeCborDocument(body));
      break;
    }
    case Wire::kJson10: {
      SLUICE_ASSIGN_OR_RETURN(call->input, DecodeJsonDocument(body));
      break;
    }
    case Wire::kQuery: {
      SLUICE_ASSIGN_OR_RETURN(QueryRequest q, DecodeQueryForm(body));
      call->operation = std::move(q.action);
      call->input = std::move(q.input);
      break;
    }
  }
  if (call->input.kind() != Value::Kind::kMap) return Status::Serialization("");
  return Status::Ok();
}

gateway::ServiceResponse EncodeOutput(Wire wire, std::string_view operation, const Value& output) {
  gateway::ServiceResponse r;
  const Value empty = Value::Map();
  const Value& body = output.is_null() ? empty : output;
  switch (wire) {
    case Wire::kRpcV2Cbor:
      r.content_type = kCbor;
      r.headers.emplace_back("smithy-protocol", "rpc-v2-cbor");
      r.body = EncodeCborDocument(body);
      break;
    case Wire::kJson10:
      r.content_type = gateway::kAmzJson10;
      r.body = EncodeJsonDocument(body);
      break;
    case Wire::kQuery:
      r.content_type = "text/xml";
      r.body = EncodeQueryResponse(operation, output, gateway::RequestId());
      break;
  }
  return r;
}

gateway::ServiceResponse EncodeError(Wire wire, const Status& error) {
  const ErrorName name = ErrorNameOf(error);
  const std::string message = name.http_status >= 500 ? std::string("Internal service error") : error.message();
  gateway::ServiceResponse r;
  r.status = name.http_status;
  if (wire == Wire::kQuery) {
    r.error_type = name.query_code;
    r.content_type = "text/xml";
    r.body = EncodeQueryError(name.query_code, message, name.sender, gateway::RequestId());
    return r;
  }
  r.error_type = name.shape;
  r.headers.emplace_back("x-amzn-query-error",
                         fmt::format("{};{}", name.query_code, name.sender ? "Sender" : "Receiver"));
  Value body = Value::Map();
  body.Set("__type", Value::String(fmt::format("{}#{}", name.type_namespace, name.shape)));
  body.Set("message", Value::String(message));
  if (wire == Wire::kRpcV2Cbor) {
    r.content_type = kCbor;
    r.headers.emplace_back("smithy-protocol", "rpc-v2-cbor");
    r.body = EncodeCborDocument(body);
  } else {
    r.content_type = gateway::kAmzJson10;
    r.body = EncodeJsonDocument(body);
  }
  return r;
}

}  // namespace sluice::cloudwatch
