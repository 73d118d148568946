import MatrixCore

/// Silhouette widths of a partition (Rousseeuw 1987), as R's `cluster::silhouette` and
/// scikit-learn's `silhouette_samples` define them, with Euclidean distances.
///
/// For unit *i* in cluster *A*: `a` is the mean distance to the other members of *A*, `b` the
/// smallest mean distance to the members of another cluster, and `s = (b − a)/max(a, b)`
/// (0 when `a = b`, and 0 for a unit alone in its cluster).
///
/// Exact up to ``maxExactUnits`` units (default 10,000); above that, a seeded random sample of
/// that many units is scored against each other, and ``Result/sampled`` says so.
/// - Complexity: O(*m² d / 2*) time for *m* scored units (each pair's distance computed once,
///   directly, so no cancellation, in a vectorised loop), O(*m k*) memory.
public struct Silhouette: Sendable {
  /// Units above which a random sample is scored (default 10,000).
  public var maxExactUnits: Int

  /// Creates a configuration.
  public init(maxExactUnits: Int = 10_000) { self.maxExactUnits = maxExactUnits }

  /// Silhouette widths and their averages.
  public struct Result: Sendable {
    /// Rows scored (all, or the sample, ascending).
    public let units: [Int]
    /// Width of each scored unit, in the order of ``units``.
    public let widths: [Double]
    /// Mean width over the scored units (R's `summary(...)$avg.width`).
    public let averageWidth: Double
    /// Mean width per cluster (`nil` for a cluster without scored units).
    public let clusterAverageWidths: [Double?]
    /// Whether a sample was scored instead of all units.
    public let sampled: Bool
  }

  /// Scores the partition `assignments` (`0..<k`) of the rows of `data`.
  ///
  /// - Throws: ``ClusteringError/invalidSetting(_:)`` with fewer than 2 clusters.
  public func evaluate(
    _ data: Matrix, assignments: [Int], using rng: inout some RandomNumberGenerator
  ) throws(ClusteringError) -> Result {
    precondition(assignments.count == data.rows, "silhouette: one label per row")
    let k = (assignments.max() ?? -1) + 1
    guard k >= 2 else {
      throw .invalidSetting("The silhouette needs at least 2 clusters.")
    }
    var units = Array(0..<data.rows)
    var sampled = false
    if data.rows > maxExactUnits {
      for i in 0..<maxExactUnits {
        let j = i + Int(rng.next() % UInt64(data.rows - i))
        units.swapAt(i, j)
      }
      units = Array(units[0..<maxExactUnits]).sorted()
      sampled = true
    }
    let m = units.count
    let d = data.columns
    // Scored units grouped by cluster (stable), column-major: distances to the members of a
    // cluster are a contiguous run, summed without scatter, and the loops vectorise.
    let labels = units.map { assignments[$0] }
    var counts = [Int](repeating: 0, count: k)
    for l in labels { counts[l] += 1 }
    var firstOf = [Int](repeating: 0, count: k + 1)
    for c in 0..<k { firstOf[c + 1] = firstOf[c] + counts[c] }
    var slot = firstOf
    var position = [Int](repeating: 0, count: m)
    for r in 0..<m {
      position[r] = slot[labels[r]]
      slot[labels[r]] += 1
    }
    var x = [Double](repeating: 0, count: m * d)
    for j in 0..<d { for r in 0..<m { x[position[r] + j * m] = data[units[r], j] } }
    // totals[c * m + p] = Σ distances from the unit at position p to the members of cluster
    // c. Each pair is computed once (distances are symmetric): the row of position p against
    // the later positions, added to p's totals per cluster and to the later units' totals
    // for p's cluster (contiguous runs, so the loops vectorise).
    var clusterAt = [Int](repeating: 0, count: m)
    for c in 0..<k { for p in firstOf[c]..<firstOf[c + 1] { clusterAt[p] = c } }
    var totals = [Double](repeating: 0, count: k * m)
    x.withUnsafeBufferPointer { xp in
      totals.withUnsafeMutableBufferPointer { tp in
        guard let base = xp.baseAddress, let out = tp.baseAddress else { return }
        let dist = UnsafeMutablePointer<Double>.allocate(capacity: max(m, 1))
        defer { dist.deallocate() }
        for p in 0..<m {
          let count = m - p - 1
          guard count > 0 else { continue }
          dist.update(repeating: 0, count: count)
          for c in 0..<d {
            let v = base[p + c * m]
            let column = base + c * m + p + 1
            for j in 0..<count {
              let t = column[j] - v
              dist[j] += t * t
            }
          }
          for j in 0..<count { dist[j] = dist[j].squareRoot() }
          for c in 0..<k {
            let lo = max(firstOf[c], p + 1)
            let hi = firstOf[c + 1]
            guard lo < hi else { continue }
            var s = 0.0
            for j in (lo - p - 1)..<(hi - p - 1) { s += dist[j] }
            out[c * m + p] += s
          }
          let own = out + clusterAt[p] * m + p + 1
          for j in 0..<count { own[j] += dist[j] }
        }
      }
    }
    var sums = [Double](repeating: 0, count: m * k)
    for r in 0..<m { for c in 0..<k { sums[r * k + c] = totals[c * m + position[r]] } }
    var widths = [Double](repeating: 0, count: m)
    for i in 0..<m {
      let own = labels[i]
      guard counts[own] > 1 else { continue }
      let a = sums[i * k + own] / Double(counts[own] - 1)
      var b = Double.infinity
      for c in 0..<k where c != own && counts[c] > 0 {
        b = min(b, sums[i * k + c] / Double(counts[c]))
      }
      widths[i] = a < b ? 1 - a / b : (a > b ? b / a - 1 : 0)
    }
    var clusterSum = [Double](repeating: 0, count: k)
    for r in 0..<m { clusterSum[labels[r]] += widths[r] }
    return Result(
      units: units, widths: widths, averageWidth: widths.reduce(0, +) / Double(m),
      clusterAverageWidths: (0..<k).map {
        counts[$0] > 0 ? clusterSum[$0] / Double(counts[$0]) : nil
      }, sampled: sampled)
  }
}
