#include "bench/listing_pages.h"

#include "bench/json_scan.h"
#include "bench/requests.h"
#include "util/clock.h"

namespace sluice::bench {
namespace {

bool MemberIsTrue(std::string_view text, std::string_view key) {
  const size_t p = json::FindValue(text, key);
  return p != std::string_view::npos && text.substr(p, 4) == "true";
}

// One page: its answer, or the failure recorded in *walk.
bool TimedPage(StreamAdmin& admin, std::string_view op, const std::string& body, PageWalk* walk, std::string* out) {
  const int64_t start = MonotonicNanos();
  Result<std::string> page = admin.Request(op, body);
  if (!page.ok()) {
    walk->status = page.status();
    return false;
  }
  walk->latency.Record(MonotonicNanos() - start);
  ++walk->pages;
  *out = std::move(page).value();
  return true;
}

}  // namespace

PageWalk WalkListShards(StreamAdmin& admin, std::string_view stream, int page_size,
                        std::vector<std::string>* hash_keys) {
  PageWalk walk;
  const std::string size = ",\"MaxResults\":" + std::to_string(page_size) + "}";
  std::string body = "{\"StreamName\":" + JsonQuote(stream) + size;
  std::string page, token;
  // Bounded by the stream's shards: every page lists at least one, or ends the walk.
  while (TimedPage(admin, "ListShards", body, &walk, &page)) {
    const size_t listed = json::CountKey(page, "ShardId");
    walk.items += static_cast<int64_t>(listed);
    size_t from = 0;
    std::string_view key;
    while (hash_keys != nullptr && json::ScanRawString(page, "StartingHashKey", &from, &key)) {
      hash_keys->emplace_back(key);
    }
    if (listed == 0 || !json::ScanString(page, "NextToken", &token)) break;
    body = "{\"NextToken\":" + JsonQuote(token) + size;
  }
  return walk;
}

PageWalk WalkDescribeStream(StreamAdmin& admin, std::string_view stream, int page_size) {
  PageWalk walk;
  const std::string head = "{\"StreamName\":" + JsonQuote(stream) + ",\"Limit\":" + std::to_string(page_size);
  std::string body = head + "}";
  std::string page;
  // Bounded by the stream's shards: every page lists at least one, or ends the walk.
  while (TimedPage(admin, "DescribeStream", body, &walk, &page)) {
    size_t from = 0;
    std::string_view id, last;
    while (json::ScanRawString(page, "ShardId", &from, &id)) {
      last = id;
      ++walk.items;
    }
    if (last.empty() || !MemberIsTrue(page, "HasMoreShards")) break;
    body = head + ",\"ExclusiveStartShardId\":" + JsonQuote(last) + "}";
  }
  return walk;
}

PageWalk WalkListStreams(StreamAdmin& admin, int page_size) {
  PageWalk walk;
  const std::string head = "{\"Limit\":" + std::to_string(page_size);
  std::string body = head + "}";
  std::string page;
  // Bounded by the account's streams: every page lists at least one, or ends the walk.
  while (TimedPage(admin, "ListStreams", body, &walk, &page)) {
    const std::vector<std::string_view> names = StreamNamesOf(page);
    walk.items += static_cast<int64_t>(names.size());
    if (names.empty() || !MemberIsTrue(page, "HasMoreStreams")) break;
    body = head + ",\"ExclusiveStartStreamName\":" + JsonQuote(names.back()) + "}";
  }
  return walk;
}

Histogram TimeRepeated(StreamAdmin& admin, std::string_view op, std::string_view body, int times, Status* status) {
  Histogram h;
  for (int i = 0; i < times; ++i) {
    const int64_t start = MonotonicNanos();
    Result<std::string> answer = admin.Request(op, body);
    if (!answer.ok()) {
      *status = answer.status();
      break;
    }
    h.Record(MonotonicNanos() - start);
  }
  return h;
}

std::vector<std::string_view> StreamNamesOf(std::string_view text) {
  std::vector<std::string_view> names;
  size_t p = json::FindValue(text, "StreamNames");
  if (p == std::string_view::npos || text[p] != '[') return names;
  const size_t end = text.find(']', p);
  if (end == std::string_view::npos) return names;
  // Bounded by the array: each turn consumes one quoted name.
  for (;;) {
    const size_t open = text.find('"', p);
    if (open == std::string_view::npos || open > end) break;
    const size_t close = text.find('"', open + 1);
    if (close == std::string_view::npos || close > end) break;
    names.push_back(text.substr(open + 1, close - open - 1));
    p = close + 1;
  }
  return names;
}

}  // namespace sluice::bench
