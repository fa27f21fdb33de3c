// Call: one DynamoDB request as the operations see it: the parsed body, the
// caller's namespace, the table store, and how to answer (JSON 1.0 bodies,
// errors as {"__type": "<namespace>#<Exception>", "message": ...}).
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <simdjson.h>

#include "dynamodb/attribute_value.h"
#include "dynamodb/expression.h"
#include "dynamodb/table_store.h"
#include "gateway/service.h"
#include "util/status.h"

namespace sluice::dynamodb {

// The service's exceptions by name, with their __type namespaces.
inline constexpr std::string_view kConditionalCheckFailed = "ConditionalCheckFailedException";
inline constexpr std::string_view kTransactionCanceled = "TransactionCanceledException";

// The __type of `exception` ("ValidationException" →
// "com.amazon.coral.validate#ValidationException").
std::string ErrorType(std::string_view exception);
// The JSON 1.0 error answer: {"__type": ErrorType(exception), "message":
// message} plus `extra` (members written verbatim, starting with a comma).
gateway::ServiceResponse ErrorResponse(std::string_view exception, std::string_view message, std::string_view extra,
                                       int http_status);
// The exception a Status answers as.
std::string_view ExceptionOf(const Status& status);

// The members of a request object, read with the service's type checks:
// the first member of a wrong type is remembered and reported by error()
// as a SerializationException; it reads as absent.
class Members {
 public:
  explicit Members(simdjson::dom::object object) : object_(object) {}
  std::optional<std::string_view> String(std::string_view key);
  std::optional<int64_t> Integer(std::string_view key);
  std::optional<bool> Bool(std::string_view key);
  std::optional<simdjson::dom::object> Object(std::string_view key);
  std::optional<simdjson::dom::array> Array(std::string_view key);
  bool Has(std::string_view key) const;
  Status error() const { return error_; }

 private:
  std::optional<simdjson::dom::element> Find(std::string_view key) const;
  // Keeps the first wrong-typed member as error() and answers "absent".
  std::nullopt_t Mismatch(std::string_view key);

  simdjson::dom::object object_;
  Status error_;
};

struct Call {
  Members body;
  std::string account;
  std::string region;
  TableStore& store;
  gateway::ServiceResponder respond;

  // 200 with `json`.
  void Ok(std::string json) const;
  // The exception `status` maps to, with its message.
  void Fail(const Status& status) const;
  // `exception` with `message`, plus `extra` (members written verbatim after
  // the message, starting with a comma, or empty).
  void Fail(std::string_view exception, std::string_view message, std::string_view extra = {}) const;
  // Answers `json` once `position` of `table`'s journal is durable (an
  // InternalServerError if it cannot be made so).
  void OkWhenDurable(Table& table, uint64_t position, std::string json) const;
  // The same for writes to several tables: answers once all are durable.
  void OkWhenDurable(const std::vector<std::pair<Table*, uint64_t>>& writes, std::string json) const;
  // Sends `response` once the journals are durable up to the positions
  // given (an InternalServerError instead if one cannot be made so). Reads
  // and failed conditions answer this way at their table's end position,
  // so that no answer reveals a write a crash could still take back.
  void RespondWhenDurable(const std::vector<std::pair<Table*, uint64_t>>& positions,
                          gateway::ServiceResponse response) const;

  // The table named by TableName (checked), or ResourceNotFound.
  Result<std::shared_ptr<Table>> FindTable(std::string_view member = "TableName");
};

// The TableName constraints (length 3 to 255, [a-zA-Z0-9_.-]+), as the
// service words them for the member `where` ("tableName").
Status CheckTableName(std::optional<std::string_view> name, std::string_view where);

// The placeholder maps of a request (ExpressionAttributeNames and
// ExpressionAttributeValues), with the service's checks.
struct ExpressionInputs {
  std::map<std::string, std::string> names;
  Item values;
  bool has_names = false;
  bool has_values = false;
  Placeholders placeholders;

  Status Read(Members& body);
};

// Reads ProjectionExpression or AttributesToGet (not both) into `paths`;
// empty: the whole item.
Status ReadProjection(Members& body, ExpressionInputs& inputs, std::vector<Path>* paths);

// A Key member: exactly the table's key attributes, of their types ("The
// provided key element does not match the schema" otherwise).
Result<ItemKey> ReadKey(const Table& table, simdjson::dom::object json);

// Writes {"name": value...} of an item as a member `key` (nothing when
// `item` is empty and `skip_empty`).
void WriteItemMember(protocol::JsonWriter& w, std::string_view key, const Item& item, bool skip_empty = true);

}  // namespace sluice::dynamodb
