// Helpers of the tests of the control-plane worker (background_create_test.cc,
// background_reshard_test.cc): a real engine on a real data directory, its
// shard logs opened through a factory that can hold or fail the opens of one
// stream, so a test can look at the engine while the worker is busy.
#pragma once

#include <gtest/gtest.h>

#include <condition_variable>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>

#include "engine/engine.h"
#include "engine/local_shard_store.h"
#include "engine_test_util.h"

namespace sluice::engine::testing {

constexpr int kBig = 8;  // shards of the stream built in the background

// Opens local shard logs; the opens of the stream named `held` wait while
// the gate is closed, and its shard `fail_at` (when >= 0) fails. Set `held`
// and `fail_at` only while no open runs (before the call that opens, or
// after WaitForWorker).
class GatedStores final : public ShardStoreFactory {
 public:
  explicit GatedStores(const storage::LogOptions& o) : local_(o) {}
  Result<std::unique_ptr<ShardStore>> Open(const ShardKey& shard, const std::string& dir) override {
    if (shard.stream.name == held) {
      std::unique_lock lock(mu_);
      ++waiting_;
      changed_.notify_all();
      changed_.wait(lock, [&] { return open_; });
      if (shard.shard_index == fail_at) return Status::IoError("open " + dir + ": Too many open files");
    }
    return local_.Open(shard, dir);
  }
  void Stop() override { local_.Stop(); }
  void AddMetrics(StorageMetrics* out) const override { local_.AddMetrics(out); }

  void Release() {
    std::lock_guard lock(mu_);
    open_ = true;
    changed_.notify_all();
  }
  bool AnyWaiting() {
    std::lock_guard lock(mu_);
    return waiting_ > 0;
  }

  std::string held = "big";
  int fail_at = -1;

 private:
  LocalShardStoreFactory local_;
  std::mutex mu_;
  std::condition_variable changed_;
  bool open_ = false;
  int waiting_ = 0;
};

class BackgroundTest : public ::testing::Test {
 protected:
  std::unique_ptr<Engine> Open(std::shared_ptr<ShardStoreFactory> stores = nullptr, int64_t update_delay_ms = 0,
                               Clock* clock = nullptr) {
    EngineOptions o;
    o.data_dir = dir_.path();
    o.durability = storage::Durability::kOs;
    o.background_min_shards = kBig;
    o.shard_stores = std::move(stores);
    o.update_stream_delay_ms = update_delay_ms;
    o.clock = clock;
    auto e = Engine::Open(o);
    EXPECT_TRUE(e.ok()) << e.status().ToString();
    return e.ok() ? std::move(e).value() : nullptr;
  }
  Status Create(Engine& engine, const StreamRef& s, int shards) {
    CreateStreamParams p;
    p.shard_count = shards;
    return engine.control().CreateStream(s, p);
  }
  StreamStatus StatusOf(Engine& engine, const StreamRef& s) {
    auto d = engine.control().DescribeStream(s);
    EXPECT_TRUE(d.ok()) << d.status().ToString();
    return d.ok() ? d->status : StreamStatus::kDeleting;
  }
  std::filesystem::path Region() const {
    return std::filesystem::path(dir_.path()) / "streams" / "123456789012" / "us-east-1";
  }
  size_t EntriesUnderRegion() const {
    std::error_code ec;
    size_t n = 0;
    for (auto it = std::filesystem::directory_iterator(Region(), ec);
         !ec && it != std::filesystem::directory_iterator(); ++it)
      ++n;
    return n;
  }

  TempDir dir_;
  static storage::LogOptions OsLog() {
    storage::LogOptions o;
    o.durability = storage::Durability::kOs;
    return o;
  }
  std::shared_ptr<GatedStores> stores_ = std::make_shared<GatedStores>(OsLog());
  const StreamRef big_{"123456789012", "us-east-1", "big"};
  const StreamRef small_{"123456789012", "us-east-1", "small"};
};

}  // namespace sluice::engine::testing
