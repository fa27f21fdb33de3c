#include "storage/recovery_stats.h"

#include <atomic>

namespace sluice::storage {
namespace {
std::atomic<uint64_t> g_counts[4];
}  // namespace

void CountRecoveryAction(RecoveryAction action) {
  g_counts[static_cast<int>(action)].fetch_add(1, std::memory_order_relaxed);
}

RecoveryStats ReadRecoveryStats() {
  RecoveryStats s;
  s.truncated_tails = g_counts[static_cast<int>(RecoveryAction::kTruncatedTail)].load(std::memory_order_relaxed);
  s.rebuilt_indexes = g_counts[static_cast<int>(RecoveryAction::kRebuiltIndex)].load(std::memory_order_relaxed);
  s.damaged_batches = g_counts[static_cast<int>(RecoveryAction::kDamagedBatch)].load(std::memory_order_relaxed);
  s.offset_gaps = g_counts[static_cast<int>(RecoveryAction::kOffsetGap)].load(std::memory_order_relaxed);
  return s;
}

}  // namespace sluice::storage
