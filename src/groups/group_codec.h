// The JSON of the group journal's records and of its snapshot
// (docs/engine-formats.md, "Consumer groups"). Storage words only: the
// wire shapes of the API are src/groups_api's.
#pragma once

#include <string>
#include <string_view>

#include <simdjson.h>

#include "groups/group_types.h"
#include "util/status.h"

namespace sluice::groups {

// {"a":<account>,"r":<region>,"s":<stream>,"g":<group>}
std::string EncodeGroupKey(const GroupKey& key);
// The key's members followed by "sc","ip","c".
std::string EncodeGroupRecord(const GroupRecord& record);
// The key's members (when `with_key`) followed by "shard", "seq" (absent for
// none), "end", "t".
std::string EncodeCheckpoint(const GroupKey& key, const Checkpoint& checkpoint, bool with_key = true);

// Corruption (naming what is missing) when a member is absent or mistyped.
Result<GroupKey> DecodeGroupKey(simdjson::dom::element json);
Result<GroupRecord> DecodeGroupRecord(simdjson::dom::element json);
Result<Checkpoint> DecodeCheckpoint(simdjson::dom::element json);

}  // namespace sluice::groups
