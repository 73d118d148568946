#ifndef LEARNINGANALYTICS_CKERNELS_H
#define LEARNINGANALYTICS_CKERNELS_H
// Numerical inner loops of the Clustering module, written once in C over vector types and
// compiled twice on x86-64 (AVX2 and the SSE2 baseline, chosen at load time).
//
// Every kernel works on independent rows in the lanes of a vector, with the same operations in
// the same order in every lane and no fused multiply-add, so both builds (and any other
// target) give the same bits. Matrices are column-major `n x d` (`x[i + j * n]`) unless said.
#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// k-means assignment: for every row of `x` the squared Euclidean distance to each of the `k`
/// centres (`centres`, row-major `k x d`), accumulated over the columns in order from 0; the
/// nearest centre (lowest index on ties) in `labels`, the square roots of the smallest and
/// second-smallest squared distances in `nearest` and `second`; the members per centre in
/// `counts` and their sums (row-major `k x d`, each in row order) in `sums`, read from
/// `rowMajor` (the same data row-major `n x d`) when it is not null. Returns how many labels
/// changed (all of them when `first` is not 0).
long la_kmeans_nearest(const double *x, const double *rowMajor, long n, long d,
                       const double *centres, long k, int64_t *labels, double *nearest,
                       double *second, int first, int64_t *counts, double *sums);

/// Hamerly's bounds after the centres moved: `upper[i] += shift[label]`, `lower[i] −=` the
/// largest shift of another centre (`second` for the centre `largestIndex` that moved most,
/// `largest` otherwise); lists in `unsettled` (in order) the points whose bounds no longer
/// prove their label (`upper ≥ max(half[label], lower)·(1 − 10⁻¹²)`) and returns their count.
long la_kmeans_move_bounds(long n, const int64_t *labels, double *upper, double *lower,
                           const double *shift, const double *half, long largestIndex,
                           double largest, double second, int64_t *unsettled);

/// Hamerly's assignment of the listed points (`visits`, `count` of them; `rowMajor` the data
/// row-major `n x d`): a point whose bounds prove its label is skipped; otherwise its distance
/// to its centre, then if needed to every centre, the same bits as la_kmeans_nearest. Labels,
/// bounds, counts and sums follow the points that move, in list order. Returns how many moved.
long la_kmeans_bounded(const double *rowMajor, long d, const double *centres, long k,
                       const double *half, const int64_t *visits, long count, int64_t *labels,
                       double *upper, double *lower, int64_t *counts, double *sums);

/// k-means++ candidates: `out[t * stride + i] = ‖xᵢ − targets_t‖²` (`targets` row-major
/// `m x d`), or its minimum with `closest[i]` when `closest` is not null; `potentials[t]` is
/// the sum of that column, in eight running sums (rows i mod 8) added at the end in a fixed
/// order (an order that depends on n alone; a single running sum in row order made the pass
/// wait on its additions).
void la_kmeans_distances(const double *x, long n, long d, const double *targets, long m,
                         const double *closest, double *out, long stride, double *potentials);

/// Gaussian log-densities of every row under `k` components: `z[i + c * n] = constants[c] −
/// ½ ‖L_c⁻¹ (xᵢ − μ_c)‖²`, with `means` row-major `k x d` and `inverseFactors` the `k`
/// lower-triangular `L_c⁻¹`, each column-major `d x d`, one after the other.
void la_gaussian_log_densities(const double *x, long n, long d, long k, const double *means,
                               const double *inverseFactors, const double *constants, double *z);

/// Posteriors from log-densities: `z[i + c * n]` holds `log φ_c(xᵢ)`; it is replaced by
/// `exp(t_c − max) · (1 / Σ exp(t − max))` with `t_c = logProportions[c] + z[i + c * n]` (terms
/// below `exp(−708)` count as 0, as mclust), and `rowLogLikelihood[i] = log Σ exp(t − max) + max`.
void la_mixture_posteriors(double *z, long n, long k, const double *logProportions,
                           double *rowLogLikelihood);

/// Weighted scatters of `k` components: `scatters[c]` (column-major `d x d`, both triangles,
/// one after the other) `= Σᵢ z[i + c * n] (xᵢ − μ_c)(xᵢ − μ_c)ᵀ`, `means` row-major `k x d`;
/// `work` holds la_weighted_scatters_workspace(d, k) doubles.
void la_weighted_scatters(const double *x, long n, long d, long k, const double *z,
                          const double *means, double *scatters, double *work);

/// `mass[c] = Σᵢ z[i + c * n]` and `sums[c * d + j] = Σᵢ z[i + c * n] · x[i + j * n]` (`x`
/// column-major `n x d`, `z` column-major `n x k`), summed in an order that depends on `n`
/// alone; `work` holds la_weighted_sums_workspace(d, k) doubles.
void la_weighted_sums(const double *x, long n, long d, long k, const double *z, double *mass,
                      double *sums, double *work);

/// The doubles of la_weighted_sums' workspace.
long la_weighted_sums_workspace(long d, long k);

/// The doubles of la_weighted_scatters' workspace.
long la_weighted_scatters_workspace(long d, long k);

/// `out[i] = exp(v[i])` for `count` values in `[−708, 709]` (relative error below 2⁻⁵¹).
void la_exp(const double *v, long count, double *out);

/// `out[i] = log(v[i])` for `count` positive normal values (relative error below 2⁻⁵¹).
void la_log(const double *v, long count, double *out);

/// mclust's VVV agglomeration criterion: `costs[q]` is the increase of `Σ_g term(n_g, W_g)`
/// if group `a` merges with group `others[q]`, with `term(l, W) = l·log(|W/l| + (tr W + α)/l)`
/// (`l·log((tr W + α)/l)` while `l ≤ d` or when W/l is not positive definite). Groups are given
/// by their sizes, means (row-major `g x d`), scatters (row-major `d x d` each, lower triangle
/// read), traces and current terms; `work` holds `8·d·d` doubles.
void la_vvv_merge_costs(long d, double alpha, long a, const int64_t *others, long count,
                        const int64_t *sizes, const double *means, const double *scatters,
                        const double *traces, const double *terms, double *costs, double *work);

/// Row `b` of the merge costs of `m` single units (`d ≥ 2`): `row[a]` is la_vvv_merge_costs'
/// cost of merging units `b` and `a` (the same bits), for `a < count`. `columns` holds the
/// units' coordinates column-major (`columns[j * m + a]`); `traces` and `terms` are the units'
/// (zero traces, equal terms).
void la_vvv_singleton_costs(long d, double alpha, const double *columns, long m, long b,
                            long count, const double *traces, const double *terms, double *row);

/// The smallest `row[b] + penalty[b]` over `b < count` into `minimum`, the first `b` that has it
/// into `index`, and how many have it (the return value).
long la_row_minimum(const double *row, const double *penalty, long count, double *minimum,
                    long *index);

/// One agglomeration step's update of the live groups' nearest partners after group `i`
/// absorbed `j` (and the group `moved`, or −1, changed slot): for each `b` in `live[0..<count]`
/// other than `i` and `skip`, with `v = rowI[b]` its cost with the merged group, `b` is listed
/// in `pending` for the caller when its nearest was `i` or `j`, or `moved` with a tie, when `v`
/// ties with its nearest, or when it has a tie and `moved` may break it; otherwise a lower `v`
/// makes `i` its nearest (tie-free). Returns the number listed, in the order of `live`.
long la_agglomeration_update(const double *rowI, const int64_t *live, long count, long i, long j,
                             long moved, long skip, int64_t *nearest, double *nearestCost,
                             bool *tieFree, int64_t *pending);

/// Within-cluster sums of squares: `within[c] = Σ_j Σ_{i: labels[i] = c} (x[i + j * n] −
/// centres[c + j * k])²`, each cluster's column sums in row order (`partial`, `k·d` doubles,
/// holds them), then added over the columns in order.
void la_within_sums(const double *x, long n, long d, const double *centres, long k,
                    const int64_t *labels, double *partial, double *within);

/// Hartigan's transfer test from row `from` on: the first row `i` (of `x`, column-major
/// `n x d`) whose cluster `a = labels[i]` has more than one member and whose best other cluster
/// `b` (lowest `(d_b·n_b)/(n_b + 1)`, the first on ties) has that cost below
/// `(dₐ·nₐ)/(nₐ − 1)·(1 − 10⁻¹²)`, with `d_c` the squared distance to `centres[c]` (row-major
/// `k x d`) summed over the columns in order and `n_c = counts[c]`. Returns `i` (and `b` in
/// `target`), or `n` when no row moves.
long la_hartigan_scan(const double *x, long n, long d, const double *centres, long k,
                      const int64_t *counts, const int64_t *labels, long from, long *target);

/// A spin-wait hint to the processor (`pause` on x86-64; nothing elsewhere).
static inline void la_pause(void) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

/// `matrix[rows[q] * stride + column] = values[q]` for `q < count` (a column of a large row-major
/// matrix, with its cache lines fetched ahead).
void la_store_column(double *matrix, long stride, long column, const int64_t *rows,
                     const double *values, long count);

/// Silhouette sums over the scored units at positions `from..<to` (of `m`; `x` column-major
/// `m x d`, the units grouped by cluster: cluster `c` at positions `firstOf[c]..<firstOf[c +
/// 1]`, `clusterAt[p]` the cluster at position `p`): for every later position `q`, the
/// distance `‖x_p − x_q‖` is added to `totals[clusterAt[p] * m + q]`, and per cluster `c` the
/// sum of those to its members to `totals[c * m + p]`.
void la_silhouette_sums(const double *x, long m, long d, const long *firstOf, long k,
                        const int64_t *clusterAt, long from, long to, double *totals);

#ifdef __cplusplus
}
#endif
#endif
