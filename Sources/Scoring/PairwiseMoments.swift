import MatrixCore

/// Everything the alpha family needs from the raw answers, gathered in one pass over the
/// rows: pairwise-complete covariances (R's `cov(x, use = "pairwise")`), pairwise
/// correlations (R's `cor(x, use = "pairwise")`, each pair with its own means *and* standard
/// deviations, which `psych::omega` uses), each item's count, mean and variance, the total
/// score (mean of the answered items) with its mean and variance, and each item's correlation
/// with the total score over the rows where the item was answered.
///
/// The columns are first centred by their means (one pass for the means), so that the
/// sums-of-products formulas lose no accuracy. Rows that answered every item (the usual case)
/// update one set of dense accumulators; only rows with gaps pay for per-pair bookkeeping.
/// Nothing of size *n* is allocated: the data are read twice, in place.
///
/// - Complexity: O(*n k²*) time for *n* rows and *k* columns, O(*k²*) memory.
struct PairwiseMoments {
  /// Number of columns.
  let k: Int
  /// Per column: answers and their mean and sample variance (all available answers), and
  /// whether all answers are equal (zero variance, decided exactly from the extremes).
  let itemCount: [Int]
  let isConstant: [Bool]
  let itemMean: [Double]
  let itemVariance: [Double]
  /// `k x k`: rows where both columns are present.
  let pairCounts: Matrix
  /// Pairwise-complete covariances (`NaN` for fewer than two shared rows).
  let covariance: Matrix
  /// Pearson correlations over each pair's complete rows.
  let correlation: Matrix
  /// Respondents with at least one answer, and the mean and sample variance of their total
  /// scores (mean of the answered items).
  let scoreCount: Int
  let scoreMean: Double
  let scoreVariance: Double
  /// Per column: the correlation of the item with the total score, over the rows where the
  /// item was answered (psych's raw r with pairwise deletion).
  let itemScoreCorrelation: [Double]

  /// - Parameter x: `n x k`, `NaN` for a missing answer.
  init(_ x: Matrix) {
    let n = x.rows
    let k = x.columns
    self.k = k
    // Pass 1: column means, for centring, and extremes.
    var shift = [Double](repeating: 0, count: k)
    var isConstant = [Bool](repeating: true, count: k)
    x.withUnsafeBufferPointer { p in
      for j in 0..<k {
        var s = 0.0
        var c = 0
        var lo = Double.infinity
        var hi = -Double.infinity
        for i in (j * n)..<((j + 1) * n) where !p[i].isNaN {
          s += p[i]
          c += 1
          lo = Swift.min(lo, p[i])
          hi = Swift.max(hi, p[i])
        }
        shift[j] = c > 0 ? s / Double(c) : 0
        isConstant[j] = !(lo < hi)
      }
    }
    self.isConstant = isConstant
    let answeredShift = shift.reduce(0, +) / Double(Swift.max(k, 1))
    let kk = k * k
    // Complete rows: n, Σz_a, Σz_a·z_b (upper triangle), Σt, Σt², Σz_a·t, where z is the
    // centred answer and t the centred total score.
    var completeRows = 0.0
    var cSum = [Double](repeating: 0, count: k)
    var cProducts = [Double](repeating: 0, count: kk)
    var cT = 0.0
    var cTT = 0.0
    var cZT = [Double](repeating: 0, count: k)
    // Rows with gaps: per pair (a, b): count, Σz_a, Σz_a², Σz_a·z_b; per item: Σt, Σt²,
    // Σz_a·t over the rows where a is present.
    var gCount = [Double](repeating: 0, count: kk)
    var gSum = [Double](repeating: 0, count: kk)
    var gSquares = [Double](repeating: 0, count: kk)
    var gProducts = [Double](repeating: 0, count: kk)
    var gT = [Double](repeating: 0, count: k)
    var gTT = [Double](repeating: 0, count: k)
    var gZT = [Double](repeating: 0, count: k)
    // Total scores of all answering rows.
    var scoreCount = 0
    var tSum = 0.0
    var tSquares = 0.0
    var z = [Double](repeating: 0, count: k)
    var present = [Int](repeating: 0, count: k)
    x.withUnsafeBufferPointer { p in
      shift.withUnsafeBufferPointer { shift in
        z.withUnsafeMutableBufferPointer { z in
          present.withUnsafeMutableBufferPointer { present in
            cSum.withUnsafeMutableBufferPointer { cSum in
              cProducts.withUnsafeMutableBufferPointer { cProducts in
                cZT.withUnsafeMutableBufferPointer { cZT in
                  for i in 0..<n {
                    var m = 0
                    var total = 0.0
                    for a in 0..<k {
                      let v = p[a &* n &+ i]
                      if !v.isNaN {
                        let d = v - shift[a]
                        z[a] = d
                        present[m] = a
                        m &+= 1
                        total += v
                      }
                    }
                    guard m > 0 else { continue }
                    let t = total / Double(m) - answeredShift
                    scoreCount &+= 1
                    tSum += t
                    tSquares += t * t
                    if m == k {
                      completeRows += 1
                      cT += t
                      cTT += t * t
                      for a in 0..<k {
                        let za = z[a]
                        cSum[a] += za
                        cZT[a] += za * t
                        let row = a &* k
                        for b in a..<k { cProducts[row &+ b] += za * z[b] }
                      }
                    } else {
                      for u in 0..<m {
                        let a = present[u]
                        let za = z[a]
                        gT[a] += t
                        gTT[a] += t * t
                        gZT[a] += za * t
                        let row = a &* k
                        for w in 0..<m {
                          let b = present[w]
                          gCount[row &+ b] += 1
                          gSum[row &+ b] += za
                          gSquares[row &+ b] += za * za
                          gProducts[row &+ b] += za * z[b]
                        }
                      }
                    }
                  }
                }
              }
            }
          }
        }
      }
    }
    // Combine: complete rows count for every pair.
    var counts = Matrix(rows: k, columns: k)
    var cov = Matrix(rows: k, columns: k)
    var cor = Matrix(rows: k, columns: k)
    for a in 0..<k {
      for b in 0..<k {
        let ab = a * k + b
        let m = completeRows + gCount[ab]
        let sa = cSum[a] + gSum[ab]
        let sb = cSum[b] + gSum[b * k + a]
        let saa = cProducts[a * k + a] + gSquares[ab]
        let sbb = cProducts[b * k + b] + gSquares[b * k + a]
        let sab = cProducts[Swift.min(a, b) * k + Swift.max(a, b)] + gProducts[ab]
        counts[a, b] = m
        let cross = sab - sa * sb / m
        cov[a, b] = m > 1 ? cross / (m - 1) : .nan
        cor[a, b] = a == b ? 1 : cross / ((saa - sa * sa / m) * (sbb - sb * sb / m)).squareRoot()
      }
    }
    var itemCount = [Int](repeating: 0, count: k)
    var itemMean = [Double](repeating: .nan, count: k)
    var itemVariance = [Double](repeating: .nan, count: k)
    var itemScore = [Double](repeating: .nan, count: k)
    for a in 0..<k {
      let m = counts[a, a]
      itemCount[a] = Int(m)
      guard m > 0 else { continue }
      let sa = cSum[a] + gSum[a * k + a]
      let saa = cProducts[a * k + a] + gSquares[a * k + a]
      itemMean[a] = shift[a] + sa / m
      itemVariance[a] = m > 1 ? Swift.max(0, saa - sa * sa / m) / (m - 1) : .nan
      let st = cT + gT[a]
      let stt = cTT + gTT[a]
      let szt = cZT[a] + gZT[a]
      itemScore[a] = (szt - sa * st / m) / ((saa - sa * sa / m) * (stt - st * st / m)).squareRoot()
    }
    self.itemCount = itemCount
    self.itemMean = itemMean
    self.itemVariance = itemVariance
    self.itemScoreCorrelation = itemScore
    self.pairCounts = counts
    self.covariance = cov
    self.correlation = cor
    self.scoreCount = scoreCount
    let c = Double(scoreCount)
    self.scoreMean = scoreCount > 0 ? answeredShift + tSum / c : .nan
    self.scoreVariance = scoreCount > 1 ? Swift.max(0, tSquares - tSum * tSum / c) / (c - 1) : .nan
  }
}
