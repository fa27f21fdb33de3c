// Counters of the actions recovery took while opening shard logs, for the
// whole process (every log opened since start). Read by the metrics
// endpoint; each action is also logged as it happens.
#pragma once

#include <cstdint>

namespace sluice::storage {

struct RecoveryStats {
  uint64_t truncated_tails = 0;  // torn or corrupt batches cut from a log's tail
  uint64_t rebuilt_indexes = 0;  // sealed segments whose index was missing or stale
  uint64_t damaged_batches = 0;  // damaged batches kept inside a sealed segment (reads fail)
  uint64_t offset_gaps = 0;      // segments whose offsets did not follow the previous one's
};

RecoveryStats ReadRecoveryStats();

// Recovery's own use.
enum class RecoveryAction { kTruncatedTail, kRebuiltIndex, kDamagedBatch, kOffsetGap };
void CountRecoveryAction(RecoveryAction action);

}  // namespace sluice::storage
