import Ingest
import MatrixCore
import Simulation
import Testing
import _TestSupport

@testable import Scoring

@Suite("Scoring recovers the simulator's truth")
struct ScoringOnSimulationTests {
  @Test func teacherAreaMeansPerWave() throws {
    var simulator = ProgrammeSimulator()
    simulator.schoolCount = 30
    simulator.waveCount = 3
    var rng = SplitMix64(seed: 99)
    let programme = try simulator.simulate(
      instrument: try Instrument.bundled("school-self-reflection"), using: &rng)
    // Every valid answer counts (minimum 1), as the truth's true scores do.
    let scores = AreaScorer(minimumValidItems: 1).score(programme.responses)
    let rows = ScoreAggregation(levels: [.group, .wave], defaultThreshold: 0).aggregate(scores)
    for wave in 1...3 {
      let teacherRows = rows.filter {
        $0.cell["group"] == "teacher" && $0.cell["wave"] == "\(wave)"
      }
      // Mean over areas of the mean teacher score, weighted by teachers with a score.
      let total = teacherRows.reduce(0.0) { $0 + ($1.mean ?? 0) * Double($1.n) }
      let n = teacherRows.reduce(0) { $0 + $1.n }
      let observed = total / Double(n)
      let truth = programme.truth.meanTeacherScoreByWave[wave - 1]
      #expect(abs(observed - truth) < 0.02, "wave \(wave): \(observed) vs true \(truth)")
    }
    // Only responses with every item of an area missing lack a score (students answer one
    // item of areas B and E, so about 5% of them): a small share.
    #expect(
      scores.belowMinimum.values.allSatisfy { $0 < scores.count / 20 },
      "\(scores.belowMinimum)")
  }

  @Test func respondentWithNothingValidHasNoScore() throws {
    let instrument = try Instrument.bundled("school-self-reflection")
    let text =
      "school,respondent,group,wave,item,value\nS1,r1,teacher,1,A1,NA\nS1,r1,teacher,1,A2,PNS\nS1,r2,teacher,1,A1,4\n"
    let read = try SurveyReader().read(
      source: MemoryByteSource(Array(text.utf8)), instrument: instrument)
    let scores = AreaScorer(minimumValidItems: 1).score(read.table)
    #expect(scores.value(row: 0, area: "A") == nil)
    #expect(scores.value(row: 1, area: "A") == 4)
    #expect(scores.belowMinimum["A"] == 1)
  }
}
