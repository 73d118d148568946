import Ingest
import MatrixCore
import Scoring
import Simulation
import Testing
import _TestSupport

@testable import Clustering

@Suite("Recovery of simulated maturity profiles")
struct RecoveryTests {
  /// School mean area scores (all respondents of the first wave) of a simulated programme with
  /// the simulator's default profile separation, and each school's true profile.
  static func schoolScores(seed: UInt64) throws -> (Matrix, [Int]) {
    var simulator = ProgrammeSimulator()
    simulator.waveCount = 1
    simulator.activityLog = false  // drawn after the answers; not needed here
    var rng = SplitMix64(seed: seed)
    let programme = try simulator.simulate(
      instrument: try Instrument.named("school-self-reflection"), using: &rng)
    let scores = AreaScorer().score(programme.responses)
    let schools = programme.truth.schools
    let index = Dictionary(uniqueKeysWithValues: schools.enumerated().map { ($1.id, $0) })
    let d = scores.areas.count
    var sums = Matrix(rows: schools.count, columns: d)
    var counts = Matrix(rows: schools.count, columns: d)
    for (r, unit) in scores.units.enumerated() {
      guard let s = index[unit.school] else { continue }
      for a in 0..<d where scores.values[r, a].isFinite {
        sums[s, a] += scores.values[r, a]
        counts[s, a] += 1
      }
    }
    let means = Matrix(rows: schools.count, columns: d) { s, a in sums[s, a] / counts[s, a] }
    return (means, schools.map(\.profile))
  }

  /// Issue 6: on the simulator's profiles at the default separation, the true profiles are
  /// recovered with an adjusted Rand index of at least 0.8 over 20 seeds. Required of every
  /// seed (not only the mean): measured 0.87 to 1, mean 0.94, with the defaults
  /// (`schoolInterceptSD` 0.15, `profileSeparation` 1.3; see the Simulation documentation).
  @Test func kMeansRecoversProfilesOverTwentySeeds() throws {
    var aris: [Double] = []
    for seed in UInt64(1)...20 {
      let (x, truth) = try Self.schoolScores(seed: seed)
      var rng = SplitMix64(seed: seed)
      let fit = try KMeans(clusterCount: 3).fit(x, using: &rng)
      let ari = adjustedRandIndex(fit.assignments, truth)
      aris.append(ari)
      #expect(ari >= 0.8, "seed \(seed): adjusted Rand index \(ari)")
    }
    let mean = aris.reduce(0, +) / Double(aris.count)
    #expect(mean >= 0.9, "mean adjusted Rand index \(mean)")
    print(
      "k-means recovery of simulated profiles over 20 seeds: worst adjusted Rand index "
        + "\(aris.min() ?? 0), mean \(mean)")
  }
}
