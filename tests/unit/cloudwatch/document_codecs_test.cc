#include <gtest/gtest.h>

#include <string>

#include "cloudwatch/cbor_document.h"
#include "cloudwatch/document.h"
#include "cloudwatch/json_document.h"
#include "cloudwatch/query_protocol.h"
#include "protocol/cbor.h"

namespace sluice::cloudwatch {
namespace {

// {"Namespace": "App", "MetricData": [{"MetricName": "m", "Timestamp": 1(1700000000.5),
//  "Value": 2.5, "Dimensions": [{"Name": "A", "Value": "x"}]}]}, as botocore writes it.
std::string PutMetricDataCbor() {
  std::string out;
  protocol::CborWriter w(&out);
  w.BeginMap(2);
  w.Text("Namespace");
  w.Text("App");
  w.Text("MetricData");
  w.BeginIndefiniteArray();
  w.BeginMap(4);
  w.Text("MetricName");
  w.Text("m");
  w.Text("Timestamp");
  w.Tag(1);
  w.Double(1700000000.5);
  w.Text("Value");
  w.Double(2.5);
  w.Text("Dimensions");
  w.BeginArray(1);
  w.BeginMap(2);
  w.Text("Name");
  w.Text("A");
  w.Text("Value");
  w.Text("x");
  w.Break();
  return out;
}

TEST(CborDocumentTest, APutMetricDataBodyDecodesWithTag1AsEpochSeconds) {
  Result<Value> doc = DecodeCborDocument(PutMetricDataCbor());
  ASSERT_TRUE(doc.ok()) << doc.status().ToString();
  EXPECT_EQ(doc->Find("Namespace")->AsString(), "App");
  const Value& datum = doc->Find("MetricData")->items().at(0);
  EXPECT_EQ(datum.Find("Timestamp")->kind(), Value::Kind::kTimestamp);
  EXPECT_DOUBLE_EQ(*datum.Find("Timestamp")->AsTime(), 1700000000.5);
  EXPECT_DOUBLE_EQ(*datum.Find("Value")->AsNumber(), 2.5);
  EXPECT_EQ(datum.Find("Dimensions")->items().at(0).Find("Value")->AsString(), "x");
}

TEST(CborDocumentTest, AnEmptyBodyIsAnEmptyInput) {
  Result<Value> doc = DecodeCborDocument("");
  ASSERT_TRUE(doc.ok());
  EXPECT_EQ(doc->kind(), Value::Kind::kMap);
  EXPECT_TRUE(doc->members().empty());
}

TEST(CborDocumentTest, ByteStringsOtherTagsAndNonTextKeysAreSerializationErrors) {
  std::string bytes, tag, key;
  protocol::CborWriter(&bytes).Bytes("x");
  EXPECT_EQ(DecodeCborDocument(bytes).status().code(), ErrorCode::kSerialization);
  protocol::CborWriter t(&tag);
  t.Tag(2);
  t.Unsigned(5);
  EXPECT_EQ(DecodeCborDocument(tag).status().code(), ErrorCode::kSerialization);
  protocol::CborWriter k(&key);
  k.BeginMap(1);
  k.Unsigned(1);
  k.Unsigned(2);
  EXPECT_EQ(DecodeCborDocument(key).status().code(), ErrorCode::kSerialization);
  EXPECT_EQ(DecodeCborDocument("\xa1").status().code(), ErrorCode::kSerialization);  // truncated
}

TEST(CborDocumentTest, TimestampsAreWrittenAsTag1AroundSeconds) {
  Value v = Value::Map();
  v.Set("T", Value::Timestamp(60));
  // a1 61 'T' c1 18 3c: {"T": 1(60)}
  EXPECT_EQ(EncodeCborDocument(v), std::string("\xa1\x61T\xc1\x18\x3c"));
  Result<Value> back = DecodeCborDocument(EncodeCborDocument(v));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->Find("T")->AsTime(), 60);
}

TEST(JsonDocumentTest, NullMembersReadAsAbsentAndNumbersAsTimes) {
  Result<Value> doc = DecodeJsonDocument(R"({"Namespace":null,"StartTime":1700000000,"Statistics":["Sum"]})");
  ASSERT_TRUE(doc.ok());
  EXPECT_EQ(doc->Find("Namespace"), nullptr);
  EXPECT_EQ(doc->Find("StartTime")->AsTime(), 1700000000);
  EXPECT_EQ(EncodeJsonDocument(*doc), R"({"StartTime":1700000000,"Statistics":["Sum"]})");
  EXPECT_EQ(DecodeJsonDocument("[1]").status().code(), ErrorCode::kSerialization);
}

TEST(QueryFormTest, MemberPathsBecomeListsInIndexOrder) {
  Result<QueryRequest> q = DecodeQueryForm(
      "Action=PutMetricData&Version=2010-08-01&Namespace=My+App%2F1"
      "&MetricData.member.10.MetricName=ten&MetricData.member.2.MetricName=two"
      "&MetricData.member.2.Dimensions.member.1.Name=A&MetricData.member.2.Dimensions.member.1.Value=x%26y"
      "&MetricData.member.2.Value=1.5");
  ASSERT_TRUE(q.ok()) << q.status().ToString();
  EXPECT_EQ(q->action, "PutMetricData");
  EXPECT_EQ(q->version, "2010-08-01");
  EXPECT_EQ(q->input.Find("Namespace")->AsString(), "My App/1");
  const auto& data = q->input.Find("MetricData")->items();
  ASSERT_EQ(data.size(), 2u);
  EXPECT_EQ(data[0].Find("MetricName")->AsString(), "two");
  EXPECT_EQ(data[1].Find("MetricName")->AsString(), "ten");
  EXPECT_EQ(data[0].Find("Value")->AsNumber(), 1.5);  // text that spells a number
  EXPECT_EQ(data[0].Find("Dimensions")->items()[0].Find("Value")->AsString(), "x&y");
}

TEST(QueryFormTest, AKeyThatIsBothAValueAndAStructureOrABadIndexIsRefused) {
  EXPECT_EQ(DecodeQueryForm("A=1&A.B=2").status().code(), ErrorCode::kSerialization);
  EXPECT_EQ(DecodeQueryForm("A.member.0=1").status().code(), ErrorCode::kSerialization);
  EXPECT_EQ(DecodeQueryForm("A.member.x=1").status().code(), ErrorCode::kSerialization);
}

TEST(QueryFormTest, Iso8601TimesParseWithFractionsAndOffsets) {
  EXPECT_EQ(ParseIso8601("1970-01-01T00:01:00Z"), 60);
  EXPECT_EQ(ParseIso8601("1970-01-01T00:01:00.500Z"), 60.5);
  EXPECT_EQ(ParseIso8601("1970-01-01T01:01:00+01:00"), 60);
  EXPECT_EQ(ParseIso8601("1970-01-01"), std::nullopt);
  EXPECT_EQ(FormatIso8601(60.25), "1970-01-01T00:01:00.250Z");
  EXPECT_EQ(Value::String("2023-11-14T22:13:20Z").AsTime(), 1700000000);
}

TEST(QueryXmlTest, ResultsUseMemberItemsAndEscapeText) {
  Value result = Value::Map();
  Value& metrics = result.Set("Metrics", Value::List());
  metrics.Add(Value::Map()).Set("MetricName", Value::String("a<b&\"c\""));
  result.Set("At", Value::Timestamp(0));
  EXPECT_EQ(EncodeQueryResponse("ListMetrics", result, "rid"),
            "<ListMetricsResponse xmlns=\"http://monitoring.amazonaws.com/doc/2010-08-01/\"><ListMetricsResult>"
            "<Metrics><member><MetricName>a&lt;b&amp;&quot;c&quot;</MetricName></member></Metrics>"
            "<At>1970-01-01T00:00:00Z</At></ListMetricsResult>"
            "<ResponseMetadata><RequestId>rid</RequestId></ResponseMetadata></ListMetricsResponse>\n");
  EXPECT_EQ(EncodeQueryError("MissingParameter", "The parameter <X> is required.", true, "rid"),
            "<ErrorResponse xmlns=\"http://monitoring.amazonaws.com/doc/2010-08-01/\"><Error><Type>Sender</Type>"
            "<Code>MissingParameter</Code><Message>The parameter &lt;X&gt; is required.</Message></Error>"
            "<RequestId>rid</RequestId></ErrorResponse>\n");
}

}  // namespace
}  // namespace sluice::cloudwatch
