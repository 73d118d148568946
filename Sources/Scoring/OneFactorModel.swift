import Foundation
import MatrixCore
import Optimization

/// A one-factor model of a correlation matrix, and McDonald's omega total from it.
///
/// ```swift
/// let minres = try OneFactorModel(correlation: r, method: .minimumResidual)
/// minres.omegaTotal; minres.loadings
/// ```
///
/// Two estimators, each defined as its R peer defines it so that a researcher gets the same
/// numbers:
/// - ``Method/minimumResidual``: psych's `fa(fm = "minres")` as `psych::omega(nfactors = 1)`
///   uses it. The uniquenesses `ψ` minimise the sum of squared residuals
///   `‖(R − diag ψ) − λ₁v₁v₁ᵀ‖²`; loadings are `v₁·√λ₁` of `R − diag ψ`. Omega total is
///   psych's `(ΣR − Σu²)/ΣR` with `u² = 1 − ℓ²`.
/// - ``Method/maximumLikelihood``: R's `factanal(covmat = R, factors = 1)`. The uniquenesses
///   minimise `−Σ_{k≥2}(ln eₖ − eₖ) − 1 + p`, with `eₖ` the eigenvalues of `ψ^{−½} R ψ^{−½}`;
///   loadings are `ψ^{½}·v₁·√(e₁ − 1)`. Omega total uses the same formula with factanal's
///   uniquenesses.
///
/// Both keep every `ψ` in [0.005, 1] as the peers do; a uniqueness at the lower bound (a
/// Heywood case) is listed in ``heywoodItems``. The peers stop L-BFGS-B at its default
/// tolerance; here BOBYQA runs to 1e-10 in `ψ`, so loadings agree with theirs to about 1e-6.
///
/// As `psych::omega` does (`flip = TRUE`), items whose loading comes out negative are
/// reversed before omega is computed, and listed in ``flippedItems``: with an instrument's
/// reverse keys applied, that list is empty unless an item is mis-keyed.
public struct OneFactorModel: Sendable, Codable, Equatable {
  /// How the loadings are estimated.
  public enum Method: String, Sendable, Codable, CaseIterable {
    /// Minimum residual (unweighted least squares), psych's `fm = "minres"`.
    case minimumResidual
    /// Maximum likelihood, R's `factanal`.
    case maximumLikelihood
  }

  /// The estimator.
  public let method: Method
  /// Loadings, one per variable, signed so that their sum is positive.
  public let loadings: [Double]
  /// Uniquenesses `ψ` (for minres, `1 − ℓ²` as psych reports `u2`).
  public let uniquenesses: [Double]
  /// McDonald's omega total, `(ΣR − Σψ)/ΣR` on the flipped correlations.
  public let omegaTotal: Double
  /// Indices of variables reversed because their loading was negative.
  public let flippedItems: [Int]
  /// Indices of variables whose uniqueness sits at the lower bound 0.005.
  public let heywoodItems: [Int]
  /// Whether the optimiser met its tolerance.
  public let converged: Bool

  /// The lower bound of every uniqueness, as psych and factanal.
  public static let lowerBound = 0.005

  /// Fits the model to the correlation matrix `r` (p x p, p ≥ 3).
  ///
  /// - Throws: ``ScoringError/tooFewItems(usable:zeroVariance:)`` with fewer than three
  ///   variables (one factor is not identified from two), ``ScoringError/singularCorrelations``
  ///   when `r` cannot be decomposed or inverted.
  public init(correlation r: Matrix, method: Method) throws {
    let p = r.rows
    guard p >= 3 else { throw ScoringError.tooFewItems(usable: p, zeroVariance: []) }
    guard r.isFinite else { throw ScoringError.singularCorrelations }
    let start: [Double]
    switch method {
    case .minimumResidual:
      // psych: start <- diag(S) - smc(S)
      start = try squaredMultipleCorrelations(r).map { Self.clamp(1 - $0) }
    case .maximumLikelihood:
      // factanal: start <- (1 - 0.5 * factors / p) / diag(solve(cmat))
      let inverse: Matrix
      do { inverse = try Cholesky(r).inverse() } catch { throw ScoringError.singularCorrelations }
      start = (0..<p).map { Self.clamp((1 - 0.5 / Double(p)) / inverse[$0, $0]) }
    }
    let minimizer = DerivativeFreeMinimizer(
      algorithm: .bobyqa, absoluteFunctionTolerance: 0, relativeFunctionTolerance: 1e-15,
      absoluteParameterTolerance: 1e-10, maxEvaluations: 20_000)
    let lower = [Double](repeating: Self.lowerBound, count: p)
    let upper = [Double](repeating: 1, count: p)
    let result = try minimizer.minimize(start: start, lower: lower, upper: upper) { psi in
      switch method {
      case .minimumResidual: return try Self.residualCriterion(r, psi: psi.elements)
      case .maximumLikelihood: return try Self.likelihoodCriterion(r, psi: psi.elements)
      }
    }
    let psi = result.minimizer
    var l: [Double]
    var u: [Double]
    switch method {
    case .minimumResidual:
      var reduced = r
      for i in 0..<p { reduced[i, i] -= psi[i] }
      let e = try Self.eigen(reduced)
      let top = max(e.values[p - 1], 100 * Double.ulpOfOne)
      l = (0..<p).map { e.vectors[$0, p - 1] * top.squareRoot() }
      u = l.map { 1 - $0 * $0 }
    case .maximumLikelihood:
      let scaled = Matrix(rows: p, columns: p) { i, j in r[i, j] / (psi[i] * psi[j]).squareRoot() }
      let e = try Self.eigen(scaled)
      let top = max(e.values[p - 1] - 1, 0).squareRoot()
      l = (0..<p).map { e.vectors[$0, p - 1] * top * psi[$0].squareRoot() }
      u = psi
    }
    if l.reduce(0, +) < 0 { l = l.map { -$0 } }
    let flipped = (0..<p).filter { l[$0] < 0 }
    let sign = (0..<p).map { l[$0] < 0 ? -1.0 : 1.0 }
    var total = 0.0
    for j in 0..<p { for i in 0..<p { total += sign[i] * sign[j] * r[i, j] } }
    loadings = l
    uniquenesses = u
    omegaTotal = (total - u.reduce(0, +)) / total
    flippedItems = flipped
    heywoodItems = (0..<p).filter { psi[$0] <= Self.lowerBound * (1 + 1e-9) }
    self.method = method
    converged = result.converged
  }

  static func clamp(_ x: Double) -> Double { min(1, max(lowerBound, x)) }

  static func eigen(_ a: Matrix) throws -> SymmetricEigen {
    do { return try SymmetricEigen(a) } catch { throw ScoringError.singularCorrelations }
  }

  /// psych's `fit.residuals` for one factor: the squared residuals off the leading
  /// eigenvalue, `Σ_{k<p} λₖ²` of `R − diag ψ` (eigenvalues ascending).
  static func residualCriterion(_ r: Matrix, psi: [Double]) throws -> Double {
    var reduced = r
    for i in 0..<r.rows { reduced[i, i] -= psi[i] }
    let values: Vector
    do { values = try SymmetricEigen(reduced, computeVectors: false).values } catch {
      throw ScoringError.singularCorrelations
    }
    let p = r.rows
    let top = max(values[p - 1], 100 * Double.ulpOfOne)
    var error = (values[p - 1] - top) * (values[p - 1] - top)
    for k in 0..<(p - 1) { error += values[k] * values[k] }
    return error
  }

  /// factanal's `FAfn` for one factor.
  static func likelihoodCriterion(_ r: Matrix, psi: [Double]) throws -> Double {
    let p = r.rows
    let scaled = Matrix(rows: p, columns: p) { i, j in r[i, j] / (psi[i] * psi[j]).squareRoot() }
    let values: Vector
    do { values = try SymmetricEigen(scaled, computeVectors: false).values } catch {
      throw ScoringError.singularCorrelations
    }
    var e = 0.0
    for k in 0..<(p - 1) { e += Foundation.log(values[k]) - values[k] }
    return -(e - 1 + Double(p))
  }
}
