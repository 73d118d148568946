import MatrixCore
import Testing
import _TestSupport

@testable import Clustering

@Suite("Hierarchical clustering and silhouette")
struct HierarchicalTests {
  init() { printBLASConfigurationOnce() }

  @Test(arguments: ["blobs", "iris"])
  func matchesHclust(dataset: String) throws {
    let x = try References.data(dataset)
    let heights = try References.rows("hclust.csv").filter { $0["dataset"] == dataset }
    for linkage in Hierarchical.Linkage.allCases {
      let rName = linkage == .ward ? "ward.D2" : linkage.rawValue
      let tree = try Hierarchical(linkage: linkage).fit(x)
      let expected = heights.filter { $0["linkage"] == rName }
        .sorted { Int($0["step"] ?? "") ?? 0 < Int($1["step"] ?? "") ?? 0 }
        .map { Double($0["height"] ?? "") ?? .nan }
      #expect(
        approximatelyEqual(tree.heights, expected, relativeTolerance: 1e-10),
        "\(dataset) \(rName) heights")
      for k in 2...6 {
        let theirs = try References.labels("hclust-labels.csv", column: "label") {
          $0["dataset"] == dataset && $0["linkage"] == rName && $0["k"] == "\(k)"
        }
        #expect(
          adjustedRandIndex(tree.cut(clusterCount: k), theirs) == 1, "\(dataset) \(rName) k=\(k)")
      }
    }
  }

  @Test(arguments: ["blobs", "iris"])
  func silhouetteMatchesClusterPackage(dataset: String) throws {
    let x = try References.data(dataset)
    let rows = try References.rows("silhouette.csv").filter { $0["dataset"] == dataset }
    for k in 2...6 {
      let labels = try References.labels("hclust-labels.csv", column: "label") {
        $0["dataset"] == dataset && $0["linkage"] == "ward.D2" && $0["k"] == "\(k)"
      }.map { $0 - 1 }
      let expected = rows.filter { $0["k"] == "\(k)" }
        .sorted { Int($0["row"] ?? "") ?? 0 < Int($1["row"] ?? "") ?? 0 }
        .map { Double($0["width"] ?? "") ?? .nan }
      var rng = SplitMix64(seed: 1)
      let s = try Silhouette().evaluate(x, assignments: labels, using: &rng)
      #expect(!s.sampled)
      #expect(
        approximatelyEqual(s.widths, expected, relativeTolerance: 1e-9, absoluteTolerance: 1e-12),
        "\(dataset) k=\(k): max difference \(zip(s.widths, expected).map { abs($0 - $1) }.max() ?? 0)"
      )
    }
  }

  /// The blocks of units are added in a fixed order: the same widths with any thread count.
  @Test func silhouetteDoesNotDependOnThreads() throws {
    let x = try References.data("iris")
    let labels = try Hierarchical().fit(x).cut(clusterCount: 5)
    var a = SplitMix64(seed: 3)
    var b = SplitMix64(seed: 3)
    let one = try Silhouette(threadCount: 1).evaluate(x, assignments: labels, using: &a)
    let two = try Silhouette(threadCount: 2).evaluate(x, assignments: labels, using: &b)
    #expect(one.widths == two.widths)
    #expect(one.averageWidth == two.averageWidth)
  }

  @Test func sampledSilhouetteIsStatedAndSeeded() throws {
    let x = try References.data("blobs")
    let labels = try Hierarchical().fit(x).cut(clusterCount: 4)
    var a = SplitMix64(seed: 2)
    var b = SplitMix64(seed: 2)
    let s1 = try Silhouette(maxExactUnits: 100).evaluate(x, assignments: labels, using: &a)
    let s2 = try Silhouette(maxExactUnits: 100).evaluate(x, assignments: labels, using: &b)
    #expect(s1.sampled && s1.units.count == 100)
    #expect(s1.widths == s2.widths)
  }

  @Test func cutByHeight() throws {
    let x = Matrix(rows: [[0, 0], [0, 1], [10, 0], [10, 1]])
    let tree = try Hierarchical(linkage: .complete).fit(x)
    #expect(tree.heights.count == 3)
    #expect(tree.cut(height: 1) == [0, 0, 1, 1])
    #expect(tree.cut(height: 0.5) == [0, 1, 2, 3])
  }
}
