#include "api/tagging.h"

#include <map>

#include "api/channel_shapes.h"
#include "api/model_rules.h"
#include "api/operation.h"
#include "engine/consumer_arn.h"
#include "engine/engine.h"

namespace sluice::api {
namespace {

std::string RenderMap(const TagEntries& tags) {
  std::string out = "{";
  for (size_t i = 0; i < tags.size(); ++i) {
    if (i) out.append(", ");
    out.append(tags[i].first).append("=").append(tags[i].second.value_or("null"));
  }
  out.append("}");
  return out;
}

std::string RenderList(const StringList& items) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) out.append(", ");
    out.append(items[i].value_or("null"));
  }
  out.append("]");
  return out;
}

bool LengthWithin(std::string_view s, size_t min, size_t max) {
  size_t n = protocol::Utf16Length(s);
  return n >= min && n <= max;
}

// Decodes one UTF-8 code point at `s[*i]`, advancing `*i`; -1 when malformed.
int32_t NextCodePoint(std::string_view s, size_t* i) {
  unsigned char c = static_cast<unsigned char>(s[*i]);
  int len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
  if (len == 0 || *i + len > s.size()) {
    ++*i;
    return -1;
  }
  int32_t cp = len == 1 ? c : len == 2 ? (c & 0x1f) : len == 3 ? (c & 0x0f) : (c & 0x07);
  for (int k = 1; k < len; ++k) {
    unsigned char cc = static_cast<unsigned char>(s[*i + k]);
    if ((cc >> 6) != 0x2) {
      ++*i;
      return -1;
    }
    cp = (cp << 6) | (cc & 0x3f);
  }
  *i += len;
  return cp;
}

}  // namespace

Status DecodeTagMap(const protocol::JsonObject& body, std::string_view member, std::optional<TagEntries>* out) {
  std::optional<protocol::JsonObject> map;
  SLUICE_RETURN_IF_ERROR(body.GetMap(member, &map));
  if (!map) return Status::Ok();
  out->emplace();
  if (map->empty_structure()) return Status::Ok();
  for (auto field : map->raw()) {
    std::optional<std::string_view> value;
    SLUICE_RETURN_IF_ERROR(protocol::CheckString(field.value, &value));
    (*out)->emplace_back(field.key, value);
  }
  return Status::Ok();
}

Status DecodeStringList(const protocol::JsonObject& body, std::string_view member, std::optional<StringList>* out) {
  std::optional<protocol::JsonArray> list;
  SLUICE_RETURN_IF_ERROR(body.GetList(member, &list));
  if (!list) return Status::Ok();
  out->emplace();
  for (size_t i = 0; i < list->size(); ++i) {
    std::optional<std::string_view> item;
    SLUICE_RETURN_IF_ERROR(list->StringAt(i, &item));
    (*out)->push_back(item);
  }
  return Status::Ok();
}

void CheckTagMap(protocol::ValidationErrors& errors, std::string_view path, const std::optional<TagEntries>& tags) {
  if (!tags) {
    errors.CheckRequired(path, false);
    return;
  }
  const std::string rendered = RenderMap(*tags);
  if (tags->size() < 1) errors.Add(rendered, path, "Member must have length greater than or equal to 1");
  if (tags->size() > 200) errors.Add(rendered, path, "Member must have length less than or equal to 200");
  bool keys_ok = true, values_ok = true;
  for (const auto& [key, value] : *tags) {
    keys_ok = keys_ok && LengthWithin(key, 1, 128);
    values_ok = values_ok && LengthWithin(value.value_or(""), 0, 256);
  }
  if (!keys_ok) {
    errors.Add(rendered, path,
               "Map keys must satisfy constraint: [Member must have length less than or equal to 128, "
               "Member must have length greater than or equal to 1]");
  }
  if (!values_ok) {
    errors.Add(rendered, path,
               "Map value must satisfy constraint: [Member must have length less than or equal to 256, "
               "Member must have length greater than or equal to 0]");
  }
}

void CheckTagKeyList(protocol::ValidationErrors& errors, std::string_view path, const std::optional<StringList>& keys) {
  if (!keys) {
    errors.CheckRequired(path, false);
    return;
  }
  const std::string rendered = RenderList(*keys);
  if (keys->size() < 1) errors.Add(rendered, path, "Member must have length greater than or equal to 1");
  if (keys->size() > 50) errors.Add(rendered, path, "Member must have length less than or equal to 50");
  bool members_ok = true;
  for (const auto& key : *keys) members_ok = members_ok && key && LengthWithin(*key, 1, 128);
  if (!members_ok) {
    errors.Add(rendered, path,
               "Member must satisfy constraint: [Member must have length less than or equal to 128, "
               "Member must have length greater than or equal to 1]");
  }
}

void CheckResourceArn(protocol::ValidationErrors& errors, std::optional<std::string_view> value) {
  errors.CheckString("resourceARN", value, /*required=*/true, kResourceArnPattern, &MatchesResourceArnPattern, 1, 2048);
}

bool IsValidTagText(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    int32_t cp = NextCodePoint(s, &i);
    if (cp < 0) return false;
    if (cp < 0x80) {
      char c = static_cast<char>(cp);
      bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == ' ' || c == '_' ||
                c == '.' || c == ':' || c == '/' || c == '=' || c == '+' || c == '-' || c == '@' || c == '%';
      if (!ok) return false;
      continue;
    }
    // Letters of the Basic Multilingual Plane, as the service's check counts
    // them: U+00C0..U+1FFF and U+2C00..U+D7FF.
    if (!((cp >= 0xC0 && cp <= 0x1FFF) || (cp >= 0x2C00 && cp <= 0xD7FF))) return false;
  }
  return true;
}

Status CheckTagCharacters(std::span<const std::string_view> texts, const engine::StreamRef& stream, bool adding) {
  return CheckTagCharacters(texts, "stream", stream.name, stream.account, adding);
}

Status CheckTagCharacters(std::span<const std::string_view> texts, std::string_view kind, std::string_view name,
                          std::string_view account, bool adding) {
  for (std::string_view t : texts) {
    if (!IsValidTagText(t)) {
      return Status::InvalidArgument(
          "Some tags contain invalid characters. Valid characters: Unicode letters, digits, white space, "
          "_ . / = + - % @.");
    }
  }
  for (std::string_view t : texts) {
    if (t.find('%') != std::string_view::npos) {
      return Status::InvalidArgument(std::string(adding ? "Failed to add tags to " : "Failed to remove tags from ") +
                                     std::string(kind) + " " + std::string(name) + " under account " +
                                     std::string(account) +
                                     " because some tags contained illegal characters. The allowed characters are "
                                     "Unicode letters, white-spaces, '_',',','/','=','+','-','@'.");
    }
  }
  return Status::Ok();
}

Result<engine::StreamRef> ResolveResourceArn(std::string_view arn) {
  if (std::optional<engine::StreamRef> stream = engine::ParseStreamArn(arn)) return *std::move(stream);
  // arn:...:stream/<name>/consumer/<consumer>:<seconds>
  size_t at = arn.find(":stream/");
  if (at != std::string_view::npos && arn.find("/consumer/", at) != std::string_view::npos) {
    return Status::NotFound("Consumer " + std::string(arn) + " not found.");
  }
  return Status::InvalidArgument("Invalid ResourceARN " + std::string(arn) + ".");
}

bool IsConsumerArn(std::string_view arn) { return engine::ParseConsumerArn(arn).has_value(); }

Status ApplyConsumerTags(const OperationContext& ctx, std::string_view consumer_arn, const TagEntries& tags) {
  SLUICE_RETURN_IF_ERROR(ctx.engine.consumers().ListConsumerTags(consumer_arn).status());
  std::vector<std::string_view> texts;
  std::vector<std::pair<std::string, std::string>> pairs;
  for (const auto& [key, value] : tags) {
    texts.push_back(key);
    pairs.emplace_back(std::string(key), std::string(value.value_or("")));
  }
  for (const auto& [key, value] : tags) texts.push_back(value.value_or(""));
  SLUICE_RETURN_IF_ERROR(CheckTagCharacters(texts, engine::ParseConsumerArn(consumer_arn)->stream, /*adding=*/true));
  return ctx.engine.consumers().AddConsumerTags(consumer_arn, pairs);
}

Status RemoveConsumerTags(const OperationContext& ctx, std::string_view consumer_arn, const StringList& keys) {
  SLUICE_RETURN_IF_ERROR(ctx.engine.consumers().ListConsumerTags(consumer_arn).status());
  std::vector<std::string_view> texts;
  std::vector<std::string> names;
  for (const auto& key : keys) {
    texts.push_back(key.value_or(""));
    names.emplace_back(key.value_or(""));
  }
  SLUICE_RETURN_IF_ERROR(CheckTagCharacters(texts, engine::ParseConsumerArn(consumer_arn)->stream, /*adding=*/false));
  return ctx.engine.consumers().RemoveConsumerTags(consumer_arn, names);
}

bool IsChannelArn(std::string_view arn) { return channels::ParseChannelArn(arn).has_value(); }

Status ApplyChannelTags(const OperationContext& ctx, std::string_view channel_arn, const TagEntries& tags) {
  SLUICE_ASSIGN_OR_RETURN(channels::ChannelName channel, ResolveChannelArn(channel_arn));
  SLUICE_ASSIGN_OR_RETURN(channels::ChannelRegistry * registry, Channels(ctx));
  SLUICE_RETURN_IF_ERROR(registry->Describe(channel.account, channel.region, channel.name).status());
  std::vector<std::string_view> texts;
  std::map<std::string, std::string> added;
  for (const auto& [key, value] : tags) {
    texts.push_back(key);
    added[std::string(key)] = std::string(value.value_or(""));
  }
  for (const auto& [key, value] : tags) texts.push_back(value.value_or(""));
  SLUICE_RETURN_IF_ERROR(CheckTagCharacters(texts, "channel", channel.name, channel.account, /*adding=*/true));
  return registry->AddTags(channel.account, channel.region, channel.name, added);
}

Status RemoveChannelTags(const OperationContext& ctx, std::string_view channel_arn, const StringList& keys) {
  SLUICE_ASSIGN_OR_RETURN(channels::ChannelName channel, ResolveChannelArn(channel_arn));
  SLUICE_ASSIGN_OR_RETURN(channels::ChannelRegistry * registry, Channels(ctx));
  SLUICE_RETURN_IF_ERROR(registry->Describe(channel.account, channel.region, channel.name).status());
  std::vector<std::string_view> texts;
  std::vector<std::string> names;
  for (const auto& key : keys) {
    texts.push_back(key.value_or(""));
    names.emplace_back(key.value_or(""));
  }
  SLUICE_RETURN_IF_ERROR(CheckTagCharacters(texts, "channel", channel.name, channel.account, /*adding=*/false));
  return registry->RemoveTags(channel.account, channel.region, channel.name, names);
}

Result<std::vector<std::pair<std::string, std::string>>> ListChannelTags(const OperationContext& ctx,
                                                                         std::string_view channel_arn) {
  SLUICE_ASSIGN_OR_RETURN(channels::ChannelName channel, ResolveChannelArn(channel_arn));
  SLUICE_ASSIGN_OR_RETURN(channels::ChannelRegistry * registry, Channels(ctx));
  SLUICE_ASSIGN_OR_RETURN(channels::Channel c, registry->Describe(channel.account, channel.region, channel.name));
  return std::vector<std::pair<std::string, std::string>>(c.tags.begin(), c.tags.end());
}

}  // namespace sluice::api
