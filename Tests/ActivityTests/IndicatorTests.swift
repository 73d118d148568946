import Foundation
import Ingest
import Testing

@testable import Activity

let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
  .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures/logs")

func ms(_ text: String) -> Int64 { Timestamp.millisecondsSinceEpoch(text)! }

/// A table of one actor's events (time, tool, verb), in school `school` when given.
func table(_ events: [(String, Int32, Int32)], school: String? = nil) -> ActivityEventTable {
  var t = ActivityEventTable(source: .xapi)
  t.actors = ["p1"]
  t.actorTeacher = [school == nil ? nil : "T1"]
  t.actorSchool = [school]
  t.verbs = ["http://v/0", "http://v/1"]
  t.tools = ["A", "B"]
  for (time, tool, verb) in events {
    t.append(
      actor: 0, verb: verb, object: -1, tool: tool, timestamp: ms(time), duration: .nan,
      scaled: .nan, success: -1, completion: -1)
  }
  return t
}

let roster = Roster(
  schools: [
    Roster.School(id: "S1", name: "S1", hub: "H1", timeZone: "Europe/Tallinn"),
    Roster.School(id: "S2", name: "S2", hub: "H1", timeZone: "UTC"),
  ],
  teachers: [
    Roster.Teacher(id: "T1", school: "S1"), Roster.Teacher(id: "T2", school: "S1"),
    Roster.Teacher(id: "T3", school: "S2"),
  ])

@Suite("Activity indicators")
struct IndicatorTests {
  func teacherRows(
    _ t: ActivityEventTable, _ s: ActivityIndicators = .init(), roster r: Roster? = nil
  )
    throws -> [ActivityIndicators.Row]
  {
    try s.compute(t, roster: r).rows.filter { $0.level == .teacher }
  }

  @Test func oneEvent() throws {
    let rows = try teacherRows(table([("2024-03-04T10:00:00Z", 0, 0)]))
    #expect(rows.count == 1)
    let r = rows[0]
    #expect(r.events == 1 && r.sessions == 1 && r.activeDays == 1 && r.timeOnTaskSeconds == 0)
    #expect(r.distinctTools == 1 && r.distinctVerbs == 1 && r.period == "2024-W10")
    #expect(r.regularity == 1 && r.completionRate == nil && r.meanScaled == nil)
  }

  @Test func gapExactlyAtTheThresholdContinuesTheSession() throws {
    let at = try teacherRows(
      table([("2024-03-04T10:00:00Z", 0, 0), ("2024-03-04T10:30:00Z", 1, 1)]))
    #expect(at[0].sessions == 1 && at[0].timeOnTaskSeconds == 1800)
    #expect(at[0].distinctTools == 2 && at[0].distinctVerbs == 2)
    let over = try teacherRows(
      table([("2024-03-04T10:00:00Z", 0, 0), ("2024-03-04T10:30:00.001Z", 0, 0)]))
    #expect(over[0].sessions == 2 && over[0].timeOnTaskSeconds == 0)
    // A 10-minute gap setting and a 5-minute cap.
    let capped = try teacherRows(
      table([("2024-03-04T10:00:00Z", 0, 0), ("2024-03-04T10:08:00Z", 0, 0)]),
      ActivityIndicators(sessionGap: 600, maxGapCredit: 300))
    #expect(capped[0].sessions == 1 && capped[0].timeOnTaskSeconds == 300)
  }

  @Test func unsortedEventsAreSorted() throws {
    let rows = try teacherRows(
      table([
        ("2024-03-04T10:20:00Z", 0, 0), ("2024-03-04T10:00:00Z", 0, 0),
        ("2024-03-04T10:10:00Z", 0, 0),
      ]))
    #expect(rows[0].sessions == 1 && rows[0].timeOnTaskSeconds == 1200)
  }

  /// The indicators do not depend on the order of events in the log: a seeded random log of
  /// several actors (with tied timestamps) and the same log shuffled give identical rows.
  @Test func rowsDoNotDependOnTheOrderOfEvents() throws {
    var rng = TestGenerator(seed: 7)
    var events: [(actor: Int32, time: Int64, tool: Int32, verb: Int32, scaled: Double)] = []
    let base = ms("2024-03-04T08:00:00Z")
    for _ in 0..<3000 {
      let actor = Int32(rng.next() % 7)
      // Minutes, so that ties and gaps around the 30-minute threshold are common.
      let time = base + Int64(rng.next() % 20_000) * 60_000
      events.append((actor, time, Int32(rng.next() % 2), Int32(rng.next() % 2), Double(rng.next() % 5) / 4))
    }
    func make(_ list: [(actor: Int32, time: Int64, tool: Int32, verb: Int32, scaled: Double)])
      -> ActivityEventTable
    {
      var t = ActivityEventTable(source: .xapi)
      t.actors = (0..<7).map { "p\($0)" }
      t.actorTeacher = Array(repeating: nil, count: 7)
      t.actorSchool = Array(repeating: nil, count: 7)
      t.verbs = ["http://v/0", "http://v/1"]
      t.tools = ["A", "B"]
      for e in list {
        t.append(
          actor: e.actor, verb: e.verb, object: -1, tool: e.tool, timestamp: e.time,
          duration: .nan, scaled: e.scaled, success: -1, completion: -1)
      }
      return t
    }
    let sortedByTime = events.sorted { $0.time < $1.time }
    var shuffled = events
    for i in stride(from: shuffled.count - 1, to: 0, by: -1) {
      shuffled.swapAt(i, Int(rng.next() % UInt64(i + 1)))
    }
    let reference = try ActivityIndicators().compute(make(sortedByTime)).rows
    #expect(reference.count >= 14)  // 7 actors x 2-3 weeks
    #expect(try ActivityIndicators().compute(make(events)).rows == reference)
    #expect(try ActivityIndicators().compute(make(shuffled)).rows == reference)
    // Sorting over threads (each actor's events by one thread) changes nothing.
    for threads in [2, 3, 16] {
      #expect(try ActivityIndicators(threads: threads).compute(make(shuffled)).rows == reference)
    }
  }

  @Test func daysFollowTheSchoolsTimeZone() throws {
    // 21:50Z and 22:10Z: one UTC day, but 23:50 and 00:10 in Tallinn (UTC+2 in March).
    let events: [(String, Int32, Int32)] = [
      ("2024-03-04T21:50:00Z", 0, 0), ("2024-03-04T22:10:00Z", 0, 0),
    ]
    let utc = try teacherRows(table(events))
    #expect(utc[0].activeDays == 1 && utc[0].sessions == 1)
    let tallinn = try teacherRows(table(events, school: "S1"), roster: roster)
    #expect(tallinn[0].activeDays == 2 && tallinn[0].sessions == 1)
    #expect(tallinn[0].timeOnTaskSeconds == 1200)
    // Summer time: 2024-07-01T21:30Z is already 00:30 on 2 July in Tallinn (UTC+3).
    let summer = try teacherRows(
      table([("2024-07-01T20:30:00Z", 0, 0), ("2024-07-01T21:30:00Z", 0, 0)], school: "S1"),
      roster: roster)
    #expect(summer[0].activeDays == 2 && summer[0].sessions == 2)
  }

  @Test func weeksStartOnLocalMonday() throws {
    // Sunday 23:50 and Monday 00:10 in Tallinn: two weeks, each with its own session.
    let rows = try teacherRows(
      table([("2024-03-10T21:50:00Z", 0, 0), ("2024-03-10T22:10:00Z", 0, 0)], school: "S1"),
      roster: roster)
    #expect(rows.map(\.period) == ["2024-W10", "2024-W11"])
    #expect(rows.map(\.sessions) == [1, 1])
    #expect(
      ActivityIndicators.isoWeekLabel(
        ActivityIndicators.week(ofDay: Int64(Timestamp.daysFromCivil(2021, 1, 1)))) == "2020-W53")
  }

  @Test func schoolAndHubRows() throws {
    let t = table([("2024-03-04T08:00:00Z", 0, 0), ("2024-03-05T08:00:00Z", 1, 0)], school: "S1")
    let result = try ActivityIndicators(period: .all, adoptionDays: 2).compute(t, roster: roster)
    let school = try #require(result.rows.first { $0.level == .school && $0.unit == "S1" })
    #expect(school.teachers == 2 && school.activeTeachers == 1 && school.adoptionRate == 0.5)
    #expect(school.events == 2 && school.activeDays == 2 && school.distinctTools == 2)
    let idle = try #require(result.rows.first { $0.level == .school && $0.unit == "S2" })
    #expect(idle.events == 0 && idle.adoptionRate == 0)
    let hub = try #require(result.rows.first { $0.level == .hub })
    #expect(hub.teachers == 3 && hub.activeTeachers == 1)
    #expect(abs((hub.adoptionRate ?? 0) - 1.0 / 3) < 1e-12)
  }

  @Test func wavesAndSettingsAreChecked() throws {
    let t = table([
      ("2024-01-10T08:00:00Z", 0, 0), ("2024-03-04T08:00:00Z", 0, 0),
      ("2024-09-04T08:00:00Z", 0, 0),
    ])
    let result = try ActivityIndicators(
      period: .waves(starts: [ms("2024-02-01T00:00:00Z"), ms("2024-09-01T00:00:00Z")])
    ).compute(t)
    #expect(result.rows.map(\.period) == ["wave 1", "wave 2"])
    #expect(result.eventsBeforeFirstWave == 1)
    #expect(throws: ActivityError.self) { try ActivityIndicators(sessionGap: 0).compute(t) }
  }
}

@Suite("Pseudonymisation")
struct PseudonymTests {
  @Test func hmacIsStableAndKeyed() throws {
    let a = try Pseudonymizer(key: Array("programme-secret-1".utf8))
    let b = try Pseudonymizer(key: Array("programme-secret-1".utf8))
    let c = try Pseudonymizer(key: Array("programme-secret-2".utf8))
    let id = Pseudonymizer.identity(account: "https://lrs.example|t001")
    #expect(a.pseudonym(id) == b.pseudonym(id))
    #expect(a.pseudonym(id) != c.pseudonym(id))
    #expect(a.pseudonym(id) != Pseudonymizer.unkeyed.pseudonym(id))
    // RFC 4231-style check of the construction: HMAC-SHA-256("key", "The quick brown fox...").
    let k = try Pseudonymizer(key: Array("key-key-key-key-".utf8))
    #expect(k.pseudonym("x").count == 64)
    #expect(throws: ActivityError.weakKey(byteCount: 3)) { try Pseudonymizer(key: [1, 2, 3]) }
  }

  @Test func mboxAndItsSHA1AreOnePerson() throws {
    // sha1("mailto:ana@example.org")
    let sum = Pseudonymizer.identity(mbox: "mailto:ana@example.org")
    #expect(sum.hasPrefix("mbox_sha1sum:") && sum.count == 13 + 40)
    let text = [
      #"{"actor":{"mbox":"mailto:ana@example.org"},"verb":{"id":"http://v/a"},"object":{"id":"http://o/1"},"timestamp":"2024-03-04T10:00:00Z"}"#,
      #"{"actor":{"mbox_sha1sum":"\#(sum.dropFirst(13).uppercased())"},"verb":{"id":"http://v/a"},"object":{"id":"http://o/1"},"timestamp":"2024-03-04T10:01:00Z"}"#,
    ].joined(separator: "\n")
    let log = try read(text)
    #expect(log.report.isClean && log.table.actors.count == 1 && log.table.count == 2)
  }

  @Test func keyFileDropsTheFinalLineBreak() throws {
    let p = try Pseudonymizer(keyFile: fixtures.appendingPathComponent("test.key").path)
    let q = try Pseudonymizer(key: Array("fixture-only-key-not-a-secret".utf8))
    #expect(p.pseudonym("moodle:1") == q.pseudonym("moodle:1"))
  }
}

@Suite("Log files")
struct LogFileTests {
  let key = try! Pseudonymizer(keyFile: fixtures.appendingPathComponent("test.key").path)

  @Test func xapiFixtureWithRoster() throws {
    let r = try RosterReader().read(fixtures.appendingPathComponent("roster.csv").path).roster
    let path = fixtures.appendingPathComponent("statements.jsonl").path
    let log = try LogReader.read(path, roster: r, pseudonymizer: key, now: testNow)
    #expect(log.report.read == 5 && log.report.accepted == 4 && log.report.rejected == 1)
    #expect(log.report.voiding == 1 && log.report.voided == 1)
    #expect(
      log.report.issues.map(\.description) == [
        "\(path):4:59: error: verb id 'viewed' is not an absolute IRI (e.g. http://adlnet.gov/expapi/verbs/completed); meaning comes from the IRI, never from 'display'."
      ])
    #expect(log.table.count == 2)
    #expect(Set(log.table.actorTeacher.compactMap { $0 }) == ["T001", "T003"])
    #expect(log.table.tools.contains("QuizTool"))
    let array = try LogReader.read(
      fixtures.appendingPathComponent("statements-array.json").path, pseudonymizer: key,
      now: testNow)
    #expect(array.report.issues.map { "\($0.line):\($0.column)" } == ["10:35"])
  }

  @Test func moodleImport() throws {
    let r = try RosterReader().read(fixtures.appendingPathComponent("roster.csv").path).roster
    let path = fixtures.appendingPathComponent("moodle.csv").path
    let log = try LogReader.read(path, roster: r, pseudonymizer: key, now: testNow)
    #expect(log.report.format == "moodle-csv")
    #expect(log.report.read == 6 && log.report.accepted == 4 && log.report.skipped == 1)
    #expect(
      log.report.issues.map(\.description) == [
        "\(path):6:50: error: crud 'x' is not one of c, r, u, d.",
        "\(path):7:75: error: timecreated 'yesterday' is not Unix seconds (a whole number >= 0).",
      ])
    #expect(log.table.count == 3)
    #expect(log.table.timestamp.first == 1_709_539_200_000)
    #expect(log.table.verbs.first == #"\core\event\course_viewed"#)
    #expect(log.table.objects.contains("quiz_attempts:44"))
    #expect(Set(log.table.actorTeacher.compactMap { $0 }) == ["T001", "T003"])
    let validateOnly = try LogReader.read(path, pseudonymizer: nil, now: testNow)
    #expect(validateOnly.table.count == 0 && validateOnly.report.rejected == 2)
  }
}

/// A small seeded generator for tests (SplitMix64).
struct TestGenerator {
  var state: UInt64
  init(seed: UInt64) { state = seed }
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}

@Suite("Sorting event keys")
struct SortUniqueTests {
  /// The quicksort agrees with the library sort on random, sorted, reversed and
  /// organ-pipe inputs of many lengths.
  @Test func agreesWithTheLibrarySort() {
    var rng = TestGenerator(seed: 11)
    for n in [0, 1, 2, 3, 16, 17, 18, 40, 100, 501, 4096] {
      let base = Array(Set((0..<n).map { _ in rng.next() >> 8 }))
      let inputs: [[UInt64]] = [
        base, base.sorted(), base.sorted().reversed(),
        base.sorted().enumerated().map { $0.offset % 2 == 0 ? $0.element : ~$0.element >> 8 },
      ]
      for var input in inputs {
        let expected = input.sorted()
        input.withUnsafeMutableBufferPointer { ActivityIndicators.sortUnique($0) }
        #expect(input == expected, "n = \(n)")
      }
    }
  }
}
