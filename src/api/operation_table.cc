#include "api/operation_table.h"

#include <array>

namespace sluice::api {
namespace {

constexpr std::array<OperationEntry, 45> kOperations = {{
    {"AddTagsToStream", &HandleAddTagsToStream},
    {"CreateChannel", &HandleCreateChannel},
    {"CreateStream", &HandleCreateStream},
    {"DecreaseStreamRetentionPeriod", &HandleDecreaseStreamRetentionPeriod},
    {"DeleteChannel", &HandleDeleteChannel},
    {"DeleteResourcePolicy", &HandleDeleteResourcePolicy},
    {"DeleteStream", &HandleDeleteStream},
    {"DeregisterStreamConsumer", &HandleDeregisterStreamConsumer},
    {"DescribeAccountSettings", &HandleDescribeAccountSettings},
    {"DescribeChannel", &HandleDescribeChannel},
    {"DescribeLimits", &HandleDescribeLimits},
    {"DescribeStream", &HandleDescribeStream},
    {"DescribeStreamConsumer", &HandleDescribeStreamConsumer},
    {"DescribeStreamSummary", &HandleDescribeStreamSummary},
    {"DisableEnhancedMonitoring", &HandleDisableEnhancedMonitoring},
    {"EnableEnhancedMonitoring", &HandleEnableEnhancedMonitoring},
    {"GetRecords", &HandleGetRecords},
    {"GetResourcePolicy", &HandleGetResourcePolicy},
    {"GetShardIterator", &HandleGetShardIterator},
    {"IncreaseStreamRetentionPeriod", &HandleIncreaseStreamRetentionPeriod},
    {"ListChannels", &HandleListChannels},
    {"ListShards", &HandleListShards},
    {"ListStreamConsumers", &HandleListStreamConsumers},
    {"ListStreams", &HandleListStreams},
    {"ListTagsForResource", &HandleListTagsForResource},
    {"ListTagsForStream", &HandleListTagsForStream},
    {"MergeShards", &HandleMergeShards},
    {"PutRecord", &HandlePutRecord},
    {"PutRecords", &HandlePutRecords},
    {"PutResourcePolicy", &HandlePutResourcePolicy},
    {"RegisterStreamConsumer", &HandleRegisterStreamConsumer},
    {"RemoveTagsFromStream", &HandleRemoveTagsFromStream},
    {"SplitShard", &HandleSplitShard},
    {"StartStreamEncryption", &HandleStartStreamEncryption},
    {"StopStreamEncryption", &HandleStopStreamEncryption},
    {"SubscribeToShard", &HandleSubscribeToShard, /*streaming=*/true},
    {"TagResource", &HandleTagResource},
    {"UntagResource", &HandleUntagResource},
    {"UpdateAccountSettings", &HandleUpdateAccountSettings},
    {"UpdateChannel", &HandleUpdateChannel},
    {"UpdateMaxRecordSize", &HandleUpdateMaxRecordSize},
    {"UpdateShardCount", &HandleUpdateShardCount},
    {"UpdateStreamMode", &HandleUpdateStreamMode},
    {"UpdateStreamRecordDistributionStrategy", &HandleUpdateStreamRecordDistributionStrategy},
    {"UpdateStreamWarmThroughput", &HandleUpdateStreamWarmThroughput},
}};

}  // namespace

std::span<const OperationEntry> AllOperations() { return kOperations; }

const OperationEntry* FindOperation(std::string_view name) {
  for (const auto& op : kOperations) {
    if (op.name == name) return &op;
  }
  return nullptr;
}

}  // namespace sluice::api
