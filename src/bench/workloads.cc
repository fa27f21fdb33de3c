#include "bench/workloads.h"

#include "bench/workload_support.h"

namespace sluice::bench {

bool IsWorkload(const std::string& name) {
  return name == "put-records" || name == "put-record" || name == "get" || name == "e2e" || name == "push" ||
         name == "push-fanout" || name == "many-shards" || name == "many-streams" || name == "put-record-durability";
}

bool RunWorkload(const std::string& name, const BenchConfig& config, WorkloadResult* result) {
  *result = WorkloadResult{};
  if (name == "put-records") return RunPutRecords(config, result);
  if (name == "put-record") return RunPutRecord(config, result);
  if (name == "get") return RunGet(config, result);
  if (name == "e2e") return RunE2e(config, result);
  if (name == "push") return RunPush(config, result);
  if (name == "push-fanout") return RunPushFanout(config, result);
  if (name == "many-shards") return RunManyShards(config, result);
  if (name == "many-streams") return RunManyStreams(config, result);
  if (name == "put-record-durability") return RunPutRecordDurability(config, result);
  result->failure = "unknown workload " + name;
  return false;
}

}  // namespace sluice::bench
