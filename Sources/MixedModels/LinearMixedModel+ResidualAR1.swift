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
  }

  /// The fitted residual structure (`residualStructure` in `lae growth`'s JSON).
  public struct ResidualStructure: Sendable, Equatable, Codable {
    /// `ar1`.
    public let type: String
    /// The time variable that orders observations within a group.
    public let time: String
    /// The grouping within which residuals are correlated.
    public let group: String
    /// The estimated parameters: `["phi": φ]` for AR(1).
    public let parameters: [String: Double]
  }
}

/// AR(1) residuals within chains (one per group, rows ordered by time), handled by
/// prewhitening: with `R = CCᵀ` the AR(1) correlation of a chain (`φ^|tᵢ − tⱼ|`, a Markov
/// chain), `C⁻¹` maps the first row to itself and row k to `(r_k − ρ_k·r_{k−1})/√(1 − ρ_k²)`
/// with `ρ_k = φ^(t_k − t_{k−1})` (Prais-Winsten, gaps included). Transforming `y`, `X` and
/// `Z` this way gives a model with independent residuals, whose profiled PLS criterion plus
/// `log|R| = Σ_k log(1 − ρ_k²)` is the criterion of the AR(1) model (REML included:
/// `log|XᵀV⁻¹X|` is invariant). Because each chain lies within one level of every grouping
/// factor, the transformed `Z` keeps the nested block structure, so the blocked Cholesky
/// applies unchanged.
struct AR1Structure: Sendable {
  let time: String
  let group: String
  /// Row index of the previous observation of the same chain, −1 for a chain's first row.
  let previous: [Int32]
  /// Time since the previous observation of the chain (a positive integer; 0 for the first).
  let lag: [Int32]
  let chainCount: Int

  init(frame: ModelFrame, time: String, group requested: String?) throws(MixedModelError) {
    guard case .numeric(let t)? = frame.codedVariables[time] else {
      throw MixedModelError.invalidResidualStructure(
        "the time variable '\(time)' must be a numeric variable of the formula")
    }
    let n = frame.rowCount
    // The chain of each row: a grouping factor (by name) or a categorical variable.
    let name = requested ?? frame.factors.first?.name ?? ""
    var codes: [Int32]
    if let f = frame.factors.first(where: { $0.name == name }) {
      codes = f.codes
    } else if case .categorical(let c, _)? = frame.codedVariables[name] {
      codes = c
    } else {
      throw MixedModelError.invalidResidualStructure(
        "the group '\(name)' is not a grouping factor or categorical variable of the formula")
    }
    group = name
    self.time = time
    let levels = Int(codes.max() ?? -1) + 1
    var rows = [[Int]](repeating: [], count: levels)
    for i in 0..<n { rows[Int(codes[i])].append(i) }
    var previous = [Int32](repeating: -1, count: n)
    var lag = [Int32](repeating: 0, count: n)
    var chains = 0
    for var chain in rows where !chain.isEmpty {
      chains += 1
      chain.sort { t[$0] != t[$1] ? t[$0] < t[$1] : $0 < $1 }
      for k in 1..<max(1, chain.count) {
        let (a, b) = (chain[k - 1], chain[k])
        if t[a] == t[b] {
          throw MixedModelError.invalidResidualStructure(
            "two observations of '\(name)' share the time \(t[a]); AR(1) needs one per time")
        }
        let gap = t[b] - t[a]
        guard gap == gap.rounded(), gap < 1e6 else {
          throw MixedModelError.invalidResidualStructure(
            "the time variable '\(time)' must be integer-valued for AR(1), as nlme's corAR1 "
              + "requires (found a gap of \(gap))")
        }
        lag[b] = Int32(gap)
        for f in frame.factors where f.codes[a] != f.codes[b] {
          throw MixedModelError.invalidResidualStructure(
            "the group '\(name)' is not nested in the grouping factor '\(f.name)'; correlate "
              + "residuals within the finest grouping factor")
        }
        previous[b] = Int32(a)
      }
    }
    self.previous = previous
    self.lag = lag
    chainCount = chains
  }

  /// `ρ_k = φ^lag` for each row.
  func rho(_ phi: Double) -> [Double] {
    lag.map { $0 == 0 ? 0 : ($0 == 1 ? phi : pow(phi, Double($0))) }
  }

  /// `log|R(φ)|`.
  func logDeterminant(phi: Double) -> Double {
    rho(phi).reduce(0) { $0 + ($1 == 0 ? 0 : log1p(-$1 * $1)) }
  }

  /// The prewhitened frame `C⁻¹y`, `C⁻¹X`, `C⁻¹Z` (codes, names and levels unchanged).
  func transformed(_ frame: ModelFrame, phi: Double) -> ModelFrame {
    let n = frame.rowCount
    let rho = rho(phi)
    let scale = rho.map { 1 / (1 - $0 * $0).squareRoot() }
    var out = frame
    func apply(_ v: [Double], stride: Int, offset: Int, into w: inout [Double], columns: Int) {
      for i in 0..<n {
        let p = Int(previous[i])
        for c in 0..<columns {
          let value = v[offset + i * stride + c]
          w[offset + i * stride + c] =
            p < 0 ? value : (value - rho[i] * v[offset + p * stride + c]) * scale[i]
        }
      }
    }
    var y = frame.y
    apply(frame.y, stride: 1, offset: 0, into: &y, columns: 1)
    out.y = y
    var x = frame.x.elements
    for j in 0..<frame.x.columns {
      apply(frame.x.elements, stride: 1, offset: j * n, into: &x, columns: 1)
    }
    out.x = Matrix(rows: n, columns: frame.x.columns, columnMajor: x)
    for k in frame.factors.indices {
      let q = frame.factors[k].q
      var z = frame.factors[k].z
      apply(frame.factors[k].z, stride: q, offset: 0, into: &z, columns: q)
      out.factors[k].z = z
    }
    return out
  }
}

extension LinearMixedModel {
  /// Fits the model with AR(1) residuals: BOBYQA over (θ, φ) of the prewhitened criterion.
  func fitAR1(frame: ModelFrame, time: String, group: String?) throws -> Fit {
    let structure = try AR1Structure(frame: frame, time: time, group: group)
    let reml = criterion == .reml
    let base = PenalizedLeastSquares(frame: frame)
    let k = base.thetaCount
    let lower = base.lowerBounds + [-(1 - 1e-7)]
    let upper = [Double](repeating: .infinity, count: k) + [1 - 1e-7]
    var evaluations = 0
    func criterionAt(_ v: [Double]) -> Double {
      let phi = v[k]
      let pls = PenalizedLeastSquares(frame: structure.transformed(frame, phi: phi))
      return pls.deviance(Array(v[0..<k]), reml: reml) + structure.logDeterminant(phi: phi)
    }
    // lme4's xtol_rel = 1e-4 would stop φ at about four digits; nlme's optimum is matched to
    // 1e-4 only with a tighter relative tolerance (1e-7), which costs a few more evaluations.
    var settings = minimizer
    settings.relativeParameterTolerance = min(settings.relativeParameterTolerance, 1e-7)
    let start = base.startTheta + [0]
    let result = try settings.minimize(start: start, lower: lower, upper: upper) { v in
      evaluations += 1
      return criterionAt(v.elements)
    }
    let best = result.minimizer
    let phi = best[k]
    let theta = Array(best[0..<k])
    let objective = criterionAt(best)
    var checks: [Diagnostic] = []
    let singular = base.lowerBounds.indices.contains {
      base.lowerBounds[$0] == 0 && theta[$0] < 1e-4
    }
    if !singular && frame.rowCount < 10_000 && best.count < 10 {
      checks = Self.derivativeChecks(theta: best, at: objective, lower: lower) { criterionAt($0) }
    }
    let summary = OptimizationSummary(
      optimizer: settings.algorithm.rawValue, start: result.start, theta: theta,
      objective: objective, evaluationCount: evaluations, status: result.status)
    let pls = PenalizedLeastSquares(frame: structure.transformed(frame, phi: phi))
    return try Fit(
      model: self, frame: frame, pls: pls, optimization: summary, checks: checks,
      residual: (structure, phi))
  }
}
