/// The minimum-cost assignment of rows to distinct columns (the Hungarian method with
/// potentials, Kuhn 1955 and Munkres 1957, in the O(n²m) shortest-augmenting-path form).
///
/// ```swift
/// let columns = try OptimalAssignment.solve(cost: [[4, 1, 3], [2, 0, 5]])   // [1, 0]
/// ```
///
/// Every row gets exactly one column and no column is used twice, so there must be at least as
/// many columns as rows. Ties are broken by order (the lowest row and column indices first),
/// so the same matrix always gives the same assignment.
///
/// - Complexity: O(*n²m*) time and O(*n + m*) extra memory for *n* rows and *m* columns.
public enum OptimalAssignment {
  /// The column of each row in a minimum-cost assignment.
  ///
  /// - Parameter cost: `n x m` finite costs, `n ≤ m` (rows of equal length).
  /// - Throws: ``MentoringError/invalidCostMatrix(_:)`` when rows differ in length, there are
  ///   more rows than columns, or a cost is not finite.
  public static func solve(cost: [[Double]]) throws(MentoringError) -> [Int] {
    let n = cost.count
    guard n > 0 else { return [] }
    let m = cost[0].count
    guard cost.allSatisfy({ $0.count == m }) else {
      throw .invalidCostMatrix("rows have different lengths")
    }
    guard n <= m else {
      throw .invalidCostMatrix("\(n) rows but only \(m) columns: every row needs its own column")
    }
    guard cost.allSatisfy({ $0.allSatisfy(\.isFinite) }) else {
      throw .invalidCostMatrix("a cost is not finite")
    }
    // 1-based potentials u (rows), v (columns); p[j] = row matched to column j (0: none).
    var u = [Double](repeating: 0, count: n + 1)
    var v = [Double](repeating: 0, count: m + 1)
    var p = [Int](repeating: 0, count: m + 1)
    var way = [Int](repeating: 0, count: m + 1)
    for i in 1...n {
      p[0] = i
      var j0 = 0
      var minv = [Double](repeating: .infinity, count: m + 1)
      var used = [Bool](repeating: false, count: m + 1)
      repeat {
        used[j0] = true
        let i0 = p[j0]
        var delta = Double.infinity
        var j1 = 0
        for j in 1...m where !used[j] {
          let reduced = cost[i0 - 1][j - 1] - u[i0] - v[j]
          if reduced < minv[j] {
            minv[j] = reduced
            way[j] = j0
          }
          if minv[j] < delta {
            delta = minv[j]
            j1 = j
          }
        }
        for j in 0...m {
          if used[j] {
            u[p[j]] += delta
            v[j] -= delta
          } else {
            minv[j] -= delta
          }
        }
        j0 = j1
      } while p[j0] != 0
      repeat {
        let j1 = way[j0]
        p[j0] = p[j1]
        j0 = j1
      } while j0 != 0
    }
    var assignment = [Int](repeating: -1, count: n)
    for j in 1...m where p[j] > 0 { assignment[p[j] - 1] = j - 1 }
    return assignment
  }
}
