/// The adjusted Rand index of two partitions of the same units (Hubert and Arabie 1985):
/// 1 for identical partitions up to relabelling, about 0 for independent ones.
///
/// Labels are any integers; negative labels count as ordinary labels.
/// - Complexity: O(*n* + *k₁ k₂*).
/// Reference: R `mclust::adjustedRandIndex`, scikit-learn `adjusted_rand_score`.
public func adjustedRandIndex(_ a: [Int], _ b: [Int]) -> Double {
  precondition(a.count == b.count, "adjustedRandIndex: \(a.count) and \(b.count) labels")
  let n = a.count
  guard n > 1 else { return 1 }
  var codeA: [Int: Int] = [:]
  var codeB: [Int: Int] = [:]
  for v in a where codeA[v] == nil { codeA[v] = codeA.count }
  for v in b where codeB[v] == nil { codeB[v] = codeB.count }
  let ka = codeA.count
  let kb = codeB.count
  var table = [Double](repeating: 0, count: ka * kb)
  for i in 0..<n { table[(codeA[a[i]] ?? 0) * kb + (codeB[b[i]] ?? 0)] += 1 }
  func pairs(_ x: Double) -> Double { x * (x - 1) / 2 }
  var sumCells = 0.0
  for v in table { sumCells += pairs(v) }
  var sumA = 0.0
  for r in 0..<ka {
    var s = 0.0
    for c in 0..<kb { s += table[r * kb + c] }
    sumA += pairs(s)
  }
  var sumB = 0.0
  for c in 0..<kb {
    var s = 0.0
    for r in 0..<ka { s += table[r * kb + c] }
    sumB += pairs(s)
  }
  let expected = sumA * sumB / pairs(Double(n))
  let maximum = (sumA + sumB) / 2
  if maximum == expected { return 1 }
  return (sumCells - expected) / (maximum - expected)
}
