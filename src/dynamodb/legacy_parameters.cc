#include "dynamodb/legacy_parameters.h"

namespace sluice::dynamodb {
namespace {

Status Invalid(std::string message) {
  return Status::Validation("One or more parameter values were invalid: " + std::move(message));
}

Operand PathOperand(std::string_view name) {
  Operand o;
  o.kind = Operand::Kind::kPath;
  o.path = {PathElement{std::string(name)}};
  return o;
}

Operand ValueOperand(Value v) {
  Operand o;
  o.kind = Operand::Kind::kValue;
  o.value = std::move(v);
  return o;
}

Condition Not(Condition c) {
  Condition n;
  n.kind = Condition::Kind::kNot;
  n.children.push_back(std::move(c));
  return n;
}

// One ComparisonOperator with its AttributeValueList.
Result<Condition> Compare(std::string_view name, std::string_view op, std::vector<Value> args) {
  static constexpr struct {
    std::string_view name;
    size_t arity;
  } kOperators[] = {{"EQ", 1},          {"NE", 1},        {"LE", 1},     {"LT", 1},       {"GE", 1},
                    {"GT", 1},          {"NOT_NULL", 0},  {"NULL", 0},   {"CONTAINS", 1}, {"NOT_CONTAINS", 1},
                    {"BEGINS_WITH", 1}, {"IN", SIZE_MAX}, {"BETWEEN", 2}};
  const auto* known =
      std::find_if(std::begin(kOperators), std::end(kOperators), [&](const auto& k) { return k.name == op; });
  if (known == std::end(kOperators)) {
    return Status::Validation("1 validation error detected: Value '" + std::string(op) + "' at 'expected." +
                              std::string(name) +
                              ".member.comparisonOperator' failed to satisfy constraint: Member must satisfy enum "
                              "value set: [IN, NULL, BETWEEN, LT, NOT_CONTAINS, EQ, GT, NOT_NULL, NE, LE, "
                              "BEGINS_WITH, GE, CONTAINS]");
  }
  if ((known->arity != SIZE_MAX && args.size() != known->arity) || (known->arity == SIZE_MAX && args.empty())) {
    return Invalid("Invalid number of argument(s) for the " + std::string(op) + " ComparisonOperator");
  }
  Condition c;
  c.operands.push_back(PathOperand(name));
  for (Value& v : args) c.operands.push_back(ValueOperand(std::move(v)));
  if (op == "NOT_NULL") {
    c.kind = Condition::Kind::kExists;
  } else if (op == "NULL") {
    c.kind = Condition::Kind::kNotExists;
  } else if (op == "CONTAINS" || op == "NOT_CONTAINS") {
    c.kind = Condition::Kind::kContains;
    if (op == "NOT_CONTAINS") {
      // NOT_CONTAINS holds only for an attribute that exists.
      Condition exists;
      exists.kind = Condition::Kind::kExists;
      exists.operands.push_back(PathOperand(name));
      Condition both;
      both.kind = Condition::Kind::kAnd;
      both.children.push_back(std::move(exists));
      both.children.push_back(Not(std::move(c)));
      return both;
    }
  } else if (op == "BEGINS_WITH") {
    c.kind = Condition::Kind::kBeginsWith;
  } else if (op == "IN") {
    c.kind = Condition::Kind::kIn;
  } else if (op == "BETWEEN") {
    c.kind = Condition::Kind::kBetween;
  } else {
    c.kind = Condition::Kind::kCompare;
    c.op = op == "EQ" ? "=" : op == "NE" ? "<>" : op == "LE" ? "<=" : op == "LT" ? "<" : op == "GE" ? ">=" : ">";
  }
  return c;
}

Result<Condition> OneExpected(std::string_view name, simdjson::dom::object spec) {
  std::optional<bool> exists;
  std::optional<Value> value;
  std::optional<std::string_view> op;
  std::vector<Value> list;
  bool has_list = false;
  for (auto [key, member] : spec) {
    if (member.is_null()) continue;
    if (key == "Exists") {
      bool b;
      if (member.get_bool().get(b)) return Status::Serialization("Unexpected value type for Exists");
      exists = b;
    } else if (key == "Value") {
      Result<Value> v = ValueFromJson(member);
      if (!v.ok()) return v.status();
      value = std::move(v).value();
    } else if (key == "ComparisonOperator") {
      std::string_view s;
      if (member.get_string().get(s)) return Status::Serialization("Unexpected value type for ComparisonOperator");
      op = s;
    } else if (key == "AttributeValueList") {
      simdjson::dom::array arr;
      if (member.get_array().get(arr)) return Status::Serialization("Unexpected value type for AttributeValueList");
      has_list = true;
      for (simdjson::dom::element e : arr) {
        Result<Value> v = ValueFromJson(e);
        if (!v.ok()) return v.status();
        list.push_back(std::move(v).value());
      }
    }
  }
  if (op) {
    if (value || exists) {
      return Invalid("Value or Exists parameters cannot be used with ComparisonOperator; attribute: " +
                     std::string(name));
    }
    return Compare(name, *op, std::move(list));
  }
  if (has_list) return Invalid("AttributeValueList can only be used with a ComparisonOperator");
  if (exists.value_or(true)) {
    if (!value) {
      return Invalid("Exists is " + std::string(exists ? "true" : "null") + " for attribute " + std::string(name) +
                     ", but no Value is provided");
    }
    return Compare(name, "EQ", {std::move(*value)});
  }
  if (value) return Invalid("Cannot expect an attribute to have a specified value while expecting it to not exist");
  return Compare(name, "NULL", {});
}

}  // namespace

Result<std::optional<Condition>> ConditionFromExpected(simdjson::dom::object expected,
                                                       std::optional<std::string_view> op) {
  bool any = op.value_or("AND") == "OR";
  if (op && *op != "AND" && *op != "OR") {
    return Status::Validation("1 validation error detected: Value '" + std::string(*op) +
                              "' at 'conditionalOperator' failed to satisfy constraint: Member must satisfy enum "
                              "value set: [AND, OR]");
  }
  std::optional<Condition> all;
  for (auto [name, spec] : expected) {
    simdjson::dom::object spec_object;
    if (spec.get_object().get(spec_object)) return Status::Serialization("Unexpected value type for Expected");
    Result<Condition> one = OneExpected(name, spec_object);
    if (!one.ok()) return one.status();
    if (!all) {
      all = std::move(one).value();
      continue;
    }
    Condition joined;
    joined.kind = any ? Condition::Kind::kOr : Condition::Kind::kAnd;
    joined.children.push_back(std::move(*all));
    joined.children.push_back(std::move(one).value());
    all = std::move(joined);
  }
  return all;  // nullopt for an empty Expected, which always holds
}

Result<UpdateExpression> UpdateFromAttributeUpdates(simdjson::dom::object updates) {
  UpdateExpression update;
  for (auto [name, spec] : updates) {
    std::string_view action = "PUT";
    std::optional<Value> value;
    simdjson::dom::object spec_object;
    if (spec.get_object().get(spec_object)) return Status::Serialization("Unexpected value type for AttributeUpdates");
    for (auto [key, member] : spec_object) {
      if (member.is_null()) continue;
      if (key == "Action") {
        if (member.get_string().get(action)) return Status::Serialization("Unexpected value type for Action");
      } else if (key == "Value") {
        Result<Value> v = ValueFromJson(member);
        if (!v.ok()) return v.status();
        value = std::move(v).value();
      }
    }
    UpdateAction a;
    a.path = {PathElement{std::string(name)}};
    if (action == "PUT") {
      if (!value) return Invalid("Only DELETE action is allowed when no attribute value is specified");
      a.kind = UpdateAction::Kind::kSet;
    } else if (action == "DELETE") {
      a.kind = value ? UpdateAction::Kind::kDelete : UpdateAction::Kind::kRemove;
    } else if (action == "ADD") {
      if (!value) return Invalid("Only DELETE action is allowed when no attribute value is specified");
      a.kind = UpdateAction::Kind::kAdd;
    } else {
      return Status::Validation("1 validation error detected: Value '" + std::string(action) +
                                "' at 'attributeUpdates." + std::string(name) +
                                ".member.action' failed to satisfy constraint: Member must satisfy enum value set: "
                                "[ADD, PUT, DELETE]");
    }
    if (value) a.value = ValueOperand(std::move(*value));
    update.actions.push_back(std::move(a));
  }
  return update;
}

}  // namespace sluice::dynamodb
