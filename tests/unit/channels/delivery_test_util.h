// Helpers of the delivery's unit tests: an in-memory engine on a given
// clock, and FakeBucket, an ObjectStore keeping objects in a map (by
// "<bucket>/<key>") and the keys in the order they were put; `failures`
// Puts fail with IoError before the next one succeeds.
#pragma once

#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <memory>

#include "engine/engine.h"
#include "object_store/object_store.h"

namespace sluice::channels {

// A real engine on in-memory storage whose time is `clock`'s.
inline std::unique_ptr<engine::Engine> OpenMemoryEngine(Clock* clock) {
  engine::EngineOptions o;
  o.durability = storage::Durability::kMemory;
  o.clock = clock;
  auto e = engine::Engine::Open(o);
  EXPECT_TRUE(e.ok()) << e.status().ToString();
  return e.ok() ? std::move(e).value() : nullptr;
}

class FakeBucket final : public object_store::ObjectStore {
 public:
  Status Put(std::string_view bucket, std::string_view key, std::string_view body,
             const object_store::PutOptions& options) override {
    if (failures > 0) {
      --failures;
      return Status::IoError("injected: bucket unavailable");
    }
    objects[std::string(bucket) + "/" + std::string(key)] = std::string(body);
    encodings[std::string(key)] = options.content_encoding;
    order.emplace_back(key);
    return Status::Ok();
  }
  std::string Describe() const override { return "fake"; }

  // Every line of every object whose key starts with `prefix`.
  std::vector<std::string> Lines(const std::string& prefix = "b/") const {
    std::vector<std::string> out;
    for (const auto& [key, body] : objects) {
      if (key.rfind(prefix, 0) != 0 || key.rfind("b/error/", 0) == 0) continue;
      std::istringstream in(body);
      for (std::string line; std::getline(in, line);) out.push_back(line);
    }
    return out;
  }

  int failures = 0;
  std::map<std::string, std::string> objects;
  std::map<std::string, std::string> encodings;
  std::vector<std::string> order;
};

}  // namespace sluice::channels
