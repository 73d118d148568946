import Foundation
import MatrixCore

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

/// The data prepared once for all starts: centred by the column means (as scikit-learn does,
/// which keeps `‖x‖² − 2xᵀc + ‖c‖²` accurate), with row norms and the mean variance.
struct LloydWorkspace: Sendable {
  let x: Matrix
  let n: Int
  let d: Int
  let k: Int
  let mean: [Double]
  let rowNorms: [Double]
  let meanVariance: Double
  let totalSS: Double

  init(data: Matrix, clusterCount: Int) {
    let n = data.rows
    let d = data.columns
    self.n = n
    self.d = d
    k = clusterCount
    var centred = data
    var mean = [Double](repeating: 0, count: d)
    var total = 0.0
    centred.withUnsafeMutableBufferPointer { p in
      for j in 0..<d {
        var s = 0.0
        for i in 0..<n { s += p[i + j * n] }
        let m = s / Double(n)
        mean[j] = m
        for i in 0..<n { p[i + j * n] -= m }
        var ss = 0.0
        for i in 0..<n { ss += p[i + j * n] * p[i + j * n] }
        total += ss
      }
    }
    var norms = [Double](repeating: 0, count: n)
    centred.withUnsafeBufferPointer { p in
      for j in 0..<d { for i in 0..<n { norms[i] += p[i + j * n] * p[i + j * n] } }
    }
    x = centred
    self.mean = mean
    rowNorms = norms
    totalSS = total
    meanVariance = total / Double(n * d)  // population variance, as numpy's var
  }

  // MARK: - Greedy k-means++

  /// scikit-learn's `_kmeans_plusplus` with uniform weights: returns `k x d` centres.
  func kMeansPlusPlus(using rng: inout SplitMix64) -> Matrix {
    var centers = Matrix(rows: k, columns: d)
    let trials = 2 + Int(log(Double(k)))
    let first = Int(rng.next() % UInt64(n))
    var closest = [Double](repeating: 0, count: n)
    x.withUnsafeBufferPointer { p in
      squaredDistances(p, to: first, into: &closest)
    }
    for j in 0..<d { centers[0, j] = x[first, j] }
    var potential = closest.reduce(0, +)
    var cumulative = [Double](repeating: 0, count: n)
    var candidateDistances = [Double](repeating: 0, count: n)
    var bestDistances = [Double](repeating: 0, count: n)
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
      var bestPotential = Double.infinity
      var bestIndex = 0
      for _ in 0..<trials {
        let target = rng.nextUniform() * potential
        let candidate = min(lowerBound(cumulative, target), n - 1)
        x.withUnsafeBufferPointer { p in
          squaredDistances(p, to: candidate, into: &candidateDistances)
        }
        var pot = 0.0
        closest.withUnsafeBufferPointer { cp in
          candidateDistances.withUnsafeMutableBufferPointer { dp in
            for i in 0..<n {
              let v = min(cp[i], dp[i])
              dp[i] = v
              pot += v
            }
          }
        }
        if pot < bestPotential {
          bestPotential = pot
          bestIndex = candidate
          swap(&bestDistances, &candidateDistances)
        }
      }
      swap(&closest, &bestDistances)
      potential = bestPotential
      for j in 0..<d { centers[c, j] = x[bestIndex, j] }
    }
    return centers
  }

  /// `out[i] = ‖xᵢ − x_r‖²`.
  private func squaredDistances(
    _ p: UnsafeBufferPointer<Double>, to r: Int, into out: inout [Double]
  ) {
    let n = n
    let d = d
    out.withUnsafeMutableBufferPointer { o in
      guard let base = p.baseAddress, let dst = o.baseAddress else { return }
      dst.update(repeating: 0, count: n)
      for j in 0..<d {
        let v = base[r + j * n]
        let column = base + j * n
        for i in 0..<n {
          let t = column[i] - v
          dst[i] += t * t
        }
      }
    }
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
              for i in 0..<n {
                let a = lp[i]
                guard np[a] > 1 else { continue }
                for j in 0..<d { row[j] = p[i + j * n] }
                var da = 0.0
                for j in 0..<d {
                  let t = row[j] - cp[a * d + j]
                  da += t * t
                }
                let na = Double(np[a])
                let removal = da * na / (na - 1)
                var best = a
                var bestCost = removal
                for b in 0..<k where b != a {
                  var db = 0.0
                  for j in 0..<d {
                    let t = row[j] - cp[b * d + j]
                    db += t * t
                  }
                  let nb = Double(np[b])
                  let cost = db * nb / (nb + 1)
                  if cost < bestCost {
                    bestCost = cost
                    best = b
                  }
                }
                if best != a && bestCost < removal * (1 - 1e-12) {
                  let nb = Double(np[best])
                  for j in 0..<d {
                    cp[a * d + j] = (na * cp[a * d + j] - row[j]) / (na - 1)
                    cp[best * d + j] = (nb * cp[best * d + j] + row[j]) / (nb + 1)
                  }
                  np[a] -= 1
                  np[best] += 1
                  lp[i] = best
                  moved = true
                }
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

  func lloyd(initial: Matrix, maxIterations: Int, tolerance: Double, refine: Bool) -> LloydResult {
    var centers = initial
    var labels = [Int](repeating: -1, count: n)
    var best = [Double](repeating: 0, count: n)
    var products = Matrix(rows: n, columns: k)
    var centerNorms = [Double](repeating: 0, count: k)
    var sums = [Double](repeating: 0, count: k * d)
    var counts = [Int](repeating: 0, count: k)
    var iterations = 0
    var converged = false
    var reseeds = 0
    var stable = false

    func expectation() -> Int {
      products.multiplyAdd(x, centers, transposeB: .transpose, alpha: -2, beta: 0)
      for c in 0..<k {
        var s = 0.0
        for j in 0..<d { s += centers[c, j] * centers[c, j] }
        centerNorms[c] = s
      }
      var changed = 0
      let norms = centerNorms
      products.withUnsafeBufferPointer { q in
        labels.withUnsafeMutableBufferPointer { lp in
          best.withUnsafeMutableBufferPointer { bp in
            rowNorms.withUnsafeBufferPointer { rp in
              norms.withUnsafeBufferPointer { cn in
                for i in 0..<n {
                  var bestValue = q[i] + cn[0]
                  var bestCluster = 0
                  for c in 1..<k {
                    let v = q[i + c * n] + cn[c]
                    if v < bestValue {
                      bestValue = v
                      bestCluster = c
                    }
                  }
                  if lp[i] != bestCluster { changed += 1 }
                  lp[i] = bestCluster
                  bp[i] = max(0, bestValue + rp[i])
                }
              }
            }
          }
        }
      }
      return changed
    }

    /// Centres as the means of their members; empty clusters re-seeded at far points.
    func maximization(reseed: Bool) {
      for i in 0..<(k * d) { sums[i] = 0 }
      for c in 0..<k { counts[c] = 0 }
      x.withUnsafeBufferPointer { p in
        labels.withUnsafeBufferPointer { lp in
          counts.withUnsafeMutableBufferPointer { cp in
            for i in 0..<n { cp[lp[i]] += 1 }
          }
          // Row by row into a row-major k x d buffer: consecutive rows of one cluster then
          // update d independent sums instead of one serial chain per column.
          let acc = UnsafeMutablePointer<Double>.allocate(capacity: k * d)
          acc.initialize(repeating: 0, count: k * d)
          defer { acc.deallocate() }
          for i in 0..<n {
            let row = acc + lp[i] * d
            for j in 0..<d { row[j] += p[i + j * n] }
          }
          sums.withUnsafeMutableBufferPointer { sp in
            for c in 0..<k { for j in 0..<d { sp[c + j * k] = acc[c * d + j] } }
          }
        }
      }
      if reseed {
        for c in 0..<k where counts[c] == 0 {
          // The point farthest from its centre, taken from a cluster that can spare it.
          var far = -1
          for i in 0..<n where counts[labels[i]] > 1 && (far < 0 || best[i] > best[far]) {
            far = i
          }
          guard far >= 0 else { continue }
          let old = labels[far]
          counts[old] -= 1
          counts[c] = 1
          for j in 0..<d {
            let v = x[far, j]
            sums[old + j * k] -= v
            sums[c + j * k] = v
          }
          labels[far] = c
          best[far] = 0
          reseeds += 1
        }
      }
      for c in 0..<k where counts[c] > 0 {
        for j in 0..<d { centers[c, j] = sums[c + j * k] / Double(counts[c]) }
      }
    }

    while iterations < maxIterations {
      iterations += 1
      let changed = expectation()
      if changed == 0 {
        converged = true
        stable = true
        break
      }
      let old = centers
      maximization(reseed: true)
      if tolerance > 0 {
        var shift = 0.0
        for i in 0..<(k * d) {
          let t = centers.elements[i] - old.elements[i]
          shift += t * t
        }
        if shift <= tolerance {
          converged = true
          break
        }
      }
    }
    if !stable {
      // Final E-step and M-step: labels and centres consistent with each other.
      _ = expectation()
      maximization(reseed: false)
    }
    if refine && k > 1 {
      hartiganTransfers(labels: &labels, centers: &centers)
    }
    return summarize(
      labels: labels, centers: centers, iterations: iterations, converged: converged,
      reseeds: reseeds)
  }

  /// A finished run continued by Lloyd to label stability (cheap, BLAS) and then refined by
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
    x.withUnsafeBufferPointer { p in
      centers.withUnsafeBufferPointer { cp in
        for j in 0..<d {
          for i in 0..<n {
            let t = p[i + j * n] - cp[labels[i] + j * k]
            within[labels[i]] += t * t
          }
        }
      }
    }
    var sizes = [Int](repeating: 0, count: k)
    for i in 0..<n { sizes[labels[i]] += 1 }
    var uncentred = centers
    for c in 0..<k { for j in 0..<d { uncentred[c, j] += mean[j] } }
    return LloydResult(
      centers: uncentred, labels: labels, sizes: sizes, withinSS: within,
      totalWithinSS: within.reduce(0, +), iterations: iterations, converged: converged,
      reseeds: reseeds)
  }
}
