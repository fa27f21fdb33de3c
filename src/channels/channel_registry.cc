#include "channels/channel_registry.h"

#include <fmt/format.h>
#include <openssl/rand.h>

#include <utility>

#include "channels/channel_document.h"

namespace sluice::channels {
namespace {

Status NotFound(const std::string& name, const std::string& account) {
  return Status::NotFound(fmt::format("Channel {} under account {} not found.", name, account));
}

}  // namespace

std::string ChannelsPath(const std::string& data_dir) { return data_dir + "/channels"; }

ChannelRegistry::ChannelRegistry(RegistryOptions options, const Clock& clock)
    : options_(std::move(options)), clock_(clock), store_(options_.path, options_.in_memory) {}

Status ChannelRegistry::Load() {
  SLUICE_ASSIGN_OR_RETURN(std::optional<std::string> bytes, store_.Load());
  if (!bytes) return Status::Ok();
  SLUICE_ASSIGN_OR_RETURN(std::vector<Channel> loaded, DecodeChannelDocument(*bytes));
  std::lock_guard lock(mu_);
  channels_.clear();
  for (Channel& c : loaded) {
    Key key{c.account, c.region, c.name};
    channels_.emplace(std::move(key), std::move(c));
  }
  return Status::Ok();
}

std::optional<Channel> ChannelRegistry::Effective(Channel c, int64_t now_ms) {
  if (c.settles_ms == 0 || now_ms < c.settles_ms) return c;
  switch (c.status) {
    case ChannelStatus::kDeleting: return std::nullopt;
    case ChannelStatus::kCreating:
      if (c.destination == DestinationType::kS3Tables) {
        c.status = ChannelStatus::kFailed;
        c.status_reason = std::string(kS3TablesNotSupported);
      } else {
        c.status = ChannelStatus::kActive;
      }
      break;
    case ChannelStatus::kUpdating: c.status = ChannelStatus::kActive; break;
    default: break;
  }
  c.settles_ms = 0;
  return c;
}

Result<Channel> ChannelRegistry::FindLocked(const Key& key) const {
  auto it = channels_.find(key);
  std::optional<Channel> c;
  if (it != channels_.end()) c = Effective(it->second, clock_.NowMillis());
  if (!c) return NotFound(std::get<2>(key), std::get<0>(key));
  return *c;
}

std::string ChannelRegistry::NewChannelId() {
  // A random version-4 UUID, the form of the service's other generated ids.
  unsigned char b[16];
  if (RAND_bytes(b, sizeof b) != 1) {
    // Unique within this process even without entropy.
    const uint64_t n = ++id_counter_, t = static_cast<uint64_t>(clock_.NowMillis());
    for (int i = 0; i < 8; ++i) b[i] = static_cast<unsigned char>(n >> (8 * i));
    for (int i = 0; i < 8; ++i) b[8 + i] = static_cast<unsigned char>(t >> (8 * i));
  }
  b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x40);
  b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);
  std::string hex;
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) hex.push_back('-');
    hex += fmt::format("{:02x}", b[i]);
  }
  return hex;
}

Result<Channel> ChannelRegistry::Create(Channel channel) {
  std::lock_guard lock(mu_);
  Key key{channel.account, channel.region, channel.name};
  if (FindLocked(key).ok()) {
    return Status::InUse(fmt::format("Channel {} under account {} already exists.", channel.name, channel.account));
  }
  const int64_t now = clock_.NowMillis();
  channel.id = NewChannelId();
  channel.creation_ms = now;
  channel.status = ChannelStatus::kCreating;
  channel.status_reason.reset();
  channel.settles_ms = now + options_.create_delay_ms;
  std::map<Key, Channel> next = channels_;
  next[key] = channel;
  SLUICE_RETURN_IF_ERROR(CommitLocked(std::move(next)));
  return channel;
}

Result<Channel> ChannelRegistry::Describe(const std::string& account, const std::string& region,
                                          const std::string& name) const {
  std::lock_guard lock(mu_);
  return FindLocked(Key{account, region, name});
}

std::vector<Channel> ChannelRegistry::List(const std::string& account, const std::string& region) const {
  std::lock_guard lock(mu_);
  std::vector<Channel> out;
  const int64_t now = clock_.NowMillis();
  for (auto it = channels_.lower_bound(Key{account, region, ""});
       it != channels_.end() && std::get<0>(it->first) == account && std::get<1>(it->first) == region; ++it) {
    if (std::optional<Channel> c = Effective(it->second, now)) out.push_back(std::move(*c));
  }
  return out;
}

std::vector<Channel> ChannelRegistry::All() const {
  std::lock_guard lock(mu_);
  std::vector<Channel> out;
  const int64_t now = clock_.NowMillis();
  for (const auto& [key, channel] : channels_) {
    if (std::optional<Channel> c = Effective(channel, now)) out.push_back(std::move(*c));
  }
  return out;
}

Result<Channel> ChannelRegistry::Update(const std::string& account, const std::string& region, const std::string& name,
                                        std::optional<int64_t> data_freshness_s, std::optional<Logging> logging) {
  std::lock_guard lock(mu_);
  Key key{account, region, name};
  SLUICE_ASSIGN_OR_RETURN(Channel c, FindLocked(key));
  if (c.status != ChannelStatus::kActive) {
    return Status::InUse(fmt::format("Channel {} under account {} not ACTIVE, instead in state {}.", name, account,
                                     ChannelStatusName(c.status)));
  }
  if (data_freshness_s) c.data_freshness_s = *data_freshness_s;
  if (logging) c.logging = std::move(logging);
  c.status = ChannelStatus::kUpdating;
  c.settles_ms = clock_.NowMillis() + options_.update_delay_ms;
  std::map<Key, Channel> next = channels_;
  next[key] = c;
  SLUICE_RETURN_IF_ERROR(CommitLocked(std::move(next)));
  return c;
}

Status ChannelRegistry::Delete(const std::string& account, const std::string& region, const std::string& name) {
  std::lock_guard lock(mu_);
  Key key{account, region, name};
  SLUICE_ASSIGN_OR_RETURN(Channel c, FindLocked(key));
  if (c.status == ChannelStatus::kDeleting) return Status::Ok();
  c.status = ChannelStatus::kDeleting;
  c.status_reason.reset();
  c.settles_ms = clock_.NowMillis() + options_.delete_delay_ms;
  std::map<Key, Channel> next = channels_;
  next[key] = c;
  return CommitLocked(std::move(next));
}

Status ChannelRegistry::AddTags(const std::string& account, const std::string& region, const std::string& name,
                                const std::map<std::string, std::string>& tags) {
  std::lock_guard lock(mu_);
  Key key{account, region, name};
  SLUICE_ASSIGN_OR_RETURN(Channel c, FindLocked(key));
  for (const auto& [k, v] : tags) c.tags[k] = v;
  if (c.tags.size() > kMaxChannelTags) {
    return Status::InvalidArgument(fmt::format(
        "Failed to add tags to channel {} under account {} because a given channel cannot have more than {} tags "
        "associated with it.",
        name, account, kMaxChannelTags));
  }
  std::map<Key, Channel> next = channels_;
  next[key] = std::move(c);
  return CommitLocked(std::move(next));
}

Status ChannelRegistry::RemoveTags(const std::string& account, const std::string& region, const std::string& name,
                                   const std::vector<std::string>& keys) {
  std::lock_guard lock(mu_);
  Key key{account, region, name};
  SLUICE_ASSIGN_OR_RETURN(Channel c, FindLocked(key));
  for (const std::string& k : keys) c.tags.erase(k);
  std::map<Key, Channel> next = channels_;
  next[key] = std::move(c);
  return CommitLocked(std::move(next));
}

Status ChannelRegistry::CommitLocked(std::map<Key, Channel> next) {
  const int64_t now = clock_.NowMillis();
  std::vector<Channel> doc;
  for (auto it = next.begin(); it != next.end();) {
    std::optional<Channel> c = Effective(it->second, now);
    if (!c) {
      it = next.erase(it);
      continue;
    }
    it->second = *c;
    doc.push_back(std::move(*c));
    ++it;
  }
  SLUICE_RETURN_IF_ERROR(store_.Save(EncodeChannelDocument(doc)));
  channels_ = std::move(next);
  return Status::Ok();
}

}  // namespace sluice::channels
