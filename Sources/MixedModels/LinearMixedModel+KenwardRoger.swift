import Foundation
import MatrixCore

/// Kenward and Roger's (1997) small-sample adjustment, as pbkrtest 0.5 computes it
/// (Halekoh and Højsgaard 2014, JSS 59(9)): the adjusted covariance of the fixed effects
/// `Φ_A = Φ + 2Φ U Φ` and the denominator degrees of freedom of a contrast `L`.
///
/// With `Σ = Σᵢ γᵢ Gᵢ` the marginal covariance of `y` (the variance parameters `γ`: each
/// variance and covariance of each random-effect block, and σ²), `Φ = (XᵀΣ⁻¹X)⁻¹`,
/// `Pᵢ = −XᵀΣ⁻¹GᵢΣ⁻¹X`, `Qᵢⱼ = XᵀΣ⁻¹GᵢΣ⁻¹GⱼΣ⁻¹X`, the expected information
/// `Iᵢⱼ = tr(Σ⁻¹GᵢΣ⁻¹Gⱼ) − 2tr(ΦQᵢⱼ) + tr(ΦPᵢΦPⱼ)` and `W = 2I⁻¹`,
/// `U = Σᵢⱼ Wᵢⱼ(Qᵢⱼ − PᵢΦPⱼ)`. The results do not depend on how the variance parameters are
/// parametrised (the formulas are bilinear in `W` and the derivatives).
///
/// Dense: `Σ` and the `Gᵢ` are `n×n`, so the cost is O(*k·n³*) for *k* variance parameters
/// and the memory O(*k·n²*); limited to ``maxObservations`` observations.
struct KenwardRogerAdjustment {
  static let maxObservations = 3000

  /// `Φ`, the unadjusted covariance of β̂ (lme4's `vcov`).
  let phi: Matrix
  /// `Φ_A` (pbkrtest's `vcovAdj`).
  let adjusted: Matrix
  let p: [Matrix]
  let w: Matrix

  init(frame: ModelFrame, randomEffects: [LinearMixedModel.VarianceComponent], sigma: Double)
    throws(MixedModelError)
  {
    let n = frame.rowCount
    guard n <= Self.maxObservations else {
      throw MixedModelError.kenwardRogerUnavailable(
        "it forms n x n matrices; this model has \(n) observations (at most "
          + "\(Self.maxObservations)); use Satterthwaite's df")
    }
    let x = frame.x
    // Rows of each level of each factor.
    var gs: [Matrix] = []
    var sigmaMatrix = Matrix(rows: n, columns: n)
    var component = 0
    for factor in frame.factors {
      let q = factor.q
      let levels = Int(factor.codes.max() ?? -1) + 1
      var rows = [[Int]](repeating: [], count: levels)
      for i in 0..<n { rows[Int(factor.codes[i])].append(i) }
      var offset = 0
      for block in factor.blocks {
        let width = block.count
        let v = randomEffects[component]
        component += 1
        for a in 0..<width {
          for b in 0...a {
            let sa = v.standardDeviations[a]
            let sb = v.standardDeviations[b]
            let r = a == b ? 1 : v.correlation[a][b]
            let gamma = sa * sb * (r.isFinite ? r : 0)
            var g = Matrix(rows: n, columns: n)
            let (ca, cb) = (offset + a, offset + b)
            for group in rows {
              for i in group {
                let zia = factor.z[i * q + ca]
                let zib = factor.z[i * q + cb]
                for j in group {
                  let zja = factor.z[j * q + ca]
                  let zjb = factor.z[j * q + cb]
                  g[i, j] = a == b ? zia * zja : zia * zjb + zib * zja
                }
              }
            }
            if gamma != 0 { sigmaMatrix = sigmaMatrix + gamma * g }
            gs.append(g)
          }
        }
        offset += width
      }
    }
    let s2 = sigma * sigma
    for i in 0..<n { sigmaMatrix[i, i] += s2 }
    gs.append(Matrix.identity(n))
    guard let cholesky = try? Cholesky(sigmaMatrix) else {
      throw MixedModelError.kenwardRogerUnavailable(
        "the marginal covariance of the response is not positive definite")
    }
    let sigmaInverse = cholesky.inverse()
    let t = sigmaInverse * x
    guard let phi = try? Cholesky(x.transposed * t).inverse() else {
      throw MixedModelError.kenwardRogerUnavailable("XᵀΣ⁻¹X is singular")
    }
    let k = gs.count
    let h = gs.map { $0 * sigmaInverse }
    let o = h.map { $0 * x }
    let so = o.map { sigmaInverse * $0 }
    let p = o.map { -1 * ($0.transposed * t) }
    func trace(_ a: Matrix, _ b: Matrix) -> Double {  // tr(AB)
      var s = 0.0
      for i in 0..<a.rows { for j in 0..<a.columns { s += a[i, j] * b[j, i] } }
      return s
    }
    var q = [[Matrix]](repeating: [], count: k)
    for r in 0..<k { q[r] = (0..<k).map { s in o[r].transposed * so[s] } }
    var information = Matrix(rows: k, columns: k)
    for i in 0..<k {
      let phiP = phi * p[i]
      for j in i..<k {
        let value = trace(h[i], h[j]) - 2 * trace(phi, q[i][j].transposed)
          + trace(phiP, phi * p[j])
        information[i, j] = value
        information[j, i] = value
      }
    }
    // W = 2·I⁻¹ (a pseudo-inverse when I is near singular, as pbkrtest's ginv).
    guard let eigen = try? SymmetricEigen(information), information.isFinite else {
      throw MixedModelError.kenwardRogerUnavailable("the information matrix is not finite")
    }
    let largest = (0..<k).map { abs(eigen.values[$0]) }.max() ?? 0
    var w = Matrix(rows: k, columns: k)
    for e in 0..<k where abs(eigen.values[e]) > max(1e-10, 1e-12 * largest) {
      for i in 0..<k {
        for j in 0..<k {
          w[i, j] += 2 * eigen.vectors[i, e] * eigen.vectors[j, e] / eigen.values[e]
        }
      }
    }
    var u = Matrix(rows: x.columns, columns: x.columns)
    for i in 0..<k {
      for j in 0..<k where w[i, j] != 0 {
        u = u + w[i, j] * (q[i][j] - p[i] * phi * p[j])
      }
    }
    // Summing over all (i, j) gives pbkrtest's U (its i < j terms plus their transposes, then
    // the diagonal); symmetrised against rounding.
    let half = 0.5 * (u + u.transposed)
    self.phi = phi
    adjusted = phi + 2 * (phi * half * phi)
    self.p = p
    self.w = w
  }

  /// pbkrtest's `Lb_ddf` and F scaling for the contrast rows `l` (full row rank).
  func test(_ l: [[Double]]) -> (ddf: Double, scaling: Double) {
    let q = l.count
    let lm = Matrix(rows: l)
    guard let middle = try? Cholesky(lm * phi * lm.transposed).inverse() else {
      return (.nan, .nan)
    }
    let theta = lm.transposed * middle * lm
    let thetaPhi = theta * phi
    let us = p.map { thetaPhi * $0 * phi }
    var a1 = 0.0
    var a2 = 0.0
    func trace(_ a: Matrix) -> Double { (0..<a.rows).reduce(0) { $0 + a[$1, $1] } }
    for i in us.indices {
      for j in i..<us.count {
        let e = i == j ? 1.0 : 2.0
        a1 += e * w[i, j] * trace(us[i]) * trace(us[j])
        var s = 0.0
        for r in 0..<us[i].rows { for c in 0..<us[i].columns { s += us[i][r, c] * us[j][c, r] } }
        a2 += e * w[i, j] * s
      }
    }
    let qd = Double(q)
    let b = (a1 + 6 * a2) / (2 * qd)
    let g = ((qd + 1) * a1 - (qd + 4) * a2) / ((qd + 2) * a2)
    let denominator = 3 * qd + 2 * (1 - g)
    let (c1, c2, c3) = (g / denominator, (qd - g) / denominator, (qd + 2 - g) / denominator)
    var v0 = 1 + c1 * b
    let v1 = 1 - c2 * b
    let v2 = 1 - c3 * b
    if abs(v0) < 1e-10 { v0 = 0 }
    let ratio = abs(1 - a2 / qd) < 1e-14 && abs(v1) < 1e-14 ? 1 : (1 - a2 / qd) / v1
    let rho = ratio * ratio * v0 / (v2 * qd)
    let ddf = 4 + (qd + 2) / (qd * rho - 1)
    let scaling = abs(ddf - 2) < 0.01 ? 1 : ddf * (1 - a2 / qd) / (ddf - 2)
    return (ddf, scaling)
  }
}

extension LinearMixedModel.Fit {
  /// Kenward-Roger inference (pbkrtest 0.5, as lmerTest's `ddf = "Kenward-Roger"`): standard
  /// errors from the adjusted covariance `Φ_A`, df from `Lb_ddf`, F tests with pbkrtest's
  /// scaling. Costs O(*k·n³*) with dense `n×n` matrices.
  ///
  /// - Throws: ``MixedModelError/kenwardRogerUnavailable(_:)`` for ML fits, residual
  ///   structures, more than 3,000 observations, or a singular system.
  public func kenwardRogerInference(confidenceLevel: Double = 0.95) throws(MixedModelError)
    -> LinearMixedModel.Inference
  {
    guard criterion == .reml else {
      throw .kenwardRogerUnavailable(
        "it is defined for REML fits only (as lmerTest); refit by REML")
    }
    guard residual == nil else {
      throw .kenwardRogerUnavailable(
        "it is implemented for independent, homoscedastic residuals only")
    }
    guard !fixedEffects.isEmpty else {
      throw .kenwardRogerUnavailable("the model has no fixed effects")
    }
    let kr = try KenwardRogerAdjustment(
      frame: frame, randomEffects: randomEffects, sigma: residualStandardDeviation)
    return inference(.kenwardRoger, confidenceLevel: confidenceLevel, kenwardRoger: kr)
  }
}
