import Foundation
import MatrixCore

extension LinearMixedModel {
  /// How the denominator degrees of freedom of t and F tests of fixed effects are computed.
  public enum DegreesOfFreedomMethod: String, Sendable, Codable, CaseIterable {
    /// Satterthwaite's approximation as lmerTest computes it (its default): from the gradient
    /// of `Var(Lβ̂)` with respect to the variance parameters `(θ, σ)` and their asymptotic
    /// covariance, twice the inverse Hessian of the deviance.
    case satterthwaite
    /// The residual degrees of freedom `n − p` for every test (no small-sample correction).
    case residual
    /// Kenward and Roger's method as pbkrtest computes it (lmerTest's `ddf = "Kenward-Roger"`):
    /// the adjusted covariance of β̂ for standard errors and Wald statistics, its df, and
    /// pbkrtest's scaled F. REML fits with independent residuals only; see
    /// ``Fit/kenwardRogerInference(confidenceLevel:)``.
    case kenwardRoger = "kenward-roger"
  }

  /// A Wald confidence interval, `estimate ± t(1 − (1 − level)/2, df) · SE`.
  public struct ConfidenceInterval: Sendable, Equatable, Codable {
    /// Coverage, e.g. 0.95.
    public let level: Double
    public let lower: Double
    public let upper: Double
  }

  /// The t test of one fixed-effect coefficient (a row of lmerTest's `summary()`).
  public struct CoefficientTest: Sendable, Equatable, Codable {
    /// The coefficient as lme4 prints it.
    public let term: String
    public let estimate: Double
    public let standardError: Double
    /// Denominator degrees of freedom (lmerTest's `df`).
    public let degreesOfFreedom: Double
    public let tValue: Double
    /// Two-sided p-value, `2·P(T > |t|)` with `T ~ t(df)` (lmerTest's `Pr(>|t|)`).
    public let pValue: Double
    /// The Wald interval with the same `df`.
    public let confidenceInterval: ConfidenceInterval
  }

  /// The F test of one fixed-effect term (a row of lmerTest's `anova(type = 3)`).
  public struct TermTest: Sendable, Equatable, Codable {
    /// The term as R labels it (`sector`, `wave:sector`).
    public let term: String
    /// The coefficients the term contributes.
    public let coefficients: [String]
    /// Numerator degrees of freedom: the rank of the hypothesis (lmerTest's `NumDF`).
    public let numeratorDegreesOfFreedom: Int
    /// Denominator degrees of freedom (lmerTest's `DenDF`).
    public let denominatorDegreesOfFreedom: Double
    public let fValue: Double
    /// `P(F > fValue)` (lmerTest's `Pr(>F)`).
    public let pValue: Double
  }

  /// Tests and intervals for the fixed effects of a fit; see ``Fit/inference(degreesOfFreedom:confidenceLevel:)``.
  public struct Inference: Sendable, Codable {
    /// How the degrees of freedom were computed.
    public let method: DegreesOfFreedomMethod
    /// The confidence level of the intervals.
    public let confidenceLevel: Double
    /// One t test per fixed-effect coefficient, in the order of ``Fit/fixedEffects``.
    public let coefficients: [CoefficientTest]
    /// One F test per fixed-effect term with lmerTest's type III hypotheses (empty for an
    /// intercept-only model).
    public let terms: [TermTest]
    /// The asymptotic covariance of the variance parameters `(θ, σ)` (lmerTest's
    /// `vcov_varpar`, `2·H⁻¹`); empty for the residual method.
    public let varianceParameterCovariance: [[Double]]
    /// Eigenvalues of the deviance Hessian in `(θ, σ)` that are not positive (|λ| ≤ 1e-8 or
    /// negative): lmerTest warns about them and drops them from the inverse (Moore-Penrose).
    public let nonPositiveHessianEigenvalues: [Double]
  }
}

extension LinearMixedModel.Fit {
  /// Degrees of freedom, t tests, type III F tests and Wald intervals for the fixed effects,
  /// as lmerTest computes them (`summary()`, `anova(type = 3)`, `contest1D(confint = TRUE)`).
  ///
  /// Satterthwaite's df for a contrast `l` is `2·(lᵀVl)² / (gᵀAg)`, where `V = Var(β̂)`,
  /// `gᵢ = lᵀ(∂V/∂φᵢ)l` for the variance parameters `φ = (θ, σ)`, and `A = 2·H⁻¹` with `H` the
  /// Hessian of the deviance in `φ` (lmerTest's `devfun_vp`). As lmerTest, `H` and `∂V/∂φ`
  /// are taken by Richardson extrapolation with numDeriv's defaults (`hessian`: relative step
  /// 0.1, four halvings; `jacobian`: relative step 1e-4), so the numbers agree with lmerTest
  /// to many digits. Each evaluation is one blocked Cholesky factorization of the penalized
  /// system (no `n×n` matrix is ever formed). F tests use lmerTest's type III contrasts
  /// (treatment coding; a term's contrasts orthogonalised against the terms that contain it)
  /// and its combination of the per-eigenvector df (`get_Fstat_ddf`).
  ///
  /// - Parameters:
  ///   - method: Satterthwaite (default, as lmerTest) or residual (`n − p`).
  ///   - confidenceLevel: Coverage of the Wald intervals, in (0, 1); default 0.95.
  /// - Complexity: Satterthwaite costs `2r(k² + k) + 1` factorizations for `k = dim(θ) + 1`
  ///   variance parameters and `r = 4` Richardson steps (113 for one random intercept and
  ///   slope), each linear in the number of groups; the residual method costs O(*p³*).
  ///
  /// `.kenwardRoger` falls back to Satterthwaite (and says so in ``Inference/method``) where
  /// the adjustment is unavailable, as lmerTest does; call
  /// ``kenwardRogerInference(confidenceLevel:)`` to get the reason as an error instead.
  public func inference(
    degreesOfFreedom method: LinearMixedModel.DegreesOfFreedomMethod = .satterthwaite,
    confidenceLevel: Double = 0.95
  ) -> LinearMixedModel.Inference {
    if method == .kenwardRoger {
      if let kr = try? kenwardRogerInference(confidenceLevel: confidenceLevel) { return kr }
      return inference(degreesOfFreedom: .satterthwaite, confidenceLevel: confidenceLevel)
    }
    return inference(method, confidenceLevel: confidenceLevel, kenwardRoger: nil)
  }

  func inference(
    _ method: LinearMixedModel.DegreesOfFreedomMethod, confidenceLevel: Double,
    kenwardRoger kr: KenwardRogerAdjustment?
  ) -> LinearMixedModel.Inference {
    precondition(confidenceLevel > 0 && confidenceLevel < 1, "confidenceLevel must be in (0, 1)")
    let p = fixedEffects.count
    let beta = fixedEffects.map(\.estimate)
    let v = kr?.adjusted ?? fixedEffectsCovariance
    var sensitivity: VarianceParameterSensitivity?
    if method == .satterthwaite && p > 0 {
      sensitivity = VarianceParameterSensitivity(
        frame: frame, residual: residual, theta: theta, sigma: residualStandardDeviation,
        reml: criterion == .reml, threads: model.threads)
    }
    let residualDF = Double(observationCount - p)
    func quadratic(_ l: [Double], _ m: Matrix) -> Double {
      var s = 0.0
      for i in 0..<p where l[i] != 0 { for j in 0..<p { s += l[i] * m[i, j] * l[j] } }
      return s
    }
    /// df of the contrast `l` with variance `variance`.
    func df(_ l: [Double], variance: Double) -> Double {
      if let kr { return kr.test([l]).ddf }
      guard let s = sensitivity else { return residualDF }
      let g = s.jacobian.map { quadratic(l, $0) }
      var denominator = 0.0
      for i in g.indices { for j in g.indices { denominator += g[i] * s.covariance[i, j] * g[j] } }
      return 2 * variance * variance / denominator
    }
    let quantileLevel = 1 - (1 - confidenceLevel) / 2
    let coefficients = (0..<p).map { j -> LinearMixedModel.CoefficientTest in
      var l = [Double](repeating: 0, count: p)
      l[j] = 1
      let variance = v[j, j]
      let d = df(l, variance: variance)
      let se = variance.squareRoot()
      let t = beta[j] / se
      let half = Distributions.studentTQuantile(quantileLevel, degreesOfFreedom: d) * se
      return LinearMixedModel.CoefficientTest(
        term: fixedEffects[j].term, estimate: beta[j], standardError: se, degreesOfFreedom: d,
        tValue: t, pValue: Distributions.studentTTwoSided(t, degreesOfFreedom: d),
        confidenceInterval: .init(
          level: confidenceLevel, lower: beta[j] - half, upper: beta[j] + half))
    }
    // F tests (lmerTest's contestMD).
    var terms: [LinearMixedModel.TermTest] = []
    for contrast in TypeIIIContrasts.make(frame) where !contrast.rows.isEmpty {
      let k = contrast.rows.count
      let vl = Matrix(rows: k, columns: k) { a, b in
        var s = 0.0
        for i in 0..<p {
          for j in 0..<p { s += contrast.rows[a][i] * v[i, j] * contrast.rows[b][j] }
        }
        return s
      }
      guard let eigen = try? SymmetricEigen(vl) else { continue }
      let order = (0..<k).reversed()  // descending, as R's eigen
      let d = order.map { eigen.values[$0] }
      let tolerance = max(Double.ulpOfOne.squareRoot() * d[0], 0)
      let q = d.filter { $0 > tolerance }.count
      guard q > 0 else { continue }
      let ptl = order.prefix(q).map { e in
        (0..<p).map { j in (0..<k).reduce(0.0) { $0 + eigen.vectors[$1, e] * contrast.rows[$1][j] }
        }
      }
      var f: Double
      let ddf: Double
      if let kr {
        // pbkrtest's KRmodcomp (lmerTest's KR anova): the Wald F with Φ_A over the rank q,
        // times its scaling, with Lb_ddf's df; the basis of the hypothesis does not matter.
        var sum = 0.0
        for m in 0..<q {
          let est = zip(ptl[m], beta).reduce(0) { $0 + $1.0 * $1.1 }
          sum += est * est / d[m]
        }
        let test = kr.test(ptl)
        f = sum / Double(q) * test.scaling
        ddf = test.ddf
      } else if q == 1 {
        let est = zip(ptl[0], beta).reduce(0) { $0 + $1.0 * $1.1 }
        let variance = quadratic(ptl[0], v)
        f = est * est / variance
        ddf = df(ptl[0], variance: variance)
      } else {
        var sum = 0.0
        for m in 0..<q {
          let est = zip(ptl[m], beta).reduce(0) { $0 + $1.0 * $1.1 }
          sum += est * est / d[m]
        }
        f = sum / Double(q)
        if sensitivity == nil {
          ddf = residualDF
        } else {
          ddf = Self.combinedDF((0..<q).map { df(ptl[$0], variance: d[$0]) })
        }
      }
      terms.append(
        LinearMixedModel.TermTest(
          term: contrast.term, coefficients: contrast.coefficients, numeratorDegreesOfFreedom: q,
          denominatorDegreesOfFreedom: ddf, fValue: f,
          pValue: Distributions.fSurvival(f, Double(q), ddf)))
    }
    return LinearMixedModel.Inference(
      method: method, confidenceLevel: confidenceLevel, coefficients: coefficients,
      terms: terms,
      varianceParameterCovariance: sensitivity?.covariance.rowArrays ?? [],
      nonPositiveHessianEigenvalues: sensitivity?.nonPositiveEigenvalues ?? [])
  }

  /// lmerTest's `get_Fstat_ddf`: the df of an F statistic from the df `ν` of its `q`
  /// independent t statistics, `2E/(E − q)` with `E = Σ ν/(ν − 2)` (2 if any `ν ≤ 2`).
  static func combinedDF(_ nu: [Double]) -> Double {
    if nu.count == 1 { return nu[0] }
    if zip(nu, nu.dropFirst()).allSatisfy({ abs($1 - $0) < 1e-8 }) {
      return nu.reduce(0, +) / Double(nu.count)
    }
    if nu.contains(where: { $0 <= 2 }) { return 2 }
    let e = nu.reduce(0) { $0 + $1 / ($1 - 2) }
    return 2 * e / (e - Double(nu.count))
  }
}

/// The derivatives Satterthwaite's approximation needs, as lmerTest's `as_lmerModLmerTest`
/// computes them: the Hessian of the deviance in `φ = (θ, σ)` and the Jacobian of `Var(β̂)`,
/// both by numDeriv's Richardson extrapolation over the blocked PLS factorization.
struct VarianceParameterSensitivity {
  /// `2·H⁺` (Moore-Penrose over eigenvalues above 1e-8, as lmerTest).
  let covariance: Matrix
  /// `∂Var(β̂)/∂φᵢ`, one `p×p` matrix per variance parameter.
  let jacobian: [Matrix]
  /// Eigenvalues of `H` at or below 1e-8.
  let nonPositiveEigenvalues: [Double]

  /// With a residual structure its parameters (φ, log δ) are variance parameters too,
  /// `(θ, φ, log δ, σ)`: each evaluation then prewhitens the data at them (lmerTest has no
  /// such models; the formulas are the same).
  init(
    frame: ModelFrame, residual: (structure: ResidualCovariance, parameters: [Double])?,
    theta: [Double],
    sigma: Double, reml: Bool, threads: Int = 1
  ) {
    /// A system to factor: the model's, or the prewhitened one refilled at each evaluation.
    typealias State = (pls: PenalizedLeastSquares, whitened: ResidualCriterion?)
    let makeState: @Sendable () -> State = {
      guard let residual else { return (PenalizedLeastSquares(frame: frame), nil) }
      let whitened = ResidualCriterion(structure: residual.structure, frame: frame, reml: reml)
      return (whitened.pls, whitened)
    }
    let n = Double(frame.rowCount)
    let p = frame.x.columns
    let t = theta.count
    let varpar = theta + (residual?.parameters ?? []) + [sigma]
    let k = varpar.count
    /// What one factorization at (θ, residual parameters) gives; σ does not enter it.
    struct Factored: Sendable {
      let logDetL: Double
      let penalizedRSS: Double
      let logDetRX: Double
      let logDetR: Double
      /// The fixed-effects block of the dense factor, Rₓᵀ.
      let lx: Matrix
    }
    /// The system factored at `key` = (θ, residual parameters); nil when not positive
    /// definite.
    let factorAt: @Sendable (inout State, [Double]) -> Factored? = { state, key in
      let pls = state.pls
      var logDetR = 0.0
      if let residual, let whitened = state.whitened {
        let r = key[t..<(k - 1)]
        guard residual.structure.isValid(r) else { return nil }
        whitened.load(r)
        logDetR = residual.structure.logDeterminant(r)
      }
      guard pls.factor(Array(key[0..<t])) else { return nil }
      let dense = pls.denseFactor
      return Factored(
        logDetL: pls.logDetL, penalizedRSS: pls.penalizedRSS, logDetRX: pls.logDetRX,
        logDetR: logDetR, lx: Matrix(rows: p, columns: p) { i, j in dense[i, j] })
    }
    // Steps in σ alone, and the mixed steps in (θᵢ, σ), revisit θs already factored: about a
    // third of numDeriv's evaluations. Each θ is factored once (the same numbers as before).
    var factored: [[Double]: Factored?] = [:]
    if threads > 1 {
      // numDeriv's points are known in advance: factor them all on `threads` threads first.
      let keys = TabulatedEvaluation.keys(length: k - 1) { visit in
        let value: ([Double]) -> Double = { x in
          visit(x)
          return 0
        }
        let values: ([Double]) -> [Double] = { x in
          visit(x)
          return []
        }
        _ = NumericalDerivatives.hessian(value, at: varpar)
        _ = NumericalDerivatives.jacobian(values, at: varpar)
      }
      let values = TabulatedEvaluation.evaluate(
        keys, threads: threads, makeState: makeState, factorAt)
      for (key, value) in zip(keys, values) { factored[key] = value }
    }
    /// The system at x (factored at its θ); nil when not positive definite.
    var state: State?  // made at the first point not tabulated
    func system(_ x: [Double]) -> Factored? {
      let key = Array(x[0..<(k - 1)])
      if let hit = factored[key] { return hit }
      var current = state ?? makeState()
      let result = factorAt(&current, key)
      state = current
      factored[key] = result
      return result
    }
    // lmerTest's devfun_vp: the deviance at θ for a given σ (not profiled).
    func deviance(_ x: [Double]) -> Double {
      let s2 = x[k - 1] * x[k - 1]
      guard let f = system(x) else { return .nan }
      let logTerm = log(2 * Double.pi * s2)
      var dev = f.logDetL + f.penalizedRSS / s2 + n * logTerm + f.logDetR
      if reml { dev += f.logDetRX - Double(p) * logTerm }
      return dev
    }
    // lmerTest's get_covbeta: σ²(RₓᵀRₓ)⁻¹ at θ.
    func covariance(_ x: [Double]) -> [Double] {
      guard let f = system(x),
        let inverse = try? f.lx.solveTriangular(Matrix.identity(p), triangle: .lower)
      else {
        return [Double](repeating: .nan, count: p * p)
      }
      let s2 = x[k - 1] * x[k - 1]
      return inverse.crossProduct().elements.map { $0 * s2 }
    }
    let h = NumericalDerivatives.hessian(deviance, at: varpar)
    var nonPositive: [Double] = []
    var inverse = Matrix(rows: k, columns: k)
    if h.isFinite, let eigen = try? SymmetricEigen(h) {
      for e in 0..<k {
        let lambda = eigen.values[e]
        guard lambda > 1e-8 else {
          nonPositive.append(lambda)
          continue
        }
        for i in 0..<k {
          for j in 0..<k { inverse[i, j] += eigen.vectors[i, e] * eigen.vectors[j, e] / lambda }
        }
      }
    } else {
      inverse = Matrix(rows: k, columns: k, repeating: .nan)
    }
    self.covariance = 2 * inverse
    nonPositiveEigenvalues = nonPositive
    let jac = NumericalDerivatives.jacobian(covariance, at: varpar)
    jacobian = jac.map { Matrix(rows: p, columns: p, columnMajor: $0) }
  }
}
