#include "api/operation_table.h"

#include <array>

namespace sluice::api {
namespace {

constexpr std::array<OperationEntry, 39> kOperations = {{
    {"AddTagsToStream", &HandleAddTagsToStream},
    {"CreateStream", &HandleCreateStream},
    {"DecreaseStreamRetentionPeriod", &HandleDecreaseStreamRetentionPeriod},
    {"DeleteResourcePolicy", &HandleDeleteResourcePolicy},
    {"DeleteStream", &HandleDeleteStream},
    {"DeregisterStreamConsumer", nullptr},
    {"DescribeAccountSettings", &HandleDescribeAccountSettings},
    {"DescribeLimits", &HandleDescribeLimits},
    {"DescribeStream", &HandleDescribeStream},
    {"DescribeStreamConsumer", nullptr},
    {"DescribeStreamSummary", &HandleDescribeStreamSummary},
    {"DisableEnhancedMonitoring", &HandleDisableEnhancedMonitoring},
    {"EnableEnhancedMonitoring", &HandleEnableEnhancedMonitoring},
    {"GetRecords", &HandleGetRecords},
    {"GetResourcePolicy", &HandleGetResourcePolicy},
    {"GetShardIterator", &HandleGetShardIterator},
    {"IncreaseStreamRetentionPeriod", &HandleIncreaseStreamRetentionPeriod},
    {"ListShards", &HandleListShards},
    {"ListStreamConsumers", nullptr},
    {"ListStreams", &HandleListStreams},
    {"ListTagsForResource", &HandleListTagsForResource},
    {"ListTagsForStream", &HandleListTagsForStream},
    {"MergeShards", &HandleMergeShards},
    {"PutRecord", &HandlePutRecord},
    {"PutRecords", &HandlePutRecords},
    {"PutResourcePolicy", &HandlePutResourcePolicy},
    {"RegisterStreamConsumer", nullptr},
    {"RemoveTagsFromStream", &HandleRemoveTagsFromStream},
    {"SplitShard", &HandleSplitShard},
    {"StartStreamEncryption", &HandleStartStreamEncryption},
    {"StopStreamEncryption", &HandleStopStreamEncryption},
    {"SubscribeToShard", nullptr},
    {"TagResource", &HandleTagResource},
    {"UntagResource", &HandleUntagResource},
    {"UpdateAccountSettings", &HandleUpdateAccountSettings},
    {"UpdateMaxRecordSize", &HandleUpdateMaxRecordSize},
    {"UpdateShardCount", &HandleUpdateShardCount},
    {"UpdateStreamMode", &HandleUpdateStreamMode},
    {"UpdateStreamWarmThroughput", &HandleUpdateStreamWarmThroughput},
}};

}  // namespace

const OperationEntry* FindOperation(std::string_view name) {
  for (const auto& op : kOperations) {
    if (op.name == name) return &op;
  }
  return nullptr;
}

}  // namespace sluice::api
