import Dispatch
import MatrixCore

/// k-means clustering: greedy k-means++ seeding, several starts, Lloyd iterations accelerated
/// by Hamerly's distance bounds.
///
/// Minimises the total within-cluster sum of squares `Σᵢ ‖xᵢ − c_{label(i)}‖²` (scikit-learn's
/// `inertia_`, R's `tot.withinss`).
///
/// ```swift
/// var rng = SplitMix64(seed: 7)
/// let fit = try KMeans(clusterCount: 4).fit(features, using: &rng)
/// fit.centers; fit.assignments; fit.totalWithinSS; fit.converged
/// ```
///
/// Each start seeds with scikit-learn's greedy k-means++ (the first centre uniformly, then for
/// each further centre `2 + ⌊ln k⌋` candidates drawn with probability ∝ D², keeping the one
/// that lowers the potential most), then runs Lloyd's algorithm with Hamerly's (2010) bounds
/// (an upper bound on each point's distance to its centre and a lower bound on the distance to
/// any other: points whose bounds prove their label cannot change are skipped, so the labels are
/// Lloyd's with far fewer distances computed), and the iteration stops when no label changes, or (with a positive ``tolerance``) when the squared centre shift falls below
/// `tolerance · mean column variance`, as scikit-learn does. A cluster that loses all its
/// members is re-seeded at the point farthest from its centre and counted in
/// ``Fit/emptyClusterReseeds``. The start with the lowest total within SS wins (the earliest on
/// ties). Labels are then renumbered canonically (``LabelOrder``).
///
/// - Complexity: O(*n k d*) per iteration and per start at worst (O(*n*) once few points are
///   near a boundary), plus O(*n d k (2 + ln k)*) seeding.
/// Reference: Arthur and Vassilvitskii (2007); Hamerly (2010), *Making k-means even faster*,
/// SDM; scikit-learn `sklearn/cluster/_kmeans.py`.
public struct KMeans: Sendable {
  /// Number of clusters *k*.
  public var clusterCount: Int
  /// Independent k-means++ starts; the best is kept (default 10, R's `nstart`, sklearn's
  /// `n_init`).
  public var startCount: Int
  /// Lloyd iterations per start (default 300, as scikit-learn).
  public var maxIterations: Int
  /// Centre-shift tolerance relative to the mean column variance (default 1e-4, as
  /// scikit-learn); Lloyd also stops when no label changes. With ``hartiganRefinement`` the
  /// result is then polished to a point where no single transfer helps, so the tolerance
  /// only decides how much of the work Lloyd does. 0 iterates Lloyd to label stability.
  public var tolerance: Double
  /// How the final clusters are numbered.
  public var labelOrder: LabelOrder
  /// Threads over which the starts are spread (default 1). Each start has its own random
  /// stream drawn before any runs, so the result is bit-identical for any thread count.
  public var threadCount: Int = 1
  /// Whether Lloyd's optimum is polished by Hartigan single-point transfers (default `true`):
  /// never worse, and closer to R's default Hartigan-Wong; `false` gives scikit-learn's plain
  /// Lloyd. Every start is polished up to 10,000 rows; above that only the best Lloyd start.
  public var hartiganRefinement: Bool

  /// Creates a configuration; nothing is computed until ``fit(_:using:)``.
  public init(
    clusterCount: Int, startCount: Int = 10, maxIterations: Int = 300, tolerance: Double = 1e-4,
    labelOrder: LabelOrder = .firstPrincipalComponent, hartiganRefinement: Bool = true
  ) {
    self.hartiganRefinement = hartiganRefinement
    self.clusterCount = clusterCount
    self.startCount = startCount
    self.maxIterations = maxIterations
    self.tolerance = tolerance
    self.labelOrder = labelOrder
  }

  /// The result of a k-means fit.
  public struct Fit: Sendable {
    /// Cluster centres, `k x d` (row `c` is cluster `c`).
    public let centers: Matrix
    /// Cluster of each row, `0..<k`.
    public let assignments: [Int]
    /// Members per cluster.
    public let sizes: [Int]
    /// Within-cluster sum of squares per cluster.
    public let withinSS: [Double]
    /// Total within-cluster sum of squares (sklearn `inertia_`, R `tot.withinss`).
    public let totalWithinSS: Double
    /// Total sum of squares about the grand mean (R `totss`).
    public let totalSS: Double
    /// Between-cluster sum of squares, `totalSS − totalWithinSS` (R `betweenss`).
    public let betweenSS: Double
    /// Lloyd iterations of the winning start.
    public let iterations: Int
    /// Whether the winning start stopped before ``KMeans/maxIterations``.
    public let converged: Bool
    /// Empty clusters re-seeded, summed over all starts.
    public let emptyClusterReseeds: Int
    /// Total within SS of every start, in start order (a spread shows how multimodal the
    /// objective is).
    public let startObjectives: [Double]

    /// The nearest centre for each row of `rows` (`m x d`); use it to carry profiles to
    /// another wave.
    public func assign(_ rows: Matrix) -> [Int] {
      precondition(
        rows.columns == centers.columns,
        "assign: \(rows.columns) columns, expected \(centers.columns)")
      return nearestCenters(rows, centers).labels
    }
  }

  /// Clusters the rows of `data` (`n x d`, finite values).
  ///
  /// - Throws: ``ClusteringError/invalidSetting(_:)`` for `k < 1`, no starts or negative
  ///   tolerance; ``ClusteringError/tooFewRows(rows:needed:context:)`` when `n < k`;
  ///   ``ClusteringError/nonFiniteValue(row:column:)``.
  public func fit(_ data: Matrix, using rng: inout some RandomNumberGenerator)
    throws(ClusteringError) -> Fit
  {
    let k = clusterCount
    guard k >= 1 else { throw .invalidSetting("k-means needs at least 1 cluster, got \(k).") }
    guard startCount >= 1 else { throw .invalidSetting("k-means needs at least 1 start.") }
    guard maxIterations >= 1 else { throw .invalidSetting("maxIterations must be at least 1.") }
    guard tolerance >= 0 else { throw .invalidSetting("The k-means tolerance must be >= 0.") }
    guard data.columns >= 1 else { throw .noFeatures }
    try checkFinite(data)
    guard data.rows >= k else {
      throw .tooFewRows(rows: data.rows, needed: k, context: "k-means with k = \(k)")
    }
    let workspace = LloydWorkspace(data: data, clusterCount: k, threads: threadCount)
    let toleranceEffective = tolerance * workspace.meanVariance
    // One independent stream per start, drawn up front: the result does not depend on how
    // starts are spread over threads.
    let streams = (0..<startCount).map { _ in SplitMix64(seed: rng.next()) }
    // Hartigan transfers polish every start on small problems; on large ones (more than
    // 10,000 rows) only the best Lloyd start, after Lloyd has run to label stability.
    let refineEach = hartiganRefinement && data.rows <= 10_000
    let settings = (maxIterations, toleranceEffective, refineEach)
    @Sendable func run(_ s: Int) -> LloydResult {
      var stream = streams[s]
      let seeds = workspace.kMeansPlusPlus(using: &stream)
      return workspace.lloyd(
        initial: seeds, maxIterations: settings.0, tolerance: settings.1, refine: settings.2)
    }
    let runs = parallelMap(startCount, threads: threadCount, run)
    var bestIndex = 0
    for s in 1..<startCount where runs[s].totalWithinSS < runs[bestIndex].totalWithinSS {
      bestIndex = s
    }
    var best = runs[bestIndex]
    if hartiganRefinement && !refineEach {
      best = workspace.refined(best, maxIterations: maxIterations)
    }
    let objectives = runs.map(\.totalWithinSS)
    let reseeds = runs.reduce(0) { $0 + $1.reseeds }
    let order = labelOrder.order(centers: best.centers, data: data)
    var centers = Matrix(rows: k, columns: data.columns)
    for (new, old) in order.enumerated() {
      for j in 0..<data.columns { centers[new, j] = best.centers[old, j] }
    }
    let total = workspace.totalSS
    return Fit(
      centers: centers, assignments: best.labels.relabelled(by: order),
      sizes: order.map { best.sizes[$0] }, withinSS: order.map { best.withinSS[$0] },
      totalWithinSS: best.totalWithinSS, totalSS: total,
      betweenSS: total - best.totalWithinSS, iterations: best.iterations,
      converged: best.converged, emptyClusterReseeds: reseeds, startObjectives: objectives)
  }

  /// Clusters with the system random generator (not reproducible; pass a ``SplitMix64``
  /// for that).
  public func fit(_ data: Matrix) throws(ClusteringError) -> Fit {
    var rng = SystemRandomNumberGenerator()
    return try fit(data, using: &rng)
  }
}

/// Throws for the first non-finite value of `data`.
func checkFinite(_ data: Matrix) throws(ClusteringError) {
  let n = data.rows
  // v · 0 is 0 for a finite v and NaN otherwise: one vectorised pass finds whether any value
  // is not finite; only then is the first one looked for.
  let allFinite = data.withUnsafeBufferPointer { p in
    var sum = SIMD4<Double>(repeating: 0)
    var i = 0
    while i + 4 <= p.count {
      sum += SIMD4(p[i], p[i + 1], p[i + 2], p[i + 3]) * 0
      i += 4
    }
    var tail = 0.0
    while i < p.count {
      tail += p[i] * 0
      i += 1
    }
    return sum.sum() + tail == 0
  }
  if allFinite { return }
  for (index, v) in data.elements.enumerated() where !v.isFinite {
    throw .nonFiniteValue(row: index % max(n, 1), column: index / max(n, 1))
  }
}

/// Nearest centre (squared Euclidean) of each row, computed directly (no cancellation).
func nearestCenters(_ rows: Matrix, _ centers: Matrix) -> (labels: [Int], distances: [Double]) {
  let n = rows.rows
  let d = rows.columns
  let k = centers.rows
  var labels = [Int](repeating: 0, count: n)
  var distances = [Double](repeating: .infinity, count: n)
  rows.withUnsafeBufferPointer { x in
    centers.withUnsafeBufferPointer { c in
      for i in 0..<n {
        for cl in 0..<k {
          var s = 0.0
          for j in 0..<d {
            let t = x[i + j * n] - c[cl + j * k]
            s += t * t
          }
          if s < distances[i] {
            distances[i] = s
            labels[i] = cl
          }
        }
      }
    }
  }
  return (labels, distances)
}
