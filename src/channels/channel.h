// A channel: a configuration that reads on-demand streams and delivers
// their records to an S3 bucket (or S3 Tables), with the lifecycle the
// service reports (CREATING -> ACTIVE; UPDATING; DELETING -> gone; FAILED
// with a reason). Plain values; the registry (channels/channel_registry.h)
// owns them. Every member of the Kinesis model's ChannelDescription is kept,
// so DescribeChannel answers what CreateChannel was given.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::channels {

enum class ChannelStatus : uint8_t { kCreating, kActive, kUpdating, kDeleting, kFailed };
enum class DestinationType : uint8_t { kS3, kS3Tables };

const char* ChannelStatusName(ChannelStatus s);      // "CREATING", "ACTIVE", ...
const char* DestinationTypeName(DestinationType t);  // "S3" | "S3_TABLES"

// The service's default DataFreshnessInSeconds.
inline constexpr int64_t kDefaultDataFreshnessSeconds = 300;

struct RecordConfiguration {
  std::string format;  // GSR_JSON | JSON | STRING | BYTE_ARRAY
  std::optional<std::string> gsr_schema_arn;
};

struct ChannelStream {
  std::string stream_arn;
  int64_t stream_creation_ms = 0;  // the incarnation the channel reads
  RecordConfiguration record;
};

struct DeadLetterQueue {
  std::string bucket_arn;
  std::string expected_bucket_owner;
  std::optional<std::string> error_output_prefix;
};

struct S3Storage {
  std::string bucket_arn;
  std::string expected_bucket_owner;
  std::optional<std::string> output_key_template;
  std::optional<std::string> storage_class;
  std::string compression;  // NONE | GZIP | ZSTD
};

struct PartitionField {
  std::string transform;  // TIME_HOUR
  std::string source_name;
};

struct S3Table {
  std::string table_bucket_arn;
  std::string name_space;
  std::string table_name;
  std::string compression;                                      // NONE | ZSTD | SNAPPY
  std::optional<std::vector<PartitionField>> partition_fields;  // PartitionSpec, when given
};

struct Encryption {
  std::string type;  // KMS
  std::string key_id;
};

struct Logging {
  bool enabled = false;
  std::optional<std::string> log_group_name;
  std::optional<std::string> log_stream_name;
};

struct Channel {
  std::string account;
  std::string region;
  std::string name;
  std::string id;  // ChannelId
  int64_t creation_ms = 0;
  ChannelStatus status = ChannelStatus::kCreating;
  std::optional<std::string> status_reason;  // FAILED only
  // When CREATING / UPDATING / DELETING ends (the status then reads ACTIVE,
  // ACTIVE or FAILED, gone); 0 when the status is settled.
  int64_t settles_ms = 0;
  std::string role_arn;
  std::vector<ChannelStream> streams;
  DestinationType destination = DestinationType::kS3;
  int64_t data_freshness_s = kDefaultDataFreshnessSeconds;
  std::optional<DeadLetterQueue> dead_letter;
  std::optional<S3Storage> s3;  // destination kS3
  std::vector<S3Table> tables;  // destination kS3Tables
  std::optional<Encryption> encryption;
  std::optional<Logging> logging;  // LoggingConfiguration, when given
  std::map<std::string, std::string> tags;
};

// arn:aws:kinesis:<region>:<account>:channel/<name>
std::string ChannelArn(const std::string& account, const std::string& region, const std::string& name);
struct ChannelName {
  std::string account;
  std::string region;
  std::string name;
};
// The namespace and name of a channel ARN; nullopt when `arn` is not one.
std::optional<ChannelName> ParseChannelArn(std::string_view arn);

}  // namespace sluice::channels
