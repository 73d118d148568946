import MatrixCore

/// Minimizes a function of a few parameters under box constraints without derivatives,
/// through NLopt (BOBYQA by default, as lme4's `nloptwrap`).
///
/// ```swift
/// let minimizer = DerivativeFreeMinimizer()             // BOBYQA, lme4's tolerances
/// let result = try minimizer.minimize(start: [1, 0, 1], lower: [0, -.infinity, 0]) { theta in
///   deviance(theta)
/// }
/// result.minimizer; result.minimum; result.evaluationCount; result.converged
/// ```
///
/// The defaults match lme4's `lmerControl()` with `optimizer = "nloptwrap"`: NLopt's
/// `NLOPT_LN_BOBYQA` with `ftol_abs = 1e-8`, `xtol_abs = 1e-8` and `maxeval = 1e5`.
/// Reference: Powell (2009), *The BOBYQA algorithm for bound constrained optimization without
/// derivatives*, Cambridge NA Report NA2009/06; Johnson, *The NLopt nonlinear-optimization
/// package*.
public struct DerivativeFreeMinimizer: Sendable {
  /// The NLopt algorithm.
  public enum Algorithm: String, Sendable, Codable, CaseIterable {
    /// Powell's BOBYQA: quadratic models in a trust region (NLopt accepts one parameter too,
    /// as lme4's one-θ fits show).
    case bobyqa
    /// Nelder-Mead simplex (NLopt's, with bound support).
    case nelderMead
    /// Rowan's subplex, a Nelder-Mead variant on subspaces.
    case subplex
    /// Powell's COBYLA: linear approximations.
    case cobyla
  }

  /// The algorithm (default ``Algorithm/bobyqa``).
  public var algorithm: Algorithm
  /// Stop when the objective changes by less than this between iterations (`ftol_abs`).
  public var absoluteFunctionTolerance: Double
  /// Stop when the objective changes by less than this fraction (`ftol_rel`; 0 disables).
  public var relativeFunctionTolerance: Double
  /// Stop when every parameter changes by less than this (`xtol_abs`).
  public var absoluteParameterTolerance: Double
  /// Stop when the parameters change by less than this fraction (`xtol_rel`; 0 disables).
  public var relativeParameterTolerance: Double
  /// Maximum number of objective evaluations (`maxeval`).
  public var maxEvaluations: Int
  /// Initial step per parameter; `nil` lets NLopt choose from the bounds and start.
  public var initialStep: [Double]?

  /// Creates a minimizer; every setting has lme4's `nloptwrap` default.
  public init(
    algorithm: Algorithm = .bobyqa, absoluteFunctionTolerance: Double = 1e-8,
    relativeFunctionTolerance: Double = 0, absoluteParameterTolerance: Double = 1e-8,
    relativeParameterTolerance: Double = 0, maxEvaluations: Int = 100_000,
    initialStep: [Double]? = nil
  ) {
    self.algorithm = algorithm
    self.absoluteFunctionTolerance = absoluteFunctionTolerance
    self.relativeFunctionTolerance = relativeFunctionTolerance
    self.absoluteParameterTolerance = absoluteParameterTolerance
    self.relativeParameterTolerance = relativeParameterTolerance
    self.maxEvaluations = maxEvaluations
    self.initialStep = initialStep
  }

  /// Minimizes `objective` starting from `start`, within `lower ≤ x ≤ upper`.
  ///
  /// - Parameters:
  ///   - start: Starting point; must lie within the bounds.
  ///   - lower: Lower bounds (`-.infinity` for none); `nil` means unbounded below.
  ///   - upper: Upper bounds (`.infinity` for none); `nil` means unbounded above.
  ///   - objective: The function to minimize. Throwing stops the optimizer and rethrows.
  ///     Returning NaN stops it with ``OptimizationError/nonFiniteObjective(at:)``.
  /// - Returns: The best point found and how it was found; check
  ///   ``MinimizationResult/converged``.
  /// - Throws: ``OptimizationError`` for invalid settings or a NaN objective, or whatever
  ///   `objective` throws.
  public func minimize(
    start: [Double], lower: [Double]? = nil, upper: [Double]? = nil,
    objective: (Vector) throws -> Double
  ) throws -> MinimizationResult {
    let n = start.count
    let lo = lower ?? [Double](repeating: -.infinity, count: n)
    let hi = upper ?? [Double](repeating: .infinity, count: n)
    try validate(start: start, lower: lo, upper: hi)
    return try withoutActuallyEscaping(objective) { escapable in
      let box = ObjectiveBox(escapable)
      let raw = try NLoptProblem.run(
        algorithm: algorithm, start: start, lower: lo, upper: hi, settings: self, box: box)
      if let error = box.error { throw error }
      return MinimizationResult(
        algorithm: algorithm, start: start, minimizer: raw.x, minimum: raw.minimum,
        evaluationCount: box.evaluations, status: raw.status)
    }
  }

  private func validate(start: [Double], lower: [Double], upper: [Double]) throws {
    let n = start.count
    guard n > 0 else {
      throw OptimizationError.invalidSetting("there are no parameters to optimize")
    }
    guard lower.count == n, upper.count == n else {
      throw OptimizationError.invalidSetting(
        "bounds have \(lower.count) and \(upper.count) entries for \(n) parameters")
    }
    guard maxEvaluations > 0 else {
      throw OptimizationError.invalidSetting(
        "maxEvaluations must be positive, got \(maxEvaluations)")
    }
    for tol in [
      absoluteFunctionTolerance, relativeFunctionTolerance, absoluteParameterTolerance,
      relativeParameterTolerance,
    ] where !(tol >= 0) {
      throw OptimizationError.invalidSetting("tolerances must be non-negative, got \(tol)")
    }
    for i in 0..<n {
      guard start[i].isFinite, lower[i] <= start[i], start[i] <= upper[i] else {
        throw OptimizationError.startOutsideBounds(
          index: i, value: start[i], lower: lower[i], upper: upper[i])
      }
    }
    if let step = initialStep {
      guard step.count == n, step.allSatisfy({ $0 > 0 && $0.isFinite }) else {
        throw OptimizationError.invalidSetting("initialStep needs \(n) positive finite entries")
      }
    }
  }
}

/// How a ``DerivativeFreeMinimizer`` run ended, in NLopt's terms.
public enum MinimizationStatus: String, Sendable, Codable {
  /// Generic success.
  case success
  /// The objective reached the stop value.
  case stopValueReached
  /// The function tolerance was met (`ftol_abs`/`ftol_rel`).
  case functionToleranceReached
  /// The parameter tolerance was met (`xtol_abs`/`xtol_rel`).
  case parameterToleranceReached
  /// `maxEvaluations` ran out: the result is not a converged optimum.
  case maxEvaluationsReached
  /// A time limit ran out.
  case maxTimeReached
  /// Rounding errors limited progress; the result is usually still useful.
  case roundoffLimited
  /// NLopt failed (generic failure).
  case failure
  /// Stopped early by the objective (an error or NaN).
  case forcedStop

  /// Whether the status means a converged optimum.
  public var isConverged: Bool {
    switch self {
    case .success, .stopValueReached, .functionToleranceReached, .parameterToleranceReached:
      return true
    default: return false
    }
  }
}

/// The outcome of ``DerivativeFreeMinimizer/minimize(start:lower:upper:objective:)``.
public struct MinimizationResult: Sendable, Codable, Equatable {
  /// The algorithm used.
  public let algorithm: DerivativeFreeMinimizer.Algorithm
  /// The starting point.
  public let start: [Double]
  /// The best point found.
  public let minimizer: [Double]
  /// The objective at ``minimizer``.
  public let minimum: Double
  /// How many times the objective was evaluated.
  public let evaluationCount: Int
  /// How NLopt ended.
  public let status: MinimizationStatus
  /// Whether the run converged (a tolerance was met, not a limit).
  public var converged: Bool { status.isConverged }
}

/// A problem with an optimization's settings or objective.
public enum OptimizationError: Error, Equatable, Sendable, CustomStringConvertible {
  /// A setting is invalid; the text says which and why.
  case invalidSetting(String)
  /// The start lies outside the bounds (or is not finite).
  case startOutsideBounds(index: Int, value: Double, lower: Double, upper: Double)
  /// The objective returned NaN at the given point.
  case nonFiniteObjective(at: [Double])
  /// NLopt refused the problem (out of memory or invalid arguments).
  case nloptFailure(code: Int)

  /// A full sentence describing the problem.
  public var description: String {
    switch self {
    case .invalidSetting(let why): return "Invalid optimizer setting: \(why)."
    case .startOutsideBounds(let i, let v, let lo, let hi):
      return "Starting value \(v) of parameter \(i) is outside its bounds [\(lo), \(hi)]."
    case .nonFiniteObjective(let x):
      return "The objective returned NaN at \(x); the model cannot be evaluated there."
    case .nloptFailure(let code):
      return "NLopt refused the problem (code \(code))."
    }
  }
}

/// Holds the Swift objective for the C callback, and what happened in it.
final class ObjectiveBox {
  let objective: (Vector) throws -> Double
  var evaluations = 0
  var error: (any Error)?
  /// The running `nlopt_opt`, so that the callback can force a stop.
  var handle: OpaquePointer?
  init(_ objective: @escaping (Vector) throws -> Double) { self.objective = objective }
}
