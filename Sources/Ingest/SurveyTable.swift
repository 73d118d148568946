/// Survey answers in memory, one row per answer, stored column by column (struct of arrays)
/// with string ids interned to integer codes.
///
/// A row says: in `wave`, respondent `respondent` of school `school`, answering as a member of
/// `group`, gave `value` to `item`. Codes index the dictionaries (``schools``,
/// ``respondents``, ``waves``...) and the instrument (``Instrument/groups``,
/// ``Instrument/items``); ``value`` holds the option's index in the item's scale, or a
/// negative missing code (``Value``).
///
/// Memory: 4 + 4 + 1 + 4 + 2 + 2 = 17 bytes per answer for the required columns, plus 4 per
/// optional column present (hub, teacher, each attribute) and 8 for `submittedAt`.
public struct SurveyTable: Sendable, Equatable {
  /// The instrument the table was validated against.
  public let instrument: Instrument

  /// School code per row (index into ``schools``).
  public internal(set) var school: [Int32] = []
  /// Respondent code per row (index into ``respondents``); identifies a response within a
  /// school and wave.
  public internal(set) var respondent: [Int32] = []
  /// Group per row (index into the instrument's groups).
  public internal(set) var group: [UInt8] = []
  /// Wave code per row (index into ``waves``).
  public internal(set) var wave: [Int32] = []
  /// Item per row (index into the instrument's items).
  public internal(set) var item: [UInt16] = []
  /// Answer per row: the option index (0-based) in the item's scale, or a missing code.
  public internal(set) var value: [Int16] = []
  /// Hub code per row (index into ``hubs``; -1 when unknown); empty when no hub is known.
  public internal(set) var hub: [Int32] = []
  /// Teacher code per row (index into ``teachers``; -1 when absent); empty when the file has
  /// no teacher column.
  public internal(set) var teacher: [Int32] = []
  /// Submission time per row in milliseconds since the epoch (``Value/noTimestamp`` when
  /// absent); empty when the file has no `submitted_at` column.
  public internal(set) var submittedAt: [Int64] = []
  /// Extra columns, by name: codes into ``attributeValues`` (-1 for an empty cell).
  public internal(set) var attributes: [String: [Int32]] = [:]
  /// Names of the extra columns in file order.
  public internal(set) var attributeNames: [String] = []

  /// School ids by code.
  public internal(set) var schools: [String] = []
  /// Respondent ids by code.
  public internal(set) var respondents: [String] = []
  /// Wave labels by code.
  public internal(set) var waves: [String] = []
  /// Hub ids by code.
  public internal(set) var hubs: [String] = []
  /// Teacher ids by code.
  public internal(set) var teachers: [String] = []
  /// Attribute values by code.
  public internal(set) var attributeValues: [String] = []

  /// Codes stored in ``value`` for answers without a score.
  public enum Value {
    /// "Not applicable".
    public static let notApplicable: Int16 = -1
    /// "Prefer not to say".
    public static let preferNotToSay: Int16 = -2
    /// An empty answer.
    public static let skipped: Int16 = -3
    /// Marks a row without a submission time.
    public static let noTimestamp = Int64.min

    /// The code for a missing kind.
    public static func code(for kind: Instrument.MissingKind) -> Int16 {
      switch kind {
      case .notApplicable: return notApplicable
      case .preferNotToSay: return preferNotToSay
      case .skipped: return skipped
      }
    }
  }

  /// An empty table for `instrument`.
  public init(instrument: Instrument) { self.instrument = instrument }

  /// Number of answers (rows).
  public var count: Int { school.count }

  /// The numeric score of row `row` (after reverse keying), or `nil` for a missing answer.
  public func score(at row: Int) -> Double? {
    let v = value[row]
    guard v >= 0 else { return nil }
    let it = instrument.items[Int(item[row])]
    guard let scale = instrument.scale(it.scale) else { return nil }
    let s = scale.options[Int(v)].score
    if it.reverse {
      let range = scale.scoreRange
      return range.lowerBound + range.upperBound - s
    }
    return s
  }

  /// The answer of row `row` as written in files: the option's code, the missing code, or
  /// the empty string for a skipped answer.
  public func valueText(at row: Int) -> String {
    let v = value[row]
    let scale = instrument.scale(instrument.items[Int(item[row])].scale)
    if v >= 0 { return scale?.options[Int(v)].value ?? "" }
    if v == Value.skipped { return "" }
    let kind: Instrument.MissingKind = v == Value.notApplicable ? .notApplicable : .preferNotToSay
    return scale?.missingCodes.first { $0.kind == kind }?.value ?? ""
  }

  /// Wave codes ordered for analysis: numerically when every label is a number, else by
  /// Unicode code points.
  public var waveOrder: [Int32] {
    let codes = (0..<Int32(waves.count)).map { $0 }
    if waves.allSatisfy({ Double($0) != nil }) {
      return codes.sorted { (Double(waves[Int($0)]) ?? 0) < (Double(waves[Int($1)]) ?? 0) }
    }
    return codes.sorted {
      waves[Int($0)].unicodeScalars.lexicographicallyPrecedes(waves[Int($1)].unicodeScalars)
    }
  }
}

extension Instrument {
  /// The scale with id `id`.
  public func scale(_ id: String) -> ResponseScale? { scales.first { $0.id == id } }
  /// The item with code `code`.
  public func item(_ code: String) -> Item? { items.first { $0.code == code } }
  /// The area of item `code`.
  public func area(of code: String) -> Area? {
    guard let it = item(code) else { return nil }
    return areas.first { $0.id == it.area }
  }
}
