// RequestForwarder: gateway::Forwarder over the HTTP client, for cluster
// mode's forwarding of data-plane calls to the shard's leader. Calls wait
// in a bounded queue for one of a few worker threads, each of which sends
// one request at a time on a pooled keep-alive connection to the node
// (http::HttpClient), so an event loop never waits on another node and a
// slow node holds at most the workers, not the server.
//
// Threading: Forward from any thread; `done` runs on a worker, or inline
// when the call is refused (a full queue: ServiceUnavailable; stopped:
// Cancelled). Stop() (and the destructor) answers every queued call with
// Cancelled and joins the workers: call it once the server takes no more
// requests and before what the callbacks reach (the gateway) goes.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "auth/peer_signature.h"
#include "gateway/forwarder.h"
#include "http/http_client.h"

namespace sluice::cluster {

struct ForwarderOptions {
  int threads = 8;
  // Calls waiting for a worker; more are refused with ServiceUnavailable.
  size_t max_queued = 4096;
  // Per call: connecting, sending and each wait for answer bytes.
  int64_t timeout_ms = 10000;
  // With a signer (cluster mode under --auth), every call is signed as a
  // peer's, acting as the request's account and region.
  std::shared_ptr<const auth::PeerSigner> signer;
};

class RequestForwarder final : public gateway::Forwarder {
 public:
  explicit RequestForwarder(ForwarderOptions options = {});
  ~RequestForwarder() override;
  // Idempotent.
  void Stop();
  RequestForwarder(const RequestForwarder&) = delete;
  RequestForwarder& operator=(const RequestForwarder&) = delete;

  void Forward(const std::string& address, gateway::ForwardedRequest request,
               std::function<void(Result<gateway::ForwardedResponse>)> done) override;

  // Calls forwarded and answered by the other node, and those that failed.
  uint64_t forwarded() const;
  uint64_t failed() const;

 private:
  struct Call {
    std::string address;
    gateway::ForwardedRequest request;
    std::function<void(Result<gateway::ForwardedResponse>)> done;
  };

  void Work();
  Result<gateway::ForwardedResponse> Send(const Call& call);
  Result<std::shared_ptr<http::HttpClient>> ClientFor(const std::string& address);

  const ForwarderOptions options_;
  mutable std::mutex mu_;
  std::condition_variable ready_;
  std::deque<Call> queue_;
  bool stopping_ = false;
  std::map<std::string, std::shared_ptr<http::HttpClient>> clients_;
  uint64_t forwarded_ = 0;
  uint64_t failed_ = 0;
  std::vector<std::thread> workers_;
};

}  // namespace sluice::cluster
