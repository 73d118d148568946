import Ingest

/// Mergeable sufficient statistics of area scores per cell: the partial result that shards of
/// a large programme (by hub, by file) write and ``merge(_:)`` combines.
///
/// ```swift
/// var summary = ScoreSummary(scores, table: table, levels: [.school, .group, .wave])
/// try summary.merge(otherShard)                  // exact: counts add
/// let rows = ScoreAggregation().aggregate(summary)
/// ```
///
/// Every statistic derives from integer counts: per cell and area, how many respondents had
/// each distinct score (a score is a ratio of the respondent's answers, computed the same way
/// in every shard), how many had each maturity level, and how many answers each item got per
/// option. Merging adds counts, so it is exact and order-free, and the statistics derived
/// from a merged summary equal those of a single pass over all the data to the last bit
/// (cells and scores are kept sorted, and every sum runs in that order).
///
/// A shard must hold whole responses: a respondent's answers to one wave split across shards
/// would be scored twice, from halves.
public struct ScoreSummary: Sendable, Codable, Equatable {
  /// Identifies the file format of a written partial result.
  public var format = "lae-score-partial/1"
  /// Instrument id.
  public let instrument: String
  /// Grouping variables of the cells, outermost first.
  public let levels: [ScoreAggregation.Level]
  /// Area ids, in report order.
  public let areas: [String]
  /// The instrument's respondent groups, in its order (for gaps between groups).
  public let groups: [String]
  /// Maturity level labels, lowest first (empty without a level scheme).
  public let levelLabels: [String]
  /// Waves seen, in analysis order (for wave-to-wave change).
  public private(set) var waves: [String]
  /// Cells, sorted by key.
  public private(set) var cells: [Cell]

  /// One cell: a combination of the grouping variables.
  public struct Cell: Sendable, Codable, Equatable {
    /// Values of the grouping variables, in the order of ``ScoreSummary/levels``.
    public let key: [String]
    /// Responses in the cell.
    public var respondents: Int
    /// One tally per area, in the order of ``ScoreSummary/areas``.
    public var areas: [AreaTally]
    /// One tally per item answered in the cell, sorted by item code.
    public var items: [ItemTally]
  }

  /// What one cell says about one area.
  public struct AreaTally: Sendable, Codable, Equatable {
    /// Distinct respondent scores with their counts, ascending by score.
    public var scores: [ValueCount]
    /// Responses whose score is missing because too few items were valid.
    public var belowMinimum: Int
    /// Respondents per maturity level (parallel to ``ScoreSummary/levelLabels``).
    public var levelCounts: [Int]
    /// Valid answers to the area's items.
    public var answerCount: Int
    /// Distinct per-respondent sums of valid answer scores, with their counts, ascending.
    public var answerSums: [ValueCount]
  }

  /// A value and how often it occurred; written as `[value, count]`.
  public struct ValueCount: Sendable, Codable, Equatable {
    /// The value.
    public let value: Double
    /// Occurrences.
    public var count: Int

    /// Creates a pair.
    public init(value: Double, count: Int) {
      self.value = value
      self.count = count
    }

    public init(from decoder: any Decoder) throws {
      var c = try decoder.unkeyedContainer()
      value = try c.decode(Double.self)
      count = try c.decode(Int.self)
    }

    public func encode(to encoder: any Encoder) throws {
      var c = encoder.unkeyedContainer()
      try c.encode(value)
      try c.encode(count)
    }
  }

  /// Answers to one item in one cell.
  public struct ItemTally: Sendable, Codable, Equatable {
    /// Item code.
    public let item: String
    /// Answers per option of the item's scale, in the scale's order.
    public var optionCounts: [Int]
    /// "Not applicable" answers.
    public var notApplicable: Int
    /// "Prefer not to say" answers.
    public var preferNotToSay: Int
    /// Skipped (empty) answers.
    public var skipped: Int
  }

  /// Summarises `scores` (computed from `table`) per cell of `levels`; with `table`, item
  /// answer distributions are tallied too.
  public init(
    _ scores: RespondentScores, table: SurveyTable? = nil,
    levels: [ScoreAggregation.Level] = [.school, .group, .wave]
  ) {
    self.instrument = scores.instrument
    self.levels = levels
    self.areas = scores.areas
    self.groups = scores.groups
    self.levelLabels = scores.levelLabels
    let areaCount = scores.areas.count
    let levelCount = scores.levelLabels.count

    struct Builder {
      var respondents = 0
      var scores: [[Double: Int]]
      var answerSums: [[Double: Int]]
      var answerCounts: [Int]
      var belowMinimum: [Int]
      var levelCounts: [[Int]]
      var items: [Int: ItemTally] = [:]
    }
    func keyOf(_ unit: RespondentScores.Unit) -> [String] {
      levels.map { level in
        switch level {
        case .school: return unit.school
        case .group: return unit.group
        case .wave: return unit.wave
        case .hub: return unit.hub ?? ""
        }
      }
    }
    var cellOf: [[String]: Int] = [:]
    var builders: [Builder] = []
    var unitCell = [Int](repeating: 0, count: scores.units.count)
    for (row, unit) in scores.units.enumerated() {
      let key = keyOf(unit)
      let c: Int
      if let existing = cellOf[key] {
        c = existing
      } else {
        c = builders.count
        cellOf[key] = c
        builders.append(
          Builder(
            scores: .init(repeating: [:], count: areaCount),
            answerSums: .init(repeating: [:], count: areaCount),
            answerCounts: .init(repeating: 0, count: areaCount),
            belowMinimum: .init(repeating: 0, count: areaCount),
            levelCounts: .init(
              repeating: .init(repeating: 0, count: levelCount), count: areaCount)))
      }
      unitCell[row] = c
      builders[c].respondents += 1
      for a in 0..<areaCount {
        let answers = scores.validItems[row][a]
        if answers > 0 {
          builders[c].answerCounts[a] += answers
          builders[c].answerSums[a][scores.answerSums[row][a], default: 0] += 1
        }
        let v = scores.values[row, a]
        if v.isNaN {
          if scores.isBelowMinimum(row: row, area: a) {
            builders[c].belowMinimum[a] += 1
          }
        } else {
          builders[c].scores[a][v, default: 0] += 1
          if levelCount > 0, let index = scores.levelIndex(row: row, area: a) {
            builders[c].levelCounts[a][index] += 1
          }
        }
      }
    }
    if let table {
      let (responseOfRow, _) = table.responseIndex()
      let optionCounts = table.instrument.items.map {
        table.instrument.scale($0.scale)?.options.count ?? 0
      }
      for r in 0..<table.count {
        let c = unitCell[responseOfRow[r]]
        let item = Int(table.item[r])
        if builders[c].items[item] == nil {
          builders[c].items[item] = ItemTally(
            item: table.instrument.items[item].code,
            optionCounts: [Int](repeating: 0, count: optionCounts[item]), notApplicable: 0,
            preferNotToSay: 0, skipped: 0)
        }
        let v = table.value[r]
        switch v {
        case SurveyTable.Value.notApplicable: builders[c].items[item]?.notApplicable += 1
        case SurveyTable.Value.preferNotToSay: builders[c].items[item]?.preferNotToSay += 1
        case SurveyTable.Value.skipped: builders[c].items[item]?.skipped += 1
        default:
          if v >= 0 && Int(v) < optionCounts[item] {
            builders[c].items[item]?.optionCounts[Int(v)] += 1
          }
        }
      }
    }
    func sorted(_ d: [Double: Int]) -> [ValueCount] {
      d.map { ValueCount(value: $0.key, count: $0.value) }.sorted { $0.value < $1.value }
    }
    var cells: [Cell] = []
    cells.reserveCapacity(builders.count)
    for (key, c) in cellOf {
      let b = builders[c]
      cells.append(
        Cell(
          key: key, respondents: b.respondents,
          areas: (0..<areaCount).map { a in
            AreaTally(
              scores: sorted(b.scores[a]), belowMinimum: b.belowMinimum[a],
              levelCounts: b.levelCounts[a], answerCount: b.answerCounts[a],
              answerSums: sorted(b.answerSums[a]))
          },
          items: b.items.values.sorted { $0.item < $1.item }))
    }
    self.cells = cells.sorted { Self.precedes($0.key, $1.key) }
    self.waves = Self.orderWaves(Set(scores.units.map(\.wave)))
  }

  /// Adds `other`'s counts to this summary.
  ///
  /// - Throws: ``ScoringError/incompatiblePartials(_:)`` when the two were made with another
  ///   instrument, other grouping variables, or other areas or levels.
  public mutating func merge(_ other: ScoreSummary) throws {
    guard other.format == format else {
      throw ScoringError.incompatiblePartials("format \(other.format), expected \(format)")
    }
    guard other.instrument == instrument else {
      throw ScoringError.incompatiblePartials(
        "instrument \(other.instrument), expected \(instrument)")
    }
    guard other.levels == levels else {
      throw ScoringError.incompatiblePartials(
        "cells by \(other.levels.map(\.rawValue).joined(separator: ",")), expected "
          + levels.map(\.rawValue).joined(separator: ","))
    }
    guard other.areas == areas, other.levelLabels == levelLabels, other.groups == groups else {
      throw ScoringError.incompatiblePartials("areas, groups or maturity levels differ")
    }
    var byKey: [[String]: Int] = [:]
    for (i, cell) in cells.enumerated() { byKey[cell.key] = i }
    for cell in other.cells {
      guard let i = byKey[cell.key] else {
        cells.append(cell)
        continue
      }
      cells[i].respondents += cell.respondents
      for a in 0..<areas.count {
        var t = cells[i].areas[a]
        let u = cell.areas[a]
        t.scores = Self.add(t.scores, u.scores)
        t.answerSums = Self.add(t.answerSums, u.answerSums)
        t.belowMinimum += u.belowMinimum
        t.answerCount += u.answerCount
        for l in 0..<t.levelCounts.count { t.levelCounts[l] += u.levelCounts[l] }
        cells[i].areas[a] = t
      }
      var items = Dictionary(uniqueKeysWithValues: cells[i].items.map { ($0.item, $0) })
      for item in cell.items {
        guard var mine = items[item.item] else {
          items[item.item] = item
          continue
        }
        guard mine.optionCounts.count == item.optionCounts.count else {
          throw ScoringError.incompatiblePartials("item \(item.item) has another scale")
        }
        for o in 0..<mine.optionCounts.count { mine.optionCounts[o] += item.optionCounts[o] }
        mine.notApplicable += item.notApplicable
        mine.preferNotToSay += item.preferNotToSay
        mine.skipped += item.skipped
        items[item.item] = mine
      }
      cells[i].items = items.values.sorted { $0.item < $1.item }
    }
    cells.sort { Self.precedes($0.key, $1.key) }
    waves = Self.orderWaves(Set(waves).union(other.waves))
  }

  /// Merges two sorted value-count lists.
  static func add(_ a: [ValueCount], _ b: [ValueCount]) -> [ValueCount] {
    var out: [ValueCount] = []
    out.reserveCapacity(a.count + b.count)
    var i = 0
    var j = 0
    while i < a.count || j < b.count {
      if j == b.count || (i < a.count && a[i].value < b[j].value) {
        out.append(a[i])
        i += 1
      } else if i == a.count || b[j].value < a[i].value {
        out.append(b[j])
        j += 1
      } else {
        out.append(ValueCount(value: a[i].value, count: a[i].count + b[j].count))
        i += 1
        j += 1
      }
    }
    return out
  }

  /// Keys compare by Unicode code points, field by field.
  static func precedes(_ a: [String], _ b: [String]) -> Bool {
    for (x, y) in zip(a, b) where x != y {
      return x.unicodeScalars.lexicographicallyPrecedes(y.unicodeScalars)
    }
    return a.count < b.count
  }

  /// Waves numerically when all are numbers, else by code points (as ``SurveyTable/waveOrder``).
  static func orderWaves(_ waves: Set<String>) -> [String] {
    if waves.allSatisfy({ Double($0) != nil }) {
      return waves.sorted { (Double($0) ?? 0, $0) < (Double($1) ?? 0, $1) }
    }
    return waves.sorted { $0.unicodeScalars.lexicographicallyPrecedes($1.unicodeScalars) }
  }
}
