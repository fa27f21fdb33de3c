// PutToShard end to end over real sockets: the engine's remote writer on
// one side (PeerShardWriter on a RequestForwarder), the PeerService of a
// real gateway on a real HTTP server on the other, appending into a real
// in-memory engine (EngineShardPuts). What the leader writes is what the
// writer reports, record by record; a refusal of the whole call comes back
// as its Status.
#include "cluster/shard_put_relay.h"

#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <memory>
#include <string>
#include <vector>

#include "cluster/request_forwarder.h"
#include "gateway_server.h"

namespace sluice::cluster {
namespace {

const engine::StreamRef kStream{"123456789012", "us-east-1", "orders"};

class ShardPutRelayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    engine::EngineOptions o;
    o.durability = storage::Durability::kMemory;
    auto e = engine::Engine::Open(o);
    ASSERT_TRUE(e.ok()) << e.status().ToString();
    leader_ = std::move(e).value();
    engine::CreateStreamParams p;
    p.shard_count = 2;
    ASSERT_TRUE(leader_->control().CreateStream(kStream, p).ok());
    auto described = leader_->control().DescribeStream(kStream);
    ASSERT_TRUE(described.ok());
    created_ = described->creation_ms;

    puts_ = std::make_unique<EngineShardPuts>(*leader_);
    node_.gateway().AddService(std::make_unique<PeerService>(nullptr, puts_.get()));
    node_.Start();
    address_ = node_.address();
  }

  Result<std::vector<engine::PutEntryResult>> Append(int64_t creation_ms, int shard,
                                                     const std::vector<engine::PutEntry>& entries) {
    auto promise = std::make_shared<std::promise<Result<std::vector<engine::PutEntryResult>>>>();
    auto future = promise->get_future();
    writer_.Append(address_, engine::ShardKey{kStream, creation_ms, shard}, entries,
                   [promise](Result<std::vector<engine::PutEntryResult>> r) { promise->set_value(std::move(r)); });
    if (future.wait_for(std::chrono::seconds(20)) != std::future_status::ready) {
      ADD_FAILURE() << "no answer within 20 s";
      return Status::Internal("timeout");
    }
    return future.get();
  }

  std::unique_ptr<engine::Engine> leader_;
  int64_t created_ = 0;
  std::unique_ptr<EngineShardPuts> puts_;
  testing::GatewayServer node_;
  std::string address_;
  RequestForwarder forwarder_;
  PeerShardWriter writer_{forwarder_};
};

TEST_F(ShardPutRelayTest, TheLeaderAppendsTheRecordsToTheShardNamedAndItsSequenceNumbersComeBack) {
  std::string binary("\x00\x01\xfe", 3);
  auto results = Append(created_, 1, {{"a", "one", std::nullopt}, {"b", binary, std::nullopt}});
  ASSERT_TRUE(results.ok()) << results.status().ToString();
  ASSERT_EQ(results->size(), 2u);
  auto it = leader_->records().GetShardIterator(kStream, "shardId-000000000001", engine::IteratorType::kTrimHorizon,
                                                std::nullopt, std::nullopt);
  ASSERT_TRUE(it.ok());
  auto read = leader_->records().GetRecords(*it, 10, std::nullopt);
  ASSERT_TRUE(read.ok());
  ASSERT_EQ(read->records.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_TRUE((*results)[i].status.ok()) << (*results)[i].status.ToString();
    EXPECT_EQ((*results)[i].shard_index, 1);
    EXPECT_EQ(engine::ToView((*results)[i].sequence_number), engine::ToView(read->records[i].sequence_number));
  }
  EXPECT_EQ(read->records[1].data, binary);
}

TEST_F(ShardPutRelayTest, ARefusalOfTheWholeCallComesBackAsItsStatus) {
  auto other_incarnation = Append(created_ + 1, 0, {{"a", "x", std::nullopt}});
  ASSERT_FALSE(other_incarnation.ok());
  EXPECT_EQ(other_incarnation.status().code(), ErrorCode::kResourceNotFound);
  auto no_shard = Append(created_, 9, {{"a", "x", std::nullopt}});
  ASSERT_FALSE(no_shard.ok());
  EXPECT_EQ(no_shard.status().code(), ErrorCode::kResourceNotFound);
}

TEST(PutErrorTest, EveryErrorAPutCanMeetCrossesTheWireAsItself) {
  for (ErrorCode code : {ErrorCode::kProvisionedThroughputExceeded, ErrorCode::kNotLeader, ErrorCode::kResourceNotFound,
                         ErrorCode::kInvalidArgument, ErrorCode::kKmsThrottling, ErrorCode::kInternalFailure}) {
    Status back = StatusForPutError(PutErrorFor(Status(code, "m")), "m");
    EXPECT_EQ(back.code(), code);
    EXPECT_EQ(back.message(), "m");
  }
  EXPECT_EQ(StatusForPutError(PutErrorFor(Status(ErrorCode::kIoError, "disk")), "disk").code(),
            ErrorCode::kInternalFailure);
  EXPECT_TRUE(StatusForPutError(PutError::kNone, "").ok());
}

}  // namespace
}  // namespace sluice::cluster
