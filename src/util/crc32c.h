// CRC-32C (Castagnoli), used to checksum storage batches. Uses the SSE4.2
// crc32 instruction when the CPU has it, a slicing table otherwise.
#pragma once

#include <cstddef>
#include <cstdint>

namespace sluice::crc32c {

// Extends `crc` (0 for a fresh checksum) with `n` bytes at `data`.
uint32_t Extend(uint32_t crc, const void* data, size_t n);

inline uint32_t Value(const void* data, size_t n) { return Extend(0, data, n); }

}  // namespace sluice::crc32c
