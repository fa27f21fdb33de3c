// SubscribeToShard through the dispatcher: the errors that are ordinary
// responses (before the stream starts), and the streamed answer's frames.
#include "api_test_util.h"
#include "protocol/event_stream.h"

namespace sluice::api::testing {
namespace {

class SubscribeTest : public ApiTest {
 protected:
  std::string RegisterConsumer(const std::string& stream) {
    Json c(Ok("RegisterStreamConsumer",
              R"({"StreamARN":"arn:aws:kinesis:us-east-1:000000000000:stream/)" + stream + R"(","ConsumerName":"c"})"));
    return std::string(std::string_view(c.root["Consumer"]["ConsumerARN"]));
  }
};

TEST_F(SubscribeTest, RequestErrorsAreOrdinaryResponses) {
  ExpectError(Call("SubscribeToShard", "{}"), 400, "ValidationException",
              "3 validation errors detected: Value null at 'consumerARN' failed to satisfy constraint: Member "
              "must not be null; Value null at 'shardId' failed to satisfy constraint: Member must not be null; "
              "Value null at 'startingPosition' failed to satisfy constraint: Member must not be null");
  CreateActiveStream("s", 1);
  const std::string arn = RegisterConsumer("s");
  ExpectError(Call("SubscribeToShard", R"({"ConsumerARN":")" + arn +
                                           R"(","ShardId":"shardId-000000000000","StartingPosition":{"Type":"NEXT"}})"),
              400, "ValidationException",
              "1 validation error detected: Value 'NEXT' at 'startingPosition.type' failed to satisfy constraint: "
              "Member must satisfy enum value set: [AFTER_SEQUENCE_NUMBER, LATEST, AT_TIMESTAMP, "
              "AT_SEQUENCE_NUMBER, TRIM_HORIZON]");
  ApiResponse missing_seq = Call("SubscribeToShard", R"({"ConsumerARN":")" + arn +
                                                         R"(","ShardId":"shardId-000000000000",)"
                                                         R"("StartingPosition":{"Type":"AT_SEQUENCE_NUMBER"}})");
  EXPECT_EQ(missing_seq.status, 400);
  EXPECT_EQ(missing_seq.error_type, "InvalidArgumentException") << missing_seq.body;
  ApiResponse unknown_shard = Call("SubscribeToShard", R"({"ConsumerARN":")" + arn +
                                                           R"(","ShardId":"shardId-000000000009",)"
                                                           R"("StartingPosition":{"Type":"LATEST"}})");
  EXPECT_EQ(unknown_shard.status, 400);
  EXPECT_EQ(unknown_shard.error_type, "ResourceNotFoundException") << unknown_shard.body;
  EXPECT_EQ(unknown_shard.stream, nullptr);
}

TEST_F(SubscribeTest, TheAnswerIsAnEventStreamStartingWithTheInitialResponse) {
  CreateActiveStream("s", 1);
  const std::string arn = RegisterConsumer("s");
  ApiResponse r = Call("SubscribeToShard", R"({"ConsumerARN":")" + arn +
                                               R"(","ShardId":"shardId-000000000000",)"
                                               R"("StartingPosition":{"Type":"TRIM_HORIZON"}})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.content_type, "application/vnd.amazon.eventstream");
  ASSERT_NE(r.stream, nullptr);
  auto out = std::make_shared<CollectingOutput>();
  r.stream->start(out);
  Ok("PutRecord", R"({"StreamName":"s","PartitionKey":"k","Data":"aGVsbG8="})");
  // Two messages at least: the initial response and an event with the record.
  std::vector<protocol::EventStreamMessage> messages;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    messages.clear();
    protocol::EventStreamDecoder decoder;
    std::string data = out->data();
    ASSERT_TRUE(decoder.Feed(data, &messages).ok());
    bool got_record = false;
    for (const auto& m : messages) got_record = got_record || m.payload.find("aGVsbG8=") != std::string::npos;
    if (got_record) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));  // between polls only
  }
  ASSERT_GE(messages.size(), 2u);
  EXPECT_EQ(messages[0].Find(":event-type")->bytes, "initial-response");
  EXPECT_EQ(messages[0].payload, "{}");
  const auto& event = messages.back();
  EXPECT_EQ(event.Find(":event-type")->bytes, "SubscribeToShardEvent");
  EXPECT_EQ(event.Find(":message-type")->bytes, "event");
  EXPECT_EQ(event.Find(":content-type")->bytes, "application/json");
  EXPECT_NE(event.payload.find("\"ContinuationSequenceNumber\":\""), std::string::npos) << event.payload;
  EXPECT_NE(event.payload.find("\"MillisBehindLatest\":"), std::string::npos);
  r.stream->on_close();
}

}  // namespace
}  // namespace sluice::api::testing
