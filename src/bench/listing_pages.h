// Walks a listing (ListShards, DescribeStream, ListStreams) page by page
// from its start and times every page: the scale workloads' page latency.
// Each walk is sequential, one request at a time on a fresh connection, and
// stops at the first failed page (kept in `status`, with what was reached).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "bench/histogram.h"
#include "bench/stream_admin.h"
#include "util/status.h"

namespace sluice::bench {

struct PageWalk {
  Histogram latency;  // nanoseconds per page
  int64_t pages = 0;
  int64_t items = 0;  // shards or stream names listed
  Status status;      // the first failure, which ended the walk
};

// ListShards with MaxResults `page_size`, following NextToken. When
// `hash_keys` is given, each shard's StartingHashKey is appended to it.
PageWalk WalkListShards(StreamAdmin& admin, std::string_view stream, int page_size,
                        std::vector<std::string>* hash_keys = nullptr);

// DescribeStream with Limit `page_size`, from the last shard of each page
// while HasMoreShards.
PageWalk WalkDescribeStream(StreamAdmin& admin, std::string_view stream, int page_size);

// ListStreams with Limit `page_size`, from the last name of each page while
// HasMoreStreams: every stream of the account, not only the workload's.
PageWalk WalkListStreams(StreamAdmin& admin, int page_size);

// Sends the same request `times` times: the latency of each answer. Stops
// at the first failure, kept in *status.
Histogram TimeRepeated(StreamAdmin& admin, std::string_view op, std::string_view body, int times, Status* status);

// The stream names in a ListStreams answer's StreamNames, in order (names
// are assumed to need no JSON escapes, as Kinesis stream names do not).
std::vector<std::string_view> StreamNamesOf(std::string_view list_streams_answer);

}  // namespace sluice::bench
