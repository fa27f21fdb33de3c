#include "api/call_rates.h"

#include <fmt/format.h>

namespace sluice::api {
namespace {

struct Entry {
  std::string_view operation;
  CallRates::Rate rate;
};

// The service's published figures (transactions per second).
constexpr Entry kRates[] = {
    {"AddTagsToStream", {5, false}},
    {"CreateChannel", {5, false}},
    {"CreateStream", {5, false}},
    {"DeleteChannel", {5, false}},
    {"DeleteStream", {5, false}},
    {"DeregisterStreamConsumer", {5, true}},
    {"DescribeAccountSettings", {5, false}},
    {"DescribeChannel", {5, false}},
    {"DescribeLimits", {1, false}},
    {"DescribeStream", {10, false}},
    {"DescribeStreamConsumer", {20, true}},
    {"DescribeStreamSummary", {20, false}},
    {"ListChannels", {5, false}},
    {"ListShards", {1000, true}},
    {"ListStreamConsumers", {5, true}},
    {"ListStreams", {5, false}},
    {"ListTagsForStream", {5, false}},
    {"MergeShards", {5, false}},
    {"RegisterStreamConsumer", {5, false}},
    {"RemoveTagsFromStream", {5, false}},
    {"SplitShard", {5, false}},
    {"UpdateAccountSettings", {5, false}},
    {"UpdateChannel", {5, false}},
    {"UpdateShardCount", {10, false}},
    {"UpdateStreamWarmThroughput", {5, false}},
};

}  // namespace

std::optional<CallRates::Rate> CallRates::RateOf(std::string_view operation) {
  for (const Entry& e : kRates) {
    if (e.operation == operation) return e.rate;
  }
  return std::nullopt;
}

Status CallRates::Admit(std::string_view operation, std::string_view account, std::string_view region,
                        std::string_view stream, int64_t now_ms) {
  std::optional<Rate> rate = RateOf(operation);
  if (!rate) return Status::Ok();
  auto key = std::make_tuple(std::string(operation), std::string(account), std::string(region),
                             rate->per_stream ? std::string(stream) : std::string());
  bool admitted;
  {
    std::lock_guard lock(mu_);
    auto it = buckets_.find(key);
    if (it == buckets_.end()) {
      SweepFullBuckets(buckets_, now_ms, &sweep_at_);
      it = buckets_.emplace(std::move(key), TokenBucket(rate->per_second, rate->per_second, now_ms)).first;
    }
    admitted = it->second.TryTake(1, now_ms);
  }
  if (admitted) return Status::Ok();
  return Status::LimitExceeded(stream.empty()
                                   ? fmt::format("Rate exceeded for account {}.", account)
                                   : fmt::format("Rate exceeded for stream {} under account {}.", stream, account));
}

size_t CallRates::size() {
  std::lock_guard lock(mu_);
  return buckets_.size();
}

}  // namespace sluice::api
