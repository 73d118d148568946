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
    for r in 0..<table.count {
      let row = responseOfRow[r]
      let item = Int(table.item[r])
      let a = itemArea[item]
      guard a >= 0, let s = table.score(at: r) else { continue }
      sums[row][a] += weights[item] * s
      weightSums[row][a] += weights[item]
      plainSums[row][a] += s
      counts[row][a] += 1
    }
    var values = Matrix(rows: units.count, columns: areas.count, repeating: .nan)
    var belowMinimum = [Int](repeating: 0, count: areas.count)
    let groupIndex = Dictionary(
      uniqueKeysWithValues: instrument.groups.enumerated().map { ($0.element.id, $0.offset) })
    for (row, unit) in units.enumerated() {
      let g = groupIndex[unit.group] ?? 0
      for a in 0..<areas.count {
        let asked = itemsFor[a][g]
        guard asked > 0 else { continue }  // the area is not asked of this group
        let needed = minimumValidItems ?? (asked + 1) / 2
        if counts[row][a] >= max(1, needed) {
          values[row, a] = sums[row][a] / weightSums[row][a]
        } else {
          belowMinimum[a] += 1
        }
      }
    }
    return RespondentScores(
      areas: areas.map(\.id), units: units, values: values, validItems: counts,
      answerSums: plainSums,
      belowMinimum: Dictionary(uniqueKeysWithValues: zip(areas.map(\.id), belowMinimum)))
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

  /// The score of `row` in `area`, or `nil`.
  public func value(row: Int, area: String) -> Double? {
    guard let a = areas.firstIndex(of: area) else { return nil }
    let v = values[row, a]
    return v.isNaN ? nil : v
  }
}
