#include "protocol/cbor.h"

#include <gtest/gtest.h>

#include "hex_test_util.h"

#include <charconv>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

namespace sluice::protocol {
namespace {

using ::sluice::testing::FromHex;
using ::sluice::testing::ToHex;

// Prints items in RFC 8949 diagnostic notation (section 8), the notation of
// Appendix A. Indefinite-length strings arrive concatenated, so they print
// as one string.
class Diagnostic final : public CborVisitor {
 public:
  std::string out;

  Status Unsigned(uint64_t v) override { return Scalar(std::to_string(v)); }
  Status Negative(uint64_t n) override {
    return Scalar(n == std::numeric_limits<uint64_t>::max() ? "-18446744073709551616" : "-" + std::to_string(n + 1));
  }
  Status Bytes(std::string_view b) override { return Scalar("h'" + ToHex(b) + "'"); }
  Status Text(std::string_view t) override {
    std::string s = "\"";
    for (char c : t) {
      if (c == '"' || c == '\\') s.push_back('\\');
      s.push_back(c);
    }
    return Scalar(s + "\"");
  }
  Status BeginArray(std::optional<uint64_t> count) override { return Open('a', count ? "[" : "[_ "); }
  Status EndArray() override { return Close("]"); }
  Status BeginMap(std::optional<uint64_t> pairs) override { return Open('m', pairs ? "{" : "{_ "); }
  Status EndMap() override { return Close("}"); }
  Status Tag(uint64_t tag) override { return Open('t', std::to_string(tag) + "("); }
  Status Bool(bool v) override { return Scalar(v ? "true" : "false"); }
  Status Null() override { return Scalar("null"); }
  Status Undefined() override { return Scalar("undefined"); }
  Status Simple(uint8_t v) override { return Scalar("simple(" + std::to_string(v) + ")"); }
  Status Float(double v) override {
    if (std::isnan(v)) return Scalar("NaN");
    if (std::isinf(v)) return Scalar(v > 0 ? "Infinity" : "-Infinity");
    char buf[32];
    auto res = std::to_chars(buf, buf + sizeof buf, v);
    return Scalar(std::string(buf, res.ptr));
  }

 private:
  struct Frame {
    char kind;  // 'a'rray, 'm'ap, 't'ag
    uint64_t items = 0;
  };

  void Start() {
    if (stack_.empty() || stack_.back().kind == 't') return;
    Frame& f = stack_.back();
    if (f.items > 0) out += (f.kind == 'm' && f.items % 2 == 1) ? ": " : ", ";
    ++f.items;
  }
  void Finish() {
    while (!stack_.empty() && stack_.back().kind == 't') {
      out += ")";
      stack_.pop_back();
    }
  }
  Status Scalar(const std::string& s) {
    Start();
    out += s;
    Finish();
    return Status::Ok();
  }
  Status Open(char kind, const std::string& s) {
    Start();
    out += s;
    stack_.push_back(Frame{kind});
    return Status::Ok();
  }
  Status Close(const char* s) {
    out += s;
    stack_.pop_back();
    Finish();
    return Status::Ok();
  }

  std::vector<Frame> stack_;
};

// Re-encodes every item with CborWriter (lengths kept definite or
// indefinite as they came).
class Reencode final : public CborVisitor {
 public:
  std::string out;

  Status Unsigned(uint64_t v) override {
    return Do([&] { w_.Unsigned(v); });
  }
  Status Negative(uint64_t n) override {
    return Do([&] { w_.Negative(n); });
  }
  Status Bytes(std::string_view b) override {
    return Do([&] { w_.Bytes(b); });
  }
  Status Text(std::string_view t) override {
    return Do([&] { w_.Text(t); });
  }
  Status BeginArray(std::optional<uint64_t> n) override {
    indefinite_.push_back(!n);
    return Do([&] { n ? w_.BeginArray(*n) : w_.BeginIndefiniteArray(); });
  }
  Status BeginMap(std::optional<uint64_t> n) override {
    indefinite_.push_back(!n);
    return Do([&] { n ? w_.BeginMap(*n) : w_.BeginIndefiniteMap(); });
  }
  Status EndArray() override { return End(); }
  Status EndMap() override { return End(); }
  Status Tag(uint64_t t) override {
    return Do([&] { w_.Tag(t); });
  }
  Status Bool(bool v) override {
    return Do([&] { w_.Bool(v); });
  }
  Status Null() override {
    return Do([&] { w_.Null(); });
  }
  Status Undefined() override {
    return Do([&] { w_.Undefined(); });
  }
  Status Simple(uint8_t v) override {
    if (v < 24) {
      out.push_back(static_cast<char>(0xe0 | v));
    } else {
      out.push_back(static_cast<char>(0xf8));
      out.push_back(static_cast<char>(v));
    }
    return Status::Ok();
  }
  Status Float(double v) override {
    return Do([&] { w_.Double(v); });
  }

 private:
  template <typename F>
  Status Do(F f) {
    f();
    return Status::Ok();
  }
  Status End() {
    if (indefinite_.back()) w_.Break();
    indefinite_.pop_back();
    return Status::Ok();
  }

  CborWriter w_{&out};
  std::vector<bool> indefinite_;
};

// Counts visitor calls, to show that hostile input is rejected before any
// item is reported.
class CountingVisitor final : public CborVisitor {
 public:
  int calls = 0;
  uint64_t largest_count = 0;

  Status Unsigned(uint64_t) override { return Count(); }
  Status Negative(uint64_t) override { return Count(); }
  Status Bytes(std::string_view) override { return Count(); }
  Status Text(std::string_view) override { return Count(); }
  Status BeginArray(std::optional<uint64_t> n) override { return Count(n); }
  Status EndArray() override { return Count(); }
  Status BeginMap(std::optional<uint64_t> n) override { return Count(n); }
  Status EndMap() override { return Count(); }
  Status Tag(uint64_t) override { return Count(); }
  Status Bool(bool) override { return Count(); }
  Status Null() override { return Count(); }
  Status Undefined() override { return Count(); }
  Status Simple(uint8_t) override { return Count(); }
  Status Float(double) override { return Count(); }

 private:
  Status Count(std::optional<uint64_t> n = std::nullopt) {
    ++calls;
    if (n && *n > largest_count) largest_count = *n;
    return Status::Ok();
  }
};

std::string Diag(std::string_view hex) {
  Diagnostic d;
  Status st = DecodeCbor(FromHex(hex), &d);
  if (!st.ok()) return "error: " + st.ToString();
  return d.out;
}

std::string RoundTrip(std::string_view hex) {
  Reencode r;
  Status st = DecodeCbor(FromHex(hex), &r);
  if (!st.ok()) return "error: " + st.ToString();
  return ToHex(r.out);
}

double DecodeFloat(std::string_view hex) {
  struct : CborVisitor {
    double value = -12345;
    Status Unsigned(uint64_t) override { return Status::Ok(); }
    Status Negative(uint64_t) override { return Status::Ok(); }
    Status Bytes(std::string_view) override { return Status::Ok(); }
    Status Text(std::string_view) override { return Status::Ok(); }
    Status BeginArray(std::optional<uint64_t>) override { return Status::Ok(); }
    Status EndArray() override { return Status::Ok(); }
    Status BeginMap(std::optional<uint64_t>) override { return Status::Ok(); }
    Status EndMap() override { return Status::Ok(); }
    Status Tag(uint64_t) override { return Status::Ok(); }
    Status Bool(bool) override { return Status::Ok(); }
    Status Null() override { return Status::Ok(); }
    Status Undefined() override { return Status::Ok(); }
    Status Simple(uint8_t) override { return Status::Ok(); }
    Status Float(double v) override {
      value = v;
      return Status::Ok();
    }
  } v;
  EXPECT_TRUE(DecodeCbor(FromHex(hex), &v).ok()) << hex;
  return v.value;
}

bool IsSerializationError(std::string_view bytes) {
  CountingVisitor v;
  Status st = DecodeCbor(bytes, &v);
  return st.code() == ErrorCode::kSerialization && st.message().empty();
}

struct Vector {
  const char* hex;
  const char* diagnostic;
};

// RFC 8949 Appendix A, integers: every argument width, both signs, and the
// bignum tags just past the 64-bit range.
TEST(CborTest, AppendixAIntegers) {
  const Vector kVectors[] = {
      {"00", "0"},
      {"01", "1"},
      {"0a", "10"},
      {"17", "23"},
      {"1818", "24"},
      {"1819", "25"},
      {"1864", "100"},
      {"1903e8", "1000"},
      {"1a000f4240", "1000000"},
      {"1b000000e8d4a51000", "1000000000000"},
      {"1bffffffffffffffff", "18446744073709551615"},
      {"c249010000000000000000", "2(h'010000000000000000')"},
      {"3bffffffffffffffff", "-18446744073709551616"},
      {"c349010000000000000000", "3(h'010000000000000000')"},
      {"20", "-1"},
      {"29", "-10"},
      {"3863", "-100"},
      {"3903e7", "-1000"},
  };
  for (const Vector& v : kVectors) {
    EXPECT_EQ(Diag(v.hex), v.diagnostic) << v.hex;
    EXPECT_EQ(RoundTrip(v.hex), v.hex);
  }
}

// RFC 8949 Appendix A, floats in half, single and double precision.
TEST(CborTest, AppendixAFloatsDecodeToTheirValues) {
  struct FloatVector {
    const char* hex;
    double value;
  };
  const FloatVector kVectors[] = {
      {"f90000", 0.0},
      {"f93c00", 1.0},
      {"fb3ff199999999999a", 1.1},
      {"f93e00", 1.5},
      {"f97bff", 65504.0},
      {"fa47c35000", 100000.0},
      {"fa7f7fffff", 3.4028234663852886e+38},
      {"fb7e37e43c8800759c", 1.0e+300},
      {"f90001", 5.960464477539063e-8},
      {"f90400", 0.00006103515625},
      {"f9c400", -4.0},
      {"fbc010666666666666", -4.1},
  };
  for (const FloatVector& v : kVectors) EXPECT_EQ(DecodeFloat(v.hex), v.value) << v.hex;

  double negative_zero = DecodeFloat("f98000");
  EXPECT_EQ(negative_zero, 0.0);
  EXPECT_TRUE(std::signbit(negative_zero));
  for (const char* hex : {"f97c00", "fa7f800000", "fb7ff0000000000000"}) {
    EXPECT_EQ(DecodeFloat(hex), std::numeric_limits<double>::infinity()) << hex;
  }
  for (const char* hex : {"f9fc00", "faff800000", "fbfff0000000000000"}) {
    EXPECT_EQ(DecodeFloat(hex), -std::numeric_limits<double>::infinity()) << hex;
  }
  for (const char* hex : {"f97e00", "fa7fc00000", "fb7ff8000000000000"})
    EXPECT_TRUE(std::isnan(DecodeFloat(hex))) << hex;
}

// The writer picks the shortest exact width, reproducing Appendix A's
// preferred encodings; every NaN and infinity narrows to half precision.
TEST(CborTest, WriterUsesShortestExactFloat) {
  const char* kPreferred[] = {"f90000",
                              "f98000",
                              "f93c00",
                              "fb3ff199999999999a",
                              "f93e00",
                              "f97bff",
                              "fa47c35000",
                              "fa7f7fffff",
                              "fb7e37e43c8800759c",
                              "f90001",
                              "f90400",
                              "f9c400",
                              "fbc010666666666666",
                              "f97c00",
                              "f97e00",
                              "f9fc00"};
  for (const char* hex : kPreferred) EXPECT_EQ(RoundTrip(hex), hex);
  EXPECT_EQ(RoundTrip("fa7f800000"), "f97c00");
  EXPECT_EQ(RoundTrip("fa7fc00000"), "f97e00");
  EXPECT_EQ(RoundTrip("faff800000"), "f9fc00");
  EXPECT_EQ(RoundTrip("fb7ff0000000000000"), "f97c00");
  EXPECT_EQ(RoundTrip("fb7ff8000000000000"), "f97e00");
  EXPECT_EQ(RoundTrip("fbfff0000000000000"), "f9fc00");

  std::string out;
  CborWriter w(&out);
  w.Double(std::ldexp(3.0, -24));   // a half subnormal
  w.Double(std::ldexp(1.0, -25));   // below the half range: single
  w.Double(1e39);                   // beyond the single range: double
  w.Double(std::ldexp(1.0, -149));  // a single subnormal: not a half
  EXPECT_EQ(ToHex(out), "f90003fa33000000fb48078287f49c4a1dfa00000001");
}

// Floats as the independent npm `cbor` package writes them (single
// precision where a half would do).
TEST(CborTest, DecodesFloatsOfAnotherEncoder) {
  EXPECT_EQ(DecodeFloat("fa3f000000"), 0.5);
  EXPECT_EQ(DecodeFloat("fa3fc00000"), 1.5);
  EXPECT_EQ(DecodeFloat("fa47c35040"), 100000.5);
  EXPECT_EQ(DecodeFloat("fa33800000"), 5.960464477539063e-8);
  EXPECT_EQ(DecodeFloat("fa38800000"), 0.00006103515625);
}

TEST(CborTest, AppendixASimpleValuesAndTags) {
  const Vector kVectors[] = {
      {"f4", "false"},
      {"f5", "true"},
      {"f6", "null"},
      {"f7", "undefined"},
      {"f0", "simple(16)"},
      {"f8ff", "simple(255)"},
      {"c074323031332d30332d32315432303a30343a30305a", "0(\"2013-03-21T20:04:00Z\")"},
      {"c11a514b67b0", "1(1363896240)"},
      {"c1fb41d452d9ec200000", "1(1363896240.5)"},
      {"d74401020304", "23(h'01020304')"},
      {"d818456449455446", "24(h'6449455446')"},
      {"d82076687474703a2f2f7777772e6578616d706c652e636f6d", "32(\"http://www.example.com\")"},
  };
  for (const Vector& v : kVectors) {
    EXPECT_EQ(Diag(v.hex), v.diagnostic) << v.hex;
    EXPECT_EQ(RoundTrip(v.hex), v.hex);
  }
}

TEST(CborTest, AppendixAStringsArraysAndMaps) {
  const Vector kVectors[] = {
      {"40", "h''"},
      {"4401020304", "h'01020304'"},
      {"60", "\"\""},
      {"6161", "\"a\""},
      {"6449455446", "\"IETF\""},
      {"62225c", "\"\\\"\\\\\""},
      {"62c3bc", "\"\xc3\xbc\""},
      {"63e6b0b4", "\"\xe6\xb0\xb4\""},
      {"64f0908591", "\"\xf0\x90\x85\x91\""},
      {"80", "[]"},
      {"83010203", "[1, 2, 3]"},
      {"8301820203820405", "[1, [2, 3], [4, 5]]"},
      {"98190102030405060708090a0b0c0d0e0f101112131415161718181819",
       "[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25]"},
      {"a0", "{}"},
      {"a201020304", "{1: 2, 3: 4}"},
      {"a26161016162820203", "{\"a\": 1, \"b\": [2, 3]}"},
      {"826161a161626163", "[\"a\", {\"b\": \"c\"}]"},
      {"a56161614161626142616361436164614461656145",
       "{\"a\": \"A\", \"b\": \"B\", \"c\": \"C\", \"d\": \"D\", \"e\": \"E\"}"},
  };
  for (const Vector& v : kVectors) {
    EXPECT_EQ(Diag(v.hex), v.diagnostic) << v.hex;
    EXPECT_EQ(RoundTrip(v.hex), v.hex);
  }
}

TEST(CborTest, AppendixAIndefiniteLengths) {
  const Vector kVectors[] = {
      {"9fff", "[_ ]"},
      {"9f018202039f0405ffff", "[_ 1, [2, 3], [_ 4, 5]]"},
      {"9f01820203820405ff", "[_ 1, [2, 3], [4, 5]]"},
      {"83018202039f0405ff", "[1, [2, 3], [_ 4, 5]]"},
      {"83019f0203ff820405", "[1, [_ 2, 3], [4, 5]]"},
      {"9f0102030405060708090a0b0c0d0e0f101112131415161718181819ff",
       "[_ 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25]"},
      {"bf61610161629f0203ffff", "{_ \"a\": 1, \"b\": [_ 2, 3]}"},
      {"826161bf61626163ff", "[\"a\", {_ \"b\": \"c\"}]"},
      {"bf6346756ef563416d7421ff", "{_ \"Fun\": true, \"Amt\": -2}"},
  };
  for (const Vector& v : kVectors) {
    EXPECT_EQ(Diag(v.hex), v.diagnostic) << v.hex;
    EXPECT_EQ(RoundTrip(v.hex), v.hex);
  }
}

TEST(CborTest, IndefiniteStringsArriveConcatenated) {
  EXPECT_EQ(Diag("5f42010243030405ff"), "h'0102030405'");          // (_ h'0102', h'030405')
  EXPECT_EQ(Diag("7f657374726561646d696e67ff"), "\"streaming\"");  // (_ "strea", "ming")
  EXPECT_EQ(Diag("5fff"), "h''");
  EXPECT_EQ(Diag("7f60ff"), "\"\"");
  // Two indefinite strings in one document: the reused buffer starts over.
  EXPECT_EQ(Diag("825f4101ff5f41024103ff"), "[h'01', h'0203']");
}

TEST(CborTest, WriterIntegersUseTheShortestHead) {
  std::string out;
  CborWriter w(&out);
  w.Int(0);
  w.Int(23);
  w.Int(24);
  w.Int(255);
  w.Int(256);
  w.Int(65535);
  w.Int(65536);
  w.Int(4294967295);
  w.Int(4294967296);
  w.Int(std::numeric_limits<int64_t>::max());
  EXPECT_EQ(ToHex(out),
            "00171818"
            "18ff"
            "190100"
            "19ffff"
            "1a00010000"
            "1affffffff"
            "1b0000000100000000"
            "1b7fffffffffffffff");
  out.clear();
  w.Int(-1);
  w.Int(-24);
  w.Int(-25);
  w.Int(-256);
  w.Int(-257);
  w.Int(std::numeric_limits<int64_t>::min());
  w.Negative(std::numeric_limits<uint64_t>::max());  // -2^64
  EXPECT_EQ(ToHex(out),
            "2037"
            "3818"
            "38ff"
            "390100"
            "3b7fffffffffffffff"
            "3bffffffffffffffff");
}

// The Java SDK's timestamp: tag 1 around integer epoch milliseconds.
TEST(CborTest, TimestampMillisIsTagOneAroundAnInteger) {
  std::string out;
  CborWriter w(&out);
  w.TimestampMillis(1787036486712);
  EXPECT_EQ(ToHex(out), "c11b000001a013accc38");
}

TEST(CborTest, WriterStringsAndContainers) {
  std::string out;
  CborWriter w(&out);
  w.BeginMap(2);
  w.Text("a");
  w.Bytes(std::string(300, 'x'));
  w.Text("b");
  w.BeginIndefiniteArray();
  w.Null();
  w.Bool(true);
  w.Break();
  std::string hex = ToHex(out);
  EXPECT_EQ(hex.substr(0, 12), "a2616159012c");
  EXPECT_EQ(hex.substr(12 + 600), "61629ff6f5ff");
  EXPECT_EQ(Diag(hex).substr(0, 14), "{\"a\": h'787878");
}

// RFC 8949 Appendix F: examples of CBOR data items that are not well-formed.
TEST(CborTest, AppendixFNotWellFormedIsSerialization) {
  const char* kMalformed[] = {
      // End of input in a head.
      "18",
      "19",
      "1a",
      "1b",
      "1901",
      "1a0102",
      "1b01020304050607",
      "38",
      "58",
      "78",
      "98",
      "9a01ff00",
      "b8",
      "d8",
      "f8",
      "f900",
      "fa0000",
      "fb000000",
      // Definite-length strings with short data.
      "41",
      "61",
      "5affffffff00",
      "5bffffffffffffffff010203",
      "7affffffff00",
      "7b7fffffffffffffff010203",
      // Definite-length arrays and maps without enough items.
      "81",
      "818181818181818181",
      "8200",
      "a1",
      "a20102",
      "a100",
      "a2000000",
      // A tag without content.
      "c0",
      // Indefinite-length strings, arrays and maps without a break.
      "5f4100",
      "7f6100",
      "9f",
      "9f0102",
      "bf",
      "bf01020102",
      "819f",
      "9f8000",
      "9f9f9f9f9fffffffff",
      "9f819f819f9fffffff",
      // Reserved additional information.
      "1c",
      "1d",
      "1e",
      "3c",
      "3d",
      "3e",
      "5c",
      "5d",
      "5e",
      "7c",
      "7d",
      "7e",
      "9c",
      "9d",
      "9e",
      "bc",
      "bd",
      "be",
      "dc",
      "dd",
      "de",
      "fc",
      "fd",
      "fe",
      // Two-byte simple values below 32.
      "f800",
      "f801",
      "f818",
      "f81f",
      // Indefinite-length string chunks of the wrong type or indefinite.
      "5f00ff",
      "5f21ff",
      "5f6100ff",
      "5f80ff",
      "5fa0ff",
      "5fc000ff",
      "5fe0ff",
      "7f4100ff",
      "5f5f4100ffff",
      "7f7f6100ffff",
      // A break outside an indefinite-length item, or in a value position.
      "ff",
      "81ff",
      "8200ff",
      "a1ff",
      "a1ff00",
      "a100ff",
      "a20000ff",
      "9f81ff",
      "9f829f819f9fffffffff",
      "bf00ff",
      "bf000000ff",
      // Indefinite length on an integer or a tag.
      "1f",
      "3f",
      "df",
  };
  for (const char* hex : kMalformed) EXPECT_TRUE(IsSerializationError(FromHex(hex))) << hex;
}

TEST(CborTest, EmptyInputTrailingBytesAndBadUtf8AreSerialization) {
  EXPECT_TRUE(IsSerializationError(""));
  EXPECT_TRUE(IsSerializationError(FromHex("0000")));
  EXPECT_TRUE(IsSerializationError(FromHex("a0ff")));
  EXPECT_TRUE(IsSerializationError(FromHex("62c328")));        // invalid continuation byte
  EXPECT_TRUE(IsSerializationError(FromHex("63eda080")));      // a UTF-16 surrogate
  EXPECT_TRUE(IsSerializationError(FromHex("7f61c361bcff")));  // a code point split over chunks
  EXPECT_FALSE(IsSerializationError(FromHex("42c328")));       // bytes need not be UTF-8
}

// A 9-byte head may claim 100 GB; it is compared with what remains and
// rejected before anything is reported, read or allocated.
TEST(CborTest, HugeClaimedLengthsAreRejectedBeforeAnythingIsReported) {
  const char* kHostile[] = {
      "5b000000174876e800",        // byte string of 100 GB
      "7b000000174876e80061",      // text string of 100 GB
      "5bffffffffffffffff",        // byte string of 2^64-1 bytes
      "9b000000174876e800",        // array of 100 G items
      "bbffffffffffffffff",        // map of 2^64-1 pairs
      "9a7fffffff00",              // array of 2^31-1 items, one present
      "5f5b000000174876e80000ff",  // a huge chunk in an indefinite string
  };
  for (const char* hex : kHostile) {
    CountingVisitor v;
    Status st = DecodeCbor(FromHex(hex), &v);
    EXPECT_EQ(st.code(), ErrorCode::kSerialization) << hex;
    EXPECT_EQ(v.calls, 0) << hex;
  }
}

// Counts reported to BeginArray/BeginMap never exceed the bytes left, so a
// visitor may reserve from them.
TEST(CborTest, ReportedCountsAreBoundedByTheInput) {
  CountingVisitor v;
  Status st = DecodeCbor(FromHex("9a0000000301020304"), &v);  // 3 items, then 1 byte more
  EXPECT_EQ(st.code(), ErrorCode::kSerialization);            // the fourth is trailing data
  EXPECT_EQ(v.largest_count, 3u);
  CountingVisitor pairs;
  EXPECT_EQ(DecodeCbor(FromHex("ba00000003010203040506"), &pairs).code(), ErrorCode::kOk);
  EXPECT_EQ(pairs.largest_count, 3u);
  CountingVisitor too_many;  // 4 pairs need at least 8 bytes; 7 remain
  EXPECT_EQ(DecodeCbor(FromHex("ba0000000401020304050607"), &too_many).code(), ErrorCode::kSerialization);
  EXPECT_EQ(too_many.calls, 0);
}

std::string Nested(const std::string& open, int levels, const std::string& leaf, const std::string& close) {
  std::string out;
  for (int i = 0; i < levels; ++i) out += open;
  out += leaf;
  for (int i = 0; i < levels; ++i) out += close;
  return out;
}

TEST(CborTest, NestingIsCappedAtMaxDepth) {
  CountingVisitor ok;
  EXPECT_TRUE(DecodeCbor(FromHex(Nested("81", kMaxCborDepth, "00", "")), &ok).ok());
  EXPECT_TRUE(IsSerializationError(FromHex(Nested("81", kMaxCborDepth + 1, "00", ""))));
  EXPECT_TRUE(DecodeCbor(FromHex(Nested("9f", kMaxCborDepth, "", "ff")), &ok).ok());
  EXPECT_TRUE(IsSerializationError(FromHex(Nested("9f", kMaxCborDepth + 1, "", "ff"))));
  // Tags count as levels: 1(1(1(...))) cannot recurse without bound.
  EXPECT_TRUE(DecodeCbor(FromHex(Nested("c1", kMaxCborDepth, "00", "")), &ok).ok());
  EXPECT_TRUE(IsSerializationError(FromHex(Nested("c1", kMaxCborDepth + 1, "00", ""))));
  EXPECT_TRUE(IsSerializationError(FromHex(Nested("a16161", 100000, "00", ""))));
  // A million nested arrays: rejected, not a stack overflow.
  EXPECT_TRUE(IsSerializationError(FromHex(Nested("81", 1000000, "00", ""))));
}

TEST(CborTest, VisitorErrorsStopDecoding) {
  struct Refuser : CborVisitor {
    int calls = 0;
    Status Unsigned(uint64_t) override { return Status::Validation("no integers"); }
    Status Negative(uint64_t) override { return Status::Ok(); }
    Status Bytes(std::string_view) override { return Status::Ok(); }
    Status Text(std::string_view) override { return Status::Ok(); }
    Status BeginArray(std::optional<uint64_t>) override {
      ++calls;
      return Status::Ok();
    }
    Status EndArray() override {
      ++calls;
      return Status::Ok();
    }
    Status BeginMap(std::optional<uint64_t>) override { return Status::Ok(); }
    Status EndMap() override { return Status::Ok(); }
    Status Tag(uint64_t) override { return Status::Ok(); }
    Status Bool(bool) override { return Status::Ok(); }
    Status Null() override { return Status::Ok(); }
    Status Undefined() override { return Status::Ok(); }
    Status Simple(uint8_t) override { return Status::Ok(); }
    Status Float(double) override { return Status::Ok(); }
  } v;
  Status st = DecodeCbor(FromHex("83010203"), &v);
  EXPECT_EQ(st.code(), ErrorCode::kValidation);
  EXPECT_EQ(st.message(), "no integers");
  EXPECT_EQ(v.calls, 1);  // BeginArray only
}

}  // namespace
}  // namespace sluice::protocol
