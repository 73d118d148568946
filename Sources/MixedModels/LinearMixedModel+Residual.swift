import Foundation
import MatrixCore
import Optimization

extension LinearMixedModel {
  /// Correlation of the residuals within groups (R-side structure; lme4 has none, nlme's
  /// `correlation =` argument).
  public enum ResidualCorrelation: Sendable, Equatable {
    /// Independent residuals, `ε ~ N(0, σ²I)` (lme4's model).
    case independent
    /// First-order autoregressive residuals within each level of `group` over the integer
    /// variable `time`: `cor(εᵢ, εⱼ) = φ^|tᵢ − tⱼ|` (nlme's `corAR1(form = ~ time | group)`;
    /// a missing wave leaves a gap of two time units, as in nlme).
    /// `group` is a grouping variable or grouping factor of the formula (`school`,
    /// `school:teacher`), nested in every grouping factor; `nil` takes the finest one.
    case ar1(time: String, group: String?)
    /// Continuous-time AR(1): `cor(εᵢ, εⱼ) = φ^|tᵢ − tⱼ|` for any real times, `0 < φ < 1`
    /// (nlme's `corCAR1(form = ~ time | group)`), for unequally spaced occasions.
    case car1(time: String, group: String?)
  }

  /// Variance of the residuals (nlme's `weights =` argument).
  public enum ResidualVariance: Sendable, Equatable {
    /// One residual variance σ² (lme4's model).
    case homoscedastic
    /// One residual SD per value of `by`, `σ·δ_s`, relative to the first value in the data
    /// (nlme's `varIdent(form = ~ 1 | by)`); `by` is a variable of the formula (`wave`).
    case varIdent(by: String)
  }

  /// The fitted residual structure (`residualStructure` in `lae growth`'s JSON).
  public struct ResidualStructure: Sendable, Equatable, Codable {
    /// `ar1`, `car1`, `varIdent`, or a correlation and `varIdent` joined by `+`
    /// (`ar1+varIdent`).
    public let type: String
    /// The time variable that orders observations within a group (correlation structures).
    public let time: String?
    /// The grouping within which residuals are correlated (correlation structures).
    public let group: String?
    /// The variable whose values have their own residual SD (varIdent).
    public let by: String?
    /// The estimated parameters: `phi` for AR(1) and CAR(1); for varIdent the SD ratio
    /// `δ` of each value of ``by`` relative to the first (1 for the first; nlme's
    /// `coef(varStruct, unconstrained = FALSE)`), keyed by the value.
    public let parameters: [String: Double]
    /// The values of ``by`` in nlme's order, reference first (varIdent).
    public let levels: [String]?
    /// Wald intervals of the parameters (the reference SD ratio has none); missing for a
    /// parameter whose interval cannot be computed (see ``Fit/diagnostics``).
    public let confidenceIntervals: [String: ConfidenceInterval]
    /// How the intervals were computed.
    public let intervalMethod: String
  }

  /// A residual parameter's Wald statistics on its unconstrained scale.
  struct ResidualWald: Sendable {
    enum Scale: Sendable { case fisherZ, logit, log }
    let name: String
    let scale: Scale
    let estimate: Double
    let standardError: Double

    func natural(_ x: Double) -> Double {
      switch scale {
      case .fisherZ: return tanh(x)
      case .logit: return 1 / (1 + exp(-x))
      case .log: return exp(x)
      }
    }
  }
}

/// The residual covariance `σ²·D R D` (D from varIdent, R from AR(1)/CAR(1)), handled by
/// prewhitening: `C⁻¹D⁻¹` applied to `y`, `X` and `Z`, plus `log|R| + log|D²|`.
///
/// Parameters on the optimizer's scale: φ (bounded to `(−1, 1)`, `(0, 1)` for CAR(1)), then
/// `log δ` of each non-reference stratum.
struct ResidualCovariance: Sendable {
  let ar1: AR1Structure?
  let varIdent: VarIdentStructure?

  init(
    frame: ModelFrame, correlation: LinearMixedModel.ResidualCorrelation,
    variance: LinearMixedModel.ResidualVariance
  ) throws(MixedModelError) {
    switch correlation {
    case .independent: ar1 = nil
    case .ar1(let time, let group):
      ar1 = try AR1Structure(frame: frame, time: time, group: group)
    case .car1(let time, let group):
      ar1 = try AR1Structure(frame: frame, time: time, group: group, continuous: true)
    }
    switch variance {
    case .homoscedastic: varIdent = nil
    case .varIdent(let by): varIdent = try VarIdentStructure(frame: frame, by: by)
    }
  }

  var isEmpty: Bool { ar1 == nil && varIdent == nil }
  var parameterCount: Int { (ar1 == nil ? 0 : 1) + (varIdent?.parameterCount ?? 0) }
  var lowerBounds: [Double] {
    (ar1.map { [$0.continuous ? 1e-7 : -(1 - 1e-7)] } ?? [])
      + [Double](repeating: -.infinity, count: varIdent?.parameterCount ?? 0)
  }
  var upperBounds: [Double] {
    (ar1 == nil ? [] : [1 - 1e-7])
      + [Double](repeating: .infinity, count: varIdent?.parameterCount ?? 0)
  }
  var start: [Double] {
    (ar1.map { [$0.continuous ? 0.2 : 0] } ?? [])
      + [Double](repeating: 0, count: varIdent?.parameterCount ?? 0)
  }

  private func split(_ v: ArraySlice<Double>) -> (phi: Double?, logDelta: ArraySlice<Double>) {
    let s = v.startIndex
    return ar1 == nil ? (nil, v) : (v[s], v[(s + 1)...])
  }

  /// Whether the parameters describe a positive definite covariance.
  func isValid(_ v: ArraySlice<Double>) -> Bool {
    let (phi, logDelta) = split(v)
    if let phi, let a = ar1, !(a.continuous ? phi > 0 && phi < 1 : abs(phi) < 1) { return false }
    return logDelta.allSatisfy { $0.isFinite && abs($0) < 700 }
  }

  func transformed(_ frame: ModelFrame, _ v: ArraySlice<Double>) -> ModelFrame {
    let (phi, logDelta) = split(v)
    var out = frame
    if let varIdent { out = varIdent.scaled(out, logDelta: logDelta) }
    if let ar1, let phi { out = ar1.transformed(out, phi: phi) }
    return out
  }

  func logDeterminant(_ v: ArraySlice<Double>) -> Double {
    let (phi, logDelta) = split(v)
    return (ar1.map { $0.logDeterminant(phi: phi ?? 0) } ?? 0)
      + (varIdent?.logDeterminant(logDelta) ?? 0)
  }

  /// The optimizer's parameters on their unconstrained scales (atanh φ for AR(1) — nlme's
  /// `log((1+φ)/(1−φ))` halved —, logit φ for CAR(1) as nlme, log δ) and back.
  func unconstrained(_ v: [Double]) -> [Double] {
    var out = v
    if let ar1 { out[0] = ar1.continuous ? log(v[0] / (1 - v[0])) : atanh(v[0]) }
    return out
  }
  func constrained(_ u: ArraySlice<Double>) -> [Double] {
    var out = Array(u)
    if let ar1 { out[0] = ar1.continuous ? 1 / (1 + exp(-out[0])) : tanh(out[0]) }
    return out
  }

  var names: [String] {
    (ar1 == nil ? [] : ["phi"]) + (varIdent.map { Array($0.levels.dropFirst()) } ?? [])
  }
  var scales: [LinearMixedModel.ResidualWald.Scale] {
    (ar1.map { [$0.continuous ? .logit : .fisherZ] } ?? [])
      + [LinearMixedModel.ResidualWald.Scale](
        repeating: .log, count: varIdent?.parameterCount ?? 0)
  }

  /// The public description at the estimates.
  func structure(_ v: [Double], wald: [LinearMixedModel.ResidualWald], level: Double)
    -> LinearMixedModel.ResidualStructure
  {
    var parameters: [String: Double] = [:]
    var type: [String] = []
    if let ar1 {
      parameters["phi"] = v[0]
      type.append(ar1.continuous ? "car1" : "ar1")
    }
    if let varIdent {
      type.append("varIdent")
      parameters[varIdent.levels[0]] = 1
      let offset = ar1 == nil ? 0 : 1
      for (j, name) in varIdent.levels.dropFirst().enumerated() {
        parameters[name] = exp(v[offset + j])
      }
    }
    let z = Distributions.normalQuantile(1 - (1 - level) / 2)
    var intervals: [String: LinearMixedModel.ConfidenceInterval] = [:]
    for w in wald where w.standardError.isFinite && w.standardError > 0 {
      intervals[w.name] = .init(
        level: level, lower: w.natural(w.estimate - z * w.standardError),
        upper: w.natural(w.estimate + z * w.standardError))
    }
    return .init(
      type: type.joined(separator: "+"), time: ar1?.time, group: ar1?.group, by: varIdent?.by,
      parameters: parameters, levels: varIdent?.levels, confidenceIntervals: intervals,
      intervalMethod: "Wald on the unconstrained scale (atanh(phi) for ar1, logit(phi) for "
        + "car1, log of the SD ratios), covariance twice the inverse of the numerical Hessian "
        + "of the profiled criterion in (theta, unconstrained residual parameters), as nlme's "
        + "intervals()")
  }
}

extension LinearMixedModel {
  /// Fits the model with a residual structure: BOBYQA over (θ, φ, log δ) of the prewhitened
  /// criterion, then Wald statistics of the residual parameters from the Hessian.
  func fitResidual(frame: ModelFrame) throws -> Fit {
    let structure = try ResidualCovariance(
      frame: frame, correlation: residualCorrelation, variance: residualVariance)
    let reml = criterion == .reml
    let residualCriterion = ResidualCriterion(structure: structure, frame: frame, reml: reml)
    let base = residualCriterion.pls
    let k = base.thetaCount
    let lower = base.lowerBounds + structure.lowerBounds
    let upper = [Double](repeating: .infinity, count: k) + structure.upperBounds
    var evaluations = 0
    func criterionAt(_ v: [Double]) -> Double {
      residualCriterion(theta: Array(v[0..<k]), residual: v[k...])
    }
    // lme4's xtol_rel = 1e-4 would stop φ at about four digits; nlme's optimum is matched to
    // 1e-4 only with a tighter relative tolerance (1e-7), which costs a few more evaluations.
    // The likelihood is flat in φ and the SD ratios (a change of 1e-4 in them moves it by
    // about 1e-8), so ftol_abs = 1e-8 stops short too: 1e-12.
    var settings = minimizer
    settings.relativeParameterTolerance = min(settings.relativeParameterTolerance, 1e-7)
    settings.absoluteFunctionTolerance = min(settings.absoluteFunctionTolerance, 1e-12)
    let start = base.startTheta + structure.start
    let result = try settings.minimize(start: start, lower: lower, upper: upper) { v in
      evaluations += 1
      return criterionAt(v.elements)
    }
    let best = result.minimizer
    let residual = Array(best[k...])
    let theta = Array(best[0..<k])
    let objective = criterionAt(best)
    var checks: [Diagnostic] = []
    let singular = base.lowerBounds.indices.contains {
      base.lowerBounds[$0] == 0 && theta[$0] < 1e-4
    }
    var boundary = false
    if let ar1 = structure.ar1 {
      let phi = residual[0]
      let (lo, hi) = ar1.continuous ? (0.0, 1.0) : (-1.0, 1.0)
      if phi - lo < 1e-4 || hi - phi < 1e-4 {
        boundary = true
        checks.append(.residualParameterAtBoundary(parameter: "phi", value: phi))
      }
    }
    if !singular && !boundary && frame.rowCount < 10_000 && best.count < 10 {
      checks += Self.derivativeChecks(theta: best, at: objective, lower: lower) { criterionAt($0) }
    }
    var wald = Self.residualWald(
      criterion: residualCriterion, theta: theta, thetaLower: base.lowerBounds,
      residual: residual)
    if boundary {
      // No interval on a boundary (the unconstrained scale puts it at infinity).
      wald[0] = ResidualWald(
        name: wald[0].name, scale: wald[0].scale, estimate: wald[0].estimate,
        standardError: .infinity)
    }
    for (j, w) in wald.enumerated() where !(boundary && j == 0)
      && !(w.standardError.isFinite && w.standardError > 0)
    {
      checks.append(.residualIntervalUnavailable(parameter: w.name))
    }
    let summary = OptimizationSummary(
      optimizer: settings.algorithm.rawValue, start: result.start, theta: theta,
      objective: objective, evaluationCount: evaluations, status: result.status)
    let pls = PenalizedLeastSquares(frame: structure.transformed(frame, residual[...]))
    return try Fit(
      model: self, frame: frame, pls: pls, optimization: summary, checks: checks,
      residual: (structure, residual), residualWald: wald)
  }

  /// Wald statistics of the residual parameters on their unconstrained scales: the Hessian of
  /// the profiled criterion (−2 log-likelihood with σ profiled out) in the θ not on a bound
  /// and the unconstrained residual parameters, by Richardson extrapolation (numDeriv's
  /// steps); covariance `2·H⁻¹`. With σ profiled out the inverse's block is that of the full
  /// likelihood's, so the standard errors are nlme's `apVar` ones. A parameter on its
  /// boundary, or a Hessian that is not positive definite (a flat likelihood), gives an
  /// infinite standard error.
  static func residualWald(
    criterion residualCriterion: ResidualCriterion, theta: [Double], thetaLower: [Double],
    residual: [Double]
  ) -> [ResidualWald] {
    let structure = residualCriterion.structure
    let names = structure.names
    let scales = structure.scales
    let u = structure.unconstrained(residual)
    let free = theta.indices.filter { !(thetaLower[$0] == 0 && theta[$0] < 1e-4) }
    let point = free.map { theta[$0] } + u
    let f = free.count
    func criterion(_ x: [Double]) -> Double {
      var t = theta
      for (j, i) in free.enumerated() { t[i] = x[j] }
      let r = structure.constrained(x[f...])
      guard structure.isValid(r[...]) else { return .nan }
      return residualCriterion(theta: t, residual: r[...])
    }
    func unavailable() -> [ResidualWald] {
      names.indices.map {
        ResidualWald(name: names[$0], scale: scales[$0], estimate: u[$0], standardError: .infinity)
      }
    }
    guard u.allSatisfy(\.isFinite) else { return unavailable() }
    let h = NumericalDerivatives.hessian(criterion, at: point, r: 2)
    guard h.isFinite, let eigen = try? SymmetricEigen(h) else { return unavailable() }
    let n = point.count
    let largest = (0..<n).map { eigen.values[$0] }.max() ?? 0
    guard largest > 0, (0..<n).allSatisfy({ eigen.values[$0] > 1e-10 * largest }) else {
      return unavailable()
    }
    return names.indices.map { j in
      let i = f + j
      var variance = 0.0
      for e in 0..<n { variance += eigen.vectors[i, e] * eigen.vectors[i, e] / eigen.values[e] }
      return ResidualWald(
        name: names[j], scale: scales[j], estimate: u[j],
        standardError: (2 * variance).squareRoot())
    }
  }
}

extension LinearMixedModel.Fit {
  /// The residual structure with Wald intervals at `confidenceLevel` (``residualStructure``
  /// holds them at 0.95); `nil` for independent, homoscedastic residuals.
  public func residualStructure(confidenceLevel: Double) -> LinearMixedModel.ResidualStructure? {
    precondition(confidenceLevel > 0 && confidenceLevel < 1, "confidenceLevel must be in (0, 1)")
    return residual.map {
      $0.structure.structure($0.parameters, wald: residualWald, level: confidenceLevel)
    }
  }
}
