import Foundation
import MatrixCore
internal import _CKernels

/// A Gaussian mixture (latent profile) model fitted by EM as mclust's `me()` does.
///
/// The density is `f(x) = Σₖ πₖ φ(x; μₖ, Σₖ)` with `Σₖ` constrained by ``model``
/// (``CovarianceModel``). EM starts from given posteriors (an M-step first, as `me()`).
/// It stops, as mclust, when the relative change of the log-likelihood
/// `|ℓ − ℓ_old| / (1 + |ℓ|)` is at most ``tolerance`` (mclust `tol[1] = 1e-5`). On large data
/// that can leave ℓ a few units short of the optimum EM is approaching; with a
/// ``continuationTolerance`` EM continues past that point (recorded in ``Fit/mclustStop``)
/// while the relative change exceeds it and ℓ still increases, for at most as many iterations
/// again as mclust's rule took (at most twice mclust's work: a fit that creeps, such as a
/// component slowly splitting, does not run on).
/// VEI's M-step iterates volume and shape until their
/// relative change is at most ``innerTolerance`` (mclust `tol[2] = √ε`); so do VEV's and
/// VEE's, and EVE's and VVE's common orientation (Browne and McNicholas's MM steps) until the
/// relative change of their target is at most that. No prior or regularisation is used unless
/// ``regularization`` is set.
///
/// ```swift
/// let fit = try GaussianMixture(model: .VVV, componentCount: 3)
///   .fit(features, initialAssignments: labels)
/// fit.logLikelihood; fit.mclustBIC; fit.posteriors
/// ```
///
/// A fit fails (throws ``ClusteringError/mixtureFailed(model:components:reason:)``) when a
/// component's posterior mass falls below `√ε`, or a covariance becomes singular: for diagonal
/// models a variance ≤ ``singularityThreshold`` (mclust `eps`), for EEE/VVV a Cholesky factor
/// with `min Lⱼⱼ / (1 + max Lⱼⱼ) ≤ √ε` (mclust's `rcond` proxy; also for the other
/// ellipsoidal families), for EVE and VVE also, as mclust, a scatter with an eigenvalue below
/// `√ε` or a shape element (a VVE volume) below `√ε`.
///
/// - Complexity: O(*n k d²*) per iteration for the full-covariance families (vector kernels),
///   O(*n k d*) for the others.
/// Reference: Scrucca, Fop, Murphy and Raftery (2016), *mclust 5*, R Journal 8(1);
/// Celeux and Govaert (1995), *Gaussian parsimonious clustering models*; Browne and
/// McNicholas (2014), *Estimating common principal components in high dimensions*, ADAC 8(2).
public struct GaussianMixture: Sendable {
  /// Covariance family.
  public var model: CovarianceModel
  /// Number of components *k*.
  public var componentCount: Int
  /// Relative log-likelihood change at which mclust stops EM (`tol[1]`, default 1e-5);
  /// ``Fit/converged`` says whether it was met.
  public var tolerance: Double
  /// Relative log-likelihood change down to which EM continues after ``tolerance`` is met,
  /// for at most as many iterations again (default `nil`: stop where mclust stops).
  public var continuationTolerance: Double?
  /// Relative change that stops the inner M-step iterations of VEI, VEV, VEE, EVE and VVE
  /// (mclust `tol[2]`, `√ε`).
  public var innerTolerance: Double
  /// EM iteration limit (mclust: `.Machine$integer.max`).
  public var maxIterations: Int
  /// Variance (or scale) at or below which a covariance counts as singular (mclust `eps`).
  public var singularityThreshold: Double
  /// A ridge added to every covariance diagonal after each M-step (0: none, as mclust; a
  /// positive value is a simple regularisation, similar to scikit-learn's `reg_covar`).
  public var regularization: Double
  /// How the fitted components are numbered.
  public var labelOrder: LabelOrder
  /// The data's first principal axis when the caller knows it (a grid computes it once for
  /// all its fits); `nil`: computed by each fit that needs it.
  var principalAxis: [Double]? = nil

  /// Creates a configuration with mclust's defaults.
  public init(
    model: CovarianceModel, componentCount: Int, tolerance: Double = 1e-5,
    continuationTolerance: Double? = nil,
    innerTolerance: Double = Double.ulpOfOne.squareRoot(), maxIterations: Int = Int(Int32.max),
    singularityThreshold: Double = .ulpOfOne, regularization: Double = 0,
    labelOrder: LabelOrder = .firstPrincipalComponent
  ) {
    self.model = model
    self.componentCount = componentCount
    self.tolerance = tolerance
    self.continuationTolerance = continuationTolerance
    self.innerTolerance = innerTolerance
    self.maxIterations = maxIterations
    self.singularityThreshold = singularityThreshold
    self.regularization = regularization
    self.labelOrder = labelOrder
  }

  /// A fitted mixture.
  public struct Fit: Sendable {
    /// Covariance family.
    public let model: CovarianceModel
    /// Number of components.
    public let componentCount: Int
    /// Maximised log-likelihood.
    public let logLikelihood: Double
    /// Free parameters (mclust's `df`).
    public let parameterCount: Int
    /// Number of units.
    public let unitCount: Int
    /// Mixing proportions πₖ.
    public let proportions: [Double]
    /// Component means, `k x d`.
    public let means: Matrix
    /// Component covariance matrices, each `d x d`.
    public let covariances: [Matrix]
    /// Posterior probabilities, `n x k` (mclust `z`, scikit-learn `predict_proba`).
    public let posteriors: Matrix
    /// The most probable component of each unit (MAP classification).
    public let assignments: [Int]
    /// EM iterations.
    public let iterations: Int
    /// Whether EM met mclust's tolerance before the iteration limit.
    public let converged: Bool
    /// Where mclust's rule (``GaussianMixture/tolerance``) stopped EM: the iteration and the
    /// log-likelihood then (`nil` if never met); EM continued from there while ℓ increased
    /// by more than ``GaussianMixture/continuationTolerance``.
    public let mclustStop: (iterations: Int, logLikelihood: Double)?

    /// `−2·logL + p·ln n`: lower is better (scikit-learn's and tidyLPA's convention).
    public var bic: Double {
      -2 * logLikelihood + Double(parameterCount) * Foundation.log(Double(unitCount))
    }
    /// `2·logL − p·ln n`: higher is better (mclust's convention).
    public var mclustBIC: Double { -bic }
    /// Raw classification entropy `Σᵢ Σₖ −zᵢₖ ln zᵢₖ` (computed once, with the fit).
    public let entropy: Double
    /// `Σᵢ ln zᵢ,map(i)`, the classification part of ``icl``.
    let mapLogPosteriorSum: Double
    /// `1 − entropy / (n ln k)` (1: perfectly separated); `nil` for one component.
    public var normalizedEntropy: Double? {
      componentCount > 1
        ? 1 - entropy / (Double(unitCount) * Foundation.log(Double(componentCount))) : nil
    }
    /// mclust's ICL: `mclustBIC + 2 Σᵢ ln zᵢ,map(i)` (higher is better).
    public var icl: Double { mclustBIC + 2 * mapLogPosteriorSum }
    /// Units per component in the MAP classification.
    public var sizes: [Int] {
      var s = [Int](repeating: 0, count: componentCount)
      for a in assignments { s[a] += 1 }
      return s
    }
    /// Mean posterior of each class among the units assigned to it (tidyLPA's diagonal of the
    /// average latent class probabilities); `nil` for an empty class.
    public var averagePosteriors: [Double?] {
      var sum = [Double](repeating: 0, count: componentCount)
      var count = [Int](repeating: 0, count: componentCount)
      for i in 0..<unitCount {
        sum[assignments[i]] += posteriors[i, assignments[i]]
        count[assignments[i]] += 1
      }
      return (0..<componentCount).map { count[$0] > 0 ? sum[$0] / Double(count[$0]) : nil }
    }
  }

  /// Runs EM from hard initial assignments (`0..<k` per row), as mclust does with
  /// `unmap(hclass(...))`.
  public func fit(_ data: Matrix, initialAssignments labels: [Int]) throws(ClusteringError)
    -> Fit
  {
    precondition(labels.count == data.rows, "fit: \(labels.count) labels for \(data.rows) rows")
    var z = Matrix(rows: data.rows, columns: componentCount)
    for (i, l) in labels.enumerated() where l >= 0 && l < componentCount { z[i, l] = 1 }
    return try fit(data, initialPosteriors: z)
  }

  /// Runs EM from initial posteriors `z` (`n x k`; rows summing to 1), M-step first.
  ///
  /// - Throws: ``ClusteringError/mixtureFailed(model:components:reason:)`` for singular or
  ///   empty components; ``ClusteringError/invalidSetting(_:)``,
  ///   ``ClusteringError/tooFewRows(rows:needed:context:)``,
  ///   ``ClusteringError/nonFiniteValue(row:column:)`` for bad input.
  public func fit(_ data: Matrix, initialPosteriors z0: Matrix) throws(ClusteringError) -> Fit {
    try fit(data, initialPosteriors: z0, finiteChecked: false)
  }

  /// ``fit(_:initialPosteriors:)``; `finiteChecked` when the caller has already checked that
  /// every value of `data` is finite (a grid does once for all its fits).
  func fit(_ data: Matrix, initialPosteriors z0: Matrix, finiteChecked: Bool)
    throws(ClusteringError) -> Fit
  {
    let k = componentCount
    guard k >= 1 else { throw .invalidSetting("A mixture needs at least 1 component.") }
    guard tolerance >= 0, (continuationTolerance ?? 0) >= 0, maxIterations >= 1 else {
      throw .invalidSetting("EM needs tolerances >= 0 and at least 1 iteration.")
    }
    guard data.columns >= 1 else { throw .noFeatures }
    guard data.rows > k else {
      throw .tooFewRows(rows: data.rows, needed: k + 1, context: "A \(k)-component mixture")
    }
    precondition(z0.rows == data.rows && z0.columns == k, "fit: posteriors must be n x k")
    if !finiteChecked { try checkFinite(data) }
    var em = ExpectationMaximization(
      x: data, model: model, componentCount: k, innerTolerance: innerTolerance,
      singularityThreshold: singularityThreshold, regularization: regularization)
    var z = z0
    var spare = Matrix(rows: z0.rows, columns: k)
    var hold = Double.greatestFiniteMagnitude / 2
    var err = Double.greatestFiniteMagnitude
    var iterations = 0
    var current: MixtureParameters? = nil
    var hood = 0.0
    var mclustStop: (iterations: Int, logLikelihood: Double)? = nil
    let finalTolerance = min(tolerance, continuationTolerance ?? tolerance)
    repeat {
      let next: MixtureParameters
      do {
        next = try em.maximization(z)
      } catch let failure {
        // Past mclust's stopping point a failure keeps the last complete iteration.
        if mclustStop != nil { break }
        throw .mixtureFailed(model: model.rawValue, components: k, reason: failure.reason)
      }
      let nextHood = em.expectation(next, posteriors: &spare)
      // Past mclust's stopping point, an iteration that no longer increases ℓ is dropped.
      if mclustStop != nil && !(nextHood > hood) { break }
      iterations += 1
      swap(&z, &spare)
      current = next
      hood = nextHood
      err = abs(hold - hood) / (1 + abs(hood))
      hold = hood
      if mclustStop == nil && err <= tolerance { mclustStop = (iterations, hood) }
    } while iterations < maxIterations
      && (mclustStop.map { err > finalTolerance && iterations < 2 * $0.iterations }
        ?? (err > tolerance))
    guard let parameters = current else {
      throw .mixtureFailed(model: model.rawValue, components: k, reason: "no EM iteration")
    }
    guard hood.isFinite else {
      throw .mixtureFailed(
        model: model.rawValue, components: k, reason: "the log-likelihood is not finite")
    }
    // Canonical component order.
    let order = labelOrder.order(centers: parameters.means, axis: principalAxis, data: data)
    let d = data.columns
    let n = data.rows
    var means = Matrix(rows: k, columns: d)
    var posteriors = Matrix(rows: n, columns: k)
    var assignments = [Int](repeating: 0, count: n)
    z.withUnsafeBufferPointer { zp in
      posteriors.withUnsafeMutableBufferPointer { pp in
        // Columns are contiguous: each component's posteriors are copied whole.
        for (new, old) in order.enumerated() {
          for j in 0..<d { means[new, j] = parameters.means[old, j] }
          (pp.baseAddress! + new &* n).update(from: zp.baseAddress! + old &* n, count: n)
        }
        // Each unit's most probable component (the first among equal posteriors), one column
        // after the other.
        assignments.withUnsafeMutableBufferPointer { ap in
          var highest = Array(pp[0..<n])
          for c in 1..<max(k, 1) {
            let column = pp.baseAddress! + c &* n
            for i in 0..<n where column[i] > highest[i] {
              highest[i] = column[i]
              ap[i] = c
            }
          }
        }
      }
    }
    return Fit(
      model: model, componentCount: k, logLikelihood: hood,
      parameterCount: model.parameterCount(components: k, dimension: d), unitCount: n,
      proportions: order.map { parameters.proportions[$0] }, means: means,
      covariances: order.map { parameters.covariance($0, dimension: d) },
      posteriors: posteriors, assignments: assignments, iterations: iterations,
      converged: mclustStop != nil, mclustStop: mclustStop,
      entropy: Self.entropy(posteriors.elements),
      mapLogPosteriorSum: Self.logSum(
        (0..<n).map { posteriors.elements[assignments[$0] &* n &+ $0] }))
  }

  /// `Σ −z ln z` over the positive values, logs 512 at a time by la_log (within an ulp of
  /// glibc's; subnormal values, which it does not take, by `log`).
  static func entropy(_ values: [Double]) -> Double {
    var total = 0.0
    withPositiveLogs(values) { z, logZ in total -= z * logZ }
    return total
  }

  /// `Σ ln z` over the positive values.
  static func logSum(_ values: [Double]) -> Double {
    var total = 0.0
    withPositiveLogs(values) { _, logZ in total += logZ }
    return total
  }

  /// Calls `body(z, ln z)` for each positive `z` in `values`, in order.
  static func withPositiveLogs(_ values: [Double], _ body: (Double, Double) -> Void) {
    let chunk = 512
    withUnsafeTemporaryAllocation(of: Double.self, capacity: 2 * chunk) { buffer in
      let input = buffer.baseAddress!
      let output = input + chunk
      var start = 0
      while start < values.count {
        var count = 0
        let end = min(start + chunk, values.count)
        for i in start..<end where values[i] >= Double.leastNormalMagnitude {
          input[count] = values[i]
          count += 1
        }
        if count > 0 { la_log(input, count, output) }
        var q = 0
        for i in start..<end where values[i] > 0 {
          if values[i] >= Double.leastNormalMagnitude {
            body(values[i], output[q])
            q += 1
          } else {
            body(values[i], Foundation.log(values[i]))
          }
        }
        start = end
      }
    }
  }
}
