import Foundation
import Ingest
import MatrixCore
import Testing
import _TestSupport

@testable import Simulation

func simulate(schools: Int, waves: Int, seed: UInt64) throws -> SimulatedProgramme {
  var simulator = ProgrammeSimulator()
  simulator.schoolCount = schools
  simulator.hubCount = min(5, schools)
  simulator.waveCount = waves
  var rng = SplitMix64(seed: seed)
  return try simulator.simulate(
    instrument: try Instrument.bundled("school-self-reflection"), using: &rng)
}

@Suite("Simulator", .serialized)
struct SimulationTests {
  @Test func sameSeedSameProgramme() throws {
    let a = try simulate(schools: 6, waves: 2, seed: 11)
    let b = try simulate(schools: 6, waves: 2, seed: 11)
    let c = try simulate(schools: 6, waves: 2, seed: 12)
    #expect(SurveyWriter().csv(a.responses) == SurveyWriter().csv(b.responses))
    #expect(a.truth == b.truth && a.roster == b.roster)
    #expect(SurveyWriter().csv(a.responses) != SurveyWriter().csv(c.responses))
  }

  @Test func outputValidatesAndRoundTrips() throws {
    let p = try simulate(schools: 10, waves: 2, seed: 5)
    let long = SurveyWriter(layout: .long).csv(p.responses)
    let back = try SurveyReader().read(
      source: MemoryByteSource(long, name: "long.csv"),
      instrument: p.instrument, roster: p.roster)
    #expect(back.report.isClean, "\(back.report.text)")
    #expect(back.table == p.responses)
    // long -> wide -> long gives the same table and the same bytes.
    let wide = SurveyWriter(layout: .wide).csv(p.responses)
    let fromWide = try SurveyReader().read(
      source: MemoryByteSource(wide, name: "wide.csv"),
      instrument: p.instrument, roster: p.roster)
    #expect(fromWide.report.layout == "wide" && fromWide.report.isClean, "\(fromWide.report.text)")
    #expect(fromWide.table == p.responses)
    #expect(SurveyWriter(layout: .long).csv(fromWide.table) == long)
    // The roster round-trips too.
    let roster = try RosterReader().read(
      source: MemoryByteSource(p.roster.csv(), name: "roster.csv"))
    #expect(roster.roster == p.roster && roster.report.isClean)
  }

  @Test func invalidSettingsThrow() throws {
    var s = ProgrammeSimulator()
    s.skipRate = 2
    var rng = SplitMix64(seed: 1)
    #expect(throws: SimulationError.self) {
      try s.simulate(instrument: try Instrument.bundled("school-self-reflection"), using: &rng)
    }
    #expect(throws: SimulationError.unsuitableInstrument("it has no respondent group 'leader'")) {
      try ProgrammeSimulator().simulate(
        instrument: try Instrument.bundled("teacher-self-reflection"), using: &rng)
    }
  }

  /// Scoring the output recovers the generating structure: reliable areas, the intra-school
  /// correlation and the mean growth per wave of truth.json.
  @Test func recoversTheGeneratingStructure() throws {
    let p = try simulate(schools: 40, waves: 3, seed: 2024)
    let t = p.responses
    let instrument = p.instrument
    let teacher = UInt8(instrument.groups.firstIndex { $0.id == "teacher" } ?? 0)
    let areaIDs = instrument.areas.map(\.id)
    let areaOf = instrument.items.map { item in areaIDs.firstIndex(of: item.area) ?? 0 }
    let waveIndex = t.waves.map { (Int($0) ?? 1) - 1 }
    // Teacher answers: key (wave, school, respondent) -> item -> score.
    struct Key: Hashable { let wave: Int, school: Int32, respondent: Int32 }
    var answers: [Key: [Int: Double]] = [:]
    for r in 0..<t.count where t.group[r] == teacher {
      guard let s = t.score(at: r) else { continue }
      answers[
        Key(wave: waveIndex[Int(t.wave[r])], school: t.school[r], respondent: t.respondent[r]),
        default: [:]][Int(t.item[r])] = s
    }
    // 1. Cronbach's alpha per area (core teacher items, complete cases, first wave).
    for (a, area) in areaIDs.enumerated() {
      let items = instrument.items.indices.filter {
        areaOf[$0] == a && !instrument.items[$0].optional
          && instrument.items[$0].groups.contains("teacher")
      }
      guard items.count >= 2 else { continue }
      let rows = answers.filter { $0.key.wave == 0 }.values.compactMap { m -> [Double]? in
        let xs = items.compactMap { m[$0] }
        return xs.count == items.count ? xs : nil
      }
      func variance(_ xs: [Double]) -> Double {
        let m = xs.reduce(0, +) / Double(xs.count)
        return xs.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(xs.count - 1)
      }
      let k = Double(items.count)
      let itemVar = (0..<items.count).reduce(0.0) { acc, j in acc + variance(rows.map { $0[j] }) }
      let alpha = k / (k - 1) * (1 - itemVar / variance(rows.map { $0.reduce(0, +) }))
      #expect(alpha > 0.7, "area \(area): alpha \(alpha) from \(rows.count) teachers")
    }
    // Teacher area scores.
    var areaScores: [Key: [Double]] = [:]
    for (key, m) in answers {
      var sums = [Double](repeating: 0, count: areaIDs.count)
      var ns = [Double](repeating: 0, count: areaIDs.count)
      for (item, s) in m {
        sums[areaOf[item]] += s
        ns[areaOf[item]] += 1
      }
      areaScores[key] = (0..<areaIDs.count).map { ns[$0] > 0 ? sums[$0] / ns[$0] : .nan }
    }
    // 2. Mean growth per wave.
    var means: [Double] = []
    for w in 0..<3 {
      let xs = areaScores.filter { $0.key.wave == w }.values.flatMap { $0 }.filter(\.isFinite)
      means.append(xs.reduce(0, +) / Double(xs.count))
    }
    for w in 0..<3 {
      #expect(
        abs(means[w] - p.truth.meanTeacherScoreByWave[w]) < 0.02,
        "wave \(w + 1): observed mean \(means[w]), true \(p.truth.meanTeacherScoreByWave[w])")
    }
    let growth = (means[2] - means[0]) / 2
    #expect(
      abs(growth - p.truth.meanGrowthPerWave) < 0.02,
      "growth \(growth) vs \(p.truth.meanGrowthPerWave)")
    #expect(p.truth.meanGrowthPerWave > 0.05)
    // 3. ICC(1) of teacher area scores in the first wave, averaged over areas.
    var iccs: [Double] = []
    for a in 0..<areaIDs.count {
      var bySchool: [Int32: [Double]] = [:]
      for (key, scores) in areaScores where key.wave == 0 && scores[a].isFinite {
        bySchool[key.school, default: []].append(scores[a])
      }
      let groups = Array(bySchool.values)
      let total = Double(groups.reduce(0) { $0 + $1.count })
      let grand = groups.flatMap { $0 }.reduce(0, +) / total
      var ssb = 0.0
      var ssw = 0.0
      for g in groups {
        let m = g.reduce(0, +) / Double(g.count)
        ssb += Double(g.count) * (m - grand) * (m - grand)
        ssw += g.reduce(0) { $0 + ($1 - m) * ($1 - m) }
      }
      let k = Double(groups.count)
      let n0 = (total - groups.reduce(0) { $0 + Double($1.count * $1.count) } / total) / (k - 1)
      let msb = ssb / (k - 1)
      let msw = ssw / (total - k)
      iccs.append((msb - msw) / (msb + (n0 - 1) * msw))
    }
    let icc = iccs.reduce(0, +) / Double(iccs.count)
    #expect(
      abs(icc - p.truth.teacherScoreICCFirstWave) < 0.05,
      "ICC \(icc) vs true \(p.truth.teacherScoreICCFirstWave)")
    #expect(icc > 0.05 && icc < 0.6)
  }
}
