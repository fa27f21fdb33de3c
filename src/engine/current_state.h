// Control-plane calls evaluated against a shared catalogue's current state
// (cluster mode, docs/cluster.md "Metadata").
//
// A node evaluates a call against the metadata it holds, which may lag a
// change another node made and answered a moment ago: the node's save is
// then refused by the catalogue's compare-and-swap, or the call is refused
// for a state the stream has already left (a consumer or tag not yet seen
// here, a stream deleted elsewhere). A client that waits for one node's
// answer and then calls another must not see that. So when a call fails with
// an answer the stream's state decides, the node reads the stream's current
// record from the catalogue, applies it (as the watch would, and once: the
// watch's later delivery of it is skipped) and evaluates the call again; at
// most kCurrentStateAttempts times in all, after which the last answer
// stands (ResourceInUse "... try again." while other nodes keep changing the
// stream). Concurrent changes stay linearizable: every evaluation is checked
// against the record it saw, and limits (tag counts, quotas) against the
// current one. A sequential call is evaluated again at once; from the second
// refusal on (nodes changing the stream at the same time) the node first
// waits a random few milliseconds, so that the contenders spread out rather
// than refuse each other in step.
//
// With a local catalogue (a single node) nothing is read again: the first
// answer stands, and no lock is taken that was not before.
#pragma once

#include <mutex>

#include "engine/stream_table.h"
#include "util/status.h"

namespace sluice::engine {

inline constexpr int kCurrentStateAttempts = 8;

// Whether a call on the stream `key` that answered `answer` on its
// `attempt`-th evaluation should be evaluated again: the answer is one the
// stream's state decides (ResourceInUse, ResourceNotFound, InvalidArgument,
// LimitExceeded), and the shared catalogue held a newer record of the
// stream, now applied. From the second attempt on, waits up to 5 ms per
// attempt (random) first. A failure to read or apply it is logged, and
// false. Caller holds control_mu().
bool RefreshedAfterLocked(StreamTable& table, const StreamKey& key, const Status& answer, int attempt);

inline Status StatusOf(const Status& s) { return s; }
template <class T>
Status StatusOf(const Result<T>& r) {
  return r.status();
}

// Runs `attempt` (a change of the stream `key`, returning Status or
// Result<T>), and again while RefreshedAfterLocked, at most
// kCurrentStateAttempts times; returns its last answer. `attempt` must leave
// nothing changed when it fails. Caller holds control_mu().
template <class F>
auto ChangeCurrentLocked(StreamTable& table, const StreamKey& key, F&& attempt) {
  for (int tries = 1;; ++tries) {
    auto answer = attempt();
    if (tries == kCurrentStateAttempts || !RefreshedAfterLocked(table, key, StatusOf(answer), tries)) return answer;
  }
}

// Runs `read` (a read of the stream `key`, made without the control lock);
// when it answers ResourceNotFound and the catalogue is shared, brings the
// stream up to date under the control lock and reads once more (also when
// the refresh found nothing newer: the watch may have applied it since the
// first read). So a stream or consumer created through another node is
// found as soon as that node has answered.
template <class F>
auto ReadCurrent(StreamTable& table, const StreamKey& key, F&& read) {
  auto answer = read();
  if (StatusOf(answer).code() != ErrorCode::kResourceNotFound || !table.shared_catalog()) return answer;
  {
    std::lock_guard control(table.control_mu());
    (void)RefreshedAfterLocked(table, key, StatusOf(answer), 1);
  }
  return read();
}

}  // namespace sluice::engine
