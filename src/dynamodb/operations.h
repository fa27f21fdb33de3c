// The DynamoDB operations: one function per operation, each answering its
// Call exactly once (on success, writes answer once durable).
#pragma once

#include <string_view>
#include <vector>

#include "dynamodb/call.h"

namespace sluice::dynamodb {

using Operation = void (*)(Call& call);

struct OperationEntry {
  std::string_view name;
  Operation run;
};

// Every operation served, by name.
const std::vector<OperationEntry>& AllOperations();

// table_operations.cc
void CreateTable(Call& call);
void DescribeTable(Call& call);
void UpdateTable(Call& call);
void DeleteTable(Call& call);
void ListTables(Call& call);
void UpdateTimeToLive(Call& call);
void DescribeTimeToLive(Call& call);
void UpdateContinuousBackups(Call& call);
void DescribeContinuousBackups(Call& call);
// item_operations.cc
void GetItem(Call& call);
void PutItem(Call& call);
void UpdateItem(Call& call);
void DeleteItem(Call& call);
// query_scan.cc
void Query(Call& call);
void Scan(Call& call);
// batch_operations.cc
void BatchGetItem(Call& call);
void BatchWriteItem(Call& call);
void TransactWriteItems(Call& call);

}  // namespace sluice::dynamodb
