// The AWS query protocol, as CloudWatch has spoken it since 2010 (and older
// SDKs and the AWS CLI v1 still do): a form-encoded POST body
//   Action=PutMetricData&Version=2010-08-01&Namespace=App
//   &MetricData.member.1.MetricName=Latency&MetricData.member.1.Value=12.5
// answered in XML:
//   <PutMetricDataResponse xmlns="http://monitoring.amazonaws.com/doc/2010-08-01/">
//     <ResponseMetadata><RequestId>…</RequestId></ResponseMetadata>
//   </PutMetricDataResponse>
// with errors as
//   <ErrorResponse xmlns="…"><Error><Type>Sender</Type><Code>InvalidParameterValue</Code>
//   <Message>…</Message></Error><RequestId>…</RequestId></ErrorResponse>
#pragma once

#include <string>
#include <string_view>

#include "cloudwatch/document.h"
#include "util/status.h"

namespace sluice::cloudwatch {

inline constexpr std::string_view kXmlNamespace = "http://monitoring.amazonaws.com/doc/2010-08-01/";

struct QueryRequest {
  std::string action;   // empty when the form names none
  std::string version;  // "2010-08-01" for the current API
  Value input;          // the other parameters, as a map
};

// Decodes a form body (percent escapes, '+' as space). Keys are dotted
// paths: "A.B" is member B of map A, and "A.member.N" is item N (from 1) of
// list A, items kept in the order of N. A key that is both a value and a
// container, or an item index that is not a positive number, is
// kSerialization.
Result<QueryRequest> DecodeQueryForm(std::string_view body);

// The XML answer to `action`: `result` (a map, or null for an operation
// without output) in <ActionResult>, then ResponseMetadata with
// `request_id`. Lists are written as <member> items, timestamps in ISO 8601.
std::string EncodeQueryResponse(std::string_view action, const Value& result, std::string_view request_id);

// The XML error answer. `sender` picks <Type>Sender</Type> (the caller's
// fault) or Receiver.
std::string EncodeQueryError(std::string_view code, std::string_view message, bool sender, std::string_view request_id);

// `text` with &, <, >, " and ' escaped for XML.
std::string XmlEscape(std::string_view text);

}  // namespace sluice::cloudwatch
