/// A problem with a mixed model's formula, data or settings.
///
/// Convergence trouble is never an error: it is a ``LinearMixedModel/Diagnostic`` on the fit.
public enum MixedModelError: Error, Equatable, Sendable, CustomStringConvertible {
  /// The formula text cannot be parsed; `position` is the zero-based character offset.
  case invalidFormula(formula: String, position: Int, reason: String)
  /// The formula names a column the data does not have.
  case unknownColumn(String)
  /// A column used as a number holds text.
  case nonNumericColumn(String)
  /// The response takes a single value in the rows used.
  case constantResponse(String)
  /// A grouping factor has fewer than two levels in the rows used.
  case singleLevelGrouping(term: String, levels: Int)
  /// Two grouping factors are neither nested nor identical (crossed random effects).
  case crossedFactors(String, String)
  /// lme4's `check.nobs.vs.nlev` / `check.nobs.vs.nRE`: too few observations for the
  /// random effects of `term`.
  case tooFewObservations(term: String, observations: Int, needed: Int)
  /// No rows are left after dropping those with missing values.
  case noCompleteRows(dropped: Int)
  /// `--reference VAR=LEVEL` names a level the variable does not have.
  case unknownLevel(variable: String, level: String)
  /// The model has no random-effect term.
  case noRandomEffects
  /// Two nested models for a likelihood-ratio test do not fit the same data.
  case incomparableModels(String)
  /// The penalized least-squares system could not be factored at the optimum (badly scaled
  /// or collinear predictors).
  case numericalFailure(String)
  /// The residual correlation structure does not fit the data or formula.
  case invalidResidualStructure(String)
  /// Kenward-Roger's adjustment cannot be computed for this fit (ML, a residual structure,
  /// too many observations, a singular system).
  case kenwardRogerUnavailable(String)
  /// Profile confidence intervals cannot be computed for this fit (a residual correlation or
  /// variance structure).
  case profileUnavailable(String)

  /// A full sentence describing the problem and what to try.
  public var description: String {
    switch self {
    case .invalidFormula(let f, let at, let why):
      return "Cannot read the formula '\(f)' at character \(at + 1): \(why)."
    case .unknownColumn(let c):
      return "Column '\(c)' named in the formula is not in the data; check its spelling."
    case .nonNumericColumn(let c):
      return "Column '\(c)' holds text where a number is needed; it cannot be the response."
    case .constantResponse(let c):
      return "The response '\(c)' is constant in the rows used; there is nothing to model."
    case .singleLevelGrouping(let t, let n):
      return "Grouping factor '\(t)' has \(n) level(s) in the rows used; random effects need at "
        + "least two. Drop the term or use a fixed effect."
    case .crossedFactors(let a, let b):
      return "Grouping factors '\(a)' and '\(b)' are crossed (neither is nested in the other); "
        + "crossed random effects are not supported yet. Use nested terms such as (1 | g/h)."
    case .tooFewObservations(let t, let n, let needed):
      return "The random effects of '\(t)' need more than \(needed) observations, but there "
        + "are \(n) (lme4's check.nobs.vs.nRE); simplify the random-effect term."
    case .noCompleteRows(let d):
      return "All \(d) rows miss a value of a variable the formula uses."
    case .unknownLevel(let v, let l):
      return "Reference level '\(l)' is not a level of '\(v)'."
    case .noRandomEffects:
      return "The formula has no random-effect term such as (1 | school); use a linear model."
    case .incomparableModels(let why):
      return "The models cannot be compared by a likelihood-ratio test: \(why)."
    case .numericalFailure(let why):
      return "The model could not be fitted: \(why). Rescale or centre the predictors."
    case .invalidResidualStructure(let why):
      return "The residual correlation structure cannot be used: \(why)."
    case .kenwardRogerUnavailable(let why):
      return "Kenward-Roger degrees of freedom are not available: \(why)."
    case .profileUnavailable(let why):
      return "Profile confidence intervals are not available: \(why)."
    }
  }
}
