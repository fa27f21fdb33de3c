#include "channels/delivery_checkpoint.h"

#include "engine/byte_fields.h"

namespace sluice::channels {

std::string DeliveryCheckpointDir(const std::string& data_dir) { return data_dir + "/channel-delivery"; }

std::string EncodeDeliveryCheckpoint(const DeliveryCheckpoint& checkpoint) {
  std::string out;
  engine::ByteWriter w(&out);
  w.U8(kDeliveryCheckpointVersion);
  w.U32(static_cast<uint32_t>(checkpoint.size()));
  for (const auto& [key, progress] : checkpoint) {
    w.Str(std::get<0>(key));
    w.I64(std::get<1>(key));
    w.Str(std::get<2>(key));
    w.U8(progress.finished ? 1 : 0);
    w.U8(progress.last_sequence_number ? 1 : 0);
    if (progress.last_sequence_number) w.Str(*progress.last_sequence_number);
  }
  return out;
}

Result<DeliveryCheckpoint> DecodeDeliveryCheckpoint(std::string_view bytes) {
  engine::ByteReader r(bytes);
  if (const uint8_t version = r.U8(); r.ok() && version != kDeliveryCheckpointVersion) {
    return Status::Corruption("delivery checkpoint: unknown version " + std::to_string(version));
  }
  DeliveryCheckpoint checkpoint;
  const uint32_t count = r.U32();
  for (uint32_t i = 0; i < count && r.ok(); ++i) {
    std::string stream_arn = r.Str();
    const int64_t creation_ms = r.I64();
    std::string shard_id = r.Str();
    ShardProgress progress;
    progress.finished = r.U8() != 0;
    if (r.U8() != 0) progress.last_sequence_number = r.Str();
    checkpoint[{std::move(stream_arn), creation_ms, std::move(shard_id)}] = std::move(progress);
  }
  if (!r.ok()) return Status::Corruption("delivery checkpoint: truncated");
  if (!r.empty()) return Status::Corruption("delivery checkpoint: trailing bytes");
  return checkpoint;
}

}  // namespace sluice::channels
