// KinesisService: the Kinesis Data Streams API as one of the gateway's
// services. Matched by the X-Amz-Target prefix "Kinesis_20131202.", signed
// as "kinesis"; its codecs (JSON 1.1, CBOR 1.1), operation table and error
// shapes are the Dispatcher's (dispatcher.h, operation_table.h,
// wire_errors.h). Thread-safe.
//
// In cluster mode (a Forwarder given), a data-plane call that touches a
// shard another node leads (PutRecord, PutRecords, GetShardIterator,
// GetRecords answering NotLeader) is forwarded to that node unchanged and its
// answer relayed; a request that was itself forwarded is answered here, so a
// stale view of leadership costs the client one retry, never a loop.
// SubscribeToShard for such a shard is relayed from the leader by
// GetShardIterator and GetRecords calls (api/subscription_relay.h), acting
// as the subscriber's account (under --auth the forwarder signs them).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "api/dispatcher.h"
#include "api/subscription_relay.h"
#include "gateway/forwarder.h"
#include "gateway/service.h"

namespace sluice::api {

class KinesisService final : public gateway::Service {
 public:
  KinesisService(engine::Engine& engine, ApiOptions options) : dispatcher_(engine, std::move(options)) {}
  // `forwarder` must outlive the service; `node_id` names this node in the
  // forwarded requests' kForwardedHeader. `forward_puts`: forward PutRecord
  // and PutRecords whole too (false when the engine passes a put's records
  // on to their shards' leaders itself, EngineOptions::remote_writer).
  // `relay_subscriptions`: relay SubscribeToShard from the shard's leader;
  // it needs the engine's iterator key (EngineOptions::iterator_key, the
  // cluster's).
  KinesisService(engine::Engine& engine, ApiOptions options, gateway::Forwarder* forwarder, std::string node_id,
                 bool forward_puts, bool relay_subscriptions = false);
  ~KinesisService() override;

  std::string_view name() const override { return "kinesis"; }
  gateway::ServiceMatch match() const override;
  std::string_view signing_name() const override { return "kinesis"; }
  std::vector<std::string> operations() const override;

  void Handle(const gateway::ServiceRequest& request, gateway::ServiceResponder respond) override;
  gateway::ServiceResponse Error(const server::HttpRequest& request, const Status& error) const override;

 private:
  // Whether a call may be forwarded when it answers NotLeader.
  bool Forwardable(const gateway::ServiceRequest& request) const;
  // A relay's call (a LeaderCall): answered here, or forwarded to the leader
  // the answer names.
  void CallForRelay(gateway::ForwardedRequest request, std::function<void(Result<gateway::ForwardedResponse>)> done);

  std::unique_ptr<SubscriptionRelays> relays_;  // before dispatcher_, whose options point to it
  Dispatcher dispatcher_;
  gateway::Forwarder* forwarder_ = nullptr;
  std::string node_id_;
  bool forward_puts_ = false;
};

}  // namespace sluice::api
