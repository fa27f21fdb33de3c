// ChannelRegistry: the channels of every (account, region) namespace and
// their lifecycle, modelled on engine::AccountStore.
//
// Persistence: the whole registry is one document (channels/channel_document.h)
// saved through a storage::MetadataStore (atomic replace, checksummed, fsynced)
// before any change is acknowledged or becomes visible; in memory mode it
// lives in memory only.
//
// Lifecycle of a channel, read at the time of each call (no thread of its
// own): CREATING for create_delay_ms, then ACTIVE — or FAILED for an S3
// Tables destination, with kS3TablesNotSupported as ChannelStatusReason;
// UPDATING for update_delay_ms after UpdateChannel, then ACTIVE; DELETING for
// delete_delay_ms after DeleteChannel, then gone (dropped from the document
// at the next save). With a delay of 0 the next read sees the end state.
//
// Lifecycle of the registry: construct, Load() once, then use from any
// thread: every method is thread-safe (one mutex; saves happen under it).
//
// Errors (the service's messages):
//   ResourceInUse     "Channel <name> under account <acct> already exists."
//   ResourceNotFound  "Channel <name> under account <acct> not found."
//   ResourceInUse     "Channel <name> under account <acct> not ACTIVE, instead in state <state>."
//   IoError           the save failed; nothing changed.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "channels/channel.h"
#include "storage/metadata_store.h"
#include "util/clock.h"
#include "util/status.h"

namespace sluice::channels {

inline constexpr std::string_view kS3TablesNotSupported =
    "This server delivers only to general purpose S3 buckets; S3 Tables (Apache Iceberg) destinations are not "
    "supported.";

// The most tags a channel may have, as a stream or a consumer.
inline constexpr size_t kMaxChannelTags = 50;

struct RegistryOptions {
  std::string path;  // the document's file (ignored when in_memory)
  bool in_memory = false;
  int64_t create_delay_ms = 0;  // time in CREATING
  int64_t update_delay_ms = 0;  // time in UPDATING
  int64_t delete_delay_ms = 0;  // time in DELETING
};

// <data_dir>/channels
std::string ChannelsPath(const std::string& data_dir);

class ChannelRegistry {
 public:
  // `clock` must outlive the registry.
  ChannelRegistry(RegistryOptions options, const Clock& clock);

  ChannelRegistry(const ChannelRegistry&) = delete;
  ChannelRegistry& operator=(const ChannelRegistry&) = delete;

  // Reads the document, if one was ever saved. Corruption when it is bad.
  Status Load();

  // Adds `channel` (its account, region, name and configuration set by the
  // caller); assigns its ChannelId and creation time and returns it as
  // created, in CREATING. Errors: ResourceInUse (a channel of that name
  // exists, in any state), IoError.
  Result<Channel> Create(Channel channel);
  // The channel as of now. ResourceNotFound when there is none.
  Result<Channel> Describe(const std::string& account, const std::string& region, const std::string& name) const;
  // The namespace's channels as of now, in name order.
  std::vector<Channel> List(const std::string& account, const std::string& region) const;
  // Every channel of every namespace as of now (for the delivery engine).
  std::vector<Channel> All() const;
  // UpdateChannel: sets DataFreshnessInSeconds and/or the logging
  // configuration of an ACTIVE channel, moves it to UPDATING and returns it.
  // Errors: ResourceNotFound, ResourceInUse (not ACTIVE), IoError.
  Result<Channel> Update(const std::string& account, const std::string& region, const std::string& name,
                         std::optional<int64_t> data_freshness_s, std::optional<Logging> logging);
  // Moves the channel to DELETING (a DELETING channel stays as it is).
  // Errors: ResourceNotFound, IoError.
  Status Delete(const std::string& account, const std::string& region, const std::string& name);

  // TagResource: adds or replaces `tags` on the channel, in any state.
  // Errors: ResourceNotFound, InvalidArgument (more than kMaxChannelTags
  // afterwards: "Failed to add tags to channel <name> under account <acct>
  // because a given channel cannot have more than 50 tags associated with
  // it."), IoError.
  Status AddTags(const std::string& account, const std::string& region, const std::string& name,
                 const std::map<std::string, std::string>& tags);
  // UntagResource: removes the tags of `keys` (absent keys are no error).
  // Errors: ResourceNotFound, IoError.
  Status RemoveTags(const std::string& account, const std::string& region, const std::string& name,
                    const std::vector<std::string>& keys);

  // `c` as it reads at `now_ms`; nullopt once a DELETING channel is gone.
  static std::optional<Channel> Effective(Channel c, int64_t now_ms);

 private:
  using Key = std::tuple<std::string, std::string, std::string>;  // account, region, name
  // The channel of `key` as of now, or ResourceNotFound. Caller holds mu_.
  Result<Channel> FindLocked(const Key& key) const;
  // Saves `next` (settled transitions folded in, gone channels dropped) and
  // makes it the state. Caller holds mu_.
  Status CommitLocked(std::map<Key, Channel> next);
  std::string NewChannelId();

  const RegistryOptions options_;
  const Clock& clock_;
  storage::MetadataStore store_;
  mutable std::mutex mu_;
  std::map<Key, Channel> channels_;  // guarded by mu_
  uint64_t id_counter_ = 0;          // guarded by mu_
};

}  // namespace sluice::channels
