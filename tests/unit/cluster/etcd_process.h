// A real etcd for tests: Debian's `etcd` binary started on free loopback
// ports with a data directory of its own (never the system's service or its
// default ports), healthy before Start returns, killed at the end.
#pragma once

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "http/http_client.h"
#include "util/clock.h"
#include "util/status.h"

namespace sluice::cluster::testing {

// A port nothing listens on now (the kernel's choice for port 0).
inline uint16_t FreePort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

class EtcdProcess {
 public:
  static constexpr int64_t kStartDeadlineMs = 15000;
  static constexpr int64_t kStopDeadlineMs = 5000;

  EtcdProcess() : EtcdProcess("test", FreePort()) {}
  // A member named `name` whose peer port is `peer_port`; the others of its
  // cluster are named with set_initial_cluster before Start.
  EtcdProcess(std::string name, uint16_t peer_port) : name_(std::move(name)), peer_port_(peer_port) {
    char tmpl[] = "/tmp/sluice-etcd-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    client_port_ = FreePort();
    initial_cluster_ = PeerEntry();
  }
  // "name=http://127.0.0.1:port", this member's part of --initial-cluster.
  std::string PeerEntry() const { return name_ + "=http://127.0.0.1:" + std::to_string(peer_port_); }
  void set_initial_cluster(std::string members) { initial_cluster_ = std::move(members); }
  ~EtcdProcess() {
    Stop();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  EtcdProcess(const EtcdProcess&) = delete;
  EtcdProcess& operator=(const EtcdProcess&) = delete;

  // Starts etcd (again, on the same ports and data) and polls /health until
  // it answers true. Errors: InvalidArgument when there is no etcd binary,
  // TimedOut with etcd's log when it does not become healthy in time.
  Status Start() {
    if (::access("/usr/bin/etcd", X_OK) != 0) {
      return Status::InvalidArgument("no /usr/bin/etcd: install Debian's etcd-server (scripts/bootstrap)");
    }
    const std::string client = "http://127.0.0.1:" + std::to_string(client_port_);
    const std::string peer = "http://127.0.0.1:" + std::to_string(peer_port_);
    const std::string log = dir_ + "/etcd.log";
    const std::string data = dir_ + "/data";
    // Short election timeouts, as tests of a member's loss want; every string
    // is made before fork (the child of a threaded process only execs).
    const char* argv[] = {"etcd",
                          "--name",
                          name_.c_str(),
                          "--data-dir",
                          data.c_str(),
                          "--listen-client-urls",
                          client.c_str(),
                          "--advertise-client-urls",
                          client.c_str(),
                          "--listen-peer-urls",
                          peer.c_str(),
                          "--initial-advertise-peer-urls",
                          peer.c_str(),
                          "--initial-cluster",
                          initial_cluster_.c_str(),
                          "--heartbeat-interval",
                          "50",
                          "--election-timeout",
                          "500",
                          "--log-level",
                          "warn",
                          nullptr};
    pid_ = ::fork();
    if (pid_ == 0) {
      const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
      ::dup2(fd, 1);
      ::dup2(fd, 2);
      ::setpgid(0, 0);
      ::execv("/usr/bin/etcd", const_cast<char* const*>(argv));
      ::_exit(127);
    }
    http::ClientOptions options;
    options.url = client;
    options.timeout_ms = 1000;
    Result<std::shared_ptr<http::HttpClient>> http = http::MakeHttpClient(options);
    if (!http.ok()) return http.status();
    const int64_t deadline = MonotonicMillis() + kStartDeadlineMs;
    while (MonotonicMillis() < deadline) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return Status::Internal("etcd exited at start; its log:\n" + Log());
      }
      http::Request health;
      health.target = "/health";
      Result<http::Response> r = (*http)->Send(health);
      if (r.ok() && r->status == 200 && r->body.find("\"true\"") != std::string::npos) return Status::Ok();
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return Status::TimedOut("etcd not healthy within " + std::to_string(kStartDeadlineMs) + " ms; its log:\n" + Log());
  }

  // SIGTERM, then SIGKILL after the deadline.
  void Stop() {
    if (pid_ > 0) ::kill(pid_, SIGCONT);  // a paused one too
    Signal(SIGTERM, kStopDeadlineMs);
  }
  void Kill9() { Signal(SIGKILL, kStopDeadlineMs); }
  // SIGSTOP: it keeps its connections and answers nothing, as a hung or cut
  // off member; Resume (SIGCONT) goes on.
  void Pause() {
    if (pid_ > 0) ::kill(pid_, SIGSTOP);
  }
  void Resume() {
    if (pid_ > 0) ::kill(pid_, SIGCONT);
  }

  // "127.0.0.1:port" of its client URL.
  std::string endpoint() const { return "127.0.0.1:" + std::to_string(client_port_); }
  std::string Log() const {
    std::ifstream in(dir_ + "/etcd.log");
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }

 private:
  void Signal(int sig, int64_t deadline_ms) {
    if (pid_ <= 0) return;
    ::kill(pid_, sig);
    const int64_t deadline = MonotonicMillis() + deadline_ms;
    int status = 0;
    while (::waitpid(pid_, &status, WNOHANG) == 0) {
      if (MonotonicMillis() >= deadline) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, &status, 0);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    pid_ = -1;
  }

  std::string name_;
  uint16_t peer_port_ = 0;
  std::string dir_;
  uint16_t client_port_ = 0;
  std::string initial_cluster_;
  pid_t pid_ = -1;
};

// `count` members of one etcd cluster on free ports ("m1", "m2", ...).
class EtcdCluster {
 public:
  explicit EtcdCluster(size_t count) {
    std::string initial;
    for (size_t i = 1; i <= count; ++i) {
      members_.push_back(std::make_unique<EtcdProcess>("m" + std::to_string(i), FreePort()));
      initial += (initial.empty() ? "" : ",") + members_.back()->PeerEntry();
    }
    for (auto& m : members_) m->set_initial_cluster(initial);
  }

  // Starts every member at once (each is healthy only once a quorum has
  // formed). Errors: the first member's that fails to start.
  Status Start() {
    std::vector<std::thread> starting;
    std::vector<Status> started(members_.size());
    for (size_t i = 0; i < members_.size(); ++i) starting.emplace_back([&, i] { started[i] = members_[i]->Start(); });
    for (std::thread& t : starting) t.join();
    for (const Status& s : started) {
      if (!s.ok()) return s;
    }
    return Status::Ok();
  }

  EtcdProcess& member(size_t i) { return *members_[i]; }
  std::vector<std::string> endpoints() const {
    std::vector<std::string> out;
    for (const auto& m : members_) out.push_back(m->endpoint());
    return out;
  }

 private:
  std::vector<std::unique_ptr<EtcdProcess>> members_;
};

}  // namespace sluice::cluster::testing
