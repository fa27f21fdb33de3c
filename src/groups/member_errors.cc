#include "groups/member_errors.h"

namespace sluice::groups {
namespace {

constexpr std::string_view kMember = "Member ";
constexpr std::string_view kNotInGroup = " is not in group ";
constexpr std::string_view kFenced = " is fenced: it ";

}  // namespace

Status UnknownMemberError(const std::string& member_id, const std::string& group) {
  return Status::InvalidArgument(std::string(kMember) + member_id + std::string(kNotInGroup) + group +
                                 ": its session ended or the server restarted; join again.");
}

Status FencedMemberError(const std::string& member_id, const std::string& reason) {
  return Status::InvalidArgument(std::string(kMember) + member_id + std::string(kFenced) + reason);
}

std::optional<std::string_view> MemberErrorType(const Status& status) {
  const std::string& m = status.message();
  if (status.code() != ErrorCode::kInvalidArgument || !m.starts_with(kMember)) return std::nullopt;
  // Member ids match [a-zA-Z0-9_.-]+: the first space after the prefix ends the id.
  const size_t id_end = m.find(' ', kMember.size());
  if (id_end == std::string::npos) return std::nullopt;
  const std::string_view rest = std::string_view(m).substr(id_end);
  if (rest.starts_with(kNotInGroup)) return "UnknownMemberException";
  if (rest.starts_with(kFenced)) return "FencedMemberException";
  return std::nullopt;
}

}  // namespace sluice::groups
