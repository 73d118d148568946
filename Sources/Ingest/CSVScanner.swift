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

  /// Fields of the current record, the special-byte table and the repeated span.
  private let scratch = CSVScratch()
  /// Number of fields in the current record.
  private(set) var fieldCount = 0
  /// Offset in `buffer` where the current record starts (always at the start of a line).
  private var recordStart = 0
  /// Line on which the current record starts.
  private(set) var recordLine = 1

  /// How many leading fields usually repeat from one record to the next (0: do not look).
  /// When the bytes of the previous record's leading fields (without line breaks) start the
  /// next record too, their parse is the same, so the scanner takes their offsets and parses
  /// only the rest.
  var repeatFields = 0 {
    didSet { scratch.spanCount = 0 }
  }
  /// Whether the current record's leading fields repeat the record before's.
  private(set) var repeated = false

  init(source: Source, delimiter: UInt8 = UInt8(ascii: ","), chunkSize: Int = 1 << 20) {
    self.source = source
    self.delimiter = delimiter
    self.chunkSize = chunkSize
    for b in [delimiter, UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\"")] {
      scratch.special[Int(b)] = true
    }
  }

  /// Bytes of the input consumed so far.
  var consumed: Int { bufferBase + position }

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
        scratch.growFields()
      case .record(let end, let lines, let count):
        recordLine = line
        recordStart = position
        fieldCount = count
        position = end
        line += lines
        let first = scratch.fields[0]
        if count == 1 && first.flag == 0 && first.start == first.end {
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

  /// Parses one record starting at `position` into the scratch fields.
  private mutating func parseRecord() -> Parse {
    let atEnd = exhausted
    let delim = delimiter
    let startLine = line
    let begin = position
    let m = repeatFields
    let s = scratch
    let spanCount = s.spanCount
    let out = UnsafeMutableBufferPointer(start: s.fields, count: s.capacity)
    let sp = UnsafeBufferPointer(start: s.special, count: 256)
    var repeated = false
    let result = buffer.withUnsafeBufferPointer { p -> Parse in
      // The leading fields repeat the previous record's: take their offsets, parse the rest.
      if spanCount > 0 && begin + spanCount <= p.count
        && bytesEqual(
          UnsafeBufferPointer(rebasing: p[begin..<(begin + spanCount)]),
          UnsafeBufferPointer(start: s.span, count: spanCount))
      {
        // Offsets are relative to the record's start, and the fields of the record that set
        // the span are still in place: a parse that overwrote them either set the span anew
        // or cleared it (a partial parse of a record is always finished before another).
        repeated = true
        return Self.parse(
          p, sp, out, begin: begin, resume: begin + spanCount, fields: m,
          startLine: startLine, atEnd: atEnd, delimiter: delim)
      }
      return Self.parse(
        p, sp, out, begin: begin, resume: begin, fields: 0, startLine: startLine,
        atEnd: atEnd, delimiter: delim)
    }
    if m > 0 {
      switch result {
      case .record(_, _, let count):
        self.repeated = repeated
        if !repeated {
          if count > m {
            rememberSpan(begin: begin)
          } else {
            s.spanCount = 0
          }
        }
      case .malformed:
        self.repeated = false
        s.spanCount = 0
      case .needMore, .moreFields: break
      }
    }
    return result
  }

  /// Keeps the bytes of the record's first ``repeatFields`` fields (with their delimiters)
  /// and their offsets, unless a line break lies among them.
  private func rememberSpan(begin: Int) {
    let m = repeatFields
    let s = scratch
    let next = s.fields[m]
    let end = begin + next.start - (next.flag == 0 ? 0 : 1)
    buffer.withUnsafeBufferPointer { p in
      let span = UnsafeBufferPointer(rebasing: p[begin..<end])
      if span.contains(UInt8(ascii: "\n")) {
        s.spanCount = 0
        return
      }
      s.keepSpan(span)
    }
  }

  /// The record parser proper, over raw pointers only (no captures, so it optimizes well).
  @inline(__always)
  private static func parse(
    _ p: UnsafeBufferPointer<UInt8>, _ sp: UnsafeBufferPointer<Bool>,
    _ out: UnsafeMutableBufferPointer<CSVField>, begin: Int, resume: Int, fields: Int,
    startLine: Int, atEnd: Bool,
    delimiter delim: UInt8
  ) -> Parse {
    let quote = UInt8(ascii: "\"")
    let lf = UInt8(ascii: "\n")
    let cr = UInt8(ascii: "\r")
    let n = p.count
    let capacity = out.count
    // The 8-byte scan needs a delimiter that is none of the other special bytes.
    let fast = delim != quote && delim != lf && delim != cr
    let delimWord = UInt64(delim) &* 0x0101_0101_0101_0101
    var k = fields
    var lines = 0
    var curLineStart = begin
    var i = resume
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
        out[k] = CSVField(start: start - begin, end: end - begin, flag: flag)
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
      } else if fast {
        // Unquoted field, 8 bytes at a time: find the next delimiter, quote or LF (a CR counts
        // only right before the LF that ends the record, so it is checked there).
        let start = i
        if let base = p.baseAddress {
          while i + 8 <= n {
            let w = UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)
            let m = swarSpecial(w, delimiter: delimWord)
            if m != 0 {
              i += m.trailingZeroBitCount &>> 3
              break
            }
            i += 8
          }
        }
        if i + 8 > n {
          while i < n {
            let b = p[i]
            if b == delim || b == quote || b == lf { break }
            i += 1
          }
        }
        if i >= n {
          if !atEnd { return .needMore }
          out[k] = CSVField(start: start - begin, end: i - begin, flag: 0)
          return .record(end: i, lines: lines, count: k + 1)
        }
        let b = p[i]
        if b == delim {
          out[k] = CSVField(start: start - begin, end: i - begin, flag: 0)
          k += 1
          i += 1
          continue
        }
        if b == quote {
          return .malformed(.strayQuote, line: startLine + lines, column: i - curLineStart + 1)
        }
        // LF, after a CR for CRLF.
        let end = i > start && p[i - 1] == cr ? i - 1 : i
        out[k] = CSVField(start: start - begin, end: end - begin, flag: 0)
        return .record(end: i + 1, lines: lines + 1, count: k + 1)
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
          out[k] = CSVField(start: start - begin, end: i - begin, flag: 0)
          return .record(end: i, lines: lines, count: k + 1)
        }
        let b = p[i]
        if b == quote {
          return .malformed(.strayQuote, line: startLine + lines, column: i - curLineStart + 1)
        }
        out[k] = CSVField(start: start - begin, end: i - begin, flag: 0)
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
      try body(
        CSVRecord(
          base: UnsafeBufferPointer(rebasing: p[recordStart...]),
          fields: UnsafeBufferPointer(start: scratch.fields, count: fieldCount),
          recordLine: recordLine, repeated: repeated))
    }
  }
}

/// The high bit of each byte of `w` that is the delimiter (repeated in every byte of
/// `delimiter`), a quote or an LF; no false positives, so the lowest set bit is the first match.
@inline(__always)
func swarSpecial(_ w: UInt64, delimiter: UInt64) -> UInt64 {
  let low7: UInt64 = 0x7F7F_7F7F_7F7F_7F7F
  @inline(__always) func nonZero(_ x: UInt64) -> UInt64 { ((x & low7) &+ low7) | x }
  let d = nonZero(w ^ delimiter)
  let q = nonZero(w ^ 0x2222_2222_2222_2222)
  let l = nonZero(w ^ 0x0A0A_0A0A_0A0A_0A0A)
  return ~(d & q & l) & 0x8080_8080_8080_8080
}

/// A borrowed view of one record's fields; valid only inside ``CSVScanner/withRecord(_:)``.
struct CSVRecord {
  /// The buffer from the record's start on (field offsets are relative to it).
  let base: UnsafeBufferPointer<UInt8>
  let fields: UnsafeBufferPointer<CSVField>
  let recordLine: Int
  /// Whether the record's first ``CSVScanner/repeatFields`` fields repeat the bytes of the
  /// record just before.
  var repeated = false

  var count: Int { fields.count }

  /// The raw bytes of field `i` (doubled quotes not yet unescaped; see ``needsUnescape(_:)``).
  @inline(__always)
  func raw(_ i: Int) -> UnsafeBufferPointer<UInt8> {
    UnsafeBufferPointer(rebasing: base[fields[i].start..<fields[i].end])
  }

  /// Offset in ``base`` where field `i` begins, counting its opening quote.
  @inline(__always)
  func opening(_ i: Int) -> Int { fields[i].start - (fields[i].flag == 0 ? 0 : 1) }

  /// Field `i` packed as ``ScaleLookup/pack(_:)`` packs it, or `nil` when it is longer than
  /// 7 bytes or holds doubled quotes.
  @inline(__always)
  func shortKey(_ i: Int) -> UInt64? {
    let f = fields[i]
    let count = f.end - f.start
    guard count <= 7, f.flag != 2, let p = base.baseAddress else { return nil }
    if f.start + 8 <= base.count {
      let w = UnsafeRawPointer(p + f.start).loadUnaligned(as: UInt64.self)
      return (w & ((1 &<< (UInt64(count) &* 8)) &- 1)) | UInt64(count) &<< 56
    }
    var key = UInt64(count) << 56
    for k in 0..<count { key |= UInt64(p[f.start + k]) << (8 * UInt64(k)) }
    return key
  }

  /// Whether field `i` holds doubled quotes.
  @inline(__always)
  func needsUnescape(_ i: Int) -> Bool { fields[i].flag == 2 }

  /// One-based line and byte column where field `i` starts (its opening quote, if quoted),
  /// computed from the record's start; only error paths call it.
  func location(_ i: Int) -> (line: Int, column: Int) {
    let target = fields[i].start - (fields[i].flag == 0 ? 0 : 1)
    var line = recordLine
    var lineStart = 0
    var k = 0
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

  /// Whether every byte of the record's fields from field `first` on is ASCII (the fast path
  /// skips UTF-8 checks).
  @inline(__always)
  func isASCII(from first: Int = 0) -> Bool {
    guard first < fields.count, let p = base.baseAddress else { return true }
    var k = fields[first].start
    let end = fields[fields.count - 1].end
    var wide: UInt64 = 0
    while k + 8 <= end {
      wide |= UnsafeRawPointer(p + k).loadUnaligned(as: UInt64.self)
      k += 8
    }
    while k < end {
      wide |= UInt64(p[k])
      k += 1
    }
    return wide & 0x8080_8080_8080_8080 == 0
  }
}

/// One field of a record: byte offsets into the scanner's buffer, and whether it was quoted
/// (0 unquoted, 1 quoted, 2 quoted with doubled quotes to unescape).
struct CSVField {
  var start: Int
  var end: Int
  var flag: UInt8
}

/// A ``CSVScanner``'s scratch memory in raw allocations, so that the per-record path does no
/// reference counting, uniqueness checks or bounds checks on it.
final class CSVScratch {
  /// Fields of the current record.
  private(set) var fields: UnsafeMutablePointer<CSVField>
  private(set) var capacity: Int
  /// Whether a byte may end an unquoted field (delimiter, quote, CR, LF).
  let special: UnsafeMutablePointer<Bool>
  /// The previous record's leading fields as bytes (their offsets stay in ``fields``).
  private(set) var span: UnsafeMutablePointer<UInt8>
  var spanCount = 0
  private var spanCapacity = 256

  init() {
    capacity = 64
    fields = .allocate(capacity: capacity)
    fields.initialize(repeating: CSVField(start: 0, end: 0, flag: 0), count: capacity)
    special = .allocate(capacity: 256)
    special.initialize(repeating: false, count: 256)
    span = .allocate(capacity: spanCapacity)
  }

  deinit {
    fields.deallocate()
    special.deallocate()
    span.deallocate()
  }

  /// Doubles the room for fields.
  func growFields() {
    let bigger = UnsafeMutablePointer<CSVField>.allocate(capacity: capacity * 2)
    bigger.initialize(from: fields, count: capacity)
    (bigger + capacity).initialize(repeating: CSVField(start: 0, end: 0, flag: 0), count: capacity)
    fields.deallocate()
    fields = bigger
    capacity *= 2
  }

  /// Keeps `bytes` as the span.
  func keepSpan(_ bytes: UnsafeBufferPointer<UInt8>) {
    if bytes.count > spanCapacity {
      span.deallocate()
      spanCapacity = bytes.count * 2
      span = .allocate(capacity: spanCapacity)
    }
    if let b = bytes.baseAddress { span.update(from: b, count: bytes.count) }
    spanCount = bytes.count
  }
}
