package sluice.e2e;

import software.amazon.kinesis.leases.LeaseManagementConfig;

/**
 * KCL 3.x lease timings for tests that take seconds: the leader assigns leases and syncs shards
 * every second, and its lock lasts as long as a lease. The only part of KclWorker that depends on
 * the KCL's major version (tests/e2e/java-kcl2 has the 2.x one).
 */
final class KclLeaseTimings {
  private KclLeaseTimings() {}

  /** `leases` with leases expiring `failoverMs` after their owner last renewed them. */
  static LeaseManagementConfig tune(LeaseManagementConfig leases, long failoverMs) {
    leases.failoverTimeMillis(failoverMs)
        .leaseAssignmentIntervalMillis(1_000L)
        .shardSyncIntervalMillis(1_000)
        .dynamoDbLockBasedLeaderLeaseDurationInMillis(failoverMs)
        .dynamoDbLockBasedLeaderHeartbeatPeriodInMillis(1_000);
    // Off AWS there are no CPU metrics to balance by (and probing for them asks EC2's metadata
    // address); the leader then balances by lease count and throughput.
    leases.workerUtilizationAwareAssignmentConfig()
        .disableWorkerMetrics(true)
        .inMemoryWorkerMetricsCaptureFrequencyMillis(500)
        .workerMetricsReporterFreqInMillis(1_000);
    leases.gracefulLeaseHandoffConfig().gracefulLeaseHandoffTimeoutMillis(failoverMs);
    return leases;
  }
}
