/// Reads survey responses from CSV (long or wide layout) into a validated ``SurveyTable``.
///
/// ```swift
/// let reader = SurveyReader()                              // automatic layout, ",", 100 errors
/// let result = try reader.read("responses.csv", instrument: instrument, roster: roster)
/// print(result.report.text)                                // FILE:LINE:COLUMN: error: ...
/// let table = result.table                                 // only the accepted rows
/// ```
///
/// **Long layout**: one answer per row, columns `school,respondent,group,wave,item,value`
/// (any order), optional `hub`, `teacher`, `submitted_at`; other columns are kept as
/// attributes. **Wide layout**: one respondent per row, the same id columns, and one column per
/// item code; an empty cell means no answer. The layout is detected from the header (an
/// `item` and a `value` column mean long) unless ``layout`` forces one.
///
/// Each row is checked against the instrument (known item, value on the item's scale, item
/// meant for the respondent's group, no duplicate answer) and the roster (known school,
/// matching hub). A row with a problem is rejected whole and reported with its line and
/// column; reading goes on until ``maxErrors`` problems were found.
///
/// - Complexity: O(*bytes*), in chunks of ``chunkSize``; memory is the table plus one chunk.
public struct SurveyReader: Sendable {
  /// Layout of a responses file.
  public enum Layout: String, Sendable, Codable, CaseIterable {
    /// Detect from the header.
    case automatic
    /// One answer per row.
    case long
    /// One respondent per row, one column per item.
    case wide
  }

  /// The layout to read (default: detect).
  public var layout: Layout
  /// The field delimiter, an ASCII character other than a quote or line break (default `,`).
  public var delimiter: Character
  /// Whether numbers use a decimal comma (`3,5`); then the delimiter is usually `;`.
  public var decimalComma: Bool
  /// Reading stops after this many problems (default 100; 1 stops at the first).
  public var maxErrors: Int
  /// Bytes read per chunk (default 1 MiB).
  public var chunkSize: Int

  /// Creates a reader; every setting has a default.
  public init(
    layout: Layout = .automatic, delimiter: Character = ",", decimalComma: Bool = false,
    maxErrors: Int = 100, chunkSize: Int = 1 << 20
  ) {
    self.layout = layout
    self.delimiter = delimiter
    self.decimalComma = decimalComma
    self.maxErrors = maxErrors
    self.chunkSize = chunkSize
  }

  /// The outcome of reading: the accepted rows and the report.
  public struct Result: Sendable {
    /// The accepted answers.
    public let table: SurveyTable
    /// What was read, accepted and rejected, and why.
    public let report: ValidationReport
  }

  /// Reads the file at `path` (`-` for standard input).
  ///
  /// - Throws: ``IngestError`` when the file cannot be read, is empty, has only a header, or
  ///   lacks a needed column; row problems go into the report instead.
  public func read(
    _ path: String, instrument: Instrument, roster: Roster? = nil
  ) throws(IngestError) -> Result {
    let source = try FileByteSource(path: path)
    defer { source.close() }
    return try read(source: source, instrument: instrument, roster: roster)
  }

  /// Reads from any byte source.
  public func read(
    source: some ByteSource, instrument: Instrument, roster: Roster? = nil
  ) throws(IngestError) -> Result {
    guard let d = delimiter.asciiValue, d != UInt8(ascii: "\""), d != 10, d != 13 else {
      throw IngestError.invalidDefinition(
        path: source.name,
        reason: "the delimiter must be one ASCII character other than a quote or a line break")
    }
    guard maxErrors >= 1 else {
      throw IngestError.invalidDefinition(path: source.name, reason: "maxErrors must be at least 1")
    }
    var scanner = CSVScanner(source: source, delimiter: d, chunkSize: max(1, chunkSize))
    let header = try SurveyHeader.read(&scanner, name: source.name)
    let resolved = try header.resolve(layout: layout, instrument: instrument, path: source.name)
    var ingest = SurveyIngest(
      instrument: instrument, roster: roster, header: resolved, file: source.name,
      decimalComma: decimalComma, maxErrors: maxErrors)
    scanner.repeatFields = ingest.identityPrefix
    var sawRow = false
    // Once a sample of rows is read, the table's columns are sized for the whole file from its
    // size, so that they never grow by doubling (which would hold the old and the new copy
    // at once). Capacity that is never written costs address space, not memory.
    let sizeHint = (source as? FileByteSource)?.sizeHint
    var sampled = false
    loop: while true {
      switch try scanner.next() {
      case .end: break loop
      case .malformed(let kind, let line, let column):
        sawRow = true
        ingest.report.rowsRead += 1
        let message =
          kind == .unterminatedQuote
          ? "a quoted field opens here and never closes; expected a closing '\"'."
          : "stray quote; a field containing '\"' must be quoted as a whole, with '\"\"' for each quote."
        ingest.report.reject(
          IngestIssue(
            file: source.name, line: line, column: column, kind: kind, value: nil, message: message),
          maxErrors: maxErrors)
      case .record:
        sawRow = true
        ingest.report.rowsRead += 1
        scanner.withRecord { record in
          ingest.ingest(record)
        }
      }
      if ingest.report.stoppedEarly { break }
      if !sampled && ingest.report.rowsRead >= 8192 {
        sampled = true
        if let size = sizeHint, ingest.report.answersAccepted > 0 {
          let perByte = Double(ingest.report.answersAccepted) / Double(max(1, scanner.consumed))
          ingest.reserve(answers: Int(Double(size) * perByte * 1.2) + 4096)
        }
      }
    }
    if !sawRow { throw IngestError.headerOnly(path: source.name) }
    return Result(table: ingest.finish(), report: ingest.report)
  }
}

/// The header of a responses file and where each column is.
struct SurveyHeader {
  var names: [String]

  static func read<S: ByteSource>(_ scanner: inout CSVScanner<S>, name: String) throws(IngestError)
    -> SurveyHeader
  {
    switch try scanner.next() {
    case .end: throw IngestError.emptyFile(path: name)
    case .malformed(let kind, let line, let column):
      throw IngestError.malformedHeader(
        path: name, line: line, column: column,
        reason: kind == .unterminatedQuote ? "a quoted name never closes" : "a stray quote")
    case .record:
      var names: [String] = []
      var bad: (line: Int, column: Int)?
      scanner.withRecord { r in
        for i in 0..<r.count {
          if let s = r.string(i) {
            names.append(s)
          } else {
            bad = bad ?? r.location(i)
            names.append("")
          }
        }
      }
      if let at = bad {
        throw IngestError.malformedHeader(
          path: name, line: at.line, column: at.column, reason: "the column name is not valid UTF-8"
        )
      }
      return SurveyHeader(names: names)
    }
  }

  struct Resolved {
    var layout: SurveyReader.Layout
    var count: Int
    var school = -1, respondent = -1, group = -1, wave = -1, item = -1, value = -1
    var hub = -1, teacher = -1, submittedAt = -1
    /// Wide layout: (column, item index).
    var itemColumns: [(column: Int, item: Int)] = []
    /// Extra columns: (column, name).
    var attributes: [(column: Int, name: String)] = []
  }

  func resolve(layout: SurveyReader.Layout, instrument: Instrument, path: String)
    throws(IngestError) -> Resolved
  {
    var seen: [String: Int] = [:]
    for (i, n) in names.enumerated() {
      if seen[n] != nil { throw IngestError.duplicateColumn(path: path, column: i + 1, name: n) }
      seen[n] = i
    }
    let itemIndex = Dictionary(
      instrument.items.enumerated().map { ($0.element.code, $0.offset) },
      uniquingKeysWith: { a, _ in a })
    var chosen = layout
    if chosen == .automatic {
      if seen["item"] != nil && seen["value"] != nil {
        chosen = .long
      } else if names.contains(where: { itemIndex[$0] != nil }) {
        chosen = .wide
      } else {
        throw IngestError.unknownLayout(path: path, header: names)
      }
    }
    var r = Resolved(layout: chosen, count: names.count)
    let required =
      chosen == .long
      ? ["school", "respondent", "group", "wave", "item", "value"]
      : ["school", "respondent", "group", "wave"]
    for column in required where seen[column] == nil {
      throw IngestError.missingColumn(path: path, column: column, layout: chosen.rawValue)
    }
    r.school = seen["school"] ?? -1
    r.respondent = seen["respondent"] ?? -1
    r.group = seen["group"] ?? -1
    r.wave = seen["wave"] ?? -1
    r.hub = seen["hub"] ?? -1
    r.teacher = seen["teacher"] ?? -1
    r.submittedAt = seen["submitted_at"] ?? -1
    if chosen == .long {
      r.item = seen["item"] ?? -1
      r.value = seen["value"] ?? -1
    }
    let known: Set<String> =
      chosen == .long
      ? [
        "school", "respondent", "group", "wave", "item", "value", "hub", "teacher", "submitted_at",
      ]
      : ["school", "respondent", "group", "wave", "hub", "teacher", "submitted_at"]
    for (i, n) in names.enumerated() where !known.contains(n) {
      if chosen == .wide, let it = itemIndex[n] {
        r.itemColumns.append((i, it))
      } else {
        r.attributes.append((i, n))
      }
    }
    if chosen == .wide && r.itemColumns.isEmpty {
      throw IngestError.missingColumn(path: path, column: "<an item code>", layout: "wide")
    }
    return r
  }
}
