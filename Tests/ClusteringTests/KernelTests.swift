import Foundation
import MatrixCore
import Testing
import _CKernels

@testable import Clustering

/// The C kernels' exp and log against the C library's, and the kernels against plain Swift
/// loops that do the same arithmetic in the same order.
@Suite("Clustering kernels") struct KernelTests {
  /// A fixed sequence of uniforms in [0, 1).
  static func uniforms(_ count: Int, seed: UInt64) -> [Double] {
    var state = seed
    return (0..<count).map { _ in
      state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      return Double(state >> 11) * 0x1p-53
    }
  }

  @Test func expWithinOneUlp() {
    let v =
      Self.uniforms(200_003, seed: 1).map { -708 + 1417 * $0 } + [0, -708, 709, 1e-300, -1e-300]
    var out = [Double](repeating: 0, count: v.count)
    la_exp(v, v.count, &out)
    var worst = 0.0
    for (x, e) in zip(v, out) { worst = max(worst, abs(e - exp(x)) / exp(x)) }
    #expect(worst <= 0x1p-52, "max relative error \(worst)")
  }

  @Test func logWithinOneUlp() {
    let v =
      Self.uniforms(200_003, seed: 2).map { exp(-700 + 1400 * $0) }
      + Self.uniforms(100_000, seed: 3).map { 0.5 + 1.5 * $0 } + [1, 2, 0.5, .leastNormalMagnitude]
    var out = [Double](repeating: 0, count: v.count)
    la_log(v, v.count, &out)
    var worst = 0.0
    for (x, l) in zip(v, out) where x != 1 { worst = max(worst, abs(l - log(x)) / abs(log(x))) }
    #expect(worst <= 0x1p-52, "max relative error \(worst)")
    #expect(out[v.count - 4] == 0)
  }

  @Test func nearestCentresMatchPointwiseSums() {
    // 1,003 rows (a partial last block), 7 columns, 5 centres.
    let n = 1003
    let d = 7
    let k = 5
    let x = Self.uniforms(n * d, seed: 4).map { 4 * $0 - 2 }
    let centres = Self.uniforms(k * d, seed: 5).map { 4 * $0 - 2 }
    var labels = [Int64](repeating: -1, count: n)
    var nearest = [Double](repeating: 0, count: n)
    var second = [Double](repeating: 0, count: n)
    var counts = [Int64](repeating: 0, count: k)
    var sums = [Double](repeating: 0, count: k * d)
    let moved = la_kmeans_nearest(
      x, nil, n, d, centres, k, &labels, &nearest, &second, 1, &counts, &sums)
    #expect(moved == n)
    var expectedSums = [Double](repeating: 0, count: k * d)
    for i in 0..<n {
      for j in 0..<d { expectedSums[Int(labels[i]) * d + j] += x[i + j * n] }
    }
    #expect(sums == expectedSums)
    // The member sums read from a row-major copy: the same bits.
    let rowMajor = (0..<(n * d)).map { x[($0 % d) * n + $0 / d] }
    var rowLabels = [Int64](repeating: -1, count: n)
    var rowCounts = [Int64](repeating: 0, count: k)
    var rowSums = [Double](repeating: 0, count: k * d)
    _ = la_kmeans_nearest(
      x, rowMajor, n, d, centres, k, &rowLabels, &nearest, &second, 1, &rowCounts, &rowSums)
    #expect(rowLabels == labels && rowCounts == counts && rowSums == sums)
    #expect(counts.reduce(0, +) == Int64(n))
    for i in 0..<n {
      var b1 = Double.infinity
      var b2 = Double.infinity
      var a = 0
      for c in 0..<k {
        var s = 0.0
        for j in 0..<d {
          let u = x[i + j * n] - centres[c * d + j]
          s = s.addingProduct(u, u)  // the kernels' fused multiply-add
        }
        if s < b1 {
          b2 = b1
          b1 = s
          a = c
        } else if s < b2 {
          b2 = s
        }
      }
      #expect(labels[i] == Int64(a))
      #expect(nearest[i] == b1.squareRoot())
      #expect(second[i] == b2.squareRoot())
    }
  }

  /// Hamerly's step on points that all need every distance gives la_kmeans_nearest's labels and
  /// bounds bit for bit, and moves the counts and sums with the points.
  @Test func boundedAssignmentMatchesFullAssignment() {
    let n = 501
    let d = 5
    let k = 4
    let x = Self.uniforms(n * d, seed: 10).map { 4 * $0 - 2 }
    let rowMajor = (0..<(n * d)).map { x[($0 % d) * n + $0 / d] }
    let before = Self.uniforms(k * d, seed: 11).map { 4 * $0 - 2 }
    let after = before.map { $0 + 0.3 }
    var labels = [Int64](repeating: 0, count: n)
    var upper = [Double](repeating: 0, count: n)
    var lower = [Double](repeating: 0, count: n)
    var counts = [Int64](repeating: 0, count: k)
    var sums = [Double](repeating: 0, count: k * d)
    _ = la_kmeans_nearest(x, nil, n, d, before, k, &labels, &upper, &lower, 1, &counts, &sums)
    var expectedLabels = labels
    var expectedUpper = upper
    var expectedLower = lower
    var expectedCounts = counts
    var expectedSums = sums
    let changedFull = la_kmeans_nearest(
      x, rowMajor, n, d, after, k, &expectedLabels, &expectedUpper, &expectedLower, 0, &expectedCounts,
      &expectedSums)
    upper = [Double](repeating: .infinity, count: n)
    lower = [Double](repeating: 0, count: n)
    let half = [Double](repeating: 0, count: k)
    let visits = (0..<Int64(n)).map { $0 }
    let changed = la_kmeans_bounded(
      rowMajor, d, after, k, half, visits, n, &labels, &upper, &lower, &counts, &sums)
    #expect(changed == changedFull)
    #expect(labels == expectedLabels)
    #expect(upper == expectedUpper)
    #expect(lower == expectedLower)
    #expect(counts == expectedCounts)
    for (a, b) in zip(sums, expectedSums) { #expect(abs(a - b) <= 1e-12) }
  }

  @Test func logDensitiesAndScattersMatchLoops() {
    let n = 1001
    let d = 3
    let x = Self.uniforms(n * d, seed: 6).map { 2 * $0 - 1 }
    let mean = [0.1, -0.2, 0.3]
    // L⁻¹, lower triangular, column-major.
    let inverse = [1.5, 0.2, -0.1, 0, 1.2, 0.3, 0, 0, 0.9]
    var z = [Double](repeating: 0, count: n)
    la_gaussian_log_densities(x, n, d, 1, mean, inverse, [-2.0], &z)
    for i in 0..<n {
      var q = 0.0
      for r in 0..<d {
        var w = inverse[r] * (x[i] - mean[0])
        for c in 1...max(1, r) where c <= r {
          w = w.addingProduct(inverse[r + c * d], x[i + c * n] - mean[c])
        }
        q = q.addingProduct(w, w)  // the kernels' fused multiply-adds
      }
      #expect(z[i] == (-2.0).addingProduct(-0.5, q))
    }
    let weights = Self.uniforms(n, seed: 7)
    var scatter = [Double](repeating: 0, count: d * d)
    var work = [Double](repeating: 0, count: la_weighted_scatters_workspace(d, 1))
    la_weighted_scatters(x, n, d, 1, weights, mean, &scatter, &work)
    for r in 0..<d {
      for c in 0..<d {
        var s = 0.0
        for i in 0..<n { s += weights[i] * (x[i + r * n] - mean[r]) * (x[i + c * n] - mean[c]) }
        #expect(abs(scatter[r + c * d] - s) <= 1e-12 * max(1, abs(s)))
        #expect(scatter[r + c * d] == scatter[c + r * d])
      }
    }
  }

  /// Posterior masses and weighted sums against plain loops, for row counts around the
  /// kernel's steps of eight rows and chunks of 128.
  @Test(arguments: [1, 7, 8, 9, 127, 128, 129, 1001])
  func weightedSumsMatchLoops(n: Int) {
    let d = 3
    let k = 2
    let x = Self.uniforms(n * d, seed: 21).map { 10 * $0 - 3 }
    let z = Self.uniforms(n * k, seed: 22)
    var mass = [Double](repeating: .nan, count: k)
    var sums = [Double](repeating: .nan, count: k * d)
    var work = [Double](repeating: .nan, count: la_weighted_sums_workspace(d, k))
    la_weighted_sums(x, n, d, k, z, &mass, &sums, &work)
    for c in 0..<k {
      var m = 0.0
      for i in 0..<n { m += z[i + c * n] }
      #expect(abs(mass[c] - m) <= 1e-13 * m)
      for j in 0..<d {
        var s = 0.0
        var scale = 0.0
        for i in 0..<n {
          s += z[i + c * n] * x[i + j * n]
          scale += abs(z[i + c * n] * x[i + j * n])
        }
        #expect(abs(sums[c * d + j] - s) <= 1e-13 * scale)
      }
    }
  }

  /// Hartigan transfers through la_hartigan_scan against the scalar pass they replace (each
  /// row tested in order with the centres as the earlier moves left them): the same labels
  /// and centres, bit for bit, from a poor start where many rows move.
  @Test(arguments: [(101, 3, 4), (1000, 8, 5), (37, 2, 7)])
  func hartiganScanMatchesScalarPasses(n: Int, d: Int, k: Int) {
    let values = Self.uniforms(n * d, seed: 31).map { 4 * $0 }
    let data = Matrix(rows: n, columns: d) { i, j in values[i + j * n] + Double(i % k) }
    let workspace = LloydWorkspace(data: data, clusterCount: k)
    let start = (0..<n).map { ($0 * 7 + $0 / 3) % k }
    var initial = Matrix(rows: k, columns: d)
    var sizes = [Int](repeating: 0, count: k)
    for i in 0..<n {
      sizes[start[i]] += 1
      for j in 0..<d { initial[start[i], j] += workspace.x[i, j] }
    }
    for c in 0..<k { for j in 0..<d { initial[c, j] /= Double(sizes[c]) } }
    var labels = start
    var centers = initial
    workspace.hartiganTransfers(labels: &labels, centers: &centers)
    // The scalar passes.
    var expected = start
    var counts = sizes
    var c = (0..<(k * d)).map { initial[$0 / d, $0 % d] }
    var moved = true
    var passes = 0
    var moves = 0
    while moved && passes < 100 {
      moved = false
      passes += 1
      for i in 0..<n {
        let a = expected[i]
        guard counts[a] > 1 else { continue }
        let row = (0..<d).map { workspace.x[i, $0] }
        var da = 0.0
        for j in 0..<d {
          let t = row[j] - c[a * d + j]
          da += t * t
        }
        let na = Double(counts[a])
        let removal = da * na / (na - 1)
        var best = a
        var bestCost = removal
        for b in 0..<k where b != a {
          var db = 0.0
          for j in 0..<d {
            let t = row[j] - c[b * d + j]
            db += t * t
          }
          let nb = Double(counts[b])
          let cost = db * nb / (nb + 1)
          if cost < bestCost {
            bestCost = cost
            best = b
          }
        }
        if best != a && bestCost < removal * (1 - 1e-12) {
          let nb = Double(counts[best])
          for j in 0..<d {
            c[a * d + j] = (na * c[a * d + j] - row[j]) / (na - 1)
            c[best * d + j] = (nb * c[best * d + j] + row[j]) / (nb + 1)
          }
          counts[a] -= 1
          counts[best] += 1
          expected[i] = best
          moved = true
          moves += 1
        }
      }
    }
    #expect(moves > 0)
    #expect(labels == expected)
  }

  /// Within-cluster sums of squares against a plain loop.
  @Test func withinSumsMatchLoop() {
    let n = 1003
    let d = 3
    let k = 4
    let x = Self.uniforms(n * d, seed: 41).map { 6 * $0 - 1 }
    let centres = Self.uniforms(k * d, seed: 42)
    let labels = (0..<n).map { Int64(($0 / 50 + $0 % 3) % k) }
    var partial = [Double](repeating: .nan, count: k * d)
    var within = [Double](repeating: .nan, count: k)
    la_within_sums(x, n, d, centres, k, labels, &partial, &within)
    for c in 0..<k {
      var s = 0.0
      for i in 0..<n where labels[i] == c {
        for j in 0..<d {
          let t = x[i + j * n] - centres[c + j * k]
          s += t * t
        }
      }
      #expect(abs(within[c] - s) <= 1e-13 * s)
    }
  }

  @Test func posteriorsSumToOne() {
    let n = 999
    let k = 4
    var z = Self.uniforms(n * k, seed: 8).map { -40 * $0 }
    let original = z
    let logPro = [0.1, 0.2, 0.3, 0.4].map { log($0) }
    var rows = [Double](repeating: 0, count: n)
    la_mixture_posteriors(&z, n, k, logPro, &rows)
    for i in 0..<n {
      let t = (0..<k).map { logPro[$0] + original[i + $0 * n] }
      let top = t.max()!
      let sum = t.reduce(0) { $0 + exp($1 - top) }
      #expect(abs(rows[i] - (log(sum) + top)) <= 1e-14 * abs(rows[i]))
      let total = (0..<k).reduce(0) { $0 + z[i + $1 * n] }
      #expect(abs(total - 1) <= 1e-15)
    }
  }

  @Test func mergeCostsMatchScalarReference() {
    // Groups of 1 to 40 points in 4 dimensions (both sides of l = d, one degenerate group of
    // identical points), every pair's cost by the vector kernel and by the scalar reference.
    let d = 4
    var state = AgglomerationState(dimension: d, alpha: 0.37)
    let u = Self.uniforms(40 * 40 * d, seed: 9)
    var next = 0
    for size in [1, 2, 3, 4, 5, 6, 9, 17, 40, 7, 1, 12] {
      let points = (0..<size).map { _ in
        (0..<d).map { _ -> Double in
          next += 1
          return 3 * u[next] - 1.5
        }
      }
      state.add(points: points)
    }
    state.add(points: Array(repeating: [0.5, 0.5, 0.5, 0.5], count: 6))
    let g = state.count.count
    var costs = [Double](repeating: 0, count: g)
    for a in 0..<g {
      let others = (0..<g).filter { $0 != a }
      others.withUnsafeBufferPointer { state.mergeCosts(a, $0, into: &costs) }
      for (q, b) in others.enumerated() {
        let reference = state.mergeCost(a, b)
        #expect(
          abs(costs[q] - reference) <= 1e-12 * max(1, abs(reference)),
          "groups \(a), \(b): \(costs[q]) vs \(reference)")
      }
    }
  }
}
