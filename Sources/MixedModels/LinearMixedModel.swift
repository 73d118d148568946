import Ingest
import MatrixCore
import Optimization

/// A linear mixed-effects model (lme4's `lmer`), fitted by profiled penalized least squares.
///
/// The model is `y = Xβ + Zb + ε` with `b ~ N(0, Σθ)`, `Σθ = σ²ΛθΛθᵀ` and `ε ~ N(0, σ²I)`.
/// Notation maps to properties of the fit as `β` → ``Fit/fixedEffects`` (lme4's `fixef`),
/// `Σθ` → ``Fit/randomEffects`` (`VarCorr`), `σ` → ``Fit/residualStandardDeviation``
/// (`sigma`), `θ` → ``Fit/theta``, the conditional modes of `b` →
/// ``Fit/conditionalModes`` (`ranef`).
///
/// ```swift
/// let model = LinearMixedModel(formula: try ModelFormula("Reaction ~ Days + (Days | Subject)"))
/// let fit = try model.fit(table)                 // REML by default, as lmer
/// fit.fixedEffects; fit.randomEffects; fit.remlCriterion; fit.diagnostics
/// print(fit.summary())
/// ```
///
/// Fitting follows Bates, Mächler, Bolker and Walker (2015), *Fitting Linear Mixed-Effects
/// Models Using lme4*, JSS 67(1): β and σ are profiled out, and the deviance (or REML
/// criterion) is minimised over θ with NLopt's BOBYQA from lme4's start (1 on the diagonal of
/// each Cholesky template, 0 off it) with lme4's bounds and tolerances (`nloptwrap`), followed
/// by lme4's `restart_edge` and boundary checks.
public struct LinearMixedModel: Sendable {
  /// Which likelihood is maximised.
  public enum Criterion: String, Sendable, Codable, CaseIterable {
    /// Restricted maximum likelihood (lmer's default, `REML = TRUE`).
    case reml = "REML"
    /// Maximum likelihood (`REML = FALSE`); needed to compare fixed effects by LRT.
    case ml = "ML"
  }

  /// What to do when a check finds trouble.
  public enum Policy: String, Sendable, Codable {
    /// Record a diagnostic on the fit.
    case record
    /// Throw the ``LinearMixedModel/Diagnostic`` as an error.
    case fail
  }

  /// Strictness of the post-fit checks.
  public struct Checks: Sendable {
    /// A singular fit (θ at its bound).
    public var singular: Policy
    /// Non-convergence: optimizer status, gradient and Hessian checks.
    public var convergence: Policy
    /// Records everything, failing on nothing (lme4's behaviour: messages and warnings).
    public init(singular: Policy = .record, convergence: Policy = .record) {
      self.singular = singular
      self.convergence = convergence
    }
  }

  /// The model formula.
  public var formula: ModelFormula
  /// REML (default) or ML.
  public var criterion: Criterion
  /// Variables treated as categorical even when their values are numbers (`--factor`).
  public var categoricalVariables: Set<String>
  /// Reference level per categorical variable (R's `relevel`); default the first level.
  public var referenceLevels: [String: String]
  /// The θ optimizer (default: ``lme4Minimizer``).
  public var minimizer: DerivativeFreeMinimizer

  /// lme4's effective `nloptwrap` settings: BOBYQA with `xtol_abs = ftol_abs = 1e-8`,
  /// `maxeval = 1e5`, and nloptr's default `xtol_rel = 1e-4`, which lme4 does not override
  /// (the optimizer usually stops on it: "NLOPT_XTOL_REACHED").
  public static let lme4Minimizer = DerivativeFreeMinimizer(relativeParameterTolerance: 1e-4)
  /// Post-fit checks (default: record diagnostics, fail on nothing).
  public var checks: Checks
  /// Correlation of the residuals within groups (default independent, as lme4).
  public var residualCorrelation: ResidualCorrelation
  /// Variance of the residuals (default one σ², as lme4).
  public var residualVariance: ResidualVariance
  /// Threads for the finite-difference derivatives: lme4's convergence checks after the fit
  /// and the Hessian and Jacobian behind Satterthwaite's degrees of freedom (default 1). Their
  /// points are fixed in advance and each is evaluated alone, so the numbers are the same,
  /// bit for bit, for any count.
  public var threads: Int = 1

  /// Stores the settings; nothing is computed until ``fit(_:)``.
  public init(
    formula: ModelFormula, criterion: Criterion = .reml, categoricalVariables: Set<String> = [],
    referenceLevels: [String: String] = [:], minimizer: DerivativeFreeMinimizer = lme4Minimizer,
    checks: Checks = .init(), residualCorrelation: ResidualCorrelation = .independent,
    residualVariance: ResidualVariance = .homoscedastic
  ) {
    self.formula = formula
    self.criterion = criterion
    self.categoricalVariables = categoricalVariables
    self.referenceLevels = referenceLevels
    self.minimizer = minimizer
    self.checks = checks
    self.residualCorrelation = residualCorrelation
    self.residualVariance = residualVariance
  }

  /// Fits the model to `data` (one row per observation; rows missing a used variable are
  /// dropped and counted).
  ///
  /// - Returns: An immutable fit; see ``Fit/diagnostics`` before trusting standard errors.
  /// - Throws: ``MixedModelError`` for formula and data problems (unknown column, constant
  ///   response, a grouping factor with one level, crossed factors); a ``Diagnostic`` only
  ///   when ``checks`` says `.fail`; optimizer setting errors. Never for a singular fit.
  /// - Complexity: O(*n·(p+q)²*) once, then O(*G·q³ + G·p·q²*) per evaluation of the
  ///   criterion for *G* groups — linear in the number of groups.
  public func fit(_ data: ColumnTable) throws -> Fit {
    let frame = try ModelFrame(
      formula: formula, data: data, factors: categoricalVariables, references: referenceLevels)
    return try fit(frame: frame)
  }

  func fit(frame: ModelFrame) throws -> Fit {
    if residualCorrelation != .independent || residualVariance != .homoscedastic {
      return try fitResidual(frame: frame)
    }
    let pls = PenalizedLeastSquares(frame: frame)
    let reml = criterion == .reml
    let lower = pls.lowerBounds
    var evaluations = 0
    let objective: (Vector) -> Double = { v in
      evaluations += 1
      return pls.deviance(v.elements, reml: reml)
    }
    var settings = minimizer
    var result: MinimizationResult
    do {
      result = try settings.minimize(start: pls.startTheta, lower: lower, objective: objective)
    } catch OptimizationError.invalidSetting where pls.thetaCount == 1 {
      // An Optimization layer that refuses one-parameter BOBYQA: Nelder-Mead instead.
      settings.algorithm = .nelderMead
      result = try settings.minimize(start: pls.startTheta, lower: lower, objective: objective)
    }
    var theta = result.minimizer
    // lme4's restart_edge: a θ on its bound with a negative one-sided derivative restarts.
    let atBound = lower.indices.filter { lower[$0] == theta[$0] }
    if !atBound.isEmpty {
      let d0 = pls.deviance(theta, reml: reml)
      let restart = atBound.contains { i in
        var t = theta
        t[i] = lower[i] + 1e-5
        return (pls.deviance(t, reml: reml) - d0) / 1e-5 < 0
      }
      if restart {
        let again = try settings.minimize(start: theta, lower: lower, objective: objective)
        result = again
        theta = again.minimizer
      }
    }
    // lme4's check.boundary: θ within 1e-5 of its bound goes to the bound if that is no worse.
    var best = pls.deviance(theta, reml: reml)
    for i in lower.indices where lower[i] == 0 && theta[i] > 0 && theta[i] < 1e-5 {
      var t = theta
      t[i] = 0
      let d = pls.deviance(t, reml: reml)
      if d <= best {
        theta = t
        best = d
      }
    }
    // lme4's checkConv: finite-difference gradient and Hessian (deriv12, δ = 1e-4), skipped
    // for singular fits, more than 1e4 observations or 10 or more θ (check.conv.nobsmax,
    // check.conv.nparmax).
    var checks: [Diagnostic] = []
    let singular = lower.indices.contains { lower[$0] == 0 && theta[$0] < 1e-4 }
    if !singular && pls.n < 10_000 && theta.count < 10 {
      var table: [[Double]: Double] = [:]
      if threads > 1 {
        let points = TabulatedEvaluation.keys { visit in
          _ = Self.derivativeChecks(theta: theta, at: best, lower: lower) { x in
            visit(x)
            return 0
          }
        }
        let values = TabulatedEvaluation.evaluate(
          points, threads: threads, makeState: { PenalizedLeastSquares(frame: frame) },
          { system, x in system.deviance(x, reml: reml) })
        for (x, value) in zip(points, values) { table[x] = value }
      }
      checks = Self.derivativeChecks(theta: theta, at: best, lower: lower) {
        table[$0] ?? pls.deviance($0, reml: reml)
      }
    }
    let summary = OptimizationSummary(
      optimizer: settings.algorithm.rawValue, start: result.start, theta: theta, objective: best,
      evaluationCount: evaluations, status: result.status)
    return try Fit(model: self, frame: frame, pls: pls, optimization: summary, checks: checks)
  }

  /// lme4's gradient and Hessian checks (`checkConv`): the gradient scaled by the Hessian's
  /// Cholesky factor, `max(min(|R⁻¹g|, |g|)) > 0.002`, and Hessian eigenvalues below −1e-6.
  static func derivativeChecks(
    theta: [Double], at f0: Double, lower: [Double], _ f: ([Double]) -> Double
  ) -> [Diagnostic] {
    let n = theta.count
    let delta = 1e-4
    var g = [Double](repeating: 0, count: n)
    var h = Matrix(rows: n, columns: n)
    for j in 0..<n {
      var up = theta
      var down = theta
      up[j] += delta
      down[j] = max(lower[j], theta[j] - delta)
      let fu = f(up)
      let fd = f(down)
      g[j] = (fu - fd) / (2 * delta)
      h[j, j] = (fu - 2 * f0 + fd) / (delta * delta)
      for i in 0..<j {
        var aa = theta
        var asub = theta
        var sa = theta
        var ss = theta
        aa[i] += delta
        aa[j] += delta
        asub[i] += delta
        asub[j] -= delta
        sa[i] -= delta
        sa[j] += delta
        ss[i] -= delta
        ss[j] -= delta
        let v = (f(aa) - f(asub) - f(sa) + f(ss)) / (4 * delta * delta)
        h[i, j] = v
        h[j, i] = v
      }
    }
    guard g.allSatisfy(\.isFinite), h.isFinite else {
      return [.gradient(maxAbsolute: .infinity, tolerance: 2e-3)]
    }
    var out: [Diagnostic] = []
    if let chol = try? Cholesky(h),
      let scaled = try? chol.factor.solveTriangular(
        Vector(g), triangle: .lower, transpose: .transpose)
    {
      let worst = (0..<n).map { min(abs(scaled[$0]), abs(g[$0])) }.max() ?? 0
      if worst > 2e-3 { out.append(.gradient(maxAbsolute: worst, tolerance: 2e-3)) }
    } else {
      out.append(.gradient(maxAbsolute: g.map(abs).max() ?? 0, tolerance: 2e-3))
    }
    if let eigen = try? SymmetricEigen(h, computeVectors: false) {
      let negative = eigen.values.filter { $0 < -1e-6 }.count
      if negative > 0 { out.append(.hessianNotPositiveDefinite(negativeEigenvalues: negative)) }
    }
    return out
  }
}
