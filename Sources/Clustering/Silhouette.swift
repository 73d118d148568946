import MatrixCore
internal import _CKernels

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
///   directly, so no cancellation, four pairs per vector: `la_silhouette_sums`), O(*m k*)
///   memory per block of units (8 blocks of about equal work, spread over ``threadCount``
///   threads and added in block order, so the widths do not depend on the thread count).
public struct Silhouette: Sendable {
  /// Units above which a random sample is scored (default 10,000).
  public var maxExactUnits: Int
  /// Threads over which the blocks of units are spread (default 1); results do not depend on
  /// it.
  public var threadCount: Int

  /// Creates a configuration.
  public init(maxExactUnits: Int = 10_000, threadCount: Int = 1) {
    self.maxExactUnits = maxExactUnits
    self.threadCount = threadCount
  }

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
    // for p's cluster (contiguous runs: la_silhouette_sums, four pairs per vector).
    var clusterAt = [Int](repeating: 0, count: m)
    for c in 0..<k { for p in firstOf[c]..<firstOf[c + 1] { clusterAt[p] = c } }
    // Positions in blocks of about equal work (position p has m − p − 1 pairs), each block's
    // sums in its own buffer, the buffers added in block order.
    let blockCount = 8
    var blockStarts = [0]
    let pairs = Double(m) * Double(m - 1) / 2
    var done = 0.0
    for p in 0..<m {
      if blockStarts.count < blockCount
        && done >= pairs * Double(blockStarts.count) / Double(blockCount)
      {
        blockStarts.append(p)
      }
      done += Double(m - p - 1)
    }
    while blockStarts.count < blockCount { blockStarts.append(m) }
    blockStarts.append(m)
    let bounds = blockStarts
    let columns = x
    let first = firstOf
    let clusters = clusterAt
    let blocks = parallelMap(blockCount, threads: max(1, threadCount)) { b -> [Double] in
      var buffer = [Double](repeating: 0, count: k * m)
      guard bounds[b] < bounds[b + 1] else { return buffer }
      columns.withUnsafeBufferPointer { xp in
        first.withUnsafeBufferPointer { fp in
          clusters.withUnsafeBufferPointer { cp in
            cp.withMemoryRebound(to: Int64.self) { c64 in
              buffer.withUnsafeMutableBufferPointer { tp in
                la_silhouette_sums(
                  xp.baseAddress!, m, d, fp.baseAddress!, k, c64.baseAddress!, bounds[b],
                  bounds[b + 1], tp.baseAddress!)
              }
            }
          }
        }
      }
      return buffer
    }
    var totals = [Double](repeating: 0, count: k * m)
    for block in blocks { for i in 0..<(k * m) { totals[i] += block[i] } }
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
