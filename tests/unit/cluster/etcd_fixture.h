// A test with an etcd of its own (etcd_process.h), started before each test,
// and a client of it; and polling with a deadline for what the cluster's
// threads do.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <memory>
#include <thread>

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

class EtcdFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    Status started = etcd_.Start();
    ASSERT_TRUE(started.ok()) << started.ToString();
    EtcdOptions options;
    options.endpoints = {etcd_.endpoint()};
    Result<std::unique_ptr<EtcdClient>> client = EtcdClient::Create(options);
    ASSERT_TRUE(client.ok()) << client.status().ToString();
    client_ = std::move(client).value();
  }

  EtcdProcess etcd_;
  std::unique_ptr<EtcdClient> client_;
};

}  // namespace sluice::cluster::testing
