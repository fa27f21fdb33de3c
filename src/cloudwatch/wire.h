// The three protocols CloudWatch is spoken in on one endpoint, told apart by
// the request:
//   RPC v2 CBOR  POST /service/GraniteServiceVersion20100801/operation/<Op>,
//                smithy-protocol: rpc-v2-cbor, Content-Type application/cbor
//                (the AWS SDK for Java v2, botocore since it listed the
//                protocol first)
//   JSON 1.0     X-Amz-Target: GraniteServiceVersion20100801.<Op>,
//                Content-Type application/x-amz-json-1.0
//   query        POST, Content-Type application/x-www-form-urlencoded,
//                Action=<Op>&Version=2010-08-01&... (older SDKs, the AWS CLI v1)
// Every protocol decodes to a Document (document.h) and the answer is
// encoded back in the request's protocol; errors carry CloudWatch's names
// (errors.h), and, since CloudWatch is "awsQueryCompatible", the CBOR and
// JSON ones also carry `x-amzn-query-error: <query code>;Sender`.
// A body with Content-Encoding gzip (the SDKs compress large PutMetricData
// calls) is inflated first.
#pragma once

#include <string>
#include <string_view>

#include "cloudwatch/document.h"
#include "gateway/service.h"
#include "util/status.h"

namespace sluice::cloudwatch {

inline constexpr std::string_view kTargetPrefix = "GraniteServiceVersion20100801.";
inline constexpr std::string_view kPathPrefix = "/service/GraniteServiceVersion20100801/";
inline constexpr std::string_view kFormContentType = "application/x-www-form-urlencoded";
inline constexpr std::string_view kApiVersion = "2010-08-01";
// The most bytes a compressed body may inflate to.
inline constexpr size_t kMaxInflatedBytes = 4 << 20;

enum class Wire { kRpcV2Cbor, kJson10, kQuery };

struct DecodedCall {
  Wire wire = Wire::kRpcV2Cbor;
  std::string operation;  // empty when the request names none
  Value input;            // a map
};

// The protocol of `request` (by smithy-protocol header and path, target, or
// content type; CBOR when nothing else fits).
Wire WireOf(const server::HttpRequest& request);

// Decodes `request`: the operation from the path, the target or the Action
// parameter, and its input. The operation is filled in even when the body
// fails to decode (kSerialization, or InvalidParameterValue for a body that
// inflates too far or is not gzip).
Status DecodeCall(const gateway::ServiceRequest& request, DecodedCall* call);

// A successful answer to `operation` with `output` (a map; null: no output).
gateway::ServiceResponse EncodeOutput(Wire wire, std::string_view operation, const Value& output);
// `error` in `wire`'s shape.
gateway::ServiceResponse EncodeError(Wire wire, const Status& error);

}  // namespace sluice::cloudwatch
