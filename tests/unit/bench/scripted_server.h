// A scripted HTTP/1.1 server on 127.0.0.1 for the bench tests: one thread
// per accepted connection, blocking I/O, each request handed to a callback.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "bench/load_loop.h"

namespace sluice::bench {

inline bool SendAll(int fd, std::string_view s) {
  while (!s.empty()) {
    ssize_t n = ::send(fd, s.data(), s.size(), MSG_NOSIGNAL);
    if (n <= 0) return false;
    s.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

inline std::string Ok(std::string_view body, std::string_view extra_headers = "") {
  return "HTTP/1.1 200 OK\r\n" + std::string(extra_headers) + "Content-Length: " + std::to_string(body.size()) +
         "\r\n\r\n" + std::string(body);
}

struct ScriptedRequest {
  int number = 0;    // across all connections, from 0
  std::string head;  // request line and headers
  std::string body;
  // Value of the X-Amz-Target operation ("PutRecords"), or "".
  std::string Operation() const {
    const size_t at = head.find("Kinesis_20131202.");
    if (at == std::string::npos) return "";
    const size_t end = head.find("\r\n", at);
    return head.substr(at + 17, end - at - 17);
  }
};

// Answers each request by calling `respond(fd, request)`, which writes
// whatever it likes and returns false to close the connection.
class ScriptedServer {
 public:
  using Respond = std::function<bool(int fd, const ScriptedRequest& request)>;

  explicit ScriptedServer(Respond respond) : respond_(std::move(respond)) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    EXPECT_EQ(::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
    EXPECT_EQ(::listen(listen_fd_, 64), 0);
    socklen_t len = sizeof(addr);
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    acceptor_ = std::thread([this] { AcceptLoop(); });
  }

  ~ScriptedServer() {
    ::shutdown(listen_fd_, SHUT_RDWR);
    acceptor_.join();
    ::close(listen_fd_);
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& t : workers_) t.join();
  }

  Endpoint endpoint() const {
    Result<Endpoint> ep = ParseEndpoint("http://127.0.0.1:" + std::to_string(port_));
    EXPECT_TRUE(ep.ok()) << ep.status().ToString();
    return ep.ok() ? *ep : Endpoint{};
  }
  int accepted() const { return accepted_.load(); }

 private:
  void AcceptLoop() {
    for (int i = 0; i < 1000; ++i) {  // bounded: no test opens this many
      int fd = ::accept(listen_fd_, nullptr, nullptr);
      if (fd < 0) return;
      int one = 1;  // responses written in pieces must not wait for delayed ACKs
      ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
      ++accepted_;
      std::lock_guard<std::mutex> lock(mu_);
      workers_.emplace_back([this, fd] { Serve(fd); });
    }
  }

  void Serve(int fd) {
    std::string in;
    char buf[4096];
    for (;;) {
      size_t head_end;
      while ((head_end = in.find("\r\n\r\n")) == std::string::npos) {
        ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
        if (n <= 0) return (void)::close(fd);
        in.append(buf, static_cast<size_t>(n));
      }
      size_t length = 0;
      size_t cl = in.find("Content-Length: ");
      if (cl != std::string::npos && cl < head_end) length = std::stoul(in.substr(cl + 16));
      while (in.size() < head_end + 4 + length) {
        ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
        if (n <= 0) return (void)::close(fd);
        in.append(buf, static_cast<size_t>(n));
      }
      ScriptedRequest request;
      request.number = requests_++;
      request.head = in.substr(0, head_end);
      request.body = in.substr(head_end + 4, length);
      in.erase(0, head_end + 4 + length);
      if (!respond_(fd, request)) return (void)::close(fd);
    }
  }

  Respond respond_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<int> requests_{0};
  std::atomic<int> accepted_{0};
  std::thread acceptor_;
  std::mutex mu_;
  std::vector<std::thread> workers_;
};

}  // namespace sluice::bench
