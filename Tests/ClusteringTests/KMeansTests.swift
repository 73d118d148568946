import MatrixCore
import Testing
import _TestSupport

@testable import Clustering

@Suite("k-means")
struct KMeansTests {
  init() { printBLASConfigurationOnce() }

  @Test(arguments: ["blobs", "iris", "faithful"])
  func sameOptimumAsRAndScikitLearn(dataset: String) throws {
    let x = try References.data(dataset)
    let r = try References.rows("kmeans.csv").filter { $0["dataset"] == dataset }
    let sk = try References.rows("sklearn.csv").filter {
      $0["dataset"] == dataset && $0["quantity"] == "kmeans_inertia"
    }
    for row in r {
      let k = try #require(Int(row["k"] ?? ""))
      let expected = try #require(Double(row["tot_withinss"] ?? ""))
      var rng = SplitMix64(seed: 42)
      let fit = try KMeans(clusterCount: k, startCount: 50).fit(x, using: &rng)
      #expect(
        approximatelyEqual(fit.totalWithinSS, expected, relativeTolerance: 1e-8),
        "\(dataset) k=\(k): \(fit.totalWithinSS) vs R \(expected)")
      let skValue = try #require(
        sk.first { $0["k"] == "\(k)" }.flatMap { Double($0["value"] ?? "") })
      #expect(approximatelyEqual(fit.totalWithinSS, skValue, relativeTolerance: 1e-8))
      let labels = try References.labels("kmeans-labels.csv", column: "label") {
        $0["dataset"] == dataset && $0["k"] == "\(k)"
      }
      #expect(adjustedRandIndex(fit.assignments, labels) == 1, "\(dataset) k=\(k)")
      #expect(fit.converged)
      #expect(approximatelyEqual(fit.withinSS.reduce(0, +), fit.totalWithinSS))
      #expect(fit.sizes.reduce(0, +) == x.rows)
      #expect(approximatelyEqual(fit.betweenSS + fit.totalWithinSS, fit.totalSS))
    }
  }

  @Test func scikitLearnDocstringExample() throws {
    let x = Matrix(rows: [[1, 2], [1, 4], [1, 0], [10, 2], [10, 4], [10, 0]])
    var rng = SplitMix64(seed: 0)
    let fit = try KMeans(clusterCount: 2).fit(x, using: &rng)
    #expect(approximatelyEqual(fit.totalWithinSS, 16))
    // Canonical labels: the cluster with the lower first-component score is 0.
    #expect(fit.assignments == [0, 0, 0, 1, 1, 1])
    #expect(approximatelyEqual(fit.centers.rowArrays.flatMap { $0 }, [1, 2, 10, 2]))
  }

  @Test func sameSeedIsBitIdentical() throws {
    let x = try References.data("iris")
    var a = SplitMix64(seed: 9)
    var b = SplitMix64(seed: 9)
    let f1 = try KMeans(clusterCount: 4, startCount: 3).fit(x, using: &a)
    let f2 = try KMeans(clusterCount: 4, startCount: 3).fit(x, using: &b)
    #expect(f1.centers == f2.centers)
    #expect(f1.assignments == f2.assignments)
    #expect(f1.totalWithinSS == f2.totalWithinSS)
    #expect(f1.startObjectives == f2.startObjectives)
  }

  @Test func threadsDoNotChangeResults() throws {
    let x = try References.data("faithful")
    var one = KMeans(clusterCount: 4, startCount: 6)
    var two = one
    one.threadCount = 1
    two.threadCount = 2
    var a = SplitMix64(seed: 4)
    var b = SplitMix64(seed: 4)
    let f1 = try one.fit(x, using: &a)
    let f2 = try two.fit(x, using: &b)
    #expect(f1.centers == f2.centers && f1.assignments == f2.assignments)
    #expect(f1.startObjectives == f2.startObjectives)
  }

  /// Hamerly's bounds skip distances but not labels: every iteration count gives the labels
  /// and iteration count of plain Lloyd (all distances, every iteration) from the same seeds.
  @Test(arguments: ["blobs", "faithful", "iris"])
  func boundsGiveLloydsLabels(dataset: String) throws {
    let data = try References.data(dataset)
    for k in [2, 3, 5] {
      let workspace = LloydWorkspace(data: data, clusterCount: k)
      let x = workspace.x
      let n = x.rows
      let d = x.columns
      var rng = SplitMix64(seed: UInt64(k))
      let seeds = workspace.kMeansPlusPlus(using: &rng)
      for limit in [1, 2, 3, 5, 300] {
        let fast = workspace.lloyd(
          initial: seeds, maxIterations: limit, tolerance: 0, refine: false)
        var centers = seeds
        var labels = [Int](repeating: -1, count: n)
        func nearest() -> [Int] {
          (0..<n).map { i in
            var best = 0
            var bestValue = Double.infinity
            for c in 0..<k {
              var s = 0.0
              for j in 0..<d {
                let u = x[i, j] - centers[c, j]
                s += u * u
              }
              if s < bestValue {
                bestValue = s
                best = c
              }
            }
            return best
          }
        }
        func means() -> Bool {
          var sums = Matrix(rows: k, columns: d)
          var counts = [Int](repeating: 0, count: k)
          for i in 0..<n {
            counts[labels[i]] += 1
            for j in 0..<d { sums[labels[i], j] += x[i, j] }
          }
          guard !counts.contains(0) else { return false }
          for c in 0..<k { for j in 0..<d { centers[c, j] = sums[c, j] / Double(counts[c]) } }
          return true
        }
        var iterations = 0
        var stable = false
        var reseeded = false
        while iterations < limit {
          iterations += 1
          let next = nearest()
          let changed = zip(next, labels).filter { $0 != $1 }.count
          labels = next
          if changed == 0 {
            stable = true
            break
          }
          if !means() { reseeded = true }
        }
        if !stable {
          labels = nearest()
          _ = means()
        }
        guard !reseeded else { continue }  // empty clusters: re-seeding is tested elsewhere
        #expect(fast.labels == labels, "\(dataset) k=\(k) limit=\(limit)")
        #expect(fast.iterations == iterations, "\(dataset) k=\(k) limit=\(limit)")
      }
    }
  }

  @Test func permutedRowsGiveTheSamePartition() throws {
    let x = try References.data("blobs")
    var shuffle = SplitMix64(seed: 3)
    let order = (0..<x.rows).shuffled(using: &shuffle)
    let permuted = Matrix(rows: x.rows, columns: x.columns) { i, j in x[order[i], j] }
    for seed in testSeeds.prefix(5) {
      var rng = SplitMix64(seed: seed)
      let f1 = try KMeans(clusterCount: 4).fit(x, using: &rng)
      let f2 = try KMeans(clusterCount: 4).fit(permuted, using: &rng)
      #expect(approximatelyEqual(f1.totalWithinSS, f2.totalWithinSS, relativeTolerance: 1e-10))
      // Canonical labels do not depend on row order.
      #expect(order.map { f1.assignments[$0] } == f2.assignments, "seed \(seed)")
      #expect(f1.centers.rows == f2.centers.rows)
    }
  }

  @Test func emptyClustersAreReseededAndReported() throws {
    // Five copies of two points: k = 3 forces a cluster to start or fall empty in Lloyd.
    var rows: [[Double]] = []
    for _ in 0..<5 { rows += [[0, 0], [0, 0.1], [5, 5], [5, 5.1]] }
    rows.append([20, 20])
    let x = Matrix(rows: rows)
    var rng = SplitMix64(seed: 1)
    let fit = try KMeans(clusterCount: 3, startCount: 5).fit(x, using: &rng)
    #expect(fit.sizes.allSatisfy { $0 > 0 })
    #expect(fit.totalWithinSS.isFinite)
    #expect(fit.emptyClusterReseeds >= 0)
  }

  @Test func errorsNameTheProblem() throws {
    let x = Matrix(rows: [[1, 2], [3, 4]])
    var rng = SplitMix64(seed: 1)
    #expect(throws: ClusteringError.tooFewRows(rows: 2, needed: 3, context: "k-means with k = 3")) {
      try KMeans(clusterCount: 3).fit(x, using: &rng)
    }
    #expect(throws: ClusteringError.self) { try KMeans(clusterCount: 0).fit(x, using: &rng) }
    let bad = Matrix(rows: [[1, .nan], [3, 4]])
    #expect(throws: ClusteringError.nonFiniteValue(row: 0, column: 1)) {
      try KMeans(clusterCount: 1).fit(bad, using: &rng)
    }
  }

  @Test func adjustedRandIndexKnownValues() {
    #expect(adjustedRandIndex([0, 0, 1, 1], [5, 5, 2, 2]) == 1)
    // scikit-learn docs: adjusted_rand_score([0, 0, 1, 1], [0, 0, 1, 2]) = 0.5714285714285715
    #expect(approximatelyEqual(adjustedRandIndex([0, 0, 1, 1], [0, 0, 1, 2]), 4.0 / 7.0))
  }
}
