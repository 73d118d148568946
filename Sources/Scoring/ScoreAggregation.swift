import Foundation

/// Aggregates of area scores per school x respondent group x wave (or any other grouping),
/// with both aggregation rules and small-cell suppression.
///
/// For each cell and area: `n` respondents with a score, their mean (the *mean of respondent
/// means*), SD, standard error, and 95% t interval; and the *mean of all answers* (every valid
/// item answer weighs the same) with its answer count. A cell with fewer than the group's
/// suppression threshold of respondents (default 5) is marked `suppressed` and its numbers
/// are left out: use suppression for published tables, never for the inputs of models.
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

  /// Creates an aggregation.
  public init(
    levels: [Level] = [.school, .group, .wave], suppressionThresholds: [String: Int] = [:],
    defaultThreshold: Int = 5
  ) {
    self.levels = levels
    self.suppressionThresholds = suppressionThresholds
    self.defaultThreshold = defaultThreshold
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
    /// Whether the cell is suppressed (fewer respondents than the threshold).
    public let suppressed: Bool
  }

  /// Aggregates `scores`.
  public func aggregate(_ scores: RespondentScores) -> [Row] {
    struct Acc {
      var answers = 0
      var answerSum = 0.0
      var values: [Double] = []
    }
    var order: [[String]] = []
    var cells: [[String]: [Acc]] = [:]
    for (row, unit) in scores.units.enumerated() {
      let key = levels.map { level -> String in
        switch level {
        case .school: return unit.school
        case .group: return unit.group
        case .wave: return unit.wave
        case .hub: return unit.hub ?? ""
        }
      }
      if cells[key] == nil {
        cells[key] = [Acc](repeating: Acc(), count: scores.areas.count)
        order.append(key)
      }
      for a in 0..<scores.areas.count {
        cells[key]?[a].answers += scores.validItems[row][a]
        cells[key]?[a].answerSum += scores.answerSums[row][a]
        let v = scores.values[row, a]
        if !v.isNaN { cells[key]?[a].values.append(v) }
      }
    }
    var rows: [Row] = []
    for key in order {
      let cell = Dictionary(uniqueKeysWithValues: zip(levels.map(\.rawValue), key))
      let threshold = cell["group"].flatMap { suppressionThresholds[$0] } ?? defaultThreshold
      for (a, acc) in (cells[key] ?? []).enumerated() {
        let n = acc.values.count
        if n == 0 && acc.answers == 0 { continue }  // area not asked in this cell
        let suppressed = n < threshold
        if suppressed {
          rows.append(
            Row(
              cell: cell, area: scores.areas[a], n: n, mean: nil, sd: nil, se: nil,
              confidenceInterval: nil, meanOfAllAnswers: nil, answerCount: acc.answers,
              suppressed: true))
          continue
        }
        let mean = n > 0 ? acc.values.reduce(0, +) / Double(n) : nil
        var sd: Double?
        var se: Double?
        var ci: [Double]?
        if let m = mean, n >= 2 {
          let variance = acc.values.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(n - 1)
          sd = variance.squareRoot()
          let e = (variance / Double(n)).squareRoot()
          se = e
          let t = BetaDistribution.fQuantile(0.95, 1, Double(n - 1)).squareRoot()
          ci = [m - t * e, m + t * e]
        }
        rows.append(
          Row(
            cell: cell, area: scores.areas[a], n: n, mean: mean, sd: sd, se: se,
            confidenceInterval: ci,
            meanOfAllAnswers: acc.answers > 0 ? acc.answerSum / Double(acc.answers) : nil,
            answerCount: acc.answers, suppressed: false))
      }
    }
    return rows
  }
}
