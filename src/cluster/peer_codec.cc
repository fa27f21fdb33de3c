// The peer messages' encoding (grammar: docs/cluster-protocol.md). All
// integers are little-endian and fixed-width; strings and byte strings are
// length-prefixed. A Reader never reads past its end: every Get checks the
// bytes left first, and its first failure sticks.
#include "cluster/peer_codec.h"

#include <optional>
#include <utility>

#include "util/crc32c.h"

namespace sluice::cluster {
namespace {

class Writer {
 public:
  void U8(uint8_t v) { out_.push_back(static_cast<char>(v)); }
  void U16(uint16_t v) { Fixed(v, 2); }
  void U32(uint32_t v) { Fixed(v, 4); }
  void U64(uint64_t v) { Fixed(v, 8); }
  void I32(int32_t v) { Fixed(static_cast<uint32_t>(v), 4); }
  void I64(int64_t v) { Fixed(static_cast<uint64_t>(v), 8); }
  // Longer strings are cut to what the prefix can say (decoders refuse
  // them anyway: the limits are far lower).
  void Str16(std::string_view s) {
    s = s.substr(0, 0xffff);
    U16(static_cast<uint16_t>(s.size()));
    out_.append(s);
  }
  void Str32(std::string_view s) {
    s = s.substr(0, 0xffffffffu);
    U32(static_cast<uint32_t>(s.size()));
    out_.append(s);
  }
  void Raw(std::string_view s) { out_.append(s); }
  std::string Take() { return std::move(out_); }

 private:
  void Fixed(uint64_t v, int n) {
    for (int i = 0; i < n; ++i) out_.push_back(static_cast<char>(v >> (8 * i)));
  }
  std::string out_;
};

class Reader {
 public:
  explicit Reader(std::string_view bytes) : rest_(bytes) {}

  uint8_t U8(const char* field) { return static_cast<uint8_t>(Fixed(1, field)); }
  uint16_t U16(const char* field) { return static_cast<uint16_t>(Fixed(2, field)); }
  uint32_t U32(const char* field) { return static_cast<uint32_t>(Fixed(4, field)); }
  uint64_t U64(const char* field) { return Fixed(8, field); }
  int32_t I32(const char* field) { return static_cast<int32_t>(U32(field)); }
  int64_t I64(const char* field) { return static_cast<int64_t>(Fixed(8, field)); }
  // A u16-prefixed string of at most `max` bytes.
  std::string_view Str16(const char* field, size_t max) { return Prefixed(U16(field), field, max); }
  // A u32-prefixed byte string of at most `max` bytes.
  std::string_view Str32(const char* field, size_t max) { return Prefixed(U32(field), field, max); }
  std::string_view Raw(size_t n, const char* field) {
    if (!Need(n, field)) return {};
    std::string_view v = rest_.substr(0, n);
    rest_.remove_prefix(n);
    return v;
  }

  // The first failure; an InvalidArgument set by the caller wins over later ones.
  void Invalid(std::string message) {
    if (status_.ok()) status_ = Status::InvalidArgument(std::move(message));
  }
  // Bytes that cannot be a message (a count the rest cannot hold).
  void Corrupt(std::string message) {
    if (status_.ok()) status_ = Status::Corruption(std::move(message));
  }
  bool ok() const { return status_.ok(); }
  size_t left() const { return rest_.size(); }
  // The outcome once the message is read: its bytes must all be used.
  Status Finish(const char* what) {
    if (status_.ok() && !rest_.empty()) {
      status_ = Status::Corruption(std::to_string(rest_.size()) + " bytes after the end of the " + what);
    }
    return status_;
  }

 private:
  bool Need(size_t n, const char* field) {
    if (!status_.ok()) return false;
    if (rest_.size() >= n) return true;
    status_ = Status::Corruption(std::string("truncated at ") + field + ": " + std::to_string(n) + " bytes needed, " +
                                 std::to_string(rest_.size()) + " left");
    return false;
  }
  uint64_t Fixed(size_t n, const char* field) {
    if (!Need(n, field)) return 0;
    uint64_t v = 0;
    for (size_t i = n; i > 0; --i) v = (v << 8) | static_cast<uint8_t>(rest_[i - 1]);
    rest_.remove_prefix(n);
    return v;
  }
  std::string_view Prefixed(uint64_t length, const char* field, size_t max) {
    if (!status_.ok()) return {};
    if (length > max) {
      status_ = Status::InvalidArgument(std::string(field) + " of " + std::to_string(length) +
                                        " bytes exceeds the limit of " + std::to_string(max));
      return {};
    }
    return Raw(static_cast<size_t>(length), field);
  }

  std::string_view rest_;
  Status status_;
};

void PutHeader(Writer& w, uint16_t kind) {
  w.U16(kPeerProtocolVersion);
  w.U16(kind);
}

// Reads and checks the version and kind every message starts with.
void ReadHeader(Reader& r, uint16_t kind, const char* what) {
  const uint16_t version = r.U16("version");
  const uint16_t got = r.U16("kind");
  if (!r.ok()) return;
  if (version != kPeerProtocolVersion) {
    r.Invalid("unsupported peer protocol version " + std::to_string(version) + " (this node speaks " +
              std::to_string(kPeerProtocolVersion) + ")");
  } else if (got != kind) {
    r.Invalid(std::string("message kind ") + std::to_string(got) + " where a " + what + " (kind " +
              std::to_string(kind) + ") belongs");
  }
}

void PutShardId(Writer& w, const ShardId& shard) {
  w.Str16(shard.account);
  w.Str16(shard.region);
  w.Str16(shard.stream);
  w.I64(shard.creation_ms);
  w.I32(shard.shard_index);
}

ShardId ReadShardId(Reader& r) {
  ShardId shard;
  shard.account = r.Str16("account", kMaxPeerNameBytes);
  shard.region = r.Str16("region", kMaxPeerNameBytes);
  shard.stream = r.Str16("stream", kMaxPeerNameBytes);
  shard.creation_ms = r.I64("creation_ms");
  shard.shard_index = r.I32("shard_index");
  if (r.ok() && shard.stream.empty()) r.Invalid("stream is empty");
  if (r.ok() && shard.shard_index < 0) r.Invalid("shard_index " + std::to_string(shard.shard_index) + " is negative");
  return shard;
}

void PutRecord(Writer& w, const FetchedRecord& record) {
  w.U64(record.offset);
  w.I64(record.arrival_ms);
  w.I64(record.leader_epoch);
  w.Str32(record.partition_key);
  w.Str32(record.data);
}

// Decodes the records section `section` (its checksum already verified).
Status ReadRecords(std::string_view section, uint32_t count, std::vector<FetchedRecord>* records) {
  // Each record takes at least kFetchRecordOverheadBytes: a count the
  // section cannot hold is refused before anything is reserved.
  if (count > section.size() / kFetchRecordOverheadBytes) {
    return Status::Corruption(std::to_string(count) + " records cannot fit in a records section of " +
                              std::to_string(section.size()) + " bytes");
  }
  records->reserve(count);
  Reader r(section);
  for (uint32_t i = 0; i < count && r.ok(); ++i) {
    FetchedRecord record;
    record.offset = r.U64("record offset");
    record.arrival_ms = r.I64("record arrival_ms");
    record.leader_epoch = r.I64("record leader_epoch");
    record.partition_key = r.Str32("record partition_key", kMaxFetchRecordsBytes);
    record.data = r.Str32("record data", kMaxFetchRecordsBytes);
    if (!r.ok()) break;
    if (!records->empty() && record.offset != records->back().offset + 1) {
      return Status::Corruption("record " + std::to_string(i) + " has offset " + std::to_string(record.offset) +
                                " after offset " + std::to_string(records->back().offset) +
                                ": records are not contiguous");
    }
    records->push_back(std::move(record));
  }
  return r.Finish("records section");
}

}  // namespace

Result<uint16_t> PeerMessageVersion(std::string_view bytes) {
  Reader r(bytes);
  const uint16_t version = r.U16("version");
  if (!r.ok()) return r.Finish("message");
  return version;
}

std::string EncodeFetchRequest(const FetchRequest& request) {
  Writer w;
  PutHeader(w, kFetchRequestKind);
  PutShardId(w, request.shard);
  w.Str16(request.follower);
  w.I64(request.leader_epoch);
  w.U64(request.fetch_offset);
  w.U64(request.durable_end);
  w.I64(request.last_fetched_epoch);
  w.U32(request.max_bytes);
  w.U32(request.max_wait_ms);
  return w.Take();
}

Result<FetchRequest> DecodeFetchRequest(std::string_view bytes) {
  Reader r(bytes);
  ReadHeader(r, kFetchRequestKind, "FetchRequest");
  FetchRequest request;
  request.shard = ReadShardId(r);
  request.follower = r.Str16("follower", kMaxPeerNameBytes);
  request.leader_epoch = r.I64("leader_epoch");
  request.fetch_offset = r.U64("fetch_offset");
  request.durable_end = r.U64("durable_end");
  request.last_fetched_epoch = r.I64("last_fetched_epoch");
  request.max_bytes = r.U32("max_bytes");
  request.max_wait_ms = r.U32("max_wait_ms");
  SLUICE_RETURN_IF_ERROR(r.Finish("FetchRequest"));
  if (request.follower.empty()) return Status::InvalidArgument("follower is empty");
  if (request.durable_end > request.fetch_offset) {
    return Status::InvalidArgument("durable_end " + std::to_string(request.durable_end) + " is past fetch_offset " +
                                   std::to_string(request.fetch_offset));
  }
  if (request.max_bytes > kMaxFetchMaxBytes) {
    return Status::InvalidArgument("max_bytes " + std::to_string(request.max_bytes) + " exceeds the limit of " +
                                   std::to_string(kMaxFetchMaxBytes));
  }
  if (request.max_wait_ms > kMaxFetchWaitMs) {
    return Status::InvalidArgument("max_wait_ms " + std::to_string(request.max_wait_ms) + " exceeds the limit of " +
                                   std::to_string(kMaxFetchWaitMs));
  }
  return request;
}

std::string EncodeFetchResponse(const FetchResponse& response) {
  Writer records;
  for (const FetchedRecord& record : response.records) PutRecord(records, record);
  const std::string section = records.Take();

  Writer w;
  PutHeader(w, kFetchResponseKind);
  w.U16(static_cast<uint16_t>(response.error));
  w.Str16(response.message.substr(0, kMaxPeerErrorMessageBytes));
  w.I64(response.leader_epoch);
  w.U64(response.high_watermark);
  w.U64(response.log_start_offset);
  w.U64(response.log_end_offset);
  w.U8(response.diverging_end.has_value() ? 1 : 0);
  if (response.diverging_end.has_value()) w.U64(*response.diverging_end);
  w.U32(static_cast<uint32_t>(response.records.size()));
  w.U32(static_cast<uint32_t>(section.size()));
  w.U32(crc32c::Value(section.data(), section.size()));
  w.Raw(section);
  return w.Take();
}

Result<FetchResponse> DecodeFetchResponse(std::string_view bytes) {
  Reader r(bytes);
  ReadHeader(r, kFetchResponseKind, "FetchResponse");
  FetchResponse response;
  const uint16_t error = r.U16("error");
  if (r.ok() && error > static_cast<uint16_t>(FetchError::kStorage)) {
    r.Invalid("unknown error code " + std::to_string(error));
  }
  response.error = static_cast<FetchError>(error);
  response.message = r.Str16("message", kMaxPeerErrorMessageBytes);
  response.leader_epoch = r.I64("leader_epoch");
  response.high_watermark = r.U64("high_watermark");
  response.log_start_offset = r.U64("log_start_offset");
  response.log_end_offset = r.U64("log_end_offset");
  const uint8_t has_diverging_end = r.U8("has_diverging_end");
  if (r.ok() && has_diverging_end > 1) {
    r.Invalid("has_diverging_end is " + std::to_string(has_diverging_end) + ", not 0 or 1");
  }
  if (has_diverging_end == 1) response.diverging_end = r.U64("diverging_end");
  const uint32_t count = r.U32("record_count");
  const uint32_t length = r.U32("records_length");
  const uint32_t crc = r.U32("records_crc");
  if (r.ok() && length > kMaxFetchRecordsBytes) {
    r.Invalid("records section of " + std::to_string(length) + " bytes exceeds the limit of " +
              std::to_string(kMaxFetchRecordsBytes));
  }
  const std::string_view section = r.Raw(r.ok() ? length : 0, "records");
  SLUICE_RETURN_IF_ERROR(r.Finish("FetchResponse"));
  const uint32_t actual = crc32c::Value(section.data(), section.size());
  if (actual != crc) {
    return Status::Corruption("records checksum mismatch: the message says " + std::to_string(crc) +
                              ", the records section's is " + std::to_string(actual));
  }
  SLUICE_RETURN_IF_ERROR(ReadRecords(section, count, &response.records));
  if (response.diverging_end.has_value() && !response.records.empty()) {
    return Status::InvalidArgument("a FetchResponse with diverging_end carries no records");
  }
  if (response.error != FetchError::kNone && !response.records.empty()) {
    return Status::InvalidArgument("a FetchResponse with an error carries no records");
  }
  return response;
}

namespace {

PutError ReadPutError(Reader& r, const char* field) {
  const uint16_t error = r.U16(field);
  if (r.ok() && error > static_cast<uint16_t>(PutError::kUnsupportedVersion)) {
    r.Invalid(std::string("unknown ") + field + " " + std::to_string(error));
  }
  return static_cast<PutError>(error);
}

// A count of items each at least `min_bytes` long that the bytes left cannot hold is refused
// before anything is reserved.
void CheckCount(Reader& r, uint32_t count, size_t limit, size_t min_bytes, const char* what) {
  if (!r.ok()) return;
  if (count > limit) {
    r.Invalid(std::string(what) + " count " + std::to_string(count) + " exceeds the limit of " + std::to_string(limit));
  } else if (count > r.left() / min_bytes) {
    r.Corrupt(std::to_string(count) + " " + what + " cannot fit in " + std::to_string(r.left()) + " bytes");
  }
}

}  // namespace

std::string EncodePutToShardRequest(const PutToShardRequest& request) {
  Writer w;
  PutHeader(w, kPutToShardRequestKind);
  PutShardId(w, request.shard);
  w.U32(static_cast<uint32_t>(request.records.size()));
  for (const PutToShardRecord& record : request.records) {
    w.Str32(record.partition_key);
    w.Str32(record.data);
  }
  return w.Take();
}

Result<PutToShardRequest> DecodePutToShardRequest(std::string_view bytes) {
  Reader r(bytes);
  ReadHeader(r, kPutToShardRequestKind, "PutToShardRequest");
  PutToShardRequest request;
  request.shard = ReadShardId(r);
  const uint32_t count = r.U32("record_count");
  CheckCount(r, count, kMaxPutToShardRecords, 8, "records");
  if (r.ok()) request.records.reserve(count);
  for (uint32_t i = 0; i < count && r.ok(); ++i) {
    PutToShardRecord record;
    record.partition_key = r.Str32("record partition_key", kMaxPutToShardRecordBytes);
    record.data = r.Str32("record data", kMaxPutToShardRecordBytes);
    request.records.push_back(std::move(record));
  }
  SLUICE_RETURN_IF_ERROR(r.Finish("PutToShardRequest"));
  if (request.records.empty()) return Status::InvalidArgument("a PutToShardRequest carries no records");
  return request;
}

std::string EncodePutToShardResponse(const PutToShardResponse& response) {
  Writer w;
  PutHeader(w, kPutToShardResponseKind);
  w.U16(static_cast<uint16_t>(response.error));
  w.Str16(response.message.substr(0, kMaxPeerErrorMessageBytes));
  w.U32(static_cast<uint32_t>(response.results.size()));
  for (const PutToShardResult& result : response.results) {
    w.U16(static_cast<uint16_t>(result.error));
    w.Str16(result.message.substr(0, kMaxPeerErrorMessageBytes));
    w.Str16(result.sequence_number);
    w.U8(result.encrypted ? 1 : 0);
  }
  return w.Take();
}

Result<PutToShardResponse> DecodePutToShardResponse(std::string_view bytes) {
  Reader r(bytes);
  ReadHeader(r, kPutToShardResponseKind, "PutToShardResponse");
  PutToShardResponse response;
  response.error = ReadPutError(r, "error");
  response.message = r.Str16("message", kMaxPeerErrorMessageBytes);
  const uint32_t count = r.U32("result_count");
  CheckCount(r, count, kMaxPutToShardRecords, 7, "results");
  if (r.ok()) response.results.reserve(count);
  for (uint32_t i = 0; i < count && r.ok(); ++i) {
    PutToShardResult result;
    result.error = ReadPutError(r, "result error");
    result.message = r.Str16("result message", kMaxPeerErrorMessageBytes);
    result.sequence_number = r.Str16("result sequence_number", 64);
    const uint8_t encrypted = r.U8("result encrypted");
    if (r.ok() && encrypted > 1) r.Invalid("result encrypted is " + std::to_string(encrypted) + ", not 0 or 1");
    result.encrypted = encrypted == 1;
    if (r.ok() && result.error == PutError::kNone && result.sequence_number.empty()) {
      r.Invalid("result " + std::to_string(i) + " is written but has no sequence number");
    }
    response.results.push_back(std::move(result));
  }
  SLUICE_RETURN_IF_ERROR(r.Finish("PutToShardResponse"));
  if (response.error != PutError::kNone && !response.results.empty()) {
    return Status::InvalidArgument("a PutToShardResponse with an error carries no results");
  }
  return response;
}

}  // namespace sluice::cluster
