#include "api/channel_shapes.h"

#include <fmt/format.h>

#include <array>
#include <regex>

#include "api/model_rules.h"
#include "api/tagging.h"
#include "engine/engine.h"

namespace sluice::api {
namespace {

// The patterns only channel members have. They are matched with std::regex,
// compiled once: these operations run at 5 calls per second at most, and the
// text that matches is the text the message shows. The patterns other
// operations share (names, stream ARNs) are api/model_rules.h's.
constexpr std::string_view kRoleArnPattern = "arn:aws[-a-z0-9]*:iam::\\d{12}:role/[a-zA-Z_0-9+=,.@\\-_/]+";
constexpr std::string_view kBucketArnPattern = "arn:aws[-a-z0-9]*:s3:::[a-z0-9._-]{3,63}";
constexpr std::string_view kOwnerPattern = "\\d{12}";
constexpr std::string_view kErrorPrefixPattern = "[0-9A-Za-z!\\-_'.*()\\/]+";
constexpr std::string_view kKeyTemplatePattern = "[0-9A-Za-z!\\-_'.*()\\/=:{}]+";
constexpr std::string_view kGsrSchemaArnPattern =
    "arn:aws[-a-z0-9]*:glue:[-a-z0-9]+:\\d{12}:schema/[-a-zA-Z0-9_$#.]+/[-a-zA-Z0-9_$#.]+";
constexpr std::string_view kTableBucketArnPattern =
    "arn:aws[-a-z0-9]*:s3tables:[-a-z0-9]+:\\d{12}:bucket/[a-z0-9_-]{3,63}";
constexpr std::string_view kTablesNamePattern = "[0-9a-z_]+";
constexpr std::string_view kPartitionSourcePattern = "[a-zA-Z0-9\\.\\_]+";
constexpr std::string_view kLogGroupPattern = "[\\.\\-_/#A-Za-z0-9]+";
constexpr std::string_view kLogStreamPattern = "[^:*]*";

template <const std::string_view& Pattern>
bool Matches(std::string_view s) {
  static const std::regex re(Pattern.data(), Pattern.size());
  return std::regex_match(s.begin(), s.end(), re);
}

constexpr std::array<std::string_view, 4> kRecordFormats = {"GSR_JSON", "JSON", "STRING", "BYTE_ARRAY"};
constexpr std::array<std::string_view, 3> kStorageClasses = {"STANDARD", "INTELLIGENT_TIERING", "GLACIER_IR"};
constexpr std::array<std::string_view, 3> kS3Compressions = {"NONE", "GZIP", "ZSTD"};
constexpr std::array<std::string_view, 3> kTablesCompressions = {"NONE", "ZSTD", "SNAPPY"};
constexpr std::array<std::string_view, 1> kTransforms = {"TIME_HOUR"};
constexpr std::array<std::string_view, 1> kEncryptionTypes = {"KMS"};

std::string Path(std::string_view parent, std::string_view member) {
  return parent.empty() ? std::string(member) : fmt::format("{}.{}", parent, member);
}
std::string Item(std::string_view list, size_t index) { return fmt::format("{}.{}.member", list, index + 1); }
std::optional<std::string> Owned(std::optional<std::string_view> s) {
  return s ? std::optional<std::string>(std::string(*s)) : std::nullopt;
}

// A required structure member: decoded into `out` (empty when absent or null).
Status RequiredStructure(const protocol::JsonObject& parent, std::string_view key, std::string_view path,
                         protocol::ValidationErrors& errors, std::optional<protocol::JsonObject>* out) {
  SLUICE_RETURN_IF_ERROR(parent.GetStructure(key, out));
  if (!*out || (*out)->empty_structure()) {
    errors.CheckRequired(path, false);
    out->reset();
  }
  return Status::Ok();
}

// The bucket both S3 destinations (storage, dead letters) name: BucketARN
// and ExpectedBucketOwner, read and checked; empty when absent (an error is
// recorded then).
struct S3Bucket {
  std::string arn;
  std::string owner;
};

// Reads the bucket's members of `o`; a member of the wrong type is the
// returned error, a bad value is recorded in `errors`. Callers read their
// other members after it, so the errors keep the model's member order.
Status DecodeBucket(const protocol::JsonObject& o, const std::string& path, protocol::ValidationErrors& errors,
                    S3Bucket* out) {
  std::optional<std::string_view> bucket, owner;
  SLUICE_RETURN_IF_ERROR(o.GetString("BucketARN", &bucket));
  SLUICE_RETURN_IF_ERROR(o.GetString("ExpectedBucketOwner", &owner));
  errors.CheckString(Path(path, "bucketARN"), bucket, true, kBucketArnPattern, &Matches<kBucketArnPattern>, 1, 2048);
  errors.CheckString(Path(path, "expectedBucketOwner"), owner, true, kOwnerPattern, &Matches<kOwnerPattern>, 12, 12);
  *out = S3Bucket{std::string(bucket.value_or("")), std::string(owner.value_or(""))};
  return Status::Ok();
}

Status DecodeDeadLetter(const protocol::JsonObject& o, const std::string& path, protocol::ValidationErrors& errors,
                        channels::DeadLetterQueue* out) {
  S3Bucket bucket;
  SLUICE_RETURN_IF_ERROR(DecodeBucket(o, path, errors, &bucket));
  std::optional<std::string_view> prefix;
  SLUICE_RETURN_IF_ERROR(o.GetString("ErrorOutputPrefix", &prefix));
  errors.CheckString(Path(path, "errorOutputPrefix"), prefix, false, kErrorPrefixPattern, &Matches<kErrorPrefixPattern>,
                     1, 512);
  *out = channels::DeadLetterQueue{std::move(bucket.arn), std::move(bucket.owner), Owned(prefix)};
  return Status::Ok();
}

Status DecodeStorage(const protocol::JsonObject& o, const std::string& path, protocol::ValidationErrors& errors,
                     channels::S3Storage* out) {
  S3Bucket bucket;
  SLUICE_RETURN_IF_ERROR(DecodeBucket(o, path, errors, &bucket));
  std::optional<std::string_view> tmpl, storage_class, compression;
  SLUICE_RETURN_IF_ERROR(o.GetString("OutputKeyTemplate", &tmpl));
  SLUICE_RETURN_IF_ERROR(o.GetString("StorageClass", &storage_class));
  SLUICE_RETURN_IF_ERROR(o.GetString("CompressionType", &compression));
  errors.CheckString(Path(path, "outputKeyTemplate"), tmpl, false, kKeyTemplatePattern, &Matches<kKeyTemplatePattern>,
                     1, 1024);
  errors.CheckEnum(Path(path, "storageClass"), storage_class, false, kStorageClasses);
  errors.CheckEnum(Path(path, "compressionType"), compression, true, kS3Compressions);
  *out = channels::S3Storage{std::move(bucket.arn), std::move(bucket.owner), Owned(tmpl), Owned(storage_class),
                             std::string(compression.value_or(""))};
  return Status::Ok();
}

Status DecodeTable(const protocol::JsonObject& o, const std::string& path, protocol::ValidationErrors& errors,
                   channels::S3Table* out) {
  std::optional<std::string_view> bucket, ns, table, compression;
  std::optional<protocol::JsonObject> spec;
  SLUICE_RETURN_IF_ERROR(o.GetString("TableBucketARN", &bucket));
  SLUICE_RETURN_IF_ERROR(o.GetString("Namespace", &ns));
  SLUICE_RETURN_IF_ERROR(o.GetString("TableName", &table));
  SLUICE_RETURN_IF_ERROR(o.GetString("CompressionType", &compression));
  SLUICE_RETURN_IF_ERROR(o.GetStructure("PartitionSpec", &spec));
  errors.CheckString(Path(path, "tableBucketARN"), bucket, true, kTableBucketArnPattern,
                     &Matches<kTableBucketArnPattern>, 1, 2048);
  errors.CheckString(Path(path, "namespace"), ns, true, kTablesNamePattern, &Matches<kTablesNamePattern>, 1, 255);
  errors.CheckString(Path(path, "tableName"), table, true, kTablesNamePattern, &Matches<kTablesNamePattern>, 1, 255);
  errors.CheckEnum(Path(path, "compressionType"), compression, true, kTablesCompressions);
  *out = channels::S3Table{std::string(bucket.value_or("")), std::string(ns.value_or("")),
                           std::string(table.value_or("")), std::string(compression.value_or("")), std::nullopt};
  if (spec && !spec->empty_structure()) {
    const std::string spec_path = Path(path, "partitionSpec.partitionFields");
    std::optional<protocol::JsonArray> fields;
    SLUICE_RETURN_IF_ERROR(spec->GetList("PartitionFields", &fields));
    out->partition_fields.emplace();
    if (!fields) {
      errors.CheckRequired(spec_path, false);
      return Status::Ok();
    }
    if (fields->size() < 1 || fields->size() > 10) {
      errors.Add("[" + std::to_string(fields->size()) + " items]", spec_path,
                 fields->size() < 1 ? "Member must have length greater than or equal to 1"
                                    : "Member must have length less than or equal to 10");
    }
    for (size_t i = 0; i < fields->size(); ++i) {
      protocol::JsonObject f;
      SLUICE_RETURN_IF_ERROR(fields->StructureAt(i, &f));
      std::optional<std::string_view> transform, source;
      SLUICE_RETURN_IF_ERROR(f.GetString("Transform", &transform));
      SLUICE_RETURN_IF_ERROR(f.GetString("SourceName", &source));
      errors.CheckEnum(Path(Item(spec_path, i), "transform"), transform, true, kTransforms);
      errors.CheckString(Path(Item(spec_path, i), "sourceName"), source, true, kPartitionSourcePattern,
                         &Matches<kPartitionSourcePattern>, 1, 255);
      out->partition_fields->push_back({std::string(transform.value_or("")), std::string(source.value_or(""))});
    }
  }
  return Status::Ok();
}

// A list member with its count bounds; nullopt (and a not-null error when
// `required`) when absent.
Status DecodeList(const protocol::JsonObject& o, std::string_view key, const std::string& path, bool required,
                  size_t max, protocol::ValidationErrors& errors, std::optional<protocol::JsonArray>* out) {
  SLUICE_RETURN_IF_ERROR(o.GetList(key, out));
  if (!*out) {
    if (required) errors.CheckRequired(path, false);
    return Status::Ok();
  }
  if ((*out)->size() < 1) errors.Add("[]", path, "Member must have length greater than or equal to 1");
  if ((*out)->size() > max) {
    errors.Add("[" + std::to_string((*out)->size()) + " items]", path,
               fmt::format("Member must have length less than or equal to {}", max));
  }
  return Status::Ok();
}

}  // namespace

Status CheckDataFreshness(std::optional<int64_t> value) {
  if (value && (*value < 0 || *value > 900)) {
    return Status::InvalidArgument(
        fmt::format("DataFreshnessInSeconds must be between 0 and 900 seconds, not {}.", *value));
  }
  return Status::Ok();
}

void CheckStreamArnMember(protocol::ValidationErrors& errors, const std::string& path,
                          std::optional<std::string_view> value) {
  errors.CheckString(path, value, true, kStreamArnPattern, &MatchesStreamArnPattern, 1, 2048);
}

void CheckChannelArn(protocol::ValidationErrors& errors, std::optional<std::string_view> value) {
  errors.CheckString("channelARN", value, true, kChannelArnPattern, &Matches<kChannelArnPattern>, 1, 2048);
}

Status DecodeLogging(const protocol::JsonObject& logging, std::string_view path, protocol::ValidationErrors& errors,
                     channels::Logging* out) {
  std::optional<protocol::JsonObject> cw;
  const std::string cw_path = Path(path, "cloudWatchLogs");
  SLUICE_RETURN_IF_ERROR(RequiredStructure(logging, "CloudWatchLogs", cw_path, errors, &cw));
  if (!cw) return Status::Ok();
  std::optional<bool> enabled;
  std::optional<std::string_view> group, stream;
  SLUICE_RETURN_IF_ERROR(cw->GetBoolean("Enabled", &enabled));
  SLUICE_RETURN_IF_ERROR(cw->GetString("LogGroupName", &group));
  SLUICE_RETURN_IF_ERROR(cw->GetString("LogStreamName", &stream));
  errors.CheckRequired(Path(cw_path, "enabled"), enabled.has_value());
  errors.CheckString(Path(cw_path, "logGroupName"), group, false, kLogGroupPattern, &Matches<kLogGroupPattern>, 1, 512);
  errors.CheckString(Path(cw_path, "logStreamName"), stream, false, kLogStreamPattern, &Matches<kLogStreamPattern>, 1,
                     512);
  *out = channels::Logging{enabled.value_or(false), Owned(group), Owned(stream)};
  return Status::Ok();
}

Result<channels::Channel> DecodeCreateChannel(const OperationContext& ctx, const protocol::JsonObject& body) {
  protocol::ValidationErrors errors;
  channels::Channel c;
  c.account = ctx.options.default_account;
  c.region = ctx.options.default_region;

  std::optional<std::string_view> name, role;
  SLUICE_RETURN_IF_ERROR(body.GetString("ChannelName", &name));
  SLUICE_RETURN_IF_ERROR(body.GetString("ServiceExecutionRoleARN", &role));
  errors.CheckString("channelName", name, true, kNamePattern, &MatchesNamePattern, 1, 128);
  errors.CheckString("serviceExecutionRoleARN", role, true, kRoleArnPattern, &Matches<kRoleArnPattern>, 1, 512);
  c.name = std::string(name.value_or(""));
  c.role_arn = std::string(role.value_or(""));

  std::optional<protocol::JsonArray> streams;
  SLUICE_RETURN_IF_ERROR(
      DecodeList(body, "StreamConfigurationList", "streamConfigurationList", true, 10000, errors, &streams));
  for (size_t i = 0; streams && i < streams->size(); ++i) {
    const std::string path = Item("streamConfigurationList", i);
    protocol::JsonObject s;
    SLUICE_RETURN_IF_ERROR(streams->StructureAt(i, &s));
    std::optional<std::string_view> arn;
    SLUICE_RETURN_IF_ERROR(s.GetString("StreamARN", &arn));
    CheckStreamArnMember(errors, Path(path, "streamARN"), arn);
    std::optional<protocol::JsonObject> rec;
    SLUICE_RETURN_IF_ERROR(
        RequiredStructure(s, "RecordConfiguration", Path(path, "recordConfiguration"), errors, &rec));
    channels::ChannelStream cs;
    cs.stream_arn = std::string(arn.value_or(""));
    if (rec) {
      std::optional<std::string_view> format, schema;
      SLUICE_RETURN_IF_ERROR(rec->GetString("RecordFormatType", &format));
      SLUICE_RETURN_IF_ERROR(rec->GetString("GSRSchemaARN", &schema));
      errors.CheckEnum(Path(path, "recordConfiguration.recordFormatType"), format, true, kRecordFormats);
      errors.CheckString(Path(path, "recordConfiguration.gSRSchemaARN"), schema, false, kGsrSchemaArnPattern,
                         &Matches<kGsrSchemaArnPattern>, 1, 512);
      cs.record = channels::RecordConfiguration{std::string(format.value_or("")), Owned(schema)};
    }
    c.streams.push_back(std::move(cs));
  }

  std::optional<protocol::JsonObject> s3, tables, encryption, logging;
  std::optional<int64_t> s3_freshness, tables_freshness;
  SLUICE_RETURN_IF_ERROR(body.GetStructure("S3DestinationConfiguration", &s3));
  if (s3 && !s3->empty_structure()) {
    const std::string path = "s3DestinationConfiguration";
    SLUICE_RETURN_IF_ERROR(s3->GetInteger("DataFreshnessInSeconds", &s3_freshness));
    std::optional<protocol::JsonObject> dlq, storage;
    SLUICE_RETURN_IF_ERROR(s3->GetStructure("DeadLetterQueueS3Configuration", &dlq));
    if (dlq && !dlq->empty_structure()) {
      c.dead_letter.emplace();
      SLUICE_RETURN_IF_ERROR(
          DecodeDeadLetter(*dlq, Path(path, "deadLetterQueueS3Configuration"), errors, &*c.dead_letter));
    }
    SLUICE_RETURN_IF_ERROR(
        RequiredStructure(*s3, "StorageConfiguration", Path(path, "storageConfiguration"), errors, &storage));
    c.s3.emplace();
    if (storage) SLUICE_RETURN_IF_ERROR(DecodeStorage(*storage, Path(path, "storageConfiguration"), errors, &*c.s3));
  } else {
    s3.reset();
  }
  SLUICE_RETURN_IF_ERROR(body.GetStructure("S3TablesDestinationConfiguration", &tables));
  if (tables && !tables->empty_structure()) {
    const std::string path = "s3TablesDestinationConfiguration";
    SLUICE_RETURN_IF_ERROR(tables->GetInteger("DataFreshnessInSeconds", &tables_freshness));
    std::optional<protocol::JsonObject> dlq;
    const std::string dlq_path = Path(path, "deadLetterQueueS3Configuration");
    SLUICE_RETURN_IF_ERROR(RequiredStructure(*tables, "DeadLetterQueueS3Configuration", dlq_path, errors, &dlq));
    if (dlq) {
      c.dead_letter.emplace();
      SLUICE_RETURN_IF_ERROR(DecodeDeadLetter(*dlq, dlq_path, errors, &*c.dead_letter));
    }
    std::optional<protocol::JsonArray> list;
    const std::string list_path = Path(path, "s3TablesConfigurationList");
    SLUICE_RETURN_IF_ERROR(DecodeList(*tables, "S3TablesConfigurationList", list_path, true, 10000, errors, &list));
    for (size_t i = 0; list && i < list->size(); ++i) {
      protocol::JsonObject t;
      SLUICE_RETURN_IF_ERROR(list->StructureAt(i, &t));
      c.tables.emplace_back();
      SLUICE_RETURN_IF_ERROR(DecodeTable(t, Item(list_path, i), errors, &c.tables.back()));
    }
  } else {
    tables.reset();
  }

  SLUICE_RETURN_IF_ERROR(body.GetStructure("EncryptionConfiguration", &encryption));
  if (encryption && !encryption->empty_structure()) {
    std::optional<std::string_view> type, key;
    SLUICE_RETURN_IF_ERROR(encryption->GetString("EncryptionType", &type));
    SLUICE_RETURN_IF_ERROR(encryption->GetString("KeyId", &key));
    errors.CheckEnum("encryptionConfiguration.encryptionType", type, true, kEncryptionTypes);
    errors.CheckString("encryptionConfiguration.keyId", key, true, "", nullptr, 1, 2048);
    c.encryption = channels::Encryption{std::string(type.value_or("")), std::string(key.value_or(""))};
  }

  std::optional<TagEntries> tags;
  SLUICE_RETURN_IF_ERROR(DecodeTagMap(body, "Tags", &tags));
  if (tags) CheckTagMap(errors, "tags", tags);

  SLUICE_RETURN_IF_ERROR(body.GetStructure("LoggingConfiguration", &logging));
  if (logging && !logging->empty_structure()) {
    c.logging.emplace();
    SLUICE_RETURN_IF_ERROR(DecodeLogging(*logging, "loggingConfiguration", errors, &*c.logging));
  }
  if (!errors.empty()) return errors.ToStatus();

  if (s3.has_value() == tables.has_value()) {
    return Status::InvalidArgument(
        "Exactly one of S3DestinationConfiguration and S3TablesDestinationConfiguration must be specified.");
  }
  const std::optional<int64_t> freshness = s3 ? s3_freshness : tables_freshness;
  SLUICE_RETURN_IF_ERROR(CheckDataFreshness(freshness));
  c.data_freshness_s = freshness.value_or(channels::kDefaultDataFreshnessSeconds);
  c.destination = s3 ? channels::DestinationType::kS3 : channels::DestinationType::kS3Tables;
  if (s3 && !c.dead_letter) {
    c.dead_letter = channels::DeadLetterQueue{c.s3->bucket_arn, c.s3->expected_bucket_owner, "error/"};
  }
  for (const channels::ChannelStream& s : c.streams) {
    const bool s3_only = s.record.format == "STRING" || s.record.format == "BYTE_ARRAY";
    if (s3_only && tables) {
      return Status::InvalidArgument(fmt::format(
          "RecordFormatType {} is supported only for general purpose Amazon S3 destinations.", s.record.format));
    }
    if (s.record.format == "GSR_JSON" && s3) {
      return Status::InvalidArgument("RecordFormatType GSR_JSON is supported only for Amazon S3 Tables destinations.");
    }
  }
  if (tags) {
    for (const auto& [k, v] : *tags) c.tags[std::string(k)] = std::string(v.value_or(""));
  }
  return c;
}

Result<channels::ChannelName> ResolveChannelArn(std::string_view arn) {
  std::optional<channels::ChannelName> name = channels::ParseChannelArn(arn);
  if (!name) return Status::InvalidArgument(fmt::format("Invalid ChannelARN {}.", arn));
  return *name;
}

Result<channels::ChannelName> DecodeChannelArnOnly(const protocol::JsonObject& body) {
  std::optional<std::string_view> arn;
  SLUICE_RETURN_IF_ERROR(body.GetString("ChannelARN", &arn));
  protocol::ValidationErrors errors;
  CheckChannelArn(errors, arn);
  SLUICE_RETURN_IF_ERROR(errors.ToStatus());
  return ResolveChannelArn(*arn);
}

std::string ChannelDescriptionOutput(const channels::Channel& c) {
  std::string out;
  protocol::JsonWriter w(&out);
  w.BeginObject();
  w.Key("ChannelDescription");
  WriteChannelDescription(w, c);
  w.EndObject();
  return out;
}

Status CheckSourceStreams(const OperationContext& ctx, channels::Channel& channel) {
  for (channels::ChannelStream& s : channel.streams) {
    std::optional<engine::StreamRef> ref = engine::ParseStreamArn(s.stream_arn);
    if (!ref) return Status::InvalidArgument(fmt::format("Invalid StreamARN {}.", s.stream_arn));
    SLUICE_ASSIGN_OR_RETURN(engine::StreamDescription desc, ctx.engine.control().DescribeStream(*ref));
    if (desc.mode != engine::StreamMode::kOnDemand) {
      return Status::InvalidArgument(fmt::format(
          "Stream {} under account {} is in PROVISIONED capacity mode; channels read only ON_DEMAND streams.",
          ref->name, ref->account));
    }
    s.stream_creation_ms = desc.creation_ms;
  }
  return Status::Ok();
}

Status CheckNoChannelReads(const OperationContext& ctx, const engine::StreamRef& stream) {
  if (ctx.options.channels == nullptr) return Status::Ok();
  Result<engine::StreamDescription> desc = ctx.engine.control().DescribeStream(stream);
  if (!desc.ok()) return Status::Ok();
  const std::string arn = engine::StreamArn(stream);
  for (const channels::Channel& c : ctx.options.channels->List(stream.account, stream.region)) {
    if (c.status == channels::ChannelStatus::kDeleting) continue;
    for (const channels::ChannelStream& s : c.streams) {
      if (s.stream_arn == arn && s.stream_creation_ms == desc->creation_ms) {
        return Status::InUse(
            fmt::format("Stream {} under account {} cannot be deleted while channel {} reads it; delete the channel "
                        "first.",
                        stream.name, stream.account, c.name));
      }
    }
  }
  return Status::Ok();
}

Result<channels::ChannelRegistry*> Channels(const OperationContext& ctx) {
  if (ctx.options.channels == nullptr) return Status::Internal("channels are not available on this server");
  return ctx.options.channels;
}

namespace {

void WriteDeadLetter(protocol::JsonWriter& w, const channels::DeadLetterQueue& d) {
  w.Key("DeadLetterQueueS3Configuration");
  w.BeginObject();
  w.Member("BucketARN", d.bucket_arn);
  w.Member("ExpectedBucketOwner", d.expected_bucket_owner);
  if (d.error_output_prefix) w.Member("ErrorOutputPrefix", *d.error_output_prefix);
  w.EndObject();
}

void WriteHead(protocol::JsonWriter& w, const channels::Channel& c) {
  w.Member("ChannelName", c.name);
  w.Member("ChannelARN", channels::ChannelArn(c.account, c.region, c.name));
  w.Member("ChannelId", c.id);
  w.Member("ChannelStatus", channels::ChannelStatusName(c.status));
  if (c.status_reason) w.Member("ChannelStatusReason", *c.status_reason);
  w.Key("ChannelCreationTimestamp");
  w.TimestampMillis(c.creation_ms);
}

}  // namespace

void WriteChannelDescription(protocol::JsonWriter& w, const channels::Channel& c) {
  w.BeginObject();
  WriteHead(w, c);
  w.Member("ServiceExecutionRoleARN", c.role_arn);
  w.Key("StreamConfigurationList");
  w.BeginArray();
  for (const channels::ChannelStream& s : c.streams) {
    w.BeginObject();
    w.Member("StreamARN", s.stream_arn);
    w.Key("StreamCreationTimestamp");
    w.TimestampMillis(s.stream_creation_ms);
    w.Key("RecordConfiguration");
    w.BeginObject();
    w.Member("RecordFormatType", s.record.format);
    if (s.record.gsr_schema_arn) w.Member("GSRSchemaARN", *s.record.gsr_schema_arn);
    w.EndObject();
    w.EndObject();
  }
  w.EndArray();
  if (c.destination == channels::DestinationType::kS3 && c.s3) {
    w.Key("S3DestinationConfiguration");
    w.BeginObject();
    w.MemberInt("DataFreshnessInSeconds", c.data_freshness_s);
    if (c.dead_letter) WriteDeadLetter(w, *c.dead_letter);
    w.Key("StorageConfiguration");
    w.BeginObject();
    w.Member("BucketARN", c.s3->bucket_arn);
    w.Member("ExpectedBucketOwner", c.s3->expected_bucket_owner);
    if (c.s3->output_key_template) w.Member("OutputKeyTemplate", *c.s3->output_key_template);
    if (c.s3->storage_class) w.Member("StorageClass", *c.s3->storage_class);
    w.Member("CompressionType", c.s3->compression);
    w.EndObject();
    w.EndObject();
  } else if (c.destination == channels::DestinationType::kS3Tables) {
    w.Key("S3TablesDestinationConfiguration");
    w.BeginObject();
    w.MemberInt("DataFreshnessInSeconds", c.data_freshness_s);
    if (c.dead_letter) WriteDeadLetter(w, *c.dead_letter);
    w.Key("S3TablesConfigurationList");
    w.BeginArray();
    for (const channels::S3Table& t : c.tables) {
      w.BeginObject();
      w.Member("TableBucketARN", t.table_bucket_arn);
      w.Member("Namespace", t.name_space);
      w.Member("TableName", t.table_name);
      w.Member("CompressionType", t.compression);
      if (t.partition_fields) {
        w.Key("PartitionSpec");
        w.BeginObject();
        w.Key("PartitionFields");
        w.BeginArray();
        for (const channels::PartitionField& f : *t.partition_fields) {
          w.BeginObject();
          w.Member("Transform", f.transform);
          w.Member("SourceName", f.source_name);
          w.EndObject();
        }
        w.EndArray();
        w.EndObject();
      }
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
  }
  if (c.encryption) {
    w.Key("EncryptionConfiguration");
    w.BeginObject();
    w.Member("EncryptionType", c.encryption->type);
    w.Member("KeyId", c.encryption->key_id);
    w.EndObject();
  }
  const channels::Logging logging = c.logging.value_or(channels::Logging{});
  w.Key("LoggingConfiguration");
  w.BeginObject();
  w.Key("CloudWatchLogs");
  w.BeginObject();
  w.MemberBool("Enabled", logging.enabled);
  if (logging.log_group_name) w.Member("LogGroupName", *logging.log_group_name);
  if (logging.log_stream_name) w.Member("LogStreamName", *logging.log_stream_name);
  w.EndObject();
  w.EndObject();
  w.EndObject();
}

void WriteChannelSummary(protocol::JsonWriter& w, const channels::Channel& c) {
  w.BeginObject();
  WriteHead(w, c);
  w.Member("ChannelDestinationType", channels::DestinationTypeName(c.destination));
  w.Key("Streams");
  w.BeginArray();
  for (const channels::ChannelStream& s : c.streams) {
    w.BeginObject();
    w.Member("StreamARN", s.stream_arn);
    w.Key("StreamCreationTimestamp");
    w.TimestampMillis(s.stream_creation_ms);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
}

}  // namespace sluice::api
