// Feeds arbitrary bytes to the event-stream decoder, whole and in chunks.
// Checks that:
//   - chunking never changes the outcome (same messages, same error);
//   - every decoded message re-encodes to exactly the bytes it came from
//     (the format has one encoding per message), and decodes back equal;
//   - on success, the decoded messages plus the buffered tail account for
//     every input byte.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include <zlib.h>

#include "protocol/event_stream.h"

using sluice::Status;
using sluice::protocol::EncodeMessage;
using sluice::protocol::EventStreamDecoder;
using sluice::protocol::EventStreamMessage;
using sluice::protocol::kEventStreamOverheadBytes;
using sluice::protocol::kEventStreamPreludeBytes;

namespace {

uint32_t LoadBe32(const char* p) {
  return uint32_t{static_cast<uint8_t>(p[0])} << 24 | uint32_t{static_cast<uint8_t>(p[1])} << 16 |
         uint32_t{static_cast<uint8_t>(p[2])} << 8 | uint32_t{static_cast<uint8_t>(p[3])};
}

void StoreBe32(char* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<char>(v >> (8 * (3 - i)));
}

uint32_t Crc(const char* p, size_t n) {
  return static_cast<uint32_t>(crc32(0, reinterpret_cast<const Bytef*>(p), static_cast<uInt>(n)));
}

// Rewrites both CRCs of every message whose length fits, so the fuzzer
// reaches the length checks and the header parser instead of stopping at
// checksum mismatches.
void FixCrcs(std::string* bytes) {
  size_t pos = 0;
  while (bytes->size() - pos >= kEventStreamPreludeBytes) {
    char* p = bytes->data() + pos;
    StoreBe32(p + 8, Crc(p, 8));
    uint32_t total = LoadBe32(p);
    if (total < kEventStreamOverheadBytes || total > bytes->size() - pos) return;
    StoreBe32(p + total - 4, Crc(p, total - 4));
    pos += total;
  }
}

struct Outcome {
  std::vector<EventStreamMessage> messages;
  Status status;
  size_t buffered = 0;
};

// Feeds `input` in chunks whose sizes come from `seed` (0 = all at once).
Outcome Decode(std::string_view input, uint32_t seed) {
  Outcome o;
  EventStreamDecoder decoder;
  size_t pos = 0;
  uint32_t x = seed;
  while (pos < input.size() && o.status.ok()) {
    size_t n = input.size() - pos;
    if (seed != 0) {
      x ^= x << 13;
      x ^= x >> 17;
      x ^= x << 5;
      n = std::min<size_t>(n, x % 40);  // includes empty chunks
    }
    o.status = decoder.Feed(input.substr(pos, n), &o.messages);
    pos += n;
  }
  if (o.status.ok()) o.status = decoder.Feed({}, &o.messages);
  if (decoder.failed() != !o.status.ok()) abort();
  o.buffered = decoder.buffered_bytes();
  return o;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  // The first byte picks the mode: bit 0 = checksums fixed up; the rest seeds
  // the chunk sizes.
  std::string bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (data[0] & 1) FixCrcs(&bytes);
  uint32_t seed = (data[0] >> 1) + 1;

  Outcome whole = Decode(bytes, 0);
  Outcome chunked = Decode(bytes, seed);
  if (whole.messages != chunked.messages) abort();
  if (whole.status.code() != chunked.status.code() || whole.status.message() != chunked.status.message()) abort();
  if (whole.status.ok() && whole.buffered != chunked.buffered) abort();

  std::string reencoded;
  for (const EventStreamMessage& m : whole.messages) {
    if (!EncodeMessage(m.headers, m.payload, &reencoded).ok()) abort();
  }
  if (std::string_view(bytes).substr(0, reencoded.size()) != reencoded) abort();
  if (whole.status.ok() && reencoded.size() + whole.buffered != bytes.size()) abort();

  Outcome again = Decode(reencoded, 0);
  if (!again.status.ok() || again.buffered != 0 || again.messages != whole.messages) abort();
  return 0;
}
