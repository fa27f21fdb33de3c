#include "channels/compression.h"

#include <zlib.h>
#include <zstd.h>

#include <string>

namespace sluice::channels {
namespace {

Result<std::string> Gzip(std::string_view data) {
  z_stream z{};
  // 15 window bits + 16: a gzip header and trailer rather than zlib's.
  if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    return Status::IoError("gzip: cannot initialise zlib");
  }
  std::string out(deflateBound(&z, data.size()), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  if (rc != Z_STREAM_END) return Status::IoError("gzip: deflate failed (" + std::to_string(rc) + ")");
  return out;
}

Result<std::string> Zstd(std::string_view data) {
  std::string out(ZSTD_compressBound(data.size()), '\0');
  const size_t n = ZSTD_compress(out.data(), out.size(), data.data(), data.size(), 3);
  if (ZSTD_isError(n)) return Status::IoError(std::string("zstd: ") + ZSTD_getErrorName(n));
  out.resize(n);
  return out;
}

}  // namespace

Compression ParseCompression(std::string_view name) {
  if (name == "GZIP") return Compression::kGzip;
  if (name == "ZSTD") return Compression::kZstd;
  return Compression::kNone;
}

const char* ContentEncoding(Compression c) {
  switch (c) {
    case Compression::kGzip: return "gzip";
    case Compression::kZstd: return "zstd";
    case Compression::kNone: break;
  }
  return "";
}

const char* CompressedExtension(Compression c) {
  switch (c) {
    case Compression::kGzip: return ".gz";
    case Compression::kZstd: return ".zst";
    case Compression::kNone: break;
  }
  return "";
}

Result<std::string> Compress(Compression c, std::string_view data) {
  switch (c) {
    case Compression::kGzip: return Gzip(data);
    case Compression::kZstd: return Zstd(data);
    case Compression::kNone: break;
  }
  return std::string(data);
}

}  // namespace sluice::channels
