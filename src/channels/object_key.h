// The keys of delivered objects (docs/channels.md, "Object keys"). A key is
// a function of the batch's first record only, so a batch rebuilt from the
// checkpoint after a crash is put under the key it had before, and the
// re-upload overwrites it:
//
//   <prefix><stream>-<shard id>-<yyyy>-<MM>-<dd>-<HH>-<mm>-<ss>-<first sequence number><ext>
//
// where the time is the first record's arrival (UTC) and the prefix is the
// OutputKeyTemplate expanded (default kDefaultKeyTemplate). A template
// takes Firehose's expressions:
//   !{timestamp:<pattern>}   the arrival time; the pattern's yyyy, MM, dd,
//                            HH, mm and ss are replaced, other characters kept
//   !{kinesis:stream-name}   the source stream's name
//   !{kinesis:shard-id}      the shard's id
// Any other text, unknown expressions included, is kept as written.
// Dead-letter objects are named the same, under ErrorOutputPrefix then the
// default template's date path, with the extension ".json".
//
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sluice::channels {

// The default OutputKeyTemplate: an hourly date path, as Firehose's.
inline constexpr std::string_view kDefaultKeyTemplate = "!{timestamp:yyyy/MM/dd/HH}/";

// What a batch's keys are made of: its first record.
struct BatchOrigin {
  std::string stream_name;
  std::string shard_id;
  std::string first_sequence_number;
  int64_t first_arrival_ms = 0;
};

// `key_template` with its expressions replaced.
std::string ExpandKeyTemplate(std::string_view key_template, const BatchOrigin& origin);
// The key of the batch's object; `extension` follows the name (".json.gz").
std::string ObjectKey(const std::optional<std::string>& key_template, const BatchOrigin& origin,
                      std::string_view extension);
// The key of the batch's dead-letter object under `error_prefix`.
std::string DeadLetterKey(std::string_view error_prefix, const BatchOrigin& origin);

// The bucket an S3 bucket ARN names ("arn:aws:s3:::my-bucket" -> "my-bucket");
// nullopt when `arn` is not one.
std::optional<std::string> BucketOfArn(std::string_view arn);

}  // namespace sluice::channels
