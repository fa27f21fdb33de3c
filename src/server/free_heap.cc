#include "server/free_heap.h"

#include <malloc.h>

#include <atomic>
#include <cstdlib>
#include <mutex>

namespace sluice::server {
namespace {

std::atomic<size_t> g_keep{0};  // KeepFreeHeap's `bytes`; 0: glibc's defaults
std::mutex g_trim_mu;           // one lowered threshold at a time

// glibc trims a thread heap's top when a free leaves a chunk of at least
// this size (FASTBIN_CONSOLIDATION_THRESHOLD); the block freed here is larger.
constexpr size_t kPokeBytes = 128 << 10;

}  // namespace

void KeepFreeHeap(size_t bytes) {
  mallopt(M_MMAP_THRESHOLD, static_cast<int>(bytes));
  mallopt(M_TRIM_THRESHOLD, static_cast<int>(bytes));
  g_keep.store(bytes, std::memory_order_relaxed);
}

void ReturnFreeHeap() {
  malloc_trim(0);
  size_t keep = g_keep.load(std::memory_order_relaxed);
  if (keep == 0) return;
  std::lock_guard lock(g_trim_mu);
  mallopt(M_TRIM_THRESHOLD, 0);
  void* block = std::malloc(kPokeBytes);
  // The compiler may not drop the pair: the free is what trims.
  asm volatile("" : : "r"(block) : "memory");
  std::free(block);
  mallopt(M_TRIM_THRESHOLD, static_cast<int>(keep));
}

}  // namespace sluice::server
