// A test with an etcd of its own (etcd_process.h), started before each test,
// and a client of it; and polling with a deadline for what the cluster's
// threads do.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "cluster/etcd_client.h"
#include "cluster/etcd_process.h"
#include "util/clock.h"

namespace sluice::cluster::testing {

inline constexpr int64_t kDeadlineMs = 10000;

// Polls `done` every 20 ms until it holds or the deadline passes.
inline bool Eventually(const std::function<bool()>& done, int64_t timeout_ms = kDeadlineMs) {
  const int64_t deadline = MonotonicMillis() + timeout_ms;
  while (!done()) {
    if (MonotonicMillis() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

// A client of `endpoints`, each call `call_ms` at most, each attempt 1 s.
inline std::unique_ptr<EtcdClient> MakeClient(std::vector<std::string> endpoints, int64_t call_ms = 5000) {
  EtcdOptions options;
  options.endpoints = std::move(endpoints);
  options.call_timeout_ms = call_ms;
  options.attempt_timeout_ms = 1000;
  Result<std::unique_ptr<EtcdClient>> client = EtcdClient::Create(options);
  EXPECT_TRUE(client.ok()) << client.status().ToString();
  return client.ok() ? std::move(client).value() : nullptr;
}

class EtcdFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    Status started = etcd_.Start();
    ASSERT_TRUE(started.ok()) << started.ToString();
    client_ = MakeClient({etcd_.endpoint()});
    ASSERT_NE(client_, nullptr);
  }

  EtcdProcess etcd_;
  std::unique_ptr<EtcdClient> client_;
};

}  // namespace sluice::cluster::testing
