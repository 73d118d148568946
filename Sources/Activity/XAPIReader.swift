import Glibc
import Ingest
import _CXAPI

/// Reads xAPI 1.0.3 statements (JSON Lines, or one JSON array) into an ``ActivityEventTable``,
/// validating each statement as a learning record store would.
///
/// Each statement is parsed by simdjson (full JSON validation) through a small C++ target, then
/// checked rule by rule (see the Activity article "Reading xAPI statements"). A statement that
/// breaks a rule is rejected with a ``LogIssue`` at `FILE:LINE:COLUMN`; reading goes on.
///
/// ```swift
/// let reader = XAPIReader(pseudonymizer: try Pseudonymizer(keyFile: "programme.key"))
/// let log = try reader.read("statements.jsonl", roster: roster)
/// log.table.count; log.report.rejected
/// ```
///
/// - Complexity: O(bytes); the whole file is held in memory while reading.
public struct XAPIReader: Sendable {
  /// How actors are pseudonymised; `nil` validates only and keeps no table.
  public var pseudonymizer: Pseudonymizer?
  /// Reading stops after this many problems (default 100).
  public var maxErrors: Int
  /// "Now" for the no-future-timestamps rule, in ms since the epoch (default: the clock).
  public var now: Int64?

  /// Creates a reader; with `pseudonymizer` nil it only validates.
  public init(pseudonymizer: Pseudonymizer?, maxErrors: Int = 100, now: Int64? = nil) {
    self.pseudonymizer = pseudonymizer
    self.maxErrors = maxErrors
    self.now = now
  }

  /// The verb IRI of voiding statements.
  public static let voidedVerb: StaticString = "http://adlnet.gov/expapi/verbs/voided"

  /// Reads the file at `path` (`-` for standard input).
  ///
  /// A regular file is mapped into memory (no copy), followed by zero bytes for the parser's
  /// padding; standard input and other streams are read into memory.
  public func read(_ path: String, roster: Roster? = nil) throws(ActivityError) -> ActivityLog {
    if let mapped = try MappedFile(path, padding: Int(CXAPI_PADDING)) {
      return try withExtendedLifetime(mapped) { () throws(ActivityError) -> ActivityLog in
        try read(padded: mapped.bytes, length: mapped.length, name: path, roster: roster)
      }
    }
    var bytes = try LogFile.bytes(path)
    let length = bytes.count
    bytes.append(contentsOf: repeatElement(0, count: Int(CXAPI_PADDING)))  // within capacity
    return try bytes.withUnsafeBufferPointer { (p) throws(ActivityError) -> ActivityLog in
      try read(padded: p, length: length, name: path, roster: roster)
    }
  }

  /// Reads statements held in memory.
  public func read(bytes: [UInt8], name: String, roster: Roster? = nil) throws(ActivityError)
    -> ActivityLog
  {
    var buffer = bytes
    buffer.append(contentsOf: repeatElement(0, count: Int(CXAPI_PADDING)))
    return try buffer.withUnsafeBufferPointer { (p) throws(ActivityError) -> ActivityLog in
      try read(padded: p, length: bytes.count, name: name, roster: roster)
    }
  }

  /// Reads the first `length` bytes of `p`, which holds `CXAPI_PADDING` more.
  func read(padded p: UnsafeBufferPointer<UInt8>, length: Int, name: String, roster: Roster?)
    throws(ActivityError) -> ActivityLog
  {
    var state = ReadState(
      reader: self, name: name,
      now: now ?? LogFile.currentMilliseconds(), keep: pseudonymizer != nil)
    do {
      let data = UnsafeBufferPointer(rebasing: p[0..<length])
      var i = 0
      JSONLocator.skipSpace(data, &i)
      if i < length && data[i] == UInt8(ascii: "[") {
        state.report.format = "xapi-array"
        try Self.splitArray(data, from: i, name: name) { start, end, line, lineStart in
          state.statement(p, start: start, end: end, line: line, lineStart: lineStart)
          return !state.report.stoppedEarly
        }
      } else {
        state.report.format = "xapi-jsonl"
        var line = 1
        var start = 0
        while start < length && !state.report.stoppedEarly {
          let rest = length - start
          let end: Int
          if let q = memchr(p.baseAddress! + start, 10, rest) {
            end = p.baseAddress!.distance(to: q.assumingMemoryBound(to: UInt8.self))
          } else {
            end = length
          }
          var s = start
          while s < end, data[s] == 32 || data[s] == 9 || data[s] == 13 { s += 1 }
          if s < end {
            var e = end
            while e > s, data[e - 1] == 13 || data[e - 1] == 32 || data[e - 1] == 9 { e -= 1 }
            state.statement(p, start: s, end: e, line: line, lineStart: start)
          }
          start = end + 1
          line += 1
        }
      }
    }
    if state.report.read == 0 { throw ActivityError.emptyFile(path: name) }
    return state.finish(roster: roster)
  }

  /// Splits a top-level JSON array into its elements' byte ranges; the elements themselves are
  /// validated by simdjson. Calls `body(start, end, line, lineStart)` per element.
  static func splitArray(
    _ s: UnsafeBufferPointer<UInt8>, from open: Int, name: String,
    _ body: (Int, Int, Int, Int) -> Bool
  ) throws(ActivityError) {
    var line = 1
    var lineStart = 0
    var i = 0
    func advance(to j: Int) {
      while i < j {
        if s[i] == 10 {
          line += 1
          lineStart = i + 1
        }
        i += 1
      }
    }
    func space() {
      while i < s.count, s[i] == 32 || s[i] == 9 || s[i] == 10 || s[i] == 13 { advance(to: i + 1) }
    }
    func fail(_ what: String) -> ActivityError {
      .unknownFormat(
        path: name,
        reason: "the JSON array is malformed at line \(line), column \(i - lineStart + 1): \(what)."
      )
    }
    advance(to: open + 1)
    space()
    if i < s.count && s[i] == UInt8(ascii: "]") {
      i += 1
    } else {
      while true {
        space()
        guard i < s.count else { throw fail("it ends before ']'") }
        let start = i
        let startLine = line
        let startLineStart = lineStart
        var j = i
        JSONLocator.skipValue(s, &j)
        guard j > start else { throw fail("expected a statement") }
        advance(to: min(j, s.count))
        guard body(start, i, startLine, startLineStart) else { return }
        space()
        guard i < s.count else { throw fail("it ends before ']'") }
        if s[i] == UInt8(ascii: ",") {
          advance(to: i + 1)
          continue
        }
        guard s[i] == UInt8(ascii: "]") else { throw fail("expected ',' or ']'") }
        i += 1
        break
      }
    }
    space()
    guard i >= s.count else { throw fail("text follows the closing ']'") }
  }
}

/// A regular file mapped read-only into memory, followed by at least `padding` zero bytes
/// (an anonymous mapping reserves the whole range; the file is mapped over its start).
final class MappedFile {
  private let base: UnsafeMutableRawPointer
  private let mappedLength: Int
  /// The file's size.
  let length: Int

  /// The file and its padding, `length + padding` bytes or more.
  var bytes: UnsafeBufferPointer<UInt8> {
    UnsafeBufferPointer(start: base.assumingMemoryBound(to: UInt8.self), count: mappedLength)
  }

  /// Maps `path`; `nil` for standard input, an empty file or anything that is not a regular
  /// file (read those as a stream), or when mapping fails.
  init?(_ path: String, padding: Int) throws(ActivityError) {
    guard path != "-" else { return nil }
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else {
      throw ActivityError.unreadableFile(path: path, reason: String(cString: strerror(errno)))
    }
    defer { close(fd) }
    var info = stat()
    guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, info.st_size > 0 else {
      return nil
    }
    let size = Int(info.st_size)
    let page = Swift.max(4096, sysconf(Int32(_SC_PAGESIZE)))
    let total = (size + padding + page - 1) / page * page
    let failed = UnsafeMutableRawPointer(bitPattern: -1)
    guard
      let region = mmap(nil, total, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
      region != failed
    else { return nil }
    guard
      let file = mmap(region, size, PROT_READ, MAP_PRIVATE | MAP_FIXED, fd, 0),
      file != failed
    else {
      munmap(region, total)
      return nil
    }
    base = region
    mappedLength = total
    length = size
  }

  deinit { munmap(base, mappedLength) }
}

/// Reading whole log files.
enum LogFile {
  static func bytes(_ path: String) throws(ActivityError) -> [UInt8] {
    let fd = path == "-" ? 0 : open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else {
      throw ActivityError.unreadableFile(path: path, reason: String(cString: strerror(errno)))
    }
    defer { if fd != 0 { close(fd) } }
    var info = stat()
    if fstat(fd, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR {
      throw ActivityError.unreadableFile(path: path, reason: "it is a directory")
    }
    var out = [UInt8]()
    if info.st_size > 0 { out.reserveCapacity(Int(info.st_size) + 64) }
    var chunk = [UInt8](repeating: 0, count: 1 << 20)
    while true {
      let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, 1 << 20) }
      if n < 0 && errno == EINTR { continue }
      if n < 0 {
        throw ActivityError.unreadableFile(path: path, reason: String(cString: strerror(errno)))
      }
      if n == 0 { break }
      out.append(contentsOf: chunk[0..<n])
    }
    return out
  }

  static func currentMilliseconds() -> Int64 {
    var t = timespec()
    clock_gettime(CLOCK_REALTIME, &t)
    return Int64(t.tv_sec) * 1000 + Int64(t.tv_nsec) / 1_000_000
  }
}
