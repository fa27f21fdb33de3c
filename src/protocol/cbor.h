// CBOR (RFC 8949) for the Kinesis CBOR 1.1 codec: a streaming decoder that
// reports items to a visitor, and a writer that appends items to a string.
//
// The decoder accepts every well-formed item: all major types, every
// argument width (1, 2, 4 and 8 bytes, so integers from -2^64 to 2^64-1),
// definite and indefinite lengths, tags, simple values and half, single and
// double floats. It rejects, as kSerialization with an empty message (the
// answer the JSON codec gives for a body it cannot parse):
//   - truncated input and bytes left over after the top-level item;
//   - reserved additional information (28..30), an indefinite length on an
//     integer or tag, a stray "break", a two-byte simple value below 32;
//   - an indefinite string whose chunks are not definite strings of the
//     same major type, a text string (or chunk) that is not valid UTF-8;
//   - more than kMaxCborDepth arrays, maps and tags nested in one another.
//
// Resources are linear in the input and nothing is reserved from a length or
// count the input claims: each claimed length or count is checked against
// the bytes that remain before anything is read (a 9-byte header claiming a
// 100 GB string is rejected at once). Every item takes at least one input
// byte, so a body of n bytes yields at most 2n visitor calls (counting the
// End* of each array and map). The only buffer
// is the concatenation of an indefinite-length string (at most n bytes);
// recursion is at most kMaxCborDepth deep.
//
// What Kinesis puts in CBOR (blobs as byte strings, timestamps as tag 1
// around epoch MILLISECONDS) is handled one level up, in cbor_transcode.h.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "util/status.h"

namespace sluice::protocol {

// Arrays, maps and tags that may nest in one another, the top-level item
// included (Kinesis requests nest a few levels deep).
inline constexpr int kMaxCborDepth = 64;

// Receives the items of a CBOR document in order. Each method returns a
// Status; a non-OK status stops decoding and is returned by DecodeCbor.
//
// Arrays and maps are bracketed by Begin*/End* (End* for both definite and
// indefinite lengths); a map's items alternate key, value. A tag is reported
// just before the item it wraps. Views passed to Bytes and Text are valid
// only during the call (indefinite-length strings arrive concatenated, in a
// buffer the decoder reuses).
class CborVisitor {
 public:
  virtual ~CborVisitor() = default;

  virtual Status Unsigned(uint64_t value) = 0;
  // The integer -1 - n (so n = 2^64-1 is -2^64).
  virtual Status Negative(uint64_t n) = 0;
  virtual Status Bytes(std::string_view bytes) = 0;
  // Valid UTF-8.
  virtual Status Text(std::string_view text) = 0;
  // `count` is nullopt for an indefinite length. A definite count (and a
  // map's pairs) never exceeds the bytes left in the input, so a visitor may
  // reserve from it.
  virtual Status BeginArray(std::optional<uint64_t> count) = 0;
  virtual Status EndArray() = 0;
  // `pairs` is nullopt for an indefinite length.
  virtual Status BeginMap(std::optional<uint64_t> pairs) = 0;
  virtual Status EndMap() = 0;
  virtual Status Tag(uint64_t tag) = 0;
  virtual Status Bool(bool value) = 0;
  virtual Status Null() = 0;
  virtual Status Undefined() = 0;
  // Any other simple value (0..19, 32..255): well-formed but unassigned.
  virtual Status Simple(uint8_t value) = 0;
  // Half and single floats arrive widened to double (exactly).
  virtual Status Float(double value) = 0;
};

// Decodes the single CBOR item that makes up `input`, reporting it to
// `visitor`. Returns kSerialization (empty message) for malformed input as
// listed above, or the first non-OK status the visitor returned.
Status DecodeCbor(std::string_view input, CborVisitor* visitor);

// Appends CBOR items to a caller-owned string. Every head uses the shortest
// argument width (RFC 8949 preferred serialization); floats use the shortest
// of half, single and double that holds the value exactly, and every NaN is
// written as the half-float quiet NaN f97e00.
//
// Definite-length arrays and maps need their element count up front;
// BeginIndefinite* / Break bracket items whose count is not known. The writer
// does not check that the calls form a well-formed document.
//
// Threading: one writer per thread; `out` must outlive it.
class CborWriter {
 public:
  explicit CborWriter(std::string* out) : out_(out) {}

  void Unsigned(uint64_t value);
  // Writes -1 - n: the full negative range, down to -2^64.
  void Negative(uint64_t n);
  void Int(int64_t value);
  void Bytes(std::string_view bytes);
  void Text(std::string_view text);
  void BeginArray(uint64_t count);
  void BeginMap(uint64_t pairs);
  void BeginIndefiniteArray();
  void BeginIndefiniteMap();
  void Break();
  void Tag(uint64_t tag);
  void Bool(bool value);
  void Null();
  void Undefined();
  void Double(double value);
  // Tag 1 around integer epoch milliseconds, as the AWS SDK for Java writes
  // and reads timestamps (not the seconds RFC 8949 specifies).
  void TimestampMillis(int64_t epoch_ms) {
    Tag(1);
    Int(epoch_ms);
  }

  std::string* out() { return out_; }

 private:
  void Head(uint8_t major, uint64_t argument);

  std::string* out_;
};

}  // namespace sluice::protocol
