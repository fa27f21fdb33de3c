// `sluice bench groups`: put -> member latency of a consumer group, and the
// time a rebalance leaves shards unread.
//
// Creates a stream of --shards shards (deleted afterwards) and starts
// --members GroupConsumer members in a group of their own (threads of this
// process, a client each), and waits until the group's assignment covers
// every shard. Then the paced, send-time-stamped PutRecord producer of
// `sluice bench` (bench/paced_producer.h) puts --rate records/s for
// --warmup s and --duration s, and each member's batch handler takes the
// latency of every record put after the warmup from its stamp
// (bench/group_deliveries.h): p50, p90, p99, max of each record's first
// delivery. (The warmup covers the first hand-over: a member that joined
// second reads its shards only once the first member's next heartbeat has
// released them.) A third into the measured run one more member joins;
// two thirds in the first member leaves; for each change the report gives the
// shards that moved and the time from the change to the first record
// delivered from the last of them (--no-rebalance leaves the members as they
// are). After the producer stops, the members run until every record put
// was delivered (or the drain timeout).
//
// Report: `sluice bench`'s line (workload `groups`, bench/report.h) with
// fields, or with --json the same result as one JSON object.
#pragma once

namespace sluice::cli {

// argv[0] is "groups". Exit codes: 0, 1 (the run could not be made),
// 2 (usage).
int RunBenchGroups(int argc, char** argv);

}  // namespace sluice::cli
