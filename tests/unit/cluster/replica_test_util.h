// Helpers for the replication tests: a replica over an in-memory log, puts,
// and observed durability waits.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cluster/memory_local_log.h"
#include "cluster/replica_log.h"

namespace sluice::cluster::testutil {

inline constexpr int64_t kT0 = 1'700'000'000'000;
inline const ShardId kShard{"123456789012", "us-east-1", "orders", kT0, 0};

struct TestReplica {
  MemoryLocalLog* log = nullptr;  // owned by `replica`
  std::unique_ptr<ReplicaLog> replica;
};

// A replica of `shard` as `options.node_id`, over a MemoryLocalLog, with its
// epoch history in memory.
inline TestReplica MakeReplica(const ReplicaOptions& options, bool durable_on_append,
                               IsrProposalCallback on_isr_proposal, const ShardId& shard = kShard) {
  TestReplica out;
  auto log = std::make_unique<MemoryLocalLog>(durable_on_append);
  out.log = log.get();
  auto history = LeaderEpochHistory::Open(options.node_id, /*in_memory=*/true);
  EXPECT_TRUE(history.ok());
  auto replica = ReplicaLog::Open(shard, options, std::move(log), std::move(*history), std::move(on_isr_proposal));
  EXPECT_TRUE(replica.ok());
  out.replica = std::move(*replica);
  return out;
}

// Appends one batch of `data` records at `arrival_ms` (keys "key-<data>");
// returns the end offset.
inline uint64_t Put(ReplicaLog& leader, const std::vector<std::string>& data, int64_t arrival_ms = kT0) {
  std::vector<std::string> keys;
  for (const std::string& d : data) keys.push_back("key-" + d);
  std::vector<storage::AppendEntry> entries;
  for (size_t i = 0; i < data.size(); ++i) entries.push_back({keys[i], data[i]});
  auto first = leader.Append(entries, arrival_ms);
  EXPECT_TRUE(first.ok()) << first.status().ToString();
  return first.ok() ? *first + data.size() : 0;
}

// A WhenDurable() wait of a leader's replica or the engine's store on it,
// observed (from any thread).
class Wait {
 public:
  Wait(engine::ShardStore& leader, uint64_t end) {
    leader.WhenDurable(end, [state = state_](Status s) {
      std::lock_guard<std::mutex> lock(state->mu);
      state->result = std::move(s);
    });
  }
  bool done() const {
    std::lock_guard<std::mutex> lock(state_->mu);
    return state_->result.has_value();
  }
  Status result() const {
    std::lock_guard<std::mutex> lock(state_->mu);
    return state_->result.value_or(Status::Internal("not done"));
  }

 private:
  struct State {
    mutable std::mutex mu;
    std::optional<Status> result;
  };
  std::shared_ptr<State> state_ = std::make_shared<State>();
};

// Everything `log` holds, committed or not: offset, arrival time, key, data.
using Held = std::tuple<uint64_t, int64_t, std::string, std::string>;
inline std::vector<Held> Contents(const LocalLog& log) {
  auto read = log.Read(0, 1000, 1 << 20);
  EXPECT_TRUE(read.ok());
  std::vector<Held> out;
  for (const storage::StoredRecord& r : read->records) {
    out.emplace_back(r.offset, r.arrival_ms, std::string(r.partition_key), std::string(r.data));
  }
  return out;
}

}  // namespace sluice::cluster::testutil
