import Foundation
import MatrixCore
internal import _CKernels

/// Why an M-step could not produce valid parameters.
struct MixtureFailure: Error {
  let reason: String
}

/// Mixture parameters as the E-step needs them.
struct MixtureParameters {
  var proportions: [Double]
  /// `k x d`.
  var means: Matrix
  /// Diagonal models: variances, `variances[c * d + j]`.
  var variances: [Double]
  /// Full models: covariance matrices (one for EEE) and their lower Cholesky factors.
  var covariances: [Matrix]
  var factors: [Matrix]

  func covariance(_ c: Int, dimension d: Int) -> Matrix {
    if !covariances.isEmpty { return covariances[covariances.count == 1 ? 0 : c] }
    var m = Matrix(rows: d, columns: d)
    for j in 0..<d { m[j, j] = variances[c * d + j] }
    return m
  }
}

/// mclust's M- and E-steps for each covariance family.
struct ExpectationMaximization {
  let x: Matrix
  let model: CovarianceModel
  let k: Int
  let n: Int
  let d: Int
  let innerTolerance: Double
  let eps: Double
  let regularization: Double
  /// VEI's shape and volumes, carried from one EM iteration to the next as mclust does.
  var shape: [Double]
  var scale: [Double]
  /// EVE's and VVE's common orientation `D` and shapes `componentShapes[c * d + j]`
  /// (determinant 1 per component), carried likewise from `I` (their volumes are in `scale`).
  var orientation: Matrix
  var componentShapes: [Double]
  /// VEE's common shape-orientation matrix (determinant 1), carried likewise.
  var commonShape: Matrix
  /// The per-component scatters and inverse Cholesky factors (`d x d`), and the units'
  /// log-likelihood terms, reused every iteration.
  var scatterBuffers: [Matrix]
  /// The scatters as la_weighted_scatters writes them, one `d x d` block per component.
  var scatterBlock: [Double]
  var scatterWork: [Double]
  var inverseFactors: [Matrix]
  var rowLogLikelihood: [Double]

  init(
    x: Matrix, model: CovarianceModel, componentCount: Int, innerTolerance: Double,
    singularityThreshold: Double, regularization: Double
  ) {
    self.x = x
    self.model = model
    k = componentCount
    n = x.rows
    d = x.columns
    self.innerTolerance = innerTolerance
    eps = singularityThreshold
    self.regularization = regularization
    shape = [Double](repeating: 1, count: x.columns)
    scale = [Double](repeating: 1, count: componentCount)
    commonShape = Matrix.identity(x.columns)
    orientation = commonShape
    componentShapes = [Double](repeating: 1, count: componentCount * x.columns)
    let full = !model.isDiagonal
    scatterBuffers =
      full
      ? [Matrix](repeating: Matrix(rows: x.columns, columns: x.columns), count: componentCount)
      : []
    inverseFactors = scatterBuffers
    scatterBlock = [Double](repeating: 0, count: full ? componentCount * x.columns * x.columns : 0)
    scatterWork = [Double](
      repeating: 0, count: full ? la_weighted_scatters_workspace(x.columns, componentCount) : 0)
    rowLogLikelihood = [Double](repeating: 0, count: x.rows)
  }

  // MARK: - M-step

  mutating func maximization(_ z: Matrix) throws(MixtureFailure) -> MixtureParameters {
    let rteps = eps.squareRoot()
    // Posterior masses and weighted sums in one pass over the data (la_weighted_sums).
    var mass = [Double](repeating: 0, count: k)
    var sums = [Double](repeating: 0, count: k * d)
    let (n, d, k) = (n, d, k)
    x.withUnsafeBufferPointer { xp in
      z.withUnsafeBufferPointer { zp in
        withUnsafeTemporaryAllocation(
          of: Double.self, capacity: la_weighted_sums_workspace(d, k)
        ) { work in
          la_weighted_sums(
            xp.baseAddress!, n, d, k, zp.baseAddress!, &mass, &sums, work.baseAddress!)
        }
      }
    }
    if let c = mass.indices.first(where: { !(mass[$0] > rteps) }) {
      throw MixtureFailure(
        reason: "component \(c + 1) became empty (posterior mass \(mass[c]))")
    }
    var means = Matrix(rows: k, columns: d)
    for c in 0..<k { for j in 0..<d { means[c, j] = sums[c * d + j] / mass[c] } }
    let proportions = mass.map { $0 / Double(n) }

    if model.isDiagonal {
      // w[c * d + j] = Σᵢ zᵢc (xᵢⱼ − μcⱼ)²
      var w = [Double](repeating: 0, count: k * d)
      x.withUnsafeBufferPointer { xp in
        z.withUnsafeBufferPointer { zp in
          for c in 0..<k {
            for j in 0..<d {
              let m = means[c, j]
              var s = 0.0
              for i in 0..<n {
                let t = xp[i + j * n] - m
                s += zp[i + c * n] * t * t
              }
              w[c * d + j] = s
            }
          }
        }
      }
      var v = try diagonalVariances(w, mass: mass)
      if regularization > 0 { v = v.map { $0 + regularization } }
      if let bad = v.firstIndex(where: { !($0 > eps) }) {
        throw MixtureFailure(
          reason:
            "the variance of component \(bad / d + 1) on feature \(bad % d + 1) is singular (\(v[bad]))"
        )
      }
      return MixtureParameters(
        proportions: proportions, means: means, variances: v, covariances: [], factors: [])
    }

    // Full covariance: W_c = Σᵢ z_ic (xᵢ − μ_c)(xᵢ − μ_c)ᵀ (la_weighted_scatters: one pass
    // over the data for all components).
    var meanRows = [Double](repeating: 0, count: k * d)
    for c in 0..<k { for j in 0..<d { meanRows[c * d + j] = means[c, j] } }
    x.withUnsafeBufferPointer { xp in
      z.withUnsafeBufferPointer { zp in
        scatterBlock.withUnsafeMutableBufferPointer { sp in
          la_weighted_scatters(
            xp.baseAddress!, n, d, k, zp.baseAddress!, meanRows, sp.baseAddress!, &scatterWork)
        }
      }
    }
    for c in 0..<k {
      scatterBuffers[c].withUnsafeMutableBufferPointer { bp in
        scatterBlock.withUnsafeBufferPointer { sp in
          bp.baseAddress!.update(from: sp.baseAddress! + c * d * d, count: d * d)
        }
      }
    }
    let scatters = scatterBuffers
    var covariances: [Matrix]
    switch model {
    case .EEE:
      var pooled = Matrix(rows: d, columns: d)
      for s in scatters { pooled = pooled + s }
      covariances = [(1 / Double(n)) * pooled]
    case .EVV:
      // Σₖ = λCₖ, |Cₖ| = 1: Cₖ = Wₖ/|Wₖ|^{1/d}, λ = Σₖ |Wₖ|^{1/d} / n.
      var roots: [Double] = []
      for (c, w) in scatters.enumerated() {
        guard let chol = try? Cholesky(w) else {
          throw MixtureFailure(reason: "the scatter of component \(c + 1) is singular")
        }
        roots.append(exp(chol.logDeterminant / Double(d)))
      }
      let lambda = roots.reduce(0, +) / Double(n)
      covariances = (0..<k).map { (lambda / roots[$0]) * scatters[$0] }
    case .EEV:
      // Σₖ = Dₖ (B/n) Dₖᵀ with Wₖ = Dₖ Ωₖ Dₖᵀ (eigenvalues in one order) and B = Σₖ Ωₖ.
      var decompositions: [SymmetricEigen] = []
      for (c, w) in scatters.enumerated() {
        guard let e = try? SymmetricEigen(w) else {
          throw MixtureFailure(
            reason: "the scatter of component \(c + 1) has no eigendecomposition")
        }
        decompositions.append(e)
      }
      var pooled = [Double](repeating: 0, count: d)
      for e in decompositions { for j in 0..<d { pooled[j] += e.values[j] } }
      covariances = decompositions.map { e in
        var scaled = e.vectors
        for j in 0..<d { for r in 0..<d { scaled[r, j] *= pooled[j] / Double(n) } }
        var s = scaled.multiply(e.vectors, transposeOther: .transpose)
        s.symmetrize(from: .lower)
        return s
      }
    case .VEV:
      // Dₖ = eigenvectors of Wₖ; volumes and the common shape alternate on the eigenvalues
      // exactly as VEI's on the diagonals (mclust `mevev`).
      var decompositions: [SymmetricEigen] = []
      var w = [Double](repeating: 0, count: k * d)
      for (c, scatter) in scatters.enumerated() {
        guard let e = try? SymmetricEigen(scatter) else {
          throw MixtureFailure(
            reason: "the scatter of component \(c + 1) has no eigendecomposition")
        }
        decompositions.append(e)
        for j in 0..<d { w[c * d + j] = e.values[j] }
      }
      try veiInnerIterations(w, mass: mass)
      covariances = decompositions.enumerated().map { c, e in
        var scaled = e.vectors
        for j in 0..<d { for r in 0..<d { scaled[r, j] *= scale[c] * shape[j] } }
        var s = scaled.multiply(e.vectors, transposeOther: .transpose)
        s.symmetrize(from: .lower)
        return s
      }
    case .VEE:
      try veeInnerIterations(scatters, mass: mass)
      covariances = (0..<k).map { scale[$0] * commonShape }
    case .EVE where k > 1, .VVE where k > 1:
      // One component falls through to Σ = W/n, as mclust fits G = 1 (`mvnXXX`).
      try commonOrientationIterations(scatters, mass: mass)
      covariances = (0..<k).map { commonOrientationCovariance($0) }
    default:
      covariances = (0..<k).map { (1 / mass[$0]) * scatters[$0] }
    }
    if regularization > 0 {
      for c in covariances.indices { for j in 0..<d { covariances[c][j, j] += regularization } }
    }
    var factors: [Matrix] = []
    for (c, s) in covariances.enumerated() {
      guard let chol = try? Cholesky(s) else {
        throw MixtureFailure(reason: "the covariance of component \(c + 1) is singular")
      }
      let l = chol.factor
      var lo = Double.infinity
      var hi = 0.0
      for j in 0..<d {
        lo = min(lo, abs(l[j, j]))
        hi = max(hi, abs(l[j, j]))
      }
      if lo / (1 + hi) <= rteps {
        throw MixtureFailure(
          reason:
            "the covariance of component \(c + 1) is singular (reciprocal condition proxy \(lo / (1 + hi)))"
        )
      }
      factors.append(l)
    }
    return MixtureParameters(
      proportions: proportions, means: means, variances: [], covariances: covariances,
      factors: factors)
  }

  /// Variances `v[c * d + j]` of the diagonal families from the weighted scatters `w`.
  private mutating func diagonalVariances(_ w: [Double], mass: [Double]) throws(MixtureFailure)
    -> [Double]
  {
    var v = [Double](repeating: 0, count: k * d)
    let dd = Double(d)
    switch model {
    case .EII:
      let lambda = w.reduce(0, +) / (Double(n) * dd)
      for i in v.indices { v[i] = lambda }
    case .VII:
      for c in 0..<k {
        var s = 0.0
        for j in 0..<d { s += w[c * d + j] }
        for j in 0..<d { v[c * d + j] = s / (mass[c] * dd) }
      }
    case .EEI:
      for j in 0..<d {
        var s = 0.0
        for c in 0..<k { s += w[c * d + j] }
        for c in 0..<k { v[c * d + j] = s / Double(n) }
      }
    case .VVI:
      for c in 0..<k { for j in 0..<d { v[c * d + j] = w[c * d + j] / mass[c] } }
    case .EVI:
      // Aₖ = diag(Wₖ)/|diag Wₖ|^{1/d}, λ = Σₖ |diag Wₖ|^{1/d} / n.
      var geometric = [Double](repeating: 0, count: k)
      for c in 0..<k {
        var s = 0.0
        for j in 0..<d { s += log(w[c * d + j]) }
        geometric[c] = exp(s / dd)
      }
      let lambda = geometric.reduce(0, +) / Double(n)
      for c in 0..<k {
        for j in 0..<d { v[c * d + j] = lambda * w[c * d + j] / geometric[c] }
      }
    case .VEI:
      try veiInnerIterations(w, mass: mass)
      for c in 0..<k { for j in 0..<d { v[c * d + j] = scale[c] * shape[j] } }
    case .EEE, .VVV, .EEV, .EVV, .VEE, .EVE, .VVE, .VEV:
      preconditionFailure("diagonalVariances: \(model) is not diagonal")
    }
    return v
  }

  /// VEI: alternate volumes `λₖ = Σⱼ wₖⱼ/Aⱼ / (d nₖ)` and shape `Aⱼ ∝ Σₖ wₖⱼ/λₖ` (det 1),
  /// starting from the previous iteration's values (mclust `mevei`).
  private mutating func veiInnerIterations(_ w: [Double], mass: [Double]) throws(MixtureFailure) {
    let dd = Double(d)
    var inner = 0
    while true {
      if let m = shape.min(), m <= eps { throw MixtureFailure(reason: "the VEI shape is singular") }
      inner += 1
      let oldScale = scale
      for c in 0..<k {
        var s = 0.0
        for j in 0..<d { s += w[c * d + j] / shape[j] }
        scale[c] = s / (mass[c] * dd)
      }
      if let m = scale.min(), m <= eps {
        throw MixtureFailure(reason: "a VEI volume is singular")
      }
      let oldShape = shape
      for j in 0..<d {
        var s = 0.0
        for c in 0..<k { s += w[c * d + j] / scale[c] }
        shape[j] = s
      }
      if let m = shape.min(), m <= eps { throw MixtureFailure(reason: "the VEI shape is singular") }
      var logSum = 0.0
      for j in 0..<d { logSum += log(shape[j]) }
      let g = exp(logSum / dd)
      if !(g > eps) || !g.isFinite { throw MixtureFailure(reason: "the VEI shape is singular") }
      for j in 0..<d { shape[j] /= g }
      var change = 0.0
      for c in 0..<k { change = max(change, abs(oldScale[c] - scale[c]) / (1 + scale[c])) }
      for j in 0..<d { change = max(change, abs(oldShape[j] - shape[j]) / (1 + shape[j])) }
      if !(change > innerTolerance) || inner > 100_000 { break }
    }
  }

  /// VEE: alternate volumes `λₖ = tr(Wₖ C⁻¹)/(d nₖ)` and `C ∝ Σₖ Wₖ/λₖ` (determinant 1),
  /// starting from the previous iteration's values.
  private mutating func veeInnerIterations(_ scatters: [Matrix], mass: [Double])
    throws(MixtureFailure)
  {
    let dd = Double(d)
    var inner = 0
    while true {
      inner += 1
      guard let chol = try? Cholesky(commonShape) else {
        throw MixtureFailure(reason: "the VEE shape is singular")
      }
      let inverse = chol.inverse()
      let oldScale = scale
      for c in 0..<k {
        var t = 0.0
        for a in 0..<d { for b in 0..<d { t += scatters[c][a, b] * inverse[b, a] } }
        scale[c] = t / (dd * mass[c])
      }
      if let m = scale.min(), !(m > eps) {
        throw MixtureFailure(reason: "a VEE volume is singular")
      }
      var next = Matrix(rows: d, columns: d)
      for c in 0..<k { next = next + (1 / scale[c]) * scatters[c] }
      guard let nextChol = try? Cholesky(next) else {
        throw MixtureFailure(reason: "the VEE shape is singular")
      }
      let g = exp(nextChol.logDeterminant / dd)
      if !(g > eps) || !g.isFinite { throw MixtureFailure(reason: "the VEE shape is singular") }
      next = (1 / g) * next
      var change = 0.0
      for c in 0..<k { change = max(change, abs(oldScale[c] - scale[c]) / (1 + scale[c])) }
      for i in 0..<(d * d) {
        change = max(
          change, abs(commonShape.elements[i] - next.elements[i]) / (1 + abs(next.elements[i])))
      }
      commonShape = next
      if !(change > innerTolerance) || inner > 100_000 { break }
    }
  }

  // MARK: - E-step

  /// `out = L⁻¹` for a lower-triangular `L` with a positive diagonal (forward substitution
  /// into a reused buffer; the upper triangle is zero).
  private func invertLowerTriangular(_ l: Matrix, into out: inout Matrix) {
    let d = d
    l.withUnsafeBufferPointer { lp in
      out.withUnsafeMutableBufferPointer { op in
        op.update(repeating: 0)
        for col in 0..<d {
          op[col + col * d] = 1 / lp[col + col * d]
          for r in (col + 1)..<max(d, col + 1) {
            var s = 0.0
            for m in col..<r { s += lp[r + m * d] * op[m + col * d] }
            op[r + col * d] = -s / lp[r + r * d]
          }
        }
      }
    }
  }

  /// Replaces `z` with the posteriors under `p` and returns the log-likelihood.
  mutating func expectation(_ p: MixtureParameters, posteriors z: inout Matrix) -> Double {
    let logTwoPi = log(2 * Double.pi)
    let dd = Double(d)
    // z ← log φ_c(xᵢ)
    if model.isDiagonal {
      z.withUnsafeMutableBufferPointer { zp in
        x.withUnsafeBufferPointer { xp in
          for c in 0..<k {
            var logDet = 0.0
            for j in 0..<d { logDet += log(p.variances[c * d + j]) }
            let const = -0.5 * (dd * logTwoPi + logDet)
            for i in 0..<n { zp[i + c * n] = 0 }
            for j in 0..<d {
              let m = p.means[c, j]
              let inv = 1 / p.variances[c * d + j]
              for i in 0..<n {
                let t = xp[i + j * n] - m
                zp[i + c * n] += t * t * inv
              }
            }
            for i in 0..<n { zp[i + c * n] = const - 0.5 * zp[i + c * n] }
          }
        }
      }
    } else {
      // Per component, L⁻¹ (lower) and the constant; then log φ_c = const − ½ ‖L⁻¹(xᵢ − μ_c)‖²
      // for every row and component (la_gaussian_log_densities: one pass over the data).
      var constants = [Double](repeating: 0, count: k)
      var meanRows = [Double](repeating: 0, count: k * d)
      var factors = [Double](repeating: 0, count: k * d * d)
      for c in 0..<k {
        let l = p.factors[p.factors.count == 1 ? 0 : c]
        var logDet = 0.0
        for j in 0..<d { logDet += log(l[j, j]) }
        constants[c] = -0.5 * dd * logTwoPi - logDet
        invertLowerTriangular(l, into: &inverseFactors[c])
        for j in 0..<d { meanRows[c * d + j] = p.means[c, j] }
        inverseFactors[c].withUnsafeBufferPointer { lp in
          factors.withUnsafeMutableBufferPointer { fp in
            (fp.baseAddress! + c * d * d).update(from: lp.baseAddress!, count: d * d)
          }
        }
      }
      x.withUnsafeBufferPointer { xp in
        z.withUnsafeMutableBufferPointer { zp in
          la_gaussian_log_densities(
            xp.baseAddress!, n, d, k, meanRows, factors, constants, zp.baseAddress!)
        }
      }
    }
    // Posteriors and log-likelihood (log-sum-exp per unit, as mclust: exp below −708 is 0),
    // vectorised over the units (la_mixture_posteriors); the units' terms summed in order.
    let logPro = p.proportions.map { $0 > 0 ? log($0) : -Double.infinity }
    var hood = 0.0
    z.withUnsafeMutableBufferPointer { zp in
      rowLogLikelihood.withUnsafeMutableBufferPointer { rp in
        la_mixture_posteriors(zp.baseAddress!, n, k, logPro, rp.baseAddress!)
        for i in 0..<n { hood += rp[i] }
      }
    }
    return hood
  }
}
