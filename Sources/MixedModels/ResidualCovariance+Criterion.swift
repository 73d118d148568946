import Foundation

extension ResidualCovariance {
  /// Row `i` of the frame that ``transformed(_:_:)`` returns, as a combination of two rows of
  /// the original: `a[i]·rᵢ − b[i]·r_{previous(i)}`, with `a = w_i/√(1 − ρᵢ²)` and
  /// `b = ρᵢ·w_{previous(i)}/√(1 − ρᵢ²)` (`w = 1/δ` of the row's stratum, `ρᵢ = φ^lag`; for a
  /// chain's first row `a = w_i`, `b = 0`).
  func rowCoefficients(_ v: ArraySlice<Double>, a: inout [Double], b: inout [Double]) {
    let n = a.count
    let s = v.startIndex
    let w = varIdent.map { $0.rowScales(v[(s + (ar1 == nil ? 0 : 1))...]) }
    guard let ar1 else {
      for i in 0..<n {
        a[i] = w?[i] ?? 1
        b[i] = 0
      }
      return
    }
    let phi = v[s]
    let scale1 = 1 / (1 - phi * phi).squareRoot()
    for i in 0..<n {
      let p = Int(ar1.previous[i])
      let wi = w?[i] ?? 1
      if p < 0 {
        a[i] = wi
        b[i] = 0
        continue
      }
      let lag = ar1.lag[i]
      let rho = lag == 1 ? phi : pow(phi, lag)
      let scale = lag == 1 ? scale1 : 1 / (1 - rho * rho).squareRoot()
      a[i] = wi * scale
      b[i] = rho * (w?[p] ?? 1) * scale
    }
  }
}

/// The profiled criterion of a model with a residual structure (−2 log-likelihood, or the REML
/// criterion, with σ profiled out: the prewhitened PLS criterion plus `log|R| + log|D²|`), on
/// one system that each evaluation refills in place
/// (``PenalizedLeastSquares/reload(frame:a:b:previous:)``) instead of building the transformed
/// frame and a new system; a θ-only step (the Hessian's) skips the refill. Not thread-safe:
/// one per optimization.
final class ResidualCriterion {
  let structure: ResidualCovariance
  let frame: ModelFrame
  let reml: Bool
  /// The system, holding the prewhitened cross-products of the last ``load(_:)``.
  let pls: PenalizedLeastSquares
  private var a: [Double]
  private var b: [Double]
  private let previous: [Int32]
  /// The residual parameters of the last ``load(_:)`` (the Hessian's θ steps keep them).
  private var loaded: [Double]? = nil

  init(structure: ResidualCovariance, frame: ModelFrame, reml: Bool) {
    self.structure = structure
    self.frame = frame
    self.reml = reml
    pls = PenalizedLeastSquares(frame: frame)
    a = [Double](repeating: 1, count: frame.rowCount)
    b = [Double](repeating: 0, count: frame.rowCount)
    previous = structure.ar1?.previous ?? [Int32](repeating: -1, count: frame.rowCount)
  }

  /// Prewhitens the system at the residual parameters `r` (valid ones, see
  /// ``ResidualCovariance/isValid(_:)``); ``pls`` is then ready to factor
  /// (``PenalizedLeastSquares/factor(_:)``).
  func load(_ r: ArraySlice<Double>) {
    if let loaded, loaded.elementsEqual(r) { return }
    structure.rowCoefficients(r, a: &a, b: &b)
    pls.reload(frame: frame, a: a, b: b, previous: previous)
    loaded = Array(r)
  }

  /// The criterion at θ and the residual parameters `r`; `.infinity` when `r` is invalid or the
  /// system not positive definite.
  func callAsFunction(theta: [Double], residual r: ArraySlice<Double>) -> Double {
    guard structure.isValid(r) else { return .infinity }
    load(r)
    return pls.deviance(theta, reml: reml) + structure.logDeterminant(r)
  }
}
