// The TableDescription structure DescribeTable, CreateTable, UpdateTable and
// DeleteTable answer with.
#pragma once

#include <string_view>

#include "dynamodb/table.h"
#include "protocol/json_writer.h"

namespace sluice::dynamodb {

// arn:aws:dynamodb:<region>:<account>:table/<name>
std::string TableArn(std::string_view region, std::string_view account, std::string_view name);

// Writes the TableDescription of `table` (caller holds its mu()) with
// `status` as TableStatus (ACTIVE; DELETING for DeleteTable).
void WriteTableDescription(protocol::JsonWriter& w, const Table& table, std::string_view region,
                           std::string_view account, std::string_view status);

}  // namespace sluice::dynamodb
