import Ingest
import MatrixCore

/// Respondent-level area scores: the mean of the valid item scores of each area, after option
/// scores and reverse keys, when enough items were answered.
///
/// ```swift
/// let scores = AreaScorer().score(table)          // one row per response
/// scores.value(row: 0, area: "A")                  // nil when below the minimum
/// ```
///
/// A score needs at least ``minimumValidItems`` valid answers ("not applicable", "prefer not
/// to say" and skipped answers are not valid), or, when that is `nil`, at least half (rounded
/// up) of the area's items meant for the respondent's group. Missing scores are counted per
/// area in ``RespondentScores/belowMinimum``. Item weights from the instrument are applied.
/// With a level scheme in the instrument, each score also gets a maturity level by the
/// scheme's rule (thresholds on the mean; the mean rounded half up; or the median item score).
public struct AreaScorer: Sendable {
  /// Valid answers an area score needs; `nil` means half of the area's items for the group.
  public var minimumValidItems: Int?

  /// Creates a scorer.
  public init(minimumValidItems: Int? = nil) { self.minimumValidItems = minimumValidItems }

  /// Scores every response of `table`.
  public func score(_ table: SurveyTable) -> RespondentScores {
    let instrument = table.instrument
    let areas = instrument.areas.sorted { $0.order < $1.order }
    let areaPosition = Dictionary(
      uniqueKeysWithValues: areas.enumerated().map { ($0.element.id, $0.offset) })
    let itemArea = instrument.items.map { $0.targetOf == nil ? areaPosition[$0.area] ?? -1 : -1 }
    let weights = instrument.items.map { $0.weight ?? 1 }
    // Items per area and group, for the default minimum.
    var itemsFor = [[Int]](
      repeating: [Int](repeating: 0, count: instrument.groups.count), count: areas.count)
    for (i, item) in instrument.items.enumerated() where itemArea[i] >= 0 {
      for (g, group) in instrument.groups.enumerated() where item.groups.contains(group.id) {
        itemsFor[itemArea[i]][g] += 1
      }
    }
    let runs = table.responseRuns()
    let firstRows = runs.firstRow
    let unitCodes = RespondentScores.UnitCodes(table: table, firstRows: firstRows)
    let unitCount = firstRows.count
    let areaCount = areas.count
    // Flat units x areas accumulators (row-major), and each item's score per option code
    // (after reverse keying) in one flat table, so the pass over the rows does no lookups by
    // name.
    // Unweighted instruments (the usual case) need only the plain sums and counts.
    let weighted = weights.contains { $0 != 1 }
    var plainSums = [Double](repeating: 0, count: unitCount * areaCount)
    var counts = [Int32](repeating: 0, count: unitCount * areaCount)
    var weightedSums = [Double](repeating: 0, count: weighted ? unitCount * areaCount : 0)
    var weightSums = weightedSums
    let optionScores: [[Double]] = instrument.items.map { item in
      guard let scale = instrument.scale(item.scale) else { return [] }
      let range = scale.scoreRange
      return scale.options.map {
        item.reverse ? range.lowerBound + range.upperBound - $0.score : $0.score
      }
    }
    // One lookup per answer: item x option → (area, score), area -1 for an item outside the
    // areas or an option outside the scale.
    let stride = (optionScores.map(\.count).max() ?? 0) + 1
    var lookupArea = [Int32](repeating: -1, count: instrument.items.count * stride)
    var lookupScore = [Double](repeating: 0, count: instrument.items.count * stride)
    for (i, scores) in optionScores.enumerated() where itemArea[i] >= 0 {
      for (o, score) in scores.enumerated() {
        lookupArea[i * stride + o] = Int32(itemArea[i])
        lookupScore[i * stride + o] = score
      }
    }
    let scheme = instrument.levelScheme
    // The median rule needs each respondent's item scores per area.
    var itemScores: [[Double]] =
      scheme?.rule == .median
      ? [[Double]](repeating: [], count: unitCount * areaCount) : []
    let collectItemScores = !itemScores.isEmpty
    table.value.withUnsafeBufferPointer { values in
      table.item.withUnsafeBufferPointer { itemCodes in
        lookupArea.withUnsafeBufferPointer { lookupArea in
          lookupScore.withUnsafeBufferPointer { lookupScore in
            plainSums.withUnsafeMutableBufferPointer { sums in
              counts.withUnsafeMutableBufferPointer { n in
                runs.forEachRun { response, rows in
                  let base = response &* areaCount
                  // A response's answers to one area usually follow each other: sum them in
                  // registers and store once per stretch.
                  var current = -1
                  var stretchSum = 0.0
                  var stretchCount: Int32 = 0
                  for r in rows {
                    let v = Int(values[r])
                    guard v >= 0, v < stride else { continue }
                    let item = Int(itemCodes[r])
                    let index = item &* stride &+ v
                    guard index < lookupArea.count else { continue }
                    let a = Int(lookupArea[index])
                    guard a >= 0 else { continue }
                    let s = lookupScore[index]
                    if a != current {
                      if current >= 0 {
                        sums[base &+ current] += stretchSum
                        n[base &+ current] &+= stretchCount
                      }
                      current = a
                      stretchSum = 0
                      stretchCount = 0
                    }
                    stretchSum += s
                    stretchCount &+= 1
                    if weighted {
                      weightedSums[base &+ a] += weights[item] * s
                      weightSums[base &+ a] += weights[item]
                    }
                    if collectItemScores { itemScores[base &+ a].append(s) }
                  }
                  if current >= 0 {
                    sums[base &+ current] += stretchSum
                    n[base &+ current] &+= stretchCount
                  }
                }
              }
            }
          }
        }
      }
    }
    // Scores, levels and "below the minimum" flags per response and area. The minimum and
    // whether the area is asked depend only on the group: precomputed per group x area.
    let groupCount = instrument.groups.count
    var neededFor = [Int32](repeating: -1, count: groupCount * areaCount)  // -1: not asked
    for g in 0..<groupCount {
      for a in 0..<areaCount where itemsFor[a][g] > 0 {
        neededFor[g * areaCount + a] = Int32(Swift.max(1, minimumValidItems ?? (itemsFor[a][g] + 1) / 2))
      }
    }
    var scoreElements = [Double](repeating: .nan, count: unitCount * areaCount)  // column-major
    let levelMinima = scheme?.levels.map(\.minimum) ?? []
    var belowMinimum = [Int](repeating: 0, count: areaCount)
    var levelIndices = [Int8](repeating: -1, count: scheme == nil ? 0 : unitCount * areaCount)
    var below = [Bool](repeating: false, count: unitCount * areaCount)
    scoreElements.withUnsafeMutableBufferPointer { out in
      below.withUnsafeMutableBufferPointer { below in
        levelIndices.withUnsafeMutableBufferPointer { levelIndices in
          plainSums.withUnsafeBufferPointer { sums in
            counts.withUnsafeBufferPointer { counts in
              for row in 0..<unitCount {
                let groupBase = Int(unitCodes.group[row]) &* areaCount
                for a in 0..<areaCount {
                  let needed = neededFor[groupBase &+ a]
                  guard needed >= 0 else { continue }  // the area is not asked of this group
                  let cell = row &* areaCount &+ a
                  guard counts[cell] >= needed else {
                    belowMinimum[a] += 1
                    below[cell] = true
                    continue
                  }
                  let value =
                    weighted
                    ? weightedSums[cell] / weightSums[cell] : sums[cell] / Double(counts[cell])
                  out[a &* unitCount &+ row] = value
                  guard let scheme else { continue }
                  let basis: Double
                  switch scheme.rule {
                  case .thresholds: basis = value
                  case .roundedMean: basis = (value + 0.5).rounded(.down)
                  case .median: basis = median(itemScores[cell])
                  }
                  // The highest level whose minimum is at most the basis
                  // (LevelScheme.level(for:)).
                  guard basis.isFinite else { continue }
                  var index = levelMinima.count - 1
                  while index >= 0 && !(levelMinima[index] <= basis) { index -= 1 }
                  if index >= 0 { levelIndices[cell] = Int8(clamping: index) }
                }
              }
            }
          }
        }
      }
    }
    let values = Matrix(rows: unitCount, columns: areaCount, columnMajor: scoreElements)
    // Integer mode: integer option scores, unweighted items, and L·maxScore within 2⁶².
    var denominator: Int?
    let integerScores = optionScores.allSatisfy { $0.allSatisfy { $0 == $0.rounded() } }
    let unweighted = instrument.items.allSatisfy { $0.weight == nil || $0.weight == 1 }
    let largest = optionScores.joined().map(abs).max() ?? 0
    let mostItems = (0..<areaCount).map { a in itemArea.filter { $0 == a }.count }.max() ?? 0
    if integerScores && unweighted && mostItems > 0 {
      var l = 1
      for k in 1...mostItems { l = l / gcd(l, k) * k }
      if Double(l) * max(largest, 1) * Double(mostItems) < 0x1p62 { denominator = l }
    }
    return RespondentScores(
      instrument: instrument.id, denominator: denominator, groups: instrument.groups.map(\.id),
      areas: areas.map(\.id),
      codes: unitCodes, values: values, validItemCounts: counts, answerSumValues: plainSums,
      belowMinimum: Dictionary(uniqueKeysWithValues: zip(areas.map(\.id), belowMinimum)),
      levelLabels: scheme?.levels.map(\.label) ?? [], levelIndices: levelIndices,
      belowMinimumFlags: below)
  }
}

/// Area scores per response (school, wave, respondent).
public struct RespondentScores: Sendable {
  /// Who gave a response.
  public struct Unit: Sendable, Codable, Equatable, Hashable {
    /// School id.
    public let school: String
    /// Respondent id.
    public let respondent: String
    /// Respondent group.
    public let group: String
    /// Wave label.
    public let wave: String
    /// Hub id, when known.
    public let hub: String?
    /// Teacher id, when the response is linked to one.
    public let teacher: String?
  }

  /// Id of the instrument the scores come from.
  public let instrument: String
  /// When every option score is an integer and no item is weighted: the least common
  /// multiple `L` of 1...k, k the most items of an area, so that every score times `L` is an
  /// integer (exact, mergeable aggregates); otherwise `nil`.
  public let denominator: Int?
  /// The instrument's respondent groups, in its order.
  public let groups: [String]
  /// Area ids in report order (the columns of ``values``).
  public let areas: [String]
  /// Integer codes of the responses' school, group, wave, hub, teacher and respondent.
  let codes: UnitCodes
  /// Number of responses (the rows of ``values``).
  public var count: Int { codes.school.count }

  /// The response in row `row` of ``values``.
  public func unit(_ row: Int) -> Unit {
    Unit(
      school: codes.schools[Int(codes.school[row])],
      respondent: codes.respondents[Int(codes.respondent[row])],
      group: codes.groups[Int(codes.group[row])], wave: codes.waves[Int(codes.wave[row])],
      hub: codes.hub[row] < 0 ? nil : codes.hubs[Int(codes.hub[row])],
      teacher: codes.teacher[row] < 0 ? nil : codes.teachers[Int(codes.teacher[row])])
  }

  /// The responses (the rows of ``values``), built on each call: prefer ``unit(_:)`` in loops.
  public var units: [Unit] { (0..<count).map(unit) }

  /// Per response, the codes of the survey table (-1 for no hub or teacher), and their names.
  struct UnitCodes: Sendable {
    var school: [Int32] = []
    var respondent: [Int32] = []
    var group: [UInt8] = []
    var wave: [Int32] = []
    var hub: [Int32] = []
    var teacher: [Int32] = []
    let schools, respondents, groups, waves, hubs, teachers: [String]
    /// Wave codes in analysis order.
    let waveOrder: [Int32]

    init(table: SurveyTable, firstRows: [Int]) {
      schools = table.schools
      respondents = table.respondents
      groups = table.instrument.groups.map(\.id)
      waves = table.waves
      hubs = table.hubs
      teachers = table.teachers
      waveOrder = table.waveOrder
      school.reserveCapacity(firstRows.count)
      respondent.reserveCapacity(firstRows.count)
      group.reserveCapacity(firstRows.count)
      wave.reserveCapacity(firstRows.count)
      hub.reserveCapacity(firstRows.count)
      teacher.reserveCapacity(firstRows.count)
      for r in firstRows {
        school.append(table.school[r])
        respondent.append(table.respondent[r])
        group.append(table.group[r])
        wave.append(table.wave[r])
        hub.append(table.hub.isEmpty ? -1 : table.hub[r])
        teacher.append(table.teacher.isEmpty ? -1 : table.teacher[r])
      }
    }
  }
  /// `units x areas`; `NaN` where the area was not asked or too few items were valid.
  public let values: Matrix
  /// Valid answers per unit and area, `units x areas` row-major.
  let validItemCounts: [Int32]
  /// Sum of the valid item scores (unweighted), `units x areas` row-major.
  let answerSumValues: [Double]

  /// Valid answers of `row` in area column `area`.
  public func validItems(row: Int, area: Int) -> Int {
    Int(validItemCounts[row * areas.count + area])
  }

  /// Sum of the valid item scores (unweighted) of `row` in area column `area`, for the
  /// "mean of all answers".
  public func answerSum(row: Int, area: Int) -> Double {
    answerSumValues[row * areas.count + area]
  }
  /// Per area: responses whose score is missing because too few items were valid.
  public let belowMinimum: [String: Int]
  /// The instrument's maturity levels, lowest first (empty without a level scheme).
  public let levelLabels: [String]
  /// `units x areas` row-major indices into ``levelLabels``; -1 where there is no level.
  let levelIndices: [Int8]
  /// `units x areas` row-major: the area was asked but too few items were valid.
  let belowMinimumFlags: [Bool]

  func isBelowMinimum(row: Int, area: Int) -> Bool { belowMinimumFlags[row * areas.count + area] }

  func levelIndex(row: Int, area: Int) -> Int? {
    guard !levelIndices.isEmpty else { return nil }
    let i = levelIndices[row * areas.count + area]
    return i < 0 ? nil : Int(i)
  }

  /// The maturity level of `row` in area column `area` under the instrument's level scheme
  /// (its rule: thresholds on the mean, rounded mean, or median of the item scores), or `nil`.
  public func level(row: Int, areaIndex area: Int) -> String? {
    guard !levelIndices.isEmpty else { return nil }
    let i = levelIndices[row * areas.count + area]
    return i < 0 ? nil : levelLabels[Int(i)]
  }

  /// The score of `row` in `area`, or `nil`.
  public func value(row: Int, area: String) -> Double? {
    guard let a = areas.firstIndex(of: area) else { return nil }
    let v = values[row, a]
    return v.isNaN ? nil : v
  }
}

func gcd(_ a: Int, _ b: Int) -> Int { b == 0 ? a : gcd(b, a % b) }
