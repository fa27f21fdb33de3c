// Exposition: builds one scrape of metrics in the Prometheus text exposition
// format, version 0.0.4 (served as `text/plain; version=0.0.4`).
//
// A scrape is assembled from plain values read at that moment (counters,
// gauges, AtomicHistogram snapshots); nothing here lives on a hot path.
// Families are written in the order they were first declared, each with its
// `# HELP` and `# TYPE` lines once, followed by its samples in the order they
// were added. Declaring a family again (same name) returns the first one,
// so several sources may add samples to it.
//
//   Exposition out;
//   out.Declare("sluice_incoming_records_total", "IncomingRecords: ...", MetricType::kCounter)
//       .Add({{"stream", "s"}, {"shard", "shardId-000000000000"}}, uint64_t{5});
//   std::string text = out.Render();
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/atomic_histogram.h"

namespace sluice::metrics {

enum class MetricType { kCounter, kGauge, kHistogram };

using Labels = std::vector<std::pair<std::string, std::string>>;

class Family {
 public:
  Family(std::string name, std::string help, MetricType type)
      : name_(std::move(name)), help_(std::move(help)), type_(type) {}

  // A counter or gauge sample.
  Family& Add(const Labels& labels, uint64_t value);
  Family& Add(const Labels& labels, int64_t value);
  Family& Add(const Labels& labels, double value);
  // A histogram: `<name>_bucket{...,le="..."}` (cumulative, ending with
  // le="+Inf"), `<name>_sum` and `<name>_count`. Bounds and sum are
  // multiplied by `scale` (1e-6 turns microseconds into seconds) and written
  // as FormatScaled does: 100000 µs is le="0.1", never "0.09999999999999999".
  Family& AddHistogram(const Labels& labels, const HistogramSnapshot& histogram, double scale = 1.0);

  const std::string& name() const { return name_; }
  MetricType type() const { return type_; }
  void RenderTo(std::string* out) const;

 private:
  std::string name_;
  std::string help_;
  MetricType type_;
  std::string samples_;  // rendered sample lines
};

class Exposition {
 public:
  // The family `name` (a valid metric name: [a-zA-Z_:][a-zA-Z0-9_:]*),
  // declared now unless it already was.
  Family& Declare(const std::string& name, const std::string& help, MetricType type);
  std::string Render() const;

 private:
  std::vector<std::unique_ptr<Family>> families_;
  std::map<std::string, Family*, std::less<>> by_name_;
};

// The Content-Type of Render()'s text.
inline constexpr std::string_view kContentType = "text/plain; version=0.0.4; charset=utf-8";

// Escapes a label value (backslash, double quote, line feed) and help text
// (backslash, line feed) as the format requires.
std::string EscapeLabelValue(std::string_view value);
std::string EscapeHelp(std::string_view help);
// The pieces a Family is made of, appended to `out`, for writers that stream
// a family's samples instead of holding them (metrics/text_stream.h):
// its `# HELP` and `# TYPE` lines; one sample line `<name><suffix>{labels,
// extra} value`; a histogram's bucket, sum and count lines (as
// Family::AddHistogram writes them).
void AppendFamilyHeader(std::string* out, std::string_view name, std::string_view help, MetricType type);
void AppendSample(std::string* out, std::string_view name, std::string_view suffix, const Labels& labels,
                  const std::pair<std::string, std::string>* extra, std::string_view value);
void AppendHistogram(std::string* out, std::string_view name, const Labels& labels, const HistogramSnapshot& histogram,
                     double scale = 1.0);

// A sample value: integers as such, other numbers in the shortest form that
// reads back exactly, NaN and infinities as "NaN", "+Inf", "-Inf".
std::string FormatValue(double value);
// `value * scale` written exactly when `scale` is a power of ten from 1 down
// to 1e-18 (the decimal point moved, trailing zeros dropped: 100000 with
// 1e-6 is "0.1", 1500 with 1e-3 is "1.5"); as FormatValue otherwise.
std::string FormatScaled(uint64_t value, double scale);

}  // namespace sluice::metrics
