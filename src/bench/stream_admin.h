// Control-plane calls the benchmark makes around each workload: create a
// stream and wait for ACTIVE, get shard iterators, register consumers,
// delete the stream. Each
// call is one request on a fresh connection with a deadline; none is timed.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "bench/load_loop.h"

namespace sluice::bench {

class StreamAdmin {
 public:
  explicit StreamAdmin(const Endpoint& endpoint) : endpoint_(endpoint) {}

  // CreateStream, then polls DescribeStreamSummary until StreamStatus is
  // ACTIVE or `timeout_ns` passes. False with *error set on failure.
  bool CreateAndWait(std::string_view stream, int shards, int64_t timeout_ns, std::string* error);
  // GetShardIterator of the given type; the iterator lands in *iterator.
  bool GetShardIterator(std::string_view stream, std::string_view shard_id,
                        std::string_view type, std::string* iterator, std::string* error);
  // DeleteStream; with enforce_consumer_deletion its registered consumers go
  // too (without, a stream with consumers is refused).
  bool Delete(std::string_view stream, bool enforce_consumer_deletion, std::string* error);
  // The stream's ARN, from DescribeStreamSummary.
  bool StreamArn(std::string_view stream, std::string* arn, std::string* error);
  // RegisterStreamConsumer, then DescribeStreamConsumer until the consumer is
  // ACTIVE or `timeout_ns` passes; its ARN lands in *consumer_arn.
  bool RegisterConsumer(std::string_view stream_arn, std::string_view name, int64_t timeout_ns,
                        std::string* consumer_arn, std::string* error);

 private:
  // Sends one request; false unless the answer is HTTP 200.
  bool Request(std::string_view op, std::string_view body, std::string* response,
               std::string* error);

  Endpoint endpoint_;
};

}  // namespace sluice::bench
