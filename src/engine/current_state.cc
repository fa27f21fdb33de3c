#include "engine/current_state.h"

#include <chrono>
#include <random>
#include <thread>

#include "util/log.h"

namespace sluice::engine {

bool RefreshedAfterLocked(StreamTable& table, const StreamKey& key, const Status& answer, int attempt) {
  switch (answer.code()) {
    case ErrorCode::kResourceInUse:
    case ErrorCode::kResourceNotFound:
    case ErrorCode::kInvalidArgument:
    case ErrorCode::kLimitExceeded: break;
    default: return false;
  }
  if (!table.shared_catalog()) return false;
  if (attempt >= 2) {
    thread_local std::minstd_rand random(std::random_device{}());
    std::this_thread::sleep_for(std::chrono::microseconds(random() % (5000 * attempt)));
  }
  Result<bool> refreshed = table.RefreshLocked(key);
  if (!refreshed.ok()) {
    log::Warn("engine: reading the current record of stream {} (account {}) after \"{}\": {}", std::get<2>(key),
              std::get<0>(key), answer.message(), refreshed.status().ToString());
    return false;
  }
  return *refreshed;
}

}  // namespace sluice::engine
