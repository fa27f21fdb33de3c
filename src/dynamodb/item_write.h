// ItemWrite: one Put, Update, Delete or ConditionCheck, read from its
// request members and validated, then executed against its table under the
// table's lock. PutItem, UpdateItem, DeleteItem and each element of
// TransactWriteItems share it, so all check conditions and build new items
// the same way.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "dynamodb/call.h"
#include "dynamodb/expression.h"
#include "dynamodb/table.h"

namespace sluice::dynamodb {

struct ItemWrite {
  enum class Kind { kPut, kUpdate, kDelete, kCheck };
  Kind kind = Kind::kPut;
  std::shared_ptr<Table> table;
  ItemKey key;
  Item put_item;            // kPut
  UpdateExpression update;  // kUpdate
  std::optional<Condition> condition;
  std::string return_values = "NONE";
  bool return_old_on_failure = false;  // ReturnValuesOnConditionCheckFailure ALL_OLD
};

// Reads one write of `kind` from `body` (a request, or a member of
// TransactItems) in `call`'s namespace.
Result<ItemWrite> ReadItemWrite(Call& call, Members& body, ItemWrite::Kind kind);

// The outcome of running a write under its table's lock.
struct WriteOutcome {
  bool condition_failed = false;
  std::optional<Item> old_item;
  std::optional<Item> new_item;  // nullopt: the item is deleted (or unchanged for kCheck)
};

// Evaluates the condition and builds the new item. Requires the table's mu().
// Errors: ValidationException (an update that does not apply, a key
// attribute updated, an item over 400 KB).
Result<WriteOutcome> PrepareWrite(const ItemWrite& write);

// The Attributes the write's ReturnValues asks for.
Item ReturnedAttributes(const ItemWrite& write, const WriteOutcome& outcome);

// A write to a shared table (Table::Shared) whose reads changed before it
// landed loads and decides again, this many times at most; then it answers
// FailContended: InternalServerError (500, which clients retry) saying so.
inline constexpr int kMaxWriteAttempts = 16;
void FailContended(const Call& call);

// ConditionalCheckFailedException, with the old item when asked, once
// what the check saw is durable. Requires the table's mu().
void FailCondition(const Call& call, const ItemWrite& write, const WriteOutcome& outcome);

}  // namespace sluice::dynamodb
