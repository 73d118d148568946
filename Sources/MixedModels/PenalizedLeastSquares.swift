import Foundation
import MatrixCore
internal import _CSIMD

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
  /// Per factor with q ≤ 2: the reciprocals of its pivots (q per level; empty otherwise),
  /// rewritten at every evaluation.
  var pivotInverses: [UnsafeMutableBufferPointer<Double>] = []
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
    for b in pivotInverses { b.deallocate() }
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
    pivotInverses = built.map { Self.buffer($0.q <= 2 ? $0.q * $0.levels : 0) }
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
        // The common single factor with (1 + t | g), in two passes over the levels: the
        // Λ-scaling of step 1 and the 2×2 Cholesky factors, then the row solves with the dense
        // block's downdate. With three columns in [X y] (`y ~ 1 + t + (1 + t | g)`) the
        // downdate's sums stay in registers; otherwise the solved rows of 128 levels at a time
        // are copied, transposed, to a scratch block in L1 cache, whose cross-product (SIMD
        // dot products) is the downdate.
        let chunk = 128
        let scratch = Self.buffer(width != 3 && width <= 8 ? 2 * chunk * width : 0)
        defer { scratch.deallocate() }
        var chunkStart = 0
        let (m0, m1, m3) = (lambda[0][0], lambda[0][1], lambda[0][3])
        let zz = UnsafeBufferPointer(ztz[0])
        let xz = UnsafeBufferPointer(xyz[0])
        // Pass 1: the 2×2 factors and their pivots' reciprocals.
        let inverses = pivotInverses[0]
        guard
          Self.pivots2(
            zz, lambda: (m0, m1, m3), levels: f.levels, factor: lp, inverses: inverses,
            pivots: &pivots)
        else { return false }
        // Pass 2: the rows of [X y], solved, and their cross-product.
        if width == 3 {
          Self.solveAndGram3(
            xz, lp: UnsafeBufferPointer(lp), inverses: UnsafeBufferPointer(inverses),
            lambda: (m0, m1, m3), levels: f.levels, out: xp, gram: sums)
        } else {
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

  /// Pass 1 of the single `(1 + t | g)` factor: each level's 2×2 block `ΛᵀZᵀZΛ + I` (as
  /// `scaleDiagonal`), its Cholesky factor (into `lp`), the reciprocals of its pivots (into
  /// `inverses`: dependent divisions, two per row of `[X y]`, would dominate pass 2) and the
  /// product of its pivots; false when a pivot is not positive. A level's square roots and
  /// reciprocals form a chain of long latencies, so four levels go through it at once, two
  /// in the lanes of each SIMD vector, with the square roots in single instructions
  /// (`la_sqrt2`).
  static func pivots2(
    _ zz: UnsafeBufferPointer<Double>, lambda: (Double, Double, Double), levels: Int,
    factor lp: UnsafeMutableBufferPointer<Double>, inverses: UnsafeMutableBufferPointer<Double>,
    pivots: inout LogProduct
  ) -> Bool {
    let (m0, m1, m3) = lambda
    let (w0, w1, w3) = (m0 * m0, 2 * m0 * m1, m1 * m1)
    var product = pivots
    defer { pivots = product }
    // Levels l (lane 0) and l2 (lane 1); an odd last level fills both lanes (l2 == l).
    @inline(__always) func step(_ l: Int, _ l2: Int) -> SIMD2<Double>? {
      let (b, c) = (4 * l, 4 * l2)
      let z0 = SIMD2(zz[b], zz[c])
      let z1 = SIMD2(zz[b + 1], zz[c + 1])
      let z3 = SIMD2(zz[b + 3], zz[c + 3])
      let a11 = w0 * z0 + w1 * z1 + w3 * z3 + 1
      let a21 = m3 * (m0 * z1 + m1 * z3)
      let a22 = m3 * m3 * z3 + 1
      let l11 = la_sqrt2(a11)
      let i11 = 1 / l11
      let l21 = a21 * i11
      let d2 = a22 - l21 * l21
      guard all(a11 .> 0), all(d2 .> 0) else { return nil }
      let l22 = la_sqrt2(d2)
      let i22 = 1 / l22
      (lp[c], lp[c + 1], lp[c + 3]) = (l11[1], l21[1], l22[1])
      (lp[b], lp[b + 1], lp[b + 3]) = (l11[0], l21[0], l22[0])
      (inverses[2 * l2], inverses[2 * l2 + 1]) = (i11[1], i22[1])
      (inverses[2 * l], inverses[2 * l + 1]) = (i11[0], i22[0])
      return a11 * d2
    }
    var l = 0
    while l + 3 < levels {
      guard let first = step(l, l + 1), let second = step(l + 2, l + 3) else { return false }
      let det = first * second
      product.multiply(by: det[0] * det[1])
      l += 4
    }
    while l < levels {
      let pair = l + 1 < levels
      guard let det = step(l, pair ? l + 1 : l) else { return false }
      product.multiply(by: pair ? det[0] * det[1] : det[0])
      l += pair ? 2 : 1
    }
    return true
  }

  /// Pass 2 of the single `(1 + t | g)` factor when `[X y]` has 3 columns (the usual growth
  /// model, `y ~ 1 + t + (1 + t | g)`): each level's rows of `[X y]ᵀZΛ`, solved against its
  /// 2×2 factor (into `out`), and `Σ xxᵀ` over the solved rows, added to the lower triangle of
  /// `gram` (3×3). Two levels at a time in SIMD lanes: 24 multiplications and additions per
  /// level, with the six sums in registers (one running sum per lane, added at the end).
  static func solveAndGram3(
    _ xz: UnsafeBufferPointer<Double>, lp: UnsafeBufferPointer<Double>,
    inverses: UnsafeBufferPointer<Double>, lambda: (Double, Double, Double), levels: Int,
    out xp: UnsafeMutableBufferPointer<Double>, gram: UnsafeMutableBufferPointer<Double>
  ) {
    let (m0, m1, m3) = lambda
    var sums = Gram3()
    // Levels l (lane 0) and l2 (lane 1); `keep` zeroes lane 1 for an odd last level (l2 == l).
    @inline(__always) func step(_ l: Int, _ l2: Int, keep: SIMD2<Double>) {
      let (a, b) = (6 * l, 6 * l2)
      let i11 = SIMD2(inverses[2 * l], inverses[2 * l2])
      let i22 = SIMD2(inverses[2 * l + 1], inverses[2 * l2 + 1]) * keep
      let l21 = SIMD2(lp[4 * l + 1], lp[4 * l2 + 1])
      let c10 = SIMD2(xz[a + 3], xz[b + 3])
      let c11 = SIMD2(xz[a + 4], xz[b + 4])
      let c12 = SIMD2(xz[a + 5], xz[b + 5])
      let x00 = (SIMD2(xz[a], xz[b]) * m0 + c10 * m1) * i11 * keep
      let x01 = (SIMD2(xz[a + 1], xz[b + 1]) * m0 + c11 * m1) * i11 * keep
      let x02 = (SIMD2(xz[a + 2], xz[b + 2]) * m0 + c12 * m1) * i11 * keep
      let x10 = (c10 * m3 - x00 * l21) * i22
      let x11 = (c11 * m3 - x01 * l21) * i22
      let x12 = (c12 * m3 - x02 * l21) * i22
      // Lane 1 first: for an odd last level (b == a) lane 0 then writes the kept values.
      (xp[b], xp[b + 1], xp[b + 2]) = (x00[1], x01[1], x02[1])
      (xp[b + 3], xp[b + 4], xp[b + 5]) = (x10[1], x11[1], x12[1])
      (xp[a], xp[a + 1], xp[a + 2]) = (x00[0], x01[0], x02[0])
      (xp[a + 3], xp[a + 4], xp[a + 5]) = (x10[0], x11[0], x12[0])
      sums.add((x00, x01, x02), (x10, x11, x12))
    }
    var l = 0
    while l + 1 < levels {
      step(l, l + 1, keep: SIMD2(1, 1))
      l += 2
    }
    if l < levels { step(l, l, keep: SIMD2(1, 0)) }
    sums.add(into: gram)
  }

  /// Adds `Σᵢ vᵢvᵢᵀ` over the vectors `start..<end` of `v` (vector `i` at `i·width`, its
  /// `width` elements contiguous) to the lower triangle of `out` (`width×width`, column-major):
  /// one dot product per entry in four running sums. Callers pass chunks that are still in L1
  /// cache; a single loop adding each vector into all entries chains every sum through a store.
  static func addVectorGram(
    _ v: UnsafeBufferPointer<Double>, from start: Int, to end: Int, width: Int,
    into out: UnsafeMutableBufferPointer<Double>
  ) {
    if width == 3, end > start, let base = v.baseAddress {
      // [X y] of three columns (`y ~ 1 + t + ...`): two vectors at a time in SIMD lanes, the
      // six sums in registers.
      var sums = Gram3()
      var i = start
      while i + 1 < end {
        let p = base + 3 * i
        sums.add((SIMD2(p[0], p[3]), SIMD2(p[1], p[4]), SIMD2(p[2], p[5])))
        i += 2
      }
      if i < end {
        let p = base + 3 * i
        sums.add((SIMD2(p[0], 0), SIMD2(p[1], 0), SIMD2(p[2], 0)))
      }
      sums.add(into: out)
      return
    }
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
    let inverse = pivotInverses[k]
    // The pivots two levels at a time (single-instruction square roots, `la_sqrt2`).
    var l = 0
    while l < levels {
      let pair = l + 1 < levels
      let d = SIMD2(lp[l], pair ? lp[l + 1] : 1)
      guard all(d .> 0) else { return false }
      let root = la_sqrt2(d)
      let inv = 1 / root
      lp[l] = root[0]
      inverse[l] = inv[0]
      if pair {
        lp[l + 1] = root[1]
        inverse[l + 1] = inv[1]
      }
      pivots.multiply(by: d[0] * d[1])
      l += 2
    }
    if factors.count == k + 2, let parent = f.parents[k + 1], parent.count == levels {
      // Two nested factors ((1 | school/teacher)): one coarser factor, through pointers.
      let row = ljk[k][k + 1]
      let diagonal = lkk[k + 1]
      let xj = lxk[k + 1]
      parent.withUnsafeBufferPointer { parent in
        for l in 0..<levels {
          let inv = inverse[l]
          let a = row[l] * inv
          row[l] = a
          let pj = Int(parent[l])
          diagonal[pj] -= a * a
          let (xb, xo) = (l * width, pj * width)
          for r in 0..<width {
            let x = xp[xb + r] * inv
            xp[xb + r] = x
            xj[xo + r] -= x * a
          }
        }
      }
      return true
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
/// The six sums of a 3×3 Gram matrix `Σ xxᵀ` (the lower triangle), each as two running sums
/// in SIMD lanes, for vectors of 3 numbers given two at a time (lane 0 and lane 1).
struct Gram3 {
  private var s00 = SIMD2<Double>.zero, s10 = SIMD2<Double>.zero, s20 = SIMD2<Double>.zero
  private var s11 = SIMD2<Double>.zero, s21 = SIMD2<Double>.zero, s22 = SIMD2<Double>.zero

  /// Adds `xxᵀ`.
  @inline(__always)
  mutating func add(_ x: (SIMD2<Double>, SIMD2<Double>, SIMD2<Double>)) {
    s00 += x.0 * x.0
    s10 += x.1 * x.0
    s20 += x.2 * x.0
    s11 += x.1 * x.1
    s21 += x.2 * x.1
    s22 += x.2 * x.2
  }

  /// Adds `xxᵀ + yyᵀ`, each entry's two products summed first.
  @inline(__always)
  mutating func add(
    _ x: (SIMD2<Double>, SIMD2<Double>, SIMD2<Double>),
    _ y: (SIMD2<Double>, SIMD2<Double>, SIMD2<Double>)
  ) {
    s00 += x.0 * x.0 + y.0 * y.0
    s10 += x.1 * x.0 + y.1 * y.0
    s20 += x.2 * x.0 + y.2 * y.0
    s11 += x.1 * x.1 + y.1 * y.1
    s21 += x.2 * x.1 + y.2 * y.1
    s22 += x.2 * x.2 + y.2 * y.2
  }

  /// Adds the sums to the lower triangle of `out` (3×3, column-major).
  func add(into out: UnsafeMutableBufferPointer<Double>) {
    out[0] += s00.sum()
    out[1] += s10.sum()
    out[2] += s20.sum()
    out[4] += s11.sum()
    out[5] += s21.sum()
    out[8] += s22.sum()
  }
}

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
