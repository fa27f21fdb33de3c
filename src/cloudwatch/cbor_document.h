// Documents in Smithy RPC v2 CBOR (the protocol the AWS SDK for Java v2 and
// botocore speak to CloudWatch): maps with text keys, lists, text, numbers,
// booleans, null, and timestamps as tag 1 around epoch SECONDS (an integer
// or a float; Kinesis's CBOR 1.1 puts milliseconds there instead).
#pragma once

#include <string>
#include <string_view>

#include "cloudwatch/document.h"
#include "util/status.h"

namespace sluice::cloudwatch {

// Decodes one CBOR item. Malformed CBOR (protocol/cbor.h), a map key that is
// not text, a byte string or a tag other than 1 around a number is
// kSerialization. An empty body decodes as an empty map (an input with no
// members).
Result<Value> DecodeCborDocument(std::string_view bytes);

// Encodes `value` (definite lengths; timestamps as tag 1 around seconds,
// integers when whole).
std::string EncodeCborDocument(const Value& value);

}  // namespace sluice::cloudwatch
