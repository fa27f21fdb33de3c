#include "dynamodb/expression_eval.h"

#include <algorithm>
#include <set>

#include "dynamodb/decimal.h"

namespace sluice::dynamodb {
namespace {

Status MissingAttribute() {
  return Status::Validation("The provided expression refers to an attribute that does not exist in the item");
}
Status WrongType() { return Status::Validation("An operand in the update expression has an incorrect data type"); }
Status InvalidPath() {
  return Status::Validation("The document path provided in the update expression is invalid for update");
}

// The long type names of the "operand type" messages of ADD and DELETE.
std::string_view LongTypeName(ValueType t) {
  switch (t) {
    case ValueType::kS: return "STRING";
    case ValueType::kN: return "NUMBER";
    case ValueType::kB: return "BINARY";
    case ValueType::kBool: return "BOOLEAN";
    case ValueType::kNull: return "NULL";
    case ValueType::kSS: return "STRING_SET";
    case ValueType::kNS: return "NUMBER_SET";
    case ValueType::kBS: return "BINARY_SET";
    case ValueType::kL: return "LIST";
    case ValueType::kM: return "MAP";
  }
  return "";
}

const Value* Step(const Value& v, const PathElement& e) {
  if (e.is_index()) {
    if (v.type != ValueType::kL || static_cast<size_t>(e.index) >= v.list.size()) return nullptr;
    return &v.list[static_cast<size_t>(e.index)];
  }
  if (v.type != ValueType::kM) return nullptr;
  auto it = v.map.find(e.name);
  return it == v.map.end() ? nullptr : &it->second;
}

Value* MutableResolve(Item* item, const Path& path, size_t length) {
  if (length == 0 || path[0].is_index()) return nullptr;
  auto it = item->find(path[0].name);
  if (it == item->end()) return nullptr;
  Value* v = &it->second;
  for (size_t i = 1; i < length && v != nullptr; ++i) v = const_cast<Value*>(Step(*v, path[i]));
  return v;
}

// The operand's value; nullopt when it names a missing attribute. Errors
// only for operands that require a type (arithmetic, list_append, size).
Result<std::optional<Value>> Operate(const Operand& o, const Item& item) {
  switch (o.kind) {
    case Operand::Kind::kValue: return std::optional<Value>(o.value);
    case Operand::Kind::kPath: {
      const Value* v = Resolve(item, o.path);
      return v ? std::optional<Value>(*v) : std::nullopt;
    }
    case Operand::Kind::kSize: {
      const Value* v = Resolve(item, o.path);
      if (v == nullptr) return std::optional<Value>();
      size_t n;
      switch (v->type) {
        case ValueType::kS:
        case ValueType::kB: n = v->scalar.size(); break;
        case ValueType::kSS:
        case ValueType::kNS:
        case ValueType::kBS: n = v->set.size(); break;
        case ValueType::kL: n = v->list.size(); break;
        case ValueType::kM: n = v->map.size(); break;
        default:
          return Status::Validation(
              "Invalid ConditionExpression: Incorrect operand type for operator or function; "
              "operator or function: size, operand type: " +
              std::string(TypeName(v->type)));
      }
      return std::optional<Value>(Value::Number(std::to_string(n)));
    }
    case Operand::Kind::kIfNotExists: {
      const Value* v = Resolve(item, o.path);
      if (v != nullptr) return std::optional<Value>(*v);
      return Operate(o.args[0], item);
    }
    case Operand::Kind::kListAppend:
    case Operand::Kind::kPlus:
    case Operand::Kind::kMinus: {
      Result<std::optional<Value>> a = Operate(o.args[0], item);
      if (!a.ok()) return a;
      Result<std::optional<Value>> b = Operate(o.args[1], item);
      if (!b.ok()) return b;
      if (!*a || !*b) return MissingAttribute();
      if (o.kind == Operand::Kind::kListAppend) {
        if ((*a)->type != ValueType::kL || (*b)->type != ValueType::kL) return WrongType();
        Value joined = std::move(**a);
        for (Value& e : (*b)->list) joined.list.push_back(std::move(e));
        return std::optional<Value>(std::move(joined));
      }
      if ((*a)->type != ValueType::kN || (*b)->type != ValueType::kN) return WrongType();
      Result<Decimal> x = Decimal::Parse((*a)->scalar);
      Result<Decimal> y = Decimal::Parse((*b)->scalar);
      if (!x.ok()) return x.status();
      if (!y.ok()) return y.status();
      Result<Decimal> r = o.kind == Operand::Kind::kPlus ? Decimal::Add(*x, *y) : Decimal::Subtract(*x, *y);
      if (!r.ok()) return r.status();
      return std::optional<Value>(Value::Number(r->ToString()));
    }
  }
  return std::optional<Value>();
}

bool Orderable(const Value& a, const Value& b) {
  return a.type == b.type && (a.type == ValueType::kN || a.type == ValueType::kS || a.type == ValueType::kB);
}

bool Contains(const Value& haystack, const Value& needle) {
  switch (haystack.type) {
    case ValueType::kS: return needle.type == ValueType::kS && haystack.scalar.find(needle.scalar) != std::string::npos;
    case ValueType::kB: return needle.type == ValueType::kB && haystack.scalar.find(needle.scalar) != std::string::npos;
    case ValueType::kSS:
    case ValueType::kNS:
    case ValueType::kBS: {
      ValueType member = haystack.type == ValueType::kSS   ? ValueType::kS
                         : haystack.type == ValueType::kNS ? ValueType::kN
                                                           : ValueType::kB;
      return needle.type == member &&
             std::find(haystack.set.begin(), haystack.set.end(), needle.scalar) != haystack.set.end();
    }
    case ValueType::kL:
      return std::any_of(haystack.list.begin(), haystack.list.end(), [&](const Value& e) { return Equal(e, needle); });
    default: return false;
  }
}

// Writes `value` at `path`: the parent must exist; a list index past the
// end appends.
Status SetAt(Item* item, const Path& path, Value value) {
  if (path.size() == 1) {
    (*item)[path[0].name] = std::move(value);
    return Status::Ok();
  }
  Value* parent = MutableResolve(item, path, path.size() - 1);
  if (parent == nullptr) return InvalidPath();
  const PathElement& last = path.back();
  if (last.is_index()) {
    if (parent->type != ValueType::kL) return InvalidPath();
    if (static_cast<size_t>(last.index) >= parent->list.size()) {
      parent->list.push_back(std::move(value));
    } else {
      parent->list[static_cast<size_t>(last.index)] = std::move(value);
    }
    return Status::Ok();
  }
  if (parent->type != ValueType::kM) return InvalidPath();
  parent->map[last.name] = std::move(value);
  return Status::Ok();
}

Status RemoveAt(Item* item, const Path& path) {
  if (path.size() == 1) {
    item->erase(path[0].name);
    return Status::Ok();
  }
  Value* parent = MutableResolve(item, path, path.size() - 1);
  if (parent == nullptr) return Status::Ok();
  const PathElement& last = path.back();
  if (last.is_index()) {
    if (parent->type == ValueType::kL && static_cast<size_t>(last.index) < parent->list.size()) {
      parent->list.erase(parent->list.begin() + last.index);
    } else if (parent->type != ValueType::kL) {
      return InvalidPath();
    }
  } else if (parent->type == ValueType::kM) {
    parent->map.erase(last.name);
  } else {
    return InvalidPath();
  }
  return Status::Ok();
}

// ADD and DELETE: the new value of the attribute, or nullopt to remove it.
Result<std::optional<Value>> AddOrDelete(UpdateAction::Kind kind, const Value* existing, const Value& operand) {
  bool add = kind == UpdateAction::Kind::kAdd;
  if (!(operand.is_set() || (add && operand.type == ValueType::kN))) {
    return Status::Validation(std::string("Invalid UpdateExpression: Incorrect operand type for operator or function; "
                                          "operator: ") +
                              (add ? "ADD" : "DELETE") + ", operand type: " + std::string(LongTypeName(operand.type)));
  }
  if (existing == nullptr) return add ? std::optional<Value>(operand) : std::nullopt;
  if (existing->type != operand.type) return WrongType();
  if (operand.type == ValueType::kN) {
    Result<Decimal> x = Decimal::Parse(existing->scalar);
    Result<Decimal> y = Decimal::Parse(operand.scalar);
    if (!x.ok()) return x.status();
    if (!y.ok()) return y.status();
    Result<Decimal> sum = Decimal::Add(*x, *y);
    if (!sum.ok()) return sum.status();
    return std::optional<Value>(Value::Number(sum->ToString()));
  }
  Value result = *existing;
  if (add) {
    for (const std::string& m : operand.set) {
      if (std::find(result.set.begin(), result.set.end(), m) == result.set.end()) result.set.push_back(m);
    }
  } else {
    std::set<std::string> gone(operand.set.begin(), operand.set.end());
    std::erase_if(result.set, [&](const std::string& m) { return gone.count(m) > 0; });
    if (result.set.empty()) return std::optional<Value>();
  }
  return std::optional<Value>(std::move(result));
}

void CopyPath(const Value& src, Value* dst, const Path& path, size_t i) {
  if (i == path.size()) {
    *dst = src;
    return;
  }
  const Value* next = Step(src, path[i]);
  if (next == nullptr) return;
  if (path[i].is_index()) {
    dst->type = ValueType::kL;
    dst->list.emplace_back();
    CopyPath(*next, &dst->list.back(), path, i + 1);
  } else {
    dst->type = ValueType::kM;
    CopyPath(*next, &dst->map[path[i].name], path, i + 1);
  }
}

}  // namespace

const Value* Resolve(const Item& item, const Path& path) {
  if (path.empty() || path[0].is_index()) return nullptr;
  auto it = item.find(path[0].name);
  if (it == item.end()) return nullptr;
  const Value* v = &it->second;
  for (size_t i = 1; i < path.size() && v != nullptr; ++i) v = Step(*v, path[i]);
  return v;
}

Result<bool> Evaluate(const Condition& c, const Item& item) {
  using Kind = Condition::Kind;
  switch (c.kind) {
    case Kind::kAnd:
    case Kind::kOr: {
      Result<bool> left = Evaluate(c.children[0], item);
      if (!left.ok()) return left;
      if (*left == (c.kind == Kind::kOr)) return *left;
      return Evaluate(c.children[1], item);
    }
    case Kind::kNot: {
      Result<bool> inner = Evaluate(c.children[0], item);
      if (!inner.ok()) return inner;
      return !*inner;
    }
    case Kind::kExists: return Resolve(item, c.operands[0].path) != nullptr;
    case Kind::kNotExists: return Resolve(item, c.operands[0].path) == nullptr;
    default: break;
  }
  std::vector<std::optional<Value>> v;
  for (const Operand& o : c.operands) {
    Result<std::optional<Value>> r = Operate(o, item);
    if (!r.ok()) return r.status();
    v.push_back(std::move(r).value());
  }
  switch (c.kind) {
    case Kind::kCompare: {
      if (c.op == "=") return v[0] && v[1] && Equal(*v[0], *v[1]);
      if (c.op == "<>") return !(v[0] && v[1] && Equal(*v[0], *v[1]));
      if (!v[0] || !v[1] || !Orderable(*v[0], *v[1])) return false;
      int cmp = CompareScalars(*v[0], *v[1]);
      if (c.op == "<") return cmp < 0;
      if (c.op == "<=") return cmp <= 0;
      if (c.op == ">") return cmp > 0;
      return cmp >= 0;
    }
    case Kind::kBetween:
      if (!v[0] || !v[1] || !v[2] || !Orderable(*v[0], *v[1]) || !Orderable(*v[0], *v[2])) return false;
      return CompareScalars(*v[0], *v[1]) >= 0 && CompareScalars(*v[0], *v[2]) <= 0;
    case Kind::kIn:
      if (!v[0]) return false;
      for (size_t i = 1; i < v.size(); ++i) {
        if (v[i] && Equal(*v[0], *v[i])) return true;
      }
      return false;
    case Kind::kType: return v[0] && TypeName(v[0]->type) == v[1]->scalar;
    case Kind::kBeginsWith:
      return v[0] && v[1] && v[0]->type == v[1]->type && (v[0]->type == ValueType::kS || v[0]->type == ValueType::kB) &&
             v[0]->scalar.compare(0, v[1]->scalar.size(), v[1]->scalar) == 0 &&
             v[0]->scalar.size() >= v[1]->scalar.size();
    case Kind::kContains: return v[0] && v[1] && Contains(*v[0], *v[1]);
    default: return false;
  }
}

Status ApplyUpdate(const UpdateExpression& update, Item* item) {
  // Every value is computed from the item as it was before the update.
  const Item before = *item;
  std::vector<std::optional<Value>> values;
  for (const UpdateAction& a : update.actions) {
    if (a.kind == UpdateAction::Kind::kSet) {
      Result<std::optional<Value>> v = Operate(a.value, before);
      if (!v.ok()) return v.status();
      if (!*v) return MissingAttribute();
      values.push_back(std::move(v).value());
    } else if (a.kind == UpdateAction::Kind::kRemove) {
      values.emplace_back();
    } else {
      Result<std::optional<Value>> v = AddOrDelete(a.kind, Resolve(before, a.path), a.value.value);
      if (!v.ok()) return v.status();
      values.push_back(std::move(v).value());
    }
  }
  // Removals of list elements run from the highest index down, so that
  // each index names the element it named before the update.
  std::vector<size_t> removals;
  for (size_t i = 0; i < update.actions.size(); ++i) {
    const UpdateAction& a = update.actions[i];
    bool removes = a.kind == UpdateAction::Kind::kRemove || (a.kind == UpdateAction::Kind::kDelete && !values[i]);
    if (removes) {
      removals.push_back(i);
      continue;
    }
    if (a.kind == UpdateAction::Kind::kSet && !a.path.back().is_index() && a.path.size() > 1 &&
        MutableResolve(item, a.path, a.path.size() - 1) == nullptr) {
      return InvalidPath();
    }
    SLUICE_RETURN_IF_ERROR(SetAt(item, a.path, std::move(*values[i])));
  }
  std::sort(removals.begin(), removals.end(), [&](size_t x, size_t y) {
    const Path& a = update.actions[x].path;
    const Path& b = update.actions[y].path;
    return a.back().index > b.back().index;
  });
  for (size_t i : removals) SLUICE_RETURN_IF_ERROR(RemoveAt(item, update.actions[i].path));
  return Status::Ok();
}

Item Project(const Item& item, const std::vector<Path>& paths) {
  Item out;
  for (const Path& path : paths) {
    auto it = item.find(path[0].name);
    if (it == item.end()) continue;
    if (path.size() > 1 && Resolve(item, path) == nullptr) continue;
    Value& dst = out[path[0].name];
    CopyPath(it->second, &dst, path, 1);
  }
  return out;
}

}  // namespace sluice::dynamodb
