// Serialised Kinesis JSON 1.1 requests for the load generator.
//
// Every request is a complete HTTP/1.1 message (head and body) in one
// string, built once before a timed phase and then sent as is. The headers
// are those every AWS SDK sends; the Authorization header is a well-formed
// but unsigned placeholder (servers under test do not verify signatures, but
// some require the header to exist).
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::bench {

// Appends a POST of `body` for operation `op` (e.g. "PutRecords") to *out.
void AppendHttpRequest(std::string* out, std::string_view host_header, std::string_view op, std::string_view body);
std::string HttpRequest(std::string_view host_header, std::string_view op, std::string_view body);

// `s` as a JSON string literal (with quotes), escaping what JSON requires.
std::string JsonQuote(std::string_view s);

// Pre-generated random partition keys (16 hex digits each), reproducible
// for a given seed.
std::vector<std::string> MakePartitionKeys(size_t count, uint64_t seed);

// Random bytes of the given size, reproducible for a given seed.
std::string MakeRandomData(size_t size, uint64_t seed);

// Bodies. `data_b64` is already base64.
std::string CreateStreamBody(std::string_view stream, int shards);
std::string StreamNameBody(std::string_view stream);  // Describe*/DeleteStream
std::string GetShardIteratorBody(std::string_view stream, std::string_view shard_id, std::string_view type);
// Appends {"ShardIterator":...,"Limit":limit} to *out.
void AppendGetRecordsBody(std::string* out, std::string_view iterator, int limit);
std::string PutRecordBody(std::string_view stream, std::string_view data_b64, std::string_view partition_key);
// One PutRecords body with `count` entries of the same data, partition keys
// taken in turn from keys[first_key...] (wrapping).
std::string PutRecordsBody(std::string_view stream, std::string_view data_b64, const std::vector<std::string>& keys,
                           size_t first_key, size_t count);

// One PutRecords body with one record of `data_b64` for each of
// hash_keys[first...first+count), sent as its ExplicitHashKey (so that each
// lands on the shard whose range starts there).
std::string PutRecordsToHashKeysBody(std::string_view stream, std::string_view data_b64,
                                     const std::vector<std::string>& hash_keys, size_t first, size_t count);

std::string RegisterStreamConsumerBody(std::string_view stream_arn, std::string_view consumer_name);
// {"ConsumerARN":...,"ShardId":...,"StartingPosition":{"Type":"LATEST"}}
std::string SubscribeToShardBody(std::string_view consumer_arn, std::string_view shard_id);

// The Kinesis shard id of index i on a freshly created stream.
std::string ShardIdOf(int index);

}  // namespace sluice::bench
