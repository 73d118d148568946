// Runs the clustering kernels on fixed pseudo-random data and writes every output, as raw
// doubles and integers, to the file named by argv[1]. same-bits.sh builds it against
// Sources/_CKernels/kernels.c in several ways (the x86-64-v3 clone, the SSE2 baseline that
// computes the fused multiply-adds with the C library's fma, an unoptimised baseline) and
// compares the files byte for byte.
#include "la_kernels.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned long long state = 0x9E3779B97F4A7C15ULL;
static double uniform(void) {  // SplitMix64, 53 bits
  unsigned long long z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  z ^= z >> 31;
  return (double)(z >> 11) * 0x1p-53;
}
static FILE *out;
static void put(const void *p, size_t bytes) { fwrite(p, 1, bytes, out); }

int main(int argc, char **argv) {
  if (argc < 2 || !(out = fopen(argv[1], "wb"))) return 2;
  enum { n = 1003, d = 7, k = 5, m = 301 };
  static double x[n * d], rowMajor[n * d], centres[k * d];
  for (long i = 0; i < n * d; i++) x[i] = 4 * uniform() - 2;
  for (long i = 0; i < n; i++)
    for (long j = 0; j < d; j++) rowMajor[i * d + j] = x[j * n + i];
  for (long i = 0; i < k * d; i++) centres[i] = 4 * uniform() - 2;

  // k-means: full assignment (both ways of summing members), candidates, bounded assignment.
  static int64_t labels[n], counts[k];
  static double nearest[n], second[n], sums[k * d];
  long moved = la_kmeans_nearest(x, NULL, n, d, centres, k, labels, nearest, second, 1, counts,
                                 sums);
  put(&moved, sizeof moved), put(labels, sizeof labels), put(nearest, sizeof nearest);
  put(second, sizeof second), put(counts, sizeof counts), put(sums, sizeof sums);
  moved = la_kmeans_nearest(x, rowMajor, n, d, centres, k, labels, nearest, second, 1, counts,
                            sums);
  put(&moved, sizeof moved), put(sums, sizeof sums);
  static double candidates[3 * n], potentials[3];
  la_kmeans_distances(x, n, d, rowMajor, 3, nearest, candidates, n, potentials);
  put(candidates, sizeof candidates), put(potentials, sizeof potentials);
  static double moved_centres[k * d], half[k], upper[n], lower[n];
  static int64_t visits[n];
  for (long i = 0; i < k * d; i++) moved_centres[i] = centres[i] + 0.3 * uniform();
  for (long i = 0; i < n; i++) visits[i] = i, upper[i] = INFINITY, lower[i] = 0;
  moved = la_kmeans_bounded(rowMajor, d, moved_centres, k, half, visits, n, labels, upper, lower,
                            counts, sums);
  put(&moved, sizeof moved), put(labels, sizeof labels), put(upper, sizeof upper);
  put(lower, sizeof lower), put(sums, sizeof sums);
  static double partial[k * d], within[k];
  la_within_sums(x, n, d, centres, k, labels, partial, within);
  put(within, sizeof within);

  // Mixtures: log-densities, posteriors, M-step sums and scatters, exp and log.
  static double inverse[k * d * d], constants[k], z[n * k], rows[n], logPro[k];
  for (long c = 0; c < k; c++) {
    for (long r = 0; r < d; r++)
      for (long q = 0; q <= r; q++) inverse[c * d * d + r + q * d] = r == q ? 1 + uniform() : uniform() - 0.5;
    constants[c] = -3 * uniform();
    logPro[c] = log((c + 1.0) / 15);
  }
  la_gaussian_log_densities(x, n, d, k, centres, inverse, constants, z);
  put(z, sizeof z);
  la_mixture_posteriors(z, n, k, logPro, rows);
  put(z, sizeof z), put(rows, sizeof rows);
  static double mass[k], weighted[k * d], scatters[k * d * d];
  double *work = malloc(sizeof(double) * (la_weighted_sums_workspace(d, k) +
                                          la_weighted_scatters_workspace(d, k)));
  la_weighted_sums(x, n, d, k, z, mass, weighted, work);
  la_weighted_scatters(x, n, d, k, z, centres, scatters, work);
  put(mass, sizeof mass), put(weighted, sizeof weighted), put(scatters, sizeof scatters);
  static double values[n], logs[n], exps[n];
  for (long i = 0; i < n; i++) values[i] = -708 + 1417 * uniform();
  la_exp(values, n, exps);
  for (long i = 0; i < n; i++) values[i] = exp(40 * uniform() - 20);
  la_log(values, n, logs);
  put(exps, sizeof exps), put(logs, sizeof logs);

  // Agglomeration: merge costs of groups (some of at most d units) and of single units.
  static int64_t sizes[m], others[m];
  static double means[m * d], groupScatters[m * d * d], traces[m], terms[m], costs[m];
  for (long g = 0; g < m; g++) {
    sizes[g] = g % 3 == 0 ? 1 + g % 5 : 9 + g % 40;
    others[g] = g;
    for (long j = 0; j < d; j++) means[g * d + j] = uniform();
    double a[d * d];
    for (long i = 0; i < d * d; i++) a[i] = uniform() - 0.5;
    traces[g] = 0;
    for (long r = 0; r < d; r++) {
      for (long c = 0; c < d; c++) {
        double s = r == c ? 0.5 : 0;
        for (long q = 0; q < d; q++) s += a[r * d + q] * a[c * d + q];
        groupScatters[g * d * d + r * d + c] = s * (double)sizes[g];
      }
      traces[g] += groupScatters[g * d * d + r * d + r];
    }
    terms[g] = uniform();
  }
  double *factorWork = malloc(sizeof(double) * 8 * d * d);
  for (long a = 0; a < 7; a++) {
    la_vvv_merge_costs(d, 0.3, a, others + 1, m - 1, sizes, means, groupScatters, traces, terms,
                       costs, factorWork);
    put(costs, sizeof(double) * (m - 1));
  }
  static double columns[m * d], zeros[m], singleTerms[m], row[m];
  for (long i = 0; i < m * d; i++) columns[i] = uniform();
  for (long i = 0; i < m; i++) singleTerms[i] = -1.5;
  for (long b = 1; b < m; b += 37) {
    la_vvv_singleton_costs(d, 0.5, columns, m, b, b, zeros, singleTerms, row);
    put(row, sizeof(double) * b);
  }

  // Silhouette sums over units grouped in clusters of 100, 1 and 200 (m = 301).
  long firstOf[4] = {0, 100, 101, 301};
  static int64_t clusterAt[m];
  for (long p = 0; p < m; p++) clusterAt[p] = p < 100 ? 0 : p < 101 ? 1 : 2;
  static double totals[3 * m];
  la_silhouette_sums(columns, m, d, firstOf, 3, clusterAt, 0, m, totals);
  put(totals, sizeof totals);
  free(work);
  free(factorWork);
  return fclose(out) == 0 ? 0 : 2;
}
