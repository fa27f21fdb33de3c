// GroupDeliveries: what the members of a consumer group were delivered, for
// `sluice bench groups` — put-to-member latency of each record's first
// delivery, duplicates, and how long each member change (a join, a leave)
// left shards unread.
//
// Records carry the PacedProducer's send-time stamp (paced_producer.h), so
// latency is now minus the stamp, on the one monotonic clock of the process.
// A record is known by its shard and sequence number; a record delivered
// again (at least once: a batch whose checkpoint did not land before its
// shard moved) counts as a duplicate and adds no latency.
//
// Rebalance time: MemberChange() remembers each shard's last reader. A shard
// has moved once a member other than that reader delivers a record of it;
// the change took from its time to the first such delivery of the last
// shard to move. A change is measured until the next one. A shard last read by the member that left and not read by
// another since is "unread".
//
// Threading: every method is thread-safe (one mutex; members call Deliver
// from their own threads).
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "bench/histogram.h"

namespace sluice::bench {

class GroupDeliveries {
 public:
  struct Change {
    std::string what;  // "join", "leave"
    int64_t at_ns = 0;
    int moved = 0;         // shards read by another member since
    int64_t took_ns = -1;  // to the last moved shard's first delivery; -1: none moved
    int unread = 0;        // the leaving member's shards no one has read since
  };

  // One record that `member` got from `shard` at `now_ns`; `data` is its raw
  // bytes.
  void Deliver(int member, const std::string& shard, std::string_view sequence_number, std::string_view data,
               int64_t now_ns);

  // Records sent before `sent_ns` (a warmup) count as delivered but add no
  // latency.
  void MeasureFrom(int64_t sent_ns);

  // A member joined (leaving_member -1) or `leaving_member` left at `now_ns`.
  void MemberChange(std::string what, int64_t now_ns, int leaving_member = -1);

  Histogram latency() const;
  uint64_t distinct() const;  // records delivered at least once
  uint64_t duplicates() const;
  uint64_t unstamped() const;  // records without a stamp (not the producer's)
  std::vector<Change> changes() const;

 private:
  struct OpenChange {
    Change change;
    int leaving = -1;
    std::map<std::string, int> reader_before;  // shard -> member
    std::map<std::string, int64_t> first_new;  // shard -> first delivery by another member
  };

  mutable std::mutex mu_;
  Histogram latency_;
  int64_t measure_from_ = 0;
  std::set<std::string> seen_;  // "<shard>/<sequence number>"
  uint64_t duplicates_ = 0;
  uint64_t unstamped_ = 0;
  std::map<std::string, int> last_reader_;
  std::vector<OpenChange> changes_;
};

}  // namespace sluice::bench
