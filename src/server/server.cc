#include "server/server.h"

#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "server/event_loop.h"
#include "server/listener.h"
#include "server/server_context.h"
#include "util/log.h"

namespace sluice::server {

class Server::Impl {
 public:
  Impl(const ServerOptions& options, Handler handler) : context_{options, std::move(handler), nullptr} {}

  ~Impl() { Shutdown(0); }

  OpenConnections Connections() const {
    const ConnectionGauges& g = context_.connections;
    return {g.http1.load(std::memory_order_relaxed), g.http1_tls.load(std::memory_order_relaxed),
            g.http2.load(std::memory_order_relaxed), g.http2_tls.load(std::memory_order_relaxed)};
  }

  Status Bind() {
    const TlsOptions& tls = context_.options.tls;
    if (tls.enabled) {
      SLUICE_ASSIGN_OR_RETURN(context_.tls, TlsContext::Create(tls.cert_pem, tls.key_pem));
    }
    int threads = context_.options.threads < 1 ? 1 : context_.options.threads;
    uint16_t port = context_.options.port;
    uint16_t tls_port = tls.port;
    bool separate = tls.enabled && tls.separate_port;
    for (int i = 0; i < threads; ++i) {
      // With port 0 the first bind picks the port and the rest share it.
      SLUICE_ASSIGN_OR_RETURN(int fd, OpenListener(context_.options.host, port));
      if (i == 0) {
        auto bound = BoundPort(fd);
        if (!bound.ok()) {
          ::close(fd);
          return bound.status();
        }
        port = *bound;
        port_ = port;
        tls_port_ = tls.enabled ? port : 0;
      }
      int tls_fd = -1;
      if (separate) {
        auto opened = OpenListener(context_.options.host, tls_port);
        if (!opened.ok()) {
          ::close(fd);
          return opened.status();
        }
        tls_fd = *opened;
        if (i == 0) {
          auto bound = BoundPort(tls_fd);
          if (!bound.ok()) {
            ::close(fd);
            ::close(tls_fd);
            return bound.status();
          }
          tls_port = *bound;
          tls_port_ = tls_port;
        }
      }
      loops_.push_back(std::make_unique<EventLoop>(context_, fd, tls_fd));
    }
    return Status::Ok();
  }

  uint16_t port() const { return port_; }
  uint16_t tls_port() const { return tls_port_; }

  void Start() {
    std::lock_guard lock(lifecycle_mu_);
    if (started_ || stopped_) return;
    started_ = true;
    for (auto& loop : loops_) threads_.emplace_back([l = loop.get()] { l->Run(); });
  }

  void Shutdown(int64_t drain_ms) {
    std::lock_guard lock(lifecycle_mu_);
    if (stopped_) return;
    stopped_ = true;
    if (started_) {
      Drain(drain_ms);
      for (auto& loop : loops_) {
        loop->mailbox()->Post([l = loop.get()] { l->Stop(); });
      }
      for (auto& t : threads_) t.join();
      threads_.clear();
    }
    loops_.clear();
  }

 private:
  // Asks every loop to drain and waits until all report no connections left,
  // or until `drain_ms` passed.
  void Drain(int64_t drain_ms) {
    // Shared with the loops: a loop may report after we stopped waiting.
    struct DrainState {
      std::mutex mu;
      std::condition_variable cv;
      size_t drained = 0;
    };
    auto state = std::make_shared<DrainState>();
    for (auto& loop : loops_) {
      loop->mailbox()->Post([state, l = loop.get()] {
        l->BeginDrain([state] {
          std::lock_guard lock(state->mu);
          ++state->drained;
          state->cv.notify_all();
        });
      });
    }
    std::unique_lock lock(state->mu);
    size_t total = loops_.size();
    bool all = state->cv.wait_for(lock, std::chrono::milliseconds(drain_ms < 0 ? 0 : drain_ms),
                                  [&] { return state->drained == total; });
    if (!all) log::Warn("shutdown: drain time of {} ms passed; closing remaining connections", drain_ms);
  }

  ServerContext context_;
  std::vector<std::unique_ptr<EventLoop>> loops_;
  std::vector<std::thread> threads_;
  std::mutex lifecycle_mu_;
  bool started_ = false;
  bool stopped_ = false;
  uint16_t port_ = 0;
  uint16_t tls_port_ = 0;
};

Result<std::unique_ptr<Server>> Server::Create(const ServerOptions& options, Handler handler) {
  auto impl = std::make_unique<Impl>(options, std::move(handler));
  SLUICE_RETURN_IF_ERROR(impl->Bind());
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Server::~Server() { Shutdown(0); }

uint16_t Server::port() const { return impl_->port(); }
uint16_t Server::tls_port() const { return impl_->tls_port(); }
void Server::Start() { impl_->Start(); }
void Server::Shutdown(int64_t drain_ms) { impl_->Shutdown(drain_ms); }
OpenConnections Server::Connections() const { return impl_->Connections(); }

}  // namespace sluice::server
