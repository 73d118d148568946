import Foundation
import MatrixCore

/// The profiled deviance of a linear mixed model as a function of θ, through the blocked
/// Cholesky factor of
///
///     [ΛᵀZᵀZΛ + I   ΛᵀZᵀX   ΛᵀZᵀy]
///     [XᵀZΛ         XᵀX     Xᵀy  ]  =  L·Lᵀ
///     [yᵀZΛ         yᵀX     yᵀy  ]
///
/// (Bates et al. 2015, section 3; the blocked layout of MixedModels.jl). Grouping factors are
/// ordered finest first and each is nested in every coarser one, so the diagonal block of a
/// factor is block-diagonal with one `q×q` block per level and the off-diagonal blocks have one
/// `q_j×q_k` block per finer level: the factorization makes no fill-in and costs
/// O(levels · q³ + levels · (p+1) · q²) per evaluation, linear in the number of groups.
/// The `[X y]` block is dense ((p+1)×(p+1)) and factored with LAPACK.
///
/// Small blocks are plain loops over contiguous column-major storage; the products over all
/// levels into the dense block are one BLAS `syrk` per factor.
final class PenalizedLeastSquares {
  struct FactorData {
    let q: Int
    let levels: Int
    /// Level of each coarser factor containing each level of this one.
    let parents: [Int: [Int32]]
    /// Positions (row, column) in Λ of this factor's θ entries, in lme4's order.
    let template: [(row: Int, column: Int)]
  }

  let n: Int
  let p: Int
  let factors: [FactorData]
  // The cross-products, owned by this object (freed in deinit) so that a residual structure's
  // prewhitening can refill them in place (`reload`).
  /// [X y]ᵀ[X y], `(p+1)×(p+1)` column-major.
  var xyxy: [Double]
  /// ZₖᵀZₖ per level of factor k, `q×q` column-major, `levels` blocks.
  var ztz: [UnsafeMutableBufferPointer<Double>] = []
  /// `[k][j]` (j > k): Z_jᵀZ_k per level of factor k (`q_j×q_k`); empty for j ≤ k.
  var cross: [[UnsafeMutableBufferPointer<Double>]] = []
  /// [X y]ᵀZₖ: `(p+1) × (levels·q)`, column-major.
  var xyz: [UnsafeMutableBufferPointer<Double>] = []
  /// The prewhitened `[X y]` of the last `reload` (column-major, all rows or one chunk).
  var whitenedXY: [Double] = []
  let thetaCount: Int
  let lowerBounds: [Double]
  /// Whether factor k and every coarser one have a single term (q = 1: nested random
  /// intercepts, `(1 | school/teacher)`): their blocks are numbers.
  let scalar: [Bool]

  // Workspace of the last evaluation: one allocation per block family, owned by this object
  // (freed in deinit), so the hot loops index flat buffers without copy-on-write checks.
  var lambda: [[Double]]
  /// Diagonal blocks per factor: `levels` lower-triangular `q×q` factors.
  var lkk: [UnsafeMutableBufferPointer<Double>] = []
  /// Off-diagonal blocks `[k][j]` (j > k): `levels_k` blocks of `q_j×q_k`; empty for j ≤ k.
  var ljk: [[UnsafeMutableBufferPointer<Double>]] = []
  /// `[X y]` rows against factor k: `(p+1) × (levels·q)`.
  var lxk: [UnsafeMutableBufferPointer<Double>] = []
  var denseFactor = Matrix(rows: 0, columns: 0)
  var logDetL = 0.0
  var logDetRX = 0.0
  var penalizedRSS = 0.0

  deinit {
    for b in ztz { b.deallocate() }
    for row in cross { for b in row { b.deallocate() } }
    for b in xyz { b.deallocate() }
    for b in lkk { b.deallocate() }
    for row in ljk { for b in row { b.deallocate() } }
    for b in lxk { b.deallocate() }
  }

  static func buffer(_ count: Int) -> UnsafeMutableBufferPointer<Double> {
    let b = UnsafeMutableBufferPointer<Double>.allocate(capacity: max(count, 1))
    b.initialize(repeating: 0)
    return b
  }

  init(frame: ModelFrame) {
    let n = frame.rowCount
    let p = frame.x.columns
    self.n = n
    self.p = p
    let width = p + 1
    // [X y], column-major n × (p+1).
    var xy = frame.x.elements
    xy.append(contentsOf: frame.y)
    let xyMatrix = Matrix(rows: n, columns: width, columnMajor: xy)
    xyxy = xyMatrix.crossProduct().elements
    var built: [FactorData] = []
    var offset = 0
    var lower: [Double] = []
    var ztzBuffers: [UnsafeMutableBufferPointer<Double>] = []
    var crossBuffers: [[UnsafeMutableBufferPointer<Double>]] = []
    var xyzBuffers: [UnsafeMutableBufferPointer<Double>] = []
    for (k, f) in frame.factors.enumerated() {
      let q = f.q
      let levels = f.levels.count
      let ztz = Self.buffer(levels * q * q)
      let xyz = Self.buffer(width * levels * q)
      let cross: [UnsafeMutableBufferPointer<Double>] = frame.factors.indices.map { j in
        Self.buffer(j > k ? levels * frame.factors[j].q * q : 0)
      }
      xy.withUnsafeBufferPointer { xyp in
        f.z.withUnsafeBufferPointer { z in
          f.codes.withUnsafeBufferPointer { codes in
            for i in 0..<n {
              let l = Int(codes[i])
              let zi = i * q
              for c in 0..<q {
                let zc = z[zi + c]
                if zc == 0 { continue }
                for r in 0..<q { ztz[l * q * q + r + c * q] += z[zi + r] * zc }
                let col = (l * q + c) * width
                for r in 0..<width { xyz[col + r] += xyp[i + r * n] * zc }
              }
            }
          }
        }
      }
      for j in (k + 1)..<max(k + 1, frame.factors.count) {
        let g = frame.factors[j]
        let qj = g.q
        let c = cross[j]
        for i in 0..<n {
          let l = Int(f.codes[i])
          for b in 0..<q {
            let zb = f.z[i * q + b]
            if zb == 0 { continue }
            for a in 0..<qj { c[l * qj * q + a + b * qj] += g.z[i * qj + a] * zb }
          }
        }
      }
      var template: [(row: Int, column: Int)] = []
      var start = 0
      for block in f.blocks {
        let w = block.count
        for c in 0..<w {
          for r in c..<w {
            template.append((start + r, start + c))
            lower.append(r == c ? 0 : -.infinity)
          }
        }
        start += w
      }
      offset += template.count
      built.append(FactorData(q: q, levels: levels, parents: f.parents, template: template))
      ztzBuffers.append(ztz)
      crossBuffers.append(cross)
      xyzBuffers.append(xyz)
    }
    factors = built
    ztz = ztzBuffers
    cross = crossBuffers
    xyz = xyzBuffers
    thetaCount = offset
    lowerBounds = lower
    lambda = built.map { [Double](repeating: 0, count: $0.q * $0.q) }
    lkk = built.map { Self.buffer($0.levels * $0.q * $0.q) }
    ljk = built.map { f in
      built.indices.map { j in
        Self.buffer(j > 0 && built[j].q > 0 ? f.levels * built[j].q * f.q : 0)
      }
    }
    lxk = built.map { Self.buffer(width * $0.levels * $0.q) }
    scalar = built.indices.map { k in built[k...].allSatisfy { $0.q == 1 } }
  }

  /// θ start values as lme4's: 1 on the diagonal of each block, 0 off it.
  var startTheta: [Double] { lowerBounds.map { $0 == 0 ? 1 : 0 } }

  /// Splits θ into each factor's Λ (q×q, column-major, lower triangular).
  func setLambda(_ theta: [Double]) {
    var t = 0
    for (k, f) in factors.enumerated() {
      var l = [Double](repeating: 0, count: f.q * f.q)
      for pos in f.template {
        l[pos.row + pos.column * f.q] = theta[t]
        t += 1
      }
      lambda[k] = l
    }
  }

  /// Factors the system at θ and returns the profiled deviance (−2 log-likelihood, or the
  /// REML criterion); `.infinity` if a block is not positive definite.
  func deviance(_ theta: [Double], reml: Bool) -> Double {
    guard factor(theta) else { return .infinity }
    return criterion(reml: reml)
  }

  func criterion(reml: Bool) -> Double {
    let nn = Double(n)
    if reml {
      let df = Double(n - p)
      return logDetL + logDetRX + df * (1 + log(2 * Double.pi * penalizedRSS / df))
    }
    return logDetL + nn * (1 + log(2 * Double.pi * penalizedRSS / nn))
  }

  /// The blocked Cholesky factorization at θ; false when a pivot is not positive.
  func factor(_ theta: [Double]) -> Bool {
    setLambda(theta)
    let width = p + 1
    let count = factors.count
    // 1. The Λ-scaled blocks: ΛₖᵀAΛₖ + I, ΛⱼᵀCΛₖ, [X y]ᵀZΛₖ.
    for k in 0..<count {
      let f = factors[k]
      let q = f.q
      // The single factor with q = 2 is scaled inside its factorization loop (step 2).
      if q == 2 && count == 1 { continue }
      lambda[k].withUnsafeBufferPointer { lm in
        Self.scaleDiagonal(UnsafeBufferPointer(ztz[k]), lm, out: lkk[k], q: q, levels: f.levels)
        for j in (k + 1)..<max(k + 1, count) {
          let qj = factors[j].q
          lambda[j].withUnsafeBufferPointer { lj in
            Self.scaleCross(
              UnsafeBufferPointer(cross[k][j]), left: lj, right: lm, out: ljk[k][j], rows: qj,
              q: q, levels: f.levels)
          }
        }
        do {
          let a = UnsafeBufferPointer(xyz[k])
          let out = lxk[k]
          if q == 1 {  // random intercepts: one scale factor
            let l0 = lm[0]
            for i in 0..<(f.levels * width) { out[i] = a[i] * l0 }
            return
          }
          if q == 2 {  // the common (1 + t | g): unrolled
            let (l0, l1, l3) = (lm[0], lm[1], lm[3])
            for l in 0..<f.levels {
              let base = l * 2 * width
              for r in 0..<width {
                let a0 = a[base + r]
                let a1 = a[base + r + width]
                out[base + r] = a0 * l0 + a1 * l1
                out[base + r + width] = a1 * l3
              }
            }
            return
          }
          for l in 0..<f.levels {
            let base = l * q * width
            for c in 0..<q {
              for r in 0..<width {
                var s = 0.0
                for m in c..<q { s += a[base + r + m * width] * lm[m + c * q] }
                out[base + r + c * width] = s
              }
            }
          }
        }
      }
    }
    var dense = xyxy
    // Σ over the columns of the solved [X y] rows, the dense block's downdate (width ≤ 8).
    let sums = Self.buffer(width * width)
    defer { sums.deallocate() }
    var pivots = LogProduct()  // Σ log Lᵢᵢ²
    // 2. Factor each factor's blocks, then downdate the coarser ones.
    for k in 0..<count {
      let f = factors[k]
      let q = f.q
      let lp = lkk[k]
      let xp = lxk[k]
      if q == 2 && count == 1 {
        // The common single factor with (1 + t | g), in one pass over the levels: the
        // Λ-scaling of step 1, the 2×2 Cholesky and the row solves, unrolled. The solved rows
        // of 128 levels at a time are also copied, transposed, to a scratch block in L1 cache,
        // whose cross-product (SIMD dot products) is the dense block's downdate.
        let chunk = 128
        let scratch = Self.buffer(width <= 8 ? 2 * chunk * width : 0)
        defer { scratch.deallocate() }
        var chunkStart = 0
        let (m0, m1, m3) = (lambda[0][0], lambda[0][1], lambda[0][3])
        let zz = UnsafeBufferPointer(ztz[0])
        let xz = UnsafeBufferPointer(xyz[0])
        // Pass 1: the 2×2 factors. Each level's square roots and reciprocals form a chain of
        // long latencies; in this short loop, with nothing else in it, the processor overlaps
        // the chains of several levels, two at a time in SIMD lanes (the same operations as
        // one at a time, so the same numbers).
        let inverses = Self.buffer(2 * f.levels)
        defer { inverses.deallocate() }
        var l = 0
        while l < f.levels {
          // The last level of an odd count fills both lanes and keeps lane 0.
          let pair = l + 1 < f.levels
          let (b, c) = (4 * l, pair ? 4 * l + 4 : 4 * l)
          // ΛᵀAΛ + I (as scaleDiagonal).
          let z0 = SIMD2(zz[b], zz[c])
          let z1 = SIMD2(zz[b + 1], zz[c + 1])
          let z3 = SIMD2(zz[b + 3], zz[c + 3])
          let a11 = m0 * m0 * z0 + 2 * m0 * m1 * z1 + m1 * m1 * z3 + 1
          let a21 = m3 * (m0 * z1 + m1 * z3)
          let a22 = m3 * m3 * z3 + 1
          // Reciprocals: dependent divisions (two per row of [X y]) would dominate pass 2.
          let l11 = a11.squareRoot()
          let i11 = 1 / l11
          let l21 = a21 * i11
          let d2 = a22 - l21 * l21
          guard all(a11 .> 0), all(d2 .> 0) else { return false }
          let l22 = d2.squareRoot()
          let i22 = 1 / l22
          (lp[b], lp[b + 1], lp[b + 3]) = (l11[0], l21[0], l22[0])
          (inverses[2 * l], inverses[2 * l + 1]) = (i11[0], i22[0])
          pivots.multiply(by: a11[0] * d2[0])
          if pair {
            (lp[c], lp[c + 1], lp[c + 3]) = (l11[1], l21[1], l22[1])
            (inverses[2 * l + 2], inverses[2 * l + 3]) = (i11[1], i22[1])
            pivots.multiply(by: a11[1] * d2[1])
          }
          l += pair ? 2 : 1
        }
        // Pass 2: the rows of [X y], solved, and their cross-product.
        for l in 0..<f.levels {
          let (l21, i11, i22) = (lp[4 * l + 1], inverses[2 * l], inverses[2 * l + 1])
          let off = l * 2 * width
          for r in 0..<width {
            let (c0, c1) = (xz[off + r], xz[off + r + width])
            let x0 = (c0 * m0 + c1 * m1) * i11
            xp[off + r] = x0
            xp[off + r + width] = (c1 * m3 - x0 * l21) * i22
          }
          if width <= 8 {
            let s = 2 * (l - chunkStart)
            for r in 0..<width {
              scratch[r * 2 * chunk + s] = xp[off + r]
              scratch[r * 2 * chunk + s + 1] = xp[off + r + width]
            }
            if l - chunkStart == chunk - 1 || l == f.levels - 1 {
              Self.addColumnGram(
                UnsafeBufferPointer(scratch), rows: 2 * chunk, from: 0, to: s + 2, width: width,
                into: sums)
              chunkStart = l + 1
            }
          }
        }
      } else if scalar[k] {
        guard factorScalar(k, width: width, pivots: &pivots) else { return false }
      } else {
        for l in 0..<f.levels {
          let base = l * q * q
          // In-place Cholesky of the q×q block (lower).
          for j in 0..<q {
            var d = lp[base + j + j * q]
            for m in 0..<j { d -= lp[base + j + m * q] * lp[base + j + m * q] }
            guard d > 0 else { return false }
            let djj = d.squareRoot()
            lp[base + j + j * q] = djj
            pivots.multiply(by: d)
            for i in (j + 1)..<max(j + 1, q) {
              var s = lp[base + i + j * q]
              for m in 0..<j { s -= lp[base + i + m * q] * lp[base + j + m * q] }
              lp[base + i + j * q] = s / djj
            }
          }
          // Rows of the [X y] block and of coarser factors: x·Lₖₖᵀ = a (forward substitution).
          Self.solveRows(xp, offset: l * q * width, rows: width, factor: lp, base: base, q: q)
          for j in (k + 1)..<max(k + 1, count) {
            let qj = factors[j].q
            Self.solveRows(ljk[k][j], offset: l * qj * q, rows: qj, factor: lp, base: base, q: q)
          }
        }
      }
      // Downdates of coarser blocks (done level by level above for scalar blocks).
      for j in (k + 1)..<max(k + 1, scalar[k] ? k + 1 : count) {
        let qj = factors[j].q
        let parent = f.parents[j] ?? []
        let a = ljk[k][j]
        let diag = lkk[j]
        let xj = lxk[j]
        for l in 0..<f.levels {
          let pj = Int(parent[l])
          let base = l * qj * q
          let db = pj * qj * qj
          for c in 0..<qj {
            for r in c..<qj {
              var s = 0.0
              for m in 0..<q { s += a[base + r + m * qj] * a[base + c + m * qj] }
              diag[db + r + c * qj] -= s
            }
          }
          for j2 in (j + 1)..<max(j + 1, count) {
            let q2 = factors[j2].q
            let a2 = ljk[k][j2]
            let out = ljk[j][j2]
            let b2 = l * q2 * q
            let ob = pj * q2 * qj
            for c in 0..<qj {
              for r in 0..<q2 {
                var s = 0.0
                for m in 0..<q { s += a2[b2 + r + m * q2] * a[base + c + m * qj] }
                out[ob + r + c * q2] -= s
              }
            }
          }
          let xb = l * q * width
          let xo = pj * qj * width
          for c in 0..<qj {
            for r in 0..<width {
              var s = 0.0
              for m in 0..<q { s += xp[xb + r + m * width] * a[base + c + m * qj] }
              xj[xo + r + c * width] -= s
            }
          }
        }
      }
      // Dense block: [X y] rows of all levels at once. A few columns (the usual growth
      // model) are summed in place; BLAS syrk's call, copy and result allocation would cost
      // more than its flops at every evaluation of the criterion.
      let columns = f.levels * q
      if width <= 8 {
        if !(q == 2 && count == 1) {
          Self.addVectorGram(
            UnsafeBufferPointer(xp), from: 0, to: columns, width: width, into: sums)
        }
        for c in 0..<width {
          for r in c..<width {
            dense[r + c * width] -= sums[r + c * width]
            if r != c { dense[c + r * width] -= sums[r + c * width] }
          }
        }
        sums.update(repeating: 0)
      } else {
        let rowsBlock = Matrix(
          rows: width, columns: columns, columnMajor: Array(xp[0..<(width * columns)]))
        let product = rowsBlock.transposeCrossProduct()
        for i in 0..<(width * width) { dense[i] -= product.elements[i] }
      }
    }
    logDetL = pivots.logarithm
    guard let chol = try? Cholesky(Matrix(rows: width, columns: width, columnMajor: dense)) else {
      return false
    }
    let lFactor = chol.factor
    let r = lFactor[p, p]
    guard r > 0 else { return false }
    denseFactor = lFactor
    penalizedRSS = r * r
    var ld = 0.0
    for i in 0..<p { ld += 2 * log(lFactor[i, i]) }
    logDetRX = ld
    return true
  }

  /// Adds `Σᵢ vᵢvᵢᵀ` over the vectors `start..<end` of `v` (vector `i` at `i·width`, its
  /// `width` elements contiguous) to the lower triangle of `out` (`width×width`, column-major):
  /// one dot product per entry in four running sums. Callers pass chunks that are still in L1
  /// cache; a single loop adding each vector into all entries chains every sum through a store.
  static func addVectorGram(
    _ v: UnsafeBufferPointer<Double>, from start: Int, to end: Int, width: Int,
    into out: UnsafeMutableBufferPointer<Double>
  ) {
    for c in 0..<width {
      for r in c..<width {
        var (s0, s1, s2, s3) = (0.0, 0.0, 0.0, 0.0)
        var i = start
        while i + 4 <= end {
          let x = i * width
          s0 += v[x + r] * v[x + c]
          s1 += v[x + width + r] * v[x + width + c]
          s2 += v[x + 2 * width + r] * v[x + 2 * width + c]
          s3 += v[x + 3 * width + r] * v[x + 3 * width + c]
          i += 4
        }
        while i < end {
          s0 += v[i * width + r] * v[i * width + c]
          i += 1
        }
        out[r + c * width] += (s0 + s1) + (s2 + s3)
      }
    }
  }

  /// Step 2 of ``factor(_:)`` for a factor of scalar blocks (see ``scalar``): the pivots
  /// first (their square roots and reciprocals overlap across levels in a loop of their own),
  /// then each level's rows of [X y] and of the coarser factors, solved, and the coarser blocks
  /// downdated in level order, as the general path does. False when a pivot is not positive.
  func factorScalar(_ k: Int, width: Int, pivots: inout LogProduct) -> Bool {
    let f = factors[k]
    let levels = f.levels
    let lp = lkk[k]
    let xp = lxk[k]
    let inverse = Self.buffer(levels)
    defer { inverse.deallocate() }
    for l in 0..<levels {
      let d = lp[l]
      guard d > 0 else { return false }
      let root = d.squareRoot()
      lp[l] = root
      inverse[l] = 1 / root
      pivots.multiply(by: d)
    }
    let coarser = Array((k + 1)..<factors.count)
    let rows = coarser.map { ljk[k][$0] }  // this factor's rows of each coarser factor
    let parents = coarser.map { f.parents[$0] ?? [] }
    let diagonals = coarser.map { lkk[$0] }
    let xRows = coarser.map { lxk[$0] }
    let crosses = coarser.map { j in ljk[j] }
    for l in 0..<levels {
      let inv = inverse[l]
      let xb = l * width
      for r in 0..<width { xp[xb + r] *= inv }
      for c in rows.indices { rows[c][l] *= inv }
      for c in rows.indices {
        let a = rows[c][l]
        let pj = Int(parents[c][l])
        diagonals[c][pj] -= a * a
        for c2 in (c + 1)..<max(c + 1, rows.count) {
          crosses[c][coarser[c2]][pj] -= rows[c2][l] * a
        }
        let xo = pj * width
        let xj = xRows[c]
        for r in 0..<width { xj[xo + r] -= xp[xb + r] * a }
      }
    }
    return true
  }

  /// out = ΛᵀAΛ + I per level (lower triangle), Λ lower triangular.
  static func scaleDiagonal(
    _ a: UnsafeBufferPointer<Double>, _ lm: UnsafeBufferPointer<Double>,
    out: UnsafeMutableBufferPointer<Double>, q: Int, levels: Int
  ) {
    let t = UnsafeMutableBufferPointer<Double>.allocate(capacity: max(q * q, 1))
    defer { t.deallocate() }
    if q == 1 {
      let l2 = lm[0] * lm[0]
      for l in 0..<levels { out[l] = a[l] * l2 + 1 }
      return
    }
    if q == 2 {
      let (l0, l1, l3) = (lm[0], lm[1], lm[3])
      for l in 0..<levels {
        let b = 4 * l
        let (a0, a1, a3) = (a[b], a[b + 1], a[b + 3])
        out[b] = l0 * l0 * a0 + 2 * l0 * l1 * a1 + l1 * l1 * a3 + 1
        out[b + 1] = l3 * (l0 * a1 + l1 * a3)
        out[b + 3] = l3 * l3 * a3 + 1
      }
      return
    }
    for l in 0..<levels {
      let base = l * q * q
      for c in 0..<q {
        for r in 0..<q {
          var s = 0.0
          for m in c..<q { s += a[base + r + m * q] * lm[m + c * q] }
          t[r + c * q] = s
        }
      }
      for c in 0..<q {
        for r in c..<q {
          var s = 0.0
          for m in r..<q { s += lm[m + r * q] * t[m + c * q] }
          out[base + r + c * q] = s + (r == c ? 1 : 0)
        }
      }
    }
  }

  /// out = ΛⱼᵀCΛₖ per level of k (`rows×q` blocks).
  static func scaleCross(
    _ c: UnsafeBufferPointer<Double>, left lj: UnsafeBufferPointer<Double>,
    right lm: UnsafeBufferPointer<Double>, out: UnsafeMutableBufferPointer<Double>, rows qj: Int,
    q: Int, levels: Int
  ) {
    if q == 1 && qj == 1 {  // nested random intercepts: two scale factors
      let (left, right) = (lj[0], lm[0])
      for l in 0..<levels { out[l] = left * (c[l] * right) }
      return
    }
    var t = [Double](repeating: 0, count: qj * q)
    for l in 0..<levels {
      let base = l * qj * q
      for b in 0..<q {
        for a in 0..<qj {
          var s = 0.0
          for m in b..<q { s += c[base + a + m * qj] * lm[m + b * q] }
          t[a + b * qj] = s
        }
      }
      for b in 0..<q {
        for a in 0..<qj {
          var s = 0.0
          for m in a..<qj { s += lj[m + a * qj] * t[m + b * qj] }
          out[base + a + b * qj] = s
        }
      }
    }
  }

  /// Overwrites the `rows×q` block at `offset` (column-major) with X where X·Lᵀ = block.
  @inline(__always)
  static func solveRows(
    _ x: UnsafeMutableBufferPointer<Double>, offset: Int, rows: Int,
    factor lp: UnsafeMutableBufferPointer<Double>, base: Int, q: Int
  ) {
    for c in 0..<q {
      let lcc = lp[base + c + c * q]
      for r in 0..<rows {
        var s = x[offset + r + c * rows]
        for m in 0..<c { s -= x[offset + r + m * rows] * lp[base + c + m * q] }
        x[offset + r + c * rows] = s / lcc
      }
    }
  }
}

/// A product of many positive factors (the squared pivots), kept as logs of running products
/// rescaled before they leave a safe range: one `log` per ~100 factors instead of one each.
struct LogProduct {
  private var product = 1.0
  private var logs = 0.0

  @inline(__always)
  mutating func multiply(by x: Double) {
    product *= x
    if product > 1e150 || product < 1e-150 {
      logs += log(product)
      product = 1
    }
  }

  /// log of the whole product.
  var logarithm: Double { logs + log(product) }
}
