#ifndef LEARNINGANALYTICS_CSIMD_SHIM_H
#define LEARNINGANALYTICS_CSIMD_SHIM_H
// Vector operations that Swift's SIMD types do not compile to single instructions. Swift
// imports a 16-byte vector of doubles as SIMD2<Double>, and these inline functions inline.
//
// la_sqrt2: both square roots in one instruction (SSE2 `sqrtpd`, NEON `fsqrt`). Swift's
// `SIMD2<Double>.squareRoot()` takes the square roots one lane at a time, each behind a test
// for a negative argument and a call of the C library's `sqrt` that sets errno.
#if defined(__SSE2__)
#include <emmintrin.h>
typedef __m128d la_double2;
static inline la_double2 la_sqrt2(la_double2 x) { return _mm_sqrt_pd(x); }
#elif defined(__ARM_NEON)
#include <arm_neon.h>
typedef float64x2_t la_double2;
static inline la_double2 la_sqrt2(la_double2 x) { return vsqrtq_f64(x); }
#else
#include <math.h>
typedef double la_double2 __attribute__((__vector_size__(16)));
static inline la_double2 la_sqrt2(la_double2 x) {
  la_double2 r = {__builtin_sqrt(x[0]), __builtin_sqrt(x[1])};
  return r;
}
#endif
#endif
