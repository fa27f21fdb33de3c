#include "channels/channel_document.h"

#include <utility>

#include "engine/byte_fields.h"

namespace sluice::channels {
namespace {

using engine::ByteReader;
using engine::ByteWriter;

Status Corrupt(const std::string& what) { return Status::Corruption("channel document: " + what); }

void PutOpt(ByteWriter& w, const std::optional<std::string>& s) {
  w.U8(s ? 1 : 0);
  if (s) w.Str(*s);
}
std::optional<std::string> GetOpt(ByteReader& r) {
  if (r.U8() == 0) return std::nullopt;
  return r.Str();
}

void PutDeadLetter(ByteWriter& w, const DeadLetterQueue& d) {
  w.Str(d.bucket_arn);
  w.Str(d.expected_bucket_owner);
  PutOpt(w, d.error_output_prefix);
}
DeadLetterQueue GetDeadLetter(ByteReader& r) {
  DeadLetterQueue d;
  d.bucket_arn = r.Str();
  d.expected_bucket_owner = r.Str();
  d.error_output_prefix = GetOpt(r);
  return d;
}

void PutChannel(ByteWriter& w, const Channel& c) {
  w.Str(c.account);
  w.Str(c.region);
  w.Str(c.name);
  w.Str(c.id);
  w.I64(c.creation_ms);
  w.U8(static_cast<uint8_t>(c.status));
  PutOpt(w, c.status_reason);
  w.I64(c.settles_ms);
  w.Str(c.role_arn);
  w.U32(static_cast<uint32_t>(c.streams.size()));
  for (const ChannelStream& s : c.streams) {
    w.Str(s.stream_arn);
    w.I64(s.stream_creation_ms);
    w.Str(s.record.format);
    PutOpt(w, s.record.gsr_schema_arn);
  }
  w.U8(static_cast<uint8_t>(c.destination));
  w.I64(c.data_freshness_s);
  w.U8(c.dead_letter ? 1 : 0);
  if (c.dead_letter) PutDeadLetter(w, *c.dead_letter);
  w.U8(c.s3 ? 1 : 0);
  if (c.s3) {
    w.Str(c.s3->bucket_arn);
    w.Str(c.s3->expected_bucket_owner);
    PutOpt(w, c.s3->output_key_template);
    PutOpt(w, c.s3->storage_class);
    w.Str(c.s3->compression);
  }
  w.U32(static_cast<uint32_t>(c.tables.size()));
  for (const S3Table& t : c.tables) {
    w.Str(t.table_bucket_arn);
    w.Str(t.name_space);
    w.Str(t.table_name);
    w.Str(t.compression);
    w.U8(t.partition_fields ? 1 : 0);
    if (t.partition_fields) {
      w.U32(static_cast<uint32_t>(t.partition_fields->size()));
      for (const PartitionField& f : *t.partition_fields) {
        w.Str(f.transform);
        w.Str(f.source_name);
      }
    }
  }
  w.U8(c.encryption ? 1 : 0);
  if (c.encryption) {
    w.Str(c.encryption->type);
    w.Str(c.encryption->key_id);
  }
  w.U8(c.logging ? 1 : 0);
  if (c.logging) {
    w.U8(c.logging->enabled ? 1 : 0);
    PutOpt(w, c.logging->log_group_name);
    PutOpt(w, c.logging->log_stream_name);
  }
  w.U32(static_cast<uint32_t>(c.tags.size()));
  for (const auto& [k, v] : c.tags) {
    w.Str(k);
    w.Str(v);
  }
}

Result<Channel> GetChannel(ByteReader& r) {
  Channel c;
  c.account = r.Str();
  c.region = r.Str();
  c.name = r.Str();
  c.id = r.Str();
  c.creation_ms = r.I64();
  const uint8_t status = r.U8();
  if (status > static_cast<uint8_t>(ChannelStatus::kFailed)) return Corrupt("bad status");
  c.status = static_cast<ChannelStatus>(status);
  c.status_reason = GetOpt(r);
  c.settles_ms = r.I64();
  c.role_arn = r.Str();
  const uint32_t streams = r.U32();
  for (uint32_t i = 0; r.ok() && i < streams; ++i) {
    ChannelStream s;
    s.stream_arn = r.Str();
    s.stream_creation_ms = r.I64();
    s.record.format = r.Str();
    s.record.gsr_schema_arn = GetOpt(r);
    c.streams.push_back(std::move(s));
  }
  const uint8_t destination = r.U8();
  if (destination > static_cast<uint8_t>(DestinationType::kS3Tables)) return Corrupt("bad destination type");
  c.destination = static_cast<DestinationType>(destination);
  c.data_freshness_s = r.I64();
  if (r.U8()) c.dead_letter = GetDeadLetter(r);
  if (r.U8()) {
    S3Storage s;
    s.bucket_arn = r.Str();
    s.expected_bucket_owner = r.Str();
    s.output_key_template = GetOpt(r);
    s.storage_class = GetOpt(r);
    s.compression = r.Str();
    c.s3 = std::move(s);
  }
  const uint32_t tables = r.U32();
  for (uint32_t i = 0; r.ok() && i < tables; ++i) {
    S3Table t;
    t.table_bucket_arn = r.Str();
    t.name_space = r.Str();
    t.table_name = r.Str();
    t.compression = r.Str();
    if (r.U8()) {
      t.partition_fields.emplace();
      const uint32_t fields = r.U32();
      for (uint32_t j = 0; r.ok() && j < fields; ++j) {
        PartitionField f;
        f.transform = r.Str();
        f.source_name = r.Str();
        t.partition_fields->push_back(std::move(f));
      }
    }
    c.tables.push_back(std::move(t));
  }
  if (r.U8()) {
    Encryption e;
    e.type = r.Str();
    e.key_id = r.Str();
    c.encryption = std::move(e);
  }
  if (r.U8()) {
    Logging l;
    l.enabled = r.U8() != 0;
    l.log_group_name = GetOpt(r);
    l.log_stream_name = GetOpt(r);
    c.logging = std::move(l);
  }
  const uint32_t tags = r.U32();
  for (uint32_t i = 0; r.ok() && i < tags; ++i) {
    std::string k = r.Str();
    c.tags[std::move(k)] = r.Str();
  }
  return c;
}

}  // namespace

std::string EncodeChannelDocument(const std::vector<Channel>& channels) {
  std::string out;
  ByteWriter w(&out);
  w.U8(kChannelDocumentVersion);
  w.U32(static_cast<uint32_t>(channels.size()));
  for (const Channel& c : channels) PutChannel(w, c);
  return out;
}

Result<std::vector<Channel>> DecodeChannelDocument(std::string_view bytes) {
  ByteReader r(bytes);
  const uint8_t version = r.U8();
  if (!r.ok()) return Corrupt("empty");
  if (version != kChannelDocumentVersion) return Corrupt("unknown version " + std::to_string(version));
  std::vector<Channel> out;
  const uint32_t count = r.U32();
  for (uint32_t i = 0; r.ok() && i < count; ++i) {
    SLUICE_ASSIGN_OR_RETURN(Channel c, GetChannel(r));
    out.push_back(std::move(c));
  }
  if (!r.ok()) return Corrupt("truncated");
  if (!r.empty()) return Corrupt("trailing bytes");
  return out;
}

}  // namespace sluice::channels
