#include "api/operation_table.h"

#include <array>

namespace sluice::api {
namespace {

constexpr std::array<OperationEntry, 39> kOperations = {{
    {"AddTagsToStream", nullptr},
    {"CreateStream", &HandleCreateStream},
    {"DecreaseStreamRetentionPeriod", nullptr},
    {"DeleteResourcePolicy", nullptr},
    {"DeleteStream", &HandleDeleteStream},
    {"DeregisterStreamConsumer", nullptr},
    {"DescribeAccountSettings", nullptr},
    {"DescribeLimits", nullptr},
    {"DescribeStream", &HandleDescribeStream},
    {"DescribeStreamConsumer", nullptr},
    {"DescribeStreamSummary", &HandleDescribeStreamSummary},
    {"DisableEnhancedMonitoring", nullptr},
    {"EnableEnhancedMonitoring", nullptr},
    {"GetRecords", &HandleGetRecords},
    {"GetResourcePolicy", nullptr},
    {"GetShardIterator", &HandleGetShardIterator},
    {"IncreaseStreamRetentionPeriod", nullptr},
    {"ListShards", &HandleListShards},
    {"ListStreamConsumers", nullptr},
    {"ListStreams", &HandleListStreams},
    {"ListTagsForResource", nullptr},
    {"ListTagsForStream", &HandleListTagsForStream},
    {"MergeShards", nullptr},
    {"PutRecord", &HandlePutRecord},
    {"PutRecords", &HandlePutRecords},
    {"PutResourcePolicy", nullptr},
    {"RegisterStreamConsumer", nullptr},
    {"RemoveTagsFromStream", nullptr},
    {"SplitShard", nullptr},
    {"StartStreamEncryption", nullptr},
    {"StopStreamEncryption", nullptr},
    {"SubscribeToShard", nullptr},
    {"TagResource", nullptr},
    {"UntagResource", nullptr},
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
