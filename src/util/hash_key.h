// 128-bit hash keys: the Kinesis hash key space [0, 2^128 - 1].
#pragma once

#include <string>
#include <string_view>

#include "util/status.h"

namespace sluice {

using HashKey = unsigned __int128;

constexpr HashKey kMaxHashKey = ~HashKey{0};

// Decimal string of `key` ("0" .. "340282366920938463463374607431768211455").
std::string HashKeyToString(HashKey key);

// Parses a decimal string of digits only. InvalidArgument when empty, when a
// non-digit appears, or when the value is >= 2^128 (overflow).
Result<HashKey> ParseHashKey(std::string_view digits);

// The Kinesis routing key of a partition key: MD5 of its UTF-8 bytes read as
// an unsigned big-endian 128-bit integer.
HashKey HashKeyForPartitionKey(std::string_view partition_key);

}  // namespace sluice
