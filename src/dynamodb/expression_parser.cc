// The recursive-descent parsers of expression.h: a tokenizer, then one
// method per grammar rule.
#include <cctype>

#include "dynamodb/expression.h"
#include "util/ascii.h"

namespace sluice::dynamodb {
namespace {

struct Token {
  enum class Kind { kName, kNamePlaceholder, kValuePlaceholder, kNumber, kPunct, kEnd };
  Kind kind;
  std::string text;
};

bool IsNameChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

bool KeywordIs(const Token& t, std::string_view word) {
  if (t.kind != Token::Kind::kName || t.text.size() != word.size()) return false;
  for (size_t i = 0; i < word.size(); ++i) {
    if (std::toupper(static_cast<unsigned char>(t.text[i])) != word[i]) return false;
  }
  return true;
}

class Parser {
 public:
  Parser(std::string_view text, std::string_view which, Placeholders& p) : text_(text), which_(which), p_(p) {}

  Status Tokenize() {
    size_t i = 0;
    while (i < text_.size()) {
      char c = text_[i];
      if (std::isspace(static_cast<unsigned char>(c))) {
        ++i;
        continue;
      }
      size_t start = i;
      if (c == '#' || c == ':') {
        ++i;
        while (i < text_.size() && IsNameChar(text_[i])) ++i;
        if (i == start + 1) return SyntaxError(std::string(1, c));
        tokens_.push_back({c == '#' ? Token::Kind::kNamePlaceholder : Token::Kind::kValuePlaceholder,
                           std::string(text_.substr(start, i - start))});
      } else if (std::isdigit(static_cast<unsigned char>(c))) {
        while (i < text_.size() && IsNameChar(text_[i])) ++i;
        tokens_.push_back({Token::Kind::kNumber, std::string(text_.substr(start, i - start))});
      } else if (IsNameChar(c)) {
        while (i < text_.size() && IsNameChar(text_[i])) ++i;
        tokens_.push_back({Token::Kind::kName, std::string(text_.substr(start, i - start))});
      } else if ((c == '<' || c == '>') && i + 1 < text_.size() &&
                 (text_[i + 1] == '=' || (c == '<' && text_[i + 1] == '>'))) {
        tokens_.push_back({Token::Kind::kPunct, std::string(text_.substr(i, 2))});
        i += 2;
      } else if (std::string_view("()[],.=<>+-").find(c) != std::string_view::npos) {
        tokens_.push_back({Token::Kind::kPunct, std::string(1, c)});
        ++i;
      } else {
        return Error("Invalid character encountered; character: " + std::string(1, c) + ", near: \"" +
                     std::string(text_.substr(start > 0 ? start - 1 : 0, 3)) + "\"");
      }
    }
    tokens_.push_back({Token::Kind::kEnd, "<EOF>"});
    return Status::Ok();
  }

  Result<Condition> ParseConditionAll() {
    if (tokens_.size() == 1) return Error("The expression can not be empty;");
    Result<Condition> c = ParseOr();
    if (c.ok() && !AtEnd()) return SyntaxError(Peek().text);
    return c;
  }

  Result<UpdateExpression> ParseUpdateAll() {
    if (tokens_.size() == 1) return Error("The expression can not be empty;");
    UpdateExpression update;
    std::set<std::string> clauses;
    while (!AtEnd()) {
      const Token& t = Peek();
      std::string keyword;
      for (std::string_view k : {"SET", "REMOVE", "ADD", "DELETE"}) {
        if (KeywordIs(t, k)) keyword = k;
      }
      if (keyword.empty()) return SyntaxError(t.text);
      if (!clauses.insert(keyword).second) {
        return Error("The \"" + keyword + "\" section can only be used once in an update expression;");
      }
      Next();
      do {
        UpdateAction action;
        Result<Path> path = ParsePath();
        if (!path.ok()) return path.status();
        action.path = std::move(path).value();
        if (keyword == "SET") {
          action.kind = UpdateAction::Kind::kSet;
          SLUICE_RETURN_IF_ERROR(Expect("="));
          Result<Operand> v = ParseSetValue();
          if (!v.ok()) return v.status();
          action.value = std::move(v).value();
        } else if (keyword == "REMOVE") {
          action.kind = UpdateAction::Kind::kRemove;
        } else {
          action.kind = keyword == "ADD" ? UpdateAction::Kind::kAdd : UpdateAction::Kind::kDelete;
          if (Peek().kind != Token::Kind::kValuePlaceholder) return SyntaxError(Peek().text);
          Result<Operand> v = ParseOperand();
          if (!v.ok()) return v.status();
          action.value = std::move(v).value();
        }
        update.actions.push_back(std::move(action));
      } while (Accept(","));
    }
    SLUICE_RETURN_IF_ERROR(CheckOverlaps(update));
    return update;
  }

  Result<std::vector<Path>> ParseProjectionAll() {
    if (tokens_.size() == 1) return Error("The expression can not be empty;");
    std::vector<Path> paths;
    do {
      Result<Path> path = ParsePath();
      if (!path.ok()) return path.status();
      paths.push_back(std::move(path).value());
    } while (Accept(","));
    if (!AtEnd()) return SyntaxError(Peek().text);
    for (size_t i = 0; i < paths.size(); ++i) {
      for (size_t j = i + 1; j < paths.size(); ++j) SLUICE_RETURN_IF_ERROR(CheckOverlap(paths[i], paths[j]));
    }
    return paths;
  }

 private:
  Status Error(std::string reason) const {
    return Status::Validation("Invalid " + std::string(which_) + ": " + std::move(reason));
  }
  Status SyntaxError(const std::string& token) const {
    std::string near;
    size_t from = pos_ > 0 ? pos_ - 1 : 0;
    for (size_t i = from; i < tokens_.size() && i <= pos_ + 1; ++i) {
      if (tokens_[i].kind == Token::Kind::kEnd) break;
      near += (near.empty() ? "" : " ") + tokens_[i].text;
    }
    return Error("Syntax error; token: \"" + token + "\", near: \"" + near + "\"");
  }

  const Token& Peek(size_t ahead = 0) const { return tokens_[std::min(pos_ + ahead, tokens_.size() - 1)]; }
  const Token& Next() { return tokens_[pos_ < tokens_.size() - 1 ? pos_++ : pos_]; }
  bool AtEnd() const { return Peek().kind == Token::Kind::kEnd; }
  bool IsPunct(std::string_view p, size_t ahead = 0) const {
    return Peek(ahead).kind == Token::Kind::kPunct && Peek(ahead).text == p;
  }
  bool Accept(std::string_view p) {
    if (!IsPunct(p)) return false;
    Next();
    return true;
  }
  Status Expect(std::string_view p) {
    if (Accept(p)) return Status::Ok();
    return SyntaxError(Peek().text);
  }

  Result<std::string> ResolveName(const Token& t) {
    if (t.kind == Token::Kind::kName) return t.text;
    if (p_.names != nullptr) {
      auto it = p_.names->find(t.text);
      if (it != p_.names->end()) {
        p_.used_names.insert(t.text);
        return it->second;
      }
    }
    return Error("An expression attribute name used in the document path is not defined; attribute name: " + t.text);
  }

  Result<Path> ParsePath() {
    const Token& first = Peek();
    if (first.kind != Token::Kind::kName && first.kind != Token::Kind::kNamePlaceholder) {
      return SyntaxError(first.text);
    }
    Next();
    Path path;
    Result<std::string> name = ResolveName(first);
    if (!name.ok()) return name.status();
    path.push_back({std::move(name).value()});
    while (true) {
      if (Accept(".")) {
        const Token& t = Peek();
        if (t.kind != Token::Kind::kName && t.kind != Token::Kind::kNamePlaceholder) return SyntaxError(t.text);
        Next();
        Result<std::string> member = ResolveName(t);
        if (!member.ok()) return member.status();
        path.push_back({std::move(member).value()});
      } else if (Accept("[")) {
        const Token& t = Peek();
        if (t.kind != Token::Kind::kNumber) return SyntaxError(t.text);
        for (char c : t.text) {
          if (!std::isdigit(static_cast<unsigned char>(c))) return SyntaxError(t.text);
        }
        if (t.text.size() > 9) return Error("List index is not within the allowable range; index: [" + t.text + "]");
        Next();
        path.push_back({"", std::stoll(t.text)});
        SLUICE_RETURN_IF_ERROR(Expect("]"));
      } else {
        return path;
      }
    }
  }

  Result<Operand> ParseValuePlaceholder() {
    const Token& t = Next();
    Operand o;
    o.kind = Operand::Kind::kValue;
    if (p_.values != nullptr) {
      auto it = p_.values->find(t.text);
      if (it != p_.values->end()) {
        p_.used_values.insert(t.text);
        o.value = it->second;
        return o;
      }
    }
    return Error("An expression attribute value used in expression is not defined; attribute value: " + t.text);
  }

  // operand := path | ':value' | size '(' path ')'
  Result<Operand> ParseOperand() {
    const Token& t = Peek();
    if (t.kind == Token::Kind::kValuePlaceholder) return ParseValuePlaceholder();
    if (t.kind == Token::Kind::kName && IsPunct("(", 1)) {
      std::string function = t.text;
      if (function != "size") {
        if (IsConditionFunction(function) || function == "if_not_exists" || function == "list_append") {
          return Error("The function is not allowed to be used this way in an expression; function: " + function);
        }
        return Error("Invalid function name; function: " + function);
      }
      Next();
      Next();
      Operand o;
      o.kind = Operand::Kind::kSize;
      Result<Operand> arg = ParseOperand();
      if (!arg.ok()) return arg.status();
      if (arg->kind != Operand::Kind::kPath) {
        return Error("Incorrect operand type for operator or function; operator or function: size, operand type: " +
                     std::string(TypeName(arg->value.type)));
      }
      o.path = std::move(arg->path);
      SLUICE_RETURN_IF_ERROR(Expect(")"));
      return o;
    }
    return ParsePathOperand();
  }

  Result<Operand> ParsePathOperand() {
    Result<Path> path = ParsePath();
    if (!path.ok()) return path.status();
    Operand o;
    o.kind = Operand::Kind::kPath;
    o.path = std::move(path).value();
    return o;
  }

  static bool IsConditionFunction(std::string_view f) {
    return f == "attribute_exists" || f == "attribute_not_exists" || f == "attribute_type" || f == "begins_with" ||
           f == "contains";
  }

  // or := and { OR and };  and := not { AND not }: left-associative.
  Result<Condition> ParseOr() { return ParseJoined("OR", Condition::Kind::kOr, &Parser::ParseAnd); }
  Result<Condition> ParseAnd() { return ParseJoined("AND", Condition::Kind::kAnd, &Parser::ParseNot); }

  Result<Condition> ParseJoined(std::string_view keyword, Condition::Kind kind,
                                Result<Condition> (Parser::*operand)()) {
    Result<Condition> left = (this->*operand)();
    if (!left.ok()) return left;
    while (KeywordIs(Peek(), keyword)) {
      Next();
      Result<Condition> right = (this->*operand)();
      if (!right.ok()) return right;
      Condition c;
      c.kind = kind;
      c.children = {std::move(left).value(), std::move(right).value()};
      left = std::move(c);
    }
    return left;
  }

  Result<Condition> ParseNot() {
    if (KeywordIs(Peek(), "NOT")) {
      Next();
      Result<Condition> inner = ParseNot();
      if (!inner.ok()) return inner;
      Condition c;
      c.kind = Condition::Kind::kNot;
      c.children = {std::move(inner).value()};
      return c;
    }
    return ParsePrimary();
  }

  Result<Condition> ParseFunction() {
    std::string function = Next().text;
    Next();  // '('
    Condition c;
    size_t arity = 2;
    if (function == "attribute_exists") {
      c.kind = Condition::Kind::kExists, arity = 1;
    } else if (function == "attribute_not_exists") {
      c.kind = Condition::Kind::kNotExists, arity = 1;
    } else if (function == "attribute_type") {
      c.kind = Condition::Kind::kType;
    } else if (function == "begins_with") {
      c.kind = Condition::Kind::kBeginsWith;
    } else {
      c.kind = Condition::Kind::kContains;
    }
    do {
      Result<Operand> arg = ParseOperand();
      if (!arg.ok()) return arg.status();
      c.operands.push_back(std::move(arg).value());
    } while (Accept(","));
    SLUICE_RETURN_IF_ERROR(Expect(")"));
    if (c.operands.size() != arity) {
      return Error("Incorrect number of operands for operator or function; operator or function: " + function +
                   ", number of operands: " + std::to_string(c.operands.size()));
    }
    if ((arity == 1 || c.kind == Condition::Kind::kType) && c.operands[0].kind != Operand::Kind::kPath) {
      return Error("Operator or function requires a document path; operator or function: " + function);
    }
    if (c.kind == Condition::Kind::kType) {
      const Operand& t = c.operands[1];
      if (t.kind != Operand::Kind::kValue || t.value.type != ValueType::kS) {
        return Error(
            "Incorrect operand type for operator or function; operator or function: attribute_type, "
            "operand type: " +
            std::string(TypeName(t.value.type)));
      }
      if (!TypeFromName(t.value.scalar)) {
        return Error("Invalid attribute type name found; type: " + t.value.scalar +
                     ", valid types: {B,NULL,SS,BOOL,L,BS,N,NS,S,M}");
      }
    }
    if (c.kind == Condition::Kind::kBeginsWith) {
      for (const Operand& o : c.operands) {
        if (o.kind == Operand::Kind::kValue && o.value.type != ValueType::kS && o.value.type != ValueType::kB) {
          return Error(
              "Incorrect operand type for operator or function; operator or function: begins_with, "
              "operand type: " +
              std::string(TypeName(o.value.type)));
        }
      }
    }
    return c;
  }

  Result<Condition> ParsePrimary() {
    if (Accept("(")) {
      Result<Condition> inner = ParseOr();
      if (!inner.ok()) return inner;
      SLUICE_RETURN_IF_ERROR(Expect(")"));
      return inner;
    }
    const Token& t = Peek();
    if (t.kind == Token::Kind::kName && IsPunct("(", 1) && t.text != "size") {
      if (IsConditionFunction(t.text)) return ParseFunction();
      if (t.text == "if_not_exists" || t.text == "list_append") {
        return Error("The function is not allowed to be used this way in an expression; function: " + t.text);
      }
      return Error("Invalid function name; function: " + t.text);
    }
    Result<Operand> left = ParseOperand();
    if (!left.ok()) return left.status();
    Condition c;
    c.operands.push_back(std::move(left).value());
    const Token& op = Peek();
    if (KeywordIs(op, "BETWEEN")) {
      Next();
      c.kind = Condition::Kind::kBetween;
      Result<Operand> low = ParseOperand();
      if (!low.ok()) return low.status();
      if (!KeywordIs(Peek(), "AND")) return SyntaxError(Peek().text);
      Next();
      Result<Operand> high = ParseOperand();
      if (!high.ok()) return high.status();
      if (low->kind == Operand::Kind::kValue && high->kind == Operand::Kind::kValue &&
          low->value.type == high->value.type && CompareScalars(low->value, high->value) > 0) {
        return Error(
            "The BETWEEN operator requires upper bound to be greater than or equal to lower bound; "
            "lower bound operand: AttributeValue: {" +
            std::string(TypeName(low->value.type)) + ":" + low->value.scalar +
            "}, upper bound operand: AttributeValue: {" + std::string(TypeName(high->value.type)) + ":" +
            high->value.scalar + "}");
      }
      c.operands.push_back(std::move(low).value());
      c.operands.push_back(std::move(high).value());
      return c;
    }
    if (KeywordIs(op, "IN")) {
      Next();
      c.kind = Condition::Kind::kIn;
      SLUICE_RETURN_IF_ERROR(Expect("("));
      do {
        Result<Operand> candidate = ParseOperand();
        if (!candidate.ok()) return candidate.status();
        c.operands.push_back(std::move(candidate).value());
      } while (Accept(","));
      SLUICE_RETURN_IF_ERROR(Expect(")"));
      return c;
    }
    if (op.kind == Token::Kind::kPunct &&
        (op.text == "=" || op.text == "<>" || op.text == "<" || op.text == "<=" || op.text == ">" || op.text == ">=")) {
      c.kind = Condition::Kind::kCompare;
      c.op = Next().text;
      Result<Operand> right = ParseOperand();
      if (!right.ok()) return right.status();
      c.operands.push_back(std::move(right).value());
      return c;
    }
    return SyntaxError(op.text);
  }

  // set_value := set_operand [ ('+' | '-') set_operand ]
  Result<Operand> ParseSetValue() {
    Result<Operand> left = ParseSetOperand();
    if (!left.ok()) return left;
    if (IsPunct("+") || IsPunct("-")) {
      Operand o;
      o.kind = Next().text == "+" ? Operand::Kind::kPlus : Operand::Kind::kMinus;
      Result<Operand> right = ParseSetOperand();
      if (!right.ok()) return right;
      o.args = {std::move(left).value(), std::move(right).value()};
      return o;
    }
    return left;
  }

  Result<Operand> ParseSetOperand() {
    const Token& t = Peek();
    if (t.kind == Token::Kind::kValuePlaceholder) return ParseValuePlaceholder();
    if (t.kind == Token::Kind::kName && IsPunct("(", 1)) {
      std::string function = t.text;
      if (function != "if_not_exists" && function != "list_append") {
        if (IsConditionFunction(function) || function == "size") {
          return Error("The function is not allowed in an update expression; function: " + function);
        }
        return Error("Invalid function name; function: " + function);
      }
      Next();
      Next();
      Operand o;
      if (function == "if_not_exists") {
        o.kind = Operand::Kind::kIfNotExists;
        Result<Path> path = ParsePath();
        if (!path.ok()) return path.status();
        o.path = std::move(path).value();
        SLUICE_RETURN_IF_ERROR(Expect(","));
        Result<Operand> fallback = ParseSetValue();
        if (!fallback.ok()) return fallback;
        o.args.push_back(std::move(fallback).value());
      } else {
        o.kind = Operand::Kind::kListAppend;
        for (int i = 0; i < 2; ++i) {
          if (i == 1) SLUICE_RETURN_IF_ERROR(Expect(","));
          Result<Operand> arg = ParseSetValue();
          if (!arg.ok()) return arg;
          if (arg->kind == Operand::Kind::kValue && arg->value.type != ValueType::kL) {
            return Error(
                "Incorrect operand type for operator or function; operator or function: list_append, "
                "operand type: " +
                std::string(TypeName(arg->value.type)));
          }
          o.args.push_back(std::move(arg).value());
        }
      }
      SLUICE_RETURN_IF_ERROR(Expect(")"));
      return o;
    }
    return ParsePathOperand();
  }

  // Two paths overlap when one is a prefix of the other.
  Status CheckOverlap(const Path& a, const Path& b) const {
    size_t n = std::min(a.size(), b.size());
    for (size_t i = 0; i < n; ++i) {
      if (a[i].is_index() != b[i].is_index() || a[i].index != b[i].index || a[i].name != b[i].name) {
        return Status::Ok();
      }
    }
    return Error(
        "Two document paths overlap with each other; must remove or rewrite one of these paths; path "
        "one: [" +
        PathText(a) + "], path two: [" + PathText(b) + "]");
  }

  Status CheckOverlaps(const UpdateExpression& u) const {
    for (size_t i = 0; i < u.actions.size(); ++i) {
      for (size_t j = i + 1; j < u.actions.size(); ++j) {
        SLUICE_RETURN_IF_ERROR(CheckOverlap(u.actions[i].path, u.actions[j].path));
      }
    }
    return Status::Ok();
  }

  std::string_view text_;
  std::string_view which_;
  Placeholders& p_;
  std::vector<Token> tokens_;
  size_t pos_ = 0;
};

}  // namespace

std::string PathText(const Path& path) {
  std::string out;
  for (const PathElement& e : path) {
    if (e.is_index()) {
      out += "[" + std::to_string(e.index) + "]";
    } else {
      out += (out.empty() ? "" : ".") + e.name;
    }
  }
  return out;
}

Result<Condition> ParseCondition(std::string_view text, std::string_view which, Placeholders& p) {
  Parser parser(text, which, p);
  SLUICE_RETURN_IF_ERROR(parser.Tokenize());
  return parser.ParseConditionAll();
}

Result<UpdateExpression> ParseUpdate(std::string_view text, Placeholders& p) {
  Parser parser(text, "UpdateExpression", p);
  SLUICE_RETURN_IF_ERROR(parser.Tokenize());
  return parser.ParseUpdateAll();
}

Result<std::vector<Path>> ParseProjection(std::string_view text, Placeholders& p) {
  Parser parser(text, "ProjectionExpression", p);
  SLUICE_RETURN_IF_ERROR(parser.Tokenize());
  return parser.ParseProjectionAll();
}

Status CheckAllPlaceholdersUsed(const Placeholders& p) {
  auto unused = [](const auto& all, const std::set<std::string>& used) {
    std::string keys;
    for (const auto& [key, value] : all) {
      if (!used.count(key)) keys += (keys.empty() ? "" : ", ") + key;
    }
    return keys;
  };
  if (p.names != nullptr) {
    std::string keys = unused(*p.names, p.used_names);
    if (!keys.empty()) {
      return Status::Validation("Value provided in ExpressionAttributeNames unused in expressions: keys: {" + keys +
                                "}");
    }
  }
  if (p.values != nullptr) {
    std::string keys = unused(*p.values, p.used_values);
    if (!keys.empty()) {
      return Status::Validation("Value provided in ExpressionAttributeValues unused in expressions: keys: {" + keys +
                                "}");
    }
  }
  return Status::Ok();
}

}  // namespace sluice::dynamodb
