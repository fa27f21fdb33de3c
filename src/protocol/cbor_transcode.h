// The CBOR 1.1 codec as a transcoder to and from the JSON 1.1 bodies the
// operation handlers already read and write: a codec, not a second API. A
// CBOR request is rewritten as the JSON request that means the same thing
// and then takes the JSON path (type checks, validation, semantics); a JSON
// response is rewritten as CBOR. Error bodies use EncodeCborError
// (protocol/errors.h).
//
// What differs between the two codecs (AWS SDK for Java, CBOR side):
//   - blobs are byte strings in CBOR and base64 strings in JSON;
//   - timestamps are tag 1 around integer epoch MILLISECONDS in CBOR (not
//     the seconds RFC 8949 specifies) and epoch seconds in JSON.
//
// Threading: both functions are thread-safe (JsonResponseToCbor parses with
// a per-thread parser of its own, separate from ParseJsonRequest's).
#pragma once

#include <string>
#include <string_view>

#include "util/status.h"

namespace sluice::protocol {

// A tag-1 number whose magnitude is at least this many is epoch milliseconds;
// below it (before 1973-03-03 as milliseconds, after year 5138 as seconds)
// it is taken as epoch seconds already.
inline constexpr double kEpochMillisThreshold = 1e11;

// Rewrites a CBOR request body as JSON for ParseJsonRequest.
//
// The top-level item must be a map, and every map key a text string (JSON
// has no other keys). Values map as follows:
//   - byte string -> base64 string (so `Data` takes the JSON blob path);
//   - text string -> JSON string (a text `Data` is thus read as base64, the
//     leniency the service shows);
//   - tag 1 around an integer or float of magnitude >= kEpochMillisThreshold
//     -> epoch seconds with a millisecond fraction ("1787036486.712"); below
//     the threshold, and numbers without tag 1, pass through unchanged (the
//     JSON path reads numbers in timestamp members as seconds);
//   - integers -> JSON integers; negatives below -2^63 become -2^63 (every
//     JSON reader of an integer clamps to the Java type's range anyway);
//   - floats -> shortest round-trip decimal, always with a fraction or an
//     exponent ("1.0", "1e+300"); NaN -> null (absent);
//     +-Infinity -> +-1.7976931348623157e308 (clamped like a huge JSON number);
//   - false/true/null -> themselves; undefined -> null;
//   - arrays and maps -> arrays and objects; other tags are dropped (their
//     item is kept).
// Malformed CBOR (see cbor.h), a top level that is not a map, a key that is
// not a text string, or an unassigned simple value -> kSerialization with an
// empty message, as for a JSON body that does not parse.
//
// The JSON is at most about 8 times the size of the CBOR (escaped control
// characters, floats), and usually smaller.
Result<std::string> CborRequestToJson(std::string_view cbor);

// Rewrites a JSON response body written by a handler as CBOR.
//
// Member values are converted by member name, at any depth:
//   - `Data` (a blob): base64 string -> byte string;
//   - `ApproximateArrivalTimestamp`, `StreamCreationTimestamp`,
//     `ConsumerCreationTimestamp`, `StartedAt`, `EndedAt`,
//     `EarliestAllowedEndAt` (every timestamp of the Kinesis output shapes):
//     epoch seconds -> tag 1 around integer epoch milliseconds;
//   - everything else naturally: objects -> definite-length maps with text
//     keys, arrays -> definite-length arrays, integers -> integers, other
//     numbers -> floats, strings -> text, booleans and null -> themselves.
// An empty body (operations without output) stays empty. A body that is not
// JSON, or a `Data` member that is not valid base64, is a server bug and
// yields kInternalFailure.
Result<std::string> JsonResponseToCbor(std::string_view json);

}  // namespace sluice::protocol
