#include "dynamodb/call.h"

#include <mutex>

#include "gateway/aws_responses.h"
#include "protocol/json_writer.h"

namespace sluice::dynamodb {

std::string ErrorType(std::string_view exception) {
  if (exception == "ValidationException") return "com.amazon.coral.validate#ValidationException";
  if (exception == "SerializationException" || exception == "UnknownOperationException" ||
      exception == "MissingAuthenticationTokenException" || exception == "InvalidSignatureException" ||
      exception == "IncompleteSignatureException" || exception == "UnrecognizedClientException") {
    return "com.amazon.coral.service#" + std::string(exception);
  }
  return "com.amazonaws.dynamodb.v20120810#" + std::string(exception);
}

std::string_view ExceptionOf(const Status& status) {
  switch (status.code()) {
    case ErrorCode::kValidation:
    case ErrorCode::kInvalidArgument: return "ValidationException";
    case ErrorCode::kSerialization: return "SerializationException";
    case ErrorCode::kResourceNotFound: return "ResourceNotFoundException";
    case ErrorCode::kResourceInUse: return "ResourceInUseException";
    case ErrorCode::kLimitExceeded: return "LimitExceededException";
    case ErrorCode::kUnknownOperation: return "UnknownOperationException";
    default: return "InternalServerError";
  }
}

std::optional<simdjson::dom::element> Members::Find(std::string_view key) const {
  simdjson::dom::element e;
  if (object_.at_key(key).get(e) != simdjson::SUCCESS || e.is_null()) return std::nullopt;
  return e;
}

bool Members::Has(std::string_view key) const { return Find(key).has_value(); }

std::nullopt_t Members::Mismatch(std::string_view key) {
  if (error_.ok()) error_ = Status::Serialization("Unexpected value type for " + std::string(key));
  return std::nullopt;
}

std::optional<std::string_view> Members::String(std::string_view key) {
  auto e = Find(key);
  std::string_view s;
  if (!e) return std::nullopt;
  if (e->get_string().get(s)) return Mismatch(key);
  return s;
}

std::optional<int64_t> Members::Integer(std::string_view key) {
  auto e = Find(key);
  if (!e) return std::nullopt;
  int64_t i;
  double d;
  if (e->get_int64().get(i) == simdjson::SUCCESS) return i;
  if (e->get_double().get(d) == simdjson::SUCCESS) return static_cast<int64_t>(d);
  return Mismatch(key);
}

std::optional<bool> Members::Bool(std::string_view key) {
  auto e = Find(key);
  bool b;
  if (!e) return std::nullopt;
  if (e->get_bool().get(b)) return Mismatch(key);
  return b;
}

std::optional<simdjson::dom::object> Members::Object(std::string_view key) {
  auto e = Find(key);
  simdjson::dom::object o;
  if (!e) return std::nullopt;
  if (e->get_object().get(o)) return Mismatch(key);
  return o;
}

std::optional<simdjson::dom::array> Members::Array(std::string_view key) {
  auto e = Find(key);
  simdjson::dom::array a;
  if (!e) return std::nullopt;
  if (e->get_array().get(a)) return Mismatch(key);
  return a;
}

gateway::ServiceResponse ErrorResponse(std::string_view exception, std::string_view message, std::string_view extra,
                                       int http_status) {
  gateway::ServiceResponse r;
  r.status = http_status;
  r.content_type = gateway::kAmzJson10;
  r.error_type = exception;
  protocol::JsonWriter w(&r.body);
  w.BeginObject();
  w.Member("__type", ErrorType(exception));
  w.Member("message", message);
  w.EndObject();
  if (!extra.empty()) r.body.insert(r.body.size() - 1, extra);
  return r;
}

namespace {

void RespondOk(const gateway::ServiceResponder& respond, std::string json) {
  gateway::ServiceResponse r;
  r.content_type = gateway::kAmzJson10;
  r.body = std::move(json);
  respond(std::move(r));
}

void RespondError(const gateway::ServiceResponder& respond, std::string_view exception, std::string_view message,
                  std::string_view extra) {
  respond(ErrorResponse(exception, message, extra, exception == "InternalServerError" ? 500 : 400));
}

}  // namespace

void Call::Ok(std::string json) const { RespondOk(respond, std::move(json)); }

void Call::Fail(const Status& status) const {
  std::string_view exception = ExceptionOf(status);
  Fail(exception, exception == "InternalServerError" ? "Internal server error" : status.message());
}

void Call::Fail(std::string_view exception, std::string_view message, std::string_view extra) const {
  RespondError(respond, exception, message, extra);
}

void Call::OkWhenDurable(Table& table, uint64_t position, std::string json) const {
  OkWhenDurable({{&table, position}}, std::move(json));
}

void Call::OkWhenDurable(const std::vector<std::pair<Table*, uint64_t>>& writes, std::string json) const {
  gateway::ServiceResponse r;
  r.content_type = gateway::kAmzJson10;
  r.body = std::move(json);
  RespondWhenDurable(writes, std::move(r));
}

void Call::RespondWhenDurable(const std::vector<std::pair<Table*, uint64_t>>& positions,
                              gateway::ServiceResponse response) const {
  if (positions.empty()) return respond(std::move(response));
  // The last journal to report answers; any failure turns the answer into
  // an InternalServerError.
  struct Pending {
    std::mutex mu;
    size_t left;
    Status status;
    gateway::ServiceResponse response;
    gateway::ServiceResponder respond;
  };
  auto pending = std::make_shared<Pending>();
  pending->left = positions.size();
  pending->response = std::move(response);
  pending->respond = respond;
  for (const auto& [table, position] : positions) {
    table->WhenDurable(position, [pending](Status s) {
      std::unique_lock<std::mutex> lock(pending->mu);
      if (!s.ok() && pending->status.ok()) pending->status = s;
      if (--pending->left > 0) return;
      lock.unlock();
      if (pending->status.ok()) {
        pending->respond(std::move(pending->response));
      } else {
        RespondError(pending->respond, "InternalServerError", "Internal server error", {});
      }
    });
  }
}

Result<std::shared_ptr<Table>> Call::FindTable(std::string_view member) {
  std::optional<std::string_view> name = body.String(member);
  SLUICE_RETURN_IF_ERROR(body.error());
  SLUICE_RETURN_IF_ERROR(CheckTableName(name, "tableName"));
  return store.Find(account, region, std::string(*name));
}

Status CheckTableName(std::optional<std::string_view> name, std::string_view where) {
  std::string prefix = "1 validation error detected: Value ";
  if (!name) {
    return Status::Validation(prefix + "null at '" + std::string(where) +
                              "' failed to satisfy constraint: Member must not be null");
  }
  std::string at = "'" + std::string(*name) + "' at '" + std::string(where) + "' failed to satisfy constraint: ";
  if (name->size() < 3) return Status::Validation(prefix + at + "Member must have length greater than or equal to 3");
  if (name->size() > 255) return Status::Validation(prefix + at + "Member must have length less than or equal to 255");
  for (char c : *name) {
    bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.';
    if (!ok) return Status::Validation(prefix + at + "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+");
  }
  return Status::Ok();
}

Status ExpressionInputs::Read(Members& body) {
  if (auto names_json = body.Object("ExpressionAttributeNames")) {
    has_names = true;
    if (names_json->size() == 0) return Status::Validation("ExpressionAttributeNames must not be empty");
    for (auto [key, value] : *names_json) {
      std::string_view name;
      if (value.get_string().get(name)) return Status::Serialization("Unexpected value type in payload");
      if (key.empty() || key[0] != '#') {
        return Status::Validation("ExpressionAttributeNames contains invalid key: Syntax error; key: \"" +
                                  std::string(key) + "\"");
      }
      names[std::string(key)] = std::string(name);
    }
    placeholders.names = &names;
  }
  if (auto values_json = body.Object("ExpressionAttributeValues")) {
    has_values = true;
    if (values_json->size() == 0) return Status::Validation("ExpressionAttributeValues must not be empty");
    for (auto [key, value] : *values_json) {
      if (key.empty() || key[0] != ':') {
        return Status::Validation("ExpressionAttributeValues contains invalid key: Syntax error; key: \"" +
                                  std::string(key) + "\"");
      }
      Result<Value> v = ValueFromJson(value);
      if (!v.ok()) {
        if (v.status().code() != ErrorCode::kValidation) return v.status();
        return Status::Validation("ExpressionAttributeValues contains invalid value: " + v.status().message() +
                                  " for key " + std::string(key));
      }
      values[std::string(key)] = std::move(v).value();
    }
    placeholders.values = &values;
  }
  return body.error();
}

Result<ItemKey> ReadKey(const Table& table, simdjson::dom::object json) {
  Result<Item> item = ItemFromJson(json);
  if (!item.ok()) return item.status();
  const KeySchema& schema = table.def().key;
  size_t expected = schema.range ? 2 : 1;
  Status mismatch = Status::Validation("The provided key element does not match the schema");
  if (item->size() != expected) return mismatch;
  Result<ItemKey> key = table.KeyOf(*item);
  if (!key.ok() && key.status().message().find("empty") == std::string::npos) return mismatch;
  return key;
}

Status ReadProjection(Members& body, ExpressionInputs& inputs, std::vector<Path>* paths) {
  std::optional<std::string_view> projection = body.String("ProjectionExpression");
  std::optional<simdjson::dom::array> attributes = body.Array("AttributesToGet");
  SLUICE_RETURN_IF_ERROR(body.error());
  if (projection && attributes) {
    return Status::Validation(
        "Can not use both expression and non-expression parameters in the same request: "
        "Non-expression parameters: {AttributesToGet} Expression parameters: "
        "{ProjectionExpression}");
  }
  if (projection) {
    Result<std::vector<Path>> parsed = ParseProjection(*projection, inputs.placeholders);
    if (!parsed.ok()) return parsed.status();
    *paths = std::move(parsed).value();
  } else if (attributes) {
    for (simdjson::dom::element e : *attributes) {
      std::string_view name;
      if (e.get_string().get(name)) return Status::Serialization("Unexpected value type for AttributesToGet");
      paths->push_back({PathElement{std::string(name)}});
    }
  }
  return Status::Ok();
}

void WriteItemMember(protocol::JsonWriter& w, std::string_view key, const Item& item, bool skip_empty) {
  if (item.empty() && skip_empty) return;
  w.Key(key);
  WriteItem(w, item);
}

}  // namespace sluice::dynamodb
