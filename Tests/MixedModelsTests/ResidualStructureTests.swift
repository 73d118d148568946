import Foundation
import Ingest
import Simulation
import Testing
import _TestSupport

@testable import MixedModels

/// Intervals of residual parameters, recovery of φ, varIdent and CAR(1) consistency, errors.
@Suite("Residual structures: intervals, recovery, errors")
struct ResidualStructureTests {
  /// Panels of 60 schools × 5 waves with AR(1) residuals φ = 0.5 (GrowthPanelSimulator,
  /// random intercepts only), 50 seeds: the 95% Wald interval of φ (Fisher-z scale) must cover
  /// 0.5 in at least 90% of the seeds.
  @Test func phiIntervalCoversTheGeneratingValue() throws {
    var simulator = GrowthPanelSimulator()
    simulator.schoolCount = 60
    simulator.waveCount = 5
    simulator.schoolSlopeSD = 0
    simulator.schoolCorrelation = 0
    simulator.residualAutocorrelation = 0.5
    let model = LinearMixedModel(
      formula: try ModelFormula("score ~ wave + (1 | school)"),
      residualCorrelation: .ar1(time: "wave", group: "school"))
    var covered = 0
    var estimates: [Double] = []
    for seed in 1...50 {
      let fit = try model.fit(simulator.simulate(seed: UInt64(seed)))
      let structure = try #require(fit.residualStructure)
      let ci = try #require(structure.confidenceIntervals["phi"], "seed \(seed): no interval")
      let phi = try #require(structure.parameters["phi"])
      #expect(ci.lower < phi && phi < ci.upper)
      estimates.append(phi)
      if ci.lower <= 0.5 && 0.5 <= ci.upper { covered += 1 }
    }
    let mean = estimates.reduce(0, +) / Double(estimates.count)
    print("phi recovery: coverage \(covered)/50, mean estimate \(mean)")
    #expect(covered >= 45, "coverage \(covered)/50")
    #expect(abs(mean - 0.5) < 0.05)
  }

  @Test func sameSeedSameResult() throws {
    var simulator = GrowthPanelSimulator()
    simulator.schoolCount = 30
    simulator.residualAutocorrelation = 0.4
    let a = simulator.simulate(seed: 11)
    let b = simulator.simulate(seed: 11)
    #expect(a.column("score") == b.column("score"))
    // φ = 0 keeps the draws of independent residuals.
    var plain = GrowthPanelSimulator()
    plain.schoolCount = 30
    var zero = plain
    zero.residualAutocorrelation = 0
    #expect(plain.simulate(seed: 3).column("score") == zero.simulate(seed: 3).column("score"))
    let model = LinearMixedModel(
      formula: try ModelFormula("score ~ wave + (1 | school)"),
      residualCorrelation: .ar1(time: "wave", group: nil), residualVariance: .varIdent(by: "wave"))
    let f1 = try model.fit(a)
    let f2 = try model.fit(a)
    #expect(f1.residualStructure == f2.residualStructure)
    #expect(f1.logLikelihood == f2.logLikelihood)
  }

  /// CAR(1) on integer times is AR(1) for φ > 0; varIdent with equal variances in the data
  /// generation gives ratios near 1.
  @Test func car1OnIntegerTimesIsAR1() throws {
    var simulator = GrowthPanelSimulator()
    simulator.schoolCount = 40
    simulator.residualAutocorrelation = 0.3
    let table = simulator.simulate(seed: 5)
    let formula = try ModelFormula("score ~ wave + (1 | school)")
    let ar1 = try LinearMixedModel(
      formula: formula, residualCorrelation: .ar1(time: "wave", group: nil)
    ).fit(table)
    let car1 = try LinearMixedModel(
      formula: formula, residualCorrelation: .car1(time: "wave", group: nil)
    ).fit(table)
    #expect(abs(ar1.logLikelihood - car1.logLikelihood) < 1e-5)
    let phiA = try #require(ar1.residualStructure?.parameters["phi"])
    let phiC = try #require(car1.residualStructure?.parameters["phi"])
    #expect(abs(phiA - phiC) < 1e-4)
    #expect(car1.residualStructure?.type == "car1")
  }

  /// Negative autocorrelation pushes the CAR(1) φ (0 < φ < 1) to its lower boundary: a
  /// diagnostic, no interval, finite numbers.
  @Test func boundaryIsADiagnostic() throws {
    var simulator = GrowthPanelSimulator()
    simulator.schoolCount = 40
    simulator.schoolSlopeSD = 0
    simulator.residualAutocorrelation = -0.6
    let fit = try LinearMixedModel(
      formula: try ModelFormula("score ~ wave + (1 | school)"),
      residualCorrelation: .car1(time: "wave", group: nil)
    ).fit(simulator.simulate(seed: 2))
    #expect(
      fit.diagnostics.contains {
        if case .residualParameterAtBoundary(let name, _) = $0 { return name == "phi" }
        return false
      })
    #expect(fit.residualStructure?.confidenceIntervals["phi"] == nil)
    #expect(fit.logLikelihood.isFinite)
    #expect(fit.fixedEffects.allSatisfy { $0.estimate.isFinite && $0.standardError.isFinite })
  }

  @Test func unusableStructuresThrowTypedErrors() throws {
    let table = try LmerReference.table("sleepstudy.csv")
    let formula = try ModelFormula("Reaction ~ Days + (1 | Subject)")
    func message(_ variance: LinearMixedModel.ResidualVariance) -> String {
      do {
        _ = try LinearMixedModel(formula: formula, residualVariance: variance).fit(table)
        return ""
      } catch let error as MixedModelError {
        return "\(error)"
      } catch {
        return "untyped: \(error)"
      }
    }
    #expect(message(.varIdent(by: "nothing")).contains("'nothing'"))
    // One stratum: nothing to estimate.
    let one = ColumnTable(
      numeric: ["y": (0..<20).map { Double($0 % 7) }, "g0": [Double](repeating: 1, count: 20)],
      text: ["g": (0..<20).map { "g\($0 % 5)" }])
    do {
      _ = try LinearMixedModel(
        formula: try ModelFormula("y ~ g0 + (1 | g)"), residualVariance: .varIdent(by: "g0")
      ).fit(one)
      Issue.record("expected an error for one stratum")
    } catch let error as MixedModelError {
      #expect("\(error)".contains("at least two values of 'g0'"))
    }
    // A stratum with a single observation.
    var values = (0..<20).map { Double($0 % 4) }
    values[19] = 9
    let single = ColumnTable(
      numeric: ["y": (0..<20).map { Double(($0 * 7) % 5) }, "x": values],
      text: ["g": (0..<20).map { "g\($0 % 5)" }])
    do {
      _ = try LinearMixedModel(
        formula: try ModelFormula("y ~ x + (1 | g)"), residualVariance: .varIdent(by: "x")
      ).fit(single)
      Issue.record("expected an error for a stratum with one observation")
    } catch let error as MixedModelError {
      #expect("\(error)".contains("'9' has 1"))
    }
    let sleep = try LmerReference.table("sleepstudy.csv")
    #expect(throws: MixedModelError.self) {
      try LinearMixedModel(
        formula: formula, residualCorrelation: .car1(time: "Subject", group: nil)
      ).fit(sleep)
    }
  }

  @Test func normalQuantileMatchesR() {
    #expect(abs(Distributions.normalQuantile(0.975) - 1.959963984540054) < 1e-13)
    #expect(abs(Distributions.normalQuantile(0.005) + 2.575829303548901) < 1e-13)
    #expect(abs(Distributions.normalQuantile(0.5)) < 1e-15)
  }
}
