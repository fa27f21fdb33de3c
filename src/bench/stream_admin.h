// Control-plane calls the benchmark makes around each workload: create a
// stream and wait for ACTIVE, get shard iterators, register consumers,
// delete the stream. Each
// call is one request on a fresh connection with a deadline; none is timed
// (the scale workloads time Request() themselves).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "bench/load_loop.h"
#include "util/status.h"

namespace sluice::bench {

class StreamAdmin {
 public:
  // Each call waits at most `call_timeout_ns` for its answer.
  explicit StreamAdmin(const Endpoint& endpoint, int64_t call_timeout_ns = 30'000'000'000)
      : endpoint_(endpoint), call_timeout_ns_(call_timeout_ns) {}

  // CreateStream, then polls DescribeStreamSummary until StreamStatus is
  // ACTIVE; TimedOut if `timeout_ns` passes first, else what Request() returns.
  Status CreateAndWait(std::string_view stream, int shards, int64_t timeout_ns);
  // Polls DescribeStreamSummary until StreamStatus is ACTIVE, as above.
  Status WaitActive(std::string_view stream, int64_t timeout_ns);
  // GetShardIterator of the given type: the iterator.
  Result<std::string> GetShardIterator(std::string_view stream, std::string_view shard_id, std::string_view type);
  // DeleteStream; with enforce_consumer_deletion its registered consumers go
  // too (without, a stream with consumers is refused).
  Status Delete(std::string_view stream, bool enforce_consumer_deletion);
  // The stream's ARN, from DescribeStreamSummary.
  Result<std::string> StreamArn(std::string_view stream);
  // RegisterStreamConsumer, then DescribeStreamConsumer until the consumer is
  // ACTIVE (TimedOut if `timeout_ns` passes first): the consumer's ARN.
  Result<std::string> RegisterConsumer(std::string_view stream_arn, std::string_view name, int64_t timeout_ns);

  // Sends one request: the body of an HTTP 200 answer. BadResponse for any
  // other status, else what Call() returns; the message starts with `op`.
  Result<std::string> Request(std::string_view op, std::string_view body);

 private:
  Endpoint endpoint_;
  int64_t call_timeout_ns_;
};

}  // namespace sluice::bench
