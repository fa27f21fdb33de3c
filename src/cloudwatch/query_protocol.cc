#include "cloudwatch/query_protocol.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <memory>

#include <fmt/format.h>

#include "auth/canonical_request.h"

namespace sluice::cloudwatch {
namespace {

// The parameters as a tree of dotted-path segments before lists are known.
struct Node {
  std::optional<std::string> value;
  std::map<std::string, std::unique_ptr<Node>> children;
};

bool IsIndex(std::string_view s, uint64_t* index) {
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), *index);
  return ec == std::errc() && ptr == s.data() + s.size() && *index > 0;
}

Result<Value> ToValue(const Node& node) {
  if (node.value) {
    if (!node.children.empty()) return Status::Serialization("a parameter is both a value and a structure");
    return Value::String(*node.value);
  }
  auto member = node.children.find("member");
  if (node.children.size() == 1 && member != node.children.end()) {
    std::vector<std::pair<uint64_t, const Node*>> items;
    for (const auto& [key, child] : member->second->children) {
      uint64_t index = 0;
      if (!IsIndex(key, &index)) return Status::Serialization("list item index must be a positive number");
      items.emplace_back(index, child.get());
    }
    std::sort(items.begin(), items.end());
    Value list = Value::List();
    for (const auto& [index, child] : items) {
      SLUICE_ASSIGN_OR_RETURN(Value item, ToValue(*child));
      list.Add(std::move(item));
    }
    return list;
  }
  Value map = Value::Map();
  for (const auto& [key, child] : node.children) {
    SLUICE_ASSIGN_OR_RETURN(Value v, ToValue(*child));
    map.Set(key, std::move(v));
  }
  return map;
}

void AppendNumber(std::string* out, double d) {
  if (std::isnan(d)) {
    out->append("NaN");
  } else if (std::isinf(d)) {
    out->append(d > 0 ? "Infinity" : "-Infinity");
  } else {
    out->append(fmt::format("{}", d));
  }
}

void AppendXml(std::string* out, std::string_view name, const Value& v) {
  if (v.is_null()) return;
  out->append("<").append(name).append(">");
  switch (v.kind()) {
    case Value::Kind::kNull: break;
    case Value::Kind::kBool: out->append(*v.AsBool() ? "true" : "false"); break;
    case Value::Kind::kNumber: AppendNumber(out, *v.AsNumber()); break;
    case Value::Kind::kString: out->append(XmlEscape(*v.AsString())); break;
    case Value::Kind::kTimestamp: out->append(FormatIso8601(*v.AsTime())); break;
    case Value::Kind::kList:
      for (const Value& item : v.items()) AppendXml(out, "member", item);
      break;
    case Value::Kind::kMap:
      for (const auto& [key, member] : v.members()) AppendXml(out, key, member);
      break;
  }
  out->append("</").append(name).append(">");
}

}  // namespace

Result<QueryRequest> DecodeQueryForm(std::string_view body) {
  QueryRequest request;
  Node root;
  while (!body.empty()) {
    const size_t amp = body.find('&');
    std::string_view pair = body.substr(0, amp);
    body = amp == std::string_view::npos ? std::string_view() : body.substr(amp + 1);
    if (pair.empty()) continue;
    const size_t eq = pair.find('=');
    std::string key = auth::UriDecode(pair.substr(0, eq), /*plus_is_space=*/true);
    std::string value =
        eq == std::string_view::npos ? std::string() : auth::UriDecode(pair.substr(eq + 1), /*plus_is_space=*/true);
    if (key == "Action") {
      request.action = std::move(value);
      continue;
    }
    if (key == "Version") {
      request.version = std::move(value);
      continue;
    }
    Node* node = &root;
    std::string_view rest = key;
    while (true) {
      const size_t dot = rest.find('.');
      std::unique_ptr<Node>& child = node->children[std::string(rest.substr(0, dot))];
      if (!child) child = std::make_unique<Node>();
      node = child.get();
      if (dot == std::string_view::npos) break;
      rest = rest.substr(dot + 1);
    }
    node->value = std::move(value);
  }
  SLUICE_ASSIGN_OR_RETURN(request.input, ToValue(root));
  if (request.input.kind() != Value::Kind::kMap) request.input = Value::Map();
  return request;
}

std::string EncodeQueryResponse(std::string_view action, const Value& result, std::string_view request_id) {
  std::string out = fmt::format("<{}Response xmlns=\"{}\">", action, kXmlNamespace);
  if (!result.is_null()) AppendXml(&out, fmt::format("{}Result", action), result);
  out +=
      fmt::format("<ResponseMetadata><RequestId>{}</RequestId></ResponseMetadata></{}Response>\n", request_id, action);
  return out;
}

std::string EncodeQueryError(std::string_view code, std::string_view message, bool sender,
                             std::string_view request_id) {
  return fmt::format(
      "<ErrorResponse xmlns=\"{}\"><Error><Type>{}</Type><Code>{}</Code><Message>{}</Message></Error>"
      "<RequestId>{}</RequestId></ErrorResponse>\n",
      kXmlNamespace, sender ? "Sender" : "Receiver", XmlEscape(code), XmlEscape(message), request_id);
}

std::string XmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default: out.push_back(c);
    }
  }
  return out;
}

}  // namespace sluice::cloudwatch
