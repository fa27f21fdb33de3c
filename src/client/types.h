// Value types of the Sluice client library: errors, records, shards,
// starting positions. Self-contained (standard library only), so an
// application that installs the library needs no other Sluice header.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace sluice::client {

// What went wrong with a call. `type` is the service's `__type` without its
// namespace prefix ("ResourceNotFoundException"), or, when no HTTP answer
// arrived, one of the client's own kinds: "ConnectionError" (connect, reset,
// closed), "TimeoutError", "TlsError", "ProtocolError" (an answer that is
// not HTTP/1.1 or not the JSON expected), "ClientError" (the client refused
// before sending, e.g. a record too large or the producer closed).
struct Error {
  std::string type;
  std::string message;
  int http_status = 0;  // 0: no HTTP answer

  // "<type>: <message>" (just the type when there is no message).
  std::string ToString() const;
  // Throttling: ProvisionedThroughputExceededException, LimitExceededException,
  // ThrottlingException, KMSThrottlingException.
  bool Throttling() const;
  // Worth retrying as it is: throttling, InternalFailure, ServiceUnavailable,
  // any 5xx, and every failure below HTTP except ClientError.
  bool Retryable() const;
};

// A value or an Error.
template <typename T>
class Outcome {
 public:
  Outcome(T value) : v_(std::move(value)) {}      // NOLINT: implicit by design
  Outcome(Error error) : v_(std::move(error)) {}  // NOLINT
  bool ok() const { return v_.index() == 0; }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  const Error& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

// The value of calls that answer nothing of interest.
struct Done {};

// A record as read (GetRecords, SubscribeToShard).
struct Record {
  std::string shard_id;
  std::string sequence_number;
  std::string partition_key;
  std::string data;        // raw bytes
  int64_t arrival_ms = 0;  // ApproximateArrivalTimestamp, epoch milliseconds
};

enum class StartType { kLatest, kTrimHorizon, kAtTimestamp, kAtSequenceNumber, kAfterSequenceNumber };

// Where reading a shard starts.
struct StartingPosition {
  StartType type = StartType::kLatest;
  int64_t timestamp_ms = 0;     // kAtTimestamp
  std::string sequence_number;  // kAt/kAfterSequenceNumber

  static StartingPosition Latest() { return {}; }
  static StartingPosition TrimHorizon() { return {StartType::kTrimHorizon, 0, {}}; }
  static StartingPosition AtTimestamp(int64_t ms) { return {StartType::kAtTimestamp, ms, {}}; }
  static StartingPosition AfterSequenceNumber(std::string s) {
    return {StartType::kAfterSequenceNumber, 0, std::move(s)};
  }
  // "LATEST", "TRIM_HORIZON", "AT_TIMESTAMP", ...
  const char* TypeName() const;
};

struct Shard {
  std::string shard_id;
  std::string parent_shard_id;           // "" when none
  std::string adjacent_parent_shard_id;  // "" when none
  std::string starting_hash_key;
  std::string ending_hash_key;
  std::string starting_sequence_number;
  std::string ending_sequence_number;  // "" while the shard is open
  bool open() const { return ending_sequence_number.empty(); }
};

// A shard named in a closed shard's last GetRecords answer or event.
struct ChildShard {
  std::string shard_id;
  std::vector<std::string> parent_shards;
};

struct StreamSummary {
  std::string name;
  std::string arn;
  std::string status;  // CREATING, ACTIVE, UPDATING, DELETING
  std::string mode;    // PROVISIONED, ON_DEMAND
  int64_t retention_hours = 0;
  int64_t open_shard_count = 0;
  int64_t consumer_count = 0;
  int64_t creation_ms = 0;
  std::string encryption;  // NONE, KMS
};

struct PutResult {
  std::string shard_id;
  std::string sequence_number;
};

struct PutRecordsEntry {
  std::string partition_key;
  std::string data;
  std::string explicit_hash_key;  // "" when none
};

// One entry of a PutRecords answer: a sequence number, or an error code.
struct PutRecordsResultEntry {
  std::string shard_id;
  std::string sequence_number;
  std::string error_code;  // "" on success
  std::string error_message;
};

struct GetRecordsResult {
  std::vector<Record> records;
  std::string next_iterator;  // "" at the end of a closed shard
  int64_t millis_behind_latest = 0;
  std::vector<ChildShard> child_shards;
  std::string continuation_sequence_number;  // SubscribeToShard events only
};

struct Consumer {
  std::string name;
  std::string arn;
  std::string status;  // CREATING, ACTIVE, DELETING
  int64_t creation_ms = 0;
};

}  // namespace sluice::client
