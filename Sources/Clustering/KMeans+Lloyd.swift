import Foundation
import MatrixCore
internal import _CKernels

/// One Lloyd run's outcome, in centred coordinates until ``KMeans/fit(_:using:)`` adds the
/// mean back.
struct LloydResult: Sendable {
  var centers: Matrix
  var labels: [Int]
  var sizes: [Int]
  var withinSS: [Double]
  var totalWithinSS: Double
  var iterations: Int
  var converged: Bool
  var reseeds: Int
}

/// The data prepared once for all starts: centred by the column means (as scikit-learn does),
/// also stored row-major for point-wise distances, with the mean variance.
struct LloydWorkspace: Sendable {
  let x: Matrix
  let n: Int
  let d: Int
  let k: Int
  let mean: [Double]
  /// The centred data again, row-major (`rowMajor[i * d + j]`), for point-wise access.
  let rowMajor: [Double]
  let meanVariance: Double
  let totalSS: Double

  /// Prepares `data`; the columns (centring) and then the rows (the row-major copy) are
  /// spread over up to `threads` threads (the same values on any number: each column's sums run
  /// in row order, the total over the columns in order). The copies are fresh memory, whose
  /// first touch (the kernel zeroing the pages) is then shared too.
  init(data: Matrix, clusterCount: Int, threads: Int = 1) {
    let n = data.rows
    let d = data.columns
    self.n = n
    self.d = d
    k = clusterCount
    let workers = max(1, min(threads, d, 8))
    var mean = [Double](repeating: 0, count: d)
    var squares = [Double](repeating: 0, count: d)
    let centred = [Double](unsafeUninitializedCapacity: n * d) { out, initialized in
      nonisolated(unsafe) let target = out.baseAddress!
      data.withUnsafeBufferPointer { p in
        nonisolated(unsafe) let source = p.baseAddress!
        mean.withUnsafeMutableBufferPointer { mp in
          squares.withUnsafeMutableBufferPointer { sp in
            nonisolated(unsafe) let means = mp.baseAddress!
            nonisolated(unsafe) let sums = sp.baseAddress!
            let work: @Sendable (Int) -> Void = { t in
              for j in stride(from: t, to: d, by: workers) {
                let column = source + j &* n
                let into = target + j &* n
                var s = 0.0
                for i in 0..<n { s += column[i] }
                let m = s / Double(n)
                means[j] = m
                var ss = 0.0
                for i in 0..<n {
                  let v = column[i] - m
                  into[i] = v
                  ss += v * v
                }
                sums[j] = ss
              }
            }
            forEachWorker(workers, work)
          }
        }
      }
      initialized = n * d
    }
    let total = squares.reduce(0, +)
    let columns = centred
    rowMajor = [Double](unsafeUninitializedCapacity: n * d) { out, initialized in
      nonisolated(unsafe) let target = out.baseAddress!
      columns.withUnsafeBufferPointer { p in
        nonisolated(unsafe) let source = p.baseAddress!
        let work: @Sendable (Int) -> Void = { t in
          for i in (n * t / workers)..<(n * (t + 1) / workers) {
            for j in 0..<d { target[i &* d &+ j] = source[i &+ j &* n] }
          }
        }
        forEachWorker(workers, work)
      }
      initialized = n * d
    }
    x = Matrix(rows: n, columns: d, columnMajor: centred)
    self.mean = mean
    totalSS = total
    meanVariance = total / Double(n * d)  // population variance, as numpy's var
  }

  // MARK: - Greedy k-means++

  /// scikit-learn's `_kmeans_plusplus` with uniform weights: returns `k x d` centres.
  ///
  /// As scikit-learn, the `2 + ⌊ln k⌋` candidates of a step are drawn together from the same
  /// D² distribution, so their distances are computed in one pass over the data.
  func kMeansPlusPlus(using rng: inout SplitMix64) -> Matrix {
    var centers = Matrix(rows: k, columns: d)
    let trials = 2 + Int(log(Double(k)))
    let first = Int(rng.next() % UInt64(n))
    var closest = [Double](repeating: 0, count: n)
    _ = squaredDistances(to: [first], into: &closest, stride: n, minimumWith: nil)
    for j in 0..<d { centers[0, j] = x[first, j] }
    var potential = closest.reduce(0, +)
    var cumulative = [Double](repeating: 0, count: n)
    // Candidate distances, one block of n per trial.
    var candidateDistances = [Double](repeating: 0, count: n * trials)
    for c in 1..<max(k, 1) {
      var running = 0.0
      closest.withUnsafeBufferPointer { cp in
        cumulative.withUnsafeMutableBufferPointer { up in
          for i in 0..<n {
            running += cp[i]
            up[i] = running
          }
        }
      }
      var candidates: [Int] = []
      for _ in 0..<trials {
        let target = rng.nextUniform() * potential
        candidates.append(min(lowerBound(cumulative, target), n - 1))
      }
      // Each candidate's D² (the minimum with the current one) and its potential.
      let pots = squaredDistances(
        to: candidates, into: &candidateDistances, stride: n, minimumWith: closest)
      var bestPotential = Double.infinity
      var bestTrial = 0
      for t in 0..<trials where pots[t] < bestPotential {
        bestPotential = pots[t]
        bestTrial = t
      }
      closest.withUnsafeMutableBufferPointer { cp in
        candidateDistances.withUnsafeBufferPointer { dp in
          cp.baseAddress!.update(from: dp.baseAddress! + bestTrial * n, count: n)
        }
      }
      potential = bestPotential
      for j in 0..<d { centers[c, j] = x[candidates[bestTrial], j] }
    }
    return centers
  }

  /// `out[t * stride + i] = ‖xᵢ − x_{rows[t]}‖²` for every row `i`, in one pass over the data
  /// (`la_kmeans_distances`: rows in vector lanes, each sum over the columns in order), or its
  /// minimum with `closest[i]` when given; returns each `t`'s sum over the rows (in eight
  /// running sums, an order fixed by n).
  private func squaredDistances(
    to rows: [Int], into out: inout [Double], stride: Int, minimumWith closest: [Double]?
  ) -> [Double] {
    let d = d
    var targets = [Double](repeating: 0, count: max(rows.count * d, 1))
    for (t, row) in rows.enumerated() {
      for j in 0..<d { targets[t * d + j] = rowMajor[row * d + j] }
    }
    var potentials = [Double](repeating: 0, count: rows.count)
    out.withUnsafeMutableBufferPointer { o in
      x.withUnsafeBufferPointer { xp in
        potentials.withUnsafeMutableBufferPointer { pp in
          if let closest {
            closest.withUnsafeBufferPointer { cp in
              la_kmeans_distances(
                xp.baseAddress!, n, d, targets, rows.count, cp.baseAddress!, o.baseAddress!,
                stride, pp.baseAddress!)
            }
          } else {
            la_kmeans_distances(
              xp.baseAddress!, n, d, targets, rows.count, nil, o.baseAddress!, stride,
              pp.baseAddress!)
          }
        }
      }
    }
    return potentials
  }

  /// First index `i` with `a[i] >= value` (numpy `searchsorted`, side "left").
  private func lowerBound(_ a: [Double], _ value: Double) -> Int {
    var lo = 0
    var hi = a.count
    while lo < hi {
      let mid = (lo + hi) / 2
      if a[mid] < value { lo = mid + 1 } else { hi = mid }
    }
    return lo
  }

  // MARK: - Hartigan transfers

  /// Moves single points while that lowers the total within SS: moving `x` from cluster `a`
  /// (size `nₐ`) to `b` changes it by `n_b/(n_b+1)·‖x − c_b‖² − nₐ/(nₐ−1)·‖x − cₐ‖²`. The
  /// result is a fixed point of both Hartigan's and Lloyd's algorithm, so never worse than
  /// Lloyd's (R's default Hartigan-Wong reaches the same kind of optimum).
  func hartiganTransfers(labels: inout [Int], centers: inout Matrix) {
    let n = n
    let d = d
    let k = k
    var counts = [Int](repeating: 0, count: k)
    for l in labels { counts[l] += 1 }
    var c = [Double](repeating: 0, count: k * d)  // row-major k x d for locality
    for cl in 0..<k { for j in 0..<d { c[cl * d + j] = centers[cl, j] } }
    x.withUnsafeBufferPointer { p in
      labels.withUnsafeMutableBufferPointer { lp in
        counts.withUnsafeMutableBufferPointer { np in
          c.withUnsafeMutableBufferPointer { cp in
            let row = UnsafeMutablePointer<Double>.allocate(capacity: d)
            defer { row.deallocate() }
            var passes = 0
            var moved = true
            while moved && passes < 100 {
              moved = false
              passes += 1
              // The next row to move, four rows per vector (la_hartigan_scan: the same
              // arithmetic as a scalar pass), then that move with the centres updated.
              var from = 0
              while from < n {
                var best = 0
                let i = lp.withMemoryRebound(to: Int64.self) { labels in
                  np.withMemoryRebound(to: Int64.self) { counts in
                    la_hartigan_scan(
                      p.baseAddress!, n, d, cp.baseAddress!, k, counts.baseAddress!,
                      labels.baseAddress!, from, &best)
                  }
                }
                guard i < n else { break }
                let a = lp[i]
                for j in 0..<d { row[j] = p[i + j * n] }
                let na = Double(np[a])
                let nb = Double(np[best])
                for j in 0..<d {
                  cp[a * d + j] = (na * cp[a * d + j] - row[j]) / (na - 1)
                  cp[best * d + j] = (nb * cp[best * d + j] + row[j]) / (nb + 1)
                }
                np[a] -= 1
                np[best] += 1
                lp[i] = best
                moved = true
                from = i + 1
              }
            }
          }
        }
      }
    }
    // Exact means of the final labels.
    var sums = [Double](repeating: 0, count: k * d)
    x.withUnsafeBufferPointer { p in
      for j in 0..<d { for i in 0..<n { sums[labels[i] * d + j] += p[i + j * n] } }
    }
    for cl in 0..<k where counts[cl] > 0 {
      for j in 0..<d { centers[cl, j] = sums[cl * d + j] / Double(counts[cl]) }
    }
  }

  // MARK: - Lloyd

  /// Lloyd's algorithm with Hamerly's (2010) bounds: the same labels as recomputing every
  /// distance each iteration, but a point whose distance to its centre (upper bound) is below
  /// both half the distance from its centre to the nearest other one and a lower bound on its
  /// distance to any other centre keeps its label without any distance computed. Centre sums
  /// follow the points that move; the centres are recomputed exactly from the labels at the end.
  func lloyd(initial: Matrix, maxIterations: Int, tolerance: Double, refine: Bool) -> LloydResult {
    let n = n
    let d = d
    let k = k
    var c = [Double](repeating: 0, count: k * d)  // row-major k x d
    for cl in 0..<k { for j in 0..<d { c[cl * d + j] = initial[cl, j] } }
    var labels = [Int](repeating: 0, count: n)
    var upper = [Double](repeating: 0, count: n)
    var lower = [Double](repeating: 0, count: n)
    var sums = [Double](repeating: 0, count: k * d)
    var counts = [Int](repeating: 0, count: k)
    var old = c
    var shift = [Double](repeating: 0, count: k)
    var half = [Double](repeating: 0, count: k)
    var iterations = 0
    var converged = false
    var reseeds = 0
    var stable = false
    var exactBounds = false  // bounds must be recomputed from scratch (first pass, reseeds)
    var unsettled = 0  // points the moved bounds leave unsettled (from moveBounds)
    // Those points, in increasing order (the first `unsettled` entries), for boundedAssignment.
    var unsettledList = [Int](repeating: 0, count: n)

    /// Every distance: labels (lowest index on ties), exact bounds, sums and counts from
    /// scratch. Returns the number of changed labels (all on the first pass).
    ///
    /// `la_kmeans_nearest`: rows in vector lanes, each distance summed over the columns in
    /// order (the same bits as the point-wise sums of ``boundedAssignment()``), the member sums
    /// in row order.
    func fullAssignment(first: Bool) -> Int {
      x.withUnsafeBufferPointer { xp in
        rowMajor.withUnsafeBufferPointer { rp in
          c.withUnsafeBufferPointer { cp in
            labels.withUnsafeMutableBufferPointer { lp in
              upper.withUnsafeMutableBufferPointer { up in
                lower.withUnsafeMutableBufferPointer { lo in
                  counts.withUnsafeMutableBufferPointer { np in
                    sums.withUnsafeMutableBufferPointer { sp in
                      lp.withMemoryRebound(to: Int64.self) { lp in
                        np.withMemoryRebound(to: Int64.self) { np in
                          la_kmeans_nearest(
                            xp.baseAddress!, rp.baseAddress!, n, d, cp.baseAddress!, k,
                            lp.baseAddress!, up.baseAddress!, lo.baseAddress!, first ? 1 : 0,
                            np.baseAddress!, sp.baseAddress!)
                        }
                      }
                    }
                  }
                }
              }
            }
          }
        }
      }
    }

    /// half[c] = ½ min over other centres of ‖c − c'‖.
    func halfDistances() {
      c.withUnsafeBufferPointer { cp in
        for a in 0..<k {
          var m = Double.infinity
          for b in 0..<k where b != a {
            var s = 0.0
            for j in 0..<d {
              let u = cp[a * d + j] - cp[b * d + j]
              s += u * u
            }
            m = min(m, s)
          }
          half[a] = 0.5 * m.squareRoot()
        }
      }
    }

    /// Hamerly's assignment step: labels, bounds, sums and counts updated for moved points.
    /// Visits only the points the last ``moveBounds()`` left unsettled (in increasing order;
    /// every other point would be skipped by the same test), so it needs that call just
    /// before, with ``half`` for the current centres (`la_kmeans_bounded`, four points per
    /// vector; a relative margin keeps rounding in the bounds from ever skipping a point that
    /// plain Lloyd would move).
    func boundedAssignment() -> Int {
      guard unsettled > 0 else { return 0 }
      return rowMajor.withUnsafeBufferPointer { xr in
        c.withUnsafeBufferPointer { cp in
          half.withUnsafeBufferPointer { hp in
            unsettledList.withUnsafeBufferPointer { listed in
              labels.withUnsafeMutableBufferPointer { lp in
                upper.withUnsafeMutableBufferPointer { up in
                  lower.withUnsafeMutableBufferPointer { lo in
                    counts.withUnsafeMutableBufferPointer { np in
                      sums.withUnsafeMutableBufferPointer { sp in
                        listed.withMemoryRebound(to: Int64.self) { listed in
                          lp.withMemoryRebound(to: Int64.self) { lp in
                            np.withMemoryRebound(to: Int64.self) { np in
                              la_kmeans_bounded(
                                xr.baseAddress!, d, cp.baseAddress!, k, hp.baseAddress!,
                                listed.baseAddress!, unsettled, lp.baseAddress!,
                                up.baseAddress!, lo.baseAddress!, np.baseAddress!,
                                sp.baseAddress!)
                            }
                          }
                        }
                      }
                    }
                  }
                }
              }
            }
          }
        }
      }
    }

    /// Centres from the sums; an empty cluster is re-seeded at the point farthest from its
    /// (current) centre, taken from a cluster that can spare it.
    func maximization(reseed: Bool) {
      if reseed && counts.contains(0) {
        var far2 = [Double](repeating: 0, count: n)
        for i in 0..<n {
          var s = 0.0
          for j in 0..<d {
            let u = rowMajor[i * d + j] - c[labels[i] * d + j]
            s += u * u
          }
          far2[i] = s
        }
        for cl in 0..<k where counts[cl] == 0 {
          var far = -1
          for i in 0..<n where counts[labels[i]] > 1 && (far < 0 || far2[i] > far2[far]) {
            far = i
          }
          guard far >= 0 else { continue }
          let from = labels[far]
          counts[from] -= 1
          counts[cl] = 1
          for j in 0..<d {
            let v = rowMajor[far * d + j]
            sums[from * d + j] -= v
            sums[cl * d + j] = v
          }
          labels[far] = cl
          far2[far] = 0
          reseeds += 1
          exactBounds = true
        }
      }
      for cl in 0..<k where counts[cl] > 0 {
        for j in 0..<d { c[cl * d + j] = sums[cl * d + j] / Double(counts[cl]) }
      }
    }

    /// Exact sums of the members (no drift from the incremental updates).
    func exactSums() {
      for i in 0..<(k * d) { sums[i] = 0 }
      for cl in 0..<k { counts[cl] = 0 }
      rowMajor.withUnsafeBufferPointer { xr in
        labels.withUnsafeBufferPointer { lp in
          counts.withUnsafeMutableBufferPointer { np in
            sums.withUnsafeMutableBufferPointer { sp in
              let sb = sp.baseAddress!
              var row = xr.baseAddress!
              for i in 0..<n {
                let a = lp[i]
                np[a] &+= 1
                let sa = sb + a &* d
                for j in 0..<d { sa[j] += row[j] }
                row += d
              }
            }
          }
        }
      }
    }

    /// Moves the bounds by how far the centres moved, and lists (``unsettledList``) and counts
    /// (``unsettled``) the points they then leave unsettled: those whose bounds do not settle
    /// their label, each needing at least one distance. Needs ``half`` for the current centres.
    func moveBounds() {
      var largest = 0.0
      var second = 0.0
      var largestIndex = -1
      for cl in 0..<k {
        var s = 0.0
        for j in 0..<d {
          let u = c[cl * d + j] - old[cl * d + j]
          s += u * u
        }
        shift[cl] = s.squareRoot()
        if shift[cl] > largest {
          second = largest
          largest = shift[cl]
          largestIndex = cl
        } else if shift[cl] > second {
          second = shift[cl]
        }
      }
      // la_kmeans_move_bounds: the bounds moved, and boundedAssignment's test (it would skip
      // every other point).
      let count = labels.withUnsafeBufferPointer { lp in
        upper.withUnsafeMutableBufferPointer { up in
          lower.withUnsafeMutableBufferPointer { lo in
            unsettledList.withUnsafeMutableBufferPointer { listed in
              lp.withMemoryRebound(to: Int64.self) { lp in
                listed.withMemoryRebound(to: Int64.self) { listed in
                  la_kmeans_move_bounds(
                    n, lp.baseAddress!, up.baseAddress!, lo.baseAddress!, shift, half,
                    largestIndex, largest, second, listed.baseAddress!)
                }
              }
            }
          }
        }
      }
      unsettled = count
    }

    while iterations < maxIterations {
      iterations += 1
      let changed: Int
      // While the centres still move much, most points need every distance: one blocked,
      // vectorised pass over all of them is then cheaper than the bounds' point-wise work.
      // (``half`` and the unsettled count were computed with the moved bounds.)
      if iterations == 1 || exactBounds || unsettled * 8 > n {
        changed = fullAssignment(first: iterations == 1)
        exactBounds = false
      } else {
        changed = boundedAssignment()
      }
      if changed == 0 {
        converged = true
        stable = true
        break
      }
      old = c
      maximization(reseed: true)
      if tolerance > 0 {
        var total = 0.0
        for i in 0..<(k * d) {
          let t = c[i] - old[i]
          total += t * t
        }
        if total <= tolerance {
          converged = true
          break
        }
      }
      if !exactBounds {
        halfDistances()
        moveBounds()
      }
    }
    if !stable {
      // Final E-step and M-step: labels and centres consistent with each other.
      if exactBounds {
        _ = fullAssignment(first: false)
      } else {
        halfDistances()
        if converged { moveBounds() }
        _ = boundedAssignment()
      }
    }
    exactSums()
    for cl in 0..<k where counts[cl] > 0 {
      for j in 0..<d { c[cl * d + j] = sums[cl * d + j] / Double(counts[cl]) }
    }
    var centers = Matrix(rows: k, columns: d)
    for cl in 0..<k { for j in 0..<d { centers[cl, j] = c[cl * d + j] } }
    if refine && k > 1 {
      hartiganTransfers(labels: &labels, centers: &centers)
    }
    return summarize(
      labels: labels, centers: centers, iterations: iterations, converged: converged,
      reseeds: reseeds)
  }

  /// A finished run continued by Lloyd to label stability (Hamerly's bounds) and then refined by
  /// Hartigan transfers; used for the best start of large data.
  func refined(_ run: LloydResult, maxIterations: Int) -> LloydResult {
    var centers = run.centers
    for c in 0..<k { for j in 0..<d { centers[c, j] -= mean[j] } }
    var result = lloyd(initial: centers, maxIterations: maxIterations, tolerance: 0, refine: true)
    result.iterations += run.iterations
    result.reseeds += run.reseeds
    return result
  }

  /// Exact within sums of squares (no cancellation), sizes, centres in data coordinates.
  private func summarize(
    labels: [Int], centers: Matrix, iterations: Int, converged: Bool, reseeds: Int
  ) -> LloydResult {
    var within = [Double](repeating: 0, count: k)
    var sizes = [Int](repeating: 0, count: k)
    var partial = [Double](repeating: 0, count: k * d)
    x.withUnsafeBufferPointer { p in
      centers.withUnsafeBufferPointer { cp in
        labels.withUnsafeBufferPointer { lp in
          // Each cluster's sum per column in row order, then over the columns
          // (la_within_sums).
          lp.withMemoryRebound(to: Int64.self) { l64 in
            la_within_sums(
              p.baseAddress!, n, d, cp.baseAddress!, k, l64.baseAddress!, &partial, &within)
          }
          sizes.withUnsafeMutableBufferPointer { sp in
            for i in 0..<n { sp[lp[i]] &+= 1 }
          }
        }
      }
    }
    var uncentred = centers
    for c in 0..<k { for j in 0..<d { uncentred[c, j] += mean[j] } }
    return LloydResult(
      centers: uncentred, labels: labels, sizes: sizes, withinSS: within,
      totalWithinSS: within.reduce(0, +), iterations: iterations, converged: converged,
      reseeds: reseeds)
  }
}
