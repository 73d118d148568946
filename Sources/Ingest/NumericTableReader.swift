/// Reads chosen columns of a CSV file as numbers: the path for raw item matrices
/// (`lae reliability --keys`), where the columns are items and the rows respondents.
///
/// Empty cells and `NA` are missing (`NaN`); any other non-number is an error with its
/// location. Columns not asked for are skipped without being parsed.
public struct NumericTableReader: Sendable {
  /// The field delimiter (default `,`).
  public var delimiter: Character
  /// Whether numbers use a decimal comma.
  public var decimalComma: Bool
  /// Threads that parse a clean file's rows (default 1); the values do not depend on it.
  public var threadCount: Int = 1

  /// Creates a reader.
  public init(delimiter: Character = ",", decimalComma: Bool = false) {
    self.delimiter = delimiter
    self.decimalComma = decimalComma
  }

  /// The columns read: names and values (column-major, `rows x names.count`).
  public struct Result: Sendable {
    /// Column names, in the order asked for.
    public let names: [String]
    /// Number of data rows.
    public let rows: Int
    /// Values, column-major; `NaN` for missing.
    public let values: [Double]
  }

  /// Reads `columns` (all when `nil`) from the file at `path` (`-` for standard input).
  ///
  /// - Throws: ``IngestError`` for unreadable, empty or header-only files, a missing column,
  ///   or a cell that is not a number (`invalidDefinition` naming line and column).
  public func read(_ path: String, columns wanted: [String]?) throws(IngestError) -> Result {
    var source = try FileByteSource(path: path)
    defer { source.close() }
    // A regular file of reasonable size is read whole, for the fast path over its bytes.
    if let size = source.sizeHint, size > 0, size <= 1 << 30 {
      var bytes: [UInt8] = []
      bytes.reserveCapacity(size + 1)
      while try source.read(into: &bytes, maxCount: max(size + 1 - bytes.count, 1 << 16)) > 0 {}
      if let result = try fastRead(bytes, name: path, columns: wanted) { return result }
      return try read(source: MemoryByteSource(bytes, name: path), columns: wanted)
    }
    return try read(source: source, columns: wanted)
  }

  /// Reads from any byte source.
  public func read(source: some ByteSource, columns wanted: [String]?) throws(IngestError) -> Result
  {
    var scanner = CSVScanner(source: source, delimiter: delimiter.asciiValue ?? UInt8(ascii: ","))
    let header = try SurveyHeader.read(&scanner, name: source.name)
    let names = wanted ?? header.names
    let index = try Self.columnIndices(names, in: header.names, path: source.name)
    // Values row by row (one growing array), transposed to column-major at the end.
    var flat: [Double] = []
    // Sized once from the file's size (a row takes at least two bytes per field, and 16), so
    // that the array never grows by doubling; capacity never written costs address space,
    // not memory.
    if let size = (source as? FileByteSource)?.sizeHint {
      let bytesPerRow = max(2 * header.names.count, 16)
      flat.reserveCapacity(size / bytesPerRow * names.count + names.count)
    }
    var rows = 0
    var failure: IngestError?
    loop: while true {
      switch try scanner.next() {
      case .end: break loop
      case .malformed(_, let line, let column):
        throw IngestError.invalidCell(
          path: source.name, line: line, column: column, reason: "broken quoting")
      case .record:
        scanner.withRecord { r in
          guard r.count == header.names.count else {
            let at = r.location(max(0, min(r.count, header.names.count) - 1))
            failure = .invalidCell(
              path: source.name, line: at.line, column: at.column,
              reason: "expected \(header.names.count) fields as in the header, found \(r.count)")
            return
          }
          for (k, i) in index.enumerated() {
            let v = r.withField(i) { parseNumber($0) }
            guard let v else {
              let at = r.location(i)
              failure = .invalidCell(
                path: source.name, line: at.line, column: at.column,
                reason: "'\(r.string(i) ?? "?")' in column '\(names[k])' is not a number")
              return
            }
            flat.append(v)
          }
        }
        if let failure { throw failure }
        rows += 1
      }
    }
    if rows == 0 { throw IngestError.headerOnly(path: source.name) }
    let width = names.count
    let values = [Double](unsafeUninitializedCapacity: flat.count) { out, count in
      flat.withUnsafeBufferPointer { src in
        for i in 0..<rows {
          for k in 0..<width { out[i + k * rows] = src[i * width + k] }
        }
      }
      count = flat.count
    }
    return Result(names: names, rows: rows, values: values)
  }

  /// The header position of each wanted column.
  static func columnIndices(_ names: [String], in header: [String], path: String)
    throws(IngestError) -> [Int]
  {
    var index: [Int] = []
    for name in names {
      guard let i = header.firstIndex(of: name) else {
        throw IngestError.missingColumn(path: path, column: name, layout: "item matrix")
      }
      index.append(i)
    }
    return index
  }

  /// A decimal number, or NaN for an empty cell or `NA`; `nil` for anything else.
  @inline(__always)
  func parseNumber(_ p: UnsafeBufferPointer<UInt8>) -> Double? {
    if p.isEmpty { return .nan }
    // Fast path: optional sign and up to 15 digits, optional fraction.
    var i = 0
    var negative = false
    if p[0] == UInt8(ascii: "-") || p[0] == UInt8(ascii: "+") {
      negative = p[0] == UInt8(ascii: "-")
      i = 1
    }
    var mantissa: Int64 = 0
    var digits = 0
    var scale = 0
    var sawPoint = false
    let point = decimalComma ? UInt8(ascii: ",") : UInt8(ascii: ".")
    while i < p.count {
      let b = p[i]
      if b >= 48 && b <= 57 {
        // Wrapping: a number of more than 18 digits must reach the slow path, not trap (its
        // mantissa is only used up to 15 digits).
        mantissa = mantissa &* 10 &+ Int64(b - 48)
        digits += 1
        if sawPoint { scale += 1 }
      } else if b == point && !sawPoint {
        sawPoint = true
      } else {
        break
      }
      i += 1
    }
    if i == p.count && digits > 0 && digits <= 15 {
      var v = Double(mantissa)
      if scale > 0 { v /= Self.powersOfTen[scale] }
      return negative ? -v : v
    }
    // Slow path: NA, exponents, long numbers.
    guard var text = String(validating: p, as: UTF8.self) else { return nil }
    if text == "NA" { return .nan }
    if decimalComma { text = text.replacingOccurrences(",", with: ".") }
    guard let v = Double(text), v.isFinite else { return nil }
    return v
  }

  static let powersOfTen: [Double] = (0...15).map { k in (0..<k).reduce(1.0) { acc, _ in acc * 10 }
  }
}

/// Reads a small CSV file into its header and rows of strings (keys files, lookup tables).
public enum CSVRows {
  /// The header and the rows of the file at `path`.
  ///
  /// - Throws: ``IngestError`` for unreadable, empty or malformed files.
  public static func read(_ path: String, delimiter: Character = ",") throws(IngestError) -> (
    header: [String], rows: [[String]]
  ) {
    let source = try FileByteSource(path: path)
    defer { source.close() }
    return try read(source: source, delimiter: delimiter)
  }

  /// The header and the rows of CSV text already in memory; `name` is the path for messages.
  ///
  /// - Throws: ``IngestError`` for empty or malformed text.
  public static func read(bytes: [UInt8], name: String, delimiter: Character = ",")
    throws(IngestError) -> (header: [String], rows: [[String]])
  {
    try read(source: MemoryByteSource(bytes, name: name), delimiter: delimiter)
  }

  static func read<Source: ByteSource>(source: Source, delimiter: Character) throws(IngestError)
    -> (header: [String], rows: [[String]])
  {
    var scanner = CSVScanner(source: source, delimiter: delimiter.asciiValue ?? UInt8(ascii: ","))
    let header = try SurveyHeader.read(&scanner, name: source.name)
    var rows: [[String]] = []
    loop: while true {
      switch try scanner.next() {
      case .end: break loop
      case .malformed(_, let line, let column):
        throw IngestError.invalidCell(
          path: source.name, line: line, column: column, reason: "broken quoting")
      case .record:
        var row: [String] = []
        scanner.withRecord { r in for i in 0..<r.count { row.append(r.string(i) ?? "") } }
        rows.append(row)
      }
    }
    return (header.names, rows)
  }
}
