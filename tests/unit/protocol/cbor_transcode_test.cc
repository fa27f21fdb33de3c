#include "protocol/cbor_transcode.h"

#include <gtest/gtest.h>

#include "hex_test_util.h"

#include <limits>
#include <string>

#include "protocol/cbor.h"
#include "protocol/errors.h"
#include "protocol/json_reader.h"
#include "protocol/json_writer.h"

namespace sluice::protocol {
namespace {

using ::sluice::testing::FromHex;
using ::sluice::testing::ToHex;

std::string ToJson(std::string_view cbor_hex) {
  Result<std::string> json = CborRequestToJson(FromHex(cbor_hex));
  if (!json.ok()) return "error: " + json.status().ToString();
  return *json;
}

bool IsSerializationError(std::string_view cbor) {
  Result<std::string> json = CborRequestToJson(cbor);
  return !json.ok() && json.status().code() == ErrorCode::kSerialization && json.status().message().empty();
}

// Test vectors below marked "npm" were written by the independent `cbor`
// package for Node.js (v10): maps built in member order, Buffers for blobs,
// `new Tagged(1, <millis>)` for the Java SDK's timestamps. The indefinite-
// length ones were assembled from its encodings of the parts and checked by
// decoding them with the same package.

// GetShardIterator as the AWS SDK for Java sends it: an indefinite-length
// map (Jackson) and the timestamp as tag 1 around epoch milliseconds,
// c1 1b 000001a013accc38 = 1787036486712.
constexpr std::string_view kGetShardIteratorJava =
    "bf6a53747265616d4e616d656b746573742d73747265616d675368617264496474736861726449642d3030303030303030"
    "303030307153686172644974657261746f72547970656c41545f54494d455354414d506954696d657374616d70c11b0000"
    "01a013accc38ff";  // npm parts

TEST(CborTranscodeTest, JavaGetShardIteratorTimestampBecomesEpochSeconds) {
  ASSERT_NE(kGetShardIteratorJava.find("c11b000001a013accc38"), std::string_view::npos);
  std::string json = ToJson(kGetShardIteratorJava);
  EXPECT_EQ(json, R"({"StreamName":"test-stream","ShardId":"shardId-000000000000",)"
                  R"("ShardIteratorType":"AT_TIMESTAMP","Timestamp":1787036486.712})");

  // The JSON path then reads the same instant back.
  Result<JsonObject> body = ParseJsonRequest(json);
  ASSERT_TRUE(body.ok());
  std::optional<int64_t> millis;
  ASSERT_TRUE(body->GetTimestampMillis("Timestamp", &millis).ok());
  EXPECT_EQ(millis, 1787036486712);
}

TEST(CborTranscodeTest, DefiniteLengthMapGivesTheSameJson) {
  constexpr std::string_view kDefinite =  // npm
      "a46a53747265616d4e616d656b746573742d73747265616d675368617264496474736861726449642d30303030303030"
      "30303030307153686172644974657261746f72547970656c41545f54494d455354414d506954696d657374616d70c11b"
      "000001a013accc38";
  EXPECT_EQ(ToJson(kDefinite), ToJson(kGetShardIteratorJava));
}

TEST(CborTranscodeTest, PutRecordDataByteStringBecomesBase64) {
  // {StreamName: "test-stream", Data: h'68656c6c6f2c206b696e6573697300fffe80', PartitionKey: "pk-1"}
  constexpr std::string_view kPutRecord =  // npm
      "a36a53747265616d4e616d656b746573742d73747265616d64446174615268656c6c6f2c206b696e6573697300fffe80"
      "6c506172746974696f6e4b657964706b2d31";
  std::string json = ToJson(kPutRecord);
  EXPECT_EQ(json, R"({"StreamName":"test-stream","Data":"aGVsbG8sIGtpbmVzaXMA//6A","PartitionKey":"pk-1"})");

  Result<JsonObject> body = ParseJsonRequest(json);
  ASSERT_TRUE(body.ok());
  ByteArena arena;
  std::optional<std::string_view> data;
  ASSERT_TRUE(body->GetBlob("Data", &arena, &data).ok());
  EXPECT_EQ(*data, std::string_view("hello, kinesis\0\xff\xfe\x80", 18));
}

TEST(CborTranscodeTest, PutRecordsBlobsOfEverySizeRoundTrip) {
  // {Records: [{Data: <bytes 0..299 mod 256>, PartitionKey: "a"},
  //            {Data: h'', PartitionKey: "b", ExplicitHashKey: "1701...728"}],
  //  StreamName: "test-stream"}
  std::string hex =  // npm
      "a2675265636f72647382a2644461746159012c";
  for (int i = 0; i < 300; ++i) hex += ToHex(std::string(1, static_cast<char>(i & 0xff)));
  hex +=
      "6c506172746974696f6e4b65796161a36444617461406c506172746974696f6e4b657961626f4578706c69636974486173"
      "684b657978273137303134313138333436303436393233313733313638373330333731353838343130353732386a5374"
      "7265616d4e616d656b746573742d73747265616d";
  std::string json = ToJson(hex);
  Result<JsonObject> body = ParseJsonRequest(json);
  ASSERT_TRUE(body.ok()) << json;
  std::optional<JsonArray> records;
  ASSERT_TRUE(body->GetList("Records", &records).ok());
  ASSERT_EQ(records->size(), 2u);
  ByteArena arena;
  JsonObject first, second;
  ASSERT_TRUE(records->StructureAt(0, &first).ok());
  ASSERT_TRUE(records->StructureAt(1, &second).ok());
  std::optional<std::string_view> data, key;
  ASSERT_TRUE(first.GetBlob("Data", &arena, &data).ok());
  ASSERT_EQ(data->size(), 300u);
  for (int i = 0; i < 300; ++i) ASSERT_EQ(static_cast<uint8_t>((*data)[i]), i & 0xff);
  ASSERT_TRUE(second.GetBlob("Data", &arena, &data).ok());
  EXPECT_EQ(*data, "");
  ASSERT_TRUE(second.GetString("ExplicitHashKey", &key).ok());
  EXPECT_EQ(*key, "170141183460469231731687303715884105728");
}

TEST(CborTranscodeTest, ChunkedDataInAnIndefiniteMapIsJoined) {
  // {_ "StreamName": "s", "Data": (_ h'68656c', h'6c6f'), "PartitionKey": "k"}
  constexpr std::string_view kChunked =  // npm parts
      "bf6a53747265616d4e616d65617364446174615f4368656c426c6fff6c506172746974696f6e4b6579616bff";
  EXPECT_EQ(ToJson(kChunked), R"({"StreamName":"s","Data":"aGVsbG8=","PartitionKey":"k"})");
}

TEST(CborTranscodeTest, TextDataPassesThroughForTheBase64Path) {
  // {"Data": "aGk="}: lenient input, decoded by the JSON blob path.
  std::string json = ToJson("a164446174616461476b3d");
  EXPECT_EQ(json, R"({"Data":"aGk="})");
  Result<JsonObject> body = ParseJsonRequest(json);
  ASSERT_TRUE(body.ok());
  ByteArena arena;
  std::optional<std::string_view> data;
  ASSERT_TRUE(body->GetBlob("Data", &arena, &data).ok());
  EXPECT_EQ(*data, "hi");
}

TEST(CborTranscodeTest, TagOneMillisAsFloatInANestedStructure) {
  // {StreamName: "s", ShardFilter: {Type: "AT_TIMESTAMP", Timestamp: 1(1787036486712.5)}, MaxResults: 100}
  constexpr std::string_view kListShards =  // npm
      "a36a53747265616d4e616d6561736b536861726446696c746572a264547970656c41545f54494d455354414d50695469"
      "6d657374616d70c1fb427a013accc388006a4d6178526573756c74731864";
  EXPECT_EQ(ToJson(kListShards),
            R"({"StreamName":"s","ShardFilter":{"Type":"AT_TIMESTAMP","Timestamp":1787036486.713},"MaxResults":100})");
}

TEST(CborTranscodeTest, TagOneBelowTheThresholdIsAlreadySeconds) {
  EXPECT_EQ(ToJson("a16154c11a514b67b0"), R"({"T":1363896240})");                    // 1(1363896240)
  EXPECT_EQ(ToJson("a16154c1fb41d452d9ec200000"), R"({"T":1363896240.5})");          // 1(1363896240.5)
  EXPECT_EQ(ToJson("a16154c11b000000174876e800"), R"({"T":100000000.000})");         // 1(1e11): millis
  EXPECT_EQ(ToJson("a16154c11b000000174876e7ff"), R"({"T":99999999999})");           // just below
  EXPECT_EQ(ToJson("a16154c13b000000e8d4a50fff"), R"({"T":-1000000000.000})");       // 1(-1e12)
  EXPECT_EQ(ToJson("a16154c11bffffffffffffffff"), R"({"T":9223372036854775.807})");  // saturated
}

TEST(CborTranscodeTest, UntaggedNumbersAndOtherTagsPassThrough) {
  EXPECT_EQ(ToJson("a161541b000001a013accc38"), R"({"T":1787036486712})");
  EXPECT_EQ(ToJson("a16154c01b000001a013accc38"), R"({"T":1787036486712})");  // tag 0 dropped
  // Tag 1 around a non-number is left to the JSON path's type checks.
  EXPECT_EQ(ToJson("a16154c1617a"), R"({"T":"z"})");
  // Self-described CBOR (tag 55799) around the whole body.
  EXPECT_EQ(ToJson("d9d9f7a1615401"), R"({"T":1})");
}

TEST(CborTranscodeTest, IntegersOfEveryWidth) {
  EXPECT_EQ(ToJson("a7614100614218186143190100614419ffff61451affffffff61461b0000000100000000"
                   "61471bffffffffffffffff"),
            R"({"A":0,"B":24,"C":256,"D":65535,"E":4294967295,"F":4294967296,"G":18446744073709551615})");
  // Negative: -1, -25, -257, -65537, -4294967297, -2^63, and -2^64 clamped to -2^63.
  EXPECT_EQ(ToJson("a761412061423818614339010061443a0001000061453b0000000100000000"
                   "61463b7fffffffffffffff61473bffffffffffffffff"),
            R"({"A":-1,"B":-25,"C":-257,"D":-65537,"E":-4294967297,"F":-9223372036854775808,)"
            R"("G":-9223372036854775808})");
}

TEST(CborTranscodeTest, ScalarsAndFloats) {
  // {T: true, F: false, N: null, U: undefined, I: -500, L: 4294967296, D: 0.25, E: -1e300}
  constexpr std::string_view kScalars =  // npm
      "a86154f56146f4614ef66155f761493901f3614c1b00000001000000006144fa3e8000006145fbfe37e43c8800759c";
  std::string json = ToJson(kScalars);
  EXPECT_EQ(json, R"({"T":true,"F":false,"N":null,"U":null,"I":-500,"L":4294967296,"D":0.25,"E":-1e+300})");
  EXPECT_TRUE(ParseJsonRequest(json).ok());
  // Half floats; NaN is absent; infinities clamp like huge JSON numbers.
  std::string special = ToJson("a46148f93e00614ef97e006150f97c00614df9fc00");
  EXPECT_EQ(special, R"({"H":1.5,"N":null,"P":1.7976931348623157e308,"M":-1.7976931348623157e308})");
  EXPECT_TRUE(ParseJsonRequest(special).ok());
  // Integral floats stay floats: -2.0065306113851629568e19 printed without
  // a fraction would be an integer no JSON parser holds (found by fuzzing).
  std::string integral = ToJson("a26144fbc3f167649999999a614ff93c00");
  EXPECT_EQ(integral, R"({"D":-20065306113851629568.0,"O":1.0})");
  Result<JsonObject> body = ParseJsonRequest(integral);
  ASSERT_TRUE(body.ok());
  std::optional<int64_t> clamped;
  ASSERT_TRUE(body->GetLong("D", &clamped).ok());
  EXPECT_EQ(clamped, std::numeric_limits<int64_t>::min());
}

TEST(CborTranscodeTest, TextIsEscapedAndSurvivesTheJsonPath) {
  // {StreamName: "s", Tags: {"k\"\\\n": "vü水\x01", "empty": ""}}
  constexpr std::string_view kTags =  // npm
      "a26a53747265616d4e616d6561736454616773a2646b225c0a6776c3bce6b0b40165656d70747960";
  std::string json = ToJson(kTags);
  EXPECT_EQ(json, "{\"StreamName\":\"s\",\"Tags\":{\"k\\\"\\\\\\n\":\"v\xc3\xbc\xe6\xb0\xb4\\u0001\",\"empty\":\"\"}}");
  Result<JsonObject> body = ParseJsonRequest(json);
  ASSERT_TRUE(body.ok());
  std::optional<JsonObject> tags;
  ASSERT_TRUE(body->GetMap("Tags", &tags).ok());
  std::optional<std::string_view> value;
  ASSERT_TRUE(tags->GetString("k\"\\\n", &value).ok());
  EXPECT_EQ(*value, "v\xc3\xbc\xe6\xb0\xb4\x01");
}

TEST(CborTranscodeTest, TopLevelMustBeAMapWithTextKeys) {
  EXPECT_EQ(ToJson("a0"), "{}");
  EXPECT_EQ(ToJson("bfff"), "{}");
  EXPECT_EQ(ToJson("c1a0"), "{}");  // a tag on the body is ignored
  for (const char* hex : {"80", "00", "20", "6161", "4161", "f6", "f5", "c100", "fa3f800000", "9fa0ff"}) {
    EXPECT_TRUE(IsSerializationError(FromHex(hex))) << hex;
  }
  EXPECT_TRUE(IsSerializationError(FromHex("a10102")));        // {1: 2}
  EXPECT_TRUE(IsSerializationError(FromHex("a1416101")));      // {h'61': 1}
  EXPECT_TRUE(IsSerializationError(FromHex("a1c1616101")));    // {1("a"): 1}
  EXPECT_TRUE(IsSerializationError(FromHex("a1806161")));      // {[]: "a"}
  EXPECT_TRUE(IsSerializationError(FromHex("a16154a1f501")));  // {T: {true: 1}}
  EXPECT_TRUE(IsSerializationError(FromHex("a16154f0")));      // unassigned simple(16)
  EXPECT_TRUE(IsSerializationError(FromHex("a16154f820")));    // unassigned simple(32)
}

TEST(CborTranscodeTest, EveryTruncationOfARealRequestIsSerialization) {
  std::string whole = FromHex(kGetShardIteratorJava);
  for (size_t n = 0; n < whole.size(); ++n) {
    EXPECT_TRUE(IsSerializationError(whole.substr(0, n))) << n;
  }
  EXPECT_TRUE(IsSerializationError(whole + '\0'));
}

TEST(CborTranscodeTest, HostileInputsFailFastWithoutOutput) {
  // Data claiming 100 GB, a Records list claiming 2^64-1 entries, and
  // nesting far past the cap.
  EXPECT_TRUE(IsSerializationError(FromHex("a164446174615b000000174876e800")));
  EXPECT_TRUE(IsSerializationError(FromHex("a1675265636f7264739bffffffffffffffff")));
  std::string deep = FromHex("a16154");
  for (int i = 0; i < 100000; ++i) deep += FromHex("a16154");
  deep += '\x00';
  EXPECT_TRUE(IsSerializationError(deep));
  std::string deep_arrays = FromHex("a16154") + std::string(100000, '\x81') + '\x00';
  EXPECT_TRUE(IsSerializationError(deep_arrays));
}

// A GetRecords response as the handler writes it.
std::string GetRecordsJson() {
  std::string out;
  JsonWriter w(&out);
  w.BeginObject();
  w.Key("Records");
  w.BeginArray();
  w.BeginObject();
  w.Member("SequenceNumber", "49590338271490256608559692538361571095921575989136588898");
  w.Key("ApproximateArrivalTimestamp");
  w.TimestampMillis(1506440188749);
  w.Key("Data");
  w.Blob(std::string_view("hello, kinesis\0\xff\xfe\x80", 18));
  w.Member("PartitionKey", "pk-1");
  w.EndObject();
  w.EndArray();
  w.Member("NextShardIterator", "AAAAAAAAAAH");
  w.MemberInt("MillisBehindLatest", 0);
  w.EndObject();
  return out;
}

TEST(CborTranscodeTest, GetRecordsResponseHasByteStringDataAndMillisTimestamps) {
  std::string json = GetRecordsJson();
  ASSERT_NE(json.find("\"ApproximateArrivalTimestamp\":1506440188.749"), std::string::npos);
  Result<std::string> cbor = JsonResponseToCbor(json);
  ASSERT_TRUE(cbor.ok()) << cbor.status().ToString();
  // The same response encoded by npm `cbor`, with Data a Buffer and the
  // timestamp new Tagged(1, 1506440188749).
  EXPECT_EQ(ToHex(*cbor),
            "a3675265636f72647381a46e53657175656e63654e756d62657278383439353930333338323731343930323536363038"
            "353539363932353338333631353731303935393231353735393839313336353838383938781b417070726f78696d6174"
            "654172726976616c54696d657374616d70c11b0000015ebed5134d64446174615268656c6c6f2c206b696e6573697300"
            "fffe806c506172746974696f6e4b657964706b2d31714e65787453686172644974657261746f726b4141414141414141"
            "414148724d696c6c6973426568696e644c617465737400");
  // Spelled out: tag 1, 8-byte integer millis; a major-type-2 string of 18.
  EXPECT_NE(ToHex(*cbor).find("c11b0000015ebed5134d"
                              "6444617461"
                              "52"),
            std::string::npos);
}

TEST(CborTranscodeTest, DescribeStreamSummaryResponse) {
  std::string json;
  JsonWriter w(&json);
  w.BeginObject();
  w.Key("StreamDescriptionSummary");
  w.BeginObject();
  w.Member("StreamName", "test-stream");
  w.Member("StreamARN", "arn:aws:kinesis:us-east-1:000000000000:stream/test-stream");
  w.Member("StreamStatus", "ACTIVE");
  w.Key("StreamModeDetails");
  w.BeginObject();
  w.Member("StreamMode", "PROVISIONED");
  w.EndObject();
  w.MemberInt("RetentionPeriodHours", 24);
  w.Key("StreamCreationTimestamp");
  w.TimestampMillis(1787036486000);
  w.Key("EnhancedMonitoring");
  w.BeginArray();
  w.BeginObject();
  w.Key("ShardLevelMetrics");
  w.BeginArray();
  w.EndArray();
  w.EndObject();
  w.EndArray();
  w.Member("EncryptionType", "NONE");
  w.MemberInt("OpenShardCount", 4);
  w.MemberInt("ConsumerCount", 0);
  w.EndObject();
  w.EndObject();
  Result<std::string> cbor = JsonResponseToCbor(json);
  ASSERT_TRUE(cbor.ok());
  EXPECT_EQ(ToHex(*cbor),  // npm
            "a1781853747265616d4465736372697074696f6e53756d6d617279aa6a53747265616d4e616d656b746573742d737472"
            "65616d6953747265616d41524e783961726e3a6177733a6b696e657369733a75732d656173742d313a30303030303030"
            "30303030303a73747265616d2f746573742d73747265616d6c53747265616d5374617475736641435449564571537472"
            "65616d4d6f646544657461696c73a16a53747265616d4d6f64656b50524f564953494f4e454474526574656e74696f6e"
            "506572696f64486f75727318187753747265616d4372656174696f6e54696d657374616d70c11b000001a013acc97072"
            "456e68616e6365644d6f6e69746f72696e6781a17153686172644c6576656c4d657472696373806e456e637279707469"
            "6f6e54797065644e4f4e456e4f70656e5368617264436f756e74046d436f6e73756d6572436f756e7400");
}

TEST(CborTranscodeTest, EveryTimestampMemberBecomesTagOneMillis) {
  for (const char* name : {"ApproximateArrivalTimestamp", "StreamCreationTimestamp", "ConsumerCreationTimestamp",
                           "StartedAt", "EndedAt", "EarliestAllowedEndAt"}) {
    std::string json = std::string("{\"") + name + "\":1787036486.712}";
    Result<std::string> cbor = JsonResponseToCbor(json);
    ASSERT_TRUE(cbor.ok());
    std::string expected = FromHex("a1");
    CborWriter w(&expected);
    w.Text(name);
    w.TimestampMillis(1787036486712);
    EXPECT_EQ(ToHex(*cbor), ToHex(expected)) << name;
  }
  // Whole seconds, as an integer, and other members untouched.
  Result<std::string> cbor = JsonResponseToCbor(R"({"EndedAt":1787036486,"Timestamp":1.5,"N":-3})");
  ASSERT_TRUE(cbor.ok());
  EXPECT_EQ(ToHex(*cbor), "a367456e6465644174c11b000001a013acc9706954696d657374616d70f93e00614e22");
}

TEST(CborTranscodeTest, ResponseEdgeCases) {
  Result<std::string> empty = JsonResponseToCbor("");
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(*empty, "");  // operations without output keep an empty body
  EXPECT_EQ(JsonResponseToCbor("{\"A\":").status().code(), ErrorCode::kInternalFailure);
  EXPECT_EQ(JsonResponseToCbor(R"({"Data":"not base64!"})").status().code(), ErrorCode::kInternalFailure);
  Result<std::string> mixed = JsonResponseToCbor(R"({"B":[true,false,null,18446744073709551615,"x"],"Data":null})");
  ASSERT_TRUE(mixed.ok());
  EXPECT_EQ(ToHex(*mixed),
            "a2614285f5f4f61bffffffffffffffff617864446174"
            "61f6");
}

TEST(CborTranscodeTest, CborErrorBodyMatchesAnotherEncoder) {
  // {__type: "ResourceNotFoundException", message: "Stream s under account 000000000000 not found."}
  EXPECT_EQ(ToHex(EncodeCborError(Status::NotFound("Stream s under account 000000000000 not found."))),
            "a2665f5f7479706578195265736f757263654e6f74466f756e64457863657074696f6e676d657373616765782e537472"
            "65616d207320756e646572206163636f756e7420303030303030303030303030206e6f7420666f756e642e");  // npm
  // The unparsable-body answer: {"__type": "SerializationException"}, and it
  // reads back through the transcoder.
  Result<std::string> json = CborRequestToJson(EncodeCborError(Status::Serialization("")));
  ASSERT_TRUE(json.ok());
  EXPECT_EQ(*json, R"({"__type":"SerializationException"})");
}

TEST(CborTranscodeTest, ResponseAndRequestDirectionsAgree) {
  // JSON -> CBOR -> JSON keeps blobs and millisecond timestamps.
  Result<std::string> cbor = JsonResponseToCbor(GetRecordsJson());
  ASSERT_TRUE(cbor.ok());
  Result<std::string> json = CborRequestToJson(*cbor);
  ASSERT_TRUE(json.ok());
  EXPECT_EQ(*json, GetRecordsJson());
}

}  // namespace
}  // namespace sluice::protocol
