#ifndef LEARNINGANALYTICS_CMALLOC_SHIM_H
#define LEARNINGANALYTICS_CMALLOC_SHIM_H
// The C library allocator's tuning (mallopt), which Swift's Glibc module does not export.
#include <stdlib.h>  // defines __GLIBC__ with the GNU C library
#if defined(__GLIBC__)
#include <malloc.h>
#endif

/// Keeps freed memory in the allocator's heaps for reuse (no trimming), serves blocks up to
/// 32 MB from those heaps rather than from fresh mappings, and grows them 16 MB at a time.
/// Does nothing outside glibc.
static inline void la_keep_freed_memory(void) {
#if defined(__GLIBC__)
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 0x7fffffff);
  mallopt(M_TOP_PAD, 16 << 20);
#endif
}
#endif
