#include "bench/report.h"

#include <cstdio>
#include <cstdlib>

#include "protocol/json_writer.h"

namespace sluice::bench {
namespace {

double Ms(int64_t ns) { return static_cast<double>(ns) / 1e6; }

// A field value such as "1250" or "3.5" as a JSON number, anything else
// ("-", "4/4") as a string.
void FieldValue(protocol::JsonWriter& w, const std::string& value) {
  char* end = nullptr;
  const double d = std::strtod(value.c_str(), &end);
  if (!value.empty() && *end == '\0') {
    w.Double(d);
  } else {
    w.String(value);
  }
}

void WriteResult(protocol::JsonWriter& w, const std::string& name, const WorkloadResult& r) {
  w.BeginObject();
  w.Member("workload", name);
  w.Key("ran");
  w.Bool(r.ran);
  if (!r.ran) {
    w.Member("failure", r.failure);
    w.EndObject();
    return;
  }
  if (!r.phases.empty()) {
    w.Key("phases");
    w.BeginArray();
    for (const auto& phase : r.phases) WriteResult(w, name + "/" + phase.label, phase);
    w.EndArray();
    w.EndObject();
    return;
  }
  w.Key("rate");
  w.Double(r.rate);
  w.Member("unit", r.unit);
  w.Key("mb_per_s");
  w.Double(r.mb_per_s);
  w.Key("latency_ms");
  w.BeginObject();
  for (double p : {50.0, 90.0, 99.0, 99.9}) {
    char key[16];
    std::snprintf(key, sizeof key, "p%g", p);
    w.Key(key);
    w.Double(Ms(r.latency.Percentile(p)));
  }
  w.Key("max");
  w.Double(Ms(r.latency.max()));
  w.Key("count");
  w.Int(static_cast<int64_t>(r.latency.count()));
  w.EndObject();
  w.Key("errors");
  w.Int(static_cast<int64_t>(r.errors));
  if (!r.note.empty()) w.Member("note", r.note);
  if (r.rss_kb >= 0) {
    w.Key("rss_kb");
    w.Int(r.rss_kb);
  }
  w.Key("fields");
  w.BeginObject();
  for (const auto& [key, value] : r.fields) {
    w.Key(key);
    FieldValue(w, value);
  }
  w.EndObject();
  w.EndObject();
}

}  // namespace

void PrintResult(const std::string& name, const WorkloadResult& r) {
  if (!r.ran) {
    std::printf("%-14s FAILED: %s\n", name.c_str(), r.failure.c_str());
    return;
  }
  if (!r.phases.empty()) {
    for (const auto& phase : r.phases) PrintResult(name + "/" + phase.label, phase);
    return;
  }
  std::printf(
      "%-14s %11.0f %-10s %8.2f MB/s  p50 %9.3f ms  p90 %9.3f ms  p99 %9.3f ms  "
      "p99.9 %9.3f ms  max %9.3f ms  errors %llu",
      name.c_str(), r.rate, r.unit, r.mb_per_s, Ms(r.latency.Percentile(50)), Ms(r.latency.Percentile(90)),
      Ms(r.latency.Percentile(99)), Ms(r.latency.Percentile(99.9)), Ms(r.latency.max()),
      static_cast<unsigned long long>(r.errors));
  for (const auto& [key, value] : r.fields) std::printf("  %s %s", key.c_str(), value.c_str());
  std::printf("\n");
  if (!r.note.empty()) std::printf("  %s\n", r.note.c_str());
  if (r.rss_kb >= 0) std::printf("  server VmRSS after load: %lld kB\n", static_cast<long long>(r.rss_kb));
  std::fflush(stdout);
}

std::string ResultJson(const std::string& name, const WorkloadResult& r) {
  std::string out;
  protocol::JsonWriter w(&out);
  WriteResult(w, name, r);
  return out;
}

}  // namespace sluice::bench
