// A watch on a key prefix, on a thread of its own: every change from a
// revision on, in revision order, across etcd restarts and endpoint changes.
//
// The thread opens the gateway's watch stream (POST /v3/watch) from
// `from_revision` and hands each message's events to `on_events`. When the
// stream ends (etcd stopped, the connection reset, an endpoint down) it opens
// it again, on the next endpoint, from the revision after the last event it
// delivered (before any: after the revision the first stream started at), waiting 100 ms doubling to 1 s between
// attempts: no event is lost or delivered twice while etcd keeps that history. When etcd no longer has it (compacted
// past the revision the watch needs), the events in between are gone: with `on_compacted`, the watch calls it (the
// caller reads the range again and applies it whole) and goes on from the revision after the one it returns,
// retrying it with the same waits while it fails; without, the watch ends and `on_error` gets InvalidArgument naming
// the compacted revision.
//
// Threading: the callbacks run on the watch's thread, one at a time; they
// must not destroy the watch. Destroying it (or Stop) ends the thread within
// about 100 ms.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "cluster/etcd_client.h"
#include "util/status.h"

namespace sluice::cluster {

struct WatchOptions {
  std::string prefix;         // "" watches every key
  int64_t from_revision = 0;  // 0: changes after now
  std::function<void(const std::vector<WatchEvent>& events)> on_events;
  std::function<void(const Status& error)> on_error;  // optional
  // Optional: reads the state under `prefix` again and returns the revision
  // it reflects.
  std::function<Result<int64_t>()> on_compacted;
};

class EtcdWatch {
 public:
  // Starts the thread. `client` must outlive the watch.
  EtcdWatch(EtcdClient& client, WatchOptions options);
  ~EtcdWatch();
  EtcdWatch(const EtcdWatch&) = delete;
  EtcdWatch& operator=(const EtcdWatch&) = delete;

  void Stop();
  // The revision of the last event delivered (0 before the first).
  int64_t last_revision() const { return last_revision_.load(); }
  // The revision a reopened stream would start at: 0 until the first stream
  // of a watch "from now" is created.
  int64_t next_revision() const { return next_revision_.load(); }
  // Streams opened so far (1 after the first; each reconnect adds one).
  int64_t streams_opened() const { return streams_opened_.load(); }
  // Times on_compacted read the state again.
  int64_t resyncs() const { return resyncs_.load(); }

 private:
  void Run();

  EtcdClient& client_;
  const WatchOptions options_;
  std::atomic<bool> stop_{false};
  std::atomic<int64_t> last_revision_{0};
  std::atomic<int64_t> streams_opened_{0};
  std::atomic<int64_t> next_revision_{0};
  std::atomic<int64_t> resyncs_{0};
  std::thread thread_;
};

}  // namespace sluice::cluster
