// A Dispatcher over a real in-memory engine, and helpers to call it with
// JSON bodies and read the answers.
#pragma once

#include <gtest/gtest.h>
#include <simdjson.h>

#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "api/dispatcher.h"
#include "engine/engine.h"
#include "server/http_types.h"
#include "util/clock.h"

namespace sluice::api::testing {

inline constexpr std::string_view kJson = "application/x-amz-json-1.1";
inline constexpr int64_t kStartMs = 1700000000000;

// A parsed response body that owns its parser.
struct Json {
  explicit Json(const std::string& body) {
    auto r = parser.parse(body);
    EXPECT_FALSE(r.error()) << "response is not JSON: " << body;
    if (!r.error()) root = r.value_unsafe();
  }
  simdjson::dom::parser parser;
  simdjson::dom::element root;
};

class ApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    engine::EngineOptions opts;
    opts.durability = storage::Durability::kMemory;
    opts.clock = &clock_;
    auto e = engine::Engine::Open(opts);
    ASSERT_TRUE(e.ok()) << e.status().ToString();
    engine_ = std::move(e).value();
    engine_->Start();
    dispatcher_ = std::make_unique<Dispatcher>(*engine_, ApiOptions{});
  }
  void TearDown() override {
    dispatcher_.reset();
    if (engine_) engine_->Stop();
  }

  // Calls the dispatcher and waits (with a deadline) for the answer.
  ApiResponse Raw(std::string_view target, std::string_view body, std::string_view content_type = kJson) {
    std::promise<ApiResponse> promise;
    auto future = promise.get_future();
    dispatcher_->Handle(ApiRequest{target, content_type, "", body, {}, {}},
                        [&promise](ApiResponse r) { promise.set_value(std::move(r)); });
    if (future.wait_for(std::chrono::seconds(10)) != std::future_status::ready) {
      ADD_FAILURE() << "no response within 10 s for " << target;
      return ApiResponse{};
    }
    return future.get();
  }

  ApiResponse Call(std::string_view operation, std::string_view body) {
    return Raw("Kinesis_20131202." + std::string(operation), body);
  }

  // Calls an operation that must succeed and returns its body.
  std::string Ok(std::string_view operation, std::string_view body) {
    ApiResponse r = Call(operation, body);
    EXPECT_EQ(r.status, 200) << operation << " " << body << " -> " << r.body;
    return r.body;
  }

  // Creates a stream and polls (with a deadline) until it is ACTIVE.
  void CreateActiveStream(const std::string& name, int shards) {
    Ok("CreateStream", R"({"StreamName":")" + name + R"(","ShardCount":)" + std::to_string(shards) + "}");
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < deadline) {
      ApiResponse r = Call("DescribeStreamSummary", R"({"StreamName":")" + name + R"("})");
      if (r.status == 200 && r.body.find("\"ACTIVE\"") != std::string::npos) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    FAIL() << "stream " << name << " did not become ACTIVE";
  }

  ManualClock clock_{kStartMs};
  std::unique_ptr<engine::Engine> engine_;
  std::unique_ptr<Dispatcher> dispatcher_;
};

// Asserts an error response: status, __type and message.
inline void ExpectError(const ApiResponse& r, int status, std::string_view type, std::string_view message) {
  EXPECT_EQ(r.status, status) << r.body;
  EXPECT_EQ(r.error_type, type) << r.body;
  Json j(r.body);
  std::string_view got_type;
  EXPECT_FALSE(j.root["__type"].get(got_type)) << r.body;
  EXPECT_EQ(got_type, type);
  std::string_view got_message;
  bool has_message = !j.root["message"].get(got_message) || !j.root["Message"].get(got_message);
  if (message.empty()) {
    EXPECT_FALSE(has_message) << r.body;
  } else {
    EXPECT_TRUE(has_message) << r.body;
    EXPECT_EQ(got_message, message);
  }
}

// Polls `done` until it holds or 10 s pass; whether it held.
template <typename F>
bool Eventually(F done) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));  // between polls only
  }
  return true;
}

// A streamed response's output, as the API layer or the server sees it,
// that keeps what it is given.
class CollectingOutput : public StreamOutput, public server::BodyWriter {
 public:
  bool Write(std::string bytes) override {
    std::lock_guard lock(mu_);
    data_ += bytes;
    return true;
  }
  void Finish() override { finished_ = true; }
  size_t Buffered() const override { return 0; }
  size_t BufferedBytes() const override { return 0; }
  bool closed() const override { return finished_; }
  std::string data() {
    std::lock_guard lock(mu_);
    return data_;
  }
  std::atomic<bool> finished_{false};

 private:
  std::mutex mu_;
  std::string data_;
};

}  // namespace sluice::api::testing
