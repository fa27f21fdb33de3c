#include "api/faults.h"

#include <cmath>
#include <random>
#include <vector>

#include <fmt/format.h>
#include <simdjson.h>

#include "api/operation_table.h"
#include "protocol/errors.h"
#include "protocol/json_writer.h"
#include "util/spelling.h"

namespace sluice::api {
namespace {

// The error types a rule may inject, by their wire names.
constexpr ErrorCode kInjectable[] = {
    ErrorCode::kInternalFailure,  ErrorCode::kServiceUnavailable, ErrorCode::kProvisionedThroughputExceeded,
    ErrorCode::kLimitExceeded,    ErrorCode::kResourceInUse,      ErrorCode::kResourceNotFound,
    ErrorCode::kExpiredIterator,  ErrorCode::kAccessDenied,       ErrorCode::kKmsDisabled,
    ErrorCode::kKmsInvalidState,  ErrorCode::kKmsAccessDenied,    ErrorCode::kKmsNotFound,
    ErrorCode::kKmsOptInRequired, ErrorCode::kKmsThrottling,
};

std::optional<ErrorCode> ErrorByName(std::string_view name) {
  for (ErrorCode code : kInjectable) {
    std::string_view wire = protocol::ErrorTypeName(code);
    if (name == wire) return code;
    // "ProvisionedThroughputExceeded" for "ProvisionedThroughputExceededException".
    constexpr std::string_view kSuffix = "Exception";
    if (wire.size() > kSuffix.size() && wire.substr(wire.size() - kSuffix.size()) == kSuffix &&
        name == wire.substr(0, wire.size() - kSuffix.size())) {
      return code;
    }
  }
  return std::nullopt;
}

// The service's wording where it has one.
std::string DefaultMessage(ErrorCode code, std::string_view stream, std::string_view account) {
  switch (code) {
    case ErrorCode::kInternalFailure: return "Internal Service Failure";
    case ErrorCode::kServiceUnavailable: return "Service Unavailable";
    case ErrorCode::kProvisionedThroughputExceeded:
    case ErrorCode::kLimitExceeded:
      return stream.empty() ? fmt::format("Rate exceeded for account {}.", account)
                            : fmt::format("Rate exceeded for stream {} under account {}.", stream, account);
    case ErrorCode::kKmsThrottling: return "The request was denied due to request throttling.";
    case ErrorCode::kKmsDisabled: return "The request was rejected because the specified KMS key is disabled.";
    case ErrorCode::kKmsInvalidState:
      return "The request was rejected because the state of the specified KMS key is not valid for this request.";
    case ErrorCode::kKmsAccessDenied:
      return "The ciphertext references a key that doesn't exist or that you don't have access to.";
    case ErrorCode::kKmsNotFound: return "The request was rejected because the specified KMS key was not found.";
    case ErrorCode::kKmsOptInRequired: return "The AWS access key ID needs a subscription for the service.";
    default: return fmt::format("Injected {}.", protocol::ErrorTypeName(code));
  }
}

enum class Distribution { kNone, kFixed, kUniform, kExponential, kNormal };

const char* DistributionName(Distribution d) {
  switch (d) {
    case Distribution::kUniform: return "uniform";
    case Distribution::kExponential: return "exponential";
    case Distribution::kNormal: return "normal";
    default: return "fixed";
  }
}

}  // namespace

struct FaultInjector::Rule {
  std::string operation;  // "" = any
  std::string stream;     // "" = any
  std::optional<ErrorCode> error;
  std::string message;
  double error_rate = 0, record_error_rate = 0, drop_rate = 0;
  bool drop_after = false;
  Distribution latency = Distribution::kNone;
  double a = 0, b = 0;  // fixed: a; uniform: [a, b]; exponential: mean a; normal: mean a, stddev b
  uint64_t seed = 0;
  uint64_t state = 0;

  // splitmix64: small, fast, and the same sequence everywhere for a seed.
  uint64_t NextBits() {
    uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  double Uniform() { return static_cast<double>(NextBits() >> 11) * 0x1.0p-53; }  // [0, 1)

  bool Matches(std::string_view op, std::string_view s) const {
    return (operation.empty() || operation == op) && (stream.empty() || stream == s);
  }
};

namespace {

Status Bad(size_t index, std::string_view what) {
  return Status::InvalidArgument(fmt::format("fault rule {}: {}", index, what));
}

// "unknown operation \"PutRecod\" (did you mean \"PutRecord\"?)".
std::string UnknownOperation(std::string_view name) {
  std::vector<std::string_view> names;
  for (const OperationEntry& e : AllOperations()) names.push_back(e.name);
  const std::optional<std::string> meant = ClosestName(name, names);
  if (!meant) return fmt::format("unknown operation \"{}\" (an operation of the Kinesis API, or \"*\")", name);
  return fmt::format("unknown operation \"{}\" (did you mean \"{}\"?)", name, *meant);
}

// A number member (absent: nullopt), checked to be within [lo, hi].
Result<std::optional<double>> Number(simdjson::dom::object obj, std::string_view key, size_t index, double lo,
                                     double hi) {
  simdjson::dom::element e;
  if (obj[key].get(e) != simdjson::SUCCESS) return std::optional<double>();
  double v = 0;
  if (e.is_double()) {
    v = e.get_double().value();
  } else if (e.is_int64()) {
    v = static_cast<double>(e.get_int64().value());
  } else if (e.is_uint64()) {
    v = static_cast<double>(e.get_uint64().value());
  } else {
    return Bad(index, fmt::format("\"{}\" must be a number", key));
  }
  if (!(v >= lo && v <= hi)) return Bad(index, fmt::format("\"{}\" must be between {} and {}", key, lo, hi));
  return std::optional<double>(v);
}

Result<std::optional<std::string>> Text(simdjson::dom::object obj, std::string_view key, size_t index) {
  simdjson::dom::element e;
  if (obj[key].get(e) != simdjson::SUCCESS) return std::optional<std::string>();
  std::string_view v;
  if (e.get_string().get(v) != simdjson::SUCCESS) return Bad(index, fmt::format("\"{}\" must be a string", key));
  return std::optional<std::string>(std::string(v));
}

constexpr double kMaxLatencyMs = 10 * 60 * 1000;

}  // namespace

FaultInjector::FaultInjector() = default;
FaultInjector::~FaultInjector() = default;

bool FaultInjector::active() const { return active_.load(std::memory_order_acquire); }

void FaultInjector::Clear() {
  std::lock_guard lock(mu_);
  rules_.clear();
  active_.store(false, std::memory_order_release);
}

Status FaultInjector::Replace(std::string_view json) {
  simdjson::dom::parser parser;
  simdjson::padded_string padded(json);
  simdjson::dom::element doc;
  if (parser.parse(padded).get(doc) != simdjson::SUCCESS) {
    return Status::InvalidArgument("fault rules: not a JSON document");
  }
  simdjson::dom::object top;
  simdjson::dom::array list;
  if (doc.get_object().get(top) != simdjson::SUCCESS || top["rules"].get_array().get(list) != simdjson::SUCCESS) {
    return Status::InvalidArgument("fault rules: expected {\"rules\": [...]}");
  }
  static const std::string_view kKnown[] = {"operation",         "stream",     "error",     "error_rate", "message",
                                            "record_error_rate", "latency_ms", "drop_rate", "drop_when",  "seed"};
  std::vector<std::unique_ptr<Rule>> rules;
  std::random_device random;
  size_t index = 0;
  for (simdjson::dom::element item : list) {
    simdjson::dom::object obj;
    if (item.get_object().get(obj) != simdjson::SUCCESS) return Bad(index, "must be an object");
    for (auto field : obj) {
      bool known = false;
      for (std::string_view k : kKnown) known = known || field.key == k;
      if (!known) return Bad(index, fmt::format("unknown member \"{}\"", field.key));
    }
    auto rule = std::make_unique<Rule>();
    SLUICE_ASSIGN_OR_RETURN(std::optional<std::string> op, Text(obj, "operation", index));
    SLUICE_ASSIGN_OR_RETURN(std::optional<std::string> stream, Text(obj, "stream", index));
    SLUICE_ASSIGN_OR_RETURN(std::optional<std::string> error, Text(obj, "error", index));
    SLUICE_ASSIGN_OR_RETURN(std::optional<std::string> message, Text(obj, "message", index));
    SLUICE_ASSIGN_OR_RETURN(std::optional<std::string> drop_when, Text(obj, "drop_when", index));
    SLUICE_ASSIGN_OR_RETURN(std::optional<double> error_rate, Number(obj, "error_rate", index, 0, 1));
    SLUICE_ASSIGN_OR_RETURN(std::optional<double> record_rate, Number(obj, "record_error_rate", index, 0, 1));
    SLUICE_ASSIGN_OR_RETURN(std::optional<double> drop_rate, Number(obj, "drop_rate", index, 0, 1));
    SLUICE_ASSIGN_OR_RETURN(std::optional<double> seed, Number(obj, "seed", index, 0, 9007199254740991.0));
    if (op && *op != "*") {
      // A rule for an operation the API does not have would never fire.
      if (FindOperation(*op) == nullptr) return Bad(index, UnknownOperation(*op));
      rule->operation = *op;
    }
    if (stream && *stream != "*") rule->stream = *stream;
    rule->error_rate = error_rate.value_or(0);
    rule->record_error_rate = record_rate.value_or(0);
    rule->drop_rate = drop_rate.value_or(0);
    if (error) {
      rule->error = ErrorByName(*error);
      if (!rule->error) {
        std::string names;
        for (ErrorCode c : kInjectable) names.append(names.empty() ? "" : ", ").append(protocol::ErrorTypeName(c));
        return Bad(index, fmt::format("unknown error \"{}\" (known: {})", *error, names));
      }
    } else if (rule->error_rate > 0 || rule->record_error_rate > 0) {
      return Bad(index, "an error rate needs \"error\"");
    }
    if (message) rule->message = *message;
    if (drop_when) {
      if (*drop_when != "before" && *drop_when != "after")
        return Bad(index, "\"drop_when\" must be \"before\" or \"after\"");
      rule->drop_after = *drop_when == "after";
    }

    simdjson::dom::element latency;
    if (obj["latency_ms"].get(latency) == simdjson::SUCCESS) {
      if (latency.is_number()) {
        SLUICE_ASSIGN_OR_RETURN(std::optional<double> fixed, Number(obj, "latency_ms", index, 0, kMaxLatencyMs));
        rule->latency = Distribution::kFixed;
        rule->a = *fixed;
      } else {
        simdjson::dom::object spec;
        if (latency.get_object().get(spec) != simdjson::SUCCESS) {
          return Bad(index, "\"latency_ms\" must be a number or an object");
        }
        SLUICE_ASSIGN_OR_RETURN(std::optional<std::string> dist, Text(spec, "distribution", index));
        SLUICE_ASSIGN_OR_RETURN(std::optional<double> min, Number(spec, "min", index, 0, kMaxLatencyMs));
        SLUICE_ASSIGN_OR_RETURN(std::optional<double> max, Number(spec, "max", index, 0, kMaxLatencyMs));
        SLUICE_ASSIGN_OR_RETURN(std::optional<double> mean, Number(spec, "mean", index, 0, kMaxLatencyMs));
        SLUICE_ASSIGN_OR_RETURN(std::optional<double> stddev, Number(spec, "stddev", index, 0, kMaxLatencyMs));
        if (dist == "uniform" && min && max && *min <= *max) {
          rule->latency = Distribution::kUniform;
          rule->a = *min;
          rule->b = *max;
        } else if (dist == "exponential" && mean) {
          rule->latency = Distribution::kExponential;
          rule->a = *mean;
        } else if (dist == "normal" && mean && stddev) {
          rule->latency = Distribution::kNormal;
          rule->a = *mean;
          rule->b = *stddev;
        } else {
          return Bad(index,
                     "\"latency_ms\" must be {\"distribution\": \"uniform\", \"min\", \"max\"}, "
                     "{\"distribution\": \"exponential\", \"mean\"} or {\"distribution\": \"normal\", \"mean\", "
                     "\"stddev\"}");
        }
      }
    }
    rule->seed =
        seed ? static_cast<uint64_t>(*seed) : ((static_cast<uint64_t>(random()) << 21) ^ random()) & ((1ull << 53) - 1);
    rule->state = rule->seed;
    rules.push_back(std::move(rule));
    ++index;
  }
  std::lock_guard lock(mu_);
  rules_ = std::move(rules);
  active_.store(!rules_.empty(), std::memory_order_release);
  return Status::Ok();
}

std::string FaultInjector::Describe() const {
  std::lock_guard lock(mu_);
  std::string out;
  protocol::JsonWriter w(&out);
  w.BeginObject();
  w.Key("rules");
  w.BeginArray();
  for (const auto& r : rules_) {
    w.BeginObject();
    if (!r->operation.empty()) w.Member("operation", r->operation);
    if (!r->stream.empty()) w.Member("stream", r->stream);
    if (r->error) w.Member("error", protocol::ErrorTypeName(*r->error));
    if (!r->message.empty()) w.Member("message", r->message);
    if (r->error_rate > 0) w.MemberDouble("error_rate", r->error_rate);
    if (r->record_error_rate > 0) w.MemberDouble("record_error_rate", r->record_error_rate);
    if (r->drop_rate > 0) {
      w.MemberDouble("drop_rate", r->drop_rate);
      w.Member("drop_when", r->drop_after ? "after" : "before");
    }
    if (r->latency == Distribution::kFixed) {
      w.MemberDouble("latency_ms", r->a);
    } else if (r->latency != Distribution::kNone) {
      w.Key("latency_ms");
      w.BeginObject();
      w.Member("distribution", DistributionName(r->latency));
      if (r->latency == Distribution::kUniform) {
        w.MemberDouble("min", r->a);
        w.MemberDouble("max", r->b);
      } else {
        w.MemberDouble("mean", r->a);
        if (r->latency == Distribution::kNormal) w.MemberDouble("stddev", r->b);
      }
      w.EndObject();
    }
    w.MemberInt("seed", static_cast<int64_t>(r->seed));
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return out;
}

void FaultInjector::RunAfter(int64_t delay_ms, std::function<void()> fn) {
  {
    std::lock_guard lock(timer_mu_);
    if (!stopped_) {
      if (!timers_) timers_ = std::make_unique<TimerQueue>();
      // Queued under the lock, so Stop() cannot destroy the queue meanwhile.
      timers_->RunAfter(delay_ms, std::move(fn));
      return;
    }
  }
  fn();
}

void FaultInjector::Stop() {
  std::unique_ptr<TimerQueue> timers;
  {
    std::lock_guard lock(timer_mu_);
    stopped_ = true;
    timers = std::move(timers_);
  }
  // Outside the lock: the callbacks it runs may call RunAfter.
  timers.reset();
}

FaultDecision FaultInjector::Decide(std::string_view operation, std::string_view stream, std::string_view account,
                                    size_t records) {
  FaultDecision d;
  std::lock_guard lock(mu_);
  for (const auto& rule : rules_) {
    if (!rule->Matches(operation, stream)) continue;
    Rule& r = *rule;
    // The same draws for every matching call, whatever the outcome.
    const double drop = r.Uniform(), fail = r.Uniform(), u1 = r.Uniform(), u2 = r.Uniform();
    if (drop < r.drop_rate) (r.drop_after ? d.drop_after : d.drop_before) = true;
    if (fail < r.error_rate) {
      d.error = Status(*r.error, r.message.empty() ? DefaultMessage(*r.error, stream, account) : r.message);
    }
    double latency = 0;
    switch (r.latency) {
      case Distribution::kNone: break;
      case Distribution::kFixed: latency = r.a; break;
      case Distribution::kUniform: latency = r.a + (r.b - r.a) * u1; break;
      case Distribution::kExponential: latency = -r.a * std::log1p(-u1); break;
      case Distribution::kNormal:
        latency = r.a + r.b * std::sqrt(-2.0 * std::log1p(-u1)) * std::cos(2.0 * M_PI * u2);
        break;
    }
    d.delay_ms = static_cast<int64_t>(std::clamp(latency, 0.0, kMaxLatencyMs));
    if (r.record_error_rate > 0 && operation == "PutRecords") {
      d.record_error_rate = r.record_error_rate;
      d.record_error = Status(*r.error, r.message.empty() ? DefaultMessage(*r.error, stream, account) : r.message);
      d.record_draws.reserve(records);
      for (size_t i = 0; i < records; ++i) d.record_draws.push_back(r.Uniform());
    }
    break;  // the first matching rule decides
  }
  return d;
}

}  // namespace sluice::api
