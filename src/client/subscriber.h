// Push delivery: SubscribeToShard through a registered consumer (enhanced
// fan-out). The answer is HTTP/1.1 with an AWS event-stream body; each
// SubscribeToShardEvent's records go to the handler as the event arrives.
//
// ShardSubscriber keeps one shard's subscription alive: when a subscription
// ends (the service ends each after 5 minutes; connection loss; a
// retryable exception event) it subscribes again AFTER_SEQUENCE_NUMBER of
// the last ContinuationSequenceNumber, so no record is lost or repeated.
// ResourceInUseException (another subscription of the consumer to the shard
// began less than 5 s ago) and throttling are retried after a back-off. It
// ends when the shard is read to its end (an event with ChildShards and no
// continuation), returning the children.
//
// StreamSubscriber does that for every shard of a stream, one thread per
// shard being read, parents before children (as Reader does), starting
// where `start` says (LATEST: the shards open now; TRIM_HORIZON /
// AT_TIMESTAMP: every listed shard), or only the shards it is given.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "client/client.h"
#include "client/config.h"
#include "client/reader.h"
#include "client/types.h"

namespace sluice::client {

struct SubscriberOptions {
  std::string consumer_arn;
  StartingPosition start = StartingPosition::Latest();
  // Silence (no event, not even a heartbeat) after which the connection is
  // dropped and the subscription made again.
  int64_t idle_timeout_ms = 60000;
  int64_t backoff_base_ms = 100;
  int64_t backoff_max_ms = 5000;
  // StreamSubscriber only: subscribe to these shards (not their children),
  // from `start`, and end once each is read to its end; empty: every shard.
  // A shard the stream does not have fails Run (CheckShardsListed).
  std::vector<std::string> shard_ids;
};

class ShardSubscriber {
 public:
  ShardSubscriber(ClientConfig config, SubscriberOptions options, std::string shard_id);

  // Runs until the shard ends (its ChildShards are returned), `stop()`
  // returns true (empty list returned; asked about every 100 ms), or a
  // non-retryable error.
  Outcome<std::vector<ChildShard>> Run(const RecordHandler& handler, const std::function<bool()>& stop);

  // Subscriptions started so far (their initial-response arrived).
  int subscriptions() const { return subscriptions_.load(); }
  const std::string& continuation() const { return continuation_; }

 private:
  ClientConfig config_;
  SubscriberOptions options_;
  std::string shard_id_;
  std::string continuation_;
  std::atomic<int> subscriptions_{0};
};

class StreamSubscriber {
 public:
  StreamSubscriber(std::shared_ptr<Client> client, ClientConfig config, std::string stream_name,
                   SubscriberOptions options);

  // Calls `handler` from the shards' threads, one call at a time. Returns
  // when `stop()` is true, when no shard is left to read (every one read to
  // its end and no child to follow), or on the first non-retryable error.
  Outcome<Done> Run(const RecordHandler& handler, const std::function<bool()>& stop);

 private:
  std::shared_ptr<Client> client_;
  ClientConfig config_;
  std::string stream_name_;
  SubscriberOptions options_;
};

// The JSON body of a SubscribeToShard request.
std::string SubscribeToShardBody(const std::string& consumer_arn, const std::string& shard_id,
                                 const StartingPosition& position);

}  // namespace sluice::client
