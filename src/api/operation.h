// The contract between the dispatcher and the per-operation handlers.
//
// A handler receives the parsed body (already known to be a JSON object),
// performs, in the service's order, the type checks of its members
// (SerializationException), the model constraints (ValidationException),
// the semantic checks (InvalidArgumentException, ...), the engine call, and
// encodes the output. It completes through `reply` exactly once: with the
// response body ("" for operations without output) or an error Status. The
// reply may run on another thread (PutRecord/PutRecords complete when the
// engine has made the records durable).
//
// Lifetime: `body` and its views are valid only until the handler returns;
// `ctx` likewise (copy what an asynchronous reply needs).
#pragma once

#include <functional>
#include <string>

#include "api/dispatcher.h"
#include "api/faults.h"
#include "engine/engine.h"
#include "protocol/json_reader.h"
#include "util/clock.h"
#include "util/status.h"

namespace sluice::api {

struct OperationContext {
  engine::Engine& engine;
  const ApiOptions& options;
  const Clock& clock;
  // Operations with a streamed output (SubscribeToShard) answer through this
  // instead of `reply` once their request checks pass; unset for the others.
  std::function<void(std::shared_ptr<ApiStream>)> open_stream = nullptr;
  bool cbor = false;  // the request came as CBOR (event payloads follow it)
  // The injected faults this call meets (PutRecords fails the records they
  // pick); null when none.
  const FaultDecision* fault = nullptr;
};

using Reply = std::function<void(Result<std::string>)>;
using OperationHandler = void (*)(const OperationContext& ctx, const protocol::JsonObject& body, Reply reply);

// Handlers of the supported operations, one per file (create_stream.cc ...).
void HandleCreateStream(const OperationContext& ctx, const protocol::JsonObject& body, Reply reply);
void HandleDeleteStream(const OperationContext& ctx, const protocol::JsonObject& body, Reply reply);
void HandleDescribeStream(const OperationContext& ctx, const protocol::JsonObject& body, Reply reply);
void HandleDescribeStreamSummary(const OperationContext& ctx, const protocol::JsonObject& body, Reply reply);
void HandleListStreams(const OperationContext& ctx, const protocol::JsonObject& body, Reply reply);
void HandleListShards(const OperationContext& ctx, const protocol::JsonObject& body, Reply reply);
void HandlePutRecord(const OperationContext& ctx, const protocol::JsonObject& body, Reply reply);
void HandlePutRecords(const OperationContext& ctx, const protocol::JsonObject& body, Reply reply);
void HandleGetShardIterator(const OperationContext& ctx, const protocol::JsonObject& body, Reply reply);
void HandleGetRecords(const OperationContext& ctx, const protocol::JsonObject& body, Reply reply);
void HandleListTagsForStream(const OperationContext& ctx, const protocol::JsonObject& body, Reply reply);
void HandleAddTagsToStream(const OperationContext& ctx, const protocol::JsonObject& body, Reply reply);
void HandleRemoveTagsFromStream(const OperationContext& ctx, const protocol::JsonObject& body, Reply reply);
void HandleTagResource(const OperationContext& ctx, const protocol::JsonObject& body, Reply reply);
void HandleUntagResource(const OperationContext& ctx, const protocol::JsonObject& body, Reply reply);
void HandleListTagsForResource(const OperationContext& ctx, const protocol::JsonObject& body, Reply reply);
void HandleIncreaseStreamRetentionPeriod(const OperationContext& ctx, const protocol::JsonObject& body, Reply reply);
void HandleDecreaseStreamRetentionPeriod(const OperationContext& ctx, const protocol::JsonObject& body, Reply reply);
void HandleEnableEnhancedMonitoring(const OperationContext& ctx, const protocol::JsonObject& body, Reply reply);
void HandleDisableEnhancedMonitoring(const OperationContext& ctx, const protocol::JsonObject& body, Reply reply);
void HandleStartStreamEncryption(const OperationContext& ctx, const protocol::JsonObject& body, Reply reply);
void HandleStopStreamEncryption(const OperationContext& ctx, const protocol::JsonObject& body, Reply reply);
void HandleDescribeLimits(const OperationContext& ctx, const protocol::JsonObject& body, Reply reply);
void HandleSubscribeToShard(const OperationContext& ctx, const protocol::JsonObject& body, Reply reply);
void HandleSplitShard(const OperationContext& ctx, const protocol::JsonObject& body, Reply reply);
void HandleMergeShards(const OperationContext& ctx, const protocol::JsonObject& body, Reply reply);
void HandleUpdateShardCount(const OperationContext& ctx, const protocol::JsonObject& body, Reply reply);
void HandleUpdateStreamMode(const OperationContext& ctx, const protocol::JsonObject& body, Reply reply);
void HandleUpdateMaxRecordSize(const OperationContext& ctx, const protocol::JsonObject& body, Reply reply);
void HandleUpdateStreamWarmThroughput(const OperationContext& ctx, const protocol::JsonObject& body, Reply reply);
void HandleUpdateStreamRecordDistributionStrategy(const OperationContext& ctx, const protocol::JsonObject& body,
                                                  Reply reply);
// Stream consumers (register_stream_consumer.cc ...; shared pieces in consumers.h).
void HandleRegisterStreamConsumer(const OperationContext& ctx, const protocol::JsonObject& body, Reply reply);
void HandleDescribeStreamConsumer(const OperationContext& ctx, const protocol::JsonObject& body, Reply reply);
void HandleListStreamConsumers(const OperationContext& ctx, const protocol::JsonObject& body, Reply reply);
void HandleDeregisterStreamConsumer(const OperationContext& ctx, const protocol::JsonObject& body, Reply reply);
// Account settings (account_settings.cc) and resource policies (resource_policy.cc).
void HandleDescribeAccountSettings(const OperationContext& ctx, const protocol::JsonObject& body, Reply reply);
void HandleUpdateAccountSettings(const OperationContext& ctx, const protocol::JsonObject& body, Reply reply);
void HandlePutResourcePolicy(const OperationContext& ctx, const protocol::JsonObject& body, Reply reply);
void HandleGetResourcePolicy(const OperationContext& ctx, const protocol::JsonObject& body, Reply reply);
void HandleDeleteResourcePolicy(const OperationContext& ctx, const protocol::JsonObject& body, Reply reply);

// Channels (create_channel.cc ...; shared pieces in channel_shapes.h).
void HandleCreateChannel(const OperationContext& ctx, const protocol::JsonObject& body, Reply reply);
void HandleDescribeChannel(const OperationContext& ctx, const protocol::JsonObject& body, Reply reply);
void HandleListChannels(const OperationContext& ctx, const protocol::JsonObject& body, Reply reply);
void HandleUpdateChannel(const OperationContext& ctx, const protocol::JsonObject& body, Reply reply);
void HandleDeleteChannel(const OperationContext& ctx, const protocol::JsonObject& body, Reply reply);

}  // namespace sluice::api
