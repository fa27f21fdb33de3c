#include "api/paging.h"

#include <cstring>

#include "util/base64.h"
#include "util/crc32c.h"

namespace sluice::api {
namespace {

constexpr char kShardsTag = 'S';
constexpr char kStreamsTag = 'N';
constexpr char kConsumersTag = 'C';
constexpr char kChannelsTag = 'H';

class TokenWriter {
 public:
  explicit TokenWriter(char tag) { raw_.push_back(tag); }
  void Field(std::string_view s) {
    Int(static_cast<int64_t>(s.size()));
    raw_.append(s);
  }
  void Int(int64_t v) {
    for (int i = 0; i < 8; ++i) raw_.push_back(static_cast<char>((static_cast<uint64_t>(v) >> (8 * i)) & 0xff));
  }
  std::string Finish() {
    uint32_t crc = crc32c::Value(raw_.data(), raw_.size());
    for (int i = 0; i < 4; ++i) raw_.push_back(static_cast<char>((crc >> (8 * i)) & 0xff));
    return base64::Encode(raw_);
  }

 private:
  std::string raw_;
};

class TokenReader {
 public:
  // Decodes and checks the envelope; ok() is false when malformed.
  TokenReader(std::string_view token, char tag) {
    if (!base64::Decode(token, &raw_) || raw_.size() < 5 || raw_[0] != tag) return;
    uint32_t stored = 0;
    for (int i = 0; i < 4; ++i) stored |= uint32_t{static_cast<uint8_t>(raw_[raw_.size() - 4 + i])} << (8 * i);
    raw_.resize(raw_.size() - 4);
    if (crc32c::Value(raw_.data(), raw_.size()) != stored) return;
    pos_ = 1;
    ok_ = true;
  }
  bool Int(int64_t* v) {
    if (!ok_ || raw_.size() - pos_ < 8) return ok_ = false;
    uint64_t u = 0;
    for (int i = 0; i < 8; ++i) u |= uint64_t{static_cast<uint8_t>(raw_[pos_ + i])} << (8 * i);
    pos_ += 8;
    *v = static_cast<int64_t>(u);
    return true;
  }
  bool Field(std::string* s) {
    int64_t n = 0;
    if (!Int(&n) || n < 0 || static_cast<uint64_t>(n) > raw_.size() - pos_) return ok_ = false;
    s->assign(raw_, pos_, static_cast<size_t>(n));
    pos_ += static_cast<size_t>(n);
    return true;
  }
  bool AtEnd() const { return ok_ && pos_ == raw_.size(); }

 private:
  std::string raw_;
  size_t pos_ = 0;
  bool ok_ = false;
};

Status InvalidToken() { return Status::InvalidArgument("Invalid NextToken."); }

Status CheckAge(int64_t issued_ms, int64_t now_ms) {
  if (now_ms - issued_ms > kNextTokenTtlMs) {
    return Status::ExpiredNextToken("The NextToken has expired. A NextToken is valid for 300 seconds.");
  }
  return Status::Ok();
}

// The token of a list sorted by name (ListStreams under `kStreamsTag`,
// ListChannels under `kChannelsTag`): the tag, the last name returned, the
// issue time.
std::string EncodeNameToken(char tag, std::string_view last_name, int64_t issued_ms) {
  TokenWriter w(tag);
  w.Field(last_name);
  w.Int(issued_ms);
  return w.Finish();
}

Status DecodeNameToken(std::string_view token, char tag, int64_t now_ms, std::string* last_name, int64_t* issued_ms) {
  TokenReader r(token, tag);
  if (!(r.Field(last_name) && r.Int(issued_ms) && r.AtEnd())) return InvalidToken();
  return CheckAge(*issued_ms, now_ms);
}

}  // namespace

std::string EncodeListShardsToken(const ListShardsToken& t) {
  TokenWriter w(kShardsTag);
  w.Field(t.stream.account);
  w.Field(t.stream.region);
  w.Field(t.stream.name);
  w.Int(t.stream_creation_ms ? 1 : 0);
  w.Int(t.stream_creation_ms.value_or(0));
  w.Int(static_cast<int64_t>(t.filter.type));
  w.Field(t.filter.shard_id);
  w.Int(t.filter.timestamp_ms);
  w.Field(t.last_shard_id);
  w.Int(t.issued_ms);
  return w.Finish();
}

Result<ListShardsToken> DecodeListShardsToken(std::string_view token, int64_t now_ms) {
  TokenReader r(token, kShardsTag);
  ListShardsToken t;
  int64_t has_creation = 0, creation = 0, type = 0;
  bool ok = r.Field(&t.stream.account) && r.Field(&t.stream.region) && r.Field(&t.stream.name) &&
            r.Int(&has_creation) && r.Int(&creation) && r.Int(&type) && r.Field(&t.filter.shard_id) &&
            r.Int(&t.filter.timestamp_ms) && r.Field(&t.last_shard_id) && r.Int(&t.issued_ms) && r.AtEnd();
  if (!ok || type < 0 || type > static_cast<int64_t>(engine::ShardFilter::Type::kFromTimestamp)) return InvalidToken();
  if (has_creation) t.stream_creation_ms = creation;
  t.filter.type = static_cast<engine::ShardFilter::Type>(type);
  SLUICE_RETURN_IF_ERROR(CheckAge(t.issued_ms, now_ms));
  return t;
}

std::string EncodeListStreamsToken(const ListStreamsToken& t) {
  return EncodeNameToken(kStreamsTag, t.last_stream_name, t.issued_ms);
}

Result<ListStreamsToken> DecodeListStreamsToken(std::string_view token, int64_t now_ms) {
  ListStreamsToken t;
  SLUICE_RETURN_IF_ERROR(DecodeNameToken(token, kStreamsTag, now_ms, &t.last_stream_name, &t.issued_ms));
  return t;
}

std::string EncodeListStreamConsumersToken(const ListStreamConsumersToken& t) {
  TokenWriter w(kConsumersTag);
  w.Field(t.stream.account);
  w.Field(t.stream.region);
  w.Field(t.stream.name);
  w.Int(t.stream_creation_ms ? 1 : 0);
  w.Int(t.stream_creation_ms.value_or(0));
  w.Int(t.last_creation_ms);
  w.Field(t.last_consumer_name);
  w.Int(t.issued_ms);
  return w.Finish();
}

Result<ListStreamConsumersToken> DecodeListStreamConsumersToken(std::string_view token, int64_t now_ms) {
  TokenReader r(token, kConsumersTag);
  ListStreamConsumersToken t;
  int64_t has_creation = 0, creation = 0;
  bool ok = r.Field(&t.stream.account) && r.Field(&t.stream.region) && r.Field(&t.stream.name) &&
            r.Int(&has_creation) && r.Int(&creation) && r.Int(&t.last_creation_ms) && r.Field(&t.last_consumer_name) &&
            r.Int(&t.issued_ms) && r.AtEnd();
  if (!ok) return InvalidToken();
  if (has_creation) t.stream_creation_ms = creation;
  SLUICE_RETURN_IF_ERROR(CheckAge(t.issued_ms, now_ms));
  return t;
}

std::string EncodeListChannelsToken(const ListChannelsToken& t) {
  return EncodeNameToken(kChannelsTag, t.last_channel_name, t.issued_ms);
}

Result<ListChannelsToken> DecodeListChannelsToken(std::string_view token, int64_t now_ms) {
  ListChannelsToken t;
  SLUICE_RETURN_IF_ERROR(DecodeNameToken(token, kChannelsTag, now_ms, &t.last_channel_name, &t.issued_ms));
  return t;
}

}  // namespace sluice::api
