#include "cluster/etcd_client.h"

#include <chrono>
#include <thread>

#include "cluster/etcd_json.h"
#include "util/clock.h"

namespace sluice::cluster {
namespace {

// A pass over every endpoint that all failed waits this long before the next.
constexpr int64_t kPassBackoffMs = 50;

// Collects a streamed body up to its first newline-terminated JSON message.
class FirstMessageSink final : public http::BodySink {
 public:
  void OnBody(int status, std::string_view bytes) override {
    if (status != 200 || done()) return;
    buffer_.append(bytes);
  }
  bool done() const { return buffer_.find('\n') != std::string::npos; }
  std::string message() const { return buffer_.substr(0, buffer_.find('\n')); }

 private:
  std::string buffer_;
};

}  // namespace

Result<std::vector<std::string>> ParseClusterUrl(std::string_view url) {
  constexpr std::string_view kScheme = "etcd://";
  if (url.substr(0, kScheme.size()) != kScheme) {
    return Status::InvalidArgument("the cluster URL must start with etcd:// (etcd://HOST:PORT[,HOST:PORT...])");
  }
  std::vector<std::string> endpoints;
  std::string_view rest = url.substr(kScheme.size());
  while (true) {
    const size_t comma = rest.find(',');
    std::string_view one = rest.substr(0, comma);
    if (!one.empty() && one.back() == '/') one.remove_suffix(1);
    Result<http::Url> parsed = http::ParseUrl("http://" + std::string(one));
    if (one.empty() || !parsed.ok() || one.find(':') == std::string_view::npos) {
      return Status::InvalidArgument("bad etcd endpoint '" + std::string(one) + "' in " + std::string(url) +
                                     " (expected HOST:PORT)");
    }
    endpoints.emplace_back(one);
    if (comma == std::string_view::npos) break;
    rest = rest.substr(comma + 1);
  }
  return endpoints;
}

std::string PrefixEnd(std::string_view prefix) {
  std::string end(prefix);
  while (!end.empty()) {
    if (static_cast<unsigned char>(end.back()) < 0xff) {
      end.back() = static_cast<char>(static_cast<unsigned char>(end.back()) + 1);
      return end;
    }
    end.pop_back();
  }
  return std::string(1, '\0');
}

Compare Compare::ModRevision(std::string key, int64_t revision, Op op) {
  return {Target::kModRevision, op, std::move(key), revision, {}};
}
Compare Compare::Version(std::string key, int64_t version, Op op) {
  return {Target::kVersion, op, std::move(key), version, {}};
}
Compare Compare::Absent(std::string key) { return {Target::kCreateRevision, Op::kEqual, std::move(key), 0, {}}; }
Compare Compare::Value(std::string key, std::string value, Op op) {
  return {Target::kValue, op, std::move(key), 0, std::move(value)};
}

TxnOp TxnOp::Put(std::string key, std::string value, int64_t lease) {
  return {Kind::kPut, std::move(key), std::move(value), lease};
}
TxnOp TxnOp::Get(std::string key) { return {Kind::kGet, std::move(key), {}, 0}; }
TxnOp TxnOp::Delete(std::string key) { return {Kind::kDelete, std::move(key), {}, 0}; }
TxnOp TxnOp::DeletePrefix(std::string prefix) {
  std::string end = PrefixEnd(prefix);
  return {Kind::kDelete, std::move(prefix), {}, 0, std::move(end)};
}

Result<std::unique_ptr<EtcdClient>> EtcdClient::Create(EtcdOptions options) {
  if (options.endpoints.empty()) return Status::InvalidArgument("no etcd endpoint given");
  std::vector<Endpoint> endpoints;
  for (const std::string& address : options.endpoints) {
    http::ClientOptions http_options;
    http_options.url = "http://" + address;
    http_options.timeout_ms = options.attempt_timeout_ms;
    http_options.max_idle_connections = 4;
    SLUICE_ASSIGN_OR_RETURN(std::shared_ptr<http::HttpClient> http, http::MakeHttpClient(http_options));
    endpoints.push_back({address, std::move(http)});
  }
  return std::unique_ptr<EtcdClient>(new EtcdClient(std::move(options), std::move(endpoints)));
}

EtcdClient::EtcdClient(EtcdOptions options, std::vector<Endpoint> endpoints)
    : options_(std::move(options)), endpoints_(std::move(endpoints)) {}

Result<std::string> EtcdClient::Call(std::string_view path, const std::string& body) {
  const int64_t deadline = MonotonicMillis() + options_.call_timeout_ms;
  http::Request request;
  request.method = "POST";
  request.target = std::string(path);
  request.headers = {{"Content-Type", "application/json"}};
  request.body = body;
  Status last;
  std::string last_endpoint;
  size_t index = current_.load(std::memory_order_relaxed);
  for (size_t attempt = 0;; ++attempt) {
    const int64_t left = deadline - MonotonicMillis();
    if (left <= 0) break;
    const Endpoint& endpoint = endpoints_[index % endpoints_.size()];
    http::ExchangeOptions exchange;
    exchange.idle_timeout_ms = std::min(left, options_.attempt_timeout_ms);
    exchange.stop = [deadline] { return MonotonicMillis() >= deadline; };
    Result<http::Response> response = endpoint.http->Stream(request, exchange);
    if (response.ok() && response->status == 200) {
      current_.store(index % endpoints_.size(), std::memory_order_relaxed);
      return std::move(response->body);
    }
    last = response.ok() ? etcd_json::ErrorStatus(response->status, response->body) : response.status();
    if (last.code() == ErrorCode::kCancelled) {  // the deadline's stop ended the attempt
      last = Status::TimedOut("no answer within the call's deadline");
    }
    last_endpoint = endpoint.address;
    if (!etcd_json::Retryable(last)) return last;
    ++index;
    if (index % endpoints_.size() == current_.load(std::memory_order_relaxed) % endpoints_.size()) {
      std::this_thread::sleep_for(
          std::chrono::milliseconds(std::max<int64_t>(0, std::min(kPassBackoffMs, deadline - MonotonicMillis()))));
    }
  }
  if (last.ok()) last = Status::TimedOut("no attempt started");
  return Status::TimedOut("etcd: no endpoint of " + std::to_string(endpoints_.size()) + " answered " +
                          std::string(path) + " within " + std::to_string(options_.call_timeout_ms) +
                          " ms; last error from " + last_endpoint + ": " + last.ToString());
}

Result<std::optional<KeyValue>> EtcdClient::Get(std::string_view key) {
  SLUICE_ASSIGN_OR_RETURN(std::string body, Call("/v3/kv/range", etcd_json::RangeRequest(key, "", 0)));
  SLUICE_ASSIGN_OR_RETURN(RangeResult range, etcd_json::ParseRange(body));
  if (range.kvs.empty()) return std::optional<KeyValue>();
  return std::optional<KeyValue>(std::move(range.kvs.front()));
}

Result<RangeResult> EtcdClient::GetPrefix(std::string_view prefix, int64_t limit) {
  SLUICE_ASSIGN_OR_RETURN(std::string body,
                          Call("/v3/kv/range", etcd_json::RangeRequest(prefix, PrefixEnd(prefix), limit)));
  return etcd_json::ParseRange(body);
}

Result<int64_t> EtcdClient::Put(std::string_view key, std::string_view value, int64_t lease) {
  SLUICE_ASSIGN_OR_RETURN(std::string body, Call("/v3/kv/put", etcd_json::PutRequest(key, value, lease)));
  return etcd_json::ParseHeaderRevision(body);
}

Result<int64_t> EtcdClient::Delete(std::string_view key) {
  SLUICE_ASSIGN_OR_RETURN(std::string body, Call("/v3/kv/deleterange", etcd_json::DeleteRangeRequest(key, "")));
  return etcd_json::ParseDeleted(body);
}

Result<TxnResult> EtcdClient::Txn(const std::vector<Compare>& compares, const std::vector<TxnOp>& success,
                                  const std::vector<TxnOp>& failure) {
  SLUICE_ASSIGN_OR_RETURN(std::string body, Call("/v3/kv/txn", etcd_json::TxnRequest(compares, success, failure)));
  return etcd_json::ParseTxn(body);
}

Result<TxnResult> EtcdClient::CompareAndSwap(std::string_view key, int64_t expected_mod_revision,
                                             std::string_view value, int64_t lease) {
  const std::string k(key);
  return Txn({Compare::ModRevision(k, expected_mod_revision)}, {TxnOp::Put(k, std::string(value), lease)},
             {TxnOp::Get(k)});
}

Status EtcdClient::Compact(int64_t revision) {
  return Call("/v3/kv/compaction", etcd_json::CompactionRequest(revision)).status();
}

Result<Lease> EtcdClient::GrantLease(int64_t ttl_s) {
  SLUICE_ASSIGN_OR_RETURN(std::string body, Call("/v3/lease/grant", etcd_json::LeaseGrantRequest(ttl_s)));
  return etcd_json::ParseLeaseGrant(body);
}

Result<int64_t> EtcdClient::KeepAliveOnce(int64_t lease_id) {
  // The gateway's keepalive is a stream that stays open: read its first
  // answer, then close the connection (the stop below ends the call).
  const int64_t deadline = MonotonicMillis() + options_.call_timeout_ms;
  Status last;
  while (true) {
    const int64_t left = deadline - MonotonicMillis();
    if (left <= 0) break;
    FirstMessageSink sink;
    Status s = StreamOnce(
        "/v3/lease/keepalive", etcd_json::LeaseIdRequest(lease_id), &sink,
        [&sink, deadline] { return sink.done() || MonotonicMillis() >= deadline; },
        std::min(left, options_.attempt_timeout_ms));
    if (sink.done()) return etcd_json::ParseKeepAlive(sink.message());
    last = s;
    if (!etcd_json::Retryable(s) && s.code() != ErrorCode::kCancelled) return s;
    std::this_thread::sleep_for(
        std::chrono::milliseconds(std::max<int64_t>(0, std::min(kPassBackoffMs, deadline - MonotonicMillis()))));
  }
  return Status::TimedOut("etcd: no endpoint renewed lease " + std::to_string(lease_id) + " within " +
                          std::to_string(options_.call_timeout_ms) + " ms; last error: " + last.ToString());
}

Status EtcdClient::RevokeLease(int64_t lease_id) {
  Result<std::string> body = Call("/v3/lease/revoke", etcd_json::LeaseIdRequest(lease_id));
  if (!body.ok() && body.status().code() != ErrorCode::kResourceNotFound) return body.status();
  return Status::Ok();
}

Status EtcdClient::StreamOnce(std::string_view path, const std::string& body, http::BodySink* sink,
                              const http::StopFn& stop, int64_t idle_timeout_ms) {
  const size_t index = current_.load(std::memory_order_relaxed) % endpoints_.size();
  const Endpoint& endpoint = endpoints_[index];
  http::Request request;
  request.method = "POST";
  request.target = std::string(path);
  request.headers = {{"Content-Type", "application/json"}};
  request.body = body;
  http::ExchangeOptions exchange;
  exchange.idle_timeout_ms = idle_timeout_ms;
  // A stream stays on the endpoint the calls use: once one has moved on from
  // this one (it did not answer: down, hung, cut off), the stream ends too.
  bool moved = false;
  exchange.stop = [&] {
    if (stop && stop()) return true;
    moved = current_.load(std::memory_order_relaxed) % endpoints_.size() != index;
    return moved;
  };
  exchange.sink = sink;
  Result<http::Response> response = endpoint.http->Stream(request, exchange);
  Status s = response.status();
  if (moved) return Status::ConnectionFailed("etcd " + endpoint.address + ": the calls moved to another endpoint");
  if (response.ok() && response->status != 200) {
    s = Status::BadResponse("etcd " + endpoint.address + " answered " + std::string(path) + " with HTTP " +
                            std::to_string(response->status));
  }
  if (!s.ok() && s.code() != ErrorCode::kCancelled) {
    // Another endpoint next time; the next caller starts there too.
    size_t expected = index;
    current_.compare_exchange_strong(expected, (index + 1) % endpoints_.size());
    return Status(s.code(), "etcd " + endpoint.address + ": " + s.message());
  }
  return s;
}

}  // namespace sluice::cluster
