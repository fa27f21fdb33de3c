// The syntax trees of DynamoDB's expressions and their hand-written
// recursive-descent parsers.
//
// Grammar (keywords AND OR NOT BETWEEN IN SET REMOVE ADD DELETE are
// case-insensitive; function names are not):
//
//   condition   := or
//   or          := and { OR and }
//   and         := not { AND not }
//   not         := NOT not | primary
//   primary     := '(' condition ')'
//                | function '(' operand { ',' operand } ')'
//                | operand comparator operand
//                | operand BETWEEN operand AND operand
//                | operand IN '(' operand { ',' operand } ')'
//   comparator  := '=' | '<>' | '<' | '<=' | '>' | '>='
//   function    := attribute_exists | attribute_not_exists | attribute_type
//                | begins_with | contains
//   operand     := path | ':value' | size '(' path ')'
//   path        := name { '.' name | '[' digits ']' }
//   name        := identifier | '#name'
//
//   update      := clause { clause }     (each of SET/REMOVE/ADD/DELETE once)
//   clause      := SET set_action { ',' set_action }
//                | REMOVE path { ',' path }
//                | ADD path ':value' { ',' path ':value' }
//                | DELETE path ':value' { ',' path ':value' }
//   set_action  := path '=' set_value
//   set_value   := set_operand [ ('+' | '-') set_operand ]
//   set_operand := path | ':value' | if_not_exists '(' path ',' set_value ')'
//                | list_append '(' set_value ',' set_value ')'
//
//   projection  := path { ',' path }
//
// Placeholders are resolved while parsing: `#name` through
// ExpressionAttributeNames and `:value` through ExpressionAttributeValues;
// the Placeholders record which were used, so the caller can reject unused
// ones across all of a request's expressions. Every error is a
// ValidationException "Invalid <Which>: <reason>" in the service's words.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "dynamodb/attribute_value.h"
#include "util/status.h"

namespace sluice::dynamodb {

// One step of a document path: an attribute (map key) or a list index.
struct PathElement {
  std::string name;
  int64_t index = -1;  // >= 0: a list index, and `name` is unused
  bool is_index() const { return index >= 0; }
};
using Path = std::vector<PathElement>;

// "a.b[2].c", as the service prints paths in messages.
std::string PathText(const Path& path);

struct Operand {
  enum class Kind { kPath, kValue, kSize, kIfNotExists, kListAppend, kPlus, kMinus };
  Kind kind = Kind::kValue;
  Path path;                  // kPath, kSize, kIfNotExists
  Value value;                // kValue
  std::vector<Operand> args;  // kIfNotExists: [fallback]; kListAppend, kPlus, kMinus: [a, b]
};

struct Condition {
  enum class Kind {
    kCompare,
    kBetween,
    kIn,
    kAnd,
    kOr,
    kNot,
    kExists,
    kNotExists,
    kType,
    kBeginsWith,
    kContains,
  };
  Kind kind = Kind::kCompare;
  std::string op;                   // kCompare: = <> < <= > >=
  std::vector<Operand> operands;    // the compared operands or the function's arguments
  std::vector<Condition> children;  // kAnd, kOr: two; kNot: one
};

struct UpdateAction {
  enum class Kind { kSet, kRemove, kAdd, kDelete };
  Kind kind = Kind::kSet;
  Path path;
  Operand value;  // unused for kRemove
};

struct UpdateExpression {
  std::vector<UpdateAction> actions;  // in the order written
};

// The request's placeholder maps and what the expressions used of them.
// The maps must outlive the parse.
struct Placeholders {
  const std::map<std::string, std::string>* names = nullptr;  // "#n" → name
  const Item* values = nullptr;                               // ":v" → value
  std::set<std::string> used_names;
  std::set<std::string> used_values;
};

// `which` names the request member in messages ("ConditionExpression",
// "FilterExpression", "KeyConditionExpression").
Result<Condition> ParseCondition(std::string_view text, std::string_view which, Placeholders& p);
Result<UpdateExpression> ParseUpdate(std::string_view text, Placeholders& p);
Result<std::vector<Path>> ParseProjection(std::string_view text, Placeholders& p);

// The unused-placeholder checks, after every expression of a request was
// parsed: "Value provided in ExpressionAttributeNames unused in
// expressions: keys: {#a}" (and the same for values).
Status CheckAllPlaceholdersUsed(const Placeholders& p);

}  // namespace sluice::dynamodb
