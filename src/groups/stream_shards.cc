#include "groups/stream_shards.h"

#include "engine/sequence_number.h"

namespace sluice::groups {

Result<StreamShards> EngineShards::Describe(const engine::StreamRef& stream) const {
  SLUICE_ASSIGN_OR_RETURN(engine::StreamDescription d, engine_.control().DescribeStream(stream, engine::kNoShards));
  StreamShards out;
  out.arn = d.arn;
  out.creation_ms = d.creation_ms;
  out.status = d.status;
  if (d.status == engine::StreamStatus::kCreating) return out;
  SLUICE_ASSIGN_OR_RETURN(std::vector<engine::Shard> shards,
                          engine_.control().ListShards(stream, engine::ShardFilter{}, std::nullopt));
  out.shards.reserve(shards.size());
  for (engine::Shard& s : shards) {
    ShardInfo info;
    info.shard_id = std::move(s.shard_id);
    if (s.parent_shard_id) info.parents.push_back(std::move(*s.parent_shard_id));
    if (s.adjacent_parent_shard_id) info.parents.push_back(std::move(*s.adjacent_parent_shard_id));
    info.closed = s.ending_sequence_number.has_value();
    info.open_ms = s.open_ms;
    std::optional<engine::SequenceFields> start = engine::ParseSequenceNumber(s.starting_sequence_number);
    info.created_seconds = start ? start->shard_created_seconds : s.open_ms / 1000;
    out.shards.push_back(std::move(info));
  }
  return out;
}

Result<std::optional<EngineShards::Newest>> EngineShards::NewestRecord(const engine::StreamRef& stream,
                                                                       std::string_view shard_id) const {
  SLUICE_ASSIGN_OR_RETURN(engine::GetRecordsResult latest, engine_.records().LatestRecords(stream, shard_id, 1));
  if (latest.records.empty()) return std::optional<Newest>();
  const engine::Record& r = latest.records.back();
  std::optional<engine::SequenceFields> fields = engine::ParseSequenceNumber(engine::ToView(r.sequence_number));
  if (!fields) return Status::Corruption("shard " + std::string(shard_id) + " holds a malformed sequence number");
  return std::optional<Newest>(Newest{fields->counter, std::string(engine::ToView(r.sequence_number)), r.arrival_ms});
}

Status EngineShards::CheckCheckpoint(const engine::StreamRef& stream, const ShardInfo& shard,
                                     const std::optional<std::string>& sequence_number, bool shard_end) const {
  Result<std::optional<Newest>> found = NewestRecord(stream, shard.shard_id);
  // In a cluster a shard another node leads is not read here (NotLeader):
  // its sequence numbers are checked by their form only.
  const bool known = found.ok();
  if (!known && found.status().code() != ErrorCode::kNotLeader) return found.status();
  const std::optional<Newest> newest = known ? *found : std::nullopt;
  if (shard_end && !shard.closed) {
    return Status::InvalidArgument("Shard " + shard.shard_id +
                                   " is open: a checkpoint with ShardEnd needs a closed shard.");
  }
  if (!sequence_number) {
    if (!shard_end) return Status::InvalidArgument("A checkpoint needs a SequenceNumber unless it is a ShardEnd.");
    if (known && newest) {
      return Status::InvalidArgument("Shard " + shard.shard_id + " has records: its ShardEnd checkpoint needs " +
                                     "the SequenceNumber of its last record, " + newest->sequence_number + ".");
    }
    return Status::Ok();
  }
  std::optional<engine::SequenceFields> fields = engine::ParseSequenceNumber(*sequence_number);
  const std::optional<int> index = engine::ParseShardId(shard.shard_id);
  if (!fields || !index || fields->shard_index != static_cast<uint32_t>(*index) ||
      fields->shard_created_seconds != shard.created_seconds || fields->counter == 0 ||
      fields->counter == engine::kEndingCounter || (known && (!newest || fields->counter > newest->counter))) {
    return Status::InvalidArgument("Invalid SequenceNumber " + *sequence_number + " for shard " + shard.shard_id +
                                   ": it is not one of the shard's records.");
  }
  if (known && shard_end && fields->counter != newest->counter) {
    return Status::InvalidArgument("SequenceNumber " + *sequence_number + " is not the last record of shard " +
                                   shard.shard_id + " (" + newest->sequence_number + "): ShardEnd refused.");
  }
  return Status::Ok();
}

ShardLag EngineShards::Lag(const engine::StreamRef& stream, std::string_view shard_id, const Checkpoint* checkpoint,
                           InitialPosition initial) const {
  Result<std::optional<Newest>> newest = NewestRecord(stream, shard_id);
  if (!newest.ok() || !*newest) return {};
  uint64_t done = 0;
  if (checkpoint && checkpoint->sequence_number) {
    std::optional<engine::SequenceFields> fields = engine::ParseSequenceNumber(*checkpoint->sequence_number);
    if (fields) done = fields->counter;
  } else if (checkpoint && checkpoint->shard_end) {
    return {};
  } else if (initial == InitialPosition::kLatest) {
    return {};
  }
  const Newest& n = **newest;
  if (n.counter <= done) return {};
  return {static_cast<int64_t>(n.counter - done), std::max<int64_t>(0, clock_.NowMillis() - n.arrival_ms)};
}

}  // namespace sluice::groups
