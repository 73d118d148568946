/// An RFC 4180 record scanner over chunked input.
///
/// It reads its ``ByteSource`` in chunks (1 MiB by default), carries a partial record over to
/// the next chunk, and hands out one record at a time as byte ranges into its buffer, so that
/// nothing is copied or decoded until the caller asks. Fields may be quoted (`"a,b"`, with
/// `""` for a quote, and line breaks inside); records end with LF or CRLF; the last record
/// may lack a line break; a UTF-8 byte-order mark at the start is skipped; blank lines are
/// skipped.
///
/// Malformed quoting is reported per record (``Outcome/malformed(kind:line:column:)``) and
/// scanning resumes at the next line, so one stray quote costs one record, not the file.
struct CSVScanner<Source: ByteSource> {
  /// What ``next()`` found.
  enum Outcome: Equatable {
    /// A record: read it through ``withRecord(_:)``.
    case record
    /// A record with broken quoting, skipped.
    case malformed(kind: IngestIssue.Kind, line: Int, column: Int)
    /// The end of the input.
    case end
  }

  private(set) var source: Source
  let delimiter: UInt8
  let chunkSize: Int

  private var buffer: [UInt8] = []
  private var position = 0
  private var bufferBase = 0
  private var exhausted = false
  private var startChecked = false
  /// Line at `position` (one-based).
  private var line = 1
  /// Absolute offset where the line containing `position` starts.
  private var lineStart = 0

  // The current record's fields: offsets into `buffer`.
  private(set) var fieldStarts: [Int] = []
  private(set) var fieldEnds: [Int] = []
  /// 0 unquoted, 1 quoted, 2 quoted with doubled quotes to unescape.
  private(set) var fieldFlags: [UInt8] = []
  private(set) var fieldLines: [Int] = []
  private(set) var fieldColumns: [Int] = []
  /// Line on which the current record starts.
  private(set) var recordLine = 1
  /// Total bytes consumed so far.
  var bytesConsumed: Int { bufferBase + position }

  private var special = [Bool](repeating: false, count: 256)

  init(source: Source, delimiter: UInt8 = UInt8(ascii: ","), chunkSize: Int = 1 << 20) {
    self.source = source
    self.delimiter = delimiter
    self.chunkSize = chunkSize
    special[Int(delimiter)] = true
    special[Int(UInt8(ascii: "\n"))] = true
    special[Int(UInt8(ascii: "\r"))] = true
    special[Int(UInt8(ascii: "\""))] = true
  }

  /// Reads the next chunk, dropping consumed bytes first. Returns false at the end.
  private mutating func refill() throws(IngestError) -> Bool {
    if exhausted { return false }
    if position > 0 {
      buffer.removeSubrange(0..<position)
      bufferBase += position
      position = 0
    }
    let got = try source.read(into: &buffer, maxCount: chunkSize)
    if got == 0 { exhausted = true }
    return got > 0
  }

  private enum Parse {
    case record(end: Int, lines: Int, lineStart: Int)
    case needMore
    case malformed(IngestIssue.Kind, line: Int, column: Int)
  }

  /// Advances to the next record.
  mutating func next() throws(IngestError) -> Outcome {
    while true {
      if !startChecked {
        while buffer.count - position < 3 && !exhausted { _ = try refill() }
        if buffer.count - position >= 3 && buffer[position] == 0xEF && buffer[position + 1] == 0xBB
          && buffer[position + 2] == 0xBF
        {
          position += 3
          lineStart = bufferBase + position
        }
        startChecked = true
      }
      if position >= buffer.count {
        if try !refill() { return .end }
        continue
      }
      switch parseRecord() {
      case .needMore:
        // With the input exhausted, parseRecord ends the record at the end of the input, so
        // needMore then cannot happen; guard against a loop anyway.
        if exhausted { return .end }
        _ = try refill()
      case .record(let end, let lines, let newLineStart):
        recordLine = line
        position = end
        line += lines
        lineStart = newLineStart
        if fieldStarts.count == 1 && fieldFlags[0] == 0 && fieldStarts[0] == fieldEnds[0] {
          continue  // blank line
        }
        return .record
      case .malformed(let kind, let badLine, let column):
        if kind == .unterminatedQuote {
          // The rest of the input belongs to the open field: consume it all.
          while try refill() {}
          position = buffer.count
          return .malformed(kind: kind, line: badLine, column: column)
        }
        // Skip to the end of the physical line holding the problem, then resume.
        if try skipLine(from: badLine) {
          return .malformed(kind: kind, line: badLine, column: column)
        }
        return .malformed(kind: kind, line: badLine, column: column)
      }
    }
  }

  /// Skips bytes up to and including the newline that ends line `target`.
  private mutating func skipLine(from target: Int) throws(IngestError) -> Bool {
    while true {
      while position < buffer.count {
        let b = buffer[position]
        position += 1
        if b == UInt8(ascii: "\n") {
          if line == target {
            line += 1
            lineStart = bufferBase + position
            return true
          }
          line += 1
          lineStart = bufferBase + position
        }
      }
      if try !refill() { return false }
    }
  }

  /// Parses one record starting at `position`, filling the field arrays.
  private mutating func parseRecord() -> Parse {
    fieldStarts.removeAll(keepingCapacity: true)
    fieldEnds.removeAll(keepingCapacity: true)
    fieldFlags.removeAll(keepingCapacity: true)
    fieldLines.removeAll(keepingCapacity: true)
    fieldColumns.removeAll(keepingCapacity: true)
    let atEnd = exhausted
    let base = bufferBase
    let quote = UInt8(ascii: "\"")
    let lf = UInt8(ascii: "\n")
    let cr = UInt8(ascii: "\r")
    let delim = delimiter
    var lines = 0
    var curLineStart = lineStart
    let startLine = line
    return buffer.withUnsafeBufferPointer { p -> Parse in
      special.withUnsafeBufferPointer { sp -> Parse in
        let n = p.count
        var i = position
        while true {
          let fieldLine = startLine + lines
          let fieldColumn = base + i - curLineStart + 1
          if i < n && p[i] == quote {
            // Quoted field.
            i += 1
            let start = i
            var flag: UInt8 = 1
            var end = -1
            while true {
              while i < n && p[i] != quote {
                if p[i] == lf {
                  lines += 1
                  curLineStart = base + i + 1
                }
                i += 1
              }
              if i >= n {
                if atEnd { return .malformed(.unterminatedQuote, line: fieldLine, column: fieldColumn) }
                return .needMore
              }
              // p[i] is a quote: doubled, or closing?
              if i + 1 < n && p[i + 1] == quote {
                flag = 2
                i += 2
                continue
              }
              if i + 1 >= n && !atEnd { return .needMore }
              end = i
              i += 1
              break
            }
            fieldStarts.append(start)
            fieldEnds.append(end)
            fieldFlags.append(flag)
            fieldLines.append(fieldLine)
            fieldColumns.append(fieldColumn)
            if i >= n {
              if !atEnd { return .needMore }
              return .record(end: i, lines: lines, lineStart: curLineStart)
            }
            let b = p[i]
            if b == delim {
              i += 1
              continue
            }
            if b == lf {
              return .record(end: i + 1, lines: lines + 1, lineStart: base + i + 1)
            }
            if b == cr {
              if i + 1 >= n && !atEnd { return .needMore }
              if i + 1 < n && p[i + 1] == lf {
                return .record(end: i + 2, lines: lines + 1, lineStart: base + i + 2)
              }
            }
            return .malformed(.strayQuote, line: startLine + lines, column: base + i - curLineStart + 1)
          } else {
            // Unquoted field: run to the next special byte.
            let start = i
            while true {
              while i < n && !sp[Int(p[i])] { i += 1 }
              if i >= n { break }
              let b = p[i]
              if b == cr {
                if i + 1 >= n {
                  if atEnd { i += 1; continue }
                  return .needMore
                }
                if p[i + 1] == lf { break }
                i += 1  // a lone CR is data
                continue
              }
              break
            }
            if i >= n {
              if !atEnd { return .needMore }
              fieldStarts.append(start)
              fieldEnds.append(i)
              fieldFlags.append(0)
              fieldLines.append(fieldLine)
              fieldColumns.append(fieldColumn)
              return .record(end: i, lines: lines, lineStart: curLineStart)
            }
            let b = p[i]
            if b == quote {
              return .malformed(.strayQuote, line: fieldLine, column: base + i - curLineStart + 1)
            }
            fieldStarts.append(start)
            fieldEnds.append(i)
            fieldFlags.append(0)
            fieldLines.append(fieldLine)
            fieldColumns.append(fieldColumn)
            if b == delim {
              i += 1
              continue
            }
            if b == lf {
              return .record(end: i + 1, lines: lines + 1, lineStart: base + i + 1)
            }
            // CRLF
            return .record(end: i + 2, lines: lines + 1, lineStart: base + i + 2)
          }
        }
      }
    }
  }

  /// Number of fields in the current record.
  var fieldCount: Int { fieldStarts.count }

  /// Calls `body` with a view of the current record.
  func withRecord<R>(_ body: (CSVRecord) throws -> R) rethrows -> R {
    try buffer.withUnsafeBufferPointer { p in
      try body(CSVRecord(base: p, starts: fieldStarts, ends: fieldEnds, flags: fieldFlags))
    }
  }
}

/// A borrowed view of one record's fields; valid only inside ``CSVScanner/withRecord(_:)``.
struct CSVRecord {
  let base: UnsafeBufferPointer<UInt8>
  let starts: [Int]
  let ends: [Int]
  let flags: [UInt8]

  var count: Int { starts.count }

  /// The raw bytes of field `i` (doubled quotes not yet unescaped; see ``needsUnescape(_:)``).
  @inline(__always)
  func raw(_ i: Int) -> UnsafeBufferPointer<UInt8> {
    UnsafeBufferPointer(rebasing: base[starts[i]..<ends[i]])
  }

  /// Whether field `i` holds doubled quotes.
  @inline(__always)
  func needsUnescape(_ i: Int) -> Bool { flags[i] == 2 }

  /// Calls `body` with the unescaped bytes of field `i`.
  @inline(__always)
  func withField<R>(_ i: Int, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
    let bytes = raw(i)
    if flags[i] != 2 { return try body(bytes) }
    var out = [UInt8]()
    out.reserveCapacity(bytes.count)
    var j = 0
    while j < bytes.count {
      out.append(bytes[j])
      if bytes[j] == UInt8(ascii: "\"") { j += 1 }  // skip the second of a pair
      j += 1
    }
    return try out.withUnsafeBufferPointer(body)
  }

  /// Field `i` as a `String`, or `nil` when it is not valid UTF-8.
  func string(_ i: Int) -> String? {
    withField(i) { String(validating: $0, as: UTF8.self) }
  }

  /// Whether every byte of the record's fields is ASCII (the fast path skips UTF-8 checks).
  func isASCII() -> Bool {
    guard let first = starts.first, let last = ends.last, last > first else { return true }
    var acc: UInt8 = 0
    for k in first..<last { acc |= base[k] }
    return acc < 0x80
  }
}
