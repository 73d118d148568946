import Foundation
import MatrixCore

/// Coefficient alpha and its companions, defined as R's `psych::alpha` defines them, so that a
/// researcher gets the same numbers.
///
/// ```swift
/// let reliability = try ReliabilityAnalysis().fit(responses)    // pairwise-complete by default
/// reliability.rawAlpha; reliability.itemStatistics[0].rDrop
/// ```
///
/// With `C` the item covariance matrix (pairwise-complete by default) and `R = cov2cor(C)`,
/// for *k* items: raw alpha `k/(k−1)·(1 − tr C/ΣC)`; standardized alpha
/// `k/(k−1)·(1 − k/ΣR)`; Guttman's λ₆ `1 − (k − Σ smc)/ΣR` with squared multiple correlations
/// `smc = 1 − 1/diag(R⁺)`; average r `(ΣR − k)/(k(k−1))`; signal-to-noise `k·r̄/(1 − r̄)`;
/// alpha's standard error `√(Q/n)` (Duhachek and Iacobucci, with Hattori's correction); the
/// median and variance of the inter-item correlations. Per item: the same statistics with the
/// item dropped; raw r (item with the mean score, pairwise), std r `ΣᵢR/√ΣR`, r.cor (the same
/// with `smc` on the diagonal), r.drop (item with the sum of the other items), mean, SD.
///
/// - Complexity: O(*n k²*) in one pass over the answers for the covariances, plus O(*k⁴*) for the item-dropped
///   statistics, negligible for the few items of an area.
///
/// Edge cases: items with zero variance are excluded and listed in
/// ``Reliability/zeroVarianceItems`` (psych deletes them too, but still adds the first row's
/// answers to every total score; we do not); fewer than two usable items throws.
/// Reference: Revelle, *psych* (`alpha`, `smc`); Duhachek and Iacobucci (2004).
public struct ReliabilityAnalysis: Sendable {
  /// How missing answers enter the covariances.
  public enum MissingData: String, Sendable, Codable {
    /// Pairwise-complete observations (psych's default).
    case pairwise
    /// Only respondents who answered every item.
    case listwise
  }

  /// Missing-data handling (default ``MissingData/pairwise``).
  public var missingData: MissingData

  /// Creates an analysis.
  public init(missingData: MissingData = .pairwise) { self.missingData = missingData }

  /// Computes the statistics for `responses`.
  ///
  /// - Throws: ``ScoringError/tooFewItems(usable:zeroVariance:)`` when fewer than two items
  ///   have variance, ``ScoringError/tooFewRespondents(_:)`` with fewer than two complete
  ///   pairs, ``ScoringError/singularCorrelations`` when the correlations cannot be inverted.
  public func fit(_ responses: ItemResponses) throws -> Reliability {
    try fit(responses, columns: Array(0..<responses.values.columns))
  }

  /// Computes the statistics for the items `columns` of `responses` (an area of a wider
  /// table), reverse-keying those whose entry in `keys` is negative as psych does:
  /// `min + max − x`, with `min` and `max` the given bounds or else the smallest and largest
  /// answer over these items. Nothing is copied: the answers are read in place.
  ///
  /// Items with small-integer answers (the usual 1-5 scales) are counted by answer pattern in
  /// one pass and each distinct pattern accumulated once, so the cost is one read of the
  /// answers; other answers are accumulated row by row. Both give the same statistics.
  ///
  /// - Throws: as ``fit(_:)``.
  /// - Precondition: `keys`, when given, has one entry per column.
  public func fit(
    _ responses: ItemResponses, columns: [Int], keys: [Int]? = nil, minimum: Double? = nil,
    maximum: Double? = nil
  ) throws -> Reliability {
    try fit(
      responses, columns: columns, keys: keys, minimum: minimum, maximum: maximum,
      usePatternCounts: true)
  }

  func fit(
    _ responses: ItemResponses, columns: [Int], keys: [Int]?, minimum: Double?,
    maximum: Double?, usePatternCounts: Bool
  ) throws -> Reliability {
    precondition(keys == nil || keys?.count == columns.count, "fit: one key per column")
    var x = responses.values
    let itemNames = columns.map { responses.items[$0] }
    var columns = columns
    let reflected = (keys ?? []).map { $0 < 0 }
    var minimum = minimum
    var maximum = maximum
    if missingData == .listwise {
      // Listwise deletion: only respondents who answered every item (psych on na.omit(x)),
      // reversed between the bounds over all respondents.
      if reflected.contains(true) && (minimum == nil || maximum == nil) {
        var lo = Double.infinity
        var hi = -Double.infinity
        for j in columns {
          for i in 0..<x.rows where !x[i, j].isNaN {
            lo = Swift.min(lo, x[i, j])
            hi = Swift.max(hi, x[i, j])
          }
        }
        minimum = minimum ?? lo
        maximum = maximum ?? hi
      }
      let complete = (0..<x.rows).filter { i in columns.allSatisfy { !x[i, $0].isNaN } }
      let source = x
      let used = columns
      x = Matrix(rows: complete.count, columns: used.count) { i, j in source[complete[i], used[j]] }
      columns = Array(0..<used.count)
    }
    let n = x.rows
    // One pass gathers item moments, pairwise covariances and correlations, and the total
    // scores; items with zero variance are dropped and the pass repeated without them (the
    // total score changes).
    var pair = PairwiseMoments(
      x, columns: columns, reflected: keys == nil ? nil : reflected, minimum: minimum,
      maximum: maximum, usePatternCounts: usePatternCounts)
    var keep: [Int] = []
    var zeroVariance: [String] = []
    for j in 0..<columns.count {
      if pair.itemCount[j] > 1 && !pair.isConstant[j] {
        keep.append(j)
      } else {
        zeroVariance.append(itemNames[j])
      }
    }
    guard keep.count >= 2 else {
      throw ScoringError.tooFewItems(usable: keep.count, zeroVariance: zeroVariance)
    }
    if keep.count < columns.count {
      pair = PairwiseMoments(
        x, columns: keep.map { columns[$0] },
        reflected: keys == nil ? nil : keep.map { reflected[$0] },
        minimum: pair.bounds.minimum, maximum: pair.bounds.maximum,
        usePatternCounts: usePatternCounts)
    }
    let names = keep.map { itemNames[$0] }
    guard pair.pairCounts.elements.allSatisfy({ $0 >= 2 }) else {
      throw ScoringError.tooFewRespondents(n)
    }
    let c = pair.covariance
    let r = correlation(c)
    let k = keep.count
    let total = try AlphaCore(c: c, r: r)
    let meanScore = pair.scoreMean
    let varianceScore = pair.scoreVariance
    // Item statistics.
    let sumR = r.elements.reduce(0, +)
    let smcs = try squaredMultipleCorrelations(r)
    var rc = r
    for j in 0..<k { rc[j, j] = smcs[j] }
    let sumRC = rc.elements.reduce(0, +)
    let sumC = c.elements.reduce(0, +)
    let omega = OmegaPair(correlation: pair.correlation, items: names)
    var items: [Reliability.ItemStatistics] = []
    for j in 0..<k {
      let answered = pair.itemCount[j]
      let itemMean = pair.itemMean[j]
      let itemVariance = pair.itemVariance[j]
      let colR = (0..<k).reduce(0.0) { $0 + r[$1, j] }
      let colRC = (0..<k).reduce(0.0) { $0 + rc[$1, j] }
      let colC = (0..<k).reduce(0.0) { $0 + c[$1, j] }
      // Sum of C without row and column j.
      let vDrop = sumC - 2 * colC + c[j, j]
      let rDrop = (colC - c[j, j]) / (c[j, j] * vDrop).squareRoot()
      let rawR = pair.itemScoreCorrelation[j]
      let dropped: Reliability.AlphaIfDropped
      if k > 2 {
        let others = (0..<k).filter { $0 != j }
        let cd = Matrix(rows: k - 1, columns: k - 1) { a, b in c[others[a], others[b]] }
        let rd = Matrix(rows: k - 1, columns: k - 1) { a, b in r[others[a], others[b]] }
        let core = try AlphaCore(c: cd, r: rd)
        dropped = .init(
          rawAlpha: core.rawAlpha, standardizedAlpha: core.standardizedAlpha, g6: core.g6,
          averageR: core.averageR, signalToNoise: core.signalToNoise,
          alphaStandardError: (core.q / Double(n)).squareRoot(),
          varianceR: core.varianceR.isNaN ? nil : core.varianceR,
          medianR: core.medianR)
      } else {
        // Two items: psych reports the other item's regression and correlation.
        let other = 1 - j
        let r12 = r[0, 1]
        dropped = .init(
          rawAlpha: c[0, 1] / c[other, other], standardizedAlpha: r12, g6: smcs[0], averageR: r12,
          signalToNoise: r12 / (1 - r12), alphaStandardError: nil, varianceR: 0, medianR: r12)
      }
      items.append(
        .init(
          item: names[j], n: answered, rawR: rawR, stdR: colR / sumR.squareRoot(),
          rCor: colRC / sumRC.squareRoot(), rDrop: rDrop, mean: itemMean,
          sd: itemVariance.squareRoot(), alphaIfDropped: dropped,
          loading: omega.minres?.loadings[j], loadingML: omega.ml?.loadings[j]))
    }
    let ase = (total.q / Double(n)).squareRoot()
    return Reliability(
      items: names, respondentCount: n, missingData: missingData, rawAlpha: total.rawAlpha,
      standardizedAlpha: total.standardizedAlpha, g6: total.g6, averageR: total.averageR,
      signalToNoise: total.signalToNoise, alphaStandardError: ase, medianR: total.medianR,
      varianceR: total.varianceR.isNaN ? nil : total.varianceR, meanScore: meanScore,
      sdScore: varianceScore.squareRoot(),
      duhachekInterval: [total.rawAlpha - 1.96 * ase, total.rawAlpha + 1.96 * ase],
      feldtInterval: feldt(alpha: total.rawAlpha, respondents: n, items: k),
      omegaTotal: omega.minres?.omegaTotal, omegaTotalML: omega.ml?.omegaTotal,
      omegaNote: omega.note, itemStatistics: items, zeroVarianceItems: zeroVariance)
  }
}

/// Both one-factor models of an area, and what to say about them.
struct OmegaPair {
  var minres: OneFactorModel?
  var ml: OneFactorModel?
  var note: String?

  init(correlation r: Matrix, items: [String]) {
    guard r.rows >= 3 else {
      note = "omega needs at least three items: one factor is not identified from two"
      return
    }
    var notes: [String] = []
    for method in OneFactorModel.Method.allCases {
      let label = method == .minimumResidual ? "minres" : "ML"
      do {
        let fit = try OneFactorModel(correlation: r, method: method)
        if method == .minimumResidual { minres = fit } else { ml = fit }
        if !fit.flippedItems.isEmpty {
          notes.append(
            "\(label): reversed for omega (negative loading): "
              + fit.flippedItems.map { items[$0] }.joined(separator: ", "))
        }
        if !fit.heywoodItems.isEmpty {
          notes.append(
            "\(label): uniqueness at its lower bound 0.005 (Heywood case): "
              + fit.heywoodItems.map { items[$0] }.joined(separator: ", "))
        }
        if !fit.converged { notes.append("\(label): the optimiser did not reach its tolerance") }
      } catch {
        notes.append("\(label) omega not estimated: \(error)")
      }
    }
    note = notes.isEmpty ? nil : notes.joined(separator: "; ")
  }
}

/// Feldt's interval: `1 − (1 − α)·F(q; n − 1, (n − 1)(k − 1))` at q = 0.975 and 0.025.
func feldt(alpha: Double, respondents n: Int, items k: Int) -> [Double] {
  let d1 = Double(n - 1)
  let d2 = Double((n - 1) * (k - 1))
  return [
    1 - (1 - alpha) * BetaDistribution.fQuantile(0.975, d1, d2),
    1 - (1 - alpha) * BetaDistribution.fQuantile(0.025, d1, d2),
  ]
}

/// The alpha family for one covariance/correlation pair (psych's `alpha.1`).
struct AlphaCore {
  let rawAlpha, standardizedAlpha, g6, averageR, signalToNoise, q, varianceR, medianR: Double

  init(c: Matrix, r: Matrix) throws {
    let k = Double(c.rows)
    let sumC = c.elements.reduce(0, +)
    let traceC = (0..<c.rows).reduce(0.0) { $0 + c[$1, $1] }
    let sumR = r.elements.reduce(0, +)
    rawAlpha = (1 - traceC / sumC) * (k / (k - 1))
    standardizedAlpha = (1 - k / sumR) * (k / (k - 1))
    let smcs = try squaredMultipleCorrelations(r)
    g6 = 1 - (k - smcs.reduce(0, +)) / sumR
    averageR = (sumR - k) / (k * (k - 1))
    signalToNoise = k * averageR / (1 - averageR)
    let cc = c.multiply(c)
    let traceCC = (0..<c.rows).reduce(0.0) { $0 + cc[$1, $1] }
    let sumCC = cc.elements.reduce(0, +)
    q =
      (2 * k * k / ((k - 1) * (k - 1) * sumC * sumC * sumC))
      * (sumC * (traceCC + traceC * traceC) - 2 * traceC * sumCC)
    var lower: [Double] = []
    for j in 0..<r.columns { for i in (j + 1)..<max(r.rows, j + 1) { lower.append(r[i, j]) } }
    varianceR = lower.count > 1 ? sampleVariance(lower) : .nan
    medianR = median(lower)
  }
}

/// Squared multiple correlations `1 − 1/diag(R⁺)` with the pseudo-inverse (singular values
/// below `√ε · σ₁` dropped, as psych's `Pinv`), clamped to [0, 1] as psych's `smc` does.
func squaredMultipleCorrelations(_ r: Matrix) throws -> [Double] {
  let svd: SVD
  do { svd = try SVD(r) } catch { throw ScoringError.singularCorrelations }
  let k = r.rows
  let tolerance = (Double.ulpOfOne).squareRoot() * (svd.singularValues.first ?? 0)
  var result: [Double] = []
  for i in 0..<k {
    // diag(V Σ⁺ Uᵀ)_i = Σ_s v_is u_is / σ_s
    var d = 0.0
    for s in 0..<svd.singularValues.count where svd.singularValues[s] > tolerance {
      d += svd.vt[s, i] * svd.u[i, s] / svd.singularValues[s]
    }
    result.append(min(1, max(0, 1 - 1 / d)))
  }
  return result
}

func correlation(_ c: Matrix) -> Matrix {
  Matrix(rows: c.rows, columns: c.columns) { i, j in c[i, j] / (c[i, i] * c[j, j]).squareRoot() }
}

func mean(_ xs: [Double]) -> Double { xs.isEmpty ? .nan : xs.reduce(0, +) / Double(xs.count) }

func sampleVariance(_ xs: [Double]) -> Double {
  guard xs.count > 1 else { return .nan }
  let m = mean(xs)
  return xs.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(xs.count - 1)
}

func median(_ xs: [Double]) -> Double {
  guard !xs.isEmpty else { return .nan }
  let s = xs.sorted()
  return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
}

/// A scale of a wide item table: its name and its items with their keys (−1 reverse-keyed),
/// as in the `item,scale,key` keys file that psych users write.
public struct ItemScale: Sendable, Equatable {
  /// The scale's name (the area in the output).
  public let name: String
  /// Item names, columns of the responses.
  public let items: [String]
  /// One per item: 1, or −1 for a reverse-keyed item.
  public let keys: [Int]

  /// - Precondition: one key per item.
  public init(name: String, items: [String], keys: [Int]) {
    precondition(items.count == keys.count, "ItemScale: \(keys.count) keys for \(items.count) items")
    self.name = name
    self.items = items
    self.keys = keys
  }
}

extension AreaReliability {
  /// Computes the reliability of each scale of a wide item table, in place (no copies),
  /// scales in parallel on up to `threads` threads; the results do not depend on `threads`.
  ///
  /// Reverse-keyed items are reversed as psych does, `min + max − x`, with `minimum` and
  /// `maximum` when given and otherwise the extremes of the scale's observed answers.
  /// An item a scale names that is not a column of `responses` gives that scale a
  /// ``problem``.
  public static func compute(
    _ responses: ItemResponses, scales: [ItemScale],
    analysis: ReliabilityAnalysis = ReliabilityAnalysis(), minimum: Double? = nil,
    maximum: Double? = nil, threads: Int = 1
  ) -> [AreaReliability] {
    let columnOf = Dictionary(
      responses.items.enumerated().map { ($0.element, $0.offset) },
      uniquingKeysWith: { first, _ in first })
    return parallelMap(scales.count, threads: threads) { s in
      let scale = scales[s]
      let missing = scale.items.filter { columnOf[$0] == nil }
      guard missing.isEmpty else {
        return AreaReliability(
          area: scale.name, group: nil, reliability: nil,
          problem: "no column for the items " + missing.joined(separator: ", "))
      }
      do {
        let fit = try analysis.fit(
          responses, columns: scale.items.compactMap { columnOf[$0] }, keys: scale.keys,
          minimum: minimum, maximum: maximum)
        return AreaReliability(area: scale.name, group: nil, reliability: fit, problem: nil)
      } catch {
        return AreaReliability(
          area: scale.name, group: nil, reliability: nil, problem: "\(error)")
      }
    }
  }
}
