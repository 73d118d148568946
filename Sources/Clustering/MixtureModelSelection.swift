import Foundation
import MatrixCore
import Synchronization

/// Gaussian mixtures over a grid of covariance models and component counts, initialised and
/// stopped as mclust's `mclustBIC()`, with the BIC table in both conventions.
///
/// ```swift
/// var rng = SplitMix64(seed: 1)
/// let table = try MixtureModelSelection(models: [.EII, .VVV], componentCounts: Array(1...6))
///   .fit(features, using: &rng)
/// table.best?.model; table.entries.map(\.fit?.mclustBIC)
/// ```
///
/// Initialisation (mclust's default): model-based hierarchical agglomeration with the VVV
/// criterion on SVD-scaled data (``ModelBasedAgglomeration``), cut at each *k*; EM then starts
/// with an M-step from that hard partition. With more than ``subsetSize`` units the
/// agglomeration runs on a random subset (drawn from the generator, where mclust draws from
/// R's), its partition gives parameters through one M-step on the subset, and an E-step on all
/// units gives EM's starting posteriors, as in `mclustBIC`. One component needs no start.
/// Such a start cannot be mclust's own (its subset comes from R's generator), so there EM also
/// continues past mclust's stopping point (``subsetContinuationTolerance``), ending at, not a
/// few log-likelihood units below, the optimum it approaches.
/// ``randomStarts`` adds k-means++ starts per fit (the highest log-likelihood wins); the
/// result says which start won.
///
/// A fit that cannot be estimated is an entry with a ``Entry/failure`` reason and no numbers.
/// ``Result/best`` is the successful entry with the highest `mclustBIC` (lowest `bic`).
public struct MixtureModelSelection: Sendable {
  /// Covariance models to fit (default: all).
  public var models: [CovarianceModel]
  /// Component counts to fit (default 1...9, as mclust).
  public var componentCounts: [Int]
  /// Units above which the agglomeration runs on a random subset (mclust's `subset`, 2,000).
  public var subsetSize: Int
  /// Extra k-means++ starts per fit (0: mclust's start only).
  public var randomStarts: Int
  /// EM's ``GaussianMixture/continuationTolerance`` when the agglomeration runs on a subset
  /// (default 1e-8; `nil` stops where mclust stops). Without a subset the fits are mclust's.
  public var subsetContinuationTolerance: Double? = 1e-8
  /// EM settings shared by all fits (model and component count are set per fit).
  public var expectationMaximization: GaussianMixture
  /// Threads over which the fits of the grid and the agglomeration's merge costs are spread
  /// (default 1); results do not depend on it.
  public var threadCount: Int = 1
  /// Called after each fit of the grid with the number of fits done and the grid's size
  /// (from the fitting threads, in completion order); for progress bars. Default: none.
  public var progress: (@Sendable (_ done: Int, _ total: Int) -> Void)? = nil

  /// Creates a grid with mclust's defaults.
  public init(
    models: [CovarianceModel] = CovarianceModel.allCases,
    componentCounts: [Int] = Array(1...9), subsetSize: Int = 2000, randomStarts: Int = 0,
    expectationMaximization: GaussianMixture = GaussianMixture(model: .VVV, componentCount: 1)
  ) {
    self.models = models
    self.componentCounts = componentCounts
    self.subsetSize = subsetSize
    self.randomStarts = randomStarts
    self.expectationMaximization = expectationMaximization
  }

  /// One cell of the grid.
  public struct Entry: Sendable {
    /// Covariance model.
    public let model: CovarianceModel
    /// Number of components.
    public let componentCount: Int
    /// The fit, or `nil` when it failed.
    public let fit: GaussianMixture.Fit?
    /// Why the fit failed (`nil` on success).
    public let failure: String?
    /// Which start won: `"hierarchical"` or `"random k-means++ start r"`.
    public let start: String?
  }

  /// The grid of fits.
  public struct Result: Sendable {
    /// One entry per component count and model, in that order.
    public let entries: [Entry]
    /// Units used by the agglomeration (all, or the subset size).
    public let initializationUnits: Int
    /// How EM was started, in words.
    public let initialization: String

    /// The successful entry with the highest `mclustBIC`.
    public var best: Entry? {
      var best: Entry?
      for e in entries {
        guard let f = e.fit else { continue }
        if best == nil || f.mclustBIC > (best?.fit?.mclustBIC ?? -.infinity) { best = e }
      }
      return best
    }
  }

  /// Fits every model and component count to the rows of `data`.
  ///
  /// - Throws: ``ClusteringError`` for invalid settings or data (never for a failed fit).
  public func fit(_ data: Matrix, using rng: inout some RandomNumberGenerator)
    throws(ClusteringError) -> Result
  {
    guard !models.isEmpty, !componentCounts.isEmpty, componentCounts.allSatisfy({ $0 >= 1 })
    else { throw .invalidSetting("Give at least one model and component counts >= 1.") }
    guard data.columns >= 1 else { throw .noFeatures }
    try checkFinite(data)
    let n = data.rows
    let kmax = componentCounts.max() ?? 1
    guard n > kmax else {
      throw .tooFewRows(rows: n, needed: kmax + 1, context: "A \(kmax)-component mixture")
    }
    // Agglomeration, on a subset for large data.
    var subset: [Int]? = nil
    if n > subsetSize && subsetSize > 0 {
      var indices = Array(0..<n)
      for i in 0..<subsetSize {
        let j = i + Int(rng.next() % UInt64(n - i))
        indices.swapAt(i, j)
      }
      subset = Array(indices[0..<subsetSize]).sorted()
    }
    let hcData =
      subset.map { s in Matrix(rows: s.count, columns: data.columns) { i, j in data[s[i], j] } }
      ?? data
    let needsTree = componentCounts.contains { $0 > 1 }
    let minimumGroups = componentCounts.filter { $0 > 1 }.min() ?? 1
    let tree =
      needsTree
      ? ModelBasedAgglomeration(
        ModelBasedAgglomeration.svdScaled(hcData), minimumGroups: minimumGroups,
        threads: threadCount) : nil
    var startStreams: [SplitMix64] = []
    for _ in 0..<(randomStarts * componentCounts.count * models.count) {
      startStreams.append(SplitMix64(seed: rng.next()))
    }
    // One cell per k and model; each has its own random streams, so cells may run on any
    // thread in any order with bit-identical results.
    var cells: [(k: Int, model: CovarianceModel, partition: [Int]?, streams: [SplitMix64])] = []
    var streamIndex = 0
    for k in componentCounts {
      var partition: [Int]? = nil
      if k > 1, let tree {
        partition = tree.initialGroupCount >= k ? tree.partition(groups: k) : nil
      }
      for model in models {
        cells.append(
          (k, model, partition, Array(startStreams[streamIndex..<(streamIndex + randomStarts)])))
        streamIndex += randomStarts
      }
    }
    let cellList = cells
    var emSettings = expectationMaximization
    if subset != nil { emSettings.continuationTolerance = subsetContinuationTolerance }
    // Every fit numbers its components on the same data's first principal axis: once here.
    if emSettings.labelOrder == .firstPrincipalComponent {
      emSettings.principalAxis = LabelOrder.firstPrincipalAxis(data)
    }
    let settingsTemplate = emSettings
    let starts = randomStarts
    let subsetCopy = subset
    let groupCount = tree?.initialGroupCount ?? 0
    @Sendable func fitCell(_ index: Int) -> Entry {
      let (k, model, partition, streams) = cellList[index]
      var settings = settingsTemplate
      settings.model = model
      settings.componentCount = k
      var best: (GaussianMixture.Fit, String)? = nil
      var failure: String? = nil
      do {
        let z0: Matrix
        if k == 1 {
          z0 = Matrix(rows: n, columns: 1, repeating: 1)
        } else if let partition {
          z0 = try settings.startingPosteriors(
            data, subset: subsetCopy, subsetData: hcData, partition: partition)
        } else {
          throw ClusteringError.tooFewRows(
            rows: groupCount, needed: k, context: "The distinct rows")
        }
        best = (
          try settings.fit(data, initialPosteriors: z0, finiteChecked: true), "hierarchical"
        )
      } catch {
        failure = Self.reason(error)
      }
      if k > 1 {
        for r in 0..<starts {
          var stream = streams[r]
          let workspace = LloydWorkspace(data: data, clusterCount: k)
          let seeds = workspace.kMeansPlusPlus(using: &stream)
          var centers = seeds
          for c in 0..<k { for j in 0..<data.columns { centers[c, j] += workspace.mean[j] } }
          let labels = nearestCenters(data, centers).labels
          if let f = try? settings.fit(data, initialAssignments: labels),
            f.logLikelihood > (best?.0.logLikelihood ?? -.infinity)
          {
            best = (f, "random k-means++ start \(r + 1)")
          }
        }
      }
      return Entry(
        model: model, componentCount: k, fit: best?.0, failure: best == nil ? failure : nil,
        start: best?.1)
    }
    let entries: [Entry]
    let threads = max(1, min(threadCount, cells.count))
    let report = progress
    if threads == 1 {
      entries = cellList.indices.map { i in
        let e = fitCell(i)
        report?(i + 1, cellList.count)
        return e
      }
    } else {
      let done = Mutex(0)
      let total = cellList.count
      // Larger cells (more components) first, each to the next free thread.
      let largestFirst = parallelMap(total, threads: threads) { taken in
        let e = fitCell(total - 1 - taken)
        if let report {
          let d = done.withLock { (n: inout Int) -> Int in
            n += 1
            return n
          }
          report(d, total)
        }
        return e
      }
      entries = largestFirst.reversed()
    }
    let description =
      "model-based hierarchical agglomeration (VVV) on SVD-scaled data"
      + (subset.map { " of a random subset of \($0.count) units" } ?? "")
      + (randomStarts > 0 ? ", plus \(randomStarts) k-means++ start(s) per fit" : "")
    return Result(
      entries: entries, initializationUnits: subset?.count ?? n, initialization: description)
  }

  static func reason(_ error: any Error) -> String {
    if case ClusteringError.mixtureFailed(_, _, let reason) = error { return reason }
    return "\(error)"
  }
}

extension GaussianMixture {
  /// EM's starting posteriors from a partition: the partition itself, or with a subset, one
  /// M-step on the subset and an E-step on all units (mclust's `mstep` then `estep`).
  func startingPosteriors(
    _ data: Matrix, subset: [Int]?, subsetData: Matrix, partition: [Int]
  ) throws(ClusteringError) -> Matrix {
    let k = componentCount
    var zs = Matrix(rows: subsetData.rows, columns: k)
    for (i, l) in partition.enumerated() { zs[i, l] = 1 }
    guard subset != nil else { return zs }
    var sub = ExpectationMaximization(
      x: subsetData, model: model, componentCount: k, innerTolerance: innerTolerance,
      singularityThreshold: singularityThreshold, regularization: regularization)
    let parameters: MixtureParameters
    do {
      parameters = try sub.maximization(zs)
    } catch let failure {
      throw .mixtureFailed(model: model.rawValue, components: k, reason: failure.reason)
    }
    var all = ExpectationMaximization(
      x: data, model: model, componentCount: k, innerTolerance: innerTolerance,
      singularityThreshold: singularityThreshold, regularization: regularization)
    var z = Matrix(rows: data.rows, columns: k)
    _ = all.expectation(parameters, posteriors: &z)
    return z
  }
}
