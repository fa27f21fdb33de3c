#include "bench/group_deliveries.h"

#include <algorithm>

#include "bench/paced_producer.h"

namespace sluice::bench {

void GroupDeliveries::Deliver(int member, const std::string& shard, std::string_view sequence_number,
                              std::string_view data, int64_t now_ns) {
  int64_t sent = 0;
  const bool stamped = ReadRawStamp(data, &sent);
  std::string key = shard;
  key += '/';
  key += sequence_number;
  std::lock_guard lock(mu_);
  if (!stamped) {
    ++unstamped_;
  } else if (seen_.insert(std::move(key)).second) {
    if (sent >= measure_from_) latency_.Record(now_ns - sent);
  } else {
    ++duplicates_;
  }
  last_reader_[shard] = member;
  if (changes_.empty()) return;
  OpenChange& c = changes_.back();  // a change is measured until the next one
  if (now_ns < c.change.at_ns || c.first_new.count(shard)) return;
  auto before = c.reader_before.find(shard);
  if (before == c.reader_before.end() || before->second != member) c.first_new[shard] = now_ns;
}

void GroupDeliveries::MeasureFrom(int64_t sent_ns) {
  std::lock_guard lock(mu_);
  measure_from_ = sent_ns;
}

void GroupDeliveries::MemberChange(std::string what, int64_t now_ns, int leaving_member) {
  std::lock_guard lock(mu_);
  OpenChange c;
  c.change.what = std::move(what);
  c.change.at_ns = now_ns;
  c.leaving = leaving_member;
  c.reader_before = last_reader_;
  changes_.push_back(std::move(c));
}

Histogram GroupDeliveries::latency() const {
  std::lock_guard lock(mu_);
  return latency_;
}

uint64_t GroupDeliveries::distinct() const {
  std::lock_guard lock(mu_);
  return seen_.size();
}

uint64_t GroupDeliveries::duplicates() const {
  std::lock_guard lock(mu_);
  return duplicates_;
}

uint64_t GroupDeliveries::unstamped() const {
  std::lock_guard lock(mu_);
  return unstamped_;
}

std::vector<GroupDeliveries::Change> GroupDeliveries::changes() const {
  std::lock_guard lock(mu_);
  std::vector<Change> out;
  for (const OpenChange& open : changes_) {
    Change c = open.change;
    c.moved = static_cast<int>(open.first_new.size());
    for (const auto& [shard, at] : open.first_new) c.took_ns = std::max(c.took_ns, at - c.at_ns);
    if (open.leaving >= 0) {
      for (const auto& [shard, reader] : open.reader_before) {
        if (reader == open.leaving && !open.first_new.count(shard)) ++c.unread;
      }
    }
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace sluice::bench
