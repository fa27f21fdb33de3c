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

// The channel of `key` in `channels`, or ResourceNotFound.
template <typename Channels, typename Key>
Result<Channel> Find(const Channels& channels, const Key& key) {
  auto it = channels.find(key);
  if (it == channels.end()) return NotFound(std::get<2>(key), std::get<0>(key));
  return it->second;
}

}  // namespace

std::string ChannelsPath(const std::string& data_dir) { return data_dir + "/channels"; }

ChannelRegistry::ChannelRegistry(RegistryOptions options, const Clock& clock,
                                 std::shared_ptr<RegistryPersistence> persistence)
    : options_(std::move(options)),
      clock_(clock),
      persistence_(persistence != nullptr
                       ? std::move(persistence)
                       : std::make_shared<LocalRegistryPersistence>(options_.path, options_.in_memory)) {}

Status ChannelRegistry::Load() { return persistence_->Load(); }

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

ChannelRegistry::Channels ChannelRegistry::Settled(const ChannelDocument& doc, int64_t now_ms) {
  Channels out;
  for (const Channel& channel : doc) {
    if (std::optional<Channel> c = Effective(channel, now_ms)) {
      Key key{c->account, c->region, c->name};
      out.emplace(std::move(key), std::move(*c));
    }
  }
  return out;
}

ChannelRegistry::Channels ChannelRegistry::Current() const {
  return Settled(*persistence_->Read(), clock_.NowMillis());
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
  const int64_t now = clock_.NowMillis();
  channel.id = NewChannelId();
  channel.creation_ms = now;
  channel.status = ChannelStatus::kCreating;
  channel.status_reason.reset();
  channel.settles_ms = now + options_.create_delay_ms;
  SLUICE_RETURN_IF_ERROR(Change([&](Channels& channels) -> Result<bool> {
    Key key{channel.account, channel.region, channel.name};
    if (channels.count(key) != 0) {
      return Status::InUse(fmt::format("Channel {} under account {} already exists.", channel.name, channel.account));
    }
    channels[key] = channel;
    return true;
  }));
  return channel;
}

Result<Channel> ChannelRegistry::Describe(const std::string& account, const std::string& region,
                                          const std::string& name) const {
  Channels channels = Current();
  return Find(channels, Key{account, region, name});
}

std::vector<Channel> ChannelRegistry::List(const std::string& account, const std::string& region) const {
  Channels channels = Current();
  std::vector<Channel> out;
  for (auto it = channels.lower_bound(Key{account, region, ""});
       it != channels.end() && std::get<0>(it->first) == account && std::get<1>(it->first) == region; ++it) {
    out.push_back(std::move(it->second));
  }
  return out;
}

std::vector<Channel> ChannelRegistry::All() const {
  std::vector<Channel> out;
  for (auto& [key, channel] : Current()) out.push_back(std::move(channel));
  return out;
}

Result<Channel> ChannelRegistry::Update(const std::string& account, const std::string& region, const std::string& name,
                                        std::optional<int64_t> data_freshness_s, std::optional<Logging> logging) {
  Channel updated;
  SLUICE_RETURN_IF_ERROR(Change([&](Channels& channels) -> Result<bool> {
    Key key{account, region, name};
    SLUICE_ASSIGN_OR_RETURN(Channel c, Find(channels, key));
    if (c.status != ChannelStatus::kActive) {
      return Status::InUse(fmt::format("Channel {} under account {} not ACTIVE, instead in state {}.", name, account,
                                       ChannelStatusName(c.status)));
    }
    if (data_freshness_s) c.data_freshness_s = *data_freshness_s;
    if (logging) c.logging = logging;
    c.status = ChannelStatus::kUpdating;
    c.settles_ms = clock_.NowMillis() + options_.update_delay_ms;
    channels[key] = c;
    updated = std::move(c);
    return true;
  }));
  return updated;
}

Status ChannelRegistry::Delete(const std::string& account, const std::string& region, const std::string& name) {
  return Change([&](Channels& channels) -> Result<bool> {
    Key key{account, region, name};
    SLUICE_ASSIGN_OR_RETURN(Channel c, Find(channels, key));
    if (c.status == ChannelStatus::kDeleting) return false;
    c.status = ChannelStatus::kDeleting;
    c.status_reason.reset();
    c.settles_ms = clock_.NowMillis() + options_.delete_delay_ms;
    channels[key] = std::move(c);
    return true;
  });
}

Status ChannelRegistry::AddTags(const std::string& account, const std::string& region, const std::string& name,
                                const std::map<std::string, std::string>& tags) {
  return Change([&](Channels& channels) -> Result<bool> {
    Key key{account, region, name};
    SLUICE_ASSIGN_OR_RETURN(Channel c, Find(channels, key));
    for (const auto& [k, v] : tags) c.tags[k] = v;
    if (c.tags.size() > kMaxChannelTags) {
      return Status::InvalidArgument(fmt::format(
          "Failed to add tags to channel {} under account {} because a given channel cannot have more than {} tags "
          "associated with it.",
          name, account, kMaxChannelTags));
    }
    channels[key] = std::move(c);
    return true;
  });
}

Status ChannelRegistry::RemoveTags(const std::string& account, const std::string& region, const std::string& name,
                                   const std::vector<std::string>& keys) {
  return Change([&](Channels& channels) -> Result<bool> {
    Key key{account, region, name};
    SLUICE_ASSIGN_OR_RETURN(Channel c, Find(channels, key));
    for (const std::string& k : keys) c.tags.erase(k);
    channels[key] = std::move(c);
    return true;
  });
}

Status ChannelRegistry::Change(const std::function<Result<bool>(Channels& channels)>& change) {
  std::lock_guard lock(mu_);
  return persistence_->Update([&](const ChannelDocument& current) -> Result<std::optional<ChannelDocument>> {
    // Settled as of the save, before the change and after: transitions that
    // are over are folded in and gone channels dropped from the document.
    const int64_t now = clock_.NowMillis();
    Channels channels = Settled(current, now);
    SLUICE_ASSIGN_OR_RETURN(bool changed, change(channels));
    if (!changed) return std::optional<ChannelDocument>();
    ChannelDocument doc;
    for (auto& [key, channel] : channels) {
      if (std::optional<Channel> c = Effective(std::move(channel), now)) doc.push_back(std::move(*c));
    }
    return std::optional<ChannelDocument>(std::move(doc));
  });
}

}  // namespace sluice::channels
