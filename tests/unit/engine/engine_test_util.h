// Helpers shared by the engine tests: a synchronous PutRecords and record
// builders. Real storage underneath; nothing is mocked.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include "engine/engine.h"

namespace sluice::engine::testing {

struct OwnedEntry {
  std::string key;
  std::string data;
  std::optional<HashKey> explicit_hash_key;
};

// Calls PutRecords and waits (bounded) for its single completion.
inline Result<std::vector<PutEntryResult>> PutSync(Engine& engine, const StreamRef& stream,
                                                   const std::vector<OwnedEntry>& owned) {
  std::vector<PutEntry> entries;
  for (const auto& e : owned) entries.push_back({e.key, e.data, e.explicit_hash_key});
  auto promise = std::make_shared<std::promise<Result<std::vector<PutEntryResult>>>>();
  auto future = promise->get_future();
  auto calls = std::make_shared<std::atomic<int>>(0);
  engine.records().PutRecords(stream, entries, [promise, calls](Result<std::vector<PutEntryResult>> r) {
    if (calls->fetch_add(1) == 0) promise->set_value(std::move(r));
  });
  if (future.wait_for(std::chrono::seconds(10)) != std::future_status::ready) {
    ADD_FAILURE() << "PutRecords did not complete";
    return Status::Internal("timeout");
  }
  auto r = future.get();
  EXPECT_EQ(calls->load(), 1);
  return r;
}

inline std::string PutOne(Engine& engine, const StreamRef& stream, const std::string& key, const std::string& data) {
  auto r = PutSync(engine, stream, {{key, data, std::nullopt}});
  if (!r.ok()) {
    ADD_FAILURE() << r.status().ToString();
    return "";
  }
  EXPECT_TRUE((*r)[0].status.ok()) << (*r)[0].status.ToString();
  return std::string(ToView((*r)[0].sequence_number));
}

// Every record of `shard_id` from TRIM_HORIZON to the end (or to now for
// an open shard), and the children reported at the end.
inline std::vector<std::string> ReadAll(Engine& engine, const StreamRef& s, const std::string& shard_id,
                                        std::vector<ChildShard>* children = nullptr) {
  std::vector<std::string> out;
  auto it = engine.records().GetShardIterator(s, shard_id, IteratorType::kTrimHorizon, {}, {});
  EXPECT_TRUE(it.ok()) << it.status().ToString();
  if (!it.ok()) return out;
  std::string iterator = *it;
  for (int guard = 0; guard < 1000; ++guard) {
    auto r = engine.records().GetRecords(iterator, 2, std::nullopt);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    if (!r.ok()) break;
    for (const Record& rec : r->records) out.emplace_back(rec.data);
    if (!r->next_shard_iterator) {
      EXPECT_FALSE(r->child_shards.empty());
      if (children) *children = r->child_shards;
      break;
    }
    EXPECT_TRUE(r->child_shards.empty()) << "ChildShards only at the end of a closed shard";
    if (r->records.empty() && r->millis_behind_latest == 0) break;  // open shard drained
    iterator = *r->next_shard_iterator;
  }
  return out;
}

// A fresh directory under the system temp dir, removed on destruction.
class TempDir {
 public:
  TempDir() {
    static int counter = 0;
    path_ = std::filesystem::temp_directory_path() /
            ("sluice-engine-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string path() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

// Polls `condition` until it holds or `timeout` passes; never sleeps blind.
template <typename F>
bool PollUntil(F condition, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));  // between polls only
  }
  return condition();
}

}  // namespace sluice::engine::testing
