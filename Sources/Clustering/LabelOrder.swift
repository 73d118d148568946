import MatrixCore

/// How clusters are numbered, so that the same data and seed give the same labels and
/// profiles can be matched across waves.
///
/// Clusters are sorted by ascending score of their centre: the centre's value on one
/// indicator, or its projection on the data's first principal component. The component's sign
/// is fixed so that its loadings sum to a positive number (for maturity indicators that all
/// point the same way, a higher label is then a more mature profile); ties in that sum fall
/// back to the largest loading being positive.
public enum LabelOrder: Sendable, Hashable, Codable {
  /// By the projection of the centres on the first principal component (default).
  case firstPrincipalComponent
  /// By the mean of one feature column (0-based index into the data's columns).
  case indicator(Int)

  /// The permutation `order` such that new label `l` is old cluster `order[l]`.
  ///
  /// - Parameters:
  ///   - centers: `k x d` cluster centres (rows are clusters).
  ///   - data: The `n x d` data the centres were fitted to (for the principal component).
  public func order(centers: Matrix, data: Matrix) -> [Int] {
    order(centers: centers, axis: nil, data: data)
  }

  /// ``order(centers:data:)`` with the first principal axis already known (`axis`, from
  /// ``firstPrincipalAxis(_:)``; `nil` computes it from `data`).
  func order(centers: Matrix, axis: [Double]?, data: Matrix) -> [Int] {
    let k = centers.rows
    var score = [Double](repeating: 0, count: k)
    switch self {
    case .indicator(let j):
      precondition(j >= 0 && j < centers.columns, "LabelOrder: indicator \(j) out of range")
      for c in 0..<k { score[c] = centers[c, j] }
    case .firstPrincipalComponent:
      let v = axis ?? LabelOrder.firstPrincipalAxis(data)
      for c in 0..<k {
        var s = 0.0
        for j in 0..<centers.columns { s += centers[c, j] * v[j] }
        score[c] = s
      }
    }
    return (0..<k).sorted { a, b in score[a] != score[b] ? score[a] < score[b] : a < b }
  }

  /// The first principal axis of `data` (unit length, sign fixed as described above).
  static func firstPrincipalAxis(_ data: Matrix) -> [Double] {
    let d = data.columns
    let n = data.rows
    guard d > 1, n > 1 else { return [Double](repeating: 1, count: d) }
    // The centred scatter, 8,192 rows at a time: each block is centred into a small buffer
    // (no copy of the whole data, whose fresh pages would cost more than the sums) and its
    // cross-product (dsyrk) added.
    var means = [Double](repeating: 0, count: d)
    data.withUnsafeBufferPointer { source in
      for j in 0..<d {
        let column = source.baseAddress! + j &* n
        var mean = 0.0
        for i in 0..<n { mean += column[i] }
        means[j] = mean / Double(n)
      }
    }
    let blockRows = 8192
    var scatter = Matrix(rows: d, columns: d)
    var start = 0
    while start < n {
      let rows = min(blockRows, n - start)
      var block = Matrix(rows: rows, columns: d)
      data.withUnsafeBufferPointer { source in
        block.withUnsafeMutableBufferPointer { target in
          for j in 0..<d {
            let column = source.baseAddress! + (j &* n &+ start)
            let out = target.baseAddress! + j &* rows
            let mean = means[j]
            for i in 0..<rows { out[i] = column[i] - mean }
          }
        }
      }
      scatter = scatter + block.crossProduct()
      start += rows
    }
    guard let eigen = try? SymmetricEigen(scatter) else {
      return [Double](repeating: 1, count: d)
    }
    // Eigenvalues ascending (LAPACK dsyevd order): the last column is the first axis.
    var largest = 0
    for j in 1..<d where eigen.values[j] > eigen.values[largest] { largest = j }
    var v = eigen.vectors.column(largest).elements
    let sum = v.reduce(0, +)
    var flip = sum < 0
    if abs(sum) <= 1e-12 {
      var big = 0
      for j in 1..<d where abs(v[j]) > abs(v[big]) { big = j }
      flip = v[big] < 0
    }
    if flip { v = v.map { -$0 } }
    return v
  }
}

extension Array where Element == Int {
  /// Relabels an assignment vector with the permutation `order` (new label `l` = old
  /// `order[l]`).
  func relabelled(by order: [Int]) -> [Int] {
    var inverse = [Int](repeating: 0, count: order.count)
    for (new, old) in order.enumerated() { inverse[old] = new }
    return map { $0 < 0 ? $0 : inverse[$0] }
  }
}
