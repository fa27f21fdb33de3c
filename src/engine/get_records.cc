// GetShardIterator and GetRecords.
#include <algorithm>

#include "engine/engine.h"
#include "engine/engine_impl.h"  // the shared not-found messages
#include "engine/record_path.h"
#include "engine/sequence_number.h"
#include "engine/shard_filter.h"
#include "util/clock.h"

namespace sluice::engine {
namespace {

constexpr size_t kMaxGetRecordsBytes = 10u << 20;
constexpr int kMaxGetRecordsLimit = 10000;

const char* IteratorTypeName(IteratorType t) {
  switch (t) {
    case IteratorType::kTrimHorizon: return "TRIM_HORIZON";
    case IteratorType::kLatest: return "LATEST";
    case IteratorType::kAtSequenceNumber: return "AT_SEQUENCE_NUMBER";
    case IteratorType::kAfterSequenceNumber: return "AFTER_SEQUENCE_NUMBER";
    case IteratorType::kAtTimestamp: return "AT_TIMESTAMP";
  }
  return "";
}

Status IteratorTypeMismatch(IteratorType type, bool has_sequence) {
  return Status::InvalidArgument(std::string("Must either specify (1) AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER and "
                                             "StartingSequenceNumber or (2) TRIM_HORIZON or LATEST and no "
                                             "StartingSequenceNumber. Request specified ") +
                                 IteratorTypeName(type) + (has_sequence ? " and also a" : " and no") +
                                 " StartingSequenceNumber.");
}

std::vector<ChildShard> ChildrenOf(const StreamMeta& stream, int index) {
  std::vector<ChildShard> out;
  for (const ShardMeta& s : stream.shards) {
    if (s.parent != index && s.adjacent_parent != index) continue;
    ChildShard c;
    c.shard_id = ShardIdFor(s.index);
    if (s.parent) c.parent_shards.push_back(ShardIdFor(*s.parent));
    if (s.adjacent_parent) c.parent_shards.push_back(ShardIdFor(*s.adjacent_parent));
    c.hash_range = s.range;
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace

RecordPath::RecordPath(const EngineOptions& options, const Clock& clock, const IteratorCodec& codec,
                       const ShardPlacement& placement, const StreamLookup& streams)
    : options_(options),
      limits_on_(options.limits.Any()),
      clock_(clock),
      codec_(codec),
      placement_(placement),
      streams_(streams) {}

Result<std::string> RecordPath::GetShardIterator(const StreamRef& stream, std::string_view shard_id, IteratorType type,
                                                 std::optional<std::string_view> starting_sequence_number,
                                                 std::optional<int64_t> timestamp_ms) {
  const std::optional<int> index = ParseShardId(shard_id);
  if (!index) {
    return Status::NotFound("Could not find shard " + std::string(shard_id) + " in stream " + stream.name +
                            " under account " + stream.account + ".");
  }
  const std::string canonical_id = ShardIdFor(*index);
  std::shared_ptr<StreamState> state = streams_.Find(stream);
  std::shared_lock<std::shared_mutex> lock;
  if (state) lock = std::shared_lock(state->mu);
  if (!state || state->meta.status == StreamStatus::kCreating ||
      *index >= static_cast<int>(state->meta.shards.size())) {
    return Status::NotFound(ShardNotFoundMessage(stream, canonical_id));
  }
  const ShardMeta& shard_meta = state->meta.shards[*index];
  SLUICE_RETURN_IF_ERROR(CheckLeader(placement_, ShardKey{stream, state->meta.creation_ms, *index}));
  // A closed shard whose records have all passed retention is gone, as it is
  // from the listings.
  if (!ShardWithinRetention(state->meta, shard_meta, Now())) {
    return Status::NotFound(ShardNotFoundMessage(stream, canonical_id));
  }
  const bool by_sequence = type == IteratorType::kAtSequenceNumber || type == IteratorType::kAfterSequenceNumber;
  if (starting_sequence_number && !by_sequence && type != IteratorType::kAtTimestamp) {
    return IteratorTypeMismatch(type, true);
  }
  if (by_sequence && !starting_sequence_number) return IteratorTypeMismatch(type, false);

  ShardState& shard = *state->shards[*index];
  if (limits_on_ && !shard.quota.Get().AdmitIteratorCall(options_.limits.shard, Now())) {
    return Status(ErrorCode::kProvisionedThroughputExceeded,
                  ShardRateExceededMessage(stream.account, stream.name, canonical_id));
  }
  std::shared_lock life(shard.life);
  if (!shard.log) {
    if (shard_meta.open()) return Status::NotFound(ShardNotFoundMessage(stream, canonical_id));
    // A closed shard without a log never held a record: every position is
    // its end, which leads to its children.
    IteratorPosition pos{
        stream.account, stream.region, stream.name, state->meta.creation_ms, static_cast<uint32_t>(*index), 0, Now()};
    return codec_.Encode(pos);
  }
  const ShardStore& log = *shard.log;
  const int64_t now = Now();
  uint64_t offset = 0;
  switch (type) {
    case IteratorType::kTrimHorizon: offset = log.StartOffset(); break;
    case IteratorType::kLatest:
      // After the newest visible record: in fsync mode, records still being
      // synced are read by this iterator once they are durable.
      offset = log.VisibleEndOffset();
      break;
    case IteratorType::kAtSequenceNumber:
    case IteratorType::kAfterSequenceNumber: {
      const std::string_view seq = *starting_sequence_number;
      const std::string where = " used in GetShardIterator on shard " + canonical_id + " in stream " + stream.name +
                                " under account " + stream.account + " is invalid";
      std::optional<SequenceFields> f = ParseSequenceNumber(seq);
      if (!f) return Status::InvalidArgument("StartingSequenceNumber " + std::string(seq) + where + ".");
      if (static_cast<int>(f->shard_index) != *index) {
        return Status::InvalidArgument("Invalid StartingSequenceNumber. It encodes " +
                                       ShardIdFor(static_cast<int>(f->shard_index)) +
                                       ", while it was used in a call to a shard with " + canonical_id);
      }
      if (f->shard_created_seconds != shard_meta.created_seconds) {
        return Status::InvalidArgument("StartingSequenceNumber " + std::string(seq) + where +
                                       " because it did not come from this stream.");
      }
      // Counter c names the record at offset c - 1; counter 0 (the shard's
      // StartingSequenceNumber) is the position before the first record.
      if (type == IteratorType::kAtSequenceNumber) {
        offset = f->counter == 0 ? 0 : f->counter - 1;
      } else {
        offset = f->counter;
      }
      // Never past the log's end; past what readers see yet only when the
      // log holds it (a newly elected leader's high watermark may trail the
      // records its predecessor had committed: the iterator waits there).
      offset = std::min(offset, log.EndOffset());
      break;
    }
    case IteratorType::kAtTimestamp: {
      if (!timestamp_ms) {
        return Status::InvalidArgument(
            "Must specify timestampInMillis parameter for iterator of type AT_TIMESTAMP. Current "
            "request has no timestamp parameter.");
      }
      if (*timestamp_ms > now) {
        return Status::InvalidArgument(
            "The timestampInMillis parameter cannot be greater than the currentTimestampInMillis. "
            "timestampInMillis: " +
            std::to_string(*timestamp_ms) + ", currentTimestampInMillis: " + std::to_string(now));
      }
      SLUICE_ASSIGN_OR_RETURN(offset, log.OffsetForTime(*timestamp_ms));
      break;
    }
  }
  offset = std::max(offset, log.StartOffset());
  IteratorPosition pos{
      stream.account, stream.region, stream.name, state->meta.creation_ms, static_cast<uint32_t>(*index), offset, now};
  return codec_.Encode(pos);
}

Result<GetRecordsResult> RecordPath::GetRecords(std::string_view shard_iterator, int limit,
                                                const std::optional<StreamRef>& stream_arn) {
  const int64_t started_ns = MonotonicNanos();
  SLUICE_ASSIGN_OR_RETURN(IteratorPosition pos, codec_.Decode(shard_iterator));
  const int64_t now = Now();
  SLUICE_RETURN_IF_ERROR(CheckIteratorAge(pos.issued_ms, now, options_.iterator_ttl_ms));
  const StreamRef ref{pos.account, pos.region, pos.stream_name};
  if (stream_arn &&
      (stream_arn->account != ref.account || stream_arn->region != ref.region || stream_arn->name != ref.name)) {
    return Status::InvalidArgument("Invalid StreamARN " + StreamArn(*stream_arn) +
                                   ": the shard iterator belongs to stream " + StreamArn(ref) + ".");
  }
  const int index = static_cast<int>(pos.shard_index);
  const std::string shard_id = ShardIdFor(index);

  SLUICE_ASSIGN_OR_RETURN(ShardView view, LoadShardView(ref, pos.stream_creation_ms, index));
  // The read quota: calls per shard; bytes per shard, or per stream while
  // ON_DEMAND. Refused calls read nothing and keep their iterator valid.
  ThroughputQuota* bytes_quota = nullptr;
  const QuotaFigures* bytes_figures = nullptr;
  if (limits_on_) {
    const ThroughputLimits& limits = options_.limits;
    // (An on-demand stream's shards are never charged read bytes: their
    // stream is.)
    // The stream's bytes first: a call refused for them takes no call token.
    const bool calls_ok = (!view.on_demand || view.stream->on_demand_quota.ReadBytesAvailable(limits.on_demand, now)) &&
                          view.shard->quota.Get().AdmitReadCall(limits.shard, now);
    if (!calls_ok) {
      view.shard->counters.Get().read_throughput_exceeded.fetch_add(1, std::memory_order_relaxed);
      return Status(ErrorCode::kProvisionedThroughputExceeded,
                    ShardRateExceededMessage(ref.account, ref.name, shard_id));
    }
    bytes_quota = view.on_demand ? &view.stream->on_demand_quota : &view.shard->quota.Get();
    bytes_figures = view.on_demand ? &limits.on_demand : &limits.shard;
  }
  std::shared_lock life(view.shard->life);
  if (!view.shard->log) {
    if (view.meta.open()) return Status::NotFound(ShardNotFoundMessage(ref, shard_id));
    GetRecordsResult end;  // an empty closed shard: its end at once
    end.child_shards = std::move(view.children);
    return end;
  }
  SLUICE_ASSIGN_OR_RETURN(ShardRead read, ReadShardLocked(view, pos.offset, limit, kMaxGetRecordsBytes, now));
  GetRecordsResult result = std::move(read.result);
  if (bytes_quota) {
    size_t bytes = 0;
    for (const Record& r : result.records) bytes += r.partition_key.size() + r.data.size();
    bytes_quota->ChargeRead(*bytes_figures, bytes, now);
  }
  {
    ShardCounters& counters = view.shard->counters.Get();
    uint64_t bytes = 0;
    for (const Record& r : result.records) bytes += r.data.size();
    counters.get_records_records.fetch_add(result.records.size(), std::memory_order_relaxed);
    counters.get_records_bytes.fetch_add(bytes, std::memory_order_relaxed);
    counters.iterator_age_ms.store(result.millis_behind_latest, std::memory_order_relaxed);
    counters.get_records_latency_us.Observe(static_cast<uint64_t>(MonotonicNanos() - started_ns) / 1000);
  }
  if (read.at_closed_end && result.records.empty()) {
    // End of a closed shard: no iterator, the children instead.
    result.child_shards = std::move(view.children);
    return result;
  }
  pos.offset = read.next;
  pos.issued_ms = now;
  result.next_shard_iterator = codec_.Encode(pos);
  return result;
}

Result<GetRecordsResult> RecordPath::LatestRecords(const StreamRef& stream, std::string_view shard_id, int count) {
  const std::optional<int> index = ParseShardId(shard_id);
  std::shared_ptr<StreamState> state = streams_.Find(stream);
  if (!index || !state) return Status::NotFound(ShardNotFoundMessage(stream, shard_id));
  int64_t creation_ms = 0;
  {
    std::shared_lock lock(state->mu);
    creation_ms = state->meta.creation_ms;
  }
  SLUICE_ASSIGN_OR_RETURN(ShardView view, LoadShardView(stream, creation_ms, *index));
  std::shared_lock life(view.shard->life);
  if (!view.shard->log) return GetRecordsResult{};
  const uint64_t n = static_cast<uint64_t>(std::clamp(count, 1, kMaxGetRecordsLimit));
  const uint64_t end = view.shard->log->VisibleEndOffset();
  SLUICE_ASSIGN_OR_RETURN(
      ShardRead read, ReadShardLocked(view, end > n ? end - n : 0, static_cast<int>(n), kMaxGetRecordsBytes, Now()));
  return std::move(read.result);
}

Result<ShardView> RecordPath::LoadShardView(const StreamRef& ref, int64_t stream_creation_ms, int index) const {
  const std::string shard_id = ShardIdFor(index);
  std::shared_ptr<StreamState> state = streams_.Find(ref);
  if (!state) return Status::NotFound(ShardNotFoundMessage(ref, shard_id));
  std::shared_lock lock(state->mu);
  const StreamMeta& m = state->meta;
  if (m.creation_ms != stream_creation_ms || index < 0 || index >= static_cast<int>(m.shards.size())) {
    return Status::NotFound(ShardNotFoundMessage(ref, shard_id));
  }
  SLUICE_RETURN_IF_ERROR(CheckLeader(placement_, ShardKey{ref, stream_creation_ms, index}));
  ShardView view;
  view.stream = state;
  view.on_demand = m.mode == StreamMode::kOnDemand;
  view.shard = state->shards[index];
  view.meta = m.shards[index];
  view.retention_ms = m.retention_ms();
  if (m.encryption_type == "KMS") view.encrypted_since_ms = m.encrypted_since_ms.value_or(0);
  if (!view.meta.open()) view.children = ChildrenOf(m, index);
  return view;
}

Result<ShardRead> RecordPath::ReadShardLocked(const ShardView& view, uint64_t position, int limit, size_t max_bytes,
                                              int64_t now) const {
  const ShardStore& log = *view.shard->log;
  const int64_t cutoff_ms = now - view.retention_ms;
  // Only durable records are served (a record read before its sync could be
  // lost in a power failure and its sequence number reused by another).
  const uint64_t end = log.VisibleEndOffset();
  // Never before the trim horizon, never past the log's end (a log that lost
  // an unsynced tail in a crash is shorter than an old iterator says). A
  // position past `end` but within the log stays where it is: a newly
  // elected leader's high watermark may trail records a reader has already
  // seen from its predecessor, and reading from `end` would repeat them.
  uint64_t from = std::min(std::max(position, log.StartOffset()), log.EndOffset());
  if (from < end) {
    SLUICE_ASSIGN_OR_RETURN(uint64_t first_retained, log.OffsetForTime(cutoff_ms));
    from = std::max(from, std::min(first_retained, end));
  }

  ShardRead out;
  GetRecordsResult& result = out.result;
  uint64_t next = from;
  if (from < end) {
    const size_t max_records = static_cast<size_t>(std::clamp(limit, 1, kMaxGetRecordsLimit));
    SLUICE_ASSIGN_OR_RETURN(storage::ReadResult read, log.Read(from, max_records, max_bytes));
    next = std::max(next, read.next_offset);
    // Own the bytes, on the heap: a moved std::string keeps its heap buffer,
    // so views stay valid however often the result is moved. The views of
    // `read.records` point into read.buffer; rebase them onto our copy (a
    // short string's bytes live inline and move by copying).
    const char* old_base = read.buffer.data();
    const size_t old_size = read.buffer.size();
    result.buffer = std::move(read.buffer);
    if (result.buffer.capacity() < 64) result.buffer.reserve(64);
    const char* new_base = result.buffer.data();
    auto rebase = [&](std::string_view v) -> std::string_view {
      if (v.empty()) return std::string_view(new_base, 0);
      if (v.data() < old_base || v.data() + v.size() > old_base + old_size) return v;
      return std::string_view(new_base + (v.data() - old_base), v.size());
    };
    result.records.reserve(read.records.size());
    SequenceFields fields;
    fields.shard_created_seconds = view.meta.created_seconds;
    fields.shard_index = static_cast<uint32_t>(view.meta.index);
    for (const storage::StoredRecord& r : read.records) {
      if (r.arrival_ms < cutoff_ms) continue;  // past retention, not yet trimmed
      Record rec;
      fields.counter = r.offset + 1;
      fields.record_seconds = r.arrival_ms / 1000;
      FormatSequenceNumber(fields, &rec.sequence_number);
      rec.arrival_ms = r.arrival_ms;
      rec.partition_key = rebase(r.partition_key);
      rec.data = rebase(r.data);
      rec.encrypted = view.encrypted_since_ms && r.arrival_ms >= *view.encrypted_since_ms;
      result.records.push_back(rec);
    }
  }

  if (next >= end) {
    result.millis_behind_latest = 0;
  } else if (!result.records.empty()) {
    result.millis_behind_latest = std::max<int64_t>(0, now - result.records.back().arrival_ms);
  } else {
    result.millis_behind_latest = std::max<int64_t>(0, now - log.LastArrivalMillis());
  }
  out.next = next;
  // A closed shard ends once every record appended before it closed is
  // visible (in fsync mode the last ones may still be syncing).
  out.at_closed_end = !view.meta.open() && next >= end && end >= log.EndOffset();
  return out;
}

}  // namespace sluice::engine
