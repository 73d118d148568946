import Foundation
import Testing
import _TestSupport

@testable import Ingest

@Suite("Validation errors, each with its exact message")
struct ValidationTests {
  func messages(_ text: String, roster: Roster? = nil, maxErrors: Int = 100) throws -> [String] {
    try read(text, reader: SurveyReader(maxErrors: maxErrors), roster: roster).report.issues.map(
      \.description)
  }

  @Test func unknownItem() throws {
    #expect(
      try messages(header + "S1,r1,teacher,1,C4,3\n") == [
        "r.csv:2:17: error: unknown item code 'C4'; it is not in instrument 'tiny'."
      ])
  }

  @Test func valueOutsideScale() throws {
    #expect(
      try messages(header + "S1,r1,teacher,1,A1,6\n") == [
        "r.csv:2:20: error: value '6' is not on scale 's5' of item 'A1'; expected one of: 1, 2, 3, 4, 5, NA, PNS, or empty."
      ])
  }

  @Test func itemNotForGroup() throws {
    #expect(
      try messages(header + "S1,r1,student,1,B1,3\n") == [
        "r.csv:2:20: error: item 'B1' is not meant for group 'student'; it is answered by: teacher."
      ])
  }

  @Test func unknownGroup() throws {
    #expect(
      try messages(header + "S1,r1,parent,1,A1,3\n") == [
        "r.csv:2:7: error: unknown respondent group 'parent'; expected one of: teacher, student."
      ])
  }

  @Test func duplicateAnswer() throws {
    #expect(
      try messages(header + "S1,r1,teacher,1,A1,3\nS1,r2,teacher,1,A1,3\nS1,r1,teacher,1,A1,4\n")
        == [
          "r.csv:4:17: error: respondent 'r1' of school 'S1' already answered item 'A1' in wave '1'."
        ])
    // The same respondent id in another wave or school is another response.
    #expect(
      try messages(header + "S1,r1,teacher,1,A1,3\nS1,r1,teacher,2,A1,3\nS2,r1,teacher,1,A1,3\n")
        .isEmpty)
  }

  @Test func emptyRequiredField() throws {
    #expect(
      try messages(header + ",r1,teacher,1,A1,3\n") == [
        "r.csv:2:1: error: the 'school' field is empty; every row needs one."
      ])
  }

  @Test func wrongFieldCountAndTruncatedLastLine() throws {
    #expect(
      try messages(header + "S1,r1,teacher,1,A1,3,extra\nS1,r1,teacher,1,A2") == [
        "r.csv:2:22: error: expected 6 fields as in the header, found 7.",
        "r.csv:3:17: error: expected 6 fields as in the header, found 5 (is the line truncated?).",
      ])
  }

  @Test func strayAndUnterminatedQuotes() throws {
    #expect(
      try messages(header + "S1,r\"1,teacher,1,A1,3\nS1,r2,teacher,1,A1,\"3\n") == [
        "r.csv:2:5: error: stray quote; a field containing '\"' must be quoted as a whole, with '\"\"' for each quote.",
        "r.csv:3:20: error: a quoted field opens here and never closes; expected a closing '\"'.",
      ])
  }

  @Test func invalidUTF8() throws {
    var bytes = Array((header + "S1,r").utf8)
    bytes += [0xFF, 0xFE]
    bytes += Array(",teacher,1,A1,3\n".utf8)
    let result = try read(bytes: bytes)
    #expect(
      result.report.issues.map(\.description) == [
        "r.csv:2:4: error: the field is not valid UTF-8; save the file as UTF-8."
      ])
  }

  @Test func invalidTimestamp() throws {
    let text =
      "school,respondent,group,wave,item,value,submitted_at\nS1,r1,teacher,1,A1,3,2024-03-01 10:00\n"
    #expect(
      try messages(text) == [
        "r.csv:2:22: error: '2024-03-01 10:00' is not an ISO 8601 timestamp with a zone; expected e.g. 2024-03-01T09:30:00Z."
      ])
  }

  @Test func rosterChecks() throws {
    let roster = Roster(schools: [.init(id: "S1", name: "One", hub: "H1")])
    let text =
      "school,respondent,group,wave,item,value,hub\nS9,r1,teacher,1,A1,3,H1\nS1,r1,teacher,1,A1,3,H2\nS1,r2,teacher,1,A1,3,H1\n"
    #expect(
      try messages(text, roster: roster) == [
        "r.csv:2:1: error: school 'S9' is not in the roster.",
        "r.csv:3:22: error: hub 'H2' disagrees with the roster, which puts the school in hub 'H1'.",
      ])
    let result = try read(text, roster: roster)
    #expect(result.table.hubs == ["H1"] && result.table.hub == [0])
  }

  @Test func maxErrorsStopsEarlyAndCountsRows() throws {
    let text = header + "S1,r1,teacher,1,X1,3\nS1,r1,teacher,1,X2,3\nS1,r1,teacher,1,A1,3\n"
    let one = try read(text, reader: SurveyReader(maxErrors: 1))
    #expect(one.report.issues.count == 1 && one.report.stoppedEarly && one.report.rowsRead == 1)
    let all = try read(text)
    #expect(
      all.report.rowsRead == 3 && all.report.rowsRejected == 2 && all.report.rowsAccepted == 1)
    #expect(all.report.rejectedByKind == ["unknownItem": 2])
    #expect(
      all.report.text.hasSuffix(
        "r.csv (long layout): 3 rows read, 1 accepted, 2 rejected; 1 answers stored.\n  rejected for unknownItem: 2"
      ))
  }

  /// Rows that repeat the previous row's identity columns take a fast path (no lookups of
  /// school, respondent, group, wave; the scanner reuses the leading fields' offsets); errors
  /// in such rows must be the same as anywhere else, whatever the chunk size.
  @Test(arguments: [1, 7, 1 << 20])
  func repeatedIdentityRowsKeepEveryCheck(chunkSize: Int) throws {
    var bytes = Array(
      (header + "S1,r1,teacher,1,A1,3\nS1,r1,teacher,1,A2,NA\nS1,r1,teacher,1,C4,3\n"
        + "S1,r1,teacher,1,B1,6\nS1,r1,teacher,1,A1,4\nS1,r1,teacher,1,B1,3.0\n"
        + "S1,r1,teacher,1,B5,\nS1,r1,teacher,1,A2,").utf8)
    bytes += [0xFF]
    bytes += Array(
      ("\nS1,r1,teacher,1,A2\nS1,r2,student,1,A1,3\nS1,r2,student,1,B1,3\n"
        + "S1,r2,student,1,\"A2\",5\nS1,r1,teacher,1,A2,3\nS2,\"r\n3\",teacher,2,A1,1\n"
        + "S2,\"r\n3\",teacher,2,A2,2\nS2,\"r\n3\",teacher,2,A2,2\n").utf8)
    let result = try SurveyReader().read(
      source: MemoryByteSource(bytes, name: "r.csv", chunkSize: chunkSize),
      instrument: tinyInstrument())
    #expect(
      result.report.issues.map(\.description) == [
        "r.csv:4:17: error: unknown item code 'C4'; it is not in instrument 'tiny'.",
        "r.csv:5:20: error: value '6' is not on scale 's5' of item 'B1'; expected one of: 1, 2, 3, 4, 5, NA, PNS, or empty.",
        "r.csv:6:17: error: respondent 'r1' of school 'S1' already answered item 'A1' in wave '1'.",
        "r.csv:9:20: error: the field is not valid UTF-8; save the file as UTF-8.",
        "r.csv:10:17: error: expected 6 fields as in the header, found 5 (is the line truncated?).",
        "r.csv:12:20: error: item 'B1' is not meant for group 'student'; it is answered by: teacher.",
        "r.csv:14:17: error: respondent 'r1' of school 'S1' already answered item 'A2' in wave '1'.",
        "r.csv:20:14: error: respondent 'r\n3' of school 'S2' already answered item 'A2' in wave '2'.",
      ])
    #expect(result.report.rowsRead == 16 && result.report.rowsAccepted == 8)
    let t = result.table
    #expect(t.item == [0, 1, 2, 3, 0, 1, 0, 1])
    #expect(
      t.value == [
        2, SurveyTable.Value.notApplicable, 2, SurveyTable.Value.skipped, 2, 4, 0, 1,
      ])
    #expect(t.respondent == [0, 0, 0, 0, 1, 1, 2, 2])
    #expect(t.group == [0, 0, 0, 0, 1, 1, 0, 0])
    #expect(t.respondents == ["r1", "r2", "r\n3"])
    #expect(t.school == [0, 0, 0, 0, 0, 0, 1, 1])
  }

  @Test func fileLevelErrors() throws {
    #expect(throws: IngestError.emptyFile(path: "r.csv")) { try read("") }
    #expect(throws: IngestError.emptyFile(path: "r.csv")) { try read("\u{FEFF}\n\n") }
    #expect(throws: IngestError.headerOnly(path: "r.csv")) { try read(header) }
    #expect(throws: IngestError.missingColumn(path: "r.csv", column: "wave", layout: "long")) {
      try read("school,respondent,group,item,value\nS1,r1,teacher,A1,3\n")
    }
    #expect(throws: IngestError.duplicateColumn(path: "r.csv", column: 3, name: "school")) {
      try read("school,respondent,school\n")
    }
    #expect(throws: IngestError.self) { try read("a,b,c\n1,2,3\n") }
    #expect(
      IngestError.emptyFile(path: "r.csv").description
        == "r.csv:1:1: error: the file is empty; expected a header line and data rows.")
    #expect(
      IngestError.headerOnly(path: "r.csv").description
        == "r.csv:2:1: error: the file has a header but no data rows.")
    #expect(throws: IngestError.self) {
      try SurveyReader().read("/nonexistent/file.csv", instrument: tinyInstrument())
    }
  }
}

@Suite("Instruments and rosters")
struct DefinitionTests {
  @Test func bundledInstrumentsLoadAndValidate() throws {
    for id in ["school-self-reflection", "teacher-self-reflection", "school-maturity-mirror"] {
      let instrument = try Instrument.bundled(id)
      #expect(instrument.id == id)
    }
    let school = try Instrument.bundled("school-self-reflection")
    #expect(school.areas.count == 8 && school.groups.count == 3)
    #expect(school.item("C10")?.reverse == true && school.item("C4") == nil)
    #expect(try Instrument.bundled("teacher-self-reflection").areas.count == 6)
    let mirror = try Instrument.bundled("school-maturity-mirror")
    #expect(mirror.areas.count == 3 && mirror.items.filter { $0.targetOf == nil }.count == 15)
    #expect(mirror.levelScheme?.level(for: 3.4) == "C")
  }

  @Test func bundledCopyEqualsFixtureFile() throws {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .deletingLastPathComponent()
      .deletingLastPathComponent()
    for id in Instrument.bundledDefinitions.keys {
      let fromFile = try Instrument.load(
        from: root.appendingPathComponent("Fixtures/instruments/\(id).json").path)
      #expect(
        fromFile == (try Instrument.bundled(id)), "regenerate with make_instruments.py: \(id)")
    }
  }

  @Test func invalidDefinitionsNameTheProblem() throws {
    var bad = tinyInstrument()
    bad.items.append(.init(code: "A1", area: "A", groups: ["teacher"], scale: "s5"))
    #expect(
      throws: IngestError.invalidDefinition(
        path: "<instrument>", reason: "item 'A1' is defined twice")
    ) {
      try bad.validate()
    }
    bad = tinyInstrument()
    bad.items[0].area = "Z"
    #expect(
      throws: IngestError.invalidDefinition(
        path: "<instrument>", reason: "item 'A1' belongs to area 'Z', which is not defined")
    ) {
      try bad.validate()
    }
    let json =
      #"{"id": "x", "version": "1", "name": "X", "groups": [], "areas": [], "scales": [], "items": [{"code": 3}]}"#
    #expect(
      throws: IngestError.invalidDefinition(
        path: "<instrument>", reason: "expected String at .items[0].code")
    ) {
      try Instrument.decode(Data(json.utf8))
    }
  }

  @Test func rosterReadsAndChecks() throws {
    let text = """
      kind,id,name,hub,country,time_zone,size,type,school,xapi_account,mbox_sha1sum,lms_user_id
      school,S1,One,H1,EE,Europe/Tallinn,300,primary,,,,
      school,S1,Again,H1,EE,Europe/Tallinn,,,,,,
      teacher,T1,,,,,,,S1,https://lrs.example|t1,,42
      teacher,T2,,,,,,,S7,,,
      pupil,P1,,,,,,,,,,

      """
    let result = try RosterReader().read(
      source: MemoryByteSource(Array(text.utf8), name: "roster.csv"))
    #expect(result.roster.schools.count == 1 && result.roster.teachers.count == 1)
    #expect(result.roster.teachers[0].lmsUserID == "42")
    #expect(
      result.report.issues.map(\.description) == [
        "roster.csv:3:8: error: school 'S1' is defined twice.",
        "roster.csv:6:1: error: kind 'pupil' is unknown; expected 'school' or 'teacher'.",
        "roster.csv:5:18: error: teacher 'T2' belongs to school 'S7', which the roster does not define.",
      ])
    // Round trip through the writer.
    let again = try RosterReader().read(
      source: MemoryByteSource(result.roster.csv(), name: "roster.csv"))
    #expect(again.roster == result.roster && again.report.isClean)
  }
}

@Suite("Timestamps")
struct TimestampTests {
  @Test func parsesZonesAndFractions() {
    #expect(Timestamp.millisecondsSinceEpoch("1970-01-01T00:00:00Z") == 0)
    #expect(Timestamp.millisecondsSinceEpoch("2024-01-13T03:33:30.759Z") == 1_705_116_810_759)
    #expect(Timestamp.millisecondsSinceEpoch("2024-01-13T05:33:30.759+02:00") == 1_705_116_810_759)
    #expect(Timestamp.millisecondsSinceEpoch("2024-01-12T22:33:30.759-0500") == 1_705_116_810_759)
    #expect(Timestamp.millisecondsSinceEpoch("2024-02-29T00:00:00Z") != nil)
    for bad in [
      "2023-02-29T00:00:00Z", "2024-01-13T03:33:30", "2024-13-01T00:00:00Z",
      "2024-01-13T03:33:30.Z",
      "2024-01-13T03:33:30Zx", "", "yesterday",
    ] {
      #expect(Timestamp.millisecondsSinceEpoch(bad) == nil, "\(bad)")
    }
  }

  @Test func formatRoundTrips() {
    var rng = SplitMix64Stub(seed: 9)
    for _ in 0..<1000 {
      let ms = Int64(rng.next() % 4_000_000_000_000) - 1_000_000_000_000
      #expect(Timestamp.millisecondsSinceEpoch(Timestamp.format(millisecondsSinceEpoch: ms)) == ms)
    }
    #expect(
      Timestamp.format(millisecondsSinceEpoch: 1_705_116_810_759) == "2024-01-13T03:33:30.759Z")
  }
}
