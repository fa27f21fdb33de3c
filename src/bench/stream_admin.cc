#include "bench/stream_admin.h"

#include <time.h>

#include "bench/json_scan.h"
#include "bench/requests.h"
#include "util/clock.h"

namespace sluice::bench {
namespace {

constexpr int64_t kPollIntervalNs = 20'000'000;

void SleepNanos(int64_t ns) {
  timespec ts{static_cast<time_t>(ns / 1'000'000'000), static_cast<long>(ns % 1'000'000'000)};
  nanosleep(&ts, nullptr);
}

}  // namespace

Result<std::string> StreamAdmin::Request(std::string_view op, std::string_view body) {
  const std::string request = HttpRequest(endpoint_.host_header, op, body);
  Result<CallResponse> response = Call(endpoint_, request, call_timeout_ns_);
  if (!response.ok()) {
    return Status(response.status().code(), std::string(op) + ": " + response.status().message());
  }
  if (response->status != 200) {
    return Status::BadResponse(std::string(op) + ": HTTP " + std::to_string(response->status) + " " +
                               response->body.substr(0, 300));
  }
  return std::move(response->body);
}

Status StreamAdmin::CreateAndWait(std::string_view stream, int shards, int64_t timeout_ns) {
  SLUICE_RETURN_IF_ERROR(Request("CreateStream", CreateStreamBody(stream, shards)).status());
  return WaitActive(stream, timeout_ns);
}

Status StreamAdmin::WaitActive(std::string_view stream, int64_t timeout_ns) {
  const int64_t deadline = MonotonicNanos() + timeout_ns;
  const std::string body = StreamNameBody(stream);
  std::string status;
  // Bounded by the deadline; each turn is one DescribeStreamSummary.
  for (;;) {
    SLUICE_ASSIGN_OR_RETURN(const std::string response, Request("DescribeStreamSummary", body));
    if (json::ScanString(response, "StreamStatus", &status) && status == "ACTIVE") {
      return Status::Ok();
    }
    if (MonotonicNanos() + kPollIntervalNs > deadline) {
      return Status::TimedOut("stream " + std::string(stream) +
                              " not ACTIVE in time (last status: " + (status.empty() ? "none" : status) + ")");
    }
    SleepNanos(kPollIntervalNs);
  }
}

Result<std::string> StreamAdmin::GetShardIterator(std::string_view stream, std::string_view shard_id,
                                                  std::string_view type) {
  SLUICE_ASSIGN_OR_RETURN(const std::string response,
                          Request("GetShardIterator", GetShardIteratorBody(stream, shard_id, type)));
  std::string iterator;
  if (!json::ScanString(response, "ShardIterator", &iterator)) {
    return Status::BadResponse("GetShardIterator: no ShardIterator in response");
  }
  return iterator;
}

Status StreamAdmin::Delete(std::string_view stream, bool enforce_consumer_deletion) {
  std::string body = StreamNameBody(stream);
  // Sent only when wanted: not every server knows the member.
  if (enforce_consumer_deletion) body.insert(body.size() - 1, ",\"EnforceConsumerDeletion\":true");
  return Request("DeleteStream", body).status();
}

Result<std::string> StreamAdmin::StreamArn(std::string_view stream) {
  SLUICE_ASSIGN_OR_RETURN(const std::string response, Request("DescribeStreamSummary", StreamNameBody(stream)));
  std::string arn;
  if (!json::ScanString(response, "StreamARN", &arn)) {
    return Status::BadResponse("DescribeStreamSummary: no StreamARN in response");
  }
  return arn;
}

Result<std::string> StreamAdmin::RegisterConsumer(std::string_view stream_arn, std::string_view name,
                                                  int64_t timeout_ns) {
  SLUICE_ASSIGN_OR_RETURN(std::string response,
                          Request("RegisterStreamConsumer", RegisterStreamConsumerBody(stream_arn, name)));
  std::string consumer_arn;
  if (!json::ScanString(response, "ConsumerARN", &consumer_arn)) {
    return Status::BadResponse("RegisterStreamConsumer: no ConsumerARN in response");
  }
  const int64_t deadline = MonotonicNanos() + timeout_ns;
  const std::string body = "{\"ConsumerARN\":" + JsonQuote(consumer_arn) + "}";
  std::string status;
  // Bounded by the deadline; each turn is one DescribeStreamConsumer.
  for (;;) {
    if (json::ScanString(response, "ConsumerStatus", &status) && status == "ACTIVE") {
      return consumer_arn;
    }
    if (MonotonicNanos() + kPollIntervalNs > deadline) {
      return Status::TimedOut("consumer " + std::string(name) +
                              " not ACTIVE in time (last status: " + (status.empty() ? "none" : status) + ")");
    }
    SleepNanos(kPollIntervalNs);
    SLUICE_ASSIGN_OR_RETURN(response, Request("DescribeStreamConsumer", body));
  }
}

}  // namespace sluice::bench
