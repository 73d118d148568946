import Benchmark
import Foundation
import LearningAnalytics

// Long-CSV ingest into the validated columnar table, from memory (no disk I/O), on one core.
// The file is the simulator's demo programme (75 schools, 4 waves, about 11 MB); the
// throughput metric counts reads per second. Allocation counts (about 320 per read: chunks,
// column growth, interners) vary by one or two between runs, so the gate allows 10 (3%).

let ciMode = ProcessInfo.processInfo.environment["LAE_BENCH_CI"] != nil

let benchmarks: @Sendable () -> Void = {
  Benchmark.defaultConfiguration = .init(
    metrics: [.wallClock, .mallocCountTotal, .throughput],
    timeUnits: .milliseconds,
    warmupIterations: 1,
    maxDuration: ciMode ? .milliseconds(300) : .seconds(10),
    maxIterations: ciMode ? 3 : 50,
    thresholds: [.mallocCountTotal: .init(relative: [.p90: 3], absolute: [.p90: 10])]
  )

  var rng = SplitMix64(seed: 2024)
  guard let instrument = try? Instrument.bundled("school-self-reflection"),
    let programme = try? ProgrammeSimulator().simulate(instrument: instrument, using: &rng)
  else { fatalError("benchmark setup: simulation failed") }
  let bytes = SurveyWriter(layout: .long).csv(programme.responses)
  let roster = programme.roster

  Benchmark("SurveyReader long CSV 11 MB", configuration: .init(scalingFactor: .one)) { benchmark in
    for _ in benchmark.scaledIterations {
      let result = try SurveyReader().read(
        source: MemoryByteSource(bytes, name: "bench.csv"), instrument: instrument, roster: roster)
      precondition(result.report.isClean && result.table.count == programme.responses.count)
      blackHole(result)
    }
  }

  let wide = SurveyWriter(layout: .wide).csv(programme.responses)
  Benchmark("SurveyReader wide CSV") { benchmark in
    for _ in benchmark.scaledIterations {
      let result = try SurveyReader().read(
        source: MemoryByteSource(wide, name: "bench.csv"), instrument: instrument, roster: roster)
      precondition(result.report.isClean)
      blackHole(result)
    }
  }
}
