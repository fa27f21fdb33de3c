#include "cloudwatch/metric_store.h"

#include <algorithm>

#include "util/base64.h"
#include "util/log.h"

namespace sluice::cloudwatch {

void Aggregate::Merge(const Aggregate& other) {
  if (other.count <= 0) return;
  if (count <= 0) {
    *this = other;
    return;
  }
  count += other.count;
  sum += other.sum;
  min = std::min(min, other.min);
  max = std::max(max, other.max);
}

std::string MetricKey(const MetricId& id) {
  std::string key;
  for (std::string_view part : {std::string_view(id.account), std::string_view(id.region),
                                std::string_view(id.namespace_), std::string_view(id.name)}) {
    key.append(part).push_back('\0');
  }
  for (const Dimension& d : id.dimensions) key.append(d.name).append(1, '\0').append(d.value).push_back('\0');
  return key;
}

namespace {

void SortDimensions(std::vector<Dimension>& dimensions) {
  std::sort(dimensions.begin(), dimensions.end(),
            [](const Dimension& a, const Dimension& b) { return a.name < b.name; });
}

std::string AccountPrefix(std::string_view account, std::string_view region) {
  std::string prefix(account);
  prefix.push_back('\0');
  prefix.append(region).push_back('\0');
  return prefix;
}

bool Passes(const MetricId& id, const MetricStore::ListFilter& filter) {
  if (!filter.namespace_.empty() && id.namespace_ != filter.namespace_) return false;
  if (!filter.name.empty() && id.name != filter.name) return false;
  for (const Dimension& want : filter.dimensions) {
    auto it = std::find_if(id.dimensions.begin(), id.dimensions.end(),
                           [&](const Dimension& d) { return d.name == want.name; });
    if (it == id.dimensions.end() || (!want.value.empty() && it->value != want.value)) return false;
  }
  return true;
}

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

}  // namespace

bool MetricStore::Put(MetricId id, int64_t timestamp_ms, const Aggregate& aggregate, double latest,
                      std::string_view unit) {
  SortDimensions(id.dimensions);
  std::string key = MetricKey(id);
  std::lock_guard<std::mutex> lock(mu_);
  auto it = series_.find(key);
  if (it == series_.end()) {
    if (series_.size() >= options_.max_metrics) {
      ++dropped_;
      if (!warned_full_) {
        warned_full_ = true;
        log::Warn("cloudwatch: {} distinct metrics are stored, the most kept; datapoints of new metrics are dropped",
                  options_.max_metrics);
      }
      return false;
    }
    it = series_.emplace(std::move(key), Series{}).first;
    it->second.id = std::move(id);
  }
  Series& s = it->second;
  if (timestamp_ms >= s.latest_ms) {
    s.latest_ms = timestamp_ms;
    s.latest = latest;
    s.latest_unit.assign(unit);
  }
  const int64_t minute = FloorDiv(timestamp_ms, 60000);
  auto m = std::lower_bound(s.minutes.begin(), s.minutes.end(), minute,
                            [](const Minute& a, int64_t b) { return a.minute < b; });
  if (m != s.minutes.end() && m->minute == minute) {
    m->aggregate.Merge(aggregate);
    m->unit.assign(unit);
    return true;
  }
  const auto kept = static_cast<size_t>(std::max(1, options_.minutes_kept));
  // Full: a minute older than every kept one is not kept; a newer one pushes
  // out the oldest.
  if (s.minutes.size() >= kept) {
    if (m == s.minutes.begin()) return true;
    s.minutes.erase(s.minutes.begin());
    m = std::lower_bound(s.minutes.begin(), s.minutes.end(), minute,
                         [](const Minute& a, int64_t b) { return a.minute < b; });
  }
  s.minutes.insert(m, Minute{minute, aggregate, std::string(unit)});
  return true;
}

std::optional<MetricStore::ListPage> MetricStore::List(std::string_view account, std::string_view region,
                                                       const ListFilter& filter, std::string_view token,
                                                       size_t limit) const {
  const std::string prefix = AccountPrefix(account, region);
  std::string after;
  if (!token.empty() && (!base64::Decode(token, &after) || !after.starts_with(prefix))) return std::nullopt;
  ListPage page;
  std::lock_guard<std::mutex> lock(mu_);
  auto it = after.empty() ? series_.lower_bound(prefix) : series_.upper_bound(after);
  for (; it != series_.end() && it->first.starts_with(prefix); ++it) {
    if (!Passes(it->second.id, filter)) continue;
    if (page.metrics.size() == limit) {
      page.next_token = base64::Encode(MetricKey(page.metrics.back()));
      break;
    }
    page.metrics.push_back(it->second.id);
  }
  return page;
}

std::vector<PeriodStatistics> MetricStore::Statistics(const MetricId& id, int64_t start_seconds, int64_t end_seconds,
                                                      int64_t period_seconds, std::string_view unit) const {
  MetricId sorted = id;
  SortDimensions(sorted.dimensions);
  std::vector<PeriodStatistics> out;
  std::lock_guard<std::mutex> lock(mu_);
  auto it = series_.find(MetricKey(sorted));
  if (it == series_.end() || period_seconds <= 0) return out;
  for (const Minute& m : it->second.minutes) {
    const int64_t at = m.minute * 60;
    if (at < start_seconds || at >= end_seconds) continue;
    if (!unit.empty() && m.unit != unit) continue;
    const int64_t period_start = start_seconds + FloorDiv(at - start_seconds, period_seconds) * period_seconds;
    if (out.empty() || out.back().start_seconds != period_start) {
      out.push_back({period_start, m.aggregate, m.unit});
    } else {
      out.back().aggregate.Merge(m.aggregate);
    }
  }
  return out;
}

std::vector<LatestValue> MetricStore::Latest(size_t limit) const {
  std::vector<LatestValue> out;
  std::lock_guard<std::mutex> lock(mu_);
  out.reserve(std::min(limit, series_.size()));
  for (const auto& [key, s] : series_) {
    if (out.size() == limit) break;
    out.push_back({s.id, s.latest, s.latest_ms, s.latest_unit});
  }
  return out;
}

size_t MetricStore::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return series_.size();
}

uint64_t MetricStore::dropped() const {
  std::lock_guard<std::mutex> lock(mu_);
  return dropped_;
}

}  // namespace sluice::cloudwatch
