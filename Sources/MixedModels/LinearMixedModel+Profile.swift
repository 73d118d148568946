import Foundation
import MatrixCore
import Optimization

extension LinearMixedModel {
  /// What a profiled parameter is.
  public enum ProfileParameterKind: String, Sendable, Codable {
    /// The standard deviation of one random-effect term (lme4's `.sigNN` on a diagonal).
    case standardDeviation
    /// The correlation of two random-effect terms of one block (an off-diagonal `.sigNN`).
    case correlation
    /// The residual standard deviation σ (lme4's `.sigma`).
    case residualStandardDeviation
    /// A fixed-effect coefficient.
    case fixedEffect
  }

  /// How one end of a profile interval was obtained.
  public enum ProfileBoundKind: String, Sendable, Codable {
    /// The profile ζ crosses `∓z` here (a root of the exactly re-optimised profile).
    case profile
    /// The profile stays inside `(−z, z)` up to the end of the parameter's range (an SD of 0, a
    /// correlation of ±1), or the estimate is at that end (a singular fit): the range end is
    /// the bound, as lme4 reports it.
    case parameterLimit
    /// The profile does not cross the threshold within the search range: the interval is open
    /// on this side (`value` is `nil`; ``ProfileBound/searchedTo`` says how far it was searched).
    case open
  }

  /// One end of a profile interval.
  public struct ProfileBound: Sendable, Equatable, Codable {
    /// The bound; `nil` only for ``ProfileBoundKind/open``.
    public let value: Double?
    public let kind: ProfileBoundKind
    /// For an open bound, the farthest parameter value at which the profile was evaluated.
    public let searchedTo: Double?
  }

  /// A profile-likelihood confidence interval for one parameter (a row of lme4's
  /// `confint(fit, method = "profile")`).
  public struct ProfileInterval: Sendable, Equatable, Codable {
    /// lme4's row name: `.sig01`, `.sig02`, … (SDs and correlations block by block, in `VarCorr`
    /// order), `.sigma`, then the fixed-effect terms as lme4 prints them.
    public let name: String
    public let kind: ProfileParameterKind
    /// The grouping factor of a variance component (`nil` for σ and fixed effects).
    public let group: String?
    /// The term(s): one for an SD or a fixed effect, two for a correlation, none for σ.
    public let terms: [String]
    /// The maximum-likelihood estimate, at which ζ = 0.
    public let estimate: Double
    public let lower: ProfileBound
    public let upper: ProfileBound
    /// A plain explanation when a bound is not a crossing of the profile; `nil` otherwise.
    public let note: String?
  }

  /// Profile-likelihood confidence intervals of every parameter of a fit; see
  /// ``Fit/profileConfidenceIntervals(level:)``.
  public struct ProfileConfidenceIntervals: Sendable, Equatable, Codable {
    /// Coverage, e.g. 0.95.
    public let level: Double
    /// The threshold `z = Φ⁻¹((1 + level)/2)` on the signed root of the deviance change.
    public let criticalValue: Double
    /// The ML deviance at the optimum, from which changes are measured (REML fits are refitted
    /// by ML first, as lme4's `profile` does).
    public let baseDeviance: Double
    /// SDs and correlations of the random effects, in lme4's order (`.sig01`, …).
    public let varianceComponents: [ProfileInterval]
    /// The residual SD (`.sigma`).
    public let residualStandardDeviation: ProfileInterval
    /// One per fixed-effect coefficient, in the order of ``Fit/fixedEffects``.
    public let fixedEffects: [ProfileInterval]
    /// Criterion evaluations (penalized least-squares factorizations) over all profiles.
    public let evaluationCount: Int
    /// Every interval in lme4's row order: variance components, σ, fixed effects.
    public var all: [ProfileInterval] {
      varianceComponents + [residualStandardDeviation] + fixedEffects
    }
    /// How the intervals were computed, in one sentence.
    public var methodDescription: String {
      "Profile-likelihood intervals (as lme4's confint(method = \"profile\")): each parameter "
        + "fixed in turn and the ML deviance re-minimised over the others by BOBYQA; bounds where "
        + "sign·sqrt(deviance change) = ±\(String(format: "%.4f", criticalValue)), found by "
        + "bracketing and Brent's root finder on the re-optimised profile."
    }
  }
}

extension LinearMixedModel.Fit {
  /// Profile-likelihood confidence intervals for the random-effect SDs and correlations, the
  /// residual SD and the fixed effects: lme4's `confint(fit, method = "profile")`.
  ///
  /// As lme4's `profile.merMod`, a REML fit is first refitted by ML (`refitML`) and every
  /// parameter is profiled on the ML deviance `d`. For a variance parameter (on lme4's
  /// `sdcor` scale: SDs, correlations and σ) the parameter is held at `x` and `d` is minimised
  /// over the others, with β profiled out; for a fixed effect `βⱼ` the coefficient is held
  /// at `x` through an offset and `d` is minimised over θ (σ and the other β profiled out).
  /// The profile is `ζ(x) = sign(x − x̂)·sqrt(d(x) − d̂)`, and the interval is where
  /// `ζ = ±z` with `z = Φ⁻¹((1 + level)/2)`. lme4 interpolates ζ by splines through a grid of
  /// profile points; here each bound is a root of the exactly re-optimised profile, found by
  /// stepping out from the estimate until ζ passes `z` and then Brent's method on the bracket,
  /// so the bounds agree with lme4's to its spline error (about 1e-5 relative; see the DocC
  /// article).
  ///
  /// Re-optimisation uses NLopt's BOBYQA (tolerances tighter than lme4's: `ftol_abs = 1e-10`,
  /// `xtol_rel = 1e-7`), warm-started from the previous profile point. The parameters and the
  /// two sides are profiled in parallel, one penalized least-squares system per task.
  ///
  /// Degenerate cases are reported, never NaN: an SD estimated at 0 (a singular fit) has the
  /// lower bound 0 with ``LinearMixedModel/ProfileBoundKind/parameterLimit`` and a note; a
  /// profile that stays below `z` up to the end of the parameter's range (0 for an SD, ±1 for a
  /// correlation) has that end as its bound (lme4 does the same); one that does not cross
  /// within the search range is ``LinearMixedModel/ProfileBoundKind/open``.
  ///
  /// - Parameter level: Coverage in (0, 1); default 0.95.
  /// - Returns: The intervals; ``LinearMixedModel/ProfileConfidenceIntervals/all`` lists them
  ///   in lme4's row order.
  /// - Throws: ``MixedModelError/profileUnavailable(_:)`` for fits with a residual correlation or
  ///   variance structure; errors of the ML refit.
  /// - Complexity: About 10 to 20 re-optimisations per bound, each some tens to hundreds of
  ///   factorizations (linear in the number of groups): for `k` variance parameters and `p`
  ///   fixed effects, `2(k + p)` independent searches.
  public func profileConfidenceIntervals(level: Double = 0.95) throws
    -> LinearMixedModel.ProfileConfidenceIntervals
  {
    precondition(level > 0 && level < 1, "level must be in (0, 1)")
    if residual != nil {
      throw MixedModelError.profileUnavailable(
        "the fit has a residual correlation or variance structure (--residual or --weights); "
          + "lme4's profile covers independent, homoscedastic residuals only. Use Wald intervals")
    }
    var mlModel = model
    mlModel.criterion = .ml
    mlModel.checks = .init()
    let ml = criterion == .ml ? self : try mlModel.fit(frame: frame)
    let z = Distributions.normalQuantile((1 + level) / 2)
    let profiler = ProfileSearch(frame: frame, theta: ml.theta)
    let base = profiler.base
    let parameters = profiler.parameters(fixedEffects: ml.fixedEffects)
    // One task per parameter and side; each builds its own penalized least-squares system.
    let results = parallelMap(2 * parameters.count, threads: model.threads) { task in
      profiler.bound(parameters[task / 2], side: task % 2 == 0 ? -1 : 1, z: z)
    }
    var intervals: [LinearMixedModel.ProfileInterval] = []
    var evaluations = profiler.evaluations
    for (i, p) in parameters.enumerated() {
      let lo = results[2 * i]
      let hi = results[2 * i + 1]
      evaluations += lo.evaluations + hi.evaluations
      let notes = [lo.note, hi.note].compactMap { $0 }
      intervals.append(
        LinearMixedModel.ProfileInterval(
          name: p.name, kind: p.kind, group: p.group, terms: p.terms, estimate: p.estimate,
          lower: lo.bound, upper: hi.bound,
          note: notes.isEmpty ? nil : notes.joined(separator: " ")))
    }
    let varianceCount = profiler.varianceParameterCount
    return LinearMixedModel.ProfileConfidenceIntervals(
      level: level, criticalValue: z, baseDeviance: base,
      varianceComponents: Array(intervals[0..<(varianceCount - 1)]),
      residualStandardDeviation: intervals[varianceCount - 1],
      fixedEffects: Array(intervals[varianceCount...]), evaluationCount: evaluations)
  }
}

extension LinearMixedModel.ProfileConfidenceIntervals: CustomStringConvertible {
  /// A table as lme4's `confint` prints it, with the ML estimate and how each bound was found
  /// (`*` marks the end of the parameter's range, `open` a bound not reached), and the notes.
  public var description: String {
    let percent = { (x: Double) in String(format: "%.4g %%", x * 100) }
    let rows = all
    func label(_ p: LinearMixedModel.ProfileInterval) -> String {
      switch p.kind {
      case .standardDeviation: return "\(p.name)  sd \(p.terms[0]) | \(p.group ?? "")"
      case .correlation:
        return "\(p.name)  cor \(p.terms.joined(separator: ", ")) | \(p.group ?? "")"
      case .residualStandardDeviation: return "\(p.name)  residual sd"
      case .fixedEffect: return p.name
      }
    }
    func bound(_ b: LinearMixedModel.ProfileBound) -> String {
      switch b.kind {
      case .profile: return String(format: "%.6g", b.value ?? .nan)
      case .parameterLimit: return String(format: "%.6g", b.value ?? .nan) + "*"
      case .open: return "open"
      }
    }
    let width = max(9, rows.map { label($0).count }.max() ?? 0)
    func pad(_ s: String, _ w: Int, left: Bool = false) -> String {
      let fill = String(repeating: " ", count: max(0, w - s.count))
      return left ? s + fill : fill + s
    }
    var lines = [
      "Profile-likelihood confidence intervals (as lme4's confint(method = \"profile\"); ML "
        + "deviance, REML fits refitted by ML):",
      pad("", width, left: true) + pad("ML est.", 12) + pad(percent((1 - level) / 2), 12)
        + pad(percent((1 + level) / 2), 12),
    ]
    for p in rows {
      lines.append(
        pad(label(p), width, left: true) + pad(String(format: "%.6g", p.estimate), 12)
          + pad(bound(p.lower), 12) + pad(bound(p.upper), 12))
    }
    let notes = rows.compactMap(\.note)
    if !notes.isEmpty {
      lines.append("* the end of the parameter's range.")
      lines.append(contentsOf: notes.map { "Note: " + $0 })
    }
    return lines.joined(separator: "\n")
  }
}
