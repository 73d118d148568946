/// A rectangular table of named columns, each either numbers or text labels: the input of
/// model fitting (`lae growth`), read from any CSV by ``ColumnTableReader``.
///
/// Missing cells (empty or `NA`) are `NaN` in numeric columns and code `-1` in text columns.
public struct ColumnTable: Sendable {
  /// One column's values.
  public enum Column: Sendable, Equatable {
    /// Numbers; `NaN` marks a missing cell.
    case numeric([Double])
    /// Labels as codes into `levels` (in order of first appearance); `-1` marks a missing cell.
    case text(codes: [Int32], levels: [String])

    /// Number of cells.
    public var count: Int {
      switch self {
      case .numeric(let v): return v.count
      case .text(let codes, _): return codes.count
      }
    }

    /// Whether cell `row` is missing.
    public func isMissing(_ row: Int) -> Bool {
      switch self {
      case .numeric(let v): return v[row].isNaN
      case .text(let codes, _): return codes[row] < 0
      }
    }
  }

  /// Column names, in order.
  public let names: [String]
  /// The columns, parallel to ``names``.
  public let columns: [Column]
  /// Number of rows.
  public let rowCount: Int

  /// Creates a table; every column must have `rowCount` cells.
  public init(names: [String], columns: [Column]) {
    precondition(
      names.count == columns.count, "ColumnTable: \(names.count) names for \(columns.count) columns"
    )
    let n = columns.first?.count ?? 0
    precondition(columns.allSatisfy { $0.count == n }, "ColumnTable: columns differ in length")
    self.names = names
    self.columns = columns
    self.rowCount = n
  }

  /// Creates a table from numeric and text columns given by name (convenient in tests).
  public init(numeric: [String: [Double]] = [:], text: [String: [String]] = [:]) {
    var names: [String] = []
    var columns: [Column] = []
    for (name, values) in numeric.sorted(by: { $0.key < $1.key }) {
      names.append(name)
      columns.append(.numeric(values))
    }
    for (name, values) in text.sorted(by: { $0.key < $1.key }) {
      var levels: [String] = []
      var index: [String: Int32] = [:]
      let codes = values.map { v -> Int32 in
        if v.isEmpty || v == "NA" { return -1 }
        if let c = index[v] { return c }
        let c = Int32(levels.count)
        levels.append(v)
        index[v] = c
        return c
      }
      names.append(name)
      columns.append(.text(codes: codes, levels: levels))
    }
    self.init(names: names, columns: columns)
  }

  /// The column named `name`, or `nil`.
  public func column(_ name: String) -> Column? {
    names.firstIndex(of: name).map { columns[$0] }
  }
}

/// Reads chosen columns of a CSV file into a ``ColumnTable``: a column is numeric when every
/// non-missing cell is a number, and text otherwise (or when listed in `textColumns`).
public struct ColumnTableReader: Sendable {
  /// The field delimiter (default `,`).
  public var delimiter: Character

  /// Creates a reader.
  public init(delimiter: Character = ",") { self.delimiter = delimiter }

  /// Reads `columns` (all when `nil`) from the file at `path` (`-` for standard input).
  ///
  /// - Parameter textColumns: Columns always read as text labels (grouping factors), even when
  ///   every cell is a number.
  /// - Throws: ``IngestError`` for unreadable, empty or header-only files, a missing column, or
  ///   a row with the wrong number of fields.
  /// - Complexity: one pass over the file; a second pass only when a column not listed in
  ///   `textColumns` turns out to hold text.
  public func read(_ path: String, columns wanted: [String]?, textColumns: Set<String> = [])
    throws(IngestError) -> ColumnTable
  {
    if path == "-" {
      // Standard input can be read once: keep it in memory for a possible second pass.
      var input = try FileByteSource(path: path)
      var bytes: [UInt8] = []
      while try input.read(into: &bytes, maxCount: 1 << 20) > 0 {}
      return try read(
        source: MemoryByteSource(bytes, name: "<stdin>"), columns: wanted,
        textColumns: textColumns)
    }
    let source = try FileByteSource(path: path)
    defer { source.close() }
    let first = try pass(source, columns: wanted, textColumns: textColumns)
    if first.failedNumeric.isEmpty { return first.table }
    let again = try FileByteSource(path: path)
    defer { again.close() }
    return try pass(again, columns: wanted, textColumns: textColumns.union(first.failedNumeric))
      .table
  }

  /// Reads from bytes in memory (two passes when a column turns out to hold text).
  public func read(
    source: MemoryByteSource, columns wanted: [String]?, textColumns: Set<String> = []
  ) throws(IngestError) -> ColumnTable {
    let first = try pass(source, columns: wanted, textColumns: textColumns)
    if first.failedNumeric.isEmpty { return first.table }
    return try pass(source, columns: wanted, textColumns: textColumns.union(first.failedNumeric))
      .table
  }

  private func pass<S: ByteSource>(_ source: S, columns wanted: [String]?, textColumns: Set<String>)
    throws(IngestError) -> (table: ColumnTable, failedNumeric: Set<String>)
  {
    var scanner = CSVScanner(source: source, delimiter: delimiter.asciiValue ?? UInt8(ascii: ","))
    let header = try SurveyHeader.read(&scanner, name: source.name)
    let names = wanted ?? header.names
    var index: [Int] = []
    for name in names {
      guard let i = header.names.firstIndex(of: name) else {
        throw IngestError.missingColumn(path: source.name, column: name, layout: "data table")
      }
      index.append(i)
    }
    let isText = names.map { textColumns.contains($0) }
    var numbers = [[Double]](repeating: [], count: names.count)
    var codes = [[Int32]](repeating: [], count: names.count)
    var interners = (0..<names.count).map { _ in CachedInterner() }
    var failed = [Bool](repeating: false, count: names.count)
    let parser = NumericTableReader()
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
            if isText[k] {
              let code = r.withField(i) { p -> Int32? in
                if p.isEmpty || (p.count == 2 && p[0] == 78 && p[1] == 65) { return -1 }
                return interners[k].code(for: p)
              }
              guard let code else {
                let at = r.location(i)
                failure = .invalidCell(
                  path: source.name, line: at.line, column: at.column,
                  reason: "the cell in column '\(names[k])' is not valid UTF-8")
                return
              }
              codes[k].append(code)
            } else if !failed[k] {
              if let v = r.withField(i, { parser.parseNumber($0) }) {
                numbers[k].append(v)
              } else {
                failed[k] = true
              }
            }
          }
        }
        if let failure { throw failure }
        rows += 1
      }
    }
    if rows == 0 { throw IngestError.headerOnly(path: source.name) }
    var columns: [ColumnTable.Column] = []
    for k in 0..<names.count {
      columns.append(
        isText[k]
          ? .text(codes: codes[k], levels: interners[k].strings)
          : .numeric(failed[k] ? [] : numbers[k]))
    }
    let failedNames = Set((0..<names.count).filter { failed[$0] }.map { names[$0] })
    if !failedNames.isEmpty {
      return (ColumnTable(names: [], columns: []), failedNames)
    }
    return (ColumnTable(names: names, columns: columns), [])
  }
}
