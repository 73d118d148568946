import MatrixCore

/// Agglomerative hierarchical clustering on Euclidean distances (R's `hclust`), with Ward's
/// method as R's `ward.D2`, complete and average (UPGMA) linkage.
///
/// ```swift
/// let tree = try Hierarchical(linkage: .ward).fit(features)
/// let labels = tree.cut(clusterCount: 4)
/// ```
///
/// Uses the nearest-neighbour chain algorithm with Lance-Williams updates (Ward on squared
/// distances; heights are their square roots, as `ward.D2`). Merges are reported in
/// increasing height, as R does.
/// - Complexity: O(*n²*) time and O(*n²*) memory: *n(n−1)/2* doubles, 1.6 GB at 20,000
///   units, the practical limit.
public struct Hierarchical: Sendable {
  /// How the distance between two clusters is defined.
  public enum Linkage: String, Sendable, Codable, CaseIterable {
    /// Ward's minimum variance method on Euclidean distances (R `ward.D2`).
    case ward
    /// Largest pairwise distance.
    case complete
    /// Mean pairwise distance (UPGMA).
    case average
  }

  /// The linkage (default Ward).
  public var linkage: Linkage
  /// Largest number of units accepted (default 20,000; memory grows with its square).
  public var maxUnits: Int

  /// Creates a configuration.
  public init(linkage: Linkage = .ward, maxUnits: Int = 20_000) {
    self.linkage = linkage
    self.maxUnits = maxUnits
  }

  /// A merge tree.
  public struct Tree: Sendable {
    /// Merges in increasing height: the two units' current groups, identified by the smallest
    /// unit index in each, and the height.
    public let merges: [(first: Int, second: Int, height: Double)]
    /// Number of units.
    public let unitCount: Int

    /// Merge heights, ascending (R's `height`).
    public var heights: [Double] { merges.map(\.height) }

    /// The partition into `k` clusters (labels `0..<k` in order of first appearance), R's
    /// `cutree(tree, k)` up to label names.
    public func cut(clusterCount k: Int) -> [Int] {
      precondition(k >= 1 && k <= unitCount, "cut: k must be in 1...\(unitCount)")
      return partition(afterMerges: unitCount - k)
    }

    /// The partition at height `h`: merges at or below `h` are applied.
    public func cut(height h: Double) -> [Int] {
      partition(afterMerges: merges.prefix { $0.height <= h }.count)
    }

    func partition(afterMerges count: Int) -> [Int] {
      var parent = Array(0..<unitCount)
      func find(_ a: Int) -> Int {
        var a = a
        while parent[a] != a {
          parent[a] = parent[parent[a]]
          a = parent[a]
        }
        return a
      }
      for s in 0..<count {
        let a = find(merges[s].first)
        let b = find(merges[s].second)
        if a != b { parent[max(a, b)] = min(a, b) }
      }
      var code: [Int: Int] = [:]
      return (0..<unitCount).map { i in
        let r = find(i)
        if let c = code[r] { return c }
        code[r] = code.count
        return code.count - 1
      }
    }
  }

  /// Builds the merge tree of the rows of `data`.
  ///
  /// - Throws: ``ClusteringError/tooFewRows(rows:needed:context:)`` for fewer than 2 rows,
  ///   ``ClusteringError/invalidSetting(_:)`` above ``maxUnits``.
  public func fit(_ data: Matrix) throws(ClusteringError) -> Tree {
    let n = data.rows
    guard n >= 2 else {
      throw .tooFewRows(rows: n, needed: 2, context: "Hierarchical clustering")
    }
    guard n <= maxUnits else {
      throw .invalidSetting(
        "Hierarchical clustering keeps n(n-1)/2 distances in memory; \(n) units exceed the "
          + "limit of \(maxUnits). Use k-means or a Gaussian mixture, or raise maxUnits.")
    }
    try checkFinite(data)
    let d = data.columns
    func index(_ i: Int, _ j: Int) -> Int {
      let (a, b) = i < j ? (i, j) : (j, i)
      return a * n - a * (a + 1) / 2 + b - a - 1
    }
    var dist = [Double](repeating: 0, count: n * (n - 1) / 2)
    data.withUnsafeBufferPointer { x in
      for i in 0..<n {
        for j in (i + 1)..<n {
          var s = 0.0
          for c in 0..<d {
            let t = x[i + c * n] - x[j + c * n]
            s += t * t
          }
          dist[index(i, j)] = linkage == .ward ? s : s.squareRoot()
        }
      }
    }
    var size = [Int](repeating: 1, count: n)
    var active = [Bool](repeating: true, count: n)
    var chain: [Int] = []
    var merges: [(first: Int, second: Int, height: Double)] = []
    merges.reserveCapacity(n - 1)
    while merges.count < n - 1 {
      if chain.isEmpty, let first = active.firstIndex(of: true) { chain.append(first) }
      let a = chain[chain.count - 1]
      let previous = chain.count >= 2 ? chain[chain.count - 2] : -1
      var b = previous
      var best = previous >= 0 ? dist[index(a, previous)] : Double.infinity
      for c in 0..<n where active[c] && c != a {
        let v = dist[index(a, c)]
        if v < best {
          best = v
          b = c
        }
      }
      if b == previous {
        chain.removeLast(2)
        let (i, j) = (min(a, b), max(a, b))
        let ni = Double(size[i])
        let nj = Double(size[j])
        for c in 0..<n where active[c] && c != i && c != j {
          let dic = dist[index(i, c)]
          let djc = dist[index(j, c)]
          let nc = Double(size[c])
          let updated: Double
          switch linkage {
          case .ward: updated = ((ni + nc) * dic + (nj + nc) * djc - nc * best) / (ni + nj + nc)
          case .complete: updated = max(dic, djc)
          case .average: updated = (ni * dic + nj * djc) / (ni + nj)
          }
          dist[index(i, c)] = updated
        }
        active[j] = false
        size[i] += size[j]
        merges.append((i, j, linkage == .ward ? max(best, 0).squareRoot() : best))
      } else {
        chain.append(b)
      }
    }
    // Increasing height (stable), as R reports them.
    let order = merges.indices.sorted { a, b in
      merges[a].height != merges[b].height ? merges[a].height < merges[b].height : a < b
    }
    return Tree(merges: order.map { merges[$0] }, unitCount: n)
  }
}
