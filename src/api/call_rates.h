// The service's control-plane call rates (LimitExceededException when a
// caller goes over them), emulated when limits are on (`--limits real`).
// Per account and region, or per stream where the service counts per stream
// (ListShards, DescribeStreamConsumer, ListStreamConsumers,
// DeregisterStreamConsumer). Each rate is a token bucket holding one
// second of calls. The data plane's quotas are the engine's
// (engine/throughput_quota.h).
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>

#include "util/status.h"
#include "util/token_bucket.h"

namespace sluice::api {

class CallRates {
 public:
  // Calls per second of `operation`, and whether it is counted per stream;
  // nullopt for operations without a control-plane rate.
  struct Rate {
    double per_second;
    bool per_stream;
  };
  static std::optional<Rate> RateOf(std::string_view operation);

  // OK, or LimitExceeded in the service's wording ("Rate exceeded for stream
  // <name> under account <acct>." when the call names a stream, else "Rate
  // exceeded for account <acct>."). `stream` is "" when the call names none.
  // Thread-safe.
  Status Admit(std::string_view operation, std::string_view account, std::string_view region, std::string_view stream,
               int64_t now_ms);

  // Buckets held now (for tests).
  size_t size();

 private:
  std::mutex mu_;
  // (operation, account, region, stream or "") -> bucket. The stream is
  // whatever name a call carries, so a full bucket (one no different from a
  // new one) is dropped once the map has doubled since the last sweep.
  std::map<std::tuple<std::string, std::string, std::string, std::string>, TokenBucket, std::less<>> buckets_;
  size_t sweep_at_ = 1024;  // guarded by mu_
};

}  // namespace sluice::api
