import Foundation
import Ingest
import MatrixCore
import Simulation
import Testing
import _TestSupport

@testable import MixedModels

@Suite("Recovery of generating values")
struct RecoveryTests {
  /// A growth panel: `schools` × 5 waves, random intercepts (SD 0.5) and slopes (SD 0.15,
  /// correlation 0.3) per school, residual SD 0.6; β = (3, 0.2).
  static func panel(schools: Int, seed: UInt64) -> ColumnTable {
    var rng = SplitMix64(seed: seed)
    func normal() -> Double {
      let u1 = Double.random(in: Double.ulpOfOne..<1, using: &rng)
      let u2 = Double.random(in: 0..<1, using: &rng)
      return (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2)
    }
    var score: [Double] = []
    var wave: [Double] = []
    var school: [String] = []
    for s in 0..<schools {
      let z0 = normal()
      let z1 = normal()
      let u0 = 0.5 * z0
      let u1 = 0.15 * (0.3 * z0 + (1 - 0.09).squareRoot() * z1)
      for w in 0..<5 {
        wave.append(Double(w))
        school.append("s\(s)")
        score.append(3 + 0.2 * Double(w) + u0 + u1 * Double(w) + 0.6 * normal())
      }
    }
    return ColumnTable(numeric: ["score": score, "wave": wave], text: ["school": school])
  }

  @Test func waldIntervalsCoverTheFixedEffects() throws {
    let model = LinearMixedModel(formula: try ModelFormula("score ~ wave + (wave | school)"))
    let truth = [3.0, 0.2]
    var covered = [0, 0]
    let seeds = 1...50
    for seed in seeds {
      let fit = try model.fit(RecoveryTests.panel(schools: 40, seed: UInt64(seed)))
      for (k, e) in fit.fixedEffects.enumerated()
      where abs(e.estimate - truth[k]) <= 1.96 * e.standardError {
        covered[k] += 1
      }
      #expect(fit.remlCriterion?.isFinite == true, "seed \(seed)")
    }
    print("95% Wald interval coverage over 50 seeds: intercept \(covered[0]), slope \(covered[1])")
    #expect(covered[0] >= 45, "intercept covered in \(covered[0]) of 50 seeds")
    #expect(covered[1] >= 45, "slope covered in \(covered[1]) of 50 seeds")
  }

  /// The acceptance check on the project's simulator: `GrowthPanelSimulator`'s teacher-in-school
  /// panels (random intercepts and slopes per school, teacher intercepts), 50 seeds.
  @Test func simulatorPanelsCoverTheGeneratingValues() throws {
    var simulator = GrowthPanelSimulator()
    simulator.schoolCount = 30
    simulator.teachersPerSchool = 3
    simulator.waveCount = 4
    simulator.teacherSD = 0.3
    let model = LinearMixedModel(
      formula: try ModelFormula("score ~ wave + (wave | school) + (1 | school:teacher)"))
    let truth = [simulator.intercept, simulator.slope]
    var covered = [0, 0]
    for seed in 1...50 {
      let fit = try model.fit(simulator.simulate(seed: UInt64(seed)))
      for (k, e) in fit.fixedEffects.enumerated()
      where abs(e.estimate - truth[k]) <= 1.96 * e.standardError {
        covered[k] += 1
      }
    }
    #expect(covered[0] >= 45, "intercept covered in \(covered[0]) of 50 seeds")
    #expect(covered[1] >= 45, "slope covered in \(covered[1]) of 50 seeds")
  }

  @Test func nestedAndSingleFactorAgreeWhenTheInnerVarianceVanishes() throws {
    // (1 | school/teacher) with one teacher per school and wave-level noise only: the
    // teacher:school and school factors are identical partitions; the fit must still run
    // through the nested path and report the same total intercept variance.
    let table = RecoveryTests.panel(schools: 30, seed: 99)
    guard case .text(let codes, let levels) = table.column("school") else { return }
    let teachers = ColumnTable(
      names: table.names + ["teacher"],
      columns: table.columns + [.text(codes: codes.map { _ in 0 }, levels: ["t1"] + levels)])
    let one = try LinearMixedModel(formula: try ModelFormula("score ~ wave + (1 | school)")).fit(
      table)
    let nested = try LinearMixedModel(
      formula: try ModelFormula("score ~ wave + (1 | school/teacher)")
    ).fit(teachers)
    let total = nested.randomEffects.reduce(0) { $0 + pow($1.standardDeviations[0], 2) }
    #expect(
      approximatelyEqual(
        total, pow(one.randomEffects[0].standardDeviations[0], 2), relativeTolerance: 1e-3))
    #expect(
      approximatelyEqual(
        nested.remlCriterion ?? 0, one.remlCriterion ?? 1, relativeTolerance: 1e-7))
  }
}
