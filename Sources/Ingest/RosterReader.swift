/// Reads a ``Roster`` from CSV, checking that ids are unique and teachers' schools exist.
public struct RosterReader: Sendable {
  /// The field delimiter (default `,`).
  public var delimiter: Character
  /// Reading stops after this many problems (default 100).
  public var maxErrors: Int

  /// Creates a reader.
  public init(delimiter: Character = ",", maxErrors: Int = 100) {
    self.delimiter = delimiter
    self.maxErrors = maxErrors
  }

  /// The roster and the report of what was read.
  public struct Result: Sendable {
    /// The accepted schools and teachers.
    public let roster: Roster
    /// Rows read, accepted and rejected.
    public let report: ValidationReport
  }

  /// Reads the roster at `path` (`-` for standard input).
  public func read(_ path: String) throws(IngestError) -> Result {
    let source = try FileByteSource(path: path)
    defer { source.close() }
    return try read(source: source)
  }

  /// Reads a roster from any byte source.
  public func read(source: some ByteSource) throws(IngestError) -> Result {
    let d = delimiter.asciiValue ?? UInt8(ascii: ",")
    var scanner = CSVScanner(source: source, delimiter: d)
    let header = try SurveyHeader.read(&scanner, name: source.name)
    var column: [String: Int] = [:]
    for (i, n) in header.names.enumerated() {
      if column[n] != nil {
        throw IngestError.duplicateColumn(path: source.name, column: i + 1, name: n)
      }
      column[n] = i
    }
    for required in ["kind", "id"] where column[required] == nil {
      throw IngestError.missingColumn(path: source.name, column: required, layout: "roster")
    }
    var report = ValidationReport(file: source.name, layout: "roster")
    var schools: [Roster.School] = []
    var teachers: [(Roster.Teacher, line: Int, column: Int)] = []
    var schoolIDs: Set<String> = []
    var teacherIDs: Set<String> = []
    var sawRow = false
    func issue(
      _ kind: IngestIssue.Kind, _ line: Int, _ col: Int, _ value: String?, _ message: String
    ) {
      report.reject(
        IngestIssue(
          file: source.name, line: line, column: col, kind: kind, value: value, message: message),
        maxErrors: maxErrors)
    }
    loop: while !report.stoppedEarly {
      switch try scanner.next() {
      case .end: break loop
      case .malformed(let kind, let line, let col):
        sawRow = true
        report.rowsRead += 1
        issue(kind, line, col, nil, "malformed quoting in the roster row.")
      case .record:
        sawRow = true
        report.rowsRead += 1
        let line = scanner.recordLine
        var cols: [Int] = []
        var fields: [String] = []
        var utf8OK = true
        scanner.withRecord { r in
          for i in 0..<r.count {
            cols.append(r.location(i).column)
            if let s = r.string(i) {
              fields.append(s)
            } else {
              utf8OK = false
              fields.append("")
            }
          }
        }
        guard fields.count == header.names.count else {
          issue(
            .wrongFieldCount, line, cols.last ?? 1, nil,
            "expected \(header.names.count) fields as in the header, found \(fields.count).")
          continue
        }
        guard utf8OK else {
          issue(.invalidUTF8, line, 1, nil, "the row is not valid UTF-8; save the file as UTF-8.")
          continue
        }
        func field(_ name: String) -> String? {
          guard let i = column[name], !fields[i].isEmpty else { return nil }
          return fields[i]
        }
        func col(_ name: String) -> Int { column[name].map { cols[$0] } ?? 1 }
        guard let id = field("id") else {
          issue(.emptyField, line, col("id"), nil, "the 'id' field is empty; every row needs one.")
          continue
        }
        switch field("kind") {
        case "school":
          guard let hub = field("hub") else {
            issue(
              .emptyField, line, col("hub"), nil,
              "school '\(id)' has no hub; every school belongs to one.")
            continue
          }
          guard schoolIDs.insert(id).inserted else {
            issue(.duplicateId, line, col("id"), id, "school '\(id)' is defined twice.")
            continue
          }
          var size: Int?
          if let s = field("size") {
            guard let n = Int(s), n >= 0 else {
              issue(
                .valueOutsideScale, line, col("size"), s,
                "size '\(s)' is not a whole number of pupils.")
              continue
            }
            size = n
          }
          schools.append(
            Roster.School(
              id: id, name: field("name") ?? id, hub: hub, country: field("country") ?? "",
              timeZone: field("time_zone") ?? "UTC", size: size, type: field("type")))
          report.rowsAccepted += 1
        case "teacher":
          guard let school = field("school") else {
            issue(.emptyField, line, col("school"), nil, "teacher '\(id)' has no school.")
            continue
          }
          guard teacherIDs.insert(id).inserted else {
            issue(.duplicateId, line, col("id"), id, "teacher '\(id)' is defined twice.")
            continue
          }
          teachers.append(
            (
              Roster.Teacher(
                id: id, school: school, xapiAccount: field("xapi_account"),
                mboxSHA1: field("mbox_sha1sum"), lmsUserID: field("lms_user_id")), line,
              col("school")
            ))
        default:
          issue(
            .invalidKind, line, col("kind"), field("kind"),
            "kind '\(field("kind") ?? "")' is unknown; expected 'school' or 'teacher'.")
        }
      }
    }
    if !sawRow { throw IngestError.headerOnly(path: source.name) }
    var accepted: [Roster.Teacher] = []
    for (t, line, col) in teachers {
      if schoolIDs.contains(t.school) {
        accepted.append(t)
        report.rowsAccepted += 1
      } else {
        issue(
          .unknownSchool, line, col, t.school,
          "teacher '\(t.id)' belongs to school '\(t.school)', which the roster does not define.")
      }
    }
    report.answersAccepted = schools.count + accepted.count
    return Result(roster: Roster(schools: schools, teachers: accepted), report: report)
  }
}
