// `sluice bench`: a load generator for any Kinesis Data Streams endpoint.
//
// Runs named workloads (put-records, put-record, get, e2e, push,
// push-fanout, many-shards, many-streams, put-record-durability) against an
// HTTP/1.1 endpoint and prints one fixed-format line per workload (one per
// phase for those measured in phases), in the manner of leveldb's db_bench and nghttp2's h2load. See
// RunBench's --help for flags.
//
// The pieces of src/bench/:
//   load_loop          epoll engine: keep-alive HTTP/1.1 connections, one
//                      request in flight each (or one streaming response),
//                      driven by a LoopHandler
//   (src/http)         the response parser and the event-stream BodySink
//                      are the outbound HTTP library's
//   json_scan          finds the few response fields the workloads read
//   requests           serialised Kinesis requests, built before timed phases
//   histogram          log-bucketed latency histogram
//   stream_admin       create/await/delete streams, get shard iterators,
//                      register consumers
//   paced_producer     the fixed-rate, send-time-stamped PutRecord producer
//                      of e2e and push
//   workloads          the workload table; put_workloads, get_workload,
//                      e2e_workload, push_workload and scale_workloads hold
//                      the workloads
//   listing_pages      timed page-by-page walks of the listings
//   group_deliveries   what consumer group members were delivered: latency,
//                      duplicates, rebalance times (for `sluice bench groups`,
//                      src/cli/bench_groups.cc)
//   report             a result as the text line or as JSON
//   server_process     the server as a child process (start, stop, restart
//                      timed), its descriptors and its data's disk usage
//   bench_flags        flag value parsers
#pragma once

namespace sluice::bench {

// argv[0] is "bench"; the rest are its flags. Returns a process exit code:
// 0 when every workload ran (errors inside a workload are reported in its
// line), 1 when a workload could not run, 2 on bad flags.
int RunBench(int argc, char** argv);

}  // namespace sluice::bench
