// Evaluating parsed expressions (expression.h) against an item.
//
// Conditions follow the service's semantics: a comparison with a missing
// attribute is false (except <>, which is true), ordering comparisons apply
// to N, S and B of the same type only, functions on missing attributes are
// false. Updates are computed against the item as it was before the update
// and then applied in order; their errors are ValidationExceptions with the
// service's messages.
#pragma once

#include <optional>
#include <vector>

#include "dynamodb/attribute_value.h"
#include "dynamodb/expression.h"
#include "util/status.h"

namespace sluice::dynamodb {

// The value at `path` in `item`, or null when any step is missing.
const Value* Resolve(const Item& item, const Path& path);

// Whether `condition` holds for `item` (an empty item for a missing one).
Result<bool> Evaluate(const Condition& condition, const Item& item);

// Applies `update` to `item` in place. Errors leave `item` unspecified:
// callers update a copy.
Status ApplyUpdate(const UpdateExpression& update, Item* item);

// The parts of `item` named by `paths` (nested maps kept, projected list
// elements compacted in order).
Item Project(const Item& item, const std::vector<Path>& paths);

}  // namespace sluice::dynamodb
