#include "engine/throughput_quota.h"

#include <algorithm>
#include <cmath>

namespace sluice::engine {
namespace {

constexpr double kMiB = 1024.0 * 1024.0;
// The service's on-demand ceiling in its large regions (10 GiB/s of writes)
// as a multiple of the initial 4 MiB/s.
constexpr double kMaxOnDemandScale = 2560.0;
// The largest figure Set() takes (far above any real one).
constexpr double kMaxFigure = 1e15;

struct Named {
  const char* name;
  double ThroughputLimits::*scalar;
  double QuotaFigures::*figure;
  QuotaFigures ThroughputLimits::*group;
};

// The settable figures, by the names the command line uses.
constexpr Named kNames[] = {
    {"shard-write-bytes", nullptr, &QuotaFigures::write_bytes, &ThroughputLimits::shard},
    {"shard-write-records", nullptr, &QuotaFigures::write_records, &ThroughputLimits::shard},
    {"shard-read-calls", nullptr, &QuotaFigures::read_calls, &ThroughputLimits::shard},
    {"shard-read-bytes", nullptr, &QuotaFigures::read_bytes, &ThroughputLimits::shard},
    {"shard-iterator-calls", nullptr, &QuotaFigures::iterator_calls, &ThroughputLimits::shard},
    {"on-demand-write-bytes", nullptr, &QuotaFigures::write_bytes, &ThroughputLimits::on_demand},
    {"on-demand-write-records", nullptr, &QuotaFigures::write_records, &ThroughputLimits::on_demand},
    {"on-demand-read-bytes", nullptr, &QuotaFigures::read_bytes, &ThroughputLimits::on_demand},
    {"fanout-bytes", &ThroughputLimits::fanout_bytes, nullptr, nullptr},
    {"subscribe-calls", &ThroughputLimits::subscribe_calls, nullptr, nullptr},
    {"update-shard-count-per-day", &ThroughputLimits::scalings_per_day, nullptr, nullptr},
};

bool AnyFigure(const QuotaFigures& f) {
  return f.write_bytes > 0 || f.write_records > 0 || f.read_calls > 0 || f.read_bytes > 0 || f.iterator_calls > 0;
}

// A bucket holding one second of `rate` (a zero rate is never consulted).
TokenBucket OneSecond(double rate, int64_t now_ms) { return TokenBucket(rate, rate, now_ms); }

// The same for calls, taken one whole token at a time: at least one call
// (below one a second, a one-second bucket would never hold a call).
TokenBucket OneSecondOfCalls(double rate, int64_t now_ms) { return TokenBucket(rate, std::max(1.0, rate), now_ms); }

// Whether `amount` fits `bucket` of figure `rate` (0: unlimited). An amount
// above the whole capacity (a record larger than a second's worth of bytes)
// fits a full bucket and leaves it in debt.
bool Fits(TokenBucket& bucket, double rate, double amount, int64_t now_ms) {
  if (rate <= 0) return true;
  const double held = bucket.Available(now_ms);
  return amount > bucket.capacity() ? held >= bucket.capacity() : held >= amount;
}

}  // namespace

bool ThroughputLimits::Any() const {
  return AnyFigure(shard) || AnyFigure(on_demand) || fanout_bytes > 0 || subscribe_calls > 0 || scalings_per_day > 0;
}

ThroughputLimits ThroughputLimits::Real() {
  ThroughputLimits l;
  l.shard = {1 * kMiB, 1000, 5, 2 * kMiB, 5};
  l.on_demand = {4 * kMiB, 4000, 0, 8 * kMiB, 0};
  l.fanout_bytes = 2 * kMiB;
  l.subscribe_calls = 1;
  l.scalings_per_day = 10;
  return l;
}

Status ThroughputLimits::Set(std::string_view name, double value) {
  // strtod reads "nan" and "inf": a figure must be a number a bucket and a
  // cast to an integer can take.
  if (!std::isfinite(value) || value > kMaxFigure) {
    return Status::InvalidArgument(std::string(name) + " must be a finite number of at most 1e15");
  }
  if (name == "on-demand-scale-delay-ms") {
    if (value < 0) return Status::InvalidArgument("on-demand-scale-delay-ms must not be negative");
    on_demand_scale_delay_ms = static_cast<int64_t>(value);
    return Status::Ok();
  }
  for (const Named& n : kNames) {
    if (name != n.name) continue;
    if (value < 0) return Status::InvalidArgument(std::string(name) + " must not be negative");
    if (n.scalar) {
      this->*n.scalar = value;
    } else {
      (this->*n.group).*n.figure = value;
    }
    return Status::Ok();
  }
  std::string known;
  for (const Named& n : kNames) known.append(known.empty() ? "" : ", ").append(n.name);
  return Status::InvalidArgument("unknown limit \"" + std::string(name) + "\" (known: " + known +
                                 ", on-demand-scale-delay-ms)");
}

std::vector<std::pair<std::string, double>> ThroughputLimits::Figures() const {
  std::vector<std::pair<std::string, double>> out;
  for (const Named& n : kNames) {
    out.emplace_back(n.name, n.scalar ? this->*n.scalar : (this->*n.group).*n.figure);
  }
  out.emplace_back("on-demand-scale-delay-ms", static_cast<double>(on_demand_scale_delay_ms));
  return out;
}

void ThroughputQuota::InitLocked(const QuotaFigures& f, int64_t now_ms) {
  if (init_) return;
  init_ = true;
  write_bytes_ = OneSecond(f.write_bytes, now_ms);
  write_records_ = OneSecond(f.write_records, now_ms);
  read_calls_ = OneSecondOfCalls(f.read_calls, now_ms);
  read_bytes_ = OneSecond(f.read_bytes, now_ms);
  iterator_calls_ = OneSecondOfCalls(f.iterator_calls, now_ms);
  window_start_ms_ = now_ms;
}

void ThroughputQuota::ScaleLocked(const QuotaFigures& f, int64_t now_ms, int64_t delay_ms) {
  if (now_ms - window_start_ms_ >= 1000) {
    // A window of at least a second ended: its accepted rate, as a multiple
    // of the initial figures, is a new peak if it beats every one before it.
    const double seconds = static_cast<double>(now_ms - window_start_ms_) / 1000.0;
    double multiple = 0;
    if (f.write_bytes > 0) multiple = std::max(multiple, window_bytes_ / seconds / f.write_bytes);
    if (f.write_records > 0) multiple = std::max(multiple, window_records_ / seconds / f.write_records);
    const double best = peaks_.empty() ? 0 : peaks_.back().multiple;
    if (multiple > best) peaks_.push_back({now_ms, multiple});
    window_start_ms_ = now_ms;
    window_bytes_ = window_records_ = 0;
  }
  // Peaks older than the delay raise the capacity to twice themselves.
  double target = scale_;
  while (!peaks_.empty() && peaks_.front().at_ms + delay_ms <= now_ms) {
    target = std::max(target, std::min(kMaxOnDemandScale, 2 * peaks_.front().multiple));
    peaks_.erase(peaks_.begin());
  }
  if (target > scale_) {
    scale_ = target;
    write_bytes_.Reconfigure(f.write_bytes * scale_, f.write_bytes * scale_, now_ms);
    write_records_.Reconfigure(f.write_records * scale_, f.write_records * scale_, now_ms);
    read_bytes_.Reconfigure(f.read_bytes * scale_, f.read_bytes * scale_, now_ms);
  }
}

size_t ThroughputQuota::AdmitWrites(const QuotaFigures& f, const size_t* sizes, size_t count, int64_t now_ms,
                                    bool scale_on_demand, int64_t scale_delay_ms) {
  std::lock_guard lock(mu_);
  InitLocked(f, now_ms);
  if (scale_on_demand) ScaleLocked(f, now_ms, scale_delay_ms);
  const double bytes_rate = f.write_bytes * scale_, records_rate = f.write_records * scale_;
  size_t admitted = 0;
  for (; admitted < count; ++admitted) {
    const double size = static_cast<double>(sizes[admitted]);
    if (!Fits(write_records_, records_rate, 1, now_ms) || !Fits(write_bytes_, bytes_rate, size, now_ms)) break;
    if (records_rate > 0) write_records_.Charge(1, now_ms);
    if (bytes_rate > 0) write_bytes_.Charge(size, now_ms);
    window_bytes_ += size;
    window_records_ += 1;
  }
  return admitted;
}

bool ThroughputQuota::AdmitReadCall(const QuotaFigures& f, int64_t now_ms) {
  std::lock_guard lock(mu_);
  InitLocked(f, now_ms);
  if (now_ms < read_blocked_until_ms_) return false;
  if (f.read_bytes > 0 && read_bytes_.Available(now_ms) < 0) return false;
  return f.read_calls <= 0 || read_calls_.TryTake(1, now_ms);
}

bool ThroughputQuota::ReadBytesAvailable(const QuotaFigures& f, int64_t now_ms) {
  std::lock_guard lock(mu_);
  InitLocked(f, now_ms);
  if (now_ms < read_blocked_until_ms_) return false;
  return f.read_bytes <= 0 || read_bytes_.Available(now_ms) >= 0;
}

void ThroughputQuota::ChargeRead(const QuotaFigures& f, size_t bytes, int64_t now_ms) {
  std::lock_guard lock(mu_);
  InitLocked(f, now_ms);
  const double rate = f.read_bytes * scale_;
  if (rate <= 0 || bytes == 0) return;
  const double amount = static_cast<double>(bytes);
  if (read_bytes_.TryTake(amount, now_ms)) return;
  // More than the bucket held: the answer costs its whole size in time.
  read_bytes_.Drain(now_ms);
  // (At most a thousand years: a tiny rate must not overflow the cast.)
  const double block_ms = std::min(amount * 1000.0 / rate, 1e15);
  read_blocked_until_ms_ = std::max(read_blocked_until_ms_, now_ms + static_cast<int64_t>(block_ms));
}

bool ThroughputQuota::AdmitIteratorCall(const QuotaFigures& f, int64_t now_ms) {
  std::lock_guard lock(mu_);
  InitLocked(f, now_ms);
  return f.iterator_calls <= 0 || iterator_calls_.TryTake(1, now_ms);
}

QuotaFigures ThroughputQuota::Current(const QuotaFigures& f) const {
  std::lock_guard lock(mu_);
  QuotaFigures out = f;
  out.write_bytes *= scale_;
  out.write_records *= scale_;
  out.read_bytes *= scale_;
  return out;
}

std::string ShardRateExceededMessage(std::string_view account, std::string_view stream, std::string_view shard_id) {
  return "Rate exceeded for shard " + std::string(shard_id) + " in stream " + std::string(stream) + " under account " +
         std::string(account) + ".";
}

}  // namespace sluice::engine
