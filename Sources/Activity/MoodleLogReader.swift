import Ingest
import _CXAPI

/// Reads a Moodle standard log (`logstore_standard_log` exported as CSV) into an
/// ``ActivityEventTable``.
///
/// Needed columns: `eventname`, `userid`, `timecreated` (Unix seconds, UTC). Used when present:
/// `component` (the tool), `objecttable` and `objectid` (the object; else `course:<courseid>`,
/// else the component), `crud` (c, r, u or d), `edulevel` (0 other, 1 teaching,
/// 2 participating). `ip`, `origin`, `relateduserid`, `realuserid` and `other` are never kept.
/// Rows with `userid` 0 (not logged in, cron, CLI) are valid but skipped: they are nobody's
/// activity.
///
/// Locations: the line is the row's line when no quoted field spans lines; the column is
/// that of the field, counting the widths of the fields before it.
public struct MoodleLogReader: Sendable {
  /// How actors are pseudonymised; `nil` validates only and keeps no table.
  public var pseudonymizer: Pseudonymizer?
  /// Reading stops after this many problems (default 100).
  public var maxErrors: Int
  /// "Now" for the no-future-times rule, in ms since the epoch (default: the clock).
  public var now: Int64?

  /// Creates a reader.
  public init(pseudonymizer: Pseudonymizer?, maxErrors: Int = 100, now: Int64? = nil) {
    self.pseudonymizer = pseudonymizer
    self.maxErrors = maxErrors
    self.now = now
  }

  /// Reads the Moodle log CSV at `path`.
  public func read(_ path: String, roster: Roster? = nil) throws(ActivityError) -> ActivityLog {
    let header: [String]
    let rows: [[String]]
    do {
      (header, rows) = try CSVRows.read(path)
    } catch {
      throw ActivityError.csv(error)
    }
    return try read(header: header, rows: rows, path: path, roster: roster)
  }

  /// Reads a Moodle log CSV already in memory (standard input, say); `name` is the path
  /// for messages.
  public func read(bytes: [UInt8], name: String, roster: Roster? = nil) throws(ActivityError)
    -> ActivityLog
  {
    let header: [String]
    let rows: [[String]]
    do {
      (header, rows) = try CSVRows.read(bytes: bytes, name: name)
    } catch {
      throw ActivityError.csv(error)
    }
    return try read(header: header, rows: rows, path: name, roster: roster)
  }

  func read(header: [String], rows: [[String]], path: String, roster: Roster?)
    throws(ActivityError) -> ActivityLog
  {
    let nowMS = now ?? LogFile.currentMilliseconds()
    var column: [String: Int] = [:]
    for (i, n) in header.enumerated() where column[n] == nil { column[n] = i }
    for needed in ["eventname", "userid", "timecreated"] where column[needed] == nil {
      throw ActivityError.missingColumn(path: path, column: needed)
    }
    guard !rows.isEmpty else { throw ActivityError.emptyFile(path: path) }
    let keep = pseudonymizer != nil
    let pseudonymizer = self.pseudonymizer ?? .unkeyed
    var report = LogValidationReport(file: path, format: "moodle-csv")
    var table = ActivityEventTable(source: .moodle)
    var actors: [String: Int32] = [:]
    var verbs: [String: Int32] = [:]
    var objects: [String: Int32] = [:]
    var tools: [String: Int32] = [:]
    func code(_ s: String, _ map: inout [String: Int32], _ list: inout [String]) -> Int32 {
      if let c = map[s] { return c }
      let c = Int32(list.count)
      list.append(s)
      map[s] = c
      return c
    }
    for (r, row) in rows.enumerated() {
      if report.stoppedEarly { break }
      report.read += 1
      let line = r + 2
      func col(_ name: String) -> Int {
        guard let k = column[name] else { return 1 }
        return 1 + row.prefix(k).reduce(0) { $0 + $1.utf8.count + 1 }
      }
      func reject(_ rule: LogIssue.Rule, _ name: String, _ message: String) {
        report.reject(
          LogIssue(file: path, line: line, column: col(name), rule: rule, message: message),
          maxErrors: maxErrors)
      }
      guard row.count == header.count else {
        report.reject(
          LogIssue(
            file: path, line: line, column: 1, rule: .wrongFieldCount,
            message: "expected \(header.count) fields as in the header, found \(row.count)."),
          maxErrors: maxErrors)
        continue
      }
      func value(_ name: String) -> String { column[name].map { row[$0] } ?? "" }
      let event = value("eventname")
      guard !event.isEmpty else {
        reject(.invalidField, "eventname", "the 'eventname' field is empty.")
        continue
      }
      guard let user = Int64(value("userid")), user >= 0 else {
        reject(
          .invalidField, "userid",
          "userid '\(value("userid"))' is not a whole number (0 for not logged in).")
        continue
      }
      guard let seconds = Int64(value("timecreated")), seconds >= 0 else {
        reject(
          .invalidTimestamp, "timecreated",
          "timecreated '\(value("timecreated"))' is not Unix seconds (a whole number >= 0).")
        continue
      }
      if seconds * 1000 > nowMS {
        reject(
          .futureTimestamp, "timecreated",
          "timecreated \(seconds) (\(Timestamp.format(millisecondsSinceEpoch: seconds * 1000))) "
            + "is in the future.")
        continue
      }
      let crud = value("crud")
      guard crud.isEmpty || ["c", "r", "u", "d"].contains(crud) else {
        reject(.invalidField, "crud", "crud '\(crud)' is not one of c, r, u, d.")
        continue
      }
      let edulevel = value("edulevel")
      guard edulevel.isEmpty || ["0", "1", "2"].contains(edulevel) else {
        reject(
          .invalidField, "edulevel",
          "edulevel '\(edulevel)' is not 0 (other), 1 (teaching) or 2 (participating).")
        continue
      }
      report.accepted += 1
      guard user > 0 else {
        report.skipped += 1
        continue
      }
      guard keep else { continue }
      let identity = Pseudonymizer.identity(moodleUser: String(user))
      let actor: Int32
      if let a = actors[identity] {
        actor = a
      } else {
        actor = Int32(table.actors.count)
        table.actors.append(pseudonymizer.pseudonym(identity))
        actors[identity] = actor
      }
      let component = value("component")
      let objectName: String
      if !value("objecttable").isEmpty && !value("objectid").isEmpty {
        objectName = value("objecttable") + ":" + value("objectid")
      } else if !value("courseid").isEmpty {
        objectName = "course:" + value("courseid")
      } else {
        objectName = component
      }
      let object = objectName.isEmpty ? -1 : code(objectName, &objects, &table.objects)
      let tool = component.isEmpty ? -1 : code(component, &tools, &table.tools)
      let completed: Int8 = event.hasSuffix("_completed") ? 1 : -1
      table.append(
        actor: actor, verb: code(event, &verbs, &table.verbs), object: object, tool: tool,
        timestamp: seconds * 1000, duration: .nan, scaled: .nan, success: -1,
        completion: completed)
    }
    if keep { table.join(roster, pseudonymizer: pseudonymizer) }
    return ActivityLog(table: table, report: report)
  }
}

/// Reads a log of any supported format: a Moodle CSV when the first line names `eventname`,
/// otherwise xAPI (JSON Lines or a JSON array).
public enum LogReader {
  /// Reads `path`, choosing the reader by its content.
  public static func read(
    _ path: String, roster: Roster? = nil, pseudonymizer: Pseudonymizer?, maxErrors: Int = 100,
    now: Int64? = nil
  ) throws(ActivityError) -> ActivityLog {
    let xapi = XAPIReader(pseudonymizer: pseudonymizer, maxErrors: maxErrors, now: now)
    func isMoodle(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
      var i = 0
      while i < bytes.count,
        bytes[i] == 32 || bytes[i] == 9 || bytes[i] == 10 || bytes[i] == 13
          || bytes[i] == 0xEF || bytes[i] == 0xBB || bytes[i] == 0xBF
      {
        i += 1
      }
      guard i < bytes.count && bytes[i] != UInt8(ascii: "{") && bytes[i] != UInt8(ascii: "[")
      else { return false }
      let firstLine = bytes[i...].prefix { $0 != 10 }
      return String(decoding: firstLine, as: UTF8.self).contains("eventname")
    }
    let moodle = MoodleLogReader(pseudonymizer: pseudonymizer, maxErrors: maxErrors, now: now)
    if let mapped = try MappedFile(path, padding: Int(CXAPI_PADDING)) {
      return try withExtendedLifetime(mapped) { () throws(ActivityError) -> ActivityLog in
        let content = UnsafeBufferPointer(rebasing: mapped.bytes[0..<mapped.length])
        if isMoodle(content) { return try moodle.read(path, roster: roster) }
        return try xapi.read(padded: mapped.bytes, length: mapped.length, name: path, roster: roster)
      }
    }
    var bytes = try LogFile.bytes(path)
    let length = bytes.count
    if bytes.withUnsafeBufferPointer(isMoodle) {
      // From the bytes read: standard input cannot be read a second time.
      return try moodle.read(bytes: bytes, name: path, roster: roster)
    }
    bytes.append(contentsOf: repeatElement(0, count: Int(CXAPI_PADDING)))  // within capacity
    return try bytes.withUnsafeBufferPointer { (p) throws(ActivityError) -> ActivityLog in
      try xapi.read(padded: p, length: length, name: path, roster: roster)
    }
  }
}
