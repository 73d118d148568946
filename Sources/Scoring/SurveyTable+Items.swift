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
    let runs = responseRuns()
    // Each item's score per option index, after reverse keying; NaN past the scale.
    let optionScores: [[Double]] = instrument.items.map { item in
      guard let scale = instrument.scale(item.scale) else { return [] }
      let range = scale.scoreRange
      return scale.options.map {
        item.reverse ? range.lowerBound + range.upperBound - $0.score : $0.score
      }
    }
    var rowOfResponse = [Int32](repeating: -1, count: runs.responseCount)
    var rowCount = 0
    // Row-major respondents x items while gathering; transposed once at the end.
    var gathered: [Double] = []
    let width = codes.count
    value.withUnsafeBufferPointer { values in
      item.withUnsafeBufferPointer { items in
        runs.forEachRun { response, rows in
          for r in rows {
            let v = Int(values[r])
            guard v >= 0 else { continue }
            let it = Int(items[r])
            let j = column[it]
            guard j >= 0, v < optionScores[it].count else { continue }
            if let g = groupIndex, Int(group[r]) != g { continue }
            if rowOfResponse[response] < 0 {
              rowOfResponse[response] = Int32(rowCount)
              rowCount += 1
              gathered.append(contentsOf: repeatElement(Double.nan, count: width))
            }
            gathered[Int(rowOfResponse[response]) * width + j] = optionScores[it][v]
          }
        }
      }
    }
    let matrix = Matrix(rows: rowCount, columns: width) { i, j in gathered[i * width + j] }
    return ItemResponses(items: codes, values: matrix)
  }
}

/// The rows of a survey table grouped by response (school, wave, respondent), responses
/// numbered by first appearance: the grouping that scoring and reliability share.
///
/// Rows of one response usually follow each other (always in a wide file, usually in a long
/// one), so the grouping is stored as runs of consecutive rows, not a number per row: a wide
/// table of a million responses has a million runs, not forty million entries.
struct ResponseRuns {
  /// Rows `starts[i]..<starts[i + 1]` belong to response `responses[i]`; `starts` ends with
  /// the row count.
  var starts: [Int] = [0]
  /// Response number of each run.
  var responses: [Int32] = []
  /// First row of each response.
  var firstRow: [Int] = []

  /// Number of runs.
  var runCount: Int { responses.count }
  /// Number of responses.
  var responseCount: Int { firstRow.count }

  /// Calls `body(response, rows)` for each run, in row order.
  @inline(__always)
  func forEachRun(_ body: (Int, Range<Int>) -> Void) {
    starts.withUnsafeBufferPointer { starts in
      responses.withUnsafeBufferPointer { responses in
        for i in 0..<responses.count { body(Int(responses[i]), starts[i]..<starts[i &+ 1]) }
      }
    }
  }
}

extension SurveyTable {
  /// The rows grouped by response (see ``ResponseRuns``).
  ///
  /// A response's number is found by its respondent code first (a direct table, read in
  /// order on typical files: respondent codes are numbered by first appearance too), and
  /// only when two responses share a respondent code (the same id in two schools or waves)
  /// by an open-addressing table keyed by the three integer codes.
  func responseRuns() -> ResponseRuns {
    var runs = ResponseRuns()
    runs.responses.reserveCapacity(Swift.min(count, respondents.count + 16))
    runs.starts.reserveCapacity(Swift.min(count, respondents.count + 16) + 1)
    var bySchool = [Int32](repeating: 0, count: respondents.count)
    var byWave = [Int32](repeating: 0, count: respondents.count)
    var byNumber = [Int32](repeating: -1, count: respondents.count)
    var overflow: ResponseTable?
    var previous: (Int32, Int32, Int32) = (-1, -1, -1)
    school.withUnsafeBufferPointer { schools in
      wave.withUnsafeBufferPointer { waves in
        respondent.withUnsafeBufferPointer { respondents in
          for r in 0..<schools.count {
            let key = (schools[r], waves[r], respondents[r])
            if key == previous { continue }  // the run goes on
            previous = key
            let c = Int(key.2)
            let number: Int
            if byNumber[c] < 0 {
              number = runs.firstRow.count
              byNumber[c] = Int32(number)
              bySchool[c] = key.0
              byWave[c] = key.1
            } else if bySchool[c] == key.0 && byWave[c] == key.1 {
              number = Int(byNumber[c])
            } else {
              if overflow == nil { overflow = ResponseTable(capacity: 1 << 10) }
              number = overflow!.number(key, next: runs.firstRow.count)
            }
            if number == runs.firstRow.count { runs.firstRow.append(r) }
            if r > 0 { runs.starts.append(r) }
            runs.responses.append(Int32(number))
          }
        }
      }
    }
    runs.starts.append(count)
    if count == 0 { runs.starts = [0] }
    return runs
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
  ///   - threads: areas (and groups) analysed in parallel; the results do not depend on it.
  public static func compute(
    _ table: SurveyTable, byGroup: Bool = false,
    analysis: ReliabilityAnalysis = ReliabilityAnalysis(), threads: Int = 1
  ) -> [AreaReliability] {
    let instrument = table.instrument
    let groups: [String?] = byGroup ? instrument.groups.map(\.id) : [nil]
    var tasks: [(area: String, group: String?, codes: [String])] = []
    for area in instrument.areas.sorted(by: { $0.order < $1.order }) {
      for group in groups {
        let codes = instrument.items.filter { item in
          item.area == area.id && item.targetOf == nil
            && (group.map { item.groups.contains($0) } ?? true)
        }.map(\.code)
        tasks.append((area.id, group, codes))
      }
    }
    let list = tasks
    return parallelMap(list.count, threads: threads) { t in
      let task = list[t]
      let responses = table.itemResponses(items: task.codes, group: task.group)
      do {
        let fit = try analysis.fit(responses)
        return AreaReliability(area: task.area, group: task.group, reliability: fit, problem: nil)
      } catch {
        return AreaReliability(
          area: task.area, group: task.group, reliability: nil, problem: "\(error)")
      }
    }
  }
}
