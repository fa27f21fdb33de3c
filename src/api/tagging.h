// Pieces shared by the tagging operations (AddTagsToStream,
// RemoveTagsFromStream, TagResource, UntagResource, ListTagsForResource):
// reading and checking the Tags map and TagKeys list, the characters tags
// may use, and resolving a ResourceARN to a stream, a consumer or a channel.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/dispatcher.h"
#include "engine/types.h"
#include "protocol/json_reader.h"
#include "protocol/validation.h"
#include "util/status.h"

namespace sluice::api {

// A TagMap member in document order; a null value reads as absent.
using TagEntries = std::vector<std::pair<std::string_view, std::optional<std::string_view>>>;
// A list of strings in order; a null item reads as absent.
using StringList = std::vector<std::optional<std::string_view>>;

// SerializationException for a non-map / non-string value.
Status DecodeTagMap(const protocol::JsonObject& body, std::string_view member, std::optional<TagEntries>* out);
// SerializationException for a non-list / non-string item.
Status DecodeStringList(const protocol::JsonObject& body, std::string_view member, std::optional<StringList>* out);

// Required TagMap (1..200 entries; keys 1..128, values 0..256): not-null,
// min and max entries, then one entry for the keys and one for the values,
// each rendering the whole map ({k=v, ...}).
void CheckTagMap(protocol::ValidationErrors& errors, std::string_view path, const std::optional<TagEntries>& tags);
// Required TagKeyList (1..50 keys of 1..128): not-null, min and max length,
// then one entry for the members, rendering the list ([a, b]).
void CheckTagKeyList(protocol::ValidationErrors& errors, std::string_view path, const std::optional<StringList>& keys);
// Required ResourceARN (pattern, 1..2048).
void CheckResourceArn(protocol::ValidationErrors& errors, std::optional<std::string_view> value);

// Whether `s` uses only the characters tags may use: Unicode letters,
// digits, white space and _ . : / = + - @ (and %, refused separately).
bool IsValidTagText(std::string_view s);

// The service's InvalidArgumentException for tag texts with characters not
// allowed (`adding` selects "add tags to" / "remove tags from"), or OK.
Status CheckTagCharacters(std::span<const std::string_view> texts, const engine::StreamRef& stream, bool adding);
// The same for the resource `kind` ("stream", "channel") named `name`.
Status CheckTagCharacters(std::span<const std::string_view> texts, std::string_view kind, std::string_view name,
                          std::string_view account, bool adding);

struct OperationContext;

// Checks the tags' characters (once the stream is known to exist) and adds
// them to the stream (AddTagsToStream, TagResource).
Status ApplyTags(const OperationContext& ctx, const engine::StreamRef& ref, const TagEntries& tags);
// Checks the keys' characters (once the stream is known to exist) and
// removes them from the stream (RemoveTagsFromStream, UntagResource).
Status RemoveTags(const OperationContext& ctx, const engine::StreamRef& ref, const StringList& keys);

// The stream a ResourceARN names. A consumer ARN is ResourceNotFound (the
// handlers send consumer ARNs to the functions below first; one that does
// not parse names no consumer); an ARN naming no stream is InvalidArgument.
Result<engine::StreamRef> ResolveResourceArn(std::string_view arn);

// Whether `arn` is a consumer ARN (<stream arn>/consumer/<name>:<seconds>):
// TagResource, UntagResource and ListTagsForResource then work on the
// consumer's tags.
bool IsConsumerArn(std::string_view arn);
// As ApplyTags / RemoveTags, on the tags of the consumer `consumer_arn`
// names (which must exist before the characters are looked at).
Status ApplyConsumerTags(const OperationContext& ctx, std::string_view consumer_arn, const TagEntries& tags);
Status RemoveConsumerTags(const OperationContext& ctx, std::string_view consumer_arn, const StringList& keys);

// Whether `arn` is a channel ARN (arn:aws:kinesis:<region>:<account>:channel/<name>):
// the tagging operations then work on the channel's tags, kept in the
// channel registry. The functions below check that the channel exists
// (ResourceNotFoundException) before they look at the tags' characters.
bool IsChannelArn(std::string_view arn);
Status ApplyChannelTags(const OperationContext& ctx, std::string_view channel_arn, const TagEntries& tags);
Status RemoveChannelTags(const OperationContext& ctx, std::string_view channel_arn, const StringList& keys);
Result<std::vector<std::pair<std::string, std::string>>> ListChannelTags(const OperationContext& ctx,
                                                                         std::string_view channel_arn);

}  // namespace sluice::api
