#include "bench/requests.h"

#include <cstdio>

namespace sluice::bench {

void AppendHttpRequest(std::string* out, std::string_view host_header, std::string_view op, std::string_view body) {
  out->append("POST / HTTP/1.1\r\nHost: ");
  out->append(host_header);
  out->append(
      "\r\nContent-Type: application/x-amz-json-1.1\r\n"
      "X-Amz-Target: Kinesis_20131202.");
  out->append(op);
  out->append(
      "\r\nX-Amz-Date: 20260101T000000Z\r\n"
      "Authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/kinesis/"
      "aws4_request, SignedHeaders=host;x-amz-date, Signature=0000\r\n"
      "Content-Length: ");
  char len[24];
  int n = std::snprintf(len, sizeof(len), "%zu", body.size());
  out->append(len, static_cast<size_t>(n));
  out->append("\r\n\r\n");
  out->append(body);
}

std::string HttpRequest(std::string_view host_header, std::string_view op, std::string_view body) {
  std::string out;
  out.reserve(body.size() + 512);
  AppendHttpRequest(&out, host_header, op, body);
  return out;
}

std::string JsonQuote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\u%04x", c);
      out.append(buf);
    } else {
      out.push_back(c);
    }
  }
  out.push_back('"');
  return out;
}

std::vector<std::string> MakePartitionKeys(size_t count, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<std::string> keys;
  keys.reserve(count);
  for (size_t i = 0; i < count; ++i) {
    char buf[24];
    std::snprintf(buf, sizeof(buf), "%016llx", static_cast<unsigned long long>(rng()));
    keys.emplace_back(buf);
  }
  return keys;
}

std::string MakeRandomData(size_t size, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::string data(size, '\0');
  for (size_t i = 0; i < size; ++i) data[i] = static_cast<char>(rng() & 0xff);
  return data;
}

std::string CreateStreamBody(std::string_view stream, int shards) {
  return "{\"StreamName\":" + JsonQuote(stream) + ",\"ShardCount\":" + std::to_string(shards) + "}";
}

std::string StreamNameBody(std::string_view stream) { return "{\"StreamName\":" + JsonQuote(stream) + "}"; }

std::string GetShardIteratorBody(std::string_view stream, std::string_view shard_id, std::string_view type) {
  return "{\"StreamName\":" + JsonQuote(stream) + ",\"ShardId\":" + JsonQuote(shard_id) +
         ",\"ShardIteratorType\":" + JsonQuote(type) + "}";
}

void AppendGetRecordsBody(std::string* out, std::string_view iterator, int limit) {
  // Iterators are opaque but printable; quote defensively anyway.
  out->append("{\"ShardIterator\":");
  bool plain = true;
  for (char c : iterator) {
    if (c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20) plain = false;
  }
  if (plain) {
    out->push_back('"');
    out->append(iterator);
    out->push_back('"');
  } else {
    out->append(JsonQuote(iterator));
  }
  out->append(",\"Limit\":");
  out->append(std::to_string(limit));
  out->push_back('}');
}

std::string PutRecordBody(std::string_view stream, std::string_view data_b64, std::string_view partition_key) {
  std::string out = "{\"StreamName\":" + JsonQuote(stream) + ",\"Data\":\"";
  out.append(data_b64);
  out.append("\",\"PartitionKey\":");
  out.append(JsonQuote(partition_key));
  out.push_back('}');
  return out;
}

std::string PutRecordsBody(std::string_view stream, std::string_view data_b64, const std::vector<std::string>& keys,
                           size_t first_key, size_t count) {
  std::string out;
  out.reserve(64 + count * (data_b64.size() + 64));
  out.append("{\"StreamName\":");
  out.append(JsonQuote(stream));
  out.append(",\"Records\":[");
  for (size_t i = 0; i < count; ++i) {
    if (i) out.push_back(',');
    out.append("{\"Data\":\"");
    out.append(data_b64);
    out.append("\",\"PartitionKey\":");
    out.append(JsonQuote(keys[(first_key + i) % keys.size()]));
    out.push_back('}');
  }
  out.append("]}");
  return out;
}

std::string PutRecordsToHashKeysBody(std::string_view stream, std::string_view data_b64,
                                     const std::vector<std::string>& hash_keys, size_t first, size_t count) {
  std::string out = "{\"StreamName\":" + JsonQuote(stream) + ",\"Records\":[";
  for (size_t i = first; i < first + count; ++i) {
    if (i > first) out.push_back(',');
    out.append("{\"Data\":\"");
    out.append(data_b64);
    out.append("\",\"PartitionKey\":\"k\",\"ExplicitHashKey\":");
    out.append(JsonQuote(hash_keys[i]));
    out.push_back('}');
  }
  out.append("]}");
  return out;
}

std::string RegisterStreamConsumerBody(std::string_view stream_arn, std::string_view consumer_name) {
  return "{\"StreamARN\":" + JsonQuote(stream_arn) + ",\"ConsumerName\":" + JsonQuote(consumer_name) + "}";
}

std::string SubscribeToShardBody(std::string_view consumer_arn, std::string_view shard_id) {
  return "{\"ConsumerARN\":" + JsonQuote(consumer_arn) + ",\"ShardId\":" + JsonQuote(shard_id) +
         ",\"StartingPosition\":{\"Type\":\"LATEST\"}}";
}

std::string ShardIdOf(int index) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "shardId-%012d", index);
  return buf;
}

}  // namespace sluice::bench
