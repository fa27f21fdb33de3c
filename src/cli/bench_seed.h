// `sluice bench seed`: what the client library achieves against an endpoint,
// written up as a Markdown report with plots.
//
// Two measurements, each on fresh streams it creates and deletes:
//   puts     records/s (total and per shard) for 1, 2 and 3 shards, once with
//            PutRecord (a pool of threads, one call at a time each) and once
//            with PutRecords (the Producer, batches of up to 500);
//   lag      put-to-get latency of records put at a fixed rate with PutRecord,
//            read by the Reader polling GetRecords with a 1 s pause after an
//            empty answer, with no pause (0 ms), and pushed by SubscribeToShard.
// The results folder gets results.md (the tables), the data files, a gnuplot
// script and throughput.png and lag.png drawn by gnuplot (the Debian package
// gnuplot-nox, installed by scripts/bootstrap).
#pragma once

namespace sluice::cli {

// argv[0] is "seed". Exit codes as the client commands: 0, 1 (a server
// error, or gnuplot failed), 2 (usage), 3 (unreachable).
int RunBenchSeed(int argc, char** argv);

}  // namespace sluice::cli
