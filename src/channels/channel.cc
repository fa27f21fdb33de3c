#include "channels/channel.h"

#include <fmt/format.h>

namespace sluice::channels {

const char* ChannelStatusName(ChannelStatus s) {
  switch (s) {
    case ChannelStatus::kCreating: return "CREATING";
    case ChannelStatus::kActive: return "ACTIVE";
    case ChannelStatus::kUpdating: return "UPDATING";
    case ChannelStatus::kDeleting: return "DELETING";
    case ChannelStatus::kFailed: return "FAILED";
  }
  return "FAILED";
}

const char* DestinationTypeName(DestinationType t) { return t == DestinationType::kS3 ? "S3" : "S3_TABLES"; }

std::string ChannelArn(const std::string& account, const std::string& region, const std::string& name) {
  return fmt::format("arn:aws:kinesis:{}:{}:channel/{}", region, account, name);
}

std::optional<ChannelName> ParseChannelArn(std::string_view arn) {
  // arn:<partition>:kinesis:<region>:<account>:channel/<name>
  std::string_view parts[5];
  for (int i = 0; i < 5; ++i) {
    size_t colon = arn.find(':');
    if (colon == std::string_view::npos) return std::nullopt;
    parts[i] = arn.substr(0, colon);
    arn.remove_prefix(colon + 1);
  }
  constexpr std::string_view kPrefix = "channel/";
  if (parts[0] != "arn" || parts[2] != "kinesis" || arn.substr(0, kPrefix.size()) != kPrefix) return std::nullopt;
  arn.remove_prefix(kPrefix.size());
  if (arn.empty() || parts[4].size() != 12) return std::nullopt;
  return ChannelName{std::string(parts[4]), std::string(parts[3]), std::string(arn)};
}

}  // namespace sluice::channels
