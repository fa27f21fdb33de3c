#include "channels/channel_delivery.h"

#include <algorithm>
#include <utility>

#include "channels/compression.h"
#include "channels/dead_letter.h"
#include "channels/object_key.h"
#include "util/log.h"

namespace sluice::channels {
namespace {

// GetRecords' largest page.
constexpr int kReadLimit = 10000;

}  // namespace

ChannelDelivery::ChannelDelivery(Channel channel, engine::Engine& engine,
                                 std::shared_ptr<object_store::ObjectStore> store,
                                 std::unique_ptr<CheckpointStore> checkpoint, const DeliveryOptions& options)
    : channel_(std::move(channel)),
      engine_(engine),
      store_(std::move(store)),
      options_(options),
      checkpoint_store_(std::move(checkpoint)) {
  stats_.account = channel_.account;
  stats_.region = channel_.region;
  stats_.name = channel_.name;
}

Status ChannelDelivery::Load() {
  SLUICE_ASSIGN_OR_RETURN(checkpoint_, checkpoint_store_->Load());
  return Status::Ok();
}

void ChannelDelivery::Reconfigure(const Channel& channel) { channel_ = channel; }

ChannelStats ChannelDelivery::Stats() const {
  std::lock_guard lock(stats_mu_);
  return stats_;
}

void ChannelDelivery::NoteError(const Status& status, int64_t now_ms) {
  {
    std::lock_guard lock(stats_mu_);
    ++stats_.errors;
    stats_.last_error = status.ToString();
    stats_.last_error_ms = now_ms;
  }
  if (uint64_t suppressed = 0; error_log_.Allow(&suppressed)) {
    log::Warn("channel {} (account {}): delivery: {} ({} more suppressed)", channel_.name, channel_.account,
              status.ToString(), suppressed);
  }
}

Status ChannelDelivery::SaveProgress(const ShardKey& key, const ShardProgress& progress) {
  SLUICE_ASSIGN_OR_RETURN(checkpoint_, checkpoint_store_->Save(key, progress));
  return Status::Ok();
}

bool ChannelDelivery::Delivers(const engine::StreamRef& ref, int64_t stream_creation_ms,
                               const std::string& shard_id) const {
  if (!options_.placement) return true;
  std::optional<int> index = engine::ParseShardId(shard_id);
  return index && options_.placement->Leader(engine::ShardKey{ref, stream_creation_ms, *index}).this_node;
}

void ChannelDelivery::Step(int64_t now_ms) {
  if (now_ms < retry_at_ms_ || !channel_.s3) return;
  now_ms_ = now_ms;
  // Cluster mode: the other nodes deliver the shards they lead; their
  // progress (a parent finished, a shard this node now leads) is read again.
  if (options_.placement) {
    Result<DeliveryCheckpoint> loaded = checkpoint_store_->Load();
    if (!loaded.ok()) {
      NoteError(loaded.status(), now_ms);
      return;
    }
    checkpoint_ = std::move(loaded).value();
  }
  int64_t lag_ms = 0;
  for (const ChannelStream& stream : channel_.streams) {
    std::optional<engine::StreamRef> ref = engine::ParseStreamArn(stream.stream_arn);
    if (!ref) continue;
    Result<engine::StreamDescription> description = engine_.control().DescribeStream(*ref);
    if (!description.ok()) {
      NoteError(description.status(), now_ms);
      continue;
    }
    if (description->creation_ms != stream.stream_creation_ms) {
      NoteError(Status::NotFound("stream " + stream.stream_arn + " was deleted and created again"), now_ms);
      continue;
    }
    if (description->status == engine::StreamStatus::kCreating) continue;
    const Source source{&stream, *ref, ParseRecordFormat(stream.record.format)};
    // Shards are listed parents first (ids grow with resharding), so a
    // parent finished in this pass lets its children start in the same pass.
    for (const engine::Shard& shard : description->shards) {
      const ShardKey key{stream.stream_arn, stream.stream_creation_ms, shard.shard_id};
      auto finished = [&](const std::optional<std::string>& parent) {
        if (!parent) return true;
        auto listed = std::find_if(description->shards.begin(), description->shards.end(),
                                   [&](const engine::Shard& s) { return s.shard_id == *parent; });
        if (listed == description->shards.end()) return true;  // trimmed past retention
        auto it = checkpoint_.find({stream.stream_arn, stream.stream_creation_ms, *parent});
        return it != checkpoint_.end() && it->second.finished;
      };
      if (auto it = checkpoint_.find(key); it != checkpoint_.end() && it->second.finished) continue;
      if (!finished(shard.parent_shard_id) || !finished(shard.adjacent_parent_shard_id)) continue;
      if (!Delivers(*ref, stream.stream_creation_ms, shard.shard_id)) {
        // Another node leads it; should this node lead it again, it starts
        // from the checkpoint, not from what it held.
        readers_.erase(key);
        continue;
      }
      ShardReader& reader = readers_.try_emplace(key, options_.max_object_bytes).first->second;
      if (!StepShard(source, shard.shard_id, reader, now_ms)) {
        ++failures_;
        const int64_t backoff =
            std::min(options_.retry_max_ms, options_.retry_initial_ms << std::min(failures_ - 1, 20));
        retry_at_ms_ = now_ms + backoff;
        return;
      }
      if (!reader.batch.empty()) lag_ms = std::max(lag_ms, now_ms - reader.batch.records().front().arrival_ms);
      lag_ms = std::max(lag_ms, reader.millis_behind);
      if (auto it = checkpoint_.find(key); it != checkpoint_.end() && it->second.finished) readers_.erase(key);
    }
  }
  failures_ = 0;
  std::lock_guard lock(stats_mu_);
  stats_.lag_ms = lag_ms;
}

bool ChannelDelivery::StepShard(const Source& source, const std::string& shard_id, ShardReader& reader,
                                int64_t now_ms) {
  if (!reader.batch.Full() && !reader.at_end) Read(source, shard_id, reader);
  const int64_t freshness_ms = channel_.data_freshness_s * 1000;
  while (!reader.batch.empty() && (reader.at_end || reader.batch.Due(now_ms, freshness_ms))) {
    if (!Flush(source, shard_id, reader)) return false;
  }
  if (reader.at_end && reader.batch.empty()) {
    const ShardKey key{source.stream->stream_arn, source.stream->stream_creation_ms, shard_id};
    ShardProgress progress = checkpoint_[key];
    progress.finished = true;
    if (Status saved = SaveProgress(key, progress); !saved.ok()) {
      NoteError(saved, now_ms);
      return false;
    }
  }
  return true;
}

void ChannelDelivery::Read(const Source& source, const std::string& shard_id, ShardReader& reader) {
  engine::RecordPath& records = engine_.records();
  if (!reader.iterator) {
    std::optional<std::string> last;
    if (!reader.batch.empty()) {
      last = reader.batch.records().back().sequence_number;
    } else if (auto it = checkpoint_.find({source.stream->stream_arn, source.stream->stream_creation_ms, shard_id});
               it != checkpoint_.end()) {
      last = it->second.last_sequence_number;
    }
    Result<std::string> iterator = records.GetShardIterator(
        source.ref, shard_id, last ? engine::IteratorType::kAfterSequenceNumber : engine::IteratorType::kTrimHorizon,
        last ? std::optional<std::string_view>(*last) : std::nullopt, std::nullopt);
    if (!iterator.ok()) {
      NoteError(iterator.status(), now_ms_);
      return;
    }
    reader.iterator = std::move(iterator).value();
  }
  while (!reader.batch.Full()) {
    Result<engine::GetRecordsResult> page = records.GetRecords(*reader.iterator, kReadLimit, std::nullopt);
    if (!page.ok()) {
      // An iterator outlives its five minutes while a batch waits: take a
      // new one from the last record held.
      reader.iterator.reset();
      if (page.status().code() != ErrorCode::kExpiredIterator) NoteError(page.status(), now_ms_);
      return;
    }
    for (const engine::Record& r : page->records) {
      reader.batch.Add({std::string(engine::ToView(r.sequence_number)), r.arrival_ms, std::string(r.partition_key),
                        std::string(r.data)});
    }
    reader.millis_behind = page->millis_behind_latest;
    if (!page->next_shard_iterator) {
      reader.at_end = true;
      reader.iterator.reset();
      return;
    }
    reader.iterator = std::move(*page->next_shard_iterator);
    if (page->records.empty()) return;
  }
}

bool ChannelDelivery::Flush(const Source& source, const std::string& shard_id, ShardReader& reader) {
  const S3Storage& s3 = *channel_.s3;
  const size_t n = reader.batch.NextCut();
  const auto& records = reader.batch.records();
  const BatchOrigin origin{source.ref.name, shard_id, records.front().sequence_number, records.front().arrival_ms};

  std::string body, dead;
  size_t written = 0, bytes = 0;
  for (size_t i = 0; i < n; ++i) {
    std::string reason;
    if (writer_.Append(source.format, records[i].data, &body, &reason)) {
      ++written;
      bytes += records[i].data.size();
    } else {
      AppendDeadLetter(source.stream->stream_arn, shard_id, records[i], reason, &dead);
    }
  }
  auto fail = [&](const Status& s) {
    NoteError(s, now_ms_);
    return false;
  };
  if (!dead.empty()) {
    const DeadLetterQueue dlq = channel_.dead_letter.value_or(DeadLetterQueue{s3.bucket_arn, "", "error/"});
    std::optional<std::string> bucket = BucketOfArn(dlq.bucket_arn);
    if (!bucket) return fail(Status::InvalidArgument("not an S3 bucket ARN: " + dlq.bucket_arn));
    object_store::PutOptions put;
    put.content_type = "application/x-ndjson";
    if (!dlq.expected_bucket_owner.empty()) put.expected_owner = dlq.expected_bucket_owner;
    if (Status s = store_->Put(*bucket, DeadLetterKey(dlq.error_output_prefix.value_or("error/"), origin), dead, put);
        !s.ok()) {
      return fail(s);
    }
  }
  if (written > 0) {
    std::optional<std::string> bucket = BucketOfArn(s3.bucket_arn);
    if (!bucket) return fail(Status::InvalidArgument("not an S3 bucket ARN: " + s3.bucket_arn));
    const Compression compression = ParseCompression(s3.compression);
    Result<std::string> object = Compress(compression, body);
    if (!object.ok()) return fail(object.status());
    object_store::PutOptions put;
    put.content_type = FormatContentType(source.format);
    put.content_encoding = ContentEncoding(compression);
    put.storage_class = s3.storage_class;
    if (!s3.expected_bucket_owner.empty()) put.expected_owner = s3.expected_bucket_owner;
    const std::string key = ObjectKey(s3.output_key_template, origin,
                                      std::string(FormatExtension(source.format)) + CompressedExtension(compression));
    if (Status s = store_->Put(*bucket, key, *object, put); !s.ok()) return fail(s);
  }
  const ShardKey key{source.stream->stream_arn, source.stream->stream_creation_ms, shard_id};
  ShardProgress progress = checkpoint_[key];
  progress.last_sequence_number = records[n - 1].sequence_number;
  if (Status saved = SaveProgress(key, progress); !saved.ok()) return fail(saved);
  reader.batch.Drop(n);
  std::lock_guard lock(stats_mu_);
  stats_.records_delivered += written;
  stats_.bytes_delivered += bytes;
  stats_.objects_delivered += written > 0 ? 1 : 0;
  stats_.records_dead_lettered += n - written;
  return true;
}

}  // namespace sluice::channels
