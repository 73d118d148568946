// Numerical inner loops of the Clustering module (see include/la_kernels.h).
//
// Rows go four at a time through the lanes of a 32-byte vector of doubles. On x86-64 each
// kernel is compiled twice, for x86-64-v3 (AVX2 and FMA: one ymm register per vector) and for
// the SSE2 baseline (two xmm registers), and the loader picks one (an ifunc through
// `target_clones`). Each lane does the same operations in the same order in both. The
// compiler may not contract a multiplication and an addition on its own; the kernels write
// their fused multiply-adds out (fma4), which the baseline build computes with the C
// library's exactly rounded `fma`, so the results are the same bits on every machine (the
// baseline is slower). A last, partial block of rows is copied into a zero-padded buffer and
// goes through the same code.
#include "la_kernels.h"

#include <float.h>
#include <math.h>
#include <string.h>

#pragma STDC FP_CONTRACT OFF
#pragma clang fp contract(off)

#if defined(LA_CLONES)
// Defined on the command line (tests of one build alone).
#elif defined(__x86_64__) && defined(__clang__) && defined(__linux__)
#define LA_CLONES __attribute__((target_clones("arch=x86-64-v3", "default")))
#else
#define LA_CLONES
#endif

#define LANES 4
typedef double v4 __attribute__((vector_size(32)));
typedef long long v4i __attribute__((vector_size(32)));

// Helpers are macros or take pointers: a 32-byte vector passed by value would need the AVX
// calling convention, which the baseline build does not have.
#define LA_LOAD(T, p)             \
  ({                              \
    T v_;                         \
    memcpy(&v_, (p), sizeof v_);  \
    v_;                           \
  })
#define LA_STORE(T, p, v)         \
  do {                            \
    T s_ = (v);                   \
    memcpy((p), &s_, sizeof s_);  \
  } while (0)
/// `mask ? a : b` lane by lane (`mask` lanes are all ones or all zeros).
#define LA_SELECT(T, TI, mask, a, b) ((T)((((TI)(a)) & (mask)) | (((TI)(b)) & ~(mask))))
#define load4(p) LA_LOAD(v4, p)
#define store4(p, v) LA_STORE(v4, p, v)
#define splat(s) ((v4){(s), (s), (s), (s)})
#define select4(mask, a, b) LA_SELECT(v4, v4i, mask, a, b)
#define sqrt4(v) __builtin_elementwise_sqrt(v)
/// `a·b + c` with one rounding, lane by lane: an FMA instruction where the processor has one
/// (the x86-64-v3 build, other targets), else the C library's exactly rounded `fma` (the SSE2
/// baseline): the same bits either way.
#define fma4(a, b, c) __builtin_elementwise_fma((a), (b), (c))
/// Eight lanes: two AVX2 registers (four SSE2 ones) whose operations the compiler interleaves,
/// for kernels whose long dependency chains would otherwise leave the units idle. Each lane
/// does the same operations as with four lanes, so the results are the same bits.
typedef double v8 __attribute__((vector_size(64)));
typedef long long v8i __attribute__((vector_size(64)));
#define load8(p) LA_LOAD(v8, p)
#define store8(p, v) LA_STORE(v8, p, v)
#define splat8(s) ((v8){(s), (s), (s), (s), (s), (s), (s), (s)})
#define select8(mask, a, b) LA_SELECT(v8, v8i, mask, a, b)
#define LA_INLINE static inline __attribute__((always_inline))

/// exp for lanes in [−708, 709]: n = round(x / ln 2), r = x − n ln 2 (Cody and Waite's two
/// parts of ln 2, so that n·ln2Hi is exact), exp(r) by its Taylor polynomial of degree 13
/// (|r| ≤ 0.347: truncation below 2⁻⁵⁷), scaled by 2ⁿ built in the exponent bits.
LA_INLINE void exp4(v4 *value) {
  v4 x = *value;
  const double shifter = 0x1.8p52;
  v4 kd = fma4(x, splat(0x1.71547652b82fep0), splat(shifter));
  v4i ki = (v4i)kd - (v4i)splat(shifter);
  kd = kd - splat(shifter);
  v4 r = fma4(-kd, splat(6.93147180369123816490e-01), x);
  r = fma4(-kd, splat(1.90821492927058770002e-10), r);
  // r + r²·(c₂ + c₃r) + r⁴·(…) + r⁸·(…) by Estrin's scheme (cₖ = 1/k!): a short dependency
  // chain, so that the exponentials of several lanes and components overlap.
  v4 r2 = r * r;
  v4 r4 = r2 * r2;
  v4 r8 = r4 * r4;
  v4 p23 = fma4(splat(1.0 / 6.0), r, splat(1.0 / 2.0));
  v4 p45 = fma4(splat(1.0 / 120.0), r, splat(1.0 / 24.0));
  v4 p67 = fma4(splat(1.0 / 5040.0), r, splat(1.0 / 720.0));
  v4 p89 = fma4(splat(1.0 / 362880.0), r, splat(1.0 / 40320.0));
  v4 p1011 = fma4(splat(1.0 / 39916800.0), r, splat(1.0 / 3628800.0));
  v4 p1213 = fma4(splat(1.0 / 6227020800.0), r, splat(1.0 / 479001600.0));
  v4 p4 = fma4(r2, p67, p45);
  v4 p8 = fma4(r4, p1213, fma4(r2, p1011, p89));
  v4 p = fma4(r2, fma4(r2, fma4(r4, p8, p4), p23), r);
  v4 scale = (v4)((ki + 1023) << 52);
  *value = fma4(p, scale, scale);
}

/// log for positive normal lanes: x = 2ᵉ·m with m in [√½, √2), log m = 2 atanh(s),
/// s = (m − 1)/(m + 1), by its series in s² to s²⁰ (|s| ≤ 0.172: truncation below 2⁻⁵⁸).
LA_INLINE void log4(v4 *value) {
  v4 x = *value;
  v4i bits = (v4i)x;
  v4i e = (bits >> 52) & 0x7ff;
  v4 m = (v4)((bits & 0x000fffffffffffffLL) | 0x3ff0000000000000LL);
  v4i big = (v4i)(m > splat(1.4142135623730951));
  m = select4(big, m * splat(0.5), m);
  e = e + (big & 1);  // 0 ≤ e ≤ 2047: as a double through the bits of 2⁵² + e
  v4 f = m - splat(1.0);
  v4 s = f / (splat(2.0) + f);
  v4 s2 = s * s;
  v4 p = splat(1.0 / 21.0);
  p = fma4(p, s2, splat(1.0 / 19.0));
  p = fma4(p, s2, splat(1.0 / 17.0));
  p = fma4(p, s2, splat(1.0 / 15.0));
  p = fma4(p, s2, splat(1.0 / 13.0));
  p = fma4(p, s2, splat(1.0 / 11.0));
  p = fma4(p, s2, splat(1.0 / 9.0));
  p = fma4(p, s2, splat(1.0 / 7.0));
  p = fma4(p, s2, splat(1.0 / 5.0));
  p = fma4(p, s2, splat(1.0 / 3.0));
  // log m = f − s·(f − 2 s² p): the error of the last term is small against f.
  v4 logm = fma4(-s, fma4(-(splat(2.0) * s2), p, f), f);
  v4 ed = ((v4)(e | (v4i)splat(0x1p52)) - splat(0x1p52)) - splat(1023.0);
  *value = fma4(ed, splat(6.93147180369123816490e-01), fma4(ed, splat(1.90821492927058770002e-10), logm));
}

/// exp4 and log4 on each half of eight lanes (the same bits lane by lane).
LA_INLINE void exp8(v8 *value) {
  v4 low = __builtin_shufflevector(*value, *value, 0, 1, 2, 3);
  v4 high = __builtin_shufflevector(*value, *value, 4, 5, 6, 7);
  exp4(&low);
  exp4(&high);
  *value = __builtin_shufflevector(low, high, 0, 1, 2, 3, 4, 5, 6, 7);
}

LA_INLINE void log8(v8 *value) {
  v4 low = __builtin_shufflevector(*value, *value, 0, 1, 2, 3);
  v4 high = __builtin_shufflevector(*value, *value, 4, 5, 6, 7);
  log4(&low);
  log4(&high);
  *value = __builtin_shufflevector(low, high, 0, 1, 2, 3, 4, 5, 6, 7);
}

/// Points `*base` at the four rows from `start` (column stride `*stride`): in `x` itself when
/// they exist, else copied into `pad` (`LANES * d`, zero beyond the last row).
LA_INLINE long rows4(const double *x, long n, long d, long start, double *pad,
                         const double **base) {
  if (start + LANES <= n) {
    *base = x + start;
    return n;
  }
  long valid = n - start;
  for (long j = 0; j < d; j++) {
    for (long r = 0; r < LANES; r++) pad[j * LANES + r] = r < valid ? x[j * n + start + r] : 0;
  }
  *base = pad;
  return LANES;
}

/// As rows4 for eight rows (two vectors: rows start…start+3 and start+4…start+7).
LA_INLINE long rows8(const double *x, long n, long d, long start, double *pad,
                     const double **base) {
  if (start + 2 * LANES <= n) {
    *base = x + start;
    return n;
  }
  long valid = n - start;
  for (long j = 0; j < d; j++) {
    for (long r = 0; r < 2 * LANES; r++) {
      pad[j * 2 * LANES + r] = r < valid ? x[j * n + start + r] : 0;
    }
  }
  *base = pad;
  return 2 * LANES;
}

/// The nearest and second-nearest centre of one vector of rows, given its distance to centre c.
#define LA_NEAREST_STEP(acc, b1, b2, best, c)                   \
  do {                                                          \
    v4i closer_ = (v4i)((acc) < (b1));                          \
    (b2) = select4((v4i)((acc) < (b2)), (acc), (b2));           \
    (b2) = select4(closer_, (b1), (b2));                        \
    (b1) = select4(closer_, (acc), (b1));                       \
    v4i label_ = {(c), (c), (c), (c)};                          \
    (best) = (closer_ & label_) | (~closer_ & (best));          \
  } while (0)

LA_INLINE long kmeans_nearest(const double *x, const double *rowMajor, long n, long d,
                              const double *centres, long k, int64_t *labels, double *nearest,
                              double *second, int first, int64_t *counts, double *sums) {
  long moved = 0;
  for (long c = 0; c < k; c++) counts[c] = 0;
  for (long i = 0; i < k * d; i++) sums[i] = 0;
  // Eight rows per step, as two vectors with their own chains (the same arithmetic per lane).
  double pad[2 * LANES * d];
  for (long start = 0; start < n; start += 2 * LANES) {
    const double *rows;
    long stride = rows8(x, n, d, start, pad, &rows);
    v4 b1 = splat(INFINITY), b2 = b1, c1 = b1, c2 = b1;
    v4i best = {0, 0, 0, 0}, bestHigh = best;
    for (long c = 0; c < k; c++) {
      const double *centre = centres + c * d;
      v4 acc = splat(0), accHigh = splat(0);
#pragma clang loop unroll(full)
      for (long j = 0; j < d; j++) {
        v4 u = load4(rows + j * stride) - splat(centre[j]);
        v4 v = load4(rows + j * stride + LANES) - splat(centre[j]);
        acc = fma4(u, u, acc);
        accHigh = fma4(v, v, accHigh);
      }
      LA_NEAREST_STEP(acc, b1, b2, best, c);
      LA_NEAREST_STEP(accHigh, c1, c2, bestHigh, c);
    }
    b1 = sqrt4(b1);
    b2 = sqrt4(b2);
    c1 = sqrt4(c1);
    c2 = sqrt4(c2);
    long valid = n - start < 2 * LANES ? n - start : 2 * LANES;
    for (long r = 0; r < valid; r++) {
      int64_t a = r < LANES ? best[r] : bestHigh[r - LANES];
      if (first || labels[start + r] != a) moved++;
      labels[start + r] = a;
      nearest[start + r] = r < LANES ? b1[r] : c1[r - LANES];
      second[start + r] = r < LANES ? b2[r] : c2[r - LANES];
      // The member sums in row order: from the row-major copy four columns per vector when
      // there is one (a row's columns are contiguous there), else from the rows just read.
      counts[a]++;
      double *sa = sums + a * d;
      if (rowMajor) {
        const double *xr = rowMajor + (start + r) * d;
        long j = 0;
        for (; j + LANES <= d; j += LANES) store4(sa + j, load4(sa + j) + load4(xr + j));
        for (; j < d; j++) sa[j] += xr[j];
      } else {
        for (long j = 0; j < d; j++) sa[j] += rows[j * stride + r];
      }
    }
  }
  return moved;
}

LA_CLONES long la_kmeans_nearest(const double *x, const double *rowMajor, long n, long d,
                                 const double *centres, long k, int64_t *labels, double *nearest,
                                 double *second, int first, int64_t *counts, double *sums) {
  switch (d) {
#define LA_CASE(D) \
  case D:          \
    return kmeans_nearest(x, rowMajor, n, D, centres, k, labels, nearest, second, first, counts, \
                          sums);
    LA_CASE(1) LA_CASE(2) LA_CASE(3) LA_CASE(4) LA_CASE(5) LA_CASE(6) LA_CASE(7) LA_CASE(8)
#undef LA_CASE
    default:
      return kmeans_nearest(x, rowMajor, n, d, centres, k, labels, nearest, second, first, counts,
                            sums);
  }
}

LA_INLINE void kmeans_distances(const double *x, long n, long d, const double *targets, long m,
                                const double *closest, double *out, long stride,
                                double *potentials) {
  double pad[2 * LANES * d];
  v4 laneSums[2 * m];
  for (long t = 0; t < 2 * m; t++) laneSums[t] = splat(0);
  for (long start = 0; start < n; start += 2 * LANES) {
    const double *rows;
    long columnStride = rows8(x, n, d, start, pad, &rows);
    long valid = n - start < 2 * LANES ? n - start : 2 * LANES;
    v4 near = splat(0), nearHigh = splat(0);
    if (closest) {
      double c[2 * LANES] = {0, 0, 0, 0, 0, 0, 0, 0};
      for (long r = 0; r < valid; r++) c[r] = closest[start + r];
      near = load4(c);
      nearHigh = load4(c + LANES);
    }
    for (long t = 0; t < m; t++) {
      const double *target = targets + t * d;
      v4 acc = splat(0), accHigh = splat(0);
#pragma clang loop unroll(full)
      for (long j = 0; j < d; j++) {
        v4 u = load4(rows + j * columnStride) - splat(target[j]);
        v4 v = load4(rows + j * columnStride + LANES) - splat(target[j]);
        acc = fma4(u, u, acc);
        accHigh = fma4(v, v, accHigh);
      }
      if (closest) {
        acc = select4((v4i)(near < acc), near, acc);
        accHigh = select4((v4i)(nearHigh < accHigh), nearHigh, accHigh);
      }
      double *o = out + t * stride + start;
      if (valid == 2 * LANES) {
        store4(o, acc);
        store4(o + LANES, accHigh);
        laneSums[2 * t] = laneSums[2 * t] + acc;
        laneSums[2 * t + 1] = laneSums[2 * t + 1] + accHigh;
      } else {
        double lanes[2 * LANES];
        store4(lanes, acc);
        store4(lanes + LANES, accHigh);
        for (long r = 0; r < valid; r++) o[r] = lanes[r];
        for (long r = valid; r < 2 * LANES; r++) lanes[r] = 0;
        laneSums[2 * t] = laneSums[2 * t] + load4(lanes);
        laneSums[2 * t + 1] = laneSums[2 * t + 1] + load4(lanes + LANES);
      }
    }
  }
  for (long t = 0; t < m; t++) {
    v4 both = laneSums[2 * t] + laneSums[2 * t + 1];
    potentials[t] = (both[0] + both[1]) + (both[2] + both[3]);
  }
}

LA_CLONES void la_kmeans_distances(const double *x, long n, long d, const double *targets,
                                   long m, const double *closest, double *out, long stride,
                                   double *potentials) {
  switch (d) {
#define LA_CASE(D) \
  case D:          \
    kmeans_distances(x, n, D, targets, m, closest, out, stride, potentials); \
    break;
    LA_CASE(1) LA_CASE(2) LA_CASE(3) LA_CASE(4) LA_CASE(5) LA_CASE(6) LA_CASE(7) LA_CASE(8)
#undef LA_CASE
    default:
      kmeans_distances(x, n, d, targets, m, closest, out, stride, potentials);
  }
}

LA_INLINE void log_densities(const double *x, long n, long d, long k, const double *means,
                             const double *inverseFactors, const double *constants, double *z) {
  double pad[LANES * d];
  v4 row[d];
  v4 y[d];
  for (long start = 0; start < n; start += LANES) {
    const double *rows;
    long stride = rows4(x, n, d, start, pad, &rows);
#pragma clang loop unroll(full)
    for (long j = 0; j < d; j++) row[j] = load4(rows + j * stride);
    for (long c = 0; c < k; c++) {
      const double *mean = means + c * d;
      const double *inverseFactor = inverseFactors + c * d * d;
#pragma clang loop unroll(full)
      for (long j = 0; j < d; j++) y[j] = row[j] - splat(mean[j]);
      v4 q = splat(0);
#pragma clang loop unroll(full)
      for (long r = 0; r < d; r++) {
        v4 w = splat(inverseFactor[r]) * y[0];
#pragma clang loop unroll(full)
        for (long m = 1; m <= r; m++) w = fma4(splat(inverseFactor[r + m * d]), y[m], w);
        q = fma4(w, w, q);
      }
      v4 v = fma4(splat(-0.5), q, splat(constants[c]));
      double *out = z + c * n + start;
      if (start + LANES <= n) {
        store4(out, v);
      } else {
        for (long r = 0; r < n - start; r++) out[r] = v[r];
      }
    }
  }
}

LA_CLONES void la_gaussian_log_densities(const double *x, long n, long d, long k,
                                         const double *means, const double *inverseFactors,
                                         const double *constants, double *z) {
  // Up to eight columns with d a constant, so that the loops unroll and the independent
  // chains interleave; the arithmetic is the same.
  switch (d) {
#define LA_CASE(D) \
  case D:          \
    log_densities(x, n, D, k, means, inverseFactors, constants, z); \
    break;
    LA_CASE(1) LA_CASE(2) LA_CASE(3) LA_CASE(4) LA_CASE(5) LA_CASE(6) LA_CASE(7) LA_CASE(8)
#undef LA_CASE
    default:
      log_densities(x, n, d, k, means, inverseFactors, constants, z);
  }
}

LA_CLONES void la_mixture_posteriors(double *z, long n, long k, const double *logProportions,
                                     double *rowLogLikelihood) {
  // Eight rows per step (two vectors of four, interleaved; each row's arithmetic is the same).
  v8 t[k];
  for (long start = 0; start < n; start += 2 * LANES) {
    long valid = n - start < 2 * LANES ? n - start : 2 * LANES;
    v8 top = splat8(-DBL_MAX);
    for (long c = 0; c < k; c++) {
      double *column = z + c * n + start;
      v8 v;
      if (valid == 2 * LANES) {
        v = load8(column);
      } else {
        double buffer[2 * LANES] = {0, 0, 0, 0, 0, 0, 0, 0};
        for (long r = 0; r < valid; r++) buffer[r] = column[r];
        v = load8(buffer);
      }
      t[c] = splat8(logProportions[c]) + v;
      top = select8((v8i)(t[c] > top), t[c], top);
    }
    v8 sum = splat8(0);
    for (long c = 0; c < k; c++) {
      v8 u = t[c] - top;
      v8 e = u;
      exp8(&e);
      e = select8((v8i)(u >= splat8(-708)), e, splat8(0));
      t[c] = e;
      sum = sum + e;
    }
    // One division per row (a vector division costs several multiplications).
    v8 inverse = splat8(1.0) / sum;
    for (long c = 0; c < k; c++) {
      v8 p = t[c] * inverse;
      double *column = z + c * n + start;
      if (valid == 2 * LANES) {
        store8(column, p);
      } else {
        for (long r = 0; r < valid; r++) column[r] = p[r];
      }
    }
    v8 h = sum;
    log8(&h);
    h = h + top;
    double lanes[2 * LANES];
    store8(lanes, h);
    for (long r = 0; r < valid; r++) {
      // log8 covers positive normal sums (1 ≤ sum ≤ k here); anything else goes to libm.
      double sr = sum[r];
      rowLogLikelihood[start + r] = (sr >= DBL_MIN && sr <= DBL_MAX) ? lanes[r] : log(sr) + top[r];
    }
  }
}

#define CHUNK 128
// Column stride of the chunk buffers: not a multiple of 4 KiB apart (no false store-to-load
// dependencies between the buffers and the data).
#define CSTRIDE (CHUNK + 8)
long la_weighted_sums_workspace(long d, long k) { return k * (d + 1) * LANES + LANES; }

LA_CLONES void la_weighted_sums(const double *x, long n, long d, long k, const double *z,
                                double *mass, double *sums, double *work) {
  // Chunks of 128 rows (the chunk's columns stay in cache for every component): each weighted
  // column is summed over the chunk eight rows per step in two vectors (lane l of the first:
  // rows l, l + 8, …; of the second: l + 4, l + 12, …; in order, a partial last step padded
  // with zeros), whose sum is added to that column's running vector; the lanes are added at
  // the end. The order depends on n alone.
  v4 *total = (v4 *)(((uintptr_t)work + 31) & ~(uintptr_t)31);
  for (long p = 0; p < k * (d + 1); p++) total[p] = splat(0);
  for (long start = 0; start < n; start += CHUNK) {
    long rows = n - start < CHUNK ? n - start : CHUNK;
    long full = rows / (2 * LANES) * (2 * LANES);
    for (long comp = 0; comp < k; comp++) {
      const double *w = z + comp * n + start;
      v4 tw0 = splat(0), tw1 = splat(0);
      for (long i = 0; i < full; i += 2 * LANES) {
        tw0 = tw0 + load4(w + i);
        tw1 = tw1 + load4(w + i + LANES);
      }
      double wt[2 * LANES] = {0, 0, 0, 0, 0, 0, 0, 0};
      for (long i = full; i < rows; i++) wt[i - full] = w[i];
      if (rows > full) {
        tw0 = tw0 + load4(wt);
        tw1 = tw1 + load4(wt + LANES);
      }
      v4 *acc = total + comp * (d + 1);
      acc[0] = acc[0] + (tw0 + tw1);
      for (long j = 0; j < d; j++) {
        const double *column = x + j * n + start;
        v4 s0 = splat(0), s1 = splat(0);
        for (long i = 0; i < full; i += 2 * LANES) {
          s0 = fma4(load4(w + i), load4(column + i), s0);
          s1 = fma4(load4(w + i + LANES), load4(column + i + LANES), s1);
        }
        if (rows > full) {
          double ct[2 * LANES] = {0, 0, 0, 0, 0, 0, 0, 0};
          for (long i = full; i < rows; i++) ct[i - full] = column[i];
          s0 = fma4(load4(wt), load4(ct), s0);
          s1 = fma4(load4(wt + LANES), load4(ct + LANES), s1);
        }
        acc[1 + j] = acc[1 + j] + (s0 + s1);
      }
    }
  }
  for (long comp = 0; comp < k; comp++) {
    v4 *acc = total + comp * (d + 1);
    mass[comp] = (acc[0][0] + acc[0][1]) + (acc[0][2] + acc[0][3]);
    for (long j = 0; j < d; j++) {
      sums[comp * d + j] = (acc[1 + j][0] + acc[1 + j][1]) + (acc[1 + j][2] + acc[1 + j][3]);
    }
  }
}

long la_weighted_scatters_workspace(long d, long k) {
  // The pairs' running vectors (with room to align them to 32 bytes), then y and t.
  return k * (d * (d + 1) / 2) * LANES + LANES + 2 * d * CSTRIDE + 24;
}

LA_CLONES void la_weighted_scatters(const double *x, long n, long d, long k, const double *z,
                                    const double *means, double *scatters, double *work) {
  // Chunks of 128 rows (read from memory once, then from cache for every component): the
  // centred columns y_j and the weighted ones t_j = w ∘ y_j go into a buffer, then every
  // pair (r, c ≤ r) is summed over the chunk eight rows per step in two vectors (lane l of the
  // first: the chunk's rows l, l + 8, …; of the second: l + 4, l + 12, …; in order), up to
  // four pairs at once in registers; the two vectors' sum is added to that pair's running
  // vector. The lanes are added at the end.
  long pairs = d * (d + 1) / 2;
  // In the caller's workspace, not on the stack: k·d²/2 vectors reach hundreds of KB.
  v4 *total = (v4 *)(((uintptr_t)work + 31) & ~(uintptr_t)31);
  for (long p = 0; p < k * pairs; p++) total[p] = splat(0);
  double *y = (double *)(total + k * pairs);
  double *t = y + d * CSTRIDE;
  for (long start = 0; start < n; start += CHUNK) {
    long rows = n - start < CHUNK ? n - start : CHUNK;
    long used = (rows + 2 * LANES - 1) / (2 * LANES) * (2 * LANES);
    for (long comp = 0; comp < k; comp++) {
      const double *weights = z + comp * n + start;
      for (long j = 0; j < d; j++) {
        const double *column = x + j * n + start;
        double *yj = y + j * CSTRIDE;
        double *tj = t + 24 + j * CSTRIDE;
        double m = means[comp * d + j];
        for (long i = 0; i < rows; i++) {
          double v = column[i] - m;
          yj[i] = v;
          tj[i] = weights[i] * v;
        }
        for (long i = rows; i < used; i++) {
          yj[i] = 0;
          tj[i] = 0;
        }
      }
      v4 *sum = total + comp * pairs;
      long p = 0;
      for (long r = 0; r < d; r++) {
        const double *tr = t + 24 + r * CSTRIDE;
        for (long c = 0; c <= r; c += 4) {
          long width = r + 1 - c < 4 ? r + 1 - c : 4;
          const double *y0 = y + c * CSTRIDE;
          // Rows 8i..8i+3 in a*, 8i+4..8i+7 in b*: eight independent chains.
          v4 a0 = splat(0), a1 = splat(0), a2 = splat(0), a3 = splat(0);
          v4 b0 = splat(0), b1 = splat(0), b2 = splat(0), b3 = splat(0);
          if (width == 4) {
            for (long i = 0; i < used; i += 2 * LANES) {
              v4 ta = load4(tr + i);
              v4 tb = load4(tr + i + LANES);
              a0 = fma4(ta, load4(y0 + i), a0);
              b0 = fma4(tb, load4(y0 + i + LANES), b0);
              a1 = fma4(ta, load4(y0 + CSTRIDE + i), a1);
              b1 = fma4(tb, load4(y0 + CSTRIDE + i + LANES), b1);
              a2 = fma4(ta, load4(y0 + 2 * CSTRIDE + i), a2);
              b2 = fma4(tb, load4(y0 + 2 * CSTRIDE + i + LANES), b2);
              a3 = fma4(ta, load4(y0 + 3 * CSTRIDE + i), a3);
              b3 = fma4(tb, load4(y0 + 3 * CSTRIDE + i + LANES), b3);
            }
          } else {
            for (long i = 0; i < used; i += 2 * LANES) {
              v4 ta = load4(tr + i);
              v4 tb = load4(tr + i + LANES);
              a0 = fma4(ta, load4(y0 + i), a0);
              b0 = fma4(tb, load4(y0 + i + LANES), b0);
              if (width > 1) {
                a1 = fma4(ta, load4(y0 + CSTRIDE + i), a1);
                b1 = fma4(tb, load4(y0 + CSTRIDE + i + LANES), b1);
              }
              if (width > 2) {
                a2 = fma4(ta, load4(y0 + 2 * CSTRIDE + i), a2);
                b2 = fma4(tb, load4(y0 + 2 * CSTRIDE + i + LANES), b2);
              }
            }
          }
          sum[p] = sum[p] + (a0 + b0);
          if (width > 1) sum[p + 1] = sum[p + 1] + (a1 + b1);
          if (width > 2) sum[p + 2] = sum[p + 2] + (a2 + b2);
          if (width > 3) sum[p + 3] = sum[p + 3] + (a3 + b3);
          p += width;
        }
      }
    }
  }
  for (long comp = 0; comp < k; comp++) {
    v4 *sum = total + comp * pairs;
    double *scatter = scatters + comp * d * d;
    long p = 0;
    for (long r = 0; r < d; r++) {
      for (long c = 0; c <= r; c++) {
        double s = (sum[p][0] + sum[p][1]) + (sum[p][2] + sum[p][3]);
        scatter[r + c * d] = s;
        scatter[c + r * d] = s;
        p++;
      }
    }
  }
}

/// `out[i] = op(v[i])` four values per vector, a last partial vector padded with `pad`.
LA_INLINE void elementwise(const double *v, long count, double *out, void (*op)(v4 *),
                           double pad) {
  long i = 0;
  for (; i + LANES <= count; i += LANES) {
    v4 e = load4(v + i);
    op(&e);
    store4(out + i, e);
  }
  if (i < count) {
    double buffer[LANES] = {pad, pad, pad, pad};
    for (long r = 0; i + r < count; r++) buffer[r] = v[i + r];
    v4 e = load4(buffer);
    op(&e);
    for (long r = 0; i + r < count; r++) out[i + r] = e[r];
  }
}

LA_CLONES void la_exp(const double *v, long count, double *out) {
  elementwise(v, count, out, exp4, 0);
}

LA_CLONES void la_log(const double *v, long count, double *out) {
  elementwise(v, count, out, log4, 1);
}

LA_INLINE void vvv_merge_costs(long d, double alpha, long a, const int64_t *others, long count,
                               const int64_t *sizes, const double *means,
                               const double *scatters, const double *traces,
                               const double *terms, double *costs, double *w) {
  // w (d·d·8, the caller's): lower triangle, then the Cholesky factor, w[(r * d + c) * 8 + lane].
  // Eight partners at a time: the factorisations of two vectors of four interleave.
  v8 delta[d];
  const double *ma = means + a * d;
  const double *sa = scatters + a * d * d;
  double na = (double)sizes[a];
  for (long q = 0; q < count; q += 2 * LANES) {
    int64_t b[2 * LANES];
    for (long r = 0; r < 2 * LANES; r++) b[r] = others[q + r < count ? q + r : count - 1];
    v8 nb = {(double)sizes[b[0]], (double)sizes[b[1]], (double)sizes[b[2]], (double)sizes[b[3]],
             (double)sizes[b[4]], (double)sizes[b[5]], (double)sizes[b[6]], (double)sizes[b[7]]};
    v8 nav = splat8(na);
    v8 ll = nav + nb;  // the merged size, exact
    v8 f = (nav * nb) / (nav + nb);
    v8 dist = splat8(0);
    for (long j = 0; j < d; j++) {
      v8 mb = {means[b[0] * d + j], means[b[1] * d + j], means[b[2] * d + j], means[b[3] * d + j],
               means[b[4] * d + j], means[b[5] * d + j], means[b[6] * d + j], means[b[7] * d + j]};
      delta[j] = splat8(ma[j]) - mb;
      dist = fma4(delta[j], delta[j], dist);
    }
    v8 tb = {traces[b[0]], traces[b[1]], traces[b[2]], traces[b[3]],
             traces[b[4]], traces[b[5]], traces[b[6]], traces[b[7]]};
    v8 t = fma4(f, dist, splat8(traces[a]) + tb);
    v8i small = (v8i)(ll <= splat8((double)d));
    v8i flat = (v8i)(t == splat8(0));
    v8 ta = (t + splat8(alpha)) / ll;
    // l·log((t + α)/l) for groups of up to d units (and when W/l is not positive definite),
    // l·log(α/l) for a group without spread.
    v8 logTa = ta;
    log8(&logTa);
    v8 merged = ll * logTa;
    if (flat[0] | flat[1] | flat[2] | flat[3] | flat[4] | flat[5] | flat[6] | flat[7]) {
      v8 logA = splat8(alpha) / ll;
      log8(&logA);
      merged = select8(~small & flat, ll * logA, merged);
    }
    v8i needFactor = ~small & ~flat;
    if (needFactor[0] | needFactor[1] | needFactor[2] | needFactor[3] | needFactor[4] |
        needFactor[5] | needFactor[6] | needFactor[7]) {
      v8 scale = splat8(1.0) / ll;
      for (long r = 0; r < d; r++) {
        v8 dr = f * delta[r];
        for (long c = 0; c <= r; c++) {
          v8 sb = {scatters[b[0] * d * d + r * d + c], scatters[b[1] * d * d + r * d + c],
                   scatters[b[2] * d * d + r * d + c], scatters[b[3] * d * d + r * d + c],
                   scatters[b[4] * d * d + r * d + c], scatters[b[5] * d * d + r * d + c],
                   scatters[b[6] * d * d + r * d + c], scatters[b[7] * d * d + r * d + c]};
          v8 v = fma4(dr, delta[c], splat8(sa[r * d + c]) + sb);
          store8(w + (r * d + c) * 2 * LANES, v);
        }
      }
      // Cholesky factor of W/l, with the product of the squared pivots (|W/l|).
      v8i positive = needFactor;
      v8 product = splat8(1.0);
      for (long j = 0; j < d; j++) {
        v8 diag = load8(w + (j * d + j) * 2 * LANES) * scale;
        for (long k = 0; k < j; k++) {
          v8 ljk = load8(w + (j * d + k) * 2 * LANES);
          diag = fma4(-ljk, ljk, diag);
        }
        positive &= (v8i)(diag > splat8(0));
        v8 root = sqrt4(diag);
        v8 inverse = splat8(1.0) / root;
        store8(w + (j * d + j) * 2 * LANES, root);
        product = product * diag;
        for (long i = j + 1; i < d; i++) {
          v8 v = load8(w + (i * d + j) * 2 * LANES) * scale;
          for (long k = 0; k < j; k++) {
            v = fma4(-load8(w + (i * d + k) * 2 * LANES), load8(w + (j * d + k) * 2 * LANES), v);
          }
          store8(w + (i * d + j) * 2 * LANES, v * inverse);
        }
      }
      // log |W/l|: one log of the product, or a sum of logs when it left the normal range.
      v8 logProduct = product;
      log8(&logProduct);
      v8i normal = (v8i)(product >= splat8(DBL_MIN)) & (v8i)(product <= splat8(DBL_MAX));
      v8 sumLogs = splat8(0);
      if (!(normal[0] & normal[1] & normal[2] & normal[3] & normal[4] & normal[5] & normal[6] &
            normal[7])) {
        for (long j = 0; j < d; j++) {
          v8 lj = load8(w + (j * d + j) * 2 * LANES);
          log8(&lj);
          sumLogs = fma4(splat8(2.0), lj, sumLogs);
        }
      }
      v8 detlog = select8(normal, logProduct, sumLogs);
      // l·log(|W/l| + (t + α)/l) = l·log(e^detlog + ta) when detlog ≤ 0, else
      // l·(log(1 + e^−detlog·ta) + detlog): one exp and one log per lane, finite either way.
      v8i negative = (v8i)(detlog <= splat8(0));
      v8 exponent = select8(negative, detlog, -detlog);
      v8 e = exponent;
      exp8(&e);
      e = select8((v8i)(exponent >= splat8(-708)), e, splat8(0));
      v8 argument = select8(negative, e + ta, fma4(e, ta, splat8(1.0)));
      log8(&argument);
      v8 factored = select8(negative, ll * argument, ll * (argument + detlog));
      merged = select8(needFactor & positive, factored, merged);
    }
    v8 tbTerm = {terms[b[0]], terms[b[1]], terms[b[2]], terms[b[3]],
                 terms[b[4]], terms[b[5]], terms[b[6]], terms[b[7]]};
    v8 cost = (merged - splat8(terms[a])) - tbTerm;
    for (long r = 0; r < 2 * LANES && q + r < count; r++) costs[q + r] = cost[r];
  }
}

LA_CLONES void la_vvv_merge_costs(long d, double alpha, long a, const int64_t *others, long count,
                                  const int64_t *sizes, const double *means,
                                  const double *scatters, const double *traces,
                                  const double *terms, double *costs, double *work) {
  // Up to eight columns with d a constant, so that the factorisation's loops unroll.
  switch (d) {
#define LA_CASE(D)                                                                          \
  case D:                                                                                   \
    vvv_merge_costs(D, alpha, a, others, count, sizes, means, scatters, traces, terms, costs, \
                    work);                                                                   \
    break;
    LA_CASE(1) LA_CASE(2) LA_CASE(3) LA_CASE(4) LA_CASE(5) LA_CASE(6) LA_CASE(7) LA_CASE(8)
#undef LA_CASE
    default:
      vvv_merge_costs(d, alpha, a, others, count, sizes, means, scatters, traces, terms, costs,
                      work);
  }
}

LA_INLINE void vvv_singleton_costs(long d, double alpha, const double *columns, long m,
                                   long b, long count, const double *traces,
                                   const double *terms, double *row) {
  // vvv_merge_costs for two single units (sizes 1 and 1, merged size 2 ≤ d): the same
  // operations in the same order, with the partners' means read as contiguous columns, eight
  // partners at a time.
  v8 one = splat8(1.0);
  v8 ll = one + one;
  v8 f = (one * one) / (one + one);
  for (long a = 0; a < count; a += 2 * LANES) {
    long valid = count - a < 2 * LANES ? count - a : 2 * LANES;
    long at[2 * LANES];
    for (long r = 0; r < 2 * LANES; r++) at[r] = a + (r < valid ? r : 0);
#define LA_GATHER8(p)                                                                   \
  (valid == 2 * LANES ? load8((p) + a)                                                 \
                      : (v8){(p)[at[0]], (p)[at[1]], (p)[at[2]], (p)[at[3]], (p)[at[4]], \
                             (p)[at[5]], (p)[at[6]], (p)[at[7]]})
    v8 dist = splat8(0);
    for (long j = 0; j < d; j++) {
      const double *column = columns + j * m;
      v8 delta = splat8(column[b]) - LA_GATHER8(column);
      dist = fma4(delta, delta, dist);
    }
    v8 t = fma4(f, dist, splat8(traces[b]) + LA_GATHER8(traces));
    v8 logTa = (t + splat8(alpha)) / ll;
    log8(&logTa);
    v8 merged = ll * logTa;
    v8 cost = (merged - splat8(terms[b])) - LA_GATHER8(terms);
#undef LA_GATHER8
    if (valid == 2 * LANES) {
      store8(row + a, cost);
    } else {
      for (long r = 0; r < valid; r++) row[a + r] = cost[r];
    }
  }
}

LA_CLONES void la_vvv_singleton_costs(long d, double alpha, const double *columns, long m, long b,
                                      long count, const double *traces, const double *terms,
                                      double *row) {
  switch (d) {
#define LA_CASE(D)                                                              \
  case D:                                                                       \
    vvv_singleton_costs(D, alpha, columns, m, b, count, traces, terms, row);    \
    break;
    LA_CASE(2) LA_CASE(3) LA_CASE(4) LA_CASE(5) LA_CASE(6) LA_CASE(7) LA_CASE(8)
#undef LA_CASE
    default:
      vvv_singleton_costs(d, alpha, columns, m, b, count, traces, terms, row);
  }
}

LA_CLONES long la_row_minimum(const double *row, const double *penalty, long count,
                              double *minimum, long *index) {
  v4 low = splat(INFINITY);
  long i = 0;
  for (; i + LANES <= count; i += LANES) {
    v4 v = load4(row + i) + load4(penalty + i);
    low = select4((v4i)(v < low), v, low);
  }
  double m = INFINITY;
  for (long r = 0; r < LANES; r++) m = low[r] < m ? low[r] : m;
  for (; i < count; i++) {
    double v = row[i] + penalty[i];
    m = v < m ? v : m;
  }
  long first = -1;
  v4i equalLanes = {0, 0, 0, 0};
  v4 mv = splat(m);
  for (i = 0; i + LANES <= count; i += LANES) {
    v4i e = (v4i)(load4(row + i) + load4(penalty + i) == mv);
    if (first < 0 && (e[0] | e[1] | e[2] | e[3])) {
      for (long r = 0; r < LANES; r++) {
        if (e[r]) {
          first = i + r;
          break;
        }
      }
    }
    equalLanes -= e;  // each equal lane is −1
  }
  long equal = equalLanes[0] + equalLanes[1] + equalLanes[2] + equalLanes[3];
  for (; i < count; i++) {
    if (row[i] + penalty[i] == m) {
      if (first < 0) first = i;
      equal++;
    }
  }
  *minimum = m;
  *index = first;
  return equal;
}

long la_agglomeration_update(const double *rowI, const int64_t *live, long count, long i, long j,
                             long moved, long skip, int64_t *nearest, double *nearestCost,
                             bool *tieFree, int64_t *pending) {
  long listed = 0;
  for (long q = 0; q < count; q++) {
    int64_t b = live[q];
    if (b == i || b == skip) continue;
    int64_t nb = nearest[b];
    double v = rowI[b];
    double current = nearestCost[b];
    if (nb == i || nb == j || (nb == moved && !tieFree[b]) || v == current ||
        (!(v < current) && moved >= 0 && b != moved && !tieFree[b])) {
      pending[listed++] = b;
    } else if (v < current) {
      nearest[b] = i;
      nearestCost[b] = v;
      tieFree[b] = true;
    }
  }
  return listed;
}

LA_CLONES void la_store_column(double *matrix, long stride, long column, const int64_t *rows,
                               const double *values, long count) {
  // One element per row, each in its own cache line: the lines are asked for (with intent to
  // write) sixteen stores ahead, so that their misses overlap.
  for (long q = 0; q < count; q++) {
    if (q + 16 < count) __builtin_prefetch(matrix + rows[q + 16] * stride + column, 1, 0);
    matrix[rows[q] * stride + column] = values[q];
  }
}

void la_within_sums(const double *x, long n, long d, const double *centres, long k,
                    const int64_t *labels, double *partial, double *within) {
  // One running sum per cluster and column (independent chains, so that consecutive rows of
  // one cluster do not wait on each other), each in row order; then each cluster's columns
  // added in order.
  for (long p = 0; p < k * d; p++) partial[p] = 0;
  for (long i = 0; i < n; i++) {
    int64_t l = labels[i];
    double *row = partial + l * d;
    for (long j = 0; j < d; j++) {
      double t = x[i + j * n] - centres[l + j * k];
      row[j] += t * t;
    }
  }
  for (long c = 0; c < k; c++) {
    double s = 0;
    for (long j = 0; j < d; j++) s += partial[c * d + j];
    within[c] = s;
  }
}

LA_CLONES long la_hartigan_scan(const double *x, long n, long d, const double *centres, long k,
                                const int64_t *counts, const int64_t *labels, long from,
                                long *target) {
  // Four rows per vector, each lane doing the scalar loop's operations in its order: the
  // squared distance to every centre summed over the columns, removal = (dₐ·nₐ)/(nₐ − 1),
  // then the candidates b ≠ a in order, each (d_b·n_b)/(n_b + 1), kept when strictly lower.
  v4 dist[k];
  for (long start = from; start < n; start += LANES) {
    long valid = n - start < LANES ? n - start : LANES;
    int64_t own[LANES];
    const double *base = x + start;
    for (long r = 0; r < LANES; r++) own[r] = labels[start + (r < valid ? r : 0)];
    for (long b = 0; b < k; b++) {
      v4 s = splat(0);
      for (long j = 0; j < d; j++) {
        v4 v;
        if (valid == LANES) {
          v = load4(base + j * n);
        } else {
          double buffer[LANES] = {0, 0, 0, 0};
          for (long r = 0; r < valid; r++) buffer[r] = base[j * n + r];
          v = load4(buffer);
        }
        v4 t = v - splat(centres[b * d + j]);
        s = s + t * t;
      }
      dist[b] = s;
    }
    v4 na = {(double)counts[own[0]], (double)counts[own[1]], (double)counts[own[2]],
             (double)counts[own[3]]};
    v4 da = {dist[own[0]][0], dist[own[1]][1], dist[own[2]][2], dist[own[3]][3]};
    v4 removal = (da * na) / (na - splat(1.0));
    v4 bestCost = removal;
    v4i best = {own[0], own[1], own[2], own[3]};
    v4i ownLabels = best;
    for (long b = 0; b < k; b++) {
      double nbs = (double)counts[b];
      v4 nb = splat(nbs);
      v4 cost = (dist[b] * nb) / (nb + splat(1.0));
      v4i bv = {b, b, b, b};
      v4i better = (v4i)(cost < bestCost) & (bv != ownLabels);
      bestCost = select4(better, cost, bestCost);
      best = (best & ~better) | (bv & better);
    }
    v4i moves = (best != ownLabels) & (v4i)(bestCost < removal * splat(1 - 1e-12)) &
                (v4i)(na > splat(1.0));
    for (long r = 0; r < valid; r++) {
      if (moves[r]) {
        *target = best[r];
        return start + r;
      }
    }
  }
  return n;
}

LA_CLONES long la_kmeans_move_bounds(long n, const int64_t *labels, double *upper, double *lower,
                                     const double *shift, const double *half, long largestIndex,
                                     double largest, double second, int64_t *unsettled) {
  long count = 0;
  for (long i = 0; i < n; i++) {
    int64_t a = labels[i];
    double u = upper[i] + shift[a];
    double l = lower[i] - (a == largestIndex ? second : largest);
    upper[i] = u;
    lower[i] = l;
    double h = half[a];
    double m = (h > l ? h : l) * (1 - 1e-12);
    unsettled[count] = i;
    count += !(u < m);
  }
  return count;
}

LA_CLONES long la_kmeans_bounded(const double *rowMajor, long d, const double *centres, long k,
                                 const double *half, const int64_t *visits, long count,
                                 int64_t *labels, double *upper, double *lower, int64_t *counts,
                                 double *sums) {
  // Four listed points per vector (their rows gathered from the row-major copy), each distance
  // summed over the columns in order as in la_kmeans_nearest; the labels, counts and sums of
  // the points that move are updated in list order.
  long changed = 0;
  for (long q = 0; q < count; q += LANES) {
    long valid = count - q < LANES ? count - q : LANES;
    int64_t idx[LANES];
    for (long r = 0; r < LANES; r++) idx[r] = visits[q + (r < valid ? r : 0)];
    int64_t own[LANES];
    double m[LANES];
    int active = 0;
    for (long r = 0; r < LANES; r++) {
      own[r] = labels[idx[r]];
      double h = half[own[r]];
      double lo = lower[idx[r]];
      m[r] = (h > lo ? h : lo) * (1 - 1e-12);
      if (r < valid && !(upper[idx[r]] < m[r])) active |= 1 << r;
    }
    if (!active) continue;
    // Distance to the own centre.
    v4 s = splat(0);
    for (long j = 0; j < d; j++) {
      v4 p = {rowMajor[idx[0] * d + j], rowMajor[idx[1] * d + j], rowMajor[idx[2] * d + j],
              rowMajor[idx[3] * d + j]};
      v4 c = {centres[own[0] * d + j], centres[own[1] * d + j], centres[own[2] * d + j],
              centres[own[3] * d + j]};
      v4 u = p - c;
      s = fma4(u, u, s);
    }
    v4 root = sqrt4(s);
    int full = 0;
    for (long r = 0; r < LANES; r++) {
      if (!(active >> r & 1)) continue;
      upper[idx[r]] = root[r];
      if (!(root[r] < m[r])) full |= 1 << r;
    }
    if (!full) continue;
    // Every centre, for the points still unsettled (the own centre's distance reused).
    v4 b1 = splat(INFINITY), b2 = b1;
    v4i best = {0, 0, 0, 0};
    v4i ownLabel = {own[0], own[1], own[2], own[3]};
    for (long c = 0; c < k; c++) {
      v4 t = splat(0);
      const double *centre = centres + c * d;
      for (long j = 0; j < d; j++) {
        v4 p = {rowMajor[idx[0] * d + j], rowMajor[idx[1] * d + j], rowMajor[idx[2] * d + j],
                rowMajor[idx[3] * d + j]};
        v4 u = p - splat(centre[j]);
        t = fma4(u, u, t);
      }
      v4i label = {c, c, c, c};
      t = select4((v4i)(ownLabel == label), s, t);
      LA_NEAREST_STEP(t, b1, b2, best, c);
    }
    v4 r1 = sqrt4(b1);
    v4 r2 = sqrt4(b2);
    for (long r = 0; r < LANES; r++) {
      if (!(full >> r & 1)) continue;
      int64_t i = idx[r];
      upper[i] = r1[r];
      lower[i] = r2[r];
      int64_t a = own[r];
      int64_t b = best[r];
      if (b != a) {
        changed++;
        labels[i] = b;
        counts[a]--;
        counts[b]++;
        const double *p = rowMajor + i * d;
        double *from = sums + a * d;
        double *to = sums + b * d;
        for (long j = 0; j < d; j++) {
          from[j] -= p[j];
          to[j] += p[j];
        }
      }
    }
  }
  return changed;
}

LA_INLINE void silhouette_sums(const double *x, long m, long d, const long *firstOf, long k,
                               const int64_t *clusterAt, long from, long to, double *totals) {
  // For each position p: the distances to the later positions q, eight per step in two
  // vectors, each summed over the columns in order with fused multiply-adds (in registers);
  // per cluster c, their sum in four running lanes added at the end (a last part of fewer
  // than eight positions one at a time), into totals[c * m + p]; and each distance added to
  // totals[clusterAt[p] * m + q].
  double point[d];
  for (long p = from; p < to; p++) {
    for (long j = 0; j < d; j++) point[j] = x[j * m + p];
    double *own = totals + clusterAt[p] * m;
    for (long c = 0; c < k; c++) {
      long lo = firstOf[c] > p + 1 ? firstOf[c] : p + 1;
      long hi = firstOf[c + 1];
      if (lo >= hi) continue;
      v4 running = splat(0);
      long q = lo;
      for (; q + 2 * LANES <= hi; q += 2 * LANES) {
        v4 acc = splat(0), accHigh = splat(0);
#pragma clang loop unroll(full)
        for (long j = 0; j < d; j++) {
          v4 t = load4(x + j * m + q) - splat(point[j]);
          v4 u = load4(x + j * m + q + LANES) - splat(point[j]);
          acc = fma4(t, t, acc);
          accHigh = fma4(u, u, accHigh);
        }
        v4 dist = sqrt4(acc);
        v4 distHigh = sqrt4(accHigh);
        running = running + dist;
        running = running + distHigh;
        store4(own + q, load4(own + q) + dist);
        store4(own + q + LANES, load4(own + q + LANES) + distHigh);
      }
      double s = (running[0] + running[1]) + (running[2] + running[3]);
      for (; q < hi; q++) {
        double acc = 0;
        for (long j = 0; j < d; j++) {
          double t = x[j * m + q] - point[j];
          acc = __builtin_fma(t, t, acc);
        }
        double dist = __builtin_sqrt(acc);
        s += dist;
        own[q] += dist;
      }
      totals[c * m + p] += s;
    }
  }
}

LA_CLONES void la_silhouette_sums(const double *x, long m, long d, const long *firstOf, long k,
                                  const int64_t *clusterAt, long from, long to,
                                  double *totals) {
  switch (d) {
#define LA_CASE(D)                                                         \
  case D:                                                                  \
    silhouette_sums(x, m, D, firstOf, k, clusterAt, from, to, totals);     \
    break;
    LA_CASE(1) LA_CASE(2) LA_CASE(3) LA_CASE(4) LA_CASE(5) LA_CASE(6) LA_CASE(7) LA_CASE(8)
#undef LA_CASE
    default:
      silhouette_sums(x, m, d, firstOf, k, clusterAt, from, to, totals);
  }
}
