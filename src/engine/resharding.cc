#include "engine/resharding.h"

#include <algorithm>
#include <optional>
#include <string>

#include "engine/hash_ranges.h"

namespace sluice::engine {
namespace {

std::string Where(const StreamMeta& m) { return " in stream " + m.ref.name + " under account " + m.ref.account; }

Status ShardNotFound(const StreamMeta& m, int index) {
  return Status::NotFound("Could not find shard " + ShardIdFor(index) + Where(m) + ".");
}

Status AlreadyResharded(const StreamMeta& m, int index) {
  return Status::InvalidArgument("Shard " + ShardIdFor(index) + Where(m) +
                                 " has already been merged or split, and thus is not eligible for "
                                 "merging or splitting.");
}

Status ScaleLimit(const char* what, int open, int target) {
  return Status::LimitExceeded(std::string("UpdateShardCount cannot ") + what + ". Current open shard count: " +
                               std::to_string(open) + " Target shard count: " + std::to_string(target));
}

// A shard index that names an existing shard of `m`.
bool Exists(const StreamMeta& m, int index) { return index >= 0 && index < static_cast<int>(m.shards.size()); }

// Appends a child of `parent` (and `adjacent`, for a merge) covering `range`.
int AppendChild(StreamMeta& m, HashKeyRange range, int parent, std::optional<int> adjacent, int64_t now_ms) {
  ShardMeta child;
  child.index = static_cast<int>(m.shards.size());
  child.parent = parent;
  child.adjacent_parent = adjacent;
  child.range = range;
  child.created_seconds = ChildCreatedSeconds(now_ms, {&m.shards[parent], adjacent ? &m.shards[*adjacent] : nullptr});
  child.open_ms = now_ms;
  m.shards.push_back(child);
  return child.index;
}

// Splits open shard `parent` so the upper child starts at `key`
// (range.start < key <= range.end). Returns the upper child.
int Split(StreamMeta& m, int parent, HashKey key, int64_t now_ms, std::vector<int>* made) {
  const HashKeyRange range = m.shards[parent].range;
  m.shards[parent].close_ms = now_ms;
  made->push_back(AppendChild(m, {range.start, key - 1}, parent, std::nullopt, now_ms));
  made->push_back(AppendChild(m, {key, range.end}, parent, std::nullopt, now_ms));
  return made->back();
}

// Merges open, adjacent shards `a` and `b` into one child.
int Merge(StreamMeta& m, int a, int b, int64_t now_ms, std::vector<int>* made) {
  const HashKeyRange ra = m.shards[a].range;
  const HashKeyRange rb = m.shards[b].range;
  m.shards[a].close_ms = now_ms;
  m.shards[b].close_ms = now_ms;
  made->push_back(AppendChild(m, {std::min(ra.start, rb.start), std::max(ra.end, rb.end)}, a, b, now_ms));
  return made->back();
}

bool Adjacent(const HashKeyRange& a, const HashKeyRange& b) {
  return (a.end != kMaxHashKey && a.end + 1 == b.start) || (b.end != kMaxHashKey && b.end + 1 == a.start);
}

// UNIFORM_SCALING: first split every open shard at each target boundary
// strictly inside it, so every open shard lies within one target range;
// then merge, left to right, the pieces of each target range. Each step is a
// plain split or merge, so every child has at most two parents.
void Scale(StreamMeta& m, int target, int64_t now_ms, std::vector<int>* made) {
  const std::vector<HashKeyRange> goal = EvenHashRanges(target);
  std::vector<int> open;
  for (const ShardMeta* s : OpenShardsByStart(m)) open.push_back(s->index);
  for (int index : open) {
    int current = index;
    for (size_t g = 1; g < goal.size(); ++g) {
      const HashKey boundary = goal[g].start;
      const HashKeyRange r = m.shards[current].range;
      if (boundary > r.start && boundary <= r.end) current = Split(m, current, boundary, now_ms, made);
    }
  }
  for (const HashKeyRange& range : goal) {
    std::vector<int> pieces;
    for (const ShardMeta* s : OpenShardsByStart(m)) {
      if (s->range.start >= range.start && s->range.end <= range.end) pieces.push_back(s->index);
    }
    if (pieces.empty()) continue;
    int acc = pieces[0];
    for (size_t k = 1; k < pieces.size(); ++k) acc = Merge(m, acc, pieces[k], now_ms, made);
  }
}

}  // namespace

std::vector<const ShardMeta*> OpenShardsByStart(const StreamMeta& stream) {
  std::vector<const ShardMeta*> open;
  for (const ShardMeta& s : stream.shards) {
    if (s.open()) open.push_back(&s);
  }
  std::sort(open.begin(), open.end(),
            [](const ShardMeta* a, const ShardMeta* b) { return a->range.start < b->range.start; });
  return open;
}

Status CheckReshard(const StreamMeta& m, const ReshardOp& op) {
  switch (op.kind) {
    case ReshardOp::Kind::kNone: return Status::Ok();
    case ReshardOp::Kind::kSplit: {
      if (!Exists(m, op.shard)) return ShardNotFound(m, op.shard);
      const ShardMeta& s = m.shards[op.shard];
      if (!s.open()) return AlreadyResharded(m, op.shard);
      // Strictly inside, as the service words it: above start + 1 and below
      // the end (a start + 1 key would leave a one-key child).
      const bool above = s.range.start < kMaxHashKey && op.key > s.range.start + 1;
      if (!above || op.key >= s.range.end) {
        return Status::InvalidArgument("NewStartingHashKey " + HashKeyToString(op.key) +
                                       " used in SplitShard() on shard " + ShardIdFor(op.shard) + Where(m) +
                                       " is not both greater than one plus the shard's StartingHashKey " +
                                       HashKeyToString(s.range.start) + " and less than the shard's EndingHashKey " +
                                       HashKeyToString(s.range.end) + ".");
      }
      return Status::Ok();
    }
    case ReshardOp::Kind::kMerge: {
      if (!Exists(m, op.shard)) return ShardNotFound(m, op.shard);
      if (!Exists(m, op.adjacent)) return ShardNotFound(m, op.adjacent);
      const ShardMeta& a = m.shards[op.shard];
      const ShardMeta& b = m.shards[op.adjacent];
      if (!a.open()) return AlreadyResharded(m, op.shard);
      if (!b.open()) return AlreadyResharded(m, op.adjacent);
      if (op.shard == op.adjacent || !Adjacent(a.range, b.range)) {
        return Status::InvalidArgument("Shards " + ShardIdFor(op.shard) + " and " + ShardIdFor(op.adjacent) + Where(m) +
                                       " are not an adjacent pair of shards eligible for merging");
      }
      return Status::Ok();
    }
    case ReshardOp::Kind::kScale: {
      const int open = OpenShardCount(m);
      if (op.target < 1) return Status::InvalidArgument("TargetShardCount must be at least 1.");
      if (op.target > 2 * open)
        return ScaleLimit("scale up over double your current open shard count", open, op.target);
      if (op.target * 2 < open)
        return ScaleLimit("scale down below half your current open shard count", open, op.target);
      if (op.target > kMaxShardsPerStream && op.target > open) {
        return ScaleLimit(("scale up over " + std::to_string(kMaxShardsPerStream) + " shards in a stream").c_str(),
                          open, op.target);
      }
      return Status::Ok();
    }
  }
  return Status::InvalidArgument("unknown reshard operation");
}

Result<std::vector<int>> ApplyReshard(StreamMeta& m, const ReshardOp& op, int64_t now_ms) {
  SLUICE_RETURN_IF_ERROR(CheckReshard(m, op));
  std::vector<int> made;
  switch (op.kind) {
    case ReshardOp::Kind::kNone: break;
    case ReshardOp::Kind::kSplit: Split(m, op.shard, op.key, now_ms, &made); break;
    case ReshardOp::Kind::kMerge: Merge(m, op.shard, op.adjacent, now_ms, &made); break;
    case ReshardOp::Kind::kScale: Scale(m, op.target, now_ms, &made); break;
  }
  return made;
}

int OpenShardCountAfter(const StreamMeta& m, const ReshardOp& op) {
  const int open = OpenShardCount(m);
  switch (op.kind) {
    case ReshardOp::Kind::kNone: return open;
    case ReshardOp::Kind::kSplit: return open + 1;
    case ReshardOp::Kind::kMerge: return open - 1;
    case ReshardOp::Kind::kScale: return op.target;
  }
  return open;
}

bool OpenShardsCoverKeySpace(const StreamMeta& m) {
  const std::vector<const ShardMeta*> open = OpenShardsByStart(m);
  if (open.empty() || open.front()->range.start != 0) return false;
  for (size_t i = 1; i < open.size(); ++i) {
    const HashKey prev_end = open[i - 1]->range.end;
    if (prev_end == kMaxHashKey || open[i]->range.start != prev_end + 1) return false;
  }
  return open.back()->range.end == kMaxHashKey;
}

}  // namespace sluice::engine
