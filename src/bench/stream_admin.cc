#include "bench/stream_admin.h"

#include <time.h>

#include "bench/json_scan.h"
#include "bench/requests.h"
#include "util/clock.h"

namespace sluice::bench {
namespace {

constexpr int64_t kCallTimeoutNs = 30'000'000'000;
constexpr int64_t kPollIntervalNs = 20'000'000;

void SleepNanos(int64_t ns) {
  timespec ts{static_cast<time_t>(ns / 1'000'000'000), static_cast<long>(ns % 1'000'000'000)};
  nanosleep(&ts, nullptr);
}

}  // namespace

bool StreamAdmin::Request(std::string_view op, std::string_view body, std::string* response,
                          std::string* error) {
  const std::string request = HttpRequest(endpoint_.host_header, op, body);
  int status = 0;
  if (!Call(endpoint_, request, kCallTimeoutNs, &status, response, error)) {
    *error = std::string(op) + ": " + *error;
    return false;
  }
  if (status != 200) {
    *error = std::string(op) + ": HTTP " + std::to_string(status) + " " + response->substr(0, 300);
    return false;
  }
  return true;
}

bool StreamAdmin::CreateAndWait(std::string_view stream, int shards, int64_t timeout_ns,
                                std::string* error) {
  std::string response;
  if (!Request("CreateStream", CreateStreamBody(stream, shards), &response, error)) return false;
  const int64_t deadline = MonotonicNanos() + timeout_ns;
  const std::string body = StreamNameBody(stream);
  std::string status;
  // Bounded by the deadline; each turn is one DescribeStreamSummary.
  for (;;) {
    if (!Request("DescribeStreamSummary", body, &response, error)) return false;
    if (json::ScanString(response, "StreamStatus", &status) && status == "ACTIVE") return true;
    if (MonotonicNanos() + kPollIntervalNs > deadline) {
      *error = "stream " + std::string(stream) + " not ACTIVE in time (last status: " +
               (status.empty() ? "none" : status) + ")";
      return false;
    }
    SleepNanos(kPollIntervalNs);
  }
}

bool StreamAdmin::GetShardIterator(std::string_view stream, std::string_view shard_id,
                                   std::string_view type, std::string* iterator,
                                   std::string* error) {
  std::string response;
  if (!Request("GetShardIterator", GetShardIteratorBody(stream, shard_id, type), &response, error)) {
    return false;
  }
  if (!json::ScanString(response, "ShardIterator", iterator)) {
    *error = "GetShardIterator: no ShardIterator in response";
    return false;
  }
  return true;
}

bool StreamAdmin::Delete(std::string_view stream, bool enforce_consumer_deletion, std::string* error) {
  std::string body = StreamNameBody(stream);
  // Sent only when wanted: not every server knows the member.
  if (enforce_consumer_deletion) body.insert(body.size() - 1, ",\"EnforceConsumerDeletion\":true");
  std::string response;
  return Request("DeleteStream", body, &response, error);
}

bool StreamAdmin::StreamArn(std::string_view stream, std::string* arn, std::string* error) {
  std::string response;
  if (!Request("DescribeStreamSummary", StreamNameBody(stream), &response, error)) return false;
  if (!json::ScanString(response, "StreamARN", arn)) {
    *error = "DescribeStreamSummary: no StreamARN in response";
    return false;
  }
  return true;
}

bool StreamAdmin::RegisterConsumer(std::string_view stream_arn, std::string_view name,
                                   int64_t timeout_ns, std::string* consumer_arn,
                                   std::string* error) {
  std::string response;
  if (!Request("RegisterStreamConsumer", RegisterStreamConsumerBody(stream_arn, name), &response,
               error)) {
    return false;
  }
  if (!json::ScanString(response, "ConsumerARN", consumer_arn)) {
    *error = "RegisterStreamConsumer: no ConsumerARN in response";
    return false;
  }
  const int64_t deadline = MonotonicNanos() + timeout_ns;
  const std::string body = "{\"ConsumerARN\":" + JsonQuote(*consumer_arn) + "}";
  std::string status;
  // Bounded by the deadline; each turn is one DescribeStreamConsumer.
  for (;;) {
    if (json::ScanString(response, "ConsumerStatus", &status) && status == "ACTIVE") return true;
    if (MonotonicNanos() + kPollIntervalNs > deadline) {
      *error = "consumer " + std::string(name) + " not ACTIVE in time (last status: " +
               (status.empty() ? "none" : status) + ")";
      return false;
    }
    SleepNanos(kPollIntervalNs);
    if (!Request("DescribeStreamConsumer", body, &response, error)) return false;
  }
}

}  // namespace sluice::bench
