// Fault injection: rules, by operation and stream, that make calls fail with
// a chosen error, answer late, or lose their connection, so applications can
// test their retries and time-outs. Off unless rules are set (`--faults
// FILE` at start, or the admin endpoint at run time).
//
// Rules document (JSON):
//   {"rules": [{
//      "operation": "PutRecords",          optional; absent or "*": every operation
//      "stream": "orders",                 optional; absent or "*": any stream (or none)
//      "error": "ProvisionedThroughputExceededException",
//      "error_rate": 0.25,                 share of matching calls that fail (0..1)
//      "message": "...",                   optional; else the service's wording
//      "record_error_rate": 0.1,           PutRecords: share of records failed with "error"
//      "latency_ms": 200,                  fixed, or {"distribution": "uniform", "min": 10, "max": 300},
//                                          {"distribution": "exponential", "mean": 50},
//                                          {"distribution": "normal", "mean": 100, "stddev": 20}
//      "drop_rate": 0.05,                  share of matching calls whose connection is dropped
//      "drop_when": "before",              "before" the call is applied (default) or "after"
//      "seed": 42                          optional; else one is chosen and reported
//   }]}
// The first rule that matches a call decides for it. Each rule draws from
// its own generator, seeded with its seed, the same number of draws for
// every call it matches: the same calls in the same order meet the same
// faults, so a failing test can be replayed.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"
#include "util/timer_queue.h"

namespace sluice::api {

// What a call meets.
struct FaultDecision {
  std::optional<Status> error;  // answer this instead of calling the operation
  int64_t delay_ms = 0;         // answer this much later
  bool drop_before = false;     // drop the connection, the call not applied
  bool drop_after = false;      // apply the call, then drop the connection
  // PutRecords: fail each record with `record_error` at this rate (drawn
  // through record_draws).
  double record_error_rate = 0;
  std::optional<Status> record_error;
  std::vector<double> record_draws;  // one uniform draw per record, in order, when record_error_rate > 0

  bool any() const { return error || delay_ms > 0 || drop_before || drop_after || record_error_rate > 0; }
};

class FaultInjector {
 public:
  FaultInjector();
  ~FaultInjector();

  // Replaces every rule with those of `json`. InvalidArgument (naming the
  // rule and member) when the document is not valid; the rules in force
  // then stay.
  Status Replace(std::string_view json);
  // Removes every rule.
  void Clear();
  // The rules in force, as a document Replace accepts (seeds filled in).
  std::string Describe() const;
  // Whether any rule is set (one atomic load).
  bool active() const;

  // The decision for one call of `operation` on `stream` ("" when the call
  // names none) by `account`; `records` is the number of PutRecords entries
  // (0 otherwise).
  FaultDecision Decide(std::string_view operation, std::string_view stream, std::string_view account, size_t records);

  // Runs `fn` `delay_ms` from now on the injector's timer thread (started on
  // first use): the added latency holds no worker. After Stop(), runs `fn`
  // at once on the caller's thread.
  void RunAfter(int64_t delay_ms, std::function<void()> fn);
  // Runs every delayed answer still queued now and stops the timer thread.
  // The server calls it before it stops serving: a delayed answer calls
  // into the gateway, which must not be gone by then.
  void Stop();

 private:
  struct Rule;
  std::mutex timer_mu_;
  std::unique_ptr<TimerQueue> timers_;  // guarded by timer_mu_
  bool stopped_ = false;                // guarded by timer_mu_
  mutable std::mutex mu_;
  std::vector<std::unique_ptr<Rule>> rules_;  // guarded by mu_
  std::atomic<bool> active_{false};
};

}  // namespace sluice::api
