#include "cluster/shard_put_relay.h"

#include <algorithm>
#include <memory>
#include <utility>

#include "cluster/cluster_placement.h"
#include "cluster/peer_codec.h"
#include "cluster/peer_transport.h"

namespace sluice::cluster {

PutError PutErrorFor(const Status& status) {
  switch (status.code()) {
    case ErrorCode::kOk: return PutError::kNone;
    case ErrorCode::kProvisionedThroughputExceeded: return PutError::kThroughputExceeded;
    case ErrorCode::kNotLeader: return PutError::kNotLeader;
    case ErrorCode::kResourceNotFound: return PutError::kResourceNotFound;
    case ErrorCode::kInvalidArgument: return PutError::kInvalidArgument;
    case ErrorCode::kKmsThrottling: return PutError::kKmsThrottling;
    default: return PutError::kInternalFailure;
  }
}

Status StatusForPutError(PutError error, std::string message) {
  switch (error) {
    case PutError::kNone: return Status::Ok();
    case PutError::kThroughputExceeded: return Status(ErrorCode::kProvisionedThroughputExceeded, std::move(message));
    case PutError::kNotLeader: return Status(ErrorCode::kNotLeader, std::move(message));
    case PutError::kResourceNotFound: return Status(ErrorCode::kResourceNotFound, std::move(message));
    case PutError::kInvalidArgument: return Status(ErrorCode::kInvalidArgument, std::move(message));
    case PutError::kKmsThrottling: return Status(ErrorCode::kKmsThrottling, std::move(message));
    case PutError::kInternalFailure:
    case PutError::kUnsupportedVersion: break;
  }
  return Status(ErrorCode::kInternalFailure, std::move(message));
}

void PeerShardWriter::Append(const std::string& leader_address, const engine::ShardKey& shard,
                             std::span<const engine::PutEntry> entries,
                             std::function<void(Result<std::vector<engine::PutEntryResult>>)> done) {
  PutToShardRequest request;
  request.shard = ToShardId(shard);
  request.records.reserve(entries.size());
  for (const engine::PutEntry& e : entries) {
    request.records.push_back({std::string(e.partition_key), std::string(e.data)});
  }
  gateway::ForwardedRequest http;
  http.method = "POST";
  http.target = std::string(kPeerPutToShardPath);
  http.headers = {{"content-type", std::string(kPeerContentType)}};
  http.body = EncodePutToShardRequest(request);
  http.account = shard.stream.account;
  http.region = shard.stream.region;
  const int shard_index = shard.shard_index;
  const size_t count = entries.size();
  forwarder_.Forward(
      leader_address, std::move(http),
      [done = std::move(done), shard_index, count, leader_address](Result<gateway::ForwardedResponse> answer) {
        if (!answer.ok()) return done(answer.status());
        if (answer->status != 200) {
          return done(Status(ErrorCode::kBadResponse, "PutToShard at " + leader_address + " answered HTTP " +
                                                          std::to_string(answer->status) + ": " +
                                                          answer->body.substr(0, 256)));
        }
        Result<PutToShardResponse> response = DecodePutToShardResponse(answer->body);
        if (!response.ok()) return done(response.status());
        if (response->error != PutError::kNone) {
          return done(StatusForPutError(response->error, std::move(response->message)));
        }
        if (response->results.size() != count) {
          return done(Status(ErrorCode::kBadResponse, "PutToShard at " + leader_address + " answered " +
                                                          std::to_string(response->results.size()) + " results for " +
                                                          std::to_string(count) + " records"));
        }
        std::vector<engine::PutEntryResult> results(count);
        for (size_t i = 0; i < count; ++i) {
          PutToShardResult& r = response->results[i];
          results[i].status = StatusForPutError(r.error, std::move(r.message));
          results[i].shard_index = shard_index;
          results[i].encrypted = r.encrypted;
          if (r.error == PutError::kNone) {
            if (r.sequence_number.size() != results[i].sequence_number.size()) {
              return done(Status(ErrorCode::kBadResponse, "PutToShard at " + leader_address +
                                                              " answered a sequence number of " +
                                                              std::to_string(r.sequence_number.size()) + " digits"));
            }
            std::copy(r.sequence_number.begin(), r.sequence_number.end(), results[i].sequence_number.begin());
          }
        }
        done(std::move(results));
      });
}

void EngineShardPuts::PutToShard(const PutToShardRequest& request, std::function<void(PutToShardResponse)> reply) {
  const engine::StreamRef stream{request.shard.account, request.shard.region, request.shard.stream};
  std::vector<engine::PutEntry> entries;
  entries.reserve(request.records.size());
  for (const PutToShardRecord& r : request.records) entries.push_back({r.partition_key, r.data, std::nullopt});
  engine_.records().PutToShard(stream, request.shard.creation_ms, request.shard.shard_index, entries,
                               [reply = std::move(reply)](Result<std::vector<engine::PutEntryResult>> results) {
                                 PutToShardResponse response;
                                 if (!results.ok()) {
                                   response.error = PutErrorFor(results.status());
                                   response.message = results.status().message();
                                   return reply(std::move(response));
                                 }
                                 response.results.reserve(results->size());
                                 for (const engine::PutEntryResult& r : *results) {
                                   PutToShardResult out;
                                   out.error = PutErrorFor(r.status);
                                   if (r.status.ok()) {
                                     out.sequence_number = std::string(engine::ToView(r.sequence_number));
                                     out.encrypted = r.encrypted;
                                   } else {
                                     out.message = r.status.message();
                                   }
                                   response.results.push_back(std::move(out));
                                 }
                                 reply(std::move(response));
                               });
}

}  // namespace sluice::cluster
