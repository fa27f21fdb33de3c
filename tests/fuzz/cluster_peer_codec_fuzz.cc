// Feeds arbitrary bytes to the peer protocol's decoders (a peer's request or
// answer body): they must reject garbage with a status, never crash, over-read
// or allocate beyond the limits; what they accept must encode back to the
// same bytes (the encoding is canonical).
#include <cstddef>
#include <cstdint>
#include <string>

#include "cluster/peer_codec.h"
#include "util/crc32c.h"

using namespace sluice::cluster;

namespace {

// Where a FetchResponse without diverging_end has its records CRC and
// section (docs/cluster-protocol.md): rewriting the CRC there lets the fuzzer
// reach the record decoder instead of stopping at checksum mismatches.
constexpr size_t kFixedHeaderBytes = 41;

void FixRecordsCrc(std::string* bytes) {
  if (bytes->size() < 6) return;
  const size_t message = static_cast<uint8_t>((*bytes)[6]) | static_cast<uint8_t>((*bytes)[7]) << 8;
  const size_t crc_at = kFixedHeaderBytes + message + 8;
  if (bytes->size() < crc_at + 4) return;
  const uint32_t crc = sluice::crc32c::Value(bytes->data() + crc_at + 4, bytes->size() - crc_at - 4);
  for (int i = 0; i < 4; ++i) (*bytes)[crc_at + i] = static_cast<char>(crc >> (8 * i));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  // The first byte picks the mode: odd = the records checksum fixed up.
  std::string bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (data[0] & 1) FixRecordsCrc(&bytes);

  (void)PeerMessageVersion(bytes);
  auto request = DecodeFetchRequest(bytes);
  if (request.ok() && EncodeFetchRequest(*request) != bytes) __builtin_trap();
  auto response = DecodeFetchResponse(bytes);
  if (response.ok() && EncodeFetchResponse(*response) != bytes) __builtin_trap();
  return 0;
}
