package sluice.e2e;

import software.amazon.kinesis.leases.LeaseManagementConfig;

/**
 * KCL 2.x lease timings for tests that take seconds, in place of tests/e2e/java's 3.x ones (2.x
 * has no leader assigning leases: each worker's lease taker runs every 2 × (failover + 25 ms),
 * takes expired leases and steals one from a worker holding more than its share).
 */
final class KclLeaseTimings {
  private KclLeaseTimings() {}

  /** `leases` with leases expiring `failoverMs` after their owner last renewed them. */
  static LeaseManagementConfig tune(LeaseManagementConfig leases, long failoverMs) {
    return leases.failoverTimeMillis(failoverMs).shardSyncIntervalMillis(1_000);
  }
}
