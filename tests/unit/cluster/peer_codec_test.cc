// The peer codec as bytes in, bytes out: the worked example of
// docs/cluster-protocol.md byte for byte, round trips, and bytes a decoder
// must refuse (every truncation, trailing bytes, a bad checksum, values out
// of range).
#include "cluster/peer_codec.h"

#include <gtest/gtest.h>

#include <string>

#include "peer_examples.h"
#include "hex_test_util.h"

namespace sluice::cluster {
namespace {

using sluice::testing::FromHex;
using sluice::testing::ToHex;
using testing::ExampleRequest;
using testing::ExampleResponse;

const char* const kExampleRequestHex =
    "0100 0100"
    "0c00 313233343536373839303132"
    "0900 75732d656173742d31"
    "0600 6f7264657273"
    "009328f89a010000"
    "03000000"
    "0200 6e32"
    "0500000000000000"
    "2a00000000000000"
    "2800000000000000"
    "0400000000000000"
    "00001000"
    "f4010000";

const char* const kExampleResponseHex =
    "0100 0200"
    "0000"
    "0000"
    "0500000000000000"
    "2a00000000000000"
    "0000000000000000"
    "2c00000000000000"
    "00"
    "02000000"
    "4e000000"
    "cc070af1"
    "2a00000000000000 7b9328f89a010000 0500000000000000 02000000 6b31 05000000 68656c6c6f"
    "2b00000000000000 7c9328f89a010000 0500000000000000 02000000 6b32 05000000 776f726c64";

// Offset of the records section in the example response (after the CRC).
constexpr size_t kExampleRecordsAt = 53;

void ExpectSameRequest(const FetchRequest& a, const FetchRequest& b) {
  EXPECT_EQ(a.shard, b.shard);
  EXPECT_EQ(a.follower, b.follower);
  EXPECT_EQ(a.leader_epoch, b.leader_epoch);
  EXPECT_EQ(a.fetch_offset, b.fetch_offset);
  EXPECT_EQ(a.durable_end, b.durable_end);
  EXPECT_EQ(a.last_fetched_epoch, b.last_fetched_epoch);
  EXPECT_EQ(a.max_bytes, b.max_bytes);
  EXPECT_EQ(a.max_wait_ms, b.max_wait_ms);
}

void ExpectSameResponse(const FetchResponse& a, const FetchResponse& b) {
  EXPECT_EQ(a.error, b.error);
  EXPECT_EQ(a.message, b.message);
  EXPECT_EQ(a.leader_epoch, b.leader_epoch);
  EXPECT_EQ(a.high_watermark, b.high_watermark);
  EXPECT_EQ(a.log_start_offset, b.log_start_offset);
  EXPECT_EQ(a.log_end_offset, b.log_end_offset);
  EXPECT_EQ(a.diverging_end, b.diverging_end);
  ASSERT_EQ(a.records.size(), b.records.size());
  for (size_t i = 0; i < a.records.size(); ++i) {
    EXPECT_EQ(a.records[i].offset, b.records[i].offset);
    EXPECT_EQ(a.records[i].arrival_ms, b.records[i].arrival_ms);
    EXPECT_EQ(a.records[i].leader_epoch, b.records[i].leader_epoch);
    EXPECT_EQ(a.records[i].partition_key, b.records[i].partition_key);
    EXPECT_EQ(a.records[i].data, b.records[i].data);
  }
}

TEST(PeerCodecTest, ExampleRequestEncodesToTheDocumentedBytes) {
  EXPECT_EQ(ToHex(EncodeFetchRequest(ExampleRequest())), ToHex(FromHex(kExampleRequestHex)));
}

TEST(PeerCodecTest, DocumentedRequestBytesDecodeToTheExample) {
  auto decoded = DecodeFetchRequest(FromHex(kExampleRequestHex));
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  ExpectSameRequest(*decoded, ExampleRequest());
}

TEST(PeerCodecTest, ExampleResponseEncodesToTheDocumentedBytes) {
  EXPECT_EQ(ToHex(EncodeFetchResponse(ExampleResponse())), ToHex(FromHex(kExampleResponseHex)));
}

TEST(PeerCodecTest, DocumentedResponseBytesDecodeToTheExample) {
  auto decoded = DecodeFetchResponse(FromHex(kExampleResponseHex));
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  ExpectSameResponse(*decoded, ExampleResponse());
}

TEST(PeerCodecTest, ErrorResponseWithDivergingEndRoundTrips) {
  FetchResponse r;
  r.error = FetchError::kStaleEpoch;
  r.message = "epoch 4 is older than 5";
  r.leader_epoch = 5;
  r.high_watermark = 10;
  r.log_start_offset = 3;
  r.log_end_offset = 12;
  r.diverging_end = 9;
  auto decoded = DecodeFetchResponse(EncodeFetchResponse(r));
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  ExpectSameResponse(*decoded, r);
}

TEST(PeerCodecTest, ExtremeValuesAndBinaryRecordsRoundTrip) {
  FetchRequest q = ExampleRequest();
  q.shard.creation_ms = INT64_MIN;
  q.leader_epoch = INT64_MAX;
  q.fetch_offset = UINT64_MAX;
  q.durable_end = UINT64_MAX;
  q.last_fetched_epoch = -1;
  q.max_bytes = kMaxFetchMaxBytes;
  q.max_wait_ms = kMaxFetchWaitMs;
  q.shard.stream = std::string(kMaxPeerNameBytes, 's');
  auto request = DecodeFetchRequest(EncodeFetchRequest(q));
  ASSERT_TRUE(request.ok()) << request.status().ToString();
  ExpectSameRequest(*request, q);

  FetchResponse r;
  r.records.push_back({UINT64_MAX - 1, -7, INT64_MAX, std::string("\0\xff", 2), std::string(70000, '\0')});
  r.records.push_back({UINT64_MAX, INT64_MIN, 0, "", ""});
  auto response = DecodeFetchResponse(EncodeFetchResponse(r));
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  ExpectSameResponse(*response, r);
}

// Every proper prefix of `bytes` is refused by `decode` as Corruption.
template <typename Decode>
void ExpectEveryTruncationRejected(const std::string& bytes, Decode decode) {
  for (size_t n = 0; n < bytes.size(); ++n) {
    auto decoded = decode(std::string_view(bytes).substr(0, n));
    ASSERT_FALSE(decoded.ok()) << "accepted the first " << n << " bytes";
    EXPECT_EQ(decoded.status().code(), ErrorCode::kCorruption) << n << ": " << decoded.status().ToString();
  }
}

TEST(PeerCodecTest, EveryTruncationOfAValidRequestIsRejected) {
  ExpectEveryTruncationRejected(EncodeFetchRequest(ExampleRequest()), DecodeFetchRequest);
}

TEST(PeerCodecTest, EveryTruncationOfAValidResponseIsRejected) {
  ExpectEveryTruncationRejected(EncodeFetchResponse(ExampleResponse()), DecodeFetchResponse);
}

TEST(PeerCodecTest, TrailingBytesAreRejected) {
  auto request = DecodeFetchRequest(EncodeFetchRequest(ExampleRequest()) + "x");
  EXPECT_EQ(request.status().code(), ErrorCode::kCorruption);
  auto response = DecodeFetchResponse(EncodeFetchResponse(ExampleResponse()) + "x");
  EXPECT_EQ(response.status().code(), ErrorCode::kCorruption);
}

TEST(PeerCodecTest, FlippedRecordByteFailsTheChecksum) {
  std::string bytes = EncodeFetchResponse(ExampleResponse());
  ASSERT_EQ(bytes.substr(kExampleRecordsAt, 8), std::string("\x2a\0\0\0\0\0\0\0", 8));
  bytes[bytes.size() - 1] ^= 0x20;  // "world" -> "worlD"
  auto decoded = DecodeFetchResponse(bytes);
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.status().code(), ErrorCode::kCorruption);
  EXPECT_NE(decoded.status().message().find("checksum"), std::string::npos) << decoded.status().ToString();
}

TEST(PeerCodecTest, NonContiguousRecordsAreRejected) {
  FetchResponse r = ExampleResponse();
  r.records[1].offset = 45;
  auto decoded = DecodeFetchResponse(EncodeFetchResponse(r));
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.status().code(), ErrorCode::kCorruption);
  EXPECT_NE(decoded.status().message().find("not contiguous"), std::string::npos) << decoded.status().ToString();
}

TEST(PeerCodecTest, RecordCountTheSectionCannotHoldIsRejectedBeforeAllocating) {
  std::string bytes = EncodeFetchResponse(ExampleResponse());
  // record_count sits 12 bytes before the records section.
  bytes[kExampleRecordsAt - 12] = '\xff';
  bytes[kExampleRecordsAt - 11] = '\xff';
  bytes[kExampleRecordsAt - 10] = '\xff';
  bytes[kExampleRecordsAt - 9] = '\xff';
  auto decoded = DecodeFetchResponse(bytes);
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.status().code(), ErrorCode::kCorruption) << decoded.status().ToString();
}

TEST(PeerCodecTest, OtherVersionIsInvalidAndItsVersionReadable) {
  std::string bytes = EncodeFetchRequest(ExampleRequest());
  bytes[0] = 2;
  auto decoded = DecodeFetchRequest(bytes);
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(decoded.status().message().find("version 2"), std::string::npos) << decoded.status().ToString();
  ASSERT_TRUE(PeerMessageVersion(bytes).ok());
  EXPECT_EQ(*PeerMessageVersion(bytes), 2);
  EXPECT_EQ(PeerMessageVersion("\x01").status().code(), ErrorCode::kCorruption);
}

TEST(PeerCodecTest, ResponseBytesAreNotARequest) {
  auto decoded = DecodeFetchRequest(EncodeFetchResponse(ExampleResponse()));
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(decoded.status().message().find("kind 2"), std::string::npos) << decoded.status().ToString();
}

TEST(PeerCodecTest, RequestValuesOutOfRangeAreInvalid) {
  auto invalid = [](FetchRequest q, std::string_view what) {
    auto decoded = DecodeFetchRequest(EncodeFetchRequest(q));
    ASSERT_FALSE(decoded.ok()) << what;
    EXPECT_EQ(decoded.status().code(), ErrorCode::kInvalidArgument) << decoded.status().ToString();
    EXPECT_NE(decoded.status().message().find(what), std::string::npos) << decoded.status().ToString();
  };
  FetchRequest q = ExampleRequest();
  q.durable_end = q.fetch_offset + 1;
  invalid(q, "durable_end");
  q = ExampleRequest();
  q.max_bytes = kMaxFetchMaxBytes + 1;
  invalid(q, "max_bytes");
  q = ExampleRequest();
  q.max_wait_ms = kMaxFetchWaitMs + 1;
  invalid(q, "max_wait_ms");
  q = ExampleRequest();
  q.shard.shard_index = -1;
  invalid(q, "shard_index");
  q = ExampleRequest();
  q.follower = std::string(kMaxPeerNameBytes + 1, 'n');
  invalid(q, "follower");
  q = ExampleRequest();
  q.follower.clear();
  invalid(q, "follower");
}

TEST(PeerCodecTest, UnknownErrorCodeAndRecordsBesideDivergenceAreInvalid) {
  std::string bytes = EncodeFetchResponse(FetchResponse{});
  bytes[4] = 9;  // error
  EXPECT_EQ(DecodeFetchResponse(bytes).status().code(), ErrorCode::kInvalidArgument);

  FetchResponse r = ExampleResponse();
  r.diverging_end = 40;
  auto decoded = DecodeFetchResponse(EncodeFetchResponse(r));
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(decoded.status().message().find("diverging_end"), std::string::npos) << decoded.status().ToString();
}

}  // namespace
}  // namespace sluice::cluster

namespace sluice::cluster {
namespace {

PutToShardRequest APutToShard() {
  PutToShardRequest q;
  q.shard = {"123456789012", "us-east-1", "orders", 1796000000000, 3};
  q.records = {{"k1", std::string("\x00\xff", 2)}, {"k2", ""}};
  return q;
}

PutToShardResponse APutToShardAnswer() {
  PutToShardResponse a;
  a.results = {{PutError::kNone, "", std::string(56, '4'), true},
               {PutError::kThroughputExceeded, "Rate exceeded for shard shardId-000000000003", "", false}};
  return a;
}

TEST(PeerCodecTest, PutToShardRequestAndResponseRoundTrip) {
  auto request = DecodePutToShardRequest(EncodePutToShardRequest(APutToShard()));
  ASSERT_TRUE(request.ok()) << request.status().ToString();
  EXPECT_EQ(request->shard, APutToShard().shard);
  ASSERT_EQ(request->records.size(), 2u);
  EXPECT_EQ(request->records[0].data, std::string("\x00\xff", 2));
  EXPECT_EQ(request->records[1].partition_key, "k2");
  auto answer = DecodePutToShardResponse(EncodePutToShardResponse(APutToShardAnswer()));
  ASSERT_TRUE(answer.ok()) << answer.status().ToString();
  ASSERT_EQ(answer->results.size(), 2u);
  EXPECT_EQ(answer->results[0].sequence_number, std::string(56, '4'));
  EXPECT_TRUE(answer->results[0].encrypted);
  EXPECT_EQ(answer->results[1].error, PutError::kThroughputExceeded);
  EXPECT_EQ(answer->results[1].message, "Rate exceeded for shard shardId-000000000003");
  PutToShardResponse refused;
  refused.error = PutError::kNotLeader;
  refused.message = "led by 10.0.0.2:4567";
  auto whole = DecodePutToShardResponse(EncodePutToShardResponse(refused));
  ASSERT_TRUE(whole.ok());
  EXPECT_EQ(whole->error, PutError::kNotLeader);
  EXPECT_TRUE(whole->results.empty());
}

TEST(PeerCodecTest, EveryTruncationOfAPutToShardMessageIsRejected) {
  ExpectEveryTruncationRejected(EncodePutToShardRequest(APutToShard()), DecodePutToShardRequest);
  ExpectEveryTruncationRejected(EncodePutToShardResponse(APutToShardAnswer()), DecodePutToShardResponse);
}

TEST(PeerCodecTest, PutToShardMessagesOutOfRangeAreInvalid) {
  PutToShardRequest empty = APutToShard();
  empty.records.clear();
  EXPECT_EQ(DecodePutToShardRequest(EncodePutToShardRequest(empty)).status().code(), ErrorCode::kInvalidArgument);
  PutToShardRequest many = APutToShard();
  many.records.assign(kMaxPutToShardRecords + 1, {"k", "d"});
  EXPECT_EQ(DecodePutToShardRequest(EncodePutToShardRequest(many)).status().code(), ErrorCode::kInvalidArgument);
  // A written result without a sequence number, an unknown error code.
  PutToShardResponse unnumbered;
  unnumbered.results = {{PutError::kNone, "", "", false}};
  EXPECT_EQ(DecodePutToShardResponse(EncodePutToShardResponse(unnumbered)).status().code(),
            ErrorCode::kInvalidArgument);
  std::string bytes = EncodePutToShardResponse(APutToShardAnswer());
  bytes[4] = 99;  // the error code, after version and kind
  EXPECT_EQ(DecodePutToShardResponse(bytes).status().code(), ErrorCode::kInvalidArgument);
  // A fetch is not a put.
  EXPECT_EQ(DecodePutToShardRequest(EncodeFetchRequest(ExampleRequest())).status().code(), ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace sluice::cluster
