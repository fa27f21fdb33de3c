#include "engine/types.h"

#include <charconv>
#include <cstdio>

namespace sluice::engine {

const char* StreamStatusName(StreamStatus s) {
  switch (s) {
    case StreamStatus::kCreating: return "CREATING";
    case StreamStatus::kDeleting: return "DELETING";
    case StreamStatus::kActive: return "ACTIVE";
    case StreamStatus::kUpdating: return "UPDATING";
  }
  return "ACTIVE";
}

const char* StreamModeName(StreamMode m) { return m == StreamMode::kOnDemand ? "ON_DEMAND" : "PROVISIONED"; }

const char* RecordDistributionName(RecordDistribution d) {
  return d == RecordDistribution::kAuto ? "AUTO" : "USER_PARTITION_KEY";
}

std::string ShardIdFor(int shard_index) {
  char buf[32];
  int n = std::snprintf(buf, sizeof(buf), "shardId-%012d", shard_index);
  return std::string(buf, n);
}

std::optional<int> ParseShardId(std::string_view shard_id) {
  constexpr std::string_view kPrefix = "shardId-";
  std::string_view digits = shard_id;
  if (digits.substr(0, kPrefix.size()) == kPrefix) digits.remove_prefix(kPrefix.size());
  if (digits.empty() || digits.size() > 12) return std::nullopt;
  for (char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
  }
  int64_t value = 0;
  std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (value > 2147483647) return std::nullopt;
  return static_cast<int>(value);
}

}  // namespace sluice::engine
