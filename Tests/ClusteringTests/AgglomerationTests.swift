import MatrixCore
import Testing

@testable import Clustering

/// The agglomeration's cached costs and nearest groups against a plain search of every live
/// pair at every step, on data full of duplicated rows (ties broken by mclust's slot order).
@Suite("Model-based agglomeration") struct AgglomerationTests {
  /// mclust's rule applied directly: at each step every live pair's cost (computed by the same
  /// kernel, with the group recomputed last as the fixed one, as the engine stores it), the
  /// lowest cost and, among equal costs, the larger upper slot, then the larger lower slot.
  static func plainMerges(_ z: Matrix) -> [[Int]] {
    let n = z.rows
    let d = z.columns
    var state = AgglomerationState(dimension: d, alpha: AgglomerationState.alpha(z))
    for i in 0..<n { state.add(points: [z.row(i).elements]) }
    var stamp = [Int](repeating: 0, count: n)
    var position = Array(0..<n)
    var occupant = Array(0..<n)
    var live = Array(0..<n)
    var merges: [[Int]] = []
    var costs = [Double](repeating: 0, count: 1)
    var step = 0
    while live.count > 1 {
      var best: (cost: Double, hi: Int, lo: Int, a: Int, b: Int)? = nil
      for a in live {
        for b in live where b > a {
          let (fixed, other) =
            stamp[a] > stamp[b] || (stamp[a] == stamp[b] && a > b) ? (a, b) : (b, a)
          [other].withUnsafeBufferPointer { state.mergeCosts(fixed, $0, into: &costs) }
          let hi = max(position[a], position[b])
          let lo = min(position[a], position[b])
          if let current = best {
            if costs[0] < current.cost
              || (costs[0] == current.cost
                && (hi > current.hi || (hi == current.hi && lo > current.lo)))
            {
              best = (costs[0], hi, lo, a, b)
            }
          } else {
            best = (costs[0], hi, lo, a, b)
          }
        }
      }
      guard let pair = best else { break }
      let (i, j) = position[pair.a] < position[pair.b] ? (pair.a, pair.b) : (pair.b, pair.a)
      merges.append([i, j])
      state.merge(i, j)
      live.removeAll { $0 == j }
      let last = occupant[live.count]
      if last != j {
        position[last] = position[j]
        occupant[position[j]] = last
      }
      step += 1
      stamp[i] = step
    }
    return merges
  }

  @Test(arguments: [1, 2]) func cachedSearchEqualsPlainSearch(threads: Int) {
    // 90 rows on a coarse grid in three dimensions: many duplicated rows and equal costs.
    var state: UInt64 = 11
    let values = (0..<270).map { _ -> Double in
      state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      return Double((state >> 33) % 4) * 0.5
    }
    let z = Matrix(rows: 90, columns: 3) { i, j in
      values[i * 3 + j] + (j == 2 ? 0.1 * Double(i % 7) : 0)
    }
    let tree = ModelBasedAgglomeration(z, minimumGroups: 1, threads: threads)
    #expect(tree.merges.map { [$0.0, $0.1] } == Self.plainMerges(z))
  }

  /// The initial costs of single units by la_vvv_singleton_costs are the general
  /// kernel's, bit for bit, with duplicated rows, any dimension from 2 and 1 or 2 threads.
  @Test(arguments: [(2, 1), (3, 2), (8, 1), (8, 2), (11, 2)])
  func singletonCostsEqualGeneralCosts(dimension d: Int, threads: Int) {
    let n = 203
    var seed: UInt64 = 5
    let z = Matrix(rows: n, columns: d) { i, _ in
      seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      // Every seventh row repeats the one before it.
      return i % 7 == 6 ? .nan : Double(Int64(seed >> 11)) / Double(1 << 53) * 3 - 1
    }
    var rows = (0..<n).map { z.row($0).elements }
    for i in 0..<n where i % 7 == 6 { rows[i] = rows[i - 1] }
    var state = AgglomerationState(dimension: d, alpha: 0.37)
    for row in rows { state.add(points: [row]) }
    var general = [Double](repeating: .infinity, count: n * n)
    ModelBasedAgglomeration.pairCosts(of: state, into: &general, workers: threads)
    var singleton = [Double](repeating: .infinity, count: n * n)
    ModelBasedAgglomeration.singletonPairCosts(of: state, into: &singleton, workers: threads)
    #expect(general.map(\.bitPattern) == singleton.map(\.bitPattern))
  }

  /// With two threads a helper computes half of each large step's costs: the same merges as
  /// one thread, on data with duplicated rows (ties) and more groups than the sharing needs.
  @Test func helperThreadGivesTheSameMerges() {
    var seed: UInt64 = 17
    let z = Matrix(rows: 500, columns: 4) { i, j in
      seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      let coarse = Double((seed >> 33) % 5) * 0.25
      return i % 3 == 0 ? coarse : coarse + Double(i % 11) * 0.01 + Double(j)
    }
    #expect(StepHelper.minimumPartners * 2 < z.rows)
    let one = ModelBasedAgglomeration(z, minimumGroups: 1, threads: 1)
    let two = ModelBasedAgglomeration(z, minimumGroups: 1, threads: 2)
    #expect(one.merges.map { [$0.0, $0.1] } == two.merges.map { [$0.0, $0.1] })
    #expect(one.merges.count == z.rows - 1)
  }
}
