import Foundation
import MatrixCore
import Optimization

extension LinearMixedModel {
  /// One fixed-effect coefficient (a row of lme4's `coef(summary(fit))`).
  public struct FixedEffect: Sendable, Equatable, Codable {
    /// The term as lme4 prints it (`(Intercept)`, `Days`, `sectorCatholic`, `wave:sectorPublic`).
    public let term: String
    /// The estimate β̂.
    public let estimate: Double
    /// Its standard error, `σ·sqrt(diag((RₓᵀRₓ)⁻¹))`.
    public let standardError: Double
    /// `estimate / standardError` (lme4 prints no p-value; see the LRT).
    public var tValue: Double { estimate / standardError }
  }

  /// The covariance of one block of random effects (a term such as `(1 + wave | school)`):
  /// lme4's `VarCorr` entry.
  public struct VarianceComponent: Sendable, Equatable, Codable {
    /// The grouping factor (`school`, `teacher:school`).
    public let group: String
    /// The terms of the block (`(Intercept)`, `wave`).
    public let terms: [String]
    /// Standard deviations, one per term.
    public let standardDeviations: [Double]
    /// The correlation matrix (identity for one term; rows and columns as ``terms``).
    public let correlation: [[Double]]
  }

  /// Conditional modes (BLUPs) of one grouping factor's random effects, with conditional
  /// standard deviations: lme4's `ranef(fit, condVar = TRUE)`.
  public struct ConditionalModes: Sendable, Equatable, Codable {
    /// The grouping factor.
    public let group: String
    /// Terms (columns), over all blocks of the factor.
    public let terms: [String]
    /// Level labels, in lme4's order.
    public let levels: [String]
    /// `values[level][term]`.
    public let values: [[Double]]
    /// Conditional standard deviations, `standardDeviations[level][term]`.
    public let standardDeviations: [[Double]]
  }

  /// How the optimum was found.
  public struct OptimizationSummary: Sendable, Equatable, Codable {
    /// The NLopt algorithm (`bobyqa`; `nelderMead` for a single θ).
    public let optimizer: String
    /// Starting θ.
    public let start: [Double]
    /// Final θ.
    public let theta: [Double]
    /// The criterion at ``theta``.
    public let objective: Double
    /// Evaluations of the criterion, restarts and checks included.
    public let evaluationCount: Int
    /// NLopt's return status.
    public let status: MinimizationStatus
    /// Whether the optimizer met a tolerance (not a limit).
    public var converged: Bool { status.isConverged }
  }

  /// Trouble that still yields a usable fit, with a plain explanation.
  public enum Diagnostic: Error, Sendable, Equatable, Codable, CustomStringConvertible {
    /// θ is at its bound (a variance or a Cholesky diagonal is zero): lme4's
    /// "boundary (singular) fit"; `term` names the block.
    case singular(term: String)
    /// The optimizer stopped on a limit rather than a tolerance.
    case notConverged(status: String)
    /// lme4's gradient check: the scaled gradient at the optimum exceeds the tolerance 0.002.
    case gradient(maxAbsolute: Double, tolerance: Double)
    /// lme4's Hessian check: the Hessian of the criterion has negative eigenvalues.
    case hessianNotPositiveDefinite(negativeEigenvalues: Int)
    /// Fixed-effect columns dropped as linearly dependent on earlier ones (lme4's
    /// "fixed-effect model matrix is rank deficient").
    case rankDeficient(dropped: [String])
    /// A residual parameter (φ of AR(1) or CAR(1)) within 1e-4 of the edge of its range: the
    /// correlation is at its limit and its interval is not reported.
    case residualParameterAtBoundary(parameter: String, value: Double)
    /// The Hessian of the criterion gives no finite standard error for a residual parameter
    /// (a flat or degenerate likelihood): its interval is not reported.
    case residualIntervalUnavailable(parameter: String)

    /// What the diagnostic means and what to try.
    public var description: String {
      switch self {
      case .singular(let t):
        return "Singular fit: the random-effect covariance of \(t) is at its boundary (a "
          + "variance of zero or a correlation of ±1). The term may be more complex than the "
          + "data support; consider simplifying it. Estimates are still valid."
      case .notConverged(let s):
        return "The optimizer stopped with status '\(s)' before meeting its tolerance; "
          + "results may not be at the optimum. Try rescaling predictors."
      case .gradient(let g, let tol):
        return "Model failed to converge: max|grad| = \(g) (tol = \(tol)); check scaling of "
          + "predictors or refit from the estimates."
      case .hessianNotPositiveDefinite(let k):
        return "The Hessian of the criterion has \(k) negative eigenvalue(s): the optimum is "
          + "degenerate; standard errors may be unreliable."
      case .rankDeficient(let d):
        return "The fixed-effect design is rank deficient; dropped "
          + d.map { "'\($0)'" }.joined(separator: ", ") + " as lme4 does."
      case .residualParameterAtBoundary(let name, let value):
        return "The residual parameter \(name) = \(value) is on the boundary of its range: the "
          + "data support no interior estimate, and no interval is reported. Consider a simpler "
          + "residual structure."
      case .residualIntervalUnavailable(let name):
        return "No interval for the residual parameter \(name): the likelihood is flat or "
          + "degenerate in it (the Hessian is not positive definite). The parameter may not be "
          + "identified; consider a simpler residual structure."
      }
    }
  }

  /// A fitted linear mixed model: every number lme4's `summary()` reports, the conditional
  /// modes, fitted values and residuals, and how the fit was obtained.
  public struct Fit: Sendable {
    /// The formula text.
    public let formula: String
    /// REML or ML.
    public let criterion: Criterion
    /// Observations used.
    public let observationCount: Int
    /// Rows dropped for a missing value in a used variable.
    public let droppedRowCount: Int
    /// Grouping factors and their numbers of levels, in lme4's order.
    public let groups: [(name: String, levels: Int)]
    /// Fixed effects (lme4's `fixef` with SEs and t values).
    public let fixedEffects: [FixedEffect]
    /// Fixed-effect terms dropped for rank deficiency.
    public let droppedFixedEffects: [String]
    /// `σ²·(RₓᵀRₓ)⁻¹`, the covariance of the fixed effects (lme4's `vcov`).
    public let fixedEffectsCovariance: Matrix
    /// Random-effect variance components per block (lme4's `VarCorr`), in lme4's order.
    public let randomEffects: [VarianceComponent]
    /// Residual standard deviation σ̂ (lme4's `sigma`).
    public let residualStandardDeviation: Double
    /// The relative covariance parameters θ in lme4's order (`getME(fit, "theta")`).
    public let theta: [Double]
    /// Log-likelihood at the optimum (the REML log-likelihood for REML fits, as `logLik`).
    public let logLikelihood: Double
    /// lme4's "REML criterion at convergence" (REML fits only).
    public let remlCriterion: Double?
    /// −2 × ``logLikelihood``.
    public let deviance: Double
    /// Akaike's criterion, `deviance + 2·(p + θ count + 1)`.
    public let aic: Double
    /// Bayesian criterion, `deviance + log(n)·(p + θ count + 1)`.
    public let bic: Double
    /// Conditional modes (BLUPs) per grouping factor.
    public let conditionalModes: [ConditionalModes]
    /// Fitted values `Xβ̂ + Zb̂`, one per observation used.
    public let fittedValues: [Double]
    /// Residuals `y − fitted`.
    public let residuals: [Double]
    /// Original row index (zero-based) of each observation used.
    public let rowIndices: [Int]
    /// How the optimizer ran.
    public let optimization: OptimizationSummary
    /// Diagnostics (singular fit, convergence, rank deficiency); empty for a clean fit.
    public let diagnostics: [Diagnostic]
    /// Levels of categorical predictors, reference first.
    public let categoricalLevels: [String: [String]]
    /// The model (formula and settings) that produced this fit.
    public let model: LinearMixedModel
    /// The data as fitted (design matrices, codes), for inference after the fit.
    let frame: ModelFrame
    /// The residual correlation and variance structure with its estimates and 95% Wald
    /// intervals (`nil` for independent, homoscedastic residuals); see
    /// ``residualStructure(confidenceLevel:)`` for other levels.
    public let residualStructure: LinearMixedModel.ResidualStructure?
    /// The residual structure and its parameters on the optimizer's scale (φ, log δ), for
    /// inference after the fit.
    let residual: (structure: ResidualCovariance, parameters: [Double])?
    /// Wald statistics of the residual parameters.
    let residualWald: [LinearMixedModel.ResidualWald]

    /// Whether any θ lies within 1e-4 of its bound (lme4's `isSingular`).
    public var isSingular: Bool {
      diagnostics.contains { if case .singular = $0 { return true } else { return false } }
    }

    /// Whether the optimizer converged and the gradient check (where run) passed.
    public var converged: Bool {
      !diagnostics.contains {
        switch $0 {
        case .notConverged, .gradient: return true
        default: return false
        }
      }
    }

    /// Number of estimated parameters: fixed effects, θ, σ, φ for AR(1) and CAR(1) residuals
    /// and one SD ratio per non-reference stratum for varIdent.
    public var parameterCount: Int {
      fixedEffects.count + theta.count + 1 + (residual?.structure.parameterCount ?? 0)
    }

    /// The intraclass correlation of each grouping factor's intercept,
    /// `τ²_g / (Σ τ² + σ²)` — meaningful for random-intercept models.
    public var intraclassCorrelations: [(group: String, icc: Double)] {
      var intercepts: [(String, Double)] = []
      for v in randomEffects {
        if let k = v.terms.firstIndex(of: "(Intercept)") {
          intercepts.append((v.group, v.standardDeviations[k] * v.standardDeviations[k]))
        }
      }
      let total =
        intercepts.reduce(0) { $0 + $1.1 } + residualStandardDeviation * residualStandardDeviation
      return intercepts.map { ($0.0, $0.1 / total) }
    }
  }
}
