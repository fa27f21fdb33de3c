// Client: the Kinesis Data Streams operations Sluice's tools use, typed,
// over a Transport. Every call is one request (paged listings are
// followed to the end) and returns an Outcome; nothing is retried here —
// the Producer and Reader decide about retries.
//
// Threading: thread-safe (the transport is).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "client/config.h"
#include "client/transport.h"
#include "client/types.h"

namespace sluice::client {

class Client {
 public:
  explicit Client(std::shared_ptr<Transport> transport) : transport_(std::move(transport)) {}
  // A client over MakeHttpTransport(config).
  static Outcome<std::shared_ptr<Client>> Connect(const ClientConfig& config);

  Transport& transport() { return *transport_; }

  // The raw call: the 200 answer's body, or the service's error parsed from
  // `__type` / `message`. CallApi: of another JSON API on the endpoint.
  Outcome<std::string> Call(std::string_view operation, std::string_view body);
  Outcome<std::string> CallApi(const JsonApi& api, std::string_view operation, std::string_view body);

  // shard_count absent: an ON_DEMAND stream.
  Outcome<Done> CreateStream(const std::string& name, std::optional<int> shard_count);
  Outcome<Done> DeleteStream(const std::string& name, bool enforce_consumer_deletion);
  Outcome<std::vector<std::string>> ListStreams();
  Outcome<StreamSummary> DescribeStreamSummary(const std::string& name);
  // Every shard DescribeStream/ListShards shows (open and closed).
  Outcome<std::vector<Shard>> ListShards(const std::string& name);
  // Polls DescribeStreamSummary until ACTIVE (or `timeout_ms`).
  Outcome<StreamSummary> WaitForActive(const std::string& name, int64_t timeout_ms);

  Outcome<Done> SplitShard(const std::string& name, const std::string& shard_id,
                           const std::string& new_starting_hash_key);
  Outcome<Done> MergeShards(const std::string& name, const std::string& shard_id, const std::string& adjacent_shard_id);
  Outcome<Done> UpdateShardCount(const std::string& name, int target);
  // Increases or decreases, whichever `hours` is relative to the current period.
  Outcome<Done> SetRetention(const std::string& name, int hours);

  Outcome<PutResult> PutRecord(const std::string& stream, std::string_view partition_key, std::string_view data);
  // Answers one entry per record, in order; failed entries carry an error code.
  Outcome<std::vector<PutRecordsResultEntry>> PutRecords(const std::string& stream,
                                                         const std::vector<PutRecordsEntry>& records);
  Outcome<std::string> GetShardIterator(const std::string& stream, const std::string& shard_id,
                                        const StartingPosition& position);
  Outcome<GetRecordsResult> GetRecords(const std::string& iterator, int limit);

  Outcome<Consumer> RegisterStreamConsumer(const std::string& stream_arn, const std::string& name);
  Outcome<Consumer> DescribeStreamConsumer(const std::string& stream_arn, const std::string& name);
  // Registers the consumer unless it exists, and waits until it is ACTIVE.
  // *registered (when given) tells whether this call registered it, so that
  // its caller knows whether the consumer is its own to deregister.
  Outcome<Consumer> EnsureConsumer(const std::string& stream_arn, const std::string& name, int64_t timeout_ms,
                                   bool* registered = nullptr);
  Outcome<Done> DeregisterStreamConsumer(const std::string& stream_arn, const std::string& name);

 private:
  std::shared_ptr<Transport> transport_;
};

// The error of a non-200 answer (`__type` without its namespace, `message`
// or `Message`).
Error ParseErrorReply(const HttpReply& reply);

// Records of a GetRecords answer or a SubscribeToShardEvent payload
// ({"Records":[...], ...}); `shard_id` is stored into each.
Outcome<GetRecordsResult> ParseRecordsPayload(std::string_view json, const std::string& shard_id);

}  // namespace sluice::client
