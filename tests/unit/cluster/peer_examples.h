// The worked example of docs/cluster-protocol.md as values, shared by the
// codec's tests (its bytes) and the transport's (a realistic fetch).
#pragma once

#include "cluster/peer_messages.h"

namespace sluice::cluster::testing {

// Follower n2 asks for shard 3 of "orders" from offset 42.
inline FetchRequest ExampleRequest() {
  FetchRequest q;
  q.shard = {"123456789012", "us-east-1", "orders", 1765100000000, 3};
  q.follower = "n2";
  q.leader_epoch = 5;
  q.fetch_offset = 42;
  q.durable_end = 40;
  q.last_fetched_epoch = 4;
  q.max_bytes = 1 << 20;
  q.max_wait_ms = 500;
  return q;
}

// The leader answers with records 42 and 43.
inline FetchResponse ExampleResponse() {
  FetchResponse r;
  r.leader_epoch = 5;
  r.high_watermark = 42;
  r.log_start_offset = 0;
  r.log_end_offset = 44;
  r.records.push_back({42, 1765100000123, 5, "k1", "hello"});
  r.records.push_back({43, 1765100000124, 5, "k2", "world"});
  return r;
}

}  // namespace sluice::cluster::testing
