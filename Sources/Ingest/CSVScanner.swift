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

  private var fields = [CSVField](repeating: CSVField(start: 0, end: 0, flag: 0), count: 64)
  /// Number of fields in the current record.
  private(set) var fieldCount = 0
  /// Offset in `buffer` where the current record starts (always at the start of a line).
  private var recordStart = 0
  /// Line on which the current record starts.
  private(set) var recordLine = 1

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
    case record(end: Int, lines: Int, count: Int)
    case needMore
    case moreFields
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
      case .moreFields:
        fields.append(
          contentsOf: repeatElement(CSVField(start: 0, end: 0, flag: 0), count: fields.count))
      case .record(let end, let lines, let count):
        recordLine = line
        recordStart = position
        fieldCount = count
        position = end
        line += lines
        if count == 1 && fields[0].flag == 0 && fields[0].start == fields[0].end {
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
        _ = try skipLine(from: badLine)
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
          line += 1
          if line > target { return true }
        }
      }
      if try !refill() { return false }
    }
  }

  /// Parses one record starting at `position` into `fields`.
  private mutating func parseRecord() -> Parse {
    let atEnd = exhausted
    let delim = delimiter
    let startLine = line
    let begin = position
    return buffer.withUnsafeBufferPointer { p -> Parse in
      special.withUnsafeBufferPointer { sp -> Parse in
        fields.withUnsafeMutableBufferPointer { out -> Parse in
          Self.parse(p, sp, out, begin: begin, startLine: startLine, atEnd: atEnd, delimiter: delim)
        }
      }
    }
  }

  /// The record parser proper, over raw pointers only (no captures, so it optimizes well).
  @inline(__always)
  private static func parse(
    _ p: UnsafeBufferPointer<UInt8>, _ sp: UnsafeBufferPointer<Bool>,
    _ out: UnsafeMutableBufferPointer<CSVField>, begin: Int, startLine: Int, atEnd: Bool,
    delimiter delim: UInt8
  ) -> Parse {
    let quote = UInt8(ascii: "\"")
    let lf = UInt8(ascii: "\n")
    let cr = UInt8(ascii: "\r")
    let n = p.count
    let capacity = out.count
    var k = 0
    var lines = 0
    var curLineStart = begin
    var i = begin
    while true {
      if k == capacity { return .moreFields }
      if i < n && p[i] == quote {
        // Quoted field.
        let open = i
        let openLine = startLine + lines
        let openLineStart = curLineStart
        i += 1
        let start = i
        var flag: UInt8 = 1
        var end = -1
        while true {
          while i < n && p[i] != quote {
            if p[i] == lf {
              lines += 1
              curLineStart = i + 1
            }
            i += 1
          }
          if i >= n {
            if atEnd {
              return .malformed(
                .unterminatedQuote, line: openLine, column: open - openLineStart + 1)
            }
            return .needMore
          }
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
        out[k] = CSVField(start: start, end: end, flag: flag)
        k += 1
        if i >= n {
          if !atEnd { return .needMore }
          return .record(end: i, lines: lines, count: k)
        }
        let b = p[i]
        if b == delim {
          i += 1
          continue
        }
        if b == lf { return .record(end: i + 1, lines: lines + 1, count: k) }
        if b == cr {
          if i + 1 >= n && !atEnd { return .needMore }
          if i + 1 < n && p[i + 1] == lf { return .record(end: i + 2, lines: lines + 1, count: k) }
        }
        return .malformed(.strayQuote, line: startLine + lines, column: i - curLineStart + 1)
      } else {
        // Unquoted field: run to the next special byte.
        let start = i
        while true {
          while i < n && !sp[Int(p[i])] { i += 1 }
          if i >= n { break }
          if p[i] == cr {
            if i + 1 >= n {
              if atEnd {
                i += 1
                continue
              }
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
          out[k] = CSVField(start: start, end: i, flag: 0)
          return .record(end: i, lines: lines, count: k + 1)
        }
        let b = p[i]
        if b == quote {
          return .malformed(.strayQuote, line: startLine + lines, column: i - curLineStart + 1)
        }
        out[k] = CSVField(start: start, end: i, flag: 0)
        k += 1
        if b == delim {
          i += 1
          continue
        }
        if b == lf { return .record(end: i + 1, lines: lines + 1, count: k) }
        return .record(end: i + 2, lines: lines + 1, count: k)  // CRLF
      }
    }
  }

  /// Calls `body` with a view of the current record.
  func withRecord<R>(_ body: (CSVRecord) throws -> R) rethrows -> R {
    try buffer.withUnsafeBufferPointer { p in
      try fields.withUnsafeBufferPointer { f in
        try body(
          CSVRecord(
            base: p, fields: UnsafeBufferPointer(rebasing: f[0..<fieldCount]),
            recordStart: recordStart,
            recordLine: recordLine))
      }
    }
  }
}

/// A borrowed view of one record's fields; valid only inside ``CSVScanner/withRecord(_:)``.
struct CSVRecord {
  let base: UnsafeBufferPointer<UInt8>
  let fields: UnsafeBufferPointer<CSVField>
  let recordStart: Int
  let recordLine: Int

  var count: Int { fields.count }

  /// The raw bytes of field `i` (doubled quotes not yet unescaped; see ``needsUnescape(_:)``).
  @inline(__always)
  func raw(_ i: Int) -> UnsafeBufferPointer<UInt8> {
    UnsafeBufferPointer(rebasing: base[fields[i].start..<fields[i].end])
  }

  /// Whether field `i` holds doubled quotes.
  @inline(__always)
  func needsUnescape(_ i: Int) -> Bool { fields[i].flag == 2 }

  /// One-based line and byte column where field `i` starts (its opening quote, if quoted),
  /// computed from the record's start; only error paths call it.
  func location(_ i: Int) -> (line: Int, column: Int) {
    let target = fields[i].start - (fields[i].flag == 0 ? 0 : 1)
    var line = recordLine
    var lineStart = recordStart
    var k = recordStart
    while k < target {
      if base[k] == UInt8(ascii: "\n") {
        line += 1
        lineStart = k + 1
      }
      k += 1
    }
    return (line, target - lineStart + 1)
  }

  /// Calls `body` with the unescaped bytes of field `i`.
  @inline(__always)
  func withField<R>(_ i: Int, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
    let bytes = raw(i)
    if fields[i].flag != 2 { return try body(bytes) }
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
    guard let first = fields.first, let last = fields.last, last.end > first.start else {
      return true
    }
    guard let p = base.baseAddress else { return true }
    var k = first.start
    let end = last.end
    var wide: UInt64 = 0
    while k + 8 <= end {
      wide |= UnsafeRawPointer(p + k).loadUnaligned(as: UInt64.self)
      k += 8
    }
    var acc =
      UInt8(truncatingIfNeeded: (wide | wide >> 32 | wide >> 16 | wide >> 8) & 0xFF)
      | UInt8(truncatingIfNeeded: wide >> 56) | UInt8(truncatingIfNeeded: wide >> 48)
      | UInt8(truncatingIfNeeded: wide >> 40) | UInt8(truncatingIfNeeded: wide >> 24)
    while k < end {
      acc |= p[k]
      k += 1
    }
    return acc < 0x80 && wide & 0x8080_8080_8080_8080 == 0
  }
}

/// One field of a record: byte offsets into the scanner's buffer, and whether it was quoted
/// (0 unquoted, 1 quoted, 2 quoted with doubled quotes to unescape).
struct CSVField {
  var start: Int
  var end: Int
  var flag: UInt8
}
