// What the client sub-commands print: record formats, tables, times.
// Pure string work, unit-tested in tests/unit/cli.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "client/types.h"

namespace sluice::cli {

enum class RecordFormat { kRaw, kJson, kHex };

// One record as a line (with its '\n'):
//   raw   the data bytes as they are
//   json  {"ShardId":..,"SequenceNumber":..,"PartitionKey":..,
//          "ApproximateArrivalTimestamp":<epoch seconds>,"Data":<base64>}
//   hex   "<ShardId> <SequenceNumber> <PartitionKey> <data as lower-case hex>"
std::string FormatRecord(RecordFormat format, const client::Record& record);

// Columns padded to their widest cell, two spaces apart, a header row first.
std::string FormatTable(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows);

// A point in time given on the command line, as epoch milliseconds:
// epoch seconds ("1795559400", "1795559400.25"), ISO 8601 UTC
// ("2026-11-24T22:30:00Z", with optional fraction; a space for the 'T'
// and no 'Z' are accepted too), or an age before `now_ms` ("-30s",
// "-5m", "-2h", "-1d").
std::optional<int64_t> ParseTime(std::string_view text, int64_t now_ms);

// "2026-11-24T22:30:00.000Z".
std::string FormatTime(int64_t epoch_ms);

// The partition key of a JSON Lines record: member `field` of the object
// on `line` (a string as it is; a number or boolean as its JSON text).
// nullopt when the line is not a JSON object or lacks the field.
std::optional<std::string> KeyFromJsonField(std::string_view line, std::string_view field);

// The midpoint of a shard's hash range (decimal strings), for splitting it
// in two equal halves: start + (end - start) / 2 + 1. nullopt when the
// range is empty or not decimal.
std::optional<std::string> MiddleHashKey(std::string_view start, std::string_view end);

// A shard named on the command line: an index ("9") as its id
// ("shardId-000000000009"); anything else as it is.
std::string ShardIdFromArg(std::string_view arg);

// What `sluice put` wrote before it stopped: "1200 records were written,
// the first unwritten is line 1201", and, when lines after that one were
// written too (several requests in flight), "(35 lines after it were
// written too)".
std::string WrittenSoFar(uint64_t written, uint64_t first_unwritten_line, uint64_t written_after);

}  // namespace sluice::cli
