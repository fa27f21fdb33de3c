// Many threads putting at once: per-shard order and dense sequence numbers.
#include <gtest/gtest.h>

#include <map>
#include <thread>

#include "engine/engine.h"
#include "engine/sequence_number.h"
#include "engine_test_util.h"

namespace sluice::engine {
namespace {

using testing::OwnedEntry;
using testing::PutSync;

TEST(EngineConcurrencyTest, ConcurrentPutsKeepPerShardOrderAndDenseSequenceNumbers) {
  EngineOptions o;
  o.durability = storage::Durability::kMemory;
  auto engine = Engine::Open(o);
  ASSERT_TRUE(engine.ok());
  const StreamRef s{"123456789012", "us-east-1", "busy"};
  CreateStreamParams p;
  p.shard_count = 4;
  ASSERT_TRUE((*engine)->control().CreateStream(s, p).ok());

  constexpr int kThreads = 6;
  constexpr int kCalls = 60;
  constexpr int kPerCall = 20;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int c = 0; c < kCalls; ++c) {
        std::vector<OwnedEntry> batch;
        for (int i = 0; i < kPerCall; ++i) {
          // Thread t writes its records with the key "t<t>-<i % 3>": each key
          // stays on one shard; the data carries (thread, sequence).
          batch.push_back({"t" + std::to_string(t) + "-" + std::to_string(i % 3),
                           std::to_string(t) + ":" + std::to_string(c * kPerCall + i),
                           {}});
        }
        auto r = PutSync(**engine, s, batch);
        if (!r.ok()) {
          ++failures;
          continue;
        }
        for (auto& e : *r) {
          if (!e.status.ok()) ++failures;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  ASSERT_EQ(failures.load(), 0);

  size_t total = 0;
  for (int shard = 0; shard < 4; ++shard) {
    auto it = (*engine)->records().GetShardIterator(s, ShardIdFor(shard), IteratorType::kTrimHorizon, {}, {});
    ASSERT_TRUE(it.ok());
    std::string iterator = *it;
    uint64_t expected_counter = 1;
    std::map<std::string, int> last_by_key;  // per partition key: last sequence seen
    for (;;) {
      auto got = (*engine)->records().GetRecords(iterator, 10000, {});
      ASSERT_TRUE(got.ok()) << got.status().ToString();
      if (got->records.empty()) break;
      for (const Record& r : got->records) {
        auto f = ParseSequenceNumber(ToView(r.sequence_number));
        ASSERT_TRUE(f.has_value());
        ASSERT_EQ(f->counter, expected_counter++) << "shard " << shard;
        ASSERT_EQ(f->shard_index, static_cast<uint32_t>(shard));
        std::string data(r.data);
        int seq = std::stoi(data.substr(data.find(':') + 1));
        std::string key(r.partition_key);
        auto prev = last_by_key.find(key);
        if (prev != last_by_key.end()) {
          ASSERT_LT(prev->second, seq) << key;
        }
        last_by_key[key] = seq;
        ++total;
      }
      iterator = *got->next_shard_iterator;
    }
  }
  EXPECT_EQ(total, static_cast<size_t>(kThreads * kCalls * kPerCall));
}

}  // namespace
}  // namespace sluice::engine
