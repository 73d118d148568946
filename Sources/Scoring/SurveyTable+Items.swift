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
  ///
  /// A small open-addressing table keyed by the three integer codes (a multiplicative hash,
  /// no SipHash): this runs once per answer row, tens of millions of times on a large file.
  func responseIndex() -> (ofRow: [Int], firstRow: [Int]) {
    var table = ResponseTable(capacity: Swift.min(count, Swift.max(respondents.count, 1 << 10)))
    var ofRow = [Int](repeating: 0, count: count)
    var firstRow: [Int] = []
    var previous: (Int32, Int32, Int32) = (-1, -1, -1)
    var previousNumber = 0
    school.withUnsafeBufferPointer { schools in
      wave.withUnsafeBufferPointer { waves in
        respondent.withUnsafeBufferPointer { respondents in
          ofRow.withUnsafeMutableBufferPointer { out in
            for r in 0..<schools.count {
              let key = (schools[r], waves[r], respondents[r])
              if key == previous {  // rows of one response usually follow each other
                out[r] = previousNumber
                continue
              }
              previous = key
              let n = table.number(key, next: firstRow.count)
              if n == firstRow.count { firstRow.append(r) }
              previousNumber = n
              out[r] = n
            }
          }
        }
      }
    }
    return (ofRow, firstRow)
  }
}

/// Open addressing over (school, wave, respondent) codes → response number.
struct ResponseTable {
  private var schools: [Int32]
  private var waves: [Int32]
  private var respondents: [Int32]
  private var numbers: [Int32]
  private var mask: Int
  private var used = 0

  init(capacity: Int) {
    var size = 16
    while size < 2 * Swift.max(capacity, 1) { size <<= 1 }
    schools = [Int32](repeating: 0, count: size)
    waves = schools
    respondents = schools
    numbers = [Int32](repeating: -1, count: size)
    mask = size - 1
  }

  @inline(__always)
  static func hash(_ key: (Int32, Int32, Int32)) -> Int {
    var h = UInt64(UInt32(bitPattern: key.0)) &* 0x9E37_79B9_7F4A_7C15
    h ^= UInt64(UInt32(bitPattern: key.1)) &* 0xC2B2_AE3D_27D4_EB4F
    h ^= UInt64(UInt32(bitPattern: key.2)) &* 0x1656_67B1_9E37_79F9
    return Int(truncatingIfNeeded: h ^ (h >> 29))
  }

  /// The number of `key`; when new, it gets `next`.
  mutating func number(_ key: (Int32, Int32, Int32), next: Int) -> Int {
    var i = Self.hash(key) & mask
    while numbers[i] >= 0 {
      if schools[i] == key.0 && respondents[i] == key.2 && waves[i] == key.1 {
        return Int(numbers[i])
      }
      i = (i + 1) & mask
    }
    schools[i] = key.0
    waves[i] = key.1
    respondents[i] = key.2
    numbers[i] = Int32(next)
    used += 1
    if 2 * used > mask + 1 { grow() }
    return next
  }

  private mutating func grow() {
    let old = (schools, waves, respondents, numbers)
    let size = (mask + 1) * 2
    schools = [Int32](repeating: 0, count: size)
    waves = schools
    respondents = schools
    numbers = [Int32](repeating: -1, count: size)
    mask = size - 1
    for j in 0..<old.3.count where old.3[j] >= 0 {
      var i = Self.hash((old.0[j], old.1[j], old.2[j])) & mask
      while numbers[i] >= 0 { i = (i + 1) & mask }
      schools[i] = old.0[j]
      waves[i] = old.1[j]
      respondents[i] = old.2[j]
      numbers[i] = old.3[j]
    }
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
