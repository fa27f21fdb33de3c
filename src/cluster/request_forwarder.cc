#include "cluster/request_forwarder.h"

#include <utility>

#include "cluster/peer_signing.h"
#include "util/log.h"
#include "util/rate_limiter.h"

namespace sluice::cluster {

RequestForwarder::RequestForwarder(ForwarderOptions options) : options_(options) {
  const int threads = options_.threads > 0 ? options_.threads : 1;
  workers_.reserve(static_cast<size_t>(threads));
  for (int i = 0; i < threads; ++i) workers_.emplace_back([this] { Work(); });
}

RequestForwarder::~RequestForwarder() { Stop(); }

void RequestForwarder::Stop() {
  std::deque<Call> left;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_ && workers_.empty()) return;
    stopping_ = true;
    left.swap(queue_);
  }
  ready_.notify_all();
  for (std::thread& t : workers_) t.join();
  workers_.clear();
  for (Call& call : left) call.done(Status(ErrorCode::kCancelled, "the server is stopping"));
}

void RequestForwarder::Forward(const std::string& address, gateway::ForwardedRequest request,
                               std::function<void(Result<gateway::ForwardedResponse>)> done) {
  std::unique_lock<std::mutex> lock(mu_);
  if (stopping_) {
    lock.unlock();
    return done(Status(ErrorCode::kCancelled, "the server is stopping"));
  }
  if (queue_.size() >= options_.max_queued) {
    ++failed_;
    lock.unlock();
    // Refused at once, holding nothing: a full queue means the other nodes
    // are not keeping up, and waiting behind it would only add to it.
    return done(Status(ErrorCode::kServiceUnavailable, "too many calls are waiting to be forwarded to " + address));
  }
  queue_.push_back(Call{address, std::move(request), std::move(done)});
  lock.unlock();
  ready_.notify_one();
}

void RequestForwarder::Work() {
  for (;;) {
    Call call;
    {
      std::unique_lock<std::mutex> lock(mu_);
      ready_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;
      call = std::move(queue_.front());
      queue_.pop_front();
    }
    Result<gateway::ForwardedResponse> answer = Send(call);
    {
      std::lock_guard<std::mutex> lock(mu_);
      ++(answer.ok() ? forwarded_ : failed_);
    }
    if (!answer.ok()) {
      static RateLimiter log_limit;
      if (uint64_t suppressed; log_limit.Allow(&suppressed)) {
        log::Warn("forwarding a call to the shard's leader at {} failed: {} ({} more since the last such line)",
                  call.address, answer.status().ToString(), suppressed);
      }
    }
    call.done(std::move(answer));
  }
}

Result<std::shared_ptr<http::HttpClient>> RequestForwarder::ClientFor(const std::string& address) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = clients_.find(address);
  if (it != clients_.end()) return it->second;
  http::ClientOptions options;
  options.url = "http://" + address;
  options.timeout_ms = options_.timeout_ms;
  options.max_idle_connections = static_cast<size_t>(options_.threads);
  SLUICE_ASSIGN_OR_RETURN(std::shared_ptr<http::HttpClient> client, http::MakeHttpClient(options));
  clients_.emplace(address, client);
  return client;
}

Result<gateway::ForwardedResponse> RequestForwarder::Send(const Call& call) {
  SLUICE_ASSIGN_OR_RETURN(std::shared_ptr<http::HttpClient> client, ClientFor(call.address));
  http::Request request;
  request.method = call.request.method;
  request.target = call.request.target;
  for (const auto& [name, value] : call.request.headers) request.headers.emplace_back(name, value);
  request.body = call.request.body;
  if (options_.signer) SignPeerRequest(*options_.signer, call.request.account, call.request.region, request);
  SLUICE_ASSIGN_OR_RETURN(http::Response response, client->Send(request));
  gateway::ForwardedResponse out;
  out.status = response.status;
  for (auto& [name, value] : response.headers) out.headers.emplace_back(std::move(name), std::move(value));
  out.body = std::move(response.body);
  return out;
}

uint64_t RequestForwarder::forwarded() const {
  std::lock_guard<std::mutex> lock(mu_);
  return forwarded_;
}

uint64_t RequestForwarder::failed() const {
  std::lock_guard<std::mutex> lock(mu_);
  return failed_;
}

}  // namespace sluice::cluster
