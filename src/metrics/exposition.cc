#include "metrics/exposition.h"

#include <cmath>

#include <fmt/format.h>

namespace sluice::metrics {

std::string EscapeLabelValue(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '"': out += "\\\""; break;
      case '\n': out += "\\n"; break;
      default: out += c;
    }
  }
  return out;
}

std::string EscapeHelp(std::string_view help) {
  std::string out;
  out.reserve(help.size());
  for (char c : help) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      default: out += c;
    }
  }
  return out;
}

std::string FormatValue(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  return fmt::format("{}", value);
}

std::string FormatScaled(uint64_t value, double scale) {
  double power = 1;
  for (int places = 0; places <= 18; ++places, power *= 10) {
    // 1e-6 is not exactly a millionth as a double, so compare with a tolerance far
    // below the gap to the next power of ten.
    if (std::abs(scale * power - 1) > 1e-9) continue;
    std::string digits = std::to_string(value);
    if (places == 0) return digits;
    if (digits.size() <= static_cast<size_t>(places)) digits.insert(0, places + 1 - digits.size(), '0');
    std::string out = digits.substr(0, digits.size() - places) + '.' + digits.substr(digits.size() - places);
    while (out.back() == '0') out.pop_back();
    if (out.back() == '.') out.pop_back();
    return out;
  }
  return FormatValue(static_cast<double>(value) * scale);
}

void AppendSample(std::string* out, std::string_view name, std::string_view suffix, const Labels& labels,
                  const std::pair<std::string, std::string>* extra, std::string_view value) {
  *out += name;
  *out += suffix;
  if (!labels.empty() || extra) {
    *out += '{';
    bool first = true;
    auto label = [&](const std::pair<std::string, std::string>& l) {
      if (!first) *out += ',';
      first = false;
      *out += l.first;
      *out += "=\"";
      *out += EscapeLabelValue(l.second);
      *out += '"';
    };
    for (const auto& l : labels) label(l);
    if (extra) label(*extra);
    *out += '}';
  }
  *out += ' ';
  *out += value;
  *out += '\n';
}

void AppendHistogram(std::string* out, std::string_view name, const Labels& labels, const HistogramSnapshot& h,
                     double scale) {
  uint64_t cumulative = 0;
  std::pair<std::string, std::string> le{"le", ""};
  for (size_t i = 0; i < h.counts.size(); ++i) {
    cumulative += h.counts[i];
    le.second = i < h.bounds.size() ? FormatScaled(h.bounds[i], scale) : "+Inf";
    AppendSample(out, name, "_bucket", labels, &le, std::to_string(cumulative));
  }
  AppendSample(out, name, "_sum", labels, nullptr, FormatScaled(h.sum, scale));
  AppendSample(out, name, "_count", labels, nullptr, std::to_string(cumulative));
}

void AppendFamilyHeader(std::string* out, std::string_view name, std::string_view help, MetricType type) {
  const char* t = type == MetricType::kCounter ? "counter" : type == MetricType::kGauge ? "gauge" : "histogram";
  *out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, EscapeHelp(help), name, t);
}

Family& Family::Add(const Labels& labels, uint64_t value) {
  AppendSample(&samples_, name_, "", labels, nullptr, std::to_string(value));
  return *this;
}

Family& Family::Add(const Labels& labels, int64_t value) {
  AppendSample(&samples_, name_, "", labels, nullptr, std::to_string(value));
  return *this;
}

Family& Family::Add(const Labels& labels, double value) {
  AppendSample(&samples_, name_, "", labels, nullptr, FormatValue(value));
  return *this;
}

Family& Family::AddHistogram(const Labels& labels, const HistogramSnapshot& h, double scale) {
  AppendHistogram(&samples_, name_, labels, h, scale);
  return *this;
}

void Family::RenderTo(std::string* out) const {
  AppendFamilyHeader(out, name_, help_, type_);
  *out += samples_;
}

Family& Exposition::Declare(const std::string& name, const std::string& help, MetricType type) {
  auto it = by_name_.find(name);
  if (it != by_name_.end()) return *it->second;
  families_.push_back(std::make_unique<Family>(name, help, type));
  by_name_.emplace(name, families_.back().get());
  return *families_.back();
}

std::string Exposition::Render() const {
  std::string out;
  for (const auto& f : families_) f->RenderTo(&out);
  return out;
}

}  // namespace sluice::metrics
