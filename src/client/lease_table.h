// A Kinesis Client Library application's lease table, read through the
// endpoint's DynamoDB API: which worker holds which shard, and where each
// shard's checkpoint is. The KCL (2.x and 3.x) names the table after the
// application and keeps one item per shard:
//   leaseKey      S   the shard id; "<account>:<stream>:<creation epoch>:<shard id>"
//                     for an application that reads several streams
//   leaseOwner    S   the worker holding it (absent while unassigned)
//   leaseCounter  N   bumped by every renewal of the holder
//   checkpoint    S   a sequence number, or TRIM_HORIZON, LATEST,
//                     AT_TIMESTAMP, SHARD_END (the shard is finished)
//   parentShardId SS  the shards to finish first
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "client/client.h"
#include "client/types.h"

namespace sluice::client {

struct Lease {
  std::string key;
  std::string owner;
  int64_t counter = 0;
  std::string checkpoint;
  std::vector<std::string> parents;

  // The shard id (the whole key, or the last part of a multi-stream key).
  std::string ShardId() const;
  // The stream of a multi-stream key; "" for a single-stream application.
  std::string StreamName() const;
  // The checkpoint is a sequence number (not a sentinel such as TRIM_HORIZON).
  bool CheckpointIsSequenceNumber() const;
};

// Every item of `table` (Scan, page by page) as leases, sorted by key.
// ResourceNotFoundException when there is no such table.
Outcome<std::vector<Lease>> ReadLeaseTable(Client& client, const std::string& table);

}  // namespace sluice::client
