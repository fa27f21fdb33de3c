// FakeBucket: an ObjectStore for the delivery's unit tests, keeping objects
// in a map (by "<bucket>/<key>") and the keys in the order they were put;
// `failures` Puts fail with IoError before the next one succeeds.
#pragma once

#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "object_store/object_store.h"

namespace sluice::channels {

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
