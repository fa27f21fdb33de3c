// The two errors of the group model with no Kinesis counterpart,
// UnknownMemberException and FencedMemberException
// (docs/consumer-groups.md). Their Status code is kInvalidArgument (a
// client error, 400) and their message starts "Member <id> "; MemberErrorType
// tells them from every other error for the API layer, which answers them
// under their own names. No other error of this library starts its message
// with "Member ".
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "util/status.h"

namespace sluice::groups {

// "Member <id> is not in group <group>: ..."
Status UnknownMemberError(const std::string& member_id, const std::string& group);
// "Member <id> is fenced: it <reason>"
Status FencedMemberError(const std::string& member_id, const std::string& reason);

// "UnknownMemberException", "FencedMemberException", or nullopt for any
// other status.
std::optional<std::string_view> MemberErrorType(const Status& status);

}  // namespace sluice::groups
