// SubscriptionRelay: SubscribeToShard served by a node that does not lead
// the shard, in cluster mode. The client's event stream stays on this node;
// the records come from the shard's current leader by the calls a client
// would make, GetShardIterator then GetRecords, answered as this node's API
// answers them (forwarded to the leader, or here when this node leads the
// shard again). Each answer becomes one SubscribeToShardEvent with the
// fields a local subscription sends (engine/subscriptions.h): Records,
// ContinuationSequenceNumber, MillisBehindLatest, and ChildShards in an
// event of its own at a closed shard's end.
//
// Continuation. The relay keeps the log offset of the next record to deliver
// (read from each iterator, which every node can decode with the cluster's
// key). Its ContinuationSequenceNumber is the one a local subscription
// would send at that offset: the last delivered record's sequence number, or,
// before any record, the position's own. When a call fails (the leader
// moved, went down, answered an error a retry may cure) the relay drops its
// iterator and, after a backoff (doubling from retry_first_ms to
// retry_max_ms), asks whichever node leads the shard then for an iterator
// AFTER_SEQUENCE_NUMBER of that continuation: no record is delivered twice
// and none is skipped. Before the first iterator it asks for the starting
// position again. Failures for longer than give_up_ms in a row end the
// subscription with InternalFailure; an error a retry cannot cure
// (ResourceNotFound: the stream went away; InvalidArgument) ends it with
// that error.
//
// Takeover: as locally, one relayed subscription per consumer and shard on
// this node: a second within takeover_ms of the first is refused
// (ResourceInUse), a later one replaces it (it ends with ResourceInUse).
//
// Pacing: one call at a time; the next at once after records, after
// idle_poll_ms when the shard had none (an empty event goes out only every
// heartbeat_ms, and first at once, as locally); none while the sink has no
// room (Wake resumes). The subscription ends cleanly at its `expires_ms`.
//
// Threading: steps run on the relays' timer thread and on the threads that
// answer the calls (the forwarder's), one at a time per relay; the sink is
// called from them, one call at a time. Start, Wake and Cancel from any
// thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "api/relay_calls.h"
#include "engine/shard_iterator.h"
#include "engine/subscriptions.h"
#include "gateway/forwarder.h"
#include "util/clock.h"
#include "util/timer_queue.h"

namespace sluice::api {

struct RelayOptions {
  int64_t heartbeat_ms = 5000;   // EngineOptions::subscription_heartbeat_ms
  int64_t idle_poll_ms = 200;    // the next GetRecords after an empty one
  int64_t retry_first_ms = 100;  // the first retry after a failed call
  int64_t retry_max_ms = 2000;   // the longest wait between retries
  int64_t give_up_ms = 30000;    // failing this long in a row ends the subscription
  int64_t takeover_ms = 5000;    // EngineOptions::subscription_takeover_ms
  int records_per_call = 10000;  // GetRecords' Limit
};

// Sends one Kinesis call (a RelayRequest) to the shard's leader, as this
// node's API answers a client's: `done` gets the answer, or the error when
// no node answered. May call `done` inline.
using LeaderCall = std::function<void(gateway::ForwardedRequest request,
                                      std::function<void(Result<gateway::ForwardedResponse>)> done)>;

// Where a relayed subscription starts and until when it runs.
struct RelayStart {
  engine::StreamRef stream;
  int shard_index = 0;
  int64_t shard_created_seconds = 0;  // from the shard's StartingSequenceNumber
  RelayPosition position;             // the SubscribeToShard call's StartingPosition
  int64_t expires_ms = 0;             // the subscription's end, on the relays' clock
  std::string label;                  // the consumer ARN, for logs
};

class SubscriptionRelays;

class SubscriptionRelay final : public engine::Subscription, public std::enable_shared_from_this<SubscriptionRelay> {
 public:
  SubscriptionRelay(SubscriptionRelays* relays, RelayStart start, std::shared_ptr<engine::SubscriptionSink> sink);

  // Asks the leader for the starting position's iterator before the stream
  // opens, so that the position is the call's (LATEST: the end at this
  // call) and its errors are ordinary responses. `ready` gets OK, the
  // leader's error, or InternalFailure when no leader answered. Optional:
  // without it the first step asks.
  void Begin(std::function<void(Status)> ready);

  void Start() override;
  void Wake() override;
  void Cancel() override;

  // Ends the subscription with `status` (a takeover) at its next step.
  void Terminate(Status status);

 private:
  friend class SubscriptionRelays;
  // What the next call is, decided under mu_.
  struct NextCall {
    bool get_iterator = false;
    gateway::ForwardedRequest request;
  };
  void Schedule(int64_t delay_ms);  // caller holds mu_
  void Step(uint64_t token);
  // An iterator answer: the position it names, or the failure. Caller holds mu_.
  Status TakeIterator(Result<gateway::ForwardedResponse> answer);
  void OnIterator(Result<gateway::ForwardedResponse> answer);
  void OnRecords(Result<gateway::ForwardedResponse> answer);
  // A call failed: retry after a backoff, or end. Caller holds mu_.
  void OnFailure(const Status& status);
  // No call follows, and the relays forget it. Caller holds mu_.
  void FinishLocked();
  // FinishLocked, then the sink is told (once). Caller holds mu_.
  void End(const Status& status);
  std::string ContinuationLocked(int64_t record_seconds) const;

  SubscriptionRelays* const relays_;
  const RelayStart start_;
  const std::shared_ptr<engine::SubscriptionSink> sink_;
  int64_t opened_ms_ = 0;              // set by SubscriptionRelays::Open
  std::atomic<bool> finished_{false};  // FinishLocked ran

  std::mutex mu_;
  bool started_ = false;                     // guarded by mu_
  bool cancelled_ = false;                   // guarded by mu_
  bool done_ = false;                        // guarded by mu_: the sink is called no more
  bool in_flight_ = false;                   // guarded by mu_: a call awaits its answer
  bool waiting_for_room_ = false;            // guarded by mu_
  uint64_t timer_token_ = 0;                 // guarded by mu_: only the newest timer steps
  std::optional<std::string> iterator_;      // guarded by mu_
  std::optional<uint64_t> position_;         // guarded by mu_: the next offset to deliver
  int64_t last_record_seconds_ = 0;          // guarded by mu_: the last delivered record's time field
  bool sent_first_ = false;                  // guarded by mu_
  int64_t next_heartbeat_ms_ = 0;            // guarded by mu_
  std::optional<int64_t> failing_since_ms_;  // guarded by mu_
  std::optional<Status> termination_;        // guarded by mu_
  int64_t backoff_ms_ = 0;                   // guarded by mu_
};

// The relays of one server: their calls, timer thread, clock and the
// iterator key. Owned by the Kinesis service; Stop() (and the destructor)
// ends every relay's steps: relays still open then call their sinks no more
// (the server closes their streams first).
class SubscriptionRelays {
 public:
  SubscriptionRelays(LeaderCall call, engine::IteratorCodec codec, RelayOptions options,
                     const Clock& clock = SystemClock::Instance());
  ~SubscriptionRelays();
  SubscriptionRelays(const SubscriptionRelays&) = delete;
  SubscriptionRelays& operator=(const SubscriptionRelays&) = delete;

  // A relayed subscription, delivering to `sink` once Start() is called,
  // registered as the consumer's for the shard. ResourceInUse when
  // `takeover_rule` and another opened less than takeover_ms ago is still
  // running; an older one is replaced. A hand-over (continuing the client's
  // own subscription) passes false.
  Result<std::shared_ptr<SubscriptionRelay>> Open(RelayStart start, std::shared_ptr<engine::SubscriptionSink> sink,
                                                  bool takeover_rule = true);
  void Stop();

  int64_t NowMillis() const { return clock_.NowMillis(); }
  const RelayOptions& options() const { return options_; }

 private:
  friend class SubscriptionRelay;
  bool stopping() const { return stopping_.load(std::memory_order_acquire); }
  void Forget(const std::string& key, const SubscriptionRelay* relay);

  const LeaderCall call_;
  const engine::IteratorCodec codec_;
  const RelayOptions options_;
  const Clock& clock_;
  std::atomic<bool> stopping_{false};
  std::mutex mu_;                                                   // after a relay's own mutex, never before
  std::map<std::string, std::weak_ptr<SubscriptionRelay>> by_key_;  // guarded by mu_: consumer ARN # shard
  TimerQueue timers_;
};

}  // namespace sluice::api
