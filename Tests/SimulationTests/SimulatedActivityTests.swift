import Activity
import Foundation
import Ingest
import MatrixCore
import Testing

@testable import Simulation

@Suite("Simulated activity logs", .serialized)
struct SimulatedActivityTests {
  static func programme(seed: UInt64 = 7, activity: Bool = true) throws -> SimulatedProgramme {
    var simulator = ProgrammeSimulator()
    simulator.schoolCount = 30
    simulator.hubCount = 3
    simulator.waveCount = 3
    simulator.studentsPerSchool = 5
    simulator.activityLog = activity
    var rng = SplitMix64(seed: seed)
    return try simulator.simulate(
      instrument: try Instrument.bundled("school-self-reflection"), using: &rng)
  }

  static func pearson(_ x: [Double], _ y: [Double]) -> Double {
    let mx = x.reduce(0, +) / Double(x.count)
    let my = y.reduce(0, +) / Double(y.count)
    var sxy = 0.0
    var sxx = 0.0
    var syy = 0.0
    for (a, b) in zip(x, y) {
      sxy += (a - mx) * (b - my)
      sxx += (a - mx) * (a - mx)
      syy += (b - my) * (b - my)
    }
    return sxy / (sxx * syy).squareRoot()
  }

  @Test func everyStatementIsValidXAPIFromARosterTeacher() throws {
    let p = try Self.programme()
    #expect(p.activityStatementCount > 1000)
    #expect(p.truth.activity?.statementCount == p.activityStatementCount)
    let lines = p.activity.split(separator: UInt8(ascii: "\n"))
    #expect(lines.count == p.activityStatementCount)
    // Validation only (no pseudonymizer), then reading with the roster.
    let checked = try XAPIReader(pseudonymizer: nil, maxErrors: 10).read(
      bytes: p.activity, name: "activity.jsonl")
    #expect(checked.report.isClean, "\(checked.report.text)")
    #expect(checked.report.read == p.activityStatementCount)
    #expect(checked.report.accepted == p.activityStatementCount)
    let log = try XAPIReader(pseudonymizer: .unkeyed, maxErrors: 10).read(
      bytes: p.activity, name: "activity.jsonl", roster: p.roster)
    #expect(log.table.count == p.activityStatementCount)
    let result = try ActivityIndicators(period: .all).compute(log.table, roster: p.roster)
    #expect(result.unmatchedActors == 0)
    #expect(result.unknownTimeZones.isEmpty)
    // Some teachers are known by mbox_sha1sum, the rest by account.
    #expect(p.roster.teachers.contains { $0.mboxSHA1 != nil })
    #expect(p.roster.teachers.allSatisfy { $0.xapiAccount != nil })
    let tools = Set(log.table.tools)
    #expect(tools.isSubset(of: Set(p.truth.activity?.tools ?? [])) && tools.count >= 3)
  }

  @Test func sameSeedSameLogAndAnswersDoNotDependOnIt() throws {
    let a = try Self.programme()
    let b = try Self.programme()
    let c = try Self.programme(activity: false)
    #expect(a.activity == b.activity)
    #expect(SurveyWriter().csv(a.responses) == SurveyWriter().csv(c.responses))
    #expect(c.activity.isEmpty && c.truth.activity == nil)
  }

  /// Activity follows the generating latent level: per school, events per teacher over the
  /// whole log correlate with the school's mean latent level, and the programme is more
  /// active in each wave than in the one before (growth of 0.18 latent points per wave).
  @Test func activityFollowsTheGeneratingMaturity() throws {
    let p = try Self.programme()
    let model = try #require(p.truth.activity)
    let log = try XAPIReader(pseudonymizer: .unkeyed).read(
      bytes: p.activity, name: "activity.jsonl", roster: p.roster)
    let all = try ActivityIndicators(period: .all).compute(log.table, roster: p.roster)
    let truthBySchool = Dictionary(uniqueKeysWithValues: model.schools.map { ($0.id, $0) })
    var level: [Double] = []
    var eventsPerTeacher: [Double] = []
    var adoption: [Double] = []
    for row in all.rows where row.level == .school {
      let t = try #require(truthBySchool[row.unit])
      level.append(t.latentLevelByWave.reduce(0, +) / Double(t.latentLevelByWave.count))
      eventsPerTeacher.append(Double(row.events) / Double(row.teachers))
      adoption.append(row.regularity ?? 0)
    }
    #expect(level.count == 30)
    let r = Self.pearson(level, eventsPerTeacher)
    let rRegularity = Self.pearson(level, adoption)
    print("activity vs latent level: r(events per teacher) = \(r), r(regularity) = \(rRegularity)")
    #expect(r > 0.6)
    #expect(rRegularity > 0.6)
    // Growth over waves.
    let starts = model.windowStarts.compactMap {
      Timestamp.millisecondsSinceEpoch($0 + "T00:00:00Z").map { $0 - 86_400_000 }
    }
    let byWave = try ActivityIndicators(period: .waves(starts: starts)).compute(
      log.table, roster: p.roster)
    let hubs = byWave.rows.filter { $0.level == .hub }
    let active = ["wave 1", "wave 2", "wave 3"].map { w in
      hubs.filter { $0.period == w }.reduce(0) { $0 + $1.activeTeachers }
    }
    print("active teachers per wave: \(active)")
    #expect(active[0] < active[1] && active[1] < active[2])
  }
}
