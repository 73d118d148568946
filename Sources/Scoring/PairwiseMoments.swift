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
  /// The smallest and largest answer a reversal reflects between (given, or observed over
  /// the used columns).
  let bounds: (minimum: Double, maximum: Double)
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

  /// The sums the statistics are made of, filled by one of the two passes below.
  private struct Sums {
    // Complete rows: n, Σz_a, Σz_a·z_b (upper triangle), Σt, Σt², Σz_a·t, where z is the
    // centred answer and t the centred total score.
    var completeRows = 0.0
    var cSum: [Double]
    var cProducts: [Double]
    var cT = 0.0
    var cTT = 0.0
    var cZT: [Double]
    // Rows with gaps: per pair (a, b): count, Σz_a, Σz_a², Σz_a·z_b; per item: Σt, Σt²,
    // Σz_a·t over the rows where a is present.
    var gCount: [Double]
    var gSum: [Double]
    var gSquares: [Double]
    var gProducts: [Double]
    var gT: [Double]
    var gTT: [Double]
    var gZT: [Double]
    // Total scores of all answering rows.
    var scoreCount = 0.0
    var tSum = 0.0
    var tSquares = 0.0

    init(k: Int) {
      cSum = [Double](repeating: 0, count: k)
      cProducts = [Double](repeating: 0, count: k * k)
      cZT = cSum
      gCount = cProducts
      gSum = cProducts
      gSquares = cProducts
      gProducts = cProducts
      gT = cSum
      gTT = cSum
      gZT = cSum
    }

    /// Adds `weight` identical rows whose `m` present items are `present[0..<m]`, with centred
    /// answers `z` and centred total score `t`.
    @inline(__always)
    mutating func add(
      weight w: Double, z: UnsafeMutableBufferPointer<Double>,
      present: UnsafeMutableBufferPointer<Int>, m: Int, k: Int, t: Double
    ) {
      scoreCount += w
      tSum += w * t
      tSquares += w * t * t
      if m == k {
        completeRows += w
        cT += w * t
        cTT += w * t * t
        cSum.withUnsafeMutableBufferPointer { cSum in
          cProducts.withUnsafeMutableBufferPointer { cProducts in
            cZT.withUnsafeMutableBufferPointer { cZT in
              for a in 0..<k {
                let za = z[a]
                let wza = w * za
                cSum[a] += wza
                cZT[a] += wza * t
                let row = a &* k
                for b in a..<k { cProducts[row &+ b] += wza * z[b] }
              }
            }
          }
        }
      } else {
        for u in 0..<m {
          let a = present[u]
          let za = z[a]
          let wza = w * za
          gT[a] += w * t
          gTT[a] += w * t * t
          gZT[a] += wza * t
          let row = a &* k
          for v in 0..<m {
            let b = present[v]
            gCount[row &+ b] += w
            gSum[row &+ b] += wza
            gSquares[row &+ b] += wza * za
            gProducts[row &+ b] += wza * z[b]
          }
        }
      }
    }
  }

  /// 1.5·2⁵²: adding it to a whole number below 2⁵¹ in magnitude puts that number in the low
  /// bits of the sum's representation.
  static let magic = 6_755_399_441_055_744.0
  static let magicBits = Int(truncatingIfNeeded: magic.bitPattern)

  /// The extremes of the answers `p[start..<start + count]` (gaps skipped), and whether all
  /// are whole numbers; eight lanes at a time.
  static func summarize(_ p: UnsafeBufferPointer<Double>, from start: Int, count n: Int) -> (
    low: Double, high: Double, integral: Bool
  ) {
    typealias Lanes = SIMD8<Double>
    var low = Lanes(repeating: .infinity)
    var high = Lanes(repeating: -.infinity)
    var fractional = SIMDMask<SIMD8<Int64>>()
    let magic = Lanes(repeating: Self.magic)
    let lanes = n / 8
    if let base = p.baseAddress {
      let raw = UnsafeRawPointer(base + start)
      for c in 0..<lanes {
        let v = raw.loadUnaligned(fromByteOffset: c &* 64, as: Lanes.self)
        low.replace(with: v, where: v .< low)  // comparisons are false for a gap (NaN)
        high.replace(with: v, where: v .> high)
        // v is whole when rounding it to a whole number leaves it unchanged (NaN: unequal).
        fractional .|= (v .== v) .& ((v + magic) - magic .!= v)
      }
    }
    var lo = low.min()
    var hi = high.max()
    var integral = !any(fractional)
    for i in (start + lanes * 8)..<(start + n) where !p[i].isNaN {
      let v = p[i]
      lo = Swift.min(lo, v)
      hi = Swift.max(hi, v)
      integral = integral && ((v + Self.magic) - Self.magic == v)
    }
    return (lo, hi, integral)
  }

  /// The mean of the answers `p[start..<start + count]` (gaps skipped; 0 without answers).
  static func mean(_ p: UnsafeBufferPointer<Double>, from start: Int, count n: Int) -> Double {
    typealias Lanes = SIMD8<Double>
    var count = Lanes()
    var sum = Lanes()
    let lanes = n / 8
    if let base = p.baseAddress {
      let raw = UnsafeRawPointer(base + start)
      for c in 0..<lanes {
        let v = raw.loadUnaligned(fromByteOffset: c &* 64, as: Lanes.self)
        let answered = v .== v
        count += Lanes().replacing(with: 1, where: answered)
        sum += Lanes().replacing(with: v, where: answered)
      }
    }
    var c = count.sum()
    var s = sum.sum()
    for i in (start + lanes * 8)..<(start + n) where !p[i].isNaN {
      c += 1
      s += p[i]
    }
    return c > 0 ? s / c : 0
  }

  /// Counts the rows of `columns` per answer pattern into `counts` (a code per column: 0 for
  /// a gap, 1 + v − `low[j]` for an answer, combined with radixes `radix`), and returns every
  /// column's extremes and whether all answers are whole numbers, in the same read. Answers
  /// outside the codes' range give wrong (clamped) pattern numbers: the caller checks the
  /// extremes before using the counts.
  static func countPatterns(
    _ p: UnsafeBufferPointer<Double>, columns: [Int], rows n: Int, low: [Double], radix: [Int],
    into counts: UnsafeMutableBufferPointer<UInt32>
  ) -> (low: [Double], high: [Double], integral: Bool) {
    typealias Lanes = SIMD8<Double>
    typealias Codes = SIMD8<Int64>
    let k = columns.count
    var place = [Int](repeating: 1, count: k)
    for j in 1..<Swift.max(k, 1) { place[j] = place[j - 1] * radix[j - 1] }
    var lows = [Lanes](repeating: Lanes(repeating: .infinity), count: k)
    var highs = [Lanes](repeating: Lanes(repeating: -.infinity), count: k)
    var tailLow = [Double](repeating: .infinity, count: k)
    var tailHigh = [Double](repeating: -.infinity, count: k)
    var whole = true
    var fractional = SIMDMask<Codes>()
    let magic = Lanes(repeating: Self.magic)
    let magicBits = Codes(repeating: Int64(Self.magicBits))
    let last = counts.count - 1
    let block = 2048
    let index = UnsafeMutableBufferPointer<Int64>.allocate(capacity: block)
    defer { index.deallocate() }
    guard let data = p.baseAddress, let slots = index.baseAddress, last >= 0 else {
      return (tailLow, tailHigh, true)
    }
    var start = 0
    while start < n {
      let width = Swift.min(n - start, block)
      let lanes = width / 8
      for i in 0..<width { slots[i] = 0 }
      for j in 0..<k {
        let column = data + columns[j] * n + start
        let raw = UnsafeRawPointer(column)
        let scale = Double(place[j])
        // code·place = (v − low + 1)·place for an answer, 0 for a gap (a gap counts as
        // low − 1); the sum is a small whole number, read off the bits of sum + 1.5·2⁵².
        let bias = (1 - low[j]) * scale + Self.magic
        let gap = low[j] - 1
        let (scale8, bias8, gap8) = (Lanes(repeating: scale), Lanes(repeating: bias), Lanes(repeating: gap))
        var lo = lows[j]
        var hi = highs[j]
        let out = UnsafeMutableRawPointer(slots)
        for c in 0..<lanes {
          let at = c &* 64
          let v = raw.loadUnaligned(fromByteOffset: at, as: Lanes.self)
          lo.replace(with: v, where: v .< lo)  // comparisons are false for a gap (NaN)
          hi.replace(with: v, where: v .> hi)
          let answered = v .== v
          fractional .|= answered .& ((v + magic) - magic .!= v)
          let w = gap8.replacing(with: v, where: answered)
          let code = unsafeBitCast(w * scale8 + bias8, to: Codes.self) &- magicBits
          let sum = out.loadUnaligned(fromByteOffset: at, as: Codes.self) &+ code
          out.storeBytes(of: sum, toByteOffset: at, as: Codes.self)
        }
        lows[j] = lo
        highs[j] = hi
        for i in (lanes * 8)..<width {
          let v = column[i]
          if !v.isNaN {
            tailLow[j] = Swift.min(tailLow[j], v)
            tailHigh[j] = Swift.max(tailHigh[j], v)
            whole = whole && (v + Self.magic) - Self.magic == v
          }
          let w = v.isNaN ? gap : v
          slots[i] &+= Int64(truncatingIfNeeded: (w * scale + bias).bitPattern) &- Int64(Self.magicBits)
        }
      }
      for i in 0..<width {
        counts[Swift.min(Swift.max(Int(truncatingIfNeeded: slots[i]), 0), last)] &+= 1
      }
      start += width
    }
    let low = (0..<k).map { Swift.min(lows[$0].min(), tailLow[$0]) }
    let high = (0..<k).map { Swift.max(highs[$0].max(), tailHigh[$0]) }
    return (low, high, whole && !any(fractional))
  }

  /// The largest number of distinct answer patterns counted in one table.
  static let maximumPatterns = 1 << 20

  /// - Parameters:
  ///   - x: `n x K`, `NaN` for a missing answer.
  ///   - columns: the columns of `x` to use, in order (all by default); nothing is copied.
  ///   - reflected: per used column, whether it is reverse-keyed: its answers `v` become
  ///     `min + max − v` (psych's reversal), with `min` and `max` the given bounds or else the
  ///     smallest and largest answer over the used columns.
  ///   - usePatternCounts: allows the pattern-count pass (tests turn it off to compare).
  init(
    _ x: Matrix, columns: [Int]? = nil, reflected: [Bool]? = nil, minimum: Double? = nil,
    maximum: Double? = nil, usePatternCounts: Bool = true
  ) {
    let n = x.rows
    let columns = columns ?? Array(0..<x.columns)
    let k = columns.count
    self.k = k
    let reflected = reflected ?? [Bool](repeating: false, count: k)
    // Extremes of each column, whether all answers are whole numbers, and, when they are
    // small whole numbers, the count of rows per answer pattern: each answer is coded 0
    // (missing) or 1 + v − low, the codes combine into one pattern number. The codes' lows
    // are guessed from the first rows, so that one read of the answers counts the patterns
    // and gathers the extremes; if a later answer falls outside the guess (or is not whole)
    // the count is repeated with the true extremes, or rows are accumulated one by one.
    var rawLow = [Double](repeating: .infinity, count: k)
    var rawHigh = [Double](repeating: -.infinity, count: k)
    var integral = true
    var codeLow = [Double](repeating: 0, count: k)
    var radix = [Int](repeating: 1, count: k)
    var patterns = 1
    var patternCounts: [UInt32] = []
    var countable = false
    func plan(_ lo: [Double], _ hi: [Double], _ whole: Bool) -> (radix: [Int], patterns: Int)? {
      guard usePatternCounts && whole && n < Int(UInt32.max) && k > 0 else { return nil }
      var radix = [Int](repeating: 1, count: k)
      var patterns = 1
      for j in 0..<k {
        let span = lo[j] <= hi[j] ? hi[j] - lo[j] : 0
        guard span < 64 else { return nil }
        radix[j] = Int(span) + 2
        patterns = patterns.multipliedReportingOverflow(by: radix[j]).partialValue
        if patterns > Self.maximumPatterns || patterns > Swift.max(4096, 2 * n) { return nil }
      }
      return (radix, patterns)
    }
    x.withUnsafeBufferPointer { p in
      let sample = columns.map { Self.summarize(p, from: $0 * n, count: Swift.min(n, 4096)) }
      let guessLow = sample.map { $0.low <= $0.high ? $0.low : 0 }  // 0: no answers yet
      var counted = false
      if let guess = plan(
        guessLow, sample.map { $0.low <= $0.high ? $0.high : 0 },
        sample.allSatisfy(\.integral))
      {
        var c = [UInt32](repeating: 0, count: guess.patterns)
        let seen = c.withUnsafeMutableBufferPointer {
          Self.countPatterns(p, columns: columns, rows: n, low: guessLow, radix: guess.radix, into: $0)
        }
        (rawLow, rawHigh, integral) = seen
        var fits = integral
        for j in 0..<k where rawLow[j] <= rawHigh[j] {
          let top: Double = guessLow[j] + Double(guess.radix[j] - 2)
          if rawLow[j] < guessLow[j] || rawHigh[j] > top { fits = false }
        }
        if fits {
          (patternCounts, radix, patterns, codeLow, counted) = (
            c, guess.radix, guess.patterns, guessLow, true
          )
        }
      } else {
        for (j, column) in columns.enumerated() {
          let summary = Self.summarize(p, from: column * n, count: n)
          rawLow[j] = summary.low
          rawHigh[j] = summary.high
          integral = integral && summary.integral
        }
      }
      if !counted, let exact = plan(rawLow, rawHigh, integral) {
        let low = (0..<k).map { rawLow[$0] <= rawHigh[$0] ? rawLow[$0] : 0 }
        var c = [UInt32](repeating: 0, count: exact.patterns)
        _ = c.withUnsafeMutableBufferPointer {
          Self.countPatterns(p, columns: columns, rows: n, low: low, radix: exact.radix, into: $0)
        }
        (patternCounts, radix, patterns, codeLow, counted) = (
          c, exact.radix, exact.patterns, low, true
        )
      }
      countable = counted
    }
    // Reversal: v -> reflection - v.
    let low = minimum ?? rawLow.min() ?? 0
    let high = maximum ?? rawHigh.max() ?? 0
    let reflection = low + high
    self.bounds = (low, high)
    let sign = reflected.map { $0 ? -1.0 : 1.0 }
    let offset = reflected.map { $0 ? reflection : 0.0 }
    var isConstant = [Bool](repeating: true, count: k)
    for j in 0..<k { isConstant[j] = !(rawLow[j] < rawHigh[j]) }
    self.isConstant = isConstant
    // Columns are centred by their (reversed) means: the shifts, and the mean shift that
    // centres the total score.
    func shifts(_ rawMean: [Double]) -> ([Double], Double) {
      let shift = (0..<k).map { j in
        rawLow[j] <= rawHigh[j] ? offset[j] + sign[j] * rawMean[j] : 0
      }
      return (shift, shift.reduce(0, +) / Double(Swift.max(k, 1)))
    }
    var shift: [Double] = []
    var answeredShift = 0.0
    var sums = Sums(k: k)
    var z = [Double](repeating: 0, count: k)
    var present = [Int](repeating: 0, count: k)
    if countable {
      // Means from the counts (whole-number sums, exact).
      var answered = [Double](repeating: 0, count: k)
      var sum = [Double](repeating: 0, count: k)
      for pattern in 0..<patterns where patternCounts[pattern] != 0 {
        var rest = pattern
        let w = Double(patternCounts[pattern])
        for j in 0..<k {
          let code = rest % radix[j]
          rest /= radix[j]
          guard code > 0 else { continue }
          answered[j] += w
          sum[j] += w * (codeLow[j] + Double(code - 1))
        }
      }
      (shift, answeredShift) = shifts((0..<k).map { answered[$0] > 0 ? sum[$0] / answered[$0] : 0 })
      z.withUnsafeMutableBufferPointer { z in
        present.withUnsafeMutableBufferPointer { present in
          for pattern in 0..<patterns where patternCounts[pattern] != 0 {
            var rest = pattern
            var m = 0
            var total = 0.0
            for j in 0..<k {
              let code = rest % radix[j]
              rest /= radix[j]
              guard code > 0 else { continue }
              let v = offset[j] + sign[j] * (codeLow[j] + Double(code - 1))
              z[j] = v - shift[j]
              present[m] = j
              m += 1
              total += v
            }
            guard m > 0 else { continue }
            sums.add(
              weight: Double(patternCounts[pattern]), z: z, present: present, m: m, k: k,
              t: total / Double(m) - answeredShift)
          }
        }
      }
    } else {
      (shift, answeredShift) = shifts(
        x.withUnsafeBufferPointer { p in columns.map { Self.mean(p, from: $0 * n, count: n) } })
      x.withUnsafeBufferPointer { p in
        z.withUnsafeMutableBufferPointer { z in
          present.withUnsafeMutableBufferPointer { present in
            for i in 0..<n {
              var m = 0
              var total = 0.0
              for a in 0..<k {
                let raw = p[columns[a] &* n &+ i]
                if !raw.isNaN {
                  let v = offset[a] + sign[a] * raw
                  z[a] = v - shift[a]
                  present[m] = a
                  m &+= 1
                  total += v
                }
              }
              guard m > 0 else { continue }
              sums.add(
                weight: 1, z: z, present: present, m: m, k: k,
                t: total / Double(m) - answeredShift)
            }
          }
        }
      }
    }
    let scoreCount = Int(sums.scoreCount)
    // Combine: complete rows count for every pair.
    var counts = Matrix(rows: k, columns: k)
    var cov = Matrix(rows: k, columns: k)
    var cor = Matrix(rows: k, columns: k)
    for a in 0..<k {
      for b in 0..<k {
        let ab = a * k + b
        let m = sums.completeRows + sums.gCount[ab]
        let sa = sums.cSum[a] + sums.gSum[ab]
        let sb = sums.cSum[b] + sums.gSum[b * k + a]
        let saa = sums.cProducts[a * k + a] + sums.gSquares[ab]
        let sbb = sums.cProducts[b * k + b] + sums.gSquares[b * k + a]
        let sab = sums.cProducts[Swift.min(a, b) * k + Swift.max(a, b)] + sums.gProducts[ab]
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
      let sa = sums.cSum[a] + sums.gSum[a * k + a]
      let saa = sums.cProducts[a * k + a] + sums.gSquares[a * k + a]
      itemMean[a] = shift[a] + sa / m
      itemVariance[a] = m > 1 ? Swift.max(0, saa - sa * sa / m) / (m - 1) : .nan
      let st = sums.cT + sums.gT[a]
      let stt = sums.cTT + sums.gTT[a]
      let szt = sums.cZT[a] + sums.gZT[a]
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
    self.scoreMean = scoreCount > 0 ? answeredShift + sums.tSum / c : .nan
    self.scoreVariance = scoreCount > 1 ? Swift.max(0, sums.tSquares - sums.tSum * sums.tSum / c) / (c - 1) : .nan
  }
}
