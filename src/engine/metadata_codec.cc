#include "engine/metadata_codec.h"

#include "engine/byte_fields.h"

namespace sluice::engine {
namespace {

void EncodeStream(const StreamMeta& m, ByteWriter* w) {
  w->Str(m.ref.account);
  w->Str(m.ref.region);
  w->Str(m.ref.name);
  w->U8(static_cast<uint8_t>(m.status));
  w->U8(static_cast<uint8_t>(m.mode));
  w->U32(static_cast<uint32_t>(m.retention_hours));
  w->I64(m.creation_ms);
  w->I64(m.transition_at_ms);
  w->Str(m.encryption_type);
  w->U8(m.key_id ? 1 : 0);
  if (m.key_id) w->Str(*m.key_id);
  w->U32(static_cast<uint32_t>(m.shard_level_metrics.size()));
  for (const auto& metric : m.shard_level_metrics) w->Str(metric);
  w->U32(static_cast<uint32_t>(m.max_record_size_kib));
  w->U32(static_cast<uint32_t>(m.tags.size()));
  for (const auto& [k, v] : m.tags) {
    w->Str(k);
    w->Str(v);
  }
  w->U32(static_cast<uint32_t>(m.shards.size()));
  for (const ShardMeta& s : m.shards) {
    w->U32(static_cast<uint32_t>(s.index));
    w->I32(s.parent ? *s.parent : -1);
    w->I32(s.adjacent_parent ? *s.adjacent_parent : -1);
    w->Key128(s.range.start);
    w->Key128(s.range.end);
    w->I64(s.created_seconds);
    w->I64(s.open_ms);
    w->I64(s.close_ms ? *s.close_ms : -1);
  }
  // Appended after the shard list (absent in documents of older code).
  w->I64(m.encrypted_since_ms ? *m.encrypted_since_ms : -1);
  // Appended later still: warm throughput, then the pending reshard.
  w->I64(m.warm_throughput_mibps ? *m.warm_throughput_mibps : -1);
  w->U8(static_cast<uint8_t>(m.pending.kind));
  w->I32(m.pending.shard);
  w->I32(m.pending.adjacent);
  w->Key128(m.pending.key);
  w->I32(m.pending.target);
  // Appended after the pending reshard: the registered consumers.
  w->U32(static_cast<uint32_t>(m.consumers.size()));
  for (const ConsumerMeta& c : m.consumers) {
    w->Str(c.name);
    w->I64(c.creation_ms);
    w->U8(static_cast<uint8_t>(c.status));
    w->I64(c.transition_at_ms);
    w->U32(static_cast<uint32_t>(c.tags.size()));
    for (const auto& [k, v] : c.tags) {
      w->Str(k);
      w->Str(v);
    }
  }
  // Appended after the consumers: the record distribution strategy.
  w->U8(static_cast<uint8_t>(m.record_distribution));
}

Status Corrupt(const std::string& what) { return Status::Corruption("engine metadata: " + what); }

Result<StreamMeta> DecodeStream(std::string_view record) {
  ByteReader r(record);
  StreamMeta m;
  m.ref.account = r.Str();
  m.ref.region = r.Str();
  m.ref.name = r.Str();
  uint8_t status = r.U8();
  uint8_t mode = r.U8();
  if (status > static_cast<uint8_t>(StreamStatus::kUpdating)) return Corrupt("bad status");
  if (mode > static_cast<uint8_t>(StreamMode::kOnDemand)) return Corrupt("bad mode");
  m.status = static_cast<StreamStatus>(status);
  m.mode = static_cast<StreamMode>(mode);
  m.retention_hours = static_cast<int>(r.U32());
  m.creation_ms = r.I64();
  m.transition_at_ms = r.I64();
  m.encryption_type = r.Str();
  if (r.U8()) m.key_id = r.Str();
  uint32_t metrics = r.U32();
  for (uint32_t i = 0; r.ok() && i < metrics; ++i) m.shard_level_metrics.push_back(r.Str());
  m.max_record_size_kib = static_cast<int>(r.U32());
  uint32_t tags = r.U32();
  for (uint32_t i = 0; r.ok() && i < tags; ++i) {
    std::string k = r.Str();
    std::string v = r.Str();
    m.tags.emplace_back(std::move(k), std::move(v));
  }
  uint32_t shards = r.U32();
  for (uint32_t i = 0; r.ok() && i < shards; ++i) {
    ShardMeta s;
    s.index = static_cast<int>(r.U32());
    int32_t parent = r.I32();
    int32_t adjacent = r.I32();
    if (parent >= 0) s.parent = parent;
    if (adjacent >= 0) s.adjacent_parent = adjacent;
    s.range.start = r.Key128();
    s.range.end = r.Key128();
    s.created_seconds = r.I64();
    s.open_ms = r.I64();
    int64_t close = r.I64();
    if (close >= 0) s.close_ms = close;
    if (r.ok() && s.index != static_cast<int>(i)) return Corrupt("shard index out of order");
    m.shards.push_back(std::move(s));
  }
  if (!r.ok()) return Corrupt("truncated stream record");
  // Fields appended later: present when the record has bytes left.
  if (r.remaining() > 0) {
    int64_t since = r.I64();
    if (!r.ok()) return Corrupt("truncated stream record");
    if (since >= 0) m.encrypted_since_ms = since;
  }
  if (r.remaining() > 0) {
    int64_t warm = r.I64();
    uint8_t kind = r.U8();
    m.pending.shard = r.I32();
    m.pending.adjacent = r.I32();
    m.pending.key = r.Key128();
    m.pending.target = r.I32();
    if (!r.ok()) return Corrupt("truncated stream record");
    if (warm >= 0) m.warm_throughput_mibps = static_cast<int>(warm);
    if (kind > static_cast<uint8_t>(ReshardOp::Kind::kScale)) return Corrupt("bad pending reshard");
    m.pending.kind = static_cast<ReshardOp::Kind>(kind);
  }
  if (r.remaining() > 0) {
    uint32_t consumers = r.U32();
    for (uint32_t i = 0; r.ok() && i < consumers; ++i) {
      ConsumerMeta c;
      c.name = r.Str();
      c.creation_ms = r.I64();
      uint8_t status = r.U8();
      c.transition_at_ms = r.I64();
      uint32_t tag_count = r.U32();
      for (uint32_t t = 0; r.ok() && t < tag_count; ++t) {
        std::string k = r.Str();
        std::string v = r.Str();
        c.tags.emplace_back(std::move(k), std::move(v));
      }
      if (!r.ok()) break;
      if (status > static_cast<uint8_t>(ConsumerStatus::kDeleting)) return Corrupt("bad consumer status");
      c.status = static_cast<ConsumerStatus>(status);
      m.consumers.push_back(std::move(c));
    }
    if (!r.ok()) return Corrupt("truncated stream record");
  }
  if (r.remaining() > 0) {
    uint8_t distribution = r.U8();
    if (distribution > static_cast<uint8_t>(RecordDistribution::kAuto)) return Corrupt("bad record distribution");
    m.record_distribution = static_cast<RecordDistribution>(distribution);
  }
  // Trailing bytes are fields of a later version: skipped on purpose.
  return m;
}

}  // namespace

std::string EncodeStreamRecord(const StreamMeta& stream) {
  std::string record;
  ByteWriter w(&record);
  EncodeStream(stream, &w);
  return record;
}

Result<StreamMeta> DecodeStreamRecord(std::string_view record) { return DecodeStream(record); }

std::string EncodeMetadataRecords(const std::vector<const std::string*>& records) {
  std::string out;
  ByteWriter w(&out);
  w.U8(kMetadataFormatVersion);
  w.U32(static_cast<uint32_t>(records.size()));
  for (const std::string* record : records) w.Str(*record);  // u32 length + record bytes
  return out;
}

std::string EncodeMetadata(const std::vector<StreamMeta>& streams) {
  std::vector<std::string> records;
  records.reserve(streams.size());
  for (const StreamMeta& m : streams) records.push_back(EncodeStreamRecord(m));
  std::vector<const std::string*> pointers;
  for (const std::string& r : records) pointers.push_back(&r);
  return EncodeMetadataRecords(pointers);
}

Result<std::vector<StreamMeta>> DecodeMetadata(std::string_view payload) {
  ByteReader r(payload);
  uint8_t version = r.U8();
  if (!r.ok()) return Corrupt("empty document");
  if (version != kMetadataFormatVersion) {
    return Corrupt("unknown format version " + std::to_string(version));
  }
  uint32_t count = r.U32();
  std::vector<StreamMeta> streams;
  for (uint32_t i = 0; r.ok() && i < count; ++i) {
    std::string_view record = r.Bytes(r.U32());
    if (!r.ok()) break;
    SLUICE_ASSIGN_OR_RETURN(StreamMeta m, DecodeStream(record));
    streams.push_back(std::move(m));
  }
  if (!r.ok()) return Corrupt("truncated document");
  if (!r.empty()) return Corrupt("trailing bytes");
  return streams;
}

}  // namespace sluice::engine
