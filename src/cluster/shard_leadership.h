// Shard leadership records in etcd (docs/cluster.md, "Shard leadership"):
// per shard one key holding who leads it, with which epoch, on which
// replicas, and which of them are in sync. Leader and in-sync set share the
// key, so one compare-and-swap on its mod_revision covers both; nothing
// writes it any other way.
//
//   /sluice/v1/shards/<account>/<region>/<stream>/<creation ms>/<shard index>
//   {"leader":"n1","leader_epoch":3,"replicas":["n1","n2","n3"],"isr":["n1","n2"]}
//
// While replicas move off decommissioned nodes (leadership_plan.h) the record
// also names the replicas leaving, "removing":["n3"], written only then.
//
// A shard appears with an empty record (DeclareShard: no replicas, no
// leader, epoch 0); the controller (controller.h) assigns it.
#pragma once

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "cluster/etcd_client.h"
#include "protocol/json_writer.h"
#include "util/status.h"

namespace sluice::cluster {

inline constexpr std::string_view kShardsPrefix = "/sluice/v1/shards/";

// One shard of one incarnation of a stream (engine::ShardKey as a value).
struct ShardId {
  std::string account;
  std::string region;
  std::string stream;
  int64_t creation_ms = 0;
  int shard_index = 0;

  auto operator<=>(const ShardId&) const = default;
};

std::string ShardLeadershipKey(const ShardId& id);
// Errors: BadResponse for a key not under kShardsPrefix in the layout above.
Result<ShardId> ParseShardLeadershipKey(std::string_view key);
// "shardId-000000000007", the shard's name in the API.
std::string ShardName(int shard_index);

struct ShardLeadership {
  std::string leader;                 // node id; empty: no leader (unassigned, or no live in-sync replica)
  int64_t leader_epoch = 0;           // +1 with every change of leader, never down
  std::vector<std::string> replicas;  // node ids; replicas[0] is the preferred leader
  std::vector<std::string> isr;       // the in-sync subset of replicas, never emptied once assigned
  // Replicas on decommissioned nodes whose replacement has been added: they
  // are dropped once every other replica is in the ISR. Empty otherwise.
  std::vector<std::string> removing = {};

  bool assigned() const { return !replicas.empty(); }
  bool leaderless() const { return leader.empty(); }
  bool under_replicated() const { return isr.size() < replicas.size(); }
  bool operator==(const ShardLeadership&) const = default;
};

// Whether two node lists hold the same nodes, in any order.
bool SameMembers(std::vector<std::string> a, std::vector<std::string> b);

std::string EncodeShardLeadership(const ShardLeadership& leadership);
// The record's members (leader, leader_epoch, replicas, isr; removing when
// not empty) into an open object.
void WriteShardLeadershipMembers(protocol::JsonWriter& w, const ShardLeadership& leadership);
// Errors: BadResponse naming what does not parse.
Result<ShardLeadership> ParseShardLeadership(std::string_view json);

// A record as read, with the mod_revision a compare-and-swap must name.
struct ShardRecord {
  ShardId id;
  ShardLeadership leadership;
  int64_t mod_revision = 0;
};

// Creates the shard's record, unassigned, unless it exists. Errors: those of
// the etcd calls.
Status DeclareShard(EtcdClient& client, const ShardId& id);

// Writes `next` if the record is still at `current.mod_revision`; false (and
// nothing written) when it has moved on. Errors: those of the etcd calls.
Result<bool> UpdateShardLeadership(EtcdClient& client, const ShardRecord& current, const ShardLeadership& next);

// Every record, in key order. Errors: those of the etcd calls, BadResponse
// for a key or document that does not parse.
Result<std::vector<ShardRecord>> ListShardRecords(EtcdClient& client);
// One key-value of the shards prefix as a record. Errors: BadResponse.
Result<ShardRecord> ParseShardRecord(const KeyValue& kv);

}  // namespace sluice::cluster
