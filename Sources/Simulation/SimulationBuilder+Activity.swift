import Foundation
import Ingest
import MatrixCore

/// The activity log of a simulated programme: xAPI 1.0.3 statements from the simulated
/// teachers, as JSON Lines.
struct ActivityGenerator {
  let s: ProgrammeSimulator
  let model: SimulationTruth.ActivityModel

  /// ADL verbs (https://adlnet.gov/expapi/verbs/...) with their English display.
  static let verbs = [
    "launched", "experienced", "answered", "completed", "passed", "failed", "created", "shared",
    "commented",
  ]
  /// Tools (`context.platform`), in the order teachers take them up.
  static let tools = ["Moodle", "H5P", "GeoGebra", "Padlet", "Scratch"]
  /// Share of sessions started on each weekday, Monday to Sunday.
  static let weekdayWeights = [0.23, 0.22, 0.2, 0.18, 0.11, 0.03, 0.03]

  /// The model's settings for `settings`, with each wave's window.
  static func model(_ settings: ProgrammeSimulator) -> SimulationTruth.ActivityModel {
    var starts: [String] = []
    for w in 0..<settings.waveCount {
      // The Monday on or after 1 September of the wave's school year (1970-01-01 was a
      // Thursday, so day d is a Monday when (d + 3) % 7 == 0).
      var day = Timestamp.daysFromCivil(settings.firstYear + w, 9, 1)
      while (day + 3) % 7 != 0 { day += 1 }
      starts.append(
        String(Timestamp.format(millisecondsSinceEpoch: Int64(day) * 86_400_000).prefix(10)))
    }
    return .init(
      weeksPerWave: settings.activityWeeksPerWave, windowStarts: starts,
      intercept: settings.activityIntercept, maturityWeight: settings.activityMaturityWeight,
      personWeight: settings.activityPersonWeight, teacherSD: settings.activityTeacherSD,
      extraSessionsPerActiveWeek: 0.2, extraEventsPerSession: 1.0, tools: tools,
      verbs: verbs.map { "http://adlnet.gov/expapi/verbs/" + $0 }, weekdayWeights: weekdayWeights)
  }

  /// One teacher as the generator sees it.
  struct Teacher {
    let id: String
    let school: Int
    let personEffect: Double
    let mboxSHA1: String?
  }

  /// Writes the statements. `level[s][w]` is school s's latent level in wave w (the mean of
  /// its area maturities), `zones[s]` its IANA time zone.
  func generate(
    teachers: [Teacher], schoolIDs: [String], hubs: [String], level: [[Double]],
    zones: [String], using rng: inout SplitMix64
  ) -> (bytes: [UInt8], count: Int, schools: [SimulationTruth.SchoolActivity]) {
    var out: [UInt8] = []
    out.reserveCapacity(5_000_000)
    var count = 0
    let waveCount = model.windowStarts.count
    var probabilitySum = [[Double]](
      repeating: [Double](repeating: 0, count: waveCount), count: schoolIDs.count)
    var statements = [[Int]](
      repeating: [Int](repeating: 0, count: waveCount), count: schoolIDs.count)
    var teacherCount = [Int](repeating: 0, count: schoolIDs.count)
    let zoneCache = Dictionary(
      zones.map { ($0, TimeZone(identifier: $0)) }, uniquingKeysWith: { a, _ in a })
    for t in teachers {
      teacherCount[t.school] += 1
      let own = model.teacherSD * rng.nextNormal()
      let actor =
        t.mboxSHA1.map { "{\"mbox_sha1sum\":\"\($0)\"}" }
        ?? "{\"account\":{\"homePage\":\"https://lrs.example.org\","
        + "\"name\":\"\(t.id.lowercased())\"}}"
      let zone = zoneCache[zones[t.school]] ?? nil
      for w in 0..<waveCount {
        let lv = level[t.school][w]
        let z =
          model.intercept + model.maturityWeight * lv + model.personWeight * t.personEffect + own
        let pActive = 1 / (1 + exp(-z))
        probabilitySum[t.school][w] += pActive
        // Tools this teacher uses in this wave: more with maturity.
        let toolCount = max(
          1,
          min(Self.tools.count, 1 + Int((Double(Self.tools.count) * pActive * 1.6).rounded(.down))))
        guard let first = Timestamp.millisecondsSinceEpoch(model.windowStarts[w] + "T00:00:00Z")
        else { continue }
        let firstDay = Int(first / 86_400_000)
        for week in 0..<model.weeksPerWave {
          // A slow first week of term.
          let p = week == 0 ? pActive * 0.7 : pActive
          guard rng.nextUniform() < p else { continue }
          var sessions = 1
          while rng.nextUniform() < model.extraSessionsPerActiveWeek * (1 + pActive) {
            sessions += 1
          }
          var days: [(day: Int, minute: Int)] = []
          for _ in 0..<sessions {
            var u = rng.nextUniform()
            var weekday = 6
            for (d, share) in Self.weekdayWeights.enumerated() {
              if u < share {
                weekday = d
                break
              }
              u -= share
            }
            // Local start: school hours (08:00-15:59) or the evening (17:00-21:59).
            let minute =
              rng.nextUniform() < 0.6
              ? 8 * 60 + Int(rng.next() % (8 * 60)) : 17 * 60 + Int(rng.next() % (5 * 60))
            days.append((firstDay + week * 7 + weekday, minute))
          }
          days.sort { ($0.day, $0.minute) < ($1.day, $1.minute) }
          for (day, minute) in days {
            let localMs = (Int64(day) * 1440 + Int64(minute)) * 60_000
            let offset =
              zone?.secondsFromGMT(for: Date(timeIntervalSince1970: Double(localMs) / 1000)) ?? 0
            var time = localMs - Int64(offset) * 1000 + Int64(rng.next() % 60) * 1000
            let tool = Self.tools[Int(rng.next() % UInt64(toolCount))]
            let object =
              "https://\(tool.lowercased()).example.org/\(hubs[t.school].lowercased())/activity/"
              + "\(1 + rng.next() % 40)"
            var events = 1
            while rng.nextUniform() < model.extraEventsPerSession
              / (1 + model.extraEventsPerSession)
            {
              events += 1
            }
            for e in 0..<(events + 1) {
              let verb: String
              var result = ""
              let gap = 60 + Int64(rng.next() % 840)  // 1 to 15 minutes to the next event
              if e == 0 {
                verb = "launched"
              } else {
                let u = rng.nextUniform()
                let produce = 0.08 + 0.12 * pActive  // creating and sharing grow with maturity
                if u < 0.3 {
                  verb = "experienced"
                  result = "\"result\":{\"duration\":\"\(Self.duration(gap))\"},"
                } else if u < 0.45 {
                  verb = "answered"
                } else if u < 0.62 {
                  // A quiz: scaled score from the teacher's level, passed at 0.6.
                  let scaled =
                    1 / (1 + exp(-(0.4 + 0.8 * lv + 0.5 * t.personEffect + 0.8 * rng.nextNormal())))
                  let raw = Int((scaled * 10).rounded())
                  verb = raw >= 6 ? "passed" : "failed"
                  result =
                    "\"result\":{\"score\":{\"scaled\":\(Double(raw) / 10),\"raw\":\(raw),"
                    + "\"min\":0,\"max\":10},\"success\":\(raw >= 6),\"completion\":true,"
                    + "\"duration\":\"\(Self.duration(gap))\"},"
                } else if u < 0.62 + produce {
                  verb = rng.nextUniform() < 0.6 ? "created" : "shared"
                } else if u < 0.7 + produce {
                  verb = "commented"
                } else {
                  verb = "completed"
                  result =
                    "\"result\":{\"completion\":true,\"duration\":\"\(Self.duration(gap))\"},"
                }
              }
              let line =
                "{\"id\":\"\(Self.uuid(&rng))\",\"actor\":\(actor),\"verb\":{\"id\":"
                + "\"http://adlnet.gov/expapi/verbs/\(verb)\",\"display\":{\"en-US\":\"\(verb)\"}},"
                + "\"object\":{\"objectType\":\"Activity\",\"id\":\"\(object)\"},\(result)"
                + "\"context\":{\"platform\":\"\(tool)\"},"
                + "\"timestamp\":\"\(Timestamp.format(millisecondsSinceEpoch: time))\"}\n"
              out.append(contentsOf: line.utf8)
              count += 1
              statements[t.school][w] += 1
              time += gap * 1000
            }
          }
        }
      }
    }
    let schools = schoolIDs.indices.map { si in
      SimulationTruth.SchoolActivity(
        id: schoolIDs[si], latentLevelByWave: level[si],
        activeWeekProbabilityByWave: probabilitySum[si].map {
          $0 / Double(max(teacherCount[si], 1))
        },
        statementsByWave: statements[si])
    }
    return (out, count, schools)
  }

  /// ISO 8601 duration of `seconds`.
  static func duration(_ seconds: Int64) -> String {
    seconds >= 60 ? "PT\(seconds / 60)M\(seconds % 60)S" : "PT\(seconds)S"
  }

  /// A version-4 UUID from the generator.
  static func uuid(_ rng: inout SplitMix64) -> String {
    let a = rng.next()
    let b = rng.next()
    let high = (a & 0xFFFF_FFFF_FFFF_0FFF) | 0x0000_0000_0000_4000
    let low = (b & 0x3FFF_FFFF_FFFF_FFFF) | 0x8000_0000_0000_0000
    func hex(_ v: UInt64, _ digits: Int) -> String {
      let s = String(v, radix: 16)
      return String(repeating: "0", count: digits - s.count) + s
    }
    return "\(hex(high >> 32, 8))-\(hex((high >> 16) & 0xFFFF, 4))-\(hex(high & 0xFFFF, 4))-"
      + "\(hex(low >> 48, 4))-\(hex(low & 0xFFFF_FFFF_FFFF, 12))"
  }

  /// 40 hexadecimal digits standing in for the SHA-1 of a teacher's `mailto:` IRI.
  static func mboxSum(_ rng: inout SplitMix64) -> String {
    var s = ""
    for _ in 0..<5 {
      let v = String(rng.next() & 0xFFFF_FFFF, radix: 16)
      s += String(repeating: "0", count: 8 - v.count) + v
    }
    return s
  }
}
