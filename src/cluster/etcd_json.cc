#include "cluster/etcd_json.h"

#include <simdjson.h>

#include <charconv>

#include "protocol/json_writer.h"
#include "util/base64.h"

namespace sluice::cluster::etcd_json {
namespace {

using protocol::JsonWriter;
namespace dom = simdjson::dom;

void MemberInt64(JsonWriter& w, std::string_view name, int64_t value) {
  w.Key(name);
  w.String(std::to_string(value));  // the gateway reads int64 from strings, as it writes them
}

void MemberBlob(JsonWriter& w, std::string_view name, std::string_view bytes) {
  w.Key(name);
  w.Blob(bytes);
}

// {"<name>":"<value>"}
std::string Int64Object(std::string_view name, int64_t value) {
  std::string out;
  JsonWriter w(&out);
  w.BeginObject();
  MemberInt64(w, name, value);
  w.EndObject();
  return out;
}

void WriteRange(JsonWriter& w, std::string_view key, std::string_view range_end, int64_t limit) {
  w.BeginObject();
  MemberBlob(w, "key", key);
  if (!range_end.empty()) MemberBlob(w, "range_end", range_end);
  if (limit > 0) MemberInt64(w, "limit", limit);
  w.EndObject();
}

void WritePut(JsonWriter& w, std::string_view key, std::string_view value, int64_t lease) {
  w.BeginObject();
  MemberBlob(w, "key", key);
  MemberBlob(w, "value", value);
  if (lease != 0) MemberInt64(w, "lease", lease);
  w.EndObject();
}

void WriteDeleteRange(JsonWriter& w, std::string_view key, std::string_view range_end) {
  w.BeginObject();
  MemberBlob(w, "key", key);
  if (!range_end.empty()) MemberBlob(w, "range_end", range_end);
  w.EndObject();
}

const char* TargetName(Compare::Target t) {
  switch (t) {
    case Compare::Target::kVersion: return "VERSION";
    case Compare::Target::kCreateRevision: return "CREATE";
    case Compare::Target::kModRevision: return "MOD";
    case Compare::Target::kValue: return "VALUE";
  }
  return "MOD";
}

const char* OpName(Compare::Op op) {
  switch (op) {
    case Compare::Op::kEqual: return "EQUAL";
    case Compare::Op::kNotEqual: return "NOT_EQUAL";
    case Compare::Op::kGreater: return "GREATER";
    case Compare::Op::kLess: return "LESS";
  }
  return "EQUAL";
}

void WriteOps(JsonWriter& w, std::string_view name, const std::vector<TxnOp>& ops) {
  w.Key(name);
  w.BeginArray();
  for (const TxnOp& op : ops) {
    w.BeginObject();
    switch (op.kind) {
      case TxnOp::Kind::kPut:
        w.Key("request_put");
        WritePut(w, op.key, op.value, op.lease);
        break;
      case TxnOp::Kind::kGet:
        w.Key("request_range");
        WriteRange(w, op.key, op.range_end, 0);
        break;
      case TxnOp::Kind::kDelete:
        w.Key("request_delete_range");
        WriteDeleteRange(w, op.key, op.range_end);
        break;
    }
    w.EndObject();
  }
  w.EndArray();
}

Status Bad(std::string_view what) { return Status::BadResponse("etcd answer: " + std::string(what)); }

// The thread's parser: the views of a parsed document live until its next parse.
Result<dom::object> ParseObject(std::string_view body) {
  thread_local dom::parser parser;
  dom::object obj;
  if (parser.parse(body.data(), body.size(), true).get(obj) != simdjson::SUCCESS) return Bad("not a JSON object");
  return obj;
}

// An int64 member given as a string (the gateway's way) or a number; 0 when absent.
Result<int64_t> Int64(dom::object obj, std::string_view name) {
  dom::element e;
  if (obj[name].get(e) != simdjson::SUCCESS || e.is_null()) return int64_t{0};
  if (int64_t n; e.get_int64().get(n) == simdjson::SUCCESS) return n;
  std::string_view s;
  if (e.get_string().get(s) != simdjson::SUCCESS) return Bad(std::string(name) + " is not an integer");
  int64_t n = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (ec != std::errc() || end != s.data() + s.size()) return Bad(std::string(name) + " is not an integer");
  return n;
}

bool Bool(dom::object obj, std::string_view name) {
  bool b = false;
  return obj[name].get_bool().get(b) == simdjson::SUCCESS && b;
}

Result<std::string> Bytes(dom::object obj, std::string_view name) {
  std::string_view s;
  if (obj[name].get_string().get(s) != simdjson::SUCCESS) return std::string();
  std::string out;
  if (!base64::Decode(s, &out)) return Bad(std::string(name) + " is not base64");
  return out;
}

std::string_view String(dom::object obj, std::string_view name) {
  std::string_view s;
  if (obj[name].get_string().get(s) != simdjson::SUCCESS) return {};
  return s;
}

Result<dom::object> Object(dom::object obj, std::string_view name) {
  dom::object o;
  if (obj[name].get_object().get(o) != simdjson::SUCCESS) return Bad(std::string(name) + " is missing");
  return o;
}

Result<KeyValue> ParseKeyValue(dom::object o) {
  KeyValue kv;
  SLUICE_ASSIGN_OR_RETURN(kv.key, Bytes(o, "key"));
  SLUICE_ASSIGN_OR_RETURN(kv.value, Bytes(o, "value"));
  SLUICE_ASSIGN_OR_RETURN(kv.create_revision, Int64(o, "create_revision"));
  SLUICE_ASSIGN_OR_RETURN(kv.mod_revision, Int64(o, "mod_revision"));
  SLUICE_ASSIGN_OR_RETURN(kv.version, Int64(o, "version"));
  SLUICE_ASSIGN_OR_RETURN(kv.lease, Int64(o, "lease"));
  return kv;
}

Status AppendKvs(dom::object obj, std::vector<KeyValue>* out) {
  dom::array kvs;
  if (obj["kvs"].get_array().get(kvs) != simdjson::SUCCESS) return Status::Ok();
  for (dom::element e : kvs) {
    dom::object o;
    if (e.get_object().get(o) != simdjson::SUCCESS) return Bad("kvs holds a non-object");
    SLUICE_ASSIGN_OR_RETURN(KeyValue kv, ParseKeyValue(o));
    out->push_back(std::move(kv));
  }
  return Status::Ok();
}

// A message of a streamed answer: {"result":{...}}, or {"error":{"message":...}}
// (ServiceUnavailable, so that the caller tries again).
Result<dom::object> StreamResult(std::string_view message, std::string_view call) {
  SLUICE_ASSIGN_OR_RETURN(dom::object obj, ParseObject(message));
  dom::object result;
  if (obj["result"].get_object().get(result) == simdjson::SUCCESS) return result;
  dom::object error;
  if (obj["error"].get_object().get(error) == simdjson::SUCCESS) {
    return Status(ErrorCode::kServiceUnavailable,
                  "etcd: " + std::string(call) + " failed: " + std::string(String(error, "message")));
  }
  return Bad("a " + std::string(call) + " message without a result");
}

Result<int64_t> HeaderRevision(dom::object obj) {
  dom::object header;
  if (obj["header"].get_object().get(header) != simdjson::SUCCESS) return int64_t{0};
  return Int64(header, "revision");
}

}  // namespace

std::string RangeRequest(std::string_view key, std::string_view range_end, int64_t limit) {
  std::string out;
  JsonWriter w(&out);
  WriteRange(w, key, range_end, limit);
  return out;
}

std::string PutRequest(std::string_view key, std::string_view value, int64_t lease) {
  std::string out;
  JsonWriter w(&out);
  WritePut(w, key, value, lease);
  return out;
}

std::string DeleteRangeRequest(std::string_view key, std::string_view range_end) {
  std::string out;
  JsonWriter w(&out);
  WriteDeleteRange(w, key, range_end);
  return out;
}

std::string TxnRequest(const std::vector<Compare>& compares, const std::vector<TxnOp>& success,
                       const std::vector<TxnOp>& failure) {
  std::string out;
  JsonWriter w(&out);
  w.BeginObject();
  w.Key("compare");
  w.BeginArray();
  for (const Compare& c : compares) {
    w.BeginObject();
    w.Member("target", TargetName(c.target));
    w.Member("result", OpName(c.op));
    MemberBlob(w, "key", c.key);
    switch (c.target) {
      case Compare::Target::kVersion: MemberInt64(w, "version", c.number); break;
      case Compare::Target::kCreateRevision: MemberInt64(w, "create_revision", c.number); break;
      case Compare::Target::kModRevision: MemberInt64(w, "mod_revision", c.number); break;
      case Compare::Target::kValue: MemberBlob(w, "value", c.value); break;
    }
    w.EndObject();
  }
  w.EndArray();
  WriteOps(w, "success", success);
  WriteOps(w, "failure", failure);
  w.EndObject();
  return out;
}

std::string LeaseGrantRequest(int64_t ttl_s) { return Int64Object("TTL", ttl_s); }

std::string LeaseIdRequest(int64_t lease_id) { return Int64Object("ID", lease_id); }

std::string CompactionRequest(int64_t revision) {
  std::string out;
  JsonWriter w(&out);
  w.BeginObject();
  MemberInt64(w, "revision", revision);
  w.MemberBool("physical", true);
  w.EndObject();
  return out;
}

std::string WatchCreateRequest(std::string_view key, std::string_view range_end, int64_t start_revision) {
  std::string out;
  JsonWriter w(&out);
  w.BeginObject();
  w.Key("create_request");
  w.BeginObject();
  MemberBlob(w, "key", key);
  if (!range_end.empty()) MemberBlob(w, "range_end", range_end);
  if (start_revision > 0) MemberInt64(w, "start_revision", start_revision);
  w.EndObject();
  w.EndObject();
  return out;
}

Result<RangeResult> ParseRange(std::string_view body) {
  SLUICE_ASSIGN_OR_RETURN(dom::object obj, ParseObject(body));
  RangeResult r;
  SLUICE_ASSIGN_OR_RETURN(r.revision, HeaderRevision(obj));
  SLUICE_RETURN_IF_ERROR(AppendKvs(obj, &r.kvs));
  r.more = Bool(obj, "more");
  return r;
}

Result<int64_t> ParseHeaderRevision(std::string_view body) {
  SLUICE_ASSIGN_OR_RETURN(dom::object obj, ParseObject(body));
  return HeaderRevision(obj);
}

Result<int64_t> ParseDeleted(std::string_view body) {
  SLUICE_ASSIGN_OR_RETURN(dom::object obj, ParseObject(body));
  return Int64(obj, "deleted");
}

Result<TxnResult> ParseTxn(std::string_view body) {
  SLUICE_ASSIGN_OR_RETURN(dom::object obj, ParseObject(body));
  TxnResult r;
  r.succeeded = Bool(obj, "succeeded");
  SLUICE_ASSIGN_OR_RETURN(r.revision, HeaderRevision(obj));
  dom::array responses;
  if (obj["responses"].get_array().get(responses) != simdjson::SUCCESS) return r;
  for (dom::element e : responses) {
    dom::object op;
    if (e.get_object().get(op) != simdjson::SUCCESS) return Bad("responses holds a non-object");
    dom::object range;
    if (op["response_range"].get_object().get(range) == simdjson::SUCCESS) {
      SLUICE_RETURN_IF_ERROR(AppendKvs(range, &r.kvs));
    }
  }
  return r;
}

Result<Lease> ParseLeaseGrant(std::string_view body) {
  SLUICE_ASSIGN_OR_RETURN(dom::object obj, ParseObject(body));
  if (std::string_view error = String(obj, "error"); !error.empty()) {
    return Status::Internal("etcd: lease grant failed: " + std::string(error));
  }
  Lease lease;
  SLUICE_ASSIGN_OR_RETURN(lease.id, Int64(obj, "ID"));
  SLUICE_ASSIGN_OR_RETURN(lease.ttl_s, Int64(obj, "TTL"));
  if (lease.id == 0) return Bad("a lease grant without an ID");
  return lease;
}

Result<int64_t> ParseKeepAlive(std::string_view body) {
  SLUICE_ASSIGN_OR_RETURN(dom::object result, StreamResult(body, "keepalive"));
  return Int64(result, "TTL");
}

Result<WatchMessage> ParseWatchMessage(std::string_view line) {
  SLUICE_ASSIGN_OR_RETURN(dom::object result, StreamResult(line, "watch"));
  WatchMessage m;
  m.created = Bool(result, "created");
  m.canceled = Bool(result, "canceled");
  m.cancel_reason = std::string(String(result, "cancel_reason"));
  SLUICE_ASSIGN_OR_RETURN(m.compact_revision, Int64(result, "compact_revision"));
  SLUICE_ASSIGN_OR_RETURN(m.revision, HeaderRevision(result));
  dom::array events;
  if (result["events"].get_array().get(events) != simdjson::SUCCESS) return m;
  for (dom::element e : events) {
    dom::object ev;
    if (e.get_object().get(ev) != simdjson::SUCCESS) return Bad("events holds a non-object");
    WatchEvent out;
    out.type = String(ev, "type") == "DELETE" ? WatchEvent::Type::kDelete : WatchEvent::Type::kPut;
    SLUICE_ASSIGN_OR_RETURN(dom::object kv, Object(ev, "kv"));
    SLUICE_ASSIGN_OR_RETURN(out.kv, ParseKeyValue(kv));
    m.events.push_back(std::move(out));
  }
  return m;
}

Status ErrorStatus(int http_status, std::string_view body) {
  int64_t code = -1;
  std::string message;
  if (Result<dom::object> obj = ParseObject(body); obj.ok()) {
    if (Result<int64_t> c = Int64(*obj, "code"); c.ok() && (*obj)["code"].error() == simdjson::SUCCESS) code = *c;
    message = std::string(String(*obj, "message"));
  }
  if (message.empty()) message = std::string(body.substr(0, 200));
  message = "etcd: " + message + " (HTTP " + std::to_string(http_status) + ")";
  switch (code) {
    case 5:  // NotFound
      return Status::NotFound(std::move(message));
    case 3:  // InvalidArgument
    case 9:  // FailedPrecondition
      return Status::InvalidArgument(std::move(message));
    case 4:   // DeadlineExceeded
    case 14:  // Unavailable
      return Status(ErrorCode::kServiceUnavailable, std::move(message));
    default: break;
  }
  if (http_status == 503 || http_status == 504) return Status(ErrorCode::kServiceUnavailable, std::move(message));
  return Status::Internal(std::move(message));
}

bool Retryable(const Status& s) {
  switch (s.code()) {
    case ErrorCode::kConnectionFailed:
    case ErrorCode::kTimedOut:
    case ErrorCode::kBadResponse:
    case ErrorCode::kServiceUnavailable: return true;
    default: return false;
  }
}

}  // namespace sluice::cluster::etcd_json
