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
    let (responseOfRow, firstRows) = table.responseIndex()
    let units = firstRows.map { r in
      RespondentScores.Unit(
        school: table.schools[Int(table.school[r])],
        respondent: table.respondents[Int(table.respondent[r])],
        group: instrument.groups[Int(table.group[r])].id, wave: table.waves[Int(table.wave[r])],
        hub: table.hub.isEmpty || table.hub[r] < 0 ? nil : table.hubs[Int(table.hub[r])],
        teacher: table.teacher.isEmpty || table.teacher[r] < 0
          ? nil : table.teachers[Int(table.teacher[r])])
    }
    let zeros = [Double](repeating: 0, count: areas.count)
    var sums = [[Double]](repeating: zeros, count: units.count)
    var weightSums = sums
    var plainSums = sums
    var counts = [[Int]](repeating: [Int](repeating: 0, count: areas.count), count: units.count)
    let scheme = instrument.levelScheme
    // The median rule needs each respondent's item scores per area.
    var itemScores: [[[Double]]] =
      scheme?.rule == .median
      ? [[[Double]]](repeating: [[Double]](repeating: [], count: areas.count), count: units.count)
      : []
    for r in 0..<table.count {
      let row = responseOfRow[r]
      let item = Int(table.item[r])
      let a = itemArea[item]
      guard a >= 0, let s = table.score(at: r) else { continue }
      sums[row][a] += weights[item] * s
      weightSums[row][a] += weights[item]
      plainSums[row][a] += s
      counts[row][a] += 1
      if !itemScores.isEmpty { itemScores[row][a].append(s) }
    }
    var values = Matrix(rows: units.count, columns: areas.count, repeating: .nan)
    var belowMinimum = [Int](repeating: 0, count: areas.count)
    var levelIndices = [Int8](repeating: -1, count: scheme == nil ? 0 : units.count * areas.count)
    var below = [Bool](repeating: false, count: units.count * areas.count)
    let groupIndex = Dictionary(
      uniqueKeysWithValues: instrument.groups.enumerated().map { ($0.element.id, $0.offset) })
    for (row, unit) in units.enumerated() {
      let g = groupIndex[unit.group] ?? 0
      for a in 0..<areas.count {
        let asked = itemsFor[a][g]
        guard asked > 0 else { continue }  // the area is not asked of this group
        let needed = minimumValidItems ?? (asked + 1) / 2
        if counts[row][a] >= max(1, needed) {
          let value = sums[row][a] / weightSums[row][a]
          values[row, a] = value
          if let scheme {
            let basis: Double
            switch scheme.rule {
            case .thresholds: basis = value
            case .roundedMean: basis = (value + 0.5).rounded(.down)
            case .median: basis = median(itemScores[row][a])
            }
            if let label = scheme.level(for: basis),
              let index = scheme.levels.firstIndex(where: { $0.label == label })
            {
              levelIndices[row * areas.count + a] = Int8(clamping: index)
            }
          }
        } else {
          belowMinimum[a] += 1
          below[row * areas.count + a] = true
        }
      }
    }
    return RespondentScores(
      instrument: instrument.id, groups: instrument.groups.map(\.id), areas: areas.map(\.id),
      units: units, values: values, validItems: counts,
      answerSums: plainSums,
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
  /// The instrument's respondent groups, in its order.
  public let groups: [String]
  /// Area ids in report order (the columns of ``values``).
  public let areas: [String]
  /// The responses (the rows of ``values``).
  public let units: [Unit]
  /// `units x areas`; `NaN` where the area was not asked or too few items were valid.
  public let values: Matrix
  /// Valid answers per unit and area.
  public let validItems: [[Int]]
  /// Sum of the valid item scores per unit and area (unweighted), for "mean of all answers".
  public let answerSums: [[Double]]
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
