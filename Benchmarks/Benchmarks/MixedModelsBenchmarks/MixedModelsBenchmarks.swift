import Benchmark
import BenchmarkSupport
import Foundation
import LearningAnalytics

// Inference after a fit: Satterthwaite's df (as lmerTest) for every fixed effect and every
// type III F test of `score ~ wave * sector + (wave | school)` on 10,000 schools x 5 waves
// (6 fixed effects, 3 θ + σ). The fit happens once, outside the measurement. Each call costs
// 113 blocked PLS factorizations (numDeriv's Richardson steps) plus the contrasts: the issue
// requires under 1 s. Wall-clock only (informational, never gated).

let ciMode = ProcessInfo.processInfo.environment["LAE_BENCH_CI"] != nil

let benchmarks: @Sendable () -> Void = {
  Benchmark.defaultConfiguration = .init(
    metrics: [.wallClock],
    timeUnits: .milliseconds,
    warmupIterations: 1,
    maxDuration: ciMode ? .milliseconds(300) : .seconds(10),
    maxIterations: ciMode ? 2 : 20
  )

  let table = GrowthPanel.table(schools: 10_000)
  guard let formula = try? ModelFormula(GrowthPanel.formula),
    let fit = try? LinearMixedModel(formula: formula).fit(table)
  else { fatalError("benchmark setup: the fit failed") }

  Benchmark("LinearMixedModel.Fit.inference Satterthwaite S=10_000 x 5") { benchmark in
    for _ in benchmark.scaledIterations {
      let inference = fit.inference()
      precondition(
        inference.coefficients.count == 6 && inference.terms.count == 3
          && inference.coefficients.allSatisfy { $0.degreesOfFreedom > 1 })
      blackHole(inference)
    }
  }

  Benchmark("LinearMixedModel.Fit.varianceExplained S=10_000 x 5") { benchmark in
    for _ in benchmark.scaledIterations {
      let r2 = fit.varianceExplained
      precondition(r2.r2Conditional > r2.r2Marginal)
      blackHole(r2)
    }
  }
}
