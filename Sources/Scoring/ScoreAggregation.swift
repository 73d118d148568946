import Foundation
import Ingest
import MatrixCore

/// Aggregates of area scores per school x respondent group x wave (or any other grouping),
/// with both aggregation rules, maturity levels, item distributions, gaps between respondent
/// groups, wave-to-wave change, and small-cell suppression.
///
/// ```swift
/// let summary = ScoreSummary(scores, table: table)         // mergeable counts
/// let aggregation = ScoreAggregation(suppressionThresholds: ["leader": 3])
/// let rows = aggregation.aggregate(summary)               // cell x area
/// let items = aggregation.itemDistributions(summary, instrument: table.instrument)
/// let gaps = aggregation.groupGaps(summary)               // leaders vs teachers vs students
/// let changes = aggregation.waveChanges(summary)          // Hedges' g and its CI
/// ```
///
/// For each cell and area: `n` respondents with a score, their mean (the *mean of respondent
/// means*), SD, standard error, and 95% t interval; the *mean of all answers* (every valid
/// item answer weighs the same) with its answer count; responses below the minimum of valid
/// items; and, with a level scheme, respondents per maturity level. A cell with fewer than the
/// group's suppression threshold of respondents (default 5) is marked `suppressed` and its
/// numbers are left out: use suppression for published tables, never for the inputs of
/// models.
public struct ScoreAggregation: Sendable {
  /// A grouping variable.
  public enum Level: String, Sendable, Codable, CaseIterable {
    /// School.
    case school
    /// Respondent group.
    case group
    /// Wave.
    case wave
    /// Regional hub.
    case hub
  }

  /// Grouping variables, outermost first (default school, group, wave).
  public var levels: [Level]
  /// Smallest publishable cell per respondent group; groups not listed use ``defaultThreshold``.
  public var suppressionThresholds: [String: Int]
  /// Smallest publishable cell for other groups (default 5; 0 or 1 disables suppression).
  public var defaultThreshold: Int
  /// A gap between two respondent groups' means of at least this many scale points is
  /// flagged as divergent (default 0.5).
  public var divergenceThreshold: Double

  /// Creates an aggregation.
  public init(
    levels: [Level] = [.school, .group, .wave], suppressionThresholds: [String: Int] = [:],
    defaultThreshold: Int = 5, divergenceThreshold: Double = 0.5
  ) {
    self.levels = levels
    self.suppressionThresholds = suppressionThresholds
    self.defaultThreshold = defaultThreshold
    self.divergenceThreshold = divergenceThreshold
  }

  /// One cell x area.
  public struct Row: Sendable, Codable, Equatable {
    /// The cell's values of the grouping variables, by name (`school`, `group`, ...).
    public let cell: [String: String]
    /// Area id.
    public let area: String
    /// Respondents with a score.
    public let n: Int
    /// Mean of respondent means.
    public let mean: Double?
    /// Standard deviation of respondent means (`nil` for n < 2).
    public let sd: Double?
    /// Standard error of the mean.
    public let se: Double?
    /// 95% t interval of the mean.
    public let confidenceInterval: [Double]?
    /// Mean of all valid answers in the cell.
    public let meanOfAllAnswers: Double?
    /// Number of valid answers in the cell.
    public let answerCount: Int
    /// Responses without a score because too few items were valid.
    public let belowMinimum: Int
    /// Respondents per maturity level (`nil` without a level scheme, or when suppressed).
    public let levelCounts: [String: Int]?
    /// Whether the cell is suppressed (fewer respondents than the threshold).
    public let suppressed: Bool
  }

  /// The threshold for a cell.
  func threshold(_ cell: [String: String]) -> Int {
    cell["group"].flatMap { suppressionThresholds[$0] } ?? defaultThreshold
  }

  /// Aggregates `scores` (a convenience for `aggregate(ScoreSummary(scores, levels: levels))`).
  public func aggregate(_ scores: RespondentScores) -> [Row] {
    aggregate(ScoreSummary(scores, levels: levels))
  }

  /// Aggregates a (possibly merged) summary; cells come in the summary's sorted order.
  public func aggregate(_ summary: ScoreSummary) -> [Row] {
    var rows: [Row] = []
    var tQuantiles: [Int: Double] = [:]  // 97.5% t quantile by degrees of freedom
    for cell in summary.cells {
      let names = Dictionary(uniqueKeysWithValues: zip(summary.levels.map(\.rawValue), cell.key))
      let limit = threshold(names)
      for (a, tally) in cell.areas.enumerated() {
        let n = tally.n
        if n == 0 && tally.answerCount == 0 && tally.belowMinimum == 0 { continue }  // not asked
        if n < limit {
          rows.append(
            Row(
              cell: names, area: summary.areas[a], n: n, mean: nil, sd: nil, se: nil,
              confidenceInterval: nil, meanOfAllAnswers: nil, answerCount: tally.answerCount,
              belowMinimum: tally.belowMinimum, levelCounts: nil, suppressed: true))
          continue
        }
        let moments = Moments(tally, denominator: summary.denominator)
        var ci: [Double]?
        if let m = moments.mean, let e = moments.se, n >= 2 {
          let t =
            tQuantiles[n - 1]
            ?? BetaDistribution.fQuantile(0.95, 1, Double(n - 1)).squareRoot()
          tQuantiles[n - 1] = t
          ci = [m - t * e, m + t * e]
        }
        var answerTotal = 0.0
        if let total = tally.answerTotal { answerTotal = double(total.value) }
        for s in tally.answerSums ?? [] { answerTotal += s.value * Double(s.count) }
        let levels: [String: Int]? =
          summary.levelLabels.isEmpty
          ? nil : Dictionary(uniqueKeysWithValues: zip(summary.levelLabels, tally.levelCounts))
        rows.append(
          Row(
            cell: names, area: summary.areas[a], n: n, mean: moments.mean, sd: moments.sd,
            se: moments.se, confidenceInterval: ci,
            meanOfAllAnswers: tally.answerCount > 0
              ? answerTotal / Double(tally.answerCount) : nil,
            answerCount: tally.answerCount, belowMinimum: tally.belowMinimum,
            levelCounts: levels, suppressed: false))
      }
    }
    return rows
  }

  /// Count, mean, SD and SE of an area tally: from its exact integers (one rounding each),
  /// or from its sorted value-count list, summed in order.
  struct Moments {
    let n: Int
    let mean: Double?
    let variance: Double?
    var sd: Double? { variance.map { $0.squareRoot() } }
    var se: Double? { variance.map { ($0 / Double(n)).squareRoot() } }

    init(n: Int, mean: Double?, variance: Double?) {
      self.n = n
      self.mean = mean
      self.variance = variance
    }

    init(_ tally: ScoreSummary.AreaTally, denominator: Int?) {
      guard let denominator, let sum = tally.sum?.value, let squares = tally.sumOfSquares?.value
      else {
        self.init(tally.scores ?? [])
        return
      }
      let n = tally.n
      let l = Double(denominator)
      let mean = n > 0 ? double(sum) / (Double(n) * l) : nil
      var variance: Double?
      if n > 1 {
        // n·Σq² − (Σq)² is exact in 128 bits; the variance is rounded once.
        let numerator = Int128(n) * squares - sum * sum
        variance = double(numerator) / (Double(n) * Double(n - 1) * l * l)
      }
      self.init(n: n, mean: mean, variance: variance)
    }

    init(_ values: [ScoreSummary.ValueCount]) {
      var count = 0
      var sum = 0.0
      for v in values {
        count += v.count
        sum += v.value * Double(v.count)
      }
      n = count
      guard count > 0 else {
        mean = nil
        variance = nil
        return
      }
      let m = sum / Double(count)
      mean = m
      guard count > 1 else {
        variance = nil
        return
      }
      var squares = 0.0
      for v in values { squares += Double(v.count) * (v.value - m) * (v.value - m) }
      variance = squares / Double(count - 1)
    }
  }

  // MARK: - Item distributions

  /// The answers to one item in one cell.
  public struct ItemDistribution: Sendable, Codable, Equatable {
    /// The cell's values of the grouping variables, by name.
    public let cell: [String: String]
    /// Item code.
    public let item: String
    /// The item's area.
    public let area: String
    /// Valid answers (an option of the scale).
    public let answered: Int
    /// Share of the valid answers per option code (`nil` when suppressed).
    public let shares: [String: Double]?
    /// Share of the valid answers in the two most favourable options: the two highest
    /// scores, or for a reverse-keyed item the two lowest options (`nil` when suppressed or
    /// with no valid answer).
    public let topTwoBoxShare: Double?
    /// "Not applicable" answers.
    public let notApplicable: Int
    /// "Prefer not to say" answers.
    public let preferNotToSay: Int
    /// Skipped answers.
    public let skipped: Int
    /// Whether the cell is suppressed.
    public let suppressed: Bool
  }

  /// Per cell and item: share per option, top-2-box share, and missing-answer counts.
  public func itemDistributions(_ summary: ScoreSummary, instrument: Instrument)
    -> [ItemDistribution]
  {
    let itemByCode = Dictionary(
      instrument.items.map { ($0.code, $0) }, uniquingKeysWith: { first, _ in first })
    var out: [ItemDistribution] = []
    for cell in summary.cells {
      let names = Dictionary(uniqueKeysWithValues: zip(summary.levels.map(\.rawValue), cell.key))
      let suppressed = cell.respondents < threshold(names)
      for tally in cell.items {
        guard let item = itemByCode[tally.item], let scale = instrument.scale(item.scale),
          scale.options.count == tally.optionCounts.count
        else { continue }
        let answered = tally.optionCounts.reduce(0, +)
        var shares: [String: Double]?
        var top: Double?
        if !suppressed && answered > 0 {
          shares = Dictionary(
            zip(
              scale.options.map(\.value), tally.optionCounts.map { Double($0) / Double(answered) }
            ), uniquingKeysWith: +)
          // The two most favourable options: highest scores after reverse keying.
          let order = scale.options.indices.sorted { a, b in
            let sa = scale.options[a].score
            let sb = scale.options[b].score
            return item.reverse ? sa < sb : sa > sb
          }
          let best = order.prefix(2).reduce(0) { $0 + tally.optionCounts[$1] }
          top = Double(best) / Double(answered)
        }
        out.append(
          ItemDistribution(
            cell: names, item: tally.item, area: item.area, answered: answered, shares: shares,
            topTwoBoxShare: top, notApplicable: tally.notApplicable,
            preferNotToSay: tally.preferNotToSay, skipped: tally.skipped, suppressed: suppressed))
      }
    }
    return out
  }

  // MARK: - Gaps between respondent groups

  /// The difference between two respondent groups' means in one cell and area.
  public struct GroupGap: Sendable, Codable, Equatable {
    /// The cell without its group, by name.
    public let cell: [String: String]
    /// Area id.
    public let area: String
    /// The two groups, in the instrument's order (the gap is first minus second).
    public let groups: [String]
    /// The two groups' means of respondent means.
    public let means: [Double]
    /// Their respondents.
    public let n: [Int]
    /// First mean minus second.
    public let difference: Double
    /// Whether |difference| reaches the divergence threshold.
    public let divergent: Bool
  }

  /// Gaps between every pair of respondent groups within each cell (school x wave, say) and
  /// area; needs `group` among the summary's levels. Suppressed cells give no gap.
  public func groupGaps(_ summary: ScoreSummary) -> [GroupGap] {
    guard let g = summary.levels.firstIndex(of: .group) else { return [] }
    let rows = aggregate(summary)
    var byCell: [[String]: [String: Row]] = [:]
    var order: [[String]] = []
    for row in rows where !row.suppressed && row.mean != nil {
      var key = summary.levels.map { row.cell[$0.rawValue] ?? "" }
      key.remove(at: g)
      key.append(row.area)
      if byCell[key] == nil { order.append(key) }
      byCell[key, default: [:]][row.cell["group"] ?? ""] = row
    }
    var names = summary.levels.map(\.rawValue)
    names.remove(at: g)
    var out: [GroupGap] = []
    for key in order {
      guard let present = byCell[key] else { continue }
      let groups = summary.groups.filter { present[$0] != nil }
      for i in 0..<groups.count {
        for j in (i + 1)..<max(groups.count, i + 1) {
          guard let a = present[groups[i]], let b = present[groups[j]], let ma = a.mean,
            let mb = b.mean
          else { continue }
          let d = ma - mb
          out.append(
            GroupGap(
              cell: Dictionary(uniqueKeysWithValues: zip(names, key.dropLast())),
              area: key[key.count - 1], groups: [groups[i], groups[j]], means: [ma, mb],
              n: [a.n, b.n], difference: d, divergent: abs(d) >= divergenceThreshold))
        }
      }
    }
    return out
  }

  // MARK: - Wave-to-wave change

  /// The change of a cell's mean between two consecutive waves, with Hedges' g.
  public struct WaveChange: Sendable, Codable, Equatable {
    /// The cell without its wave, by name.
    public let cell: [String: String]
    /// Area id.
    public let area: String
    /// Earlier wave.
    public let fromWave: String
    /// Later wave.
    public let toWave: String
    /// Respondents in each wave.
    public let n: [Int]
    /// Means in each wave.
    public let means: [Double]
    /// Later minus earlier mean.
    public let difference: Double
    /// Hedges' g: the difference over the pooled SD, times `J = 1 − 3/(4(n₁+n₂) − 9)`
    /// (`nil` with fewer than two respondents in a wave or no spread).
    public let hedgesG: Double?
    /// Standard error of g, `J·√((n₁+n₂)/(n₁n₂) + d²/(2(n₁+n₂)))`.
    public let standardError: Double?
    /// 95% interval `g ± 1.96·SE`.
    public let confidenceInterval: [Double]?
    /// Why g is missing, when it is.
    public let note: String?
  }

  /// Change between consecutive waves (in the summary's wave order) for every cell and area
  /// present in both; needs `wave` among the summary's levels. Respondents in different
  /// waves are treated as independent samples (anonymous surveys); suppressed cells give no
  /// change.
  public func waveChanges(_ summary: ScoreSummary) -> [WaveChange] {
    guard let w = summary.levels.firstIndex(of: .wave) else { return [] }
    let waveRank = Dictionary(
      uniqueKeysWithValues: summary.waves.enumerated().map { ($0.element, $0.offset) })
    struct Entry {
      let wave: String
      let moments: Moments
    }
    var series: [[String]: [Entry]] = [:]
    var order: [[String]] = []
    for cell in summary.cells {
      let names = Dictionary(uniqueKeysWithValues: zip(summary.levels.map(\.rawValue), cell.key))
      let limit = threshold(names)
      for (a, tally) in cell.areas.enumerated() {
        let moments = Moments(tally, denominator: summary.denominator)
        guard moments.n >= max(limit, 1) else { continue }
        var key = cell.key
        key.remove(at: w)
        key.append(summary.areas[a])
        if series[key] == nil { order.append(key) }
        series[key, default: []].append(Entry(wave: cell.key[w], moments: moments))
      }
    }
    var names = summary.levels.map(\.rawValue)
    names.remove(at: w)
    var out: [WaveChange] = []
    for key in order {
      let entries = (series[key] ?? []).sorted {
        (waveRank[$0.wave] ?? 0) < (waveRank[$1.wave] ?? 0)
      }
      for (first, second) in zip(entries, entries.dropFirst()) {
        guard let m1 = first.moments.mean, let m2 = second.moments.mean else { continue }
        let n1 = Double(first.moments.n)
        let n2 = Double(second.moments.n)
        var g: Double?
        var se: Double?
        var ci: [Double]?
        var note: String?
        if let v1 = first.moments.variance, let v2 = second.moments.variance {
          let pooled = (((n1 - 1) * v1 + (n2 - 1) * v2) / (n1 + n2 - 2)).squareRoot()
          if pooled > 0 {
            let d = (m2 - m1) / pooled
            let j = 1 - 3 / (4 * (n1 + n2) - 9)
            let e = j * ((n1 + n2) / (n1 * n2) + d * d / (2 * (n1 + n2))).squareRoot()
            g = j * d
            se = e
            ci = [j * d - 1.96 * e, j * d + 1.96 * e]
          } else {
            note = "no spread in either wave: the standardised change is undefined"
          }
        } else {
          note = "fewer than two respondents in a wave: no standardised change"
        }
        out.append(
          WaveChange(
            cell: Dictionary(uniqueKeysWithValues: zip(names, key.dropLast())),
            area: key[key.count - 1], fromWave: first.wave, toWave: second.wave,
            n: [first.moments.n, second.moments.n], means: [m1, m2], difference: m2 - m1,
            hedgesG: g, standardError: se, confidenceInterval: ci, note: note))
      }
    }
    return out
  }
}

/// `x` rounded to the nearest double: directly when it fits in 64 bits (the usual case, and
/// fast), else through the generic conversion.
@inline(__always)
func double(_ x: Int128) -> Double {
  if let small = Int64(exactly: x) { return Double(small) }
  return Double(x)
}
