// How a workload's result is reported: the fixed-format text line that
// scripts/bench parses (bench.cc describes its columns), or one JSON object.
#pragma once

#include <string>

#include "bench/workloads.h"

namespace sluice::bench {

// Prints `name`'s line (one per phase for a workload measured in phases) and
// its detail lines to stdout, or "<name> FAILED: <reason>".
void PrintResult(const std::string& name, const WorkloadResult& r);

// The same result as one JSON object on one line:
//   {"workload":name,"ran":true,"rate":..,"unit":..,"mb_per_s":..,
//    "latency_ms":{"p50":..,"p90":..,"p99":..,"p99.9":..,"max":..,"count":..},
//    "errors":..,"note":..,"fields":{key:value,...},"phases":[...]}
// or {"workload":name,"ran":false,"failure":reason}. A field whose value
// reads as a number is written as one.
std::string ResultJson(const std::string& name, const WorkloadResult& r);

}  // namespace sluice::bench
