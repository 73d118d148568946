#ifndef LEARNINGANALYTICS_CMALLOC_SHIM_H
#define LEARNINGANALYTICS_CMALLOC_SHIM_H
// The C library allocator's tuning (mallopt), which Swift's Glibc module does not export.
#include <stdint.h>
#include <stdlib.h>  // defines __GLIBC__ with the GNU C library
#if defined(__GLIBC__)
#include <malloc.h>
#include <sys/mman.h>
#endif

/// Keeps freed memory in the allocator's heaps for reuse (no trimming), serves blocks up to
/// 32 MB from the heaps rather than from fresh mappings, and grows the main heap 16 MB at a
/// time. The main heap's first 256 MB are reserved at once (address space only) and marked for
/// transparent huge pages, so that the main thread's large arrays fault in 2 MB at a time
/// instead of 4 KB. Does nothing outside glibc.
static inline void la_keep_freed_memory(void) {
#if defined(__GLIBC__)
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 0x7fffffff);
  mallopt(M_TOP_PAD, 16 << 20);
  enum { blockSize = 16 << 20, blockCount = 16 };
  void *blocks[blockCount];
  uintptr_t low = UINTPTR_MAX, high = 0;
  for (int i = 0; i < blockCount; i++) {
    blocks[i] = malloc(blockSize);
    uintptr_t p = (uintptr_t)blocks[i];
    if (p && p < low) low = p;
    if (p && p + blockSize > high) high = p + blockSize;
  }
  const uintptr_t huge = 2u << 20;
  uintptr_t start = (low + huge - 1) & ~(huge - 1);
  uintptr_t end = high & ~(huge - 1);
  if (high > low && end > start) madvise((void *)start, end - start, MADV_HUGEPAGE);
  for (int i = 0; i < blockCount; i++) free(blocks[i]);
#endif
}
#endif
