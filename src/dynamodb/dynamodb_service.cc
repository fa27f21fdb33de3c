#include "dynamodb/dynamodb_service.h"

#include "dynamodb/operations.h"
#include "gateway/aws_responses.h"
#include "protocol/errors.h"
#include "protocol/json_reader.h"

namespace sluice::dynamodb {

const std::vector<OperationEntry>& AllOperations() {
  static const std::vector<OperationEntry> kOperations = {
      {"BatchGetItem", BatchGetItem},
      {"BatchWriteItem", BatchWriteItem},
      {"CreateTable", CreateTable},
      {"DeleteItem", DeleteItem},
      {"DeleteTable", DeleteTable},
      {"DescribeContinuousBackups", DescribeContinuousBackups},
      {"DescribeTable", DescribeTable},
      {"DescribeTimeToLive", DescribeTimeToLive},
      {"GetItem", GetItem},
      {"ListTables", ListTables},
      {"PutItem", PutItem},
      {"Query", Query},
      {"Scan", Scan},
      {"TransactWriteItems", TransactWriteItems},
      {"UpdateContinuousBackups", UpdateContinuousBackups},
      {"UpdateItem", UpdateItem},
      {"UpdateTable", UpdateTable},
      {"UpdateTimeToLive", UpdateTimeToLive},
  };
  return kOperations;
}

std::vector<std::string> DynamoDbService::operations() const {
  std::vector<std::string> names;
  for (const OperationEntry& op : AllOperations()) names.emplace_back(op.name);
  return names;
}

void DynamoDbService::Handle(const gateway::ServiceRequest& request, gateway::ServiceResponder respond) {
  Result<protocol::JsonObject> body = protocol::ParseJsonRequest(request.http.body);
  Call call{Members(body.ok() ? body->raw() : simdjson::dom::object()),
            request.account.empty() ? default_account_ : std::string(request.account),
            request.region.empty() ? default_region_ : std::string(request.region), store_, std::move(respond)};
  const OperationEntry* op = nullptr;
  for (const OperationEntry& entry : AllOperations()) {
    if (entry.name == request.operation) op = &entry;
  }
  if (op == nullptr) return call.Fail("UnknownOperationException", "");
  if (!body.ok() || body->empty_structure()) return call.Fail("SerializationException", "");
  if (request.resource != nullptr) {
    if (auto table = call.body.String("TableName")) *request.resource = *table;
  }
  op->run(call);
}

gateway::ServiceResponse DynamoDbService::Error(const server::HttpRequest& request, const Status& error) const {
  return ErrorResponse(protocol::ErrorTypeName(error.code()), error.message(), {},
                       protocol::HttpStatusFor(error.code()));
}

}  // namespace sluice::dynamodb
