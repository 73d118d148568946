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
/// Every statistic derives from integers: per cell and area, the count, sum and sum of squares
/// of the respondents' scores as exact 128-bit integers over a common denominator (when the
/// instrument's option scores are integers and items are unweighted; otherwise how many
/// respondents had each distinct score), how many had each maturity level, and how many
/// answers each item got per option. Merging adds integers, so it is exact and order-free,
/// and the statistics derived from a merged summary equal those of a single pass over all
/// the data to the last bit (cells are kept sorted).
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
  /// The common denominator `L` of respondent scores in integer mode (the least common
  /// multiple of 1...k for areas of at most k items); `nil` when option scores are not all
  /// integers or items carry weights, and distinct scores are counted instead.
  public let denominator: Int?
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
  ///
  /// With integer option scores and no item weights (``ScoreSummary/denominator`` set), a
  /// respondent's score `s/c` (answer sum over valid answers) is the integer `q = s·(L/c)`
  /// over the common denominator `L`, and the tally keeps the exact integers `n`, `Σq`, `Σq²`
  /// and the answer total. Otherwise it keeps each distinct score with its count.
  public struct AreaTally: Sendable, Codable, Equatable {
    /// Respondents with a score.
    public var n: Int
    /// `Σq` (integer mode).
    public var sum: ExactInteger?
    /// `Σq²` (integer mode).
    public var sumOfSquares: ExactInteger?
    /// Distinct respondent scores with their counts, ascending (when scores are not integer).
    public var scores: [ValueCount]?
    /// Responses whose score is missing because too few items were valid.
    public var belowMinimum: Int
    /// Respondents per maturity level (parallel to ``ScoreSummary/levelLabels``).
    public var levelCounts: [Int]
    /// Valid answers to the area's items.
    public var answerCount: Int
    /// Sum of the valid answer scores (integer mode).
    public var answerTotal: ExactInteger?
    /// Distinct per-respondent sums of answer scores with their counts (other scores).
    public var answerSums: [ValueCount]?
  }

  /// A 128-bit integer accumulator, written as a decimal string so that no JSON reader
  /// rounds it.
  public struct ExactInteger: Sendable, Codable, Equatable, Hashable {
    /// The value.
    public var value: Int128

    /// Wraps `value`.
    public init(_ value: Int128) { self.value = value }

    public init(from decoder: any Decoder) throws {
      let text = try decoder.singleValueContainer().decode(String.self)
      guard let v = Int128(text) else {
        throw DecodingError.dataCorrupted(
          .init(codingPath: decoder.codingPath, debugDescription: "not an integer: \(text)"))
      }
      value = v
    }

    public func encode(to encoder: any Encoder) throws {
      var c = encoder.singleValueContainer()
      try c.encode(String(value))
    }
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
    self.denominator = scores.denominator
    let areaCount = scores.areas.count
    let levelCount = scores.levelLabels.count

    // Cells numbered by first appearance, found by the responses' integer codes;
    // accumulators flat over cells x areas.
    struct CodeKey: Hashable {
      var a: Int32 = 0
      var b: Int32 = 0
      var c: Int32 = 0
      var d: Int32 = 0
    }
    let codes = scores.codes
    func code(_ level: ScoreAggregation.Level, _ row: Int) -> Int32 {
      switch level {
      case .school: return codes.school[row]
      case .group: return Int32(codes.group[row])
      case .wave: return codes.wave[row]
      case .hub: return codes.hub[row]
      }
    }
    func name(_ level: ScoreAggregation.Level, _ code: Int32) -> String {
      switch level {
      case .school: return codes.schools[Int(code)]
      case .group: return codes.groups[Int(code)]
      case .wave: return codes.waves[Int(code)]
      case .hub: return code < 0 ? "" : codes.hubs[Int(code)]
      }
    }
    let levelList = Array(levels.prefix(4))
    var cellOf: [CodeKey: Int] = [:]
    var firstUnit: [Int] = []
    var respondents: [Int] = []
    var unitCell = [Int](repeating: 0, count: scores.count)
    var waveSeen = [Bool](repeating: false, count: codes.waves.count)
    // Dense cell lookup by mixed-radix codes when the grid of possible cells is small (the
    // usual school x group x wave); a hash table otherwise.
    func cardinality(_ level: ScoreAggregation.Level) -> Int {
      switch level {
      case .school: return codes.schools.count
      case .group: return codes.groups.count
      case .wave: return codes.waves.count
      case .hub: return codes.hubs.count + 1  // -1 (no hub) maps to the last slot
      }
    }
    var gridSize = 1
    for level in levelList where gridSize <= 1 << 24 {
      gridSize *= Swift.max(1, cardinality(level))
    }
    let dense = gridSize <= Swift.max(1 << 22, 4 * scores.count)
    var grid = [Int32](repeating: -1, count: dense ? gridSize : 0)
    for row in 0..<scores.count {
      waveSeen[Int(codes.wave[row])] = true
      var key = CodeKey()
      var index = 0
      for (i, level) in levelList.enumerated() {
        let value = code(level, row)
        if dense {
          let v = value < 0 ? cardinality(level) - 1 : Int(value)
          index = index * Swift.max(1, cardinality(level)) + v
          continue
        }
        switch i {
        case 0: key.a = value
        case 1: key.b = value
        case 2: key.c = value
        default: key.d = value
        }
      }
      let existing: Int? = dense ? (grid[index] >= 0 ? Int(grid[index]) : nil) : cellOf[key]
      if let c = existing {
        unitCell[row] = c
        respondents[c] += 1
      } else {
        unitCell[row] = firstUnit.count
        if dense { grid[index] = Int32(firstUnit.count) } else { cellOf[key] = firstUnit.count }
        firstUnit.append(row)
        respondents.append(1)
      }
    }
    let keys = firstUnit.map { row in levels.map { name($0, code($0, row)) } }
    let slots = keys.count * areaCount
    let denominator = scores.denominator
    let exact = denominator != nil
    // Multipliers L/c for c valid answers, so a score s/c is the integer s·(L/c).
    let multipliers: [Int64] =
      denominator.map { l in
        (0...max(1, Int(scores.validItemCounts.max() ?? 1))).map { c in c == 0 ? 0 : Int64(l / c) }
      }
      ?? []
    // One accumulator per cell x area, contiguous (a response's areas are neighbours), as
    // small as the data allow: cells are visited in the responses' order, often at random,
    // so the bytes touched per response decide the speed. 64-bit sums when no sum can
    // overflow them, else 128-bit.
    var scoreCounts = [[Double: Int]](repeating: [:], count: exact ? 0 : slots)
    var answerSumCounts = scoreCounts
    var levelCounts = [Int32](repeating: 0, count: slots * levelCount)
    let hasLevels = levelCount > 0 && !scores.levelIndices.isEmpty
    func accumulate<T: FixedWidthInteger & SignedInteger>(_: T.Type) -> [SummarySlot<T>] {
      var accumulators = [SummarySlot<T>](repeating: SummarySlot<T>(), count: slots)
      scores.values.withUnsafeBufferPointer { values in
        scores.validItemCounts.withUnsafeBufferPointer { validItemCounts in
          scores.answerSumValues.withUnsafeBufferPointer { answerSums in
            scores.belowMinimumFlags.withUnsafeBufferPointer { belowFlags in
              scores.levelIndices.withUnsafeBufferPointer { levelIndices in
                unitCell.withUnsafeBufferPointer { unitCell in
                  multipliers.withUnsafeBufferPointer { multipliers in
                    levelCounts.withUnsafeMutableBufferPointer { levelCounts in
                      accumulators.withUnsafeMutableBufferPointer { acc in
                        let units = scores.count
                        for row in 0..<units {
                          let base = unitCell[row] &* areaCount
                          for a in 0..<areaCount {
                            let slot = base &+ a
                            let index = row &* areaCount &+ a
                            let answers = Int(validItemCounts[index])
                            let answerSum = answerSums[index]
                            if answers > 0 {
                              acc[slot].answerCount &+= T(answers)
                              if exact {
                                acc[slot].answerTotal &+= T(Int64(answerSum))
                              } else {
                                answerSumCounts[slot][answerSum, default: 0] += 1
                              }
                            }
                            let v = values[a &* units &+ row]
                            if v.isNaN {
                              if belowFlags[index] { acc[slot].belowMinimum &+= 1 }
                              continue
                            }
                            acc[slot].n &+= 1
                            if exact {
                              let q = T(Int64(answerSum) &* multipliers[answers])
                              acc[slot].sum &+= q
                              acc[slot].squares &+= q &* q
                            } else {
                              scoreCounts[slot][v, default: 0] += 1
                            }
                            if hasLevels {
                              let level = levelIndices[index]
                              if level >= 0 { levelCounts[slot &* levelCount &+ Int(level)] &+= 1 }
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
      }
      return accumulators
    }
    // Largest |q| = |score|·L; Int64 holds every sum when n·q² stays below 2⁶².
    let largestQ = Double(multipliers.max() ?? 0) * (scores.answerSumValues.lazy.map(abs).max() ?? 0)
    let fitsInt64 = largestQ * largestQ * Double(Swift.max(1, scores.count)) < 0x1p62
    let accumulators: [SummarySlot<Int128>] =
      fitsInt64
      ? accumulate(Int64.self).map {
        SummarySlot(
          sum: Int128($0.sum), squares: Int128($0.squares), answerTotal: Int128($0.answerTotal),
          answerCount: Int128($0.answerCount), n: $0.n, belowMinimum: $0.belowMinimum)
      } : accumulate(Int128.self)
    // Item answers: per cell x item, the counts of each option then NA, PNS, skipped.
    var itemTallies: [[ItemTally]] = Array(repeating: [], count: keys.count)
    if let table {
      let runs = table.responseRuns()
      let items = table.instrument.items
      let optionCounts = items.map { table.instrument.scale($0.scale)?.options.count ?? 0 }
      let stride = (optionCounts.max() ?? 0) + 3
      var counts = [Int](repeating: 0, count: keys.count * items.count * stride)
      table.value.withUnsafeBufferPointer { values in
        table.item.withUnsafeBufferPointer { itemCodes in
          runs.forEachRun { response, rows in
            let cellBase = unitCell[response] * items.count
            for r in rows {
              let item = Int(itemCodes[r])
              let base = (cellBase + item) * stride
              let v = Int(values[r])
              switch Int16(v) {
              case SurveyTable.Value.notApplicable: counts[base + stride - 3] += 1
              case SurveyTable.Value.preferNotToSay: counts[base + stride - 2] += 1
              case SurveyTable.Value.skipped: counts[base + stride - 1] += 1
              default: if v >= 0 && v < optionCounts[item] { counts[base + v] += 1 }
              }
            }
          }
        }
      }
      let codeOrder = items.indices.sorted { items[$0].code < items[$1].code }
      for c in 0..<keys.count {
        for item in codeOrder {
          let base = (c * items.count + item) * stride
          let slice = counts[base..<(base + stride)]
          guard slice.contains(where: { $0 > 0 }) else { continue }
          itemTallies[c].append(
            ItemTally(
              item: items[item].code,
              optionCounts: Array(counts[base..<(base + optionCounts[item])]),
              notApplicable: counts[base + stride - 3], preferNotToSay: counts[base + stride - 2],
              skipped: counts[base + stride - 1]))
        }
      }
    }
    func sorted(_ d: [Double: Int]) -> [ValueCount] {
      d.map { ValueCount(value: $0.key, count: $0.value) }.sorted { $0.value < $1.value }
    }
    var cells: [Cell] = []
    cells.reserveCapacity(keys.count)
    for c in keys.indices.sorted(by: { Self.precedes(keys[$0], keys[$1]) }) {
      let key = keys[c]
      cells.append(
        Cell(
          key: key, respondents: respondents[c],
          areas: (0..<areaCount).map { a in
            let slot = c * areaCount + a
            let t = accumulators[slot]
            return AreaTally(
              n: Int(t.n), sum: exact ? ExactInteger(t.sum) : nil,
              sumOfSquares: exact ? ExactInteger(t.squares) : nil,
              scores: exact ? nil : sorted(scoreCounts[slot]), belowMinimum: Int(t.belowMinimum),
              levelCounts: levelCounts[(slot * levelCount)..<((slot + 1) * levelCount)].map {
                Int($0)
              },
              answerCount: Int(t.answerCount),
              answerTotal: exact ? ExactInteger(t.answerTotal) : nil,
              answerSums: exact ? nil : sorted(answerSumCounts[slot]))
          },
          items: itemTallies[c]))
    }
    self.cells = cells
    self.waves = Self.orderWaves(
      Set(codes.waves.indices.filter { waveSeen[$0] }.map { codes.waves[$0] }))
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
    guard other.areas == areas, other.levelLabels == levelLabels, other.groups == groups,
      other.denominator == denominator
    else {
      throw ScoringError.incompatiblePartials("areas, groups, maturity levels or scoring differ")
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
        t.n += u.n
        t.sum = Self.add(t.sum, u.sum)
        t.sumOfSquares = Self.add(t.sumOfSquares, u.sumOfSquares)
        t.answerTotal = Self.add(t.answerTotal, u.answerTotal)
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

  static func add(_ a: ExactInteger?, _ b: ExactInteger?) -> ExactInteger? {
    guard let a, let b else { return a ?? b }
    return ExactInteger(a.value + b.value)
  }

  static func add(_ a: [ValueCount]?, _ b: [ValueCount]?) -> [ValueCount]? {
    guard let a, let b else { return a ?? b }
    return add(a, b)
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
  public static func orderWaves(_ waves: Set<String>) -> [String] {
    if waves.allSatisfy({ Double($0) != nil }) {
      return waves.sorted { (Double($0) ?? 0, $0) < (Double($1) ?? 0, $1) }
    }
    return waves.sorted { $0.unicodeScalars.lexicographicallyPrecedes($1.unicodeScalars) }
  }
}

/// Running sums of one cell and area while summarising (see ``ScoreSummary``).
struct SummarySlot<T: FixedWidthInteger & SignedInteger> {
  var sum: T = 0
  var squares: T = 0
  var answerTotal: T = 0
  var answerCount: T = 0
  var n: Int32 = 0
  var belowMinimum: Int32 = 0
}
