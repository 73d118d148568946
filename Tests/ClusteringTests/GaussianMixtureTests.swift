import Foundation
import MatrixCore
import Testing
import _TestSupport

@testable import Clustering

@Suite("Gaussian mixtures (mclust)")
struct GaussianMixtureTests {
  init() { printBLASConfigurationOnce() }

  static let datasets = ["blobs", "iris", "faithful"]

  /// EM from mclust's own hierarchical partitions reproduces mclust's BIC table: this checks
  /// the M- and E-steps, tolerances and parameter counts of every family.
  @Test(arguments: datasets)
  func emFromMclustPartitionsMatchesBICTable(dataset: String) throws {
    let x = try References.data(dataset)
    let table = try References.rows("mclust-bic.csv").filter { $0["dataset"] == dataset }
    let hc = try References.rows("mclust-hc.csv").filter { $0["dataset"] == dataset }
    for row in table {
      let model = try #require(CovarianceModel(rawValue: row["model"] ?? ""))
      let k = try #require(Int(row["G"] ?? ""))
      let expected = Double(row["bic"] ?? "")
      let labels: [Int]
      if k == 1 {
        labels = [Int](repeating: 0, count: x.rows)
      } else {
        labels = hc.filter { $0["G"] == "\(k)" }
          .sorted { Int($0["row"] ?? "") ?? 0 < Int($1["row"] ?? "") ?? 0 }
          .map { (Int($0["class"] ?? "") ?? 1) - 1 }
      }
      let result = Result {
        try GaussianMixture(model: model, componentCount: k).fit(x, initialAssignments: labels)
      }
      switch (result, expected) {
      case (.success(let fit), .some(let bic)):
        #expect(
          approximatelyEqual(fit.mclustBIC, bic, relativeTolerance: 1e-4),
          "\(dataset) \(model) G=\(k): \(fit.mclustBIC) vs mclust \(bic)")
        #expect(approximatelyEqual(fit.bic, -bic, relativeTolerance: 1e-4))
        if let icl = Double(row["icl"] ?? "") {
          #expect(
            approximatelyEqual(fit.icl, icl, relativeTolerance: 1e-4),
            "\(dataset) \(model) G=\(k): ICL \(fit.icl) vs mclust \(icl)")
        }
      case (.failure, .none):
        break
      case (.success(let fit), .none):
        Issue.record("\(dataset) \(model) G=\(k): mclust NA, we fit BIC \(fit.mclustBIC)")
      case (.failure(let error), .some(let bic)):
        Issue.record("\(dataset) \(model) G=\(k): failed (\(error)), mclust \(bic)")
      }
    }
  }

  /// Our agglomeration reproduces mclust's `hc(VVV, use = "SVD")` partitions.
  @Test(arguments: datasets)
  func agglomerationMatchesMclust(dataset: String) throws {
    let x = try References.data(dataset)
    let tree = ModelBasedAgglomeration(ModelBasedAgglomeration.svdScaled(x), minimumGroups: 2)
    let threaded = ModelBasedAgglomeration(
      ModelBasedAgglomeration.svdScaled(x), minimumGroups: 2, threads: 2)
    #expect(tree.merges.map { [$0.0, $0.1] } == threaded.merges.map { [$0.0, $0.1] })
    for k in 2...6 {
      let theirs = try References.labels("mclust-hc.csv", column: "class") {
        $0["dataset"] == dataset && $0["G"] == "\(k)"
      }
      #expect(adjustedRandIndex(tree.partition(groups: k), theirs) == 1, "\(dataset) G=\(k)")
    }
  }

  /// The whole grid as mclustBIC computes it (faithful: duplicated rows, mclust's tie order;
  /// the other sets are covered by the two tests above, which together imply this one).
  @Test(arguments: ["faithful"])
  func gridMatchesMclustBIC(dataset: String) throws {
    let x = try References.data(dataset)
    let table = try References.rows("mclust-bic.csv").filter { $0["dataset"] == dataset }
    var rng = SplitMix64(seed: 1)
    let result = try MixtureModelSelection(componentCounts: Array(1...6)).fit(x, using: &rng)
    #expect(result.entries.count == CovarianceModel.allCases.count * 6)
    for e in result.entries {
      let row = try #require(
        table.first { $0["model"] == e.model.rawValue && $0["G"] == "\(e.componentCount)" })
      if let bic = Double(row["bic"] ?? "") {
        let ours = try #require(
          e.fit, "\(dataset) \(e.model) G=\(e.componentCount): \(e.failure ?? "")")
        #expect(
          approximatelyEqual(ours.mclustBIC, bic, relativeTolerance: 1e-4),
          "\(dataset) \(e.model) G=\(e.componentCount): \(ours.mclustBIC) vs \(bic)")
      } else {
        #expect(e.fit == nil && e.failure != nil, "\(dataset) \(e.model) G=\(e.componentCount)")
      }
    }
    let best = try #require(
      try References.rows("mclust-best.csv").first { $0["dataset"] == dataset })
    #expect(result.best?.model.rawValue == best["model"])
    #expect(result.best.map { "\($0.componentCount)" } == best["G"])
    if let fit = result.best?.fit {
      #expect("\(fit.parameterCount)" == best["df"])
      #expect(
        approximatelyEqual(
          fit.logLikelihood, Double(best["loglik"] ?? "") ?? 0, relativeTolerance: 1e-6))
    }
  }

  /// scikit-learn's best-of-10 full-covariance log-likelihood is not better than ours with a
  /// few extra random starts.
  @Test func notWorseThanScikitLearn() throws {
    // iris only, to keep the suite fast in debug builds (the other sets take 4x longer).
    let sk = try References.rows("sklearn.csv").filter {
      $0["quantity"] == "gmm_full_loglik" && $0["dataset"] == "iris"
    }
    for row in sk {
      let dataset = row["dataset"] ?? ""
      let k = Int(row["k"] ?? "") ?? 0
      let theirs = Double(row["value"] ?? "") ?? 0
      let x = try References.data(dataset)
      var rng = SplitMix64(seed: 5)
      let result = try MixtureModelSelection(models: [.VVV], componentCounts: [k], randomStarts: 5)
        .fit(x, using: &rng)
      let ours = try #require(result.entries.first?.fit)
      #expect(
        ours.logLikelihood >= theirs - 1e-4 * abs(theirs),
        "\(dataset) k=\(k): \(ours.logLikelihood) vs sklearn \(theirs)")
    }
  }

  @Test func parameterCountsMatchMclust() {
    // mclust nMclustParams for d = 4, G = 3.
    let expected: [CovarianceModel: Int] = [
      .EII: 15, .VII: 17, .EEI: 18, .VEI: 20, .EVI: 24, .VVI: 26, .EEE: 24, .VVV: 44,
      .EEV: 36, .EVV: 42, .VEE: 26, .EVE: 30, .VVE: 32, .VEV: 38,
    ]
    #expect(Set(expected.keys) == Set(CovarianceModel.allCases))
    for (m, p) in expected { #expect(m.parameterCount(components: 3, dimension: 4) == p, "\(m)") }
    // mclust nVarParams for d = 3, G = 5.
    let variances: [CovarianceModel: Int] = [
      .EII: 1, .VII: 5, .EEI: 3, .VEI: 7, .EVI: 11, .VVI: 15, .EEE: 6, .VVV: 30,
      .EEV: 18, .EVV: 26, .VEE: 10, .EVE: 14, .VVE: 18, .VEV: 22,
    ]
    for (m, p) in variances {
      #expect(m.covarianceParameterCount(components: 5, dimension: 3) == p, "\(m)")
    }
  }

  @Test func failedFitIsAnEntryNotNaN() throws {
    // Two exact copies of three points: VVV with 3 components cannot be estimated.
    let x = Matrix(rows: [
      [0, 0], [1, 0], [0, 1], [0, 0], [1, 0], [0, 1], [5, 5], [6, 5], [5, 6],
    ])
    var rng = SplitMix64(seed: 1)
    let grid = MixtureModelSelection(models: [.VVV, .EII, .EVE, .VVE], componentCounts: [1, 3])
    let result = try grid.fit(x, using: &rng)
    for e in result.entries {
      if let f = e.fit {
        #expect(f.logLikelihood.isFinite && f.mclustBIC.isFinite && f.icl.isFinite)
      } else {
        #expect(e.failure?.isEmpty == false)
      }
    }
  }

  /// EVE and VVE degenerate data (a component on a line, a constant feature) fail with a
  /// reason, as mclust's NA cells, never a NaN fit.
  @Test(arguments: [CovarianceModel.EVE, .VVE])
  func commonOrientationDegenerateDataFails(model: CovarianceModel) throws {
    let onLine = Matrix(rows: [
      [0, 0], [1, 1], [2, 2], [3, 3], [10, 10], [11, 10.5], [10.2, 11.7], [12, 11], [10.8, 12.1],
    ])
    var constant = Matrix(rows: 9, columns: 2)
    for i in 0..<9 {
      constant[i, 0] = Double(i % 4) + (i < 4 ? 0 : 10)
      constant[i, 1] = 3
    }
    let labels = [0, 0, 0, 0, 1, 1, 1, 1, 1]
    for (name, x) in [("a component on a line", onLine), ("a constant feature", constant)] {
      do {
        let fit = try GaussianMixture(model: model, componentCount: 2)
          .fit(x, initialAssignments: labels)
        Issue.record("\(model) \(name): fitted (logL \(fit.logLikelihood)), expected a failure")
      } catch {
        guard case .mixtureFailed(let m, let k, let reason) = error else {
          Issue.record("\(model) \(name): \(error)")
          continue
        }
        #expect(m == model.rawValue && k == 2 && !reason.isEmpty, "\(model) \(name): \(reason)")
      }
    }
  }

  /// EVE's and VVE's covariances share their eigenvectors (they commute), EVE's have one
  /// determinant; relabelling the start and permuting the rows give the same fit.
  @Test(arguments: [CovarianceModel.EVE, .VVE])
  func commonOrientationStructure(model: CovarianceModel) throws {
    let x = try References.data("iris")
    let n = x.rows
    let labels = try References.labels("mclust-hc.csv", column: "class") {
      $0["dataset"] == "iris" && $0["G"] == "3"
    }.map { $0 - 1 }
    let fit = try GaussianMixture(model: model, componentCount: 3)
      .fit(x, initialAssignments: labels)
    let s = fit.covariances
    for a in 0..<3 {
      for b in (a + 1)..<3 {
        let ab = s[a] * s[b]
        let ba = s[b] * s[a]
        let scale = ab.elements.map(abs).max() ?? 1
        let gap = zip(ab.elements, ba.elements).map { abs($0 - $1) }.max() ?? 0
        #expect(gap <= 1e-9 * scale, "\(model) components \(a + 1), \(b + 1): \(gap)")
      }
    }
    if model == .EVE {
      let determinants = try s.map { try Cholesky($0).logDeterminant }
      for v in determinants.dropFirst() {
        #expect(approximatelyEqual(v, determinants[0], relativeTolerance: 1e-9), "\(determinants)")
      }
    }
    let reversed = Matrix(rows: n, columns: x.columns) { i, j in x[n - 1 - i, j] }
    let relabelled = labels.reversed().map { 2 - $0 }
    let other = try GaussianMixture(model: model, componentCount: 3)
      .fit(reversed, initialAssignments: relabelled)
    #expect(
      approximatelyEqual(other.logLikelihood, fit.logLikelihood, relativeTolerance: 1e-9),
      "\(model): \(other.logLikelihood) vs \(fit.logLikelihood)")
    #expect(adjustedRandIndex(other.assignments.reversed(), fit.assignments) == 1, "\(model)")
  }

  /// Entropy and ICL, computed once with the fit through the vector log, against plain sums
  /// with glibc's log; zero and subnormal posteriors included.
  @Test func entropyAndICLAgainstPlainSums() throws {
    let x = try References.data("iris")
    var rng = SplitMix64(seed: 2)
    let result = try MixtureModelSelection(models: [.VVV, .EII], componentCounts: [2, 3, 4])
      .fit(x, using: &rng)
    for entry in result.entries {
      let fit = try #require(entry.fit)
      var entropy = 0.0
      for z in fit.posteriors.elements where z > 0 { entropy -= z * Foundation.log(z) }
      var mapSum = 0.0
      for i in 0..<fit.unitCount {
        let z = fit.posteriors[i, fit.assignments[i]]
        if z > 0 { mapSum += Foundation.log(z) }
      }
      #expect(approximatelyEqual(fit.entropy, entropy, relativeTolerance: 1e-13))
      #expect(approximatelyEqual(fit.icl, fit.mclustBIC + 2 * mapSum, relativeTolerance: 1e-13))
    }
    let subnormal = Double.leastNormalMagnitude / 8
    var values: [Double] = [0, subnormal, 0.25, 1, 2.3e-308, .leastNonzeroMagnitude, 0.999]
    values += (0..<1500).map { 1 / Double($0 + 2) }
    var plain = 0.0
    for z in values where z > 0 { plain -= z * Foundation.log(z) }
    #expect(approximatelyEqual(GaussianMixture.entropy(values), plain, relativeTolerance: 1e-14))
    var plainSum = 0.0
    for z in values where z > 0 { plainSum += Foundation.log(z) }
    #expect(approximatelyEqual(GaussianMixture.logSum(values), plainSum, relativeTolerance: 1e-14))
  }

  @Test func threadsDoNotChangeResults() throws {
    let x = try References.data("faithful")
    var one = MixtureModelSelection(
      models: [.VVV, .EEI, .EVE, .VVE], componentCounts: [1, 2, 3], randomStarts: 1)
    var two = one
    one.threadCount = 1
    two.threadCount = 2
    var a = SplitMix64(seed: 8)
    var b = SplitMix64(seed: 8)
    let r1 = try one.fit(x, using: &a)
    let r2 = try two.fit(x, using: &b)
    #expect(r1.entries.map { $0.fit?.logLikelihood } == r2.entries.map { $0.fit?.logLikelihood })
    #expect(r1.entries.map { $0.fit?.posteriors } == r2.entries.map { $0.fit?.posteriors })
    #expect(r1.entries.map(\.model) == r2.entries.map(\.model))
  }

  @Test func sameSeedBitIdentical() throws {
    let x = try References.data("iris")
    var a = SplitMix64(seed: 3)
    var b = SplitMix64(seed: 3)
    let s = MixtureModelSelection(
      models: [.VVV, .VEI, .EVE], componentCounts: [2, 3], subsetSize: 100, randomStarts: 1)
    let r1 = try s.fit(x, using: &a)
    let r2 = try s.fit(x, using: &b)
    #expect(r1.entries.map { $0.fit?.logLikelihood } == r2.entries.map { $0.fit?.logLikelihood })
    #expect(r1.entries.map { $0.fit?.posteriors } == r2.entries.map { $0.fit?.posteriors })
  }

  /// With a continuation tolerance EM continues past mclust's stopping point only while ℓ
  /// increases, for at most as many iterations again; without one it stops where mclust does.
  @Test func continuationPastMclustStop() throws {
    let x = try References.data("faithful")
    var rng = SplitMix64(seed: 2)
    let labels = try KMeans(clusterCount: 3).fit(x, using: &rng).assignments
    for model in [CovarianceModel.VVV, .VEI, .EII, .VVE] {
      let mclust = try GaussianMixture(model: model, componentCount: 3)
        .fit(x, initialAssignments: labels)
      let ours = try GaussianMixture(
        model: model, componentCount: 3, continuationTolerance: 1e-8
      ).fit(x, initialAssignments: labels)
      let stop = try #require(mclust.mclustStop)
      #expect(stop.iterations == mclust.iterations && stop.logLikelihood == mclust.logLikelihood)
      #expect(ours.mclustStop?.iterations == stop.iterations, "\(model)")
      #expect(ours.mclustStop?.logLikelihood == stop.logLikelihood, "\(model)")
      #expect(ours.logLikelihood >= mclust.logLikelihood, "\(model)")
      #expect(ours.iterations <= 2 * stop.iterations && ours.converged, "\(model)")
    }
  }

  /// A subset-initialised grid (not mclust's own start) continues past mclust's stop; the
  /// same grid without a subset stops there.
  @Test func subsetFitsContinue() throws {
    let x = try References.data("faithful")
    for (subsetSize, continues) in [(100, true), (2000, false)] {
      var rng = SplitMix64(seed: 4)
      let result = try MixtureModelSelection(
        models: [.VVV, .VII], componentCounts: [2, 3], subsetSize: subsetSize
      ).fit(x, using: &rng)
      for e in result.entries {
        let fit = try #require(e.fit)
        let stop = try #require(fit.mclustStop)
        #expect(fit.logLikelihood >= stop.logLikelihood)
        if !continues { #expect(fit.iterations == stop.iterations) }
      }
    }
  }
}
