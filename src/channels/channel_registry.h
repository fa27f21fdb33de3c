// ChannelRegistry: the channels of every (account, region) namespace and
// their lifecycle, modelled on engine::AccountStore.
//
// Persistence: the whole registry is one document (channels/channel_document.h)
// saved through a RegistryPersistence (channels/registry_persistence.h) before
// any change is acknowledged or becomes visible: by default the data
// directory's (atomic replace, checksummed, fsynced; in memory mode, memory
// only), in cluster mode one etcd key shared by every node. Each change is an
// edit of the current document, so a shared store may apply it again to a
// newer one; every read reads the persistence's current document.
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
//   (a shared store's own errors, registry_persistence.h)
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "channels/channel.h"
#include "channels/registry_persistence.h"
#include "util/clock.h"
#include "util/status.h"

namespace sluice::channels {

inline constexpr std::string_view kS3TablesNotSupported =
    "This server delivers only to general purpose S3 buckets; S3 Tables (Apache Iceberg) destinations are not "
    "supported.";

// The most tags a channel may have, as a stream or a consumer.
inline constexpr size_t kMaxChannelTags = 50;

struct RegistryOptions {
  std::string path;  // the document's file (ignored when in_memory or with a persistence given)
  bool in_memory = false;
  int64_t create_delay_ms = 0;  // time in CREATING
  int64_t update_delay_ms = 0;  // time in UPDATING
  int64_t delete_delay_ms = 0;  // time in DELETING
};

// <data_dir>/channels
std::string ChannelsPath(const std::string& data_dir);

class ChannelRegistry {
 public:
  // `clock` must outlive the registry. `persistence` is where the document
  // is kept; null: the data directory's (options.path, options.in_memory).
  ChannelRegistry(RegistryOptions options, const Clock& clock,
                  std::shared_ptr<RegistryPersistence> persistence = nullptr);

  ChannelRegistry(const ChannelRegistry&) = delete;
  ChannelRegistry& operator=(const ChannelRegistry&) = delete;

  // Reads the document, if one was ever saved. Corruption when it is bad;
  // the persistence's errors.
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
  using Channels = std::map<Key, Channel>;
  // `doc` as it reads at `now_ms`: settled transitions folded in, gone
  // channels dropped.
  static Channels Settled(const ChannelDocument& doc, int64_t now_ms);
  // The current channels, as of now.
  Channels Current() const;
  // Saves what `change` makes of the current channels (as of the save); it
  // returns false when it changed nothing (then nothing is saved) and may
  // run more than once (a shared store's conflict).
  Status Change(const std::function<Result<bool>(Channels& channels)>& change);
  std::string NewChannelId();

  const RegistryOptions options_;
  const Clock& clock_;
  const std::shared_ptr<RegistryPersistence> persistence_;
  std::mutex mu_;  // one change at a time
  std::atomic<uint64_t> id_counter_{0};
};

}  // namespace sluice::channels
