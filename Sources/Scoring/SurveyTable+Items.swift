import Ingest
import MatrixCore

extension SurveyTable {
  /// The scored answers to `items` as a respondents x items matrix (`NaN` for no score),
  /// one row per response (school, wave, respondent), optionally only of `group`.
  ///
  /// Scores apply the instrument's option scores and reverse keys (`min + max − score` over
  /// the scale's options). Respondents without any scored answer to these items are left out.
  public func itemResponses(items codes: [String], group groupID: String? = nil) -> ItemResponses {
    let itemIndex = Dictionary(
      uniqueKeysWithValues: instrument.items.enumerated().map { ($0.element.code, $0.offset) })
    var column = [Int](repeating: -1, count: instrument.items.count)
    for (j, code) in codes.enumerated() {
      if let i = itemIndex[code] { column[i] = j }
    }
    let groupIndex = groupID.flatMap { g in instrument.groups.firstIndex { $0.id == g } }
    let (responseOfRow, firstRows) = responseIndex()
    var rowOfResponse = [Int](repeating: -1, count: firstRows.count)
    var rows: [[Double]] = []
    for r in 0..<count {
      let j = column[Int(item[r])]
      guard j >= 0, let s = score(at: r) else { continue }
      if let g = groupIndex, Int(group[r]) != g { continue }
      let response = responseOfRow[r]
      if rowOfResponse[response] < 0 {
        rowOfResponse[response] = rows.count
        rows.append([Double](repeating: .nan, count: codes.count))
      }
      rows[rowOfResponse[response]][j] = s
    }
    let matrix = Matrix(rows: rows.count, columns: codes.count) { i, j in rows[i][j] }
    return ItemResponses(items: codes, values: matrix)
  }
}

extension SurveyTable {
  /// The response (school, wave, respondent) of every row, numbered by first appearance, and
  /// the first row of each response: the grouping that scoring and reliability share.
  func responseIndex() -> (ofRow: [Int], firstRow: [Int]) {
    struct Key: Hashable {
      let school: Int32
      let wave: Int32
      let respondent: Int32
    }
    var number: [Key: Int] = [:]
    number.reserveCapacity(Swift.min(count, Swift.max(respondents.count, 1 << 10)))
    var ofRow = [Int](repeating: 0, count: count)
    var firstRow: [Int] = []
    var previous = Key(school: -1, wave: -1, respondent: -1)
    var previousNumber = 0
    for r in 0..<count {
      let key = Key(school: school[r], wave: wave[r], respondent: respondent[r])
      if key == previous {  // rows of one response usually follow each other
        ofRow[r] = previousNumber
        continue
      }
      previous = key
      if let n = number[key] {
        previousNumber = n
        ofRow[r] = n
      } else {
        number[key] = firstRow.count
        previousNumber = firstRow.count
        ofRow[r] = firstRow.count
        firstRow.append(r)
      }
    }
    return (ofRow, firstRow)
  }
}

/// Reliability of every area of an instrument, optionally per respondent group.
public struct AreaReliability: Sendable, Codable, Equatable {
  /// Area id.
  public let area: String
  /// Respondent group, or `nil` for all groups pooled.
  public let group: String?
  /// The statistics, or `nil` when they cannot be computed (see ``problem``).
  public let reliability: Reliability?
  /// Why there are no statistics (too few items or respondents), in a full sentence.
  public let problem: String?

  /// Pairs an area (and group) with its statistics or the reason there are none.
  public init(area: String, group: String?, reliability: Reliability?, problem: String?) {
    self.area = area
    self.group = group
    self.reliability = reliability
    self.problem = problem
  }

  /// Computes the reliability of each area of `table`'s instrument.
  ///
  /// - Parameters:
  ///   - byGroup: one analysis per area and respondent group instead of pooling groups.
  ///   - analysis: settings (missing-data handling).
  public static func compute(
    _ table: SurveyTable, byGroup: Bool = false,
    analysis: ReliabilityAnalysis = ReliabilityAnalysis()
  ) -> [AreaReliability] {
    let instrument = table.instrument
    var results: [AreaReliability] = []
    let groups: [String?] = byGroup ? instrument.groups.map(\.id) : [nil]
    for area in instrument.areas.sorted(by: { $0.order < $1.order }) {
      for group in groups {
        let codes = instrument.items.filter { item in
          item.area == area.id && item.targetOf == nil
            && (group.map { item.groups.contains($0) } ?? true)
        }.map(\.code)
        let responses = table.itemResponses(items: codes, group: group)
        do {
          let fit = try analysis.fit(responses)
          results.append(
            AreaReliability(area: area.id, group: group, reliability: fit, problem: nil))
        } catch {
          results.append(
            AreaReliability(area: area.id, group: group, reliability: nil, problem: "\(error)"))
        }
      }
    }
    return results
  }
}
