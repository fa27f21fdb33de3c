#include "api/operation_table.h"

#include <array>

namespace sluice::api {
namespace {

constexpr std::array<OperationEntry, 39> kOperations = {{
    {"AddTagsToStream", &HandleAddTagsToStream},
    {"CreateStream", &HandleCreateStream},
    {"DecreaseStreamRetentionPeriod", &HandleDecreaseStreamRetentionPeriod},
    {"DeleteResourcePolicy", nullptr},
    {"DeleteStream", &HandleDeleteStream},
    {"DeregisterStreamConsumer", nullptr},
    {"DescribeAccountSettings", nullptr},
    {"DescribeLimits", &HandleDescribeLimits},
    {"DescribeStream", &HandleDescribeStream},
    {"DescribeStreamConsumer", nullptr},
    {"DescribeStreamSummary", &HandleDescribeStreamSummary},
    {"DisableEnhancedMonitoring", &HandleDisableEnhancedMonitoring},
    {"EnableEnhancedMonitoring", &HandleEnableEnhancedMonitoring},
    {"GetRecords", &HandleGetRecords},
    {"GetResourcePolicy", nullptr},
    {"GetShardIterator", &HandleGetShardIterator},
    {"IncreaseStreamRetentionPeriod", &HandleIncreaseStreamRetentionPeriod},
    {"ListShards", &HandleListShards},
    {"ListStreamConsumers", nullptr},
    {"ListStreams", &HandleListStreams},
    {"ListTagsForResource", &HandleListTagsForResource},
    {"ListTagsForStream", &HandleListTagsForStream},
    {"MergeShards", nullptr},
    {"PutRecord", &HandlePutRecord},
    {"PutRecords", &HandlePutRecords},
    {"PutResourcePolicy", nullptr},
    {"RegisterStreamConsumer", nullptr},
    {"RemoveTagsFromStream", &HandleRemoveTagsFromStream},
    {"SplitShard", nullptr},
    {"StartStreamEncryption", &HandleStartStreamEncryption},
    {"StopStreamEncryption", &HandleStopStreamEncryption},
    {"SubscribeToShard", nullptr},
    {"TagResource", &HandleTagResource},
    {"UntagResource", &HandleUntagResource},
    {"UpdateAccountSettings", nullptr},
    {"UpdateMaxRecordSize", nullptr},
    {"UpdateShardCount", nullptr},
    {"UpdateStreamMode", nullptr},
    {"UpdateStreamWarmThroughput", nullptr},
}};

}  // namespace

const OperationEntry* FindOperation(std::string_view name) {
  for (const auto& op : kOperations) {
    if (op.name == name) return &op;
  }
  return nullptr;
}

}  // namespace sluice::api
