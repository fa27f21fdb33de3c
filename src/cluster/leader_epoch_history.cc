#include "cluster/leader_epoch_history.h"

#include <algorithm>

#include "storage/coding.h"

namespace sluice::cluster {
namespace {

constexpr size_t kEntrySize = 16;

std::string Encode(const std::vector<EpochStart>& entries) {
  std::string out(4 + kEntrySize * entries.size(), '\0');
  storage::coding::PutFixed32(out.data(), static_cast<uint32_t>(entries.size()));
  char* p = out.data() + 4;
  for (const EpochStart& e : entries) {
    storage::coding::PutFixed64(p, static_cast<uint64_t>(e.epoch));
    storage::coding::PutFixed64(p + 8, e.start_offset);
    p += kEntrySize;
  }
  return out;
}

Result<std::vector<EpochStart>> Decode(const std::string& bytes, const std::string& dir) {
  const std::string where = "leader epoch history in " + dir;
  if (bytes.size() < 4) return Status::Corruption(where + " is too short");
  const uint32_t count = storage::coding::GetFixed32(bytes.data());
  if (bytes.size() != 4 + kEntrySize * count) return Status::Corruption(where + " has the wrong length");
  std::vector<EpochStart> entries;
  const char* p = bytes.data() + 4;
  for (uint32_t i = 0; i < count; ++i, p += kEntrySize) {
    EpochStart e{static_cast<int64_t>(storage::coding::GetFixed64(p)), storage::coding::GetFixed64(p + 8)};
    if (!entries.empty() && (e.epoch <= entries.back().epoch || e.start_offset < entries.back().start_offset)) {
      return Status::Corruption(where + " has entries out of order");
    }
    entries.push_back(e);
  }
  return entries;
}

}  // namespace

LeaderEpochHistory::LeaderEpochHistory(std::unique_ptr<storage::MetadataStore> store, std::vector<EpochStart> entries)
    : store_(std::move(store)), entries_(std::move(entries)) {}

Result<std::unique_ptr<LeaderEpochHistory>> LeaderEpochHistory::Open(const std::string& dir, bool in_memory,
                                                                     storage::Env* env) {
  auto store = std::make_unique<storage::MetadataStore>(dir + "/" + kLeaderEpochFileName, in_memory, env);
  SLUICE_ASSIGN_OR_RETURN(std::optional<std::string> saved, store->Load());
  std::vector<EpochStart> entries;
  if (saved) {
    SLUICE_ASSIGN_OR_RETURN(entries, Decode(*saved, dir));
  }
  return std::unique_ptr<LeaderEpochHistory>(new LeaderEpochHistory(std::move(store), std::move(entries)));
}

Status LeaderEpochHistory::Save(std::vector<EpochStart> next) {
  SLUICE_RETURN_IF_ERROR(store_->Save(Encode(next)));
  entries_ = std::move(next);
  return Status::Ok();
}

Status LeaderEpochHistory::Assign(int64_t epoch, uint64_t start_offset) {
  if (!entries_.empty()) {
    const EpochStart& last = entries_.back();
    if (epoch == last.epoch) return Status::Ok();
    if (epoch < last.epoch || start_offset < last.start_offset) {
      return Status::InvalidArgument("leader epoch " + std::to_string(epoch) + " from offset " +
                                     std::to_string(start_offset) + " does not follow epoch " +
                                     std::to_string(last.epoch) + " from offset " + std::to_string(last.start_offset));
    }
  }
  std::vector<EpochStart> next = entries_;
  next.push_back({epoch, start_offset});
  return Save(std::move(next));
}

Status LeaderEpochHistory::TruncateTo(uint64_t end_offset) {
  std::vector<EpochStart> next = entries_;
  while (!next.empty() && next.back().start_offset >= end_offset) next.pop_back();
  if (next.size() == entries_.size()) return Status::Ok();
  return Save(std::move(next));
}

int64_t LeaderEpochHistory::LatestEpoch() const { return entries_.empty() ? 0 : entries_.back().epoch; }

int64_t LeaderEpochHistory::EpochAt(uint64_t offset) const {
  // The last entry starting at or before `offset` (of equal starts, the later
  // epoch: the earlier appended nothing).
  auto it = std::upper_bound(entries_.begin(), entries_.end(), offset,
                             [](uint64_t o, const EpochStart& e) { return o < e.start_offset; });
  return it == entries_.begin() ? 0 : std::prev(it)->epoch;
}

uint64_t LeaderEpochHistory::StartOf(int64_t epoch) const {
  for (const EpochStart& e : entries_) {
    if (e.epoch == epoch) return e.start_offset;
  }
  return 0;
}

EpochEnd LeaderEpochHistory::EndOf(int64_t epoch, uint64_t log_end) const {
  auto next = std::upper_bound(entries_.begin(), entries_.end(), epoch,
                               [](int64_t e, const EpochStart& entry) { return e < entry.epoch; });
  EpochEnd out;
  out.epoch = next == entries_.begin() ? 0 : std::prev(next)->epoch;
  out.end_offset = next == entries_.end() ? log_end : next->start_offset;
  return out;
}

}  // namespace sluice::cluster
