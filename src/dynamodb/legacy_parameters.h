// The legacy (pre-expression) parameters the KCL's lease code still sends,
// translated into the expression trees of expression.h so that one
// evaluator serves both:
//   Expected: {name: {Exists, Value, ComparisonOperator, AttributeValueList}}
//     joined by ConditionalOperator (AND, the default, or OR);
//   AttributeUpdates: {name: {Action: PUT|ADD|DELETE, Value}}.
#pragma once

#include <algorithm>
#include <optional>
#include <string_view>

#include <simdjson.h>

#include "dynamodb/expression.h"
#include "util/status.h"

namespace sluice::dynamodb {

// nullopt for an empty Expected (no condition).
Result<std::optional<Condition>> ConditionFromExpected(simdjson::dom::object expected,
                                                       std::optional<std::string_view> op);
Result<UpdateExpression> UpdateFromAttributeUpdates(simdjson::dom::object updates);

}  // namespace sluice::dynamodb
