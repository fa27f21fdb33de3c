// The CompressionType of a channel's S3 destination, applied to each
// delivered object whole: NONE, GZIP (zlib, a gzip member with its header
// and CRC-32, level 6) or ZSTD (libzstd, one frame with its content size,
// level 3). Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "util/status.h"

namespace sluice::channels {

enum class Compression { kNone, kGzip, kZstd };

// "NONE" | "GZIP" | "ZSTD"; anything else reads as kNone.
Compression ParseCompression(std::string_view name);
// The object's Content-Encoding: "" | "gzip" | "zstd".
const char* ContentEncoding(Compression c);
// The suffix delivered keys end with: "" | ".gz" | ".zst".
const char* CompressedExtension(Compression c);

// `data` compressed as `c` says (a copy for kNone). IoError when the
// library fails (out of memory).
Result<std::string> Compress(Compression c, std::string_view data);

}  // namespace sluice::channels
