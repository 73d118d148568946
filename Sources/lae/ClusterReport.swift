import Foundation
import LearningAnalytics

/// What `lae cluster` prints: the library's results under the JSON names issue 6 fixed
/// (`method`, `k`, `totalWithinSS`, `withinSS`, `sizes`, `centers`, `silhouette`,
/// `assignments`; for gmm `fits` and `best`).
struct ClusterReport: Encodable {
  struct SilhouetteSummary: Encodable {
    let average: Double
    let clusters: [Double?]
    let sampled: Bool
    let scoredUnits: Int
  }
  struct Assignment: Encodable {
    let unit: String
    let cluster: Int
    let posterior: [Double]?
  }
  struct MixtureFit: Encodable {
    let model: String
    let k: Int
    let failed: Bool
    let reason: String?
    let logLikelihood: Double?
    let parameterCount: Int
    let bic: Double?
    let mclustBIC: Double?
    let icl: Double?
    let entropy: Double?
    let normalizedEntropy: Double?
    let sizes: [Int]?
    let averagePosterior: [Double?]?
    let iterations: Int?
    let converged: Bool?
    /// Iterations and log-likelihood where mclust's rule stopped EM (EM continued after).
    let mclustStopIterations: Int?
    let mclustStopLogLikelihood: Double?
    let start: String?

    private enum Keys: String, CodingKey {
      case model, k, failed, reason, logLikelihood, parameterCount, bic, mclustBIC, icl
      case entropy, normalizedEntropy, sizes, averagePosterior, iterations, converged
      case mclustStopIterations, mclustStopLogLikelihood, start
    }
    /// Explicit nulls for the numbers of a failed fit.
    func encode(to encoder: any Encoder) throws {
      var c = encoder.container(keyedBy: Keys.self)
      try c.encode(model, forKey: .model)
      try c.encode(k, forKey: .k)
      try c.encode(failed, forKey: .failed)
      try c.encode(reason, forKey: .reason)
      try c.encode(logLikelihood, forKey: .logLikelihood)
      try c.encode(parameterCount, forKey: .parameterCount)
      try c.encode(bic, forKey: .bic)
      try c.encode(mclustBIC, forKey: .mclustBIC)
      try c.encode(icl, forKey: .icl)
      try c.encode(entropy, forKey: .entropy)
      try c.encode(normalizedEntropy, forKey: .normalizedEntropy)
      try c.encode(sizes, forKey: .sizes)
      try c.encode(averagePosterior, forKey: .averagePosterior)
      try c.encode(iterations, forKey: .iterations)
      try c.encode(converged, forKey: .converged)
      try c.encode(mclustStopIterations, forKey: .mclustStopIterations)
      try c.encode(mclustStopLogLikelihood, forKey: .mclustStopLogLikelihood)
      try c.encode(start, forKey: .start)
    }
  }
  struct Best: Encodable {
    let model: String
    let k: Int
  }

  var method: String
  var k: Int
  var sizes: [Int]
  var centers: [[Double]]
  @CompactAssignments var assignments: [Assignment]
  var silhouette: SilhouetteSummary?
  var totalWithinSS: Double?
  var withinSS: [Double]?
  var betweenSS: Double?
  var totalSS: Double?
  var iterations: Int?
  var converged: Bool?
  var emptyClusterReseeds: Int?
  var starts: Int?
  var choice: ClusterCountChoice?
  // gmm
  var fits: [MixtureFit]?
  var best: Best?
  var proportions: [Double]?
  var initialization: String?
  var bicConventions: [String: String]?
  // ward
  var linkage: String?
  var topMergeHeights: [Double]?
  // input
  var data: String = ""
  var columns: [String] = []
  var idColumn: String?
  var units = 0
  var droppedRows = 0
  var droppedRowNumbers: [Int] = []
  var imputedCells = 0
  var missingValues = ""
  var standardized = false
  var seed: UInt64 = 0
  var labelOrder = ""

  func with(
    input table: FeatureTable, data: String, idColumn: String?, seed: UInt64,
    missing: FeatureTable.MissingValues
  ) -> ClusterReport {
    var r = self
    r.data = data
    r.columns = table.columns
    r.idColumn = idColumn
    r.units = table.values.rows
    r.droppedRows = table.droppedRows.count
    r.droppedRowNumbers = table.droppedRows
    r.imputedCells = table.imputedCells
    r.missingValues = missing.rawValue
    r.standardized = table.standardized
    r.seed = seed
    return r
  }

  static func describe(_ order: LabelOrder, _ table: FeatureTable) -> String {
    switch order {
    case .firstPrincipalComponent:
      return "ascending score on the first principal component (loadings summing to > 0)"
    case .indicator(let j): return "ascending mean of '\(table.columns[j])'"
    }
  }

  nonisolated(unsafe) static var threads = 1
  /// Whether the per-unit assignments are built (JSON and CSV print them; the table does not).
  nonisolated(unsafe) static var perUnit = true
  nonisolated(unsafe) static var silhouetteSample = 10_000
  /// Progress after each fit (fits done, fits in all); set by the command on a terminal.
  nonisolated(unsafe) static var progress: (@Sendable (Int, Int) -> Void)? = nil

  static func silhouetteSummary(
    _ x: Matrix, _ labels: [Int], k: Int, using rng: inout SplitMix64
  ) throws -> SilhouetteSummary? {
    // At least two distinct labels (checked without hashing every unit's label).
    guard k >= 2, silhouetteSample > 0, let first = labels.first,
      labels.contains(where: { $0 != first })
    else { return nil }
    let s = try Silhouette(maxExactUnits: silhouetteSample, threadCount: threads).evaluate(
      x, assignments: labels, using: &rng)
    return SilhouetteSummary(
      average: s.averageWidth, clusters: s.clusterAverageWidths, sampled: s.sampled,
      scoredUnits: s.units.count)
  }

  // MARK: - Methods

  static func kMeans(
    _ table: FeatureTable, range: ClosedRange<Int>, starts: Int, order: LabelOrder,
    using rng: inout SplitMix64
  ) throws -> ClusterReport {
    let x = table.values
    var results: [(KMeans.Fit, SilhouetteSummary?)] = []
    for k in range {
      var kmeans = KMeans(clusterCount: k, startCount: starts, labelOrder: order)
      kmeans.threadCount = threads
      let fit = try kmeans.fit(x, using: &rng)
      let s = try silhouetteSummary(x, fit.assignments, k: k, using: &rng)
      results.append((fit, s))
      progress?(results.count, range.count)
    }
    var choice: ClusterCountChoice? = nil
    var chosen = 0
    if range.count > 1 {
      let c = ClusterCountChoice.bySilhouette(
        zip(range, results).map { ($0, $1.0.totalWithinSS, $1.1?.average) })
      choice = c
      chosen = c.recommended.map { $0 - range.lowerBound } ?? 0
    }
    let (fit, s) = results[chosen]
    var r = ClusterReport(
      method: "kmeans", k: fit.centers.rows, sizes: fit.sizes, centers: fit.centers.rowArrays,
      assignments: !perUnit
        ? []
        : zip(table.ids, fit.assignments).map {
          Assignment(unit: $0, cluster: $1 + 1, posterior: nil)
        })
    r.silhouette = s
    r.totalWithinSS = fit.totalWithinSS
    r.withinSS = fit.withinSS
    r.betweenSS = fit.betweenSS
    r.totalSS = fit.totalSS
    r.iterations = fit.iterations
    r.converged = fit.converged
    r.emptyClusterReseeds = fit.emptyClusterReseeds
    r.starts = starts
    r.choice = choice
    r.labelOrder = describe(order, table)
    return r
  }

  static func ward(
    _ table: FeatureTable, range: ClosedRange<Int>, order: LabelOrder,
    using rng: inout SplitMix64
  ) throws -> ClusterReport {
    let x = table.values
    let tree = try Hierarchical(linkage: .ward).fit(x)
    var candidates: [(labels: [Int], within: [Double], centers: Matrix, s: SilhouetteSummary?)] =
      []
    for k in range {
      guard k <= x.rows else {
        throw ClusteringError.tooFewRows(rows: x.rows, needed: k, context: "Ward with k = \(k)")
      }
      let raw = tree.cut(clusterCount: k)
      var centers = Matrix(rows: k, columns: x.columns)
      var counts = [Int](repeating: 0, count: k)
      for (i, l) in raw.enumerated() {
        counts[l] += 1
        for j in 0..<x.columns { centers[l, j] += x[i, j] }
      }
      for c in 0..<k { for j in 0..<x.columns { centers[c, j] /= Double(counts[c]) } }
      let perm = order.order(centers: centers, data: x)
      var inverse = [Int](repeating: 0, count: k)
      for (new, old) in perm.enumerated() { inverse[old] = new }
      let labels = raw.map { inverse[$0] }
      let sorted = Matrix(rows: k, columns: x.columns) { c, j in centers[perm[c], j] }
      var within = [Double](repeating: 0, count: k)
      for (i, l) in labels.enumerated() {
        for j in 0..<x.columns { within[l] += (x[i, j] - sorted[l, j]) * (x[i, j] - sorted[l, j]) }
      }
      let s = try silhouetteSummary(x, labels, k: k, using: &rng)
      candidates.append((labels, within, sorted, s))
    }
    var choice: ClusterCountChoice? = nil
    var chosen = 0
    if range.count > 1 {
      let c = ClusterCountChoice.bySilhouette(
        zip(range, candidates).map { ($0, $1.within.reduce(0, +), $1.s?.average) })
      choice = c
      chosen = c.recommended.map { $0 - range.lowerBound } ?? 0
    }
    let best = candidates[chosen]
    let k = best.centers.rows
    var sizes = [Int](repeating: 0, count: k)
    for l in best.labels { sizes[l] += 1 }
    var r = ClusterReport(
      method: "ward", k: k, sizes: sizes, centers: best.centers.rowArrays,
      assignments: !perUnit
        ? []
        : zip(table.ids, best.labels).map {
          Assignment(unit: $0, cluster: $1 + 1, posterior: nil)
        })
    r.silhouette = best.s
    r.totalWithinSS = best.within.reduce(0, +)
    r.withinSS = best.within
    r.choice = choice
    r.linkage = "ward.D2"
    r.topMergeHeights = Array(tree.heights.suffix(20).reversed())
    r.labelOrder = describe(order, table)
    return r
  }

  static func mixtures(
    _ table: FeatureTable, range: ClosedRange<Int>, models: [CovarianceModel], starts: Int,
    order: LabelOrder, using rng: inout SplitMix64
  ) throws -> ClusterReport {
    let x = table.values
    var selection = MixtureModelSelection(
      models: models, componentCounts: Array(range), randomStarts: starts,
      expectationMaximization: GaussianMixture(model: .VVV, componentCount: 1, labelOrder: order))
    selection.threadCount = threads
    selection.progress = progress
    let result = try selection.fit(x, using: &rng)
    let fits = result.entries.map { e in
      let f = e.fit
      return MixtureFit(
        model: e.model.rawValue, k: e.componentCount, failed: f == nil, reason: e.failure,
        logLikelihood: f?.logLikelihood,
        parameterCount: e.model.parameterCount(components: e.componentCount, dimension: x.columns),
        bic: f?.bic, mclustBIC: f?.mclustBIC, icl: f?.icl, entropy: f?.entropy,
        normalizedEntropy: f?.normalizedEntropy, sizes: f?.sizes,
        averagePosterior: f?.averagePosteriors, iterations: f?.iterations,
        converged: f?.converged, mclustStopIterations: f?.mclustStop?.iterations,
        mclustStopLogLikelihood: f?.mclustStop?.logLikelihood, start: e.start)
    }
    guard let best = result.best, let fit = best.fit else {
      throw ClusteringError.mixtureFailed(
        model: models.map(\.rawValue).joined(separator: ","), components: range.upperBound,
        reason: "no model and k in the grid could be estimated")
    }
    let k = fit.componentCount
    var r = ClusterReport(
      method: "gmm", k: k, sizes: fit.sizes, centers: fit.means.rowArrays,
      assignments: !perUnit
        ? []
        : table.ids.enumerated().map { i, id in
          Assignment(
            unit: id, cluster: fit.assignments[i] + 1,
            posterior: (0..<k).map { fit.posteriors[i, $0] })
        })
    r.silhouette = try silhouetteSummary(x, fit.assignments, k: k, using: &rng)
    r.fits = fits
    r.best = Best(model: best.model.rawValue, k: k)
    r.proportions = fit.proportions
    r.initialization = result.initialization
    r.starts = starts
    r.choice = ClusterCountChoice.byBIC(result)
    r.bicConventions = [
      "bic": "-2 logL + p ln n; lower is better (scikit-learn, tidyLPA)",
      "mclustBIC": "2 logL - p ln n; higher is better (mclust)",
      "icl": "mclustBIC + 2 sum_i ln z_i,map(i); higher is better (mclust)",
    ]
    r.labelOrder = describe(order, table)
    return r
  }

  // MARK: - Text and CSV

  func csv() -> String {
    var lines: [String] = []
    let k = centers.count
    var header = ["unit", "cluster"]
    if method == "gmm" { header += (1...max(k, 1)).map { "posterior_\($0)" } }
    lines.append(header.joined(separator: ","))
    for a in assignments {
      var fields = [csvField(a.unit), String(a.cluster)]
      if let p = a.posterior { fields += p.map { String(format: "%.6f", $0) } }
      lines.append(fields.joined(separator: ","))
    }
    return lines.joined(separator: "\n")
  }

  func text() -> String {
    func f(_ v: Double?) -> String { v.map { String(format: "%.4f", $0) } ?? "-" }
    var out: [String] = []
    out.append(
      "\(method) on \(units) units x \(columns.count) features (\(columns.joined(separator: ", ")))"
        + (standardized ? ", standardized" : ""))
    if droppedRows > 0 { out.append("dropped \(droppedRows) row(s) with a missing feature") }
    if imputedCells > 0 { out.append("imputed \(imputedCells) cell(s) by the column mean") }
    if let fits {
      out.append("")
      out.append("model  k   logLik        params  bic (lower better)  mclustBIC (higher)  icl")
      for fit in fits {
        if fit.failed {
          out.append(
            "\(fit.model)    \(fit.k)   failed: \(fit.reason ?? "")")
        } else {
          out.append(
            "\(fit.model)    \(String(fit.k).padding(toLength: 3, withPad: " ", startingAt: 0)) "
              + "\(f(fit.logLikelihood))  \(fit.parameterCount)  \(f(fit.bic))  \(f(fit.mclustBIC))  \(f(fit.icl))"
          )
        }
      }
      if let best { out.append("best (highest mclustBIC): \(best.model), k = \(best.k)") }
      if let initialization { out.append("initialization: \(initialization)") }
    }
    if let choice, fits == nil {
      out.append("")
      out.append("k   total within SS   average silhouette")
      for row in choice.rows {
        out.append("\(row.k)   \(f(row.totalWithinSS))   \(f(row.averageSilhouette))")
      }
      out.append("recommended k = \(choice.recommended.map(String.init) ?? "-"): \(choice.rule)")
    }
    out.append("")
    out.append("profile  size  " + columns.joined(separator: "  "))
    for (c, center) in centers.enumerated() {
      out.append(
        "\(c + 1)        \(sizes[c])  "
          + center.map { String(format: "%.4f", $0) }.joined(separator: "  "))
    }
    if let totalWithinSS { out.append("total within SS: \(f(totalWithinSS))") }
    if let silhouette {
      out.append(
        "average silhouette: \(f(silhouette.average))"
          + (silhouette.sampled ? " (sample of \(silhouette.scoredUnits) units)" : ""))
    }
    out.append("labels: \(labelOrder)")
    return out.joined(separator: "\n")
  }
}

/// The per-unit assignments of a ``ClusterReport``, encoded as one compact JSON array written
/// by hand (an object per unit with sorted keys: `cluster`, `posterior` for mixtures, `unit`;
/// numbers in Swift's shortest round-trip form): 100,000 units with their posteriors took
/// about 1.3 s value by value through `JSONText`.
@propertyWrapper
struct CompactAssignments: Encodable {
  var wrappedValue: [ClusterReport.Assignment]

  func encode(to encoder: any Encoder) throws {
    let k = wrappedValue.first?.posterior?.count ?? 0
    var w = CompactJSON(capacity: 16 + wrappedValue.count * (32 + 24 * k))
    w.array(wrappedValue) { w, a in
      w.raw("{\"cluster\":")
      w.integer(a.cluster)
      if let p = a.posterior {
        w.raw(",\"posterior\":")
        w.array(p) { $0.number($1) }
      }
      w.raw(",\"unit\":")
      w.string(a.unit)
      w.raw("}")
    }
    try JSONText.Fragment(w.text).encode(to: encoder)
  }
}
