#include "server/server.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <memory>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "server/event_loop.h"
#include "server/listener.h"
#include "server/server_context.h"
#include "server/unique_fd.h"
#include "util/log.h"

namespace sluice::server {
namespace {

Result<int> Duplicate(int fd) {
  int copy = fcntl(fd, F_DUPFD_CLOEXEC, 0);
  if (copy < 0) return Status::IoError(fmt::format("cannot duplicate the listening socket: {}", std::strerror(errno)));
  return copy;
}

}  // namespace

class Server::Impl {
 public:
  Impl(const ServerOptions& options, Handler handler) : context_{options, std::move(handler), nullptr, {}} {}

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
    // One listening socket per port, shared by every loop (each holds its
    // own duplicate of the descriptor and closes it when it drains).
    SLUICE_ASSIGN_OR_RETURN(int fd, OpenListener(context_.options.host, context_.options.port));
    UniqueFd plain(fd);
    SLUICE_ASSIGN_OR_RETURN(port_, BoundPort(plain.get()));
    tls_port_ = tls.enabled ? port_ : 0;
    UniqueFd tls_only;
    if (tls.enabled && tls.separate_port) {
      SLUICE_ASSIGN_OR_RETURN(int tls_fd, OpenListener(context_.options.host, tls.port));
      tls_only = UniqueFd(tls_fd);
      SLUICE_ASSIGN_OR_RETURN(tls_port_, BoundPort(tls_only.get()));
    }
    for (int i = 0; i < threads; ++i) {
      SLUICE_ASSIGN_OR_RETURN(int loop_fd, Duplicate(plain.get()));
      int loop_tls_fd = -1;
      if (tls_only.get() >= 0) {
        auto duplicated = Duplicate(tls_only.get());
        if (!duplicated.ok()) {
          ::close(loop_fd);
          return duplicated.status();
        }
        loop_tls_fd = *duplicated;
      }
      loops_.push_back(std::make_unique<EventLoop>(context_, loop_fd, loop_tls_fd));
    }
    std::vector<EventLoop*> siblings;
    for (auto& loop : loops_) siblings.push_back(loop.get());
    for (auto& loop : loops_) loop->SetSiblings(siblings);
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
