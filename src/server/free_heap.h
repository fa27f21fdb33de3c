// Keeping freed heap memory for reuse, and giving it back after a burst
// (glibc malloc).
//
// The server's large buffers (request bodies, GetRecords answers) are
// megabytes each. glibc would mmap each one afresh and unmap it again, which
// halves GetRecords throughput, so KeepFreeHeap keeps them on the heap and
// keeps freed space for the next one. The price is that a burst (a hundred
// stalled 16 MB bodies) leaves the heap large. ReturnFreeHeap gives that
// space back:
//  - malloc_trim(0) returns the free pages inside every arena and the free
//    top of the main heap;
//  - but not the free top of a thread's heap (each event loop allocates in
//    an arena of its own), which glibc trims only inside free(), and only
//    when it is above M_TRIM_THRESHOLD. So ReturnFreeHeap drops the
//    threshold for one free of a block of the calling thread's arena, which
//    trims that arena's top, and restores it. Each loop thread calls it for
//    its own arena.
//
// Threading: KeepFreeHeap once at start, before other threads allocate.
// ReturnFreeHeap from any thread (serialised inside); it walks every arena,
// so it is for the end of a burst, not for every request.
#pragma once

#include <cstddef>

namespace sluice::server {

// Buffers below `bytes` come from the heap, and a heap's free top goes back
// to the OS only once it is above `bytes` (M_MMAP_THRESHOLD and
// M_TRIM_THRESHOLD).
void KeepFreeHeap(size_t bytes);

// Returns the heap's free pages to the OS, the calling thread's arena's top
// included (see above). Without KeepFreeHeap, only malloc_trim(0) (glibc's
// default threshold already trims tops as they are freed).
void ReturnFreeHeap();

}  // namespace sluice::server
