// An etcd v3 client over etcd's JSON gateway (`POST /v3/kv/range` and the
// rest, as etcd 3.4 serves them next to gRPC on its client port), on the
// project's own HTTP client: no gRPC library. Keys and values are bytes here;
// on the wire they are base64 and 64-bit numbers are JSON strings
// (docs/cluster.md, "etcd's JSON gateway").
//
// Endpoints and deadlines: every call has one deadline (options.call_timeout_ms)
// over all its attempts. An attempt goes to the endpoint that answered last;
// when it cannot connect, times out (options.attempt_timeout_ms), or etcd
// answers that it is unavailable (HTTP 503, gRPC codes Unavailable and
// DeadlineExceeded: no leader, quorum lost), the next endpoint is tried, round
// and round until the deadline. The error then names the last endpoint and
// its error. Other answers (a lease that does not exist, a request etcd
// refuses) are returned at once.
//
// Retried writes: a Put or Txn whose answer was lost may have been applied;
// the retry applies it again (a Put is idempotent; a Txn's compare sees the
// first one's result, so callers check what the failure branch read).
//
// Threading: every method may be called from any number of threads.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cluster/etcd_types.h"
#include "http/http_client.h"
#include "util/status.h"

namespace sluice::cluster {

struct EtcdOptions {
  // "host:port" each; at least one.
  std::vector<std::string> endpoints;
  // A whole call, all attempts together.
  int64_t call_timeout_ms = 5000;
  // One attempt on one endpoint (connecting, and each wait for answer bytes).
  int64_t attempt_timeout_ms = 1500;
};

// Parses "etcd://HOST:PORT[,HOST:PORT...]" (the --cluster flag) into endpoints.
// Errors: InvalidArgument naming what is wrong.
Result<std::vector<std::string>> ParseClusterUrl(std::string_view url);

class EtcdClient {
 public:
  // Errors: InvalidArgument (no endpoint, a bad one).
  static Result<std::unique_ptr<EtcdClient>> Create(EtcdOptions options);

  // The key, or nullopt when absent.
  Result<std::optional<KeyValue>> Get(std::string_view key);
  // Keys starting with `prefix` in key order, at most `limit` (0: all).
  Result<RangeResult> GetPrefix(std::string_view prefix, int64_t limit = 0);
  // Returns the store's revision after the put. A `lease` that does not
  // exist (expired) is ResourceNotFound.
  Result<int64_t> Put(std::string_view key, std::string_view value, int64_t lease = 0);
  // Returns how many keys were deleted (0 or 1).
  Result<int64_t> Delete(std::string_view key);
  // All compares hold → `success` runs, else `failure`; atomically.
  Result<TxnResult> Txn(const std::vector<Compare>& compares, const std::vector<TxnOp>& success,
                        const std::vector<TxnOp>& failure);
  // Puts `value` if the key's mod_revision is `expected_mod_revision` (0: the
  // key is absent). On failure, result.kvs holds the key as it is (empty when
  // absent).
  Result<TxnResult> CompareAndSwap(std::string_view key, int64_t expected_mod_revision, std::string_view value,
                                   int64_t lease = 0);

  // Drops the history before `revision` (etcd's compaction): a watch from an
  // earlier revision is refused from then on (etcd_watch.h). For tests and
  // operators; the server never compacts.
  Status Compact(int64_t revision);

  // A lease of `ttl_s` seconds (etcd may raise it to its minimum).
  Result<Lease> GrantLease(int64_t ttl_s);
  // Renews the lease once; returns its TTL, 0 when it no longer exists (expired
  // or revoked). EtcdSession (etcd_session.h) is the loop around it.
  Result<int64_t> KeepAliveOnce(int64_t lease_id);
  // Ends the lease and deletes its keys now. An unknown lease is OK.
  Status RevokeLease(int64_t lease_id);

  // One streaming call for EtcdWatch: POSTs `body` to `path` on the current
  // endpoint and hands the answer body to `sink` until the stream ends,
  // `stop` returns true (Cancelled), or nothing arrives for `idle_timeout_ms`.
  // A failure moves the current endpoint to the next one; when another call
  // moves it (this endpoint did not answer it), the stream ends with
  // ConnectionFailed, so that a stream on a hung member is not left waiting.
  // Errors: ConnectionFailed, TimedOut, BadResponse (a status other than
  // 200), Cancelled.
  Status StreamOnce(std::string_view path, const std::string& body, http::BodySink* sink, const http::StopFn& stop,
                    int64_t idle_timeout_ms);

  const EtcdOptions& options() const { return options_; }

 private:
  struct Endpoint {
    std::string address;
    std::shared_ptr<http::HttpClient> http;
  };
  EtcdClient(EtcdOptions options, std::vector<Endpoint> endpoints);

  // POSTs `body` to `path` with the deadline and endpoint rotation above;
  // returns the 200 answer's body, or etcd's error as a Status.
  Result<std::string> Call(std::string_view path, const std::string& body);

  const EtcdOptions options_;
  std::vector<Endpoint> endpoints_;
  std::atomic<size_t> current_{0};
};

// The smallest key greater than every key starting with `prefix` (etcd's
// range_end for a prefix); "\0" for an empty prefix (every key).
std::string PrefixEnd(std::string_view prefix);

}  // namespace sluice::cluster
