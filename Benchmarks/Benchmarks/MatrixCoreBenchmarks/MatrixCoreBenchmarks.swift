import Benchmark
import BenchmarkSupport
import Foundation
import LearningAnalytics

// Each operation runs through the library and through the raw C call, in one run.
// CI (`make bench-ci`) runs every benchmark a few times and gates on mallocCountTotal, which is
// exact here; wall-clock is printed for information (these 2-vCPU machines are noisy).

let ciMode = ProcessInfo.processInfo.environment["LAE_BENCH_CI"] != nil

let benchmarks: @Sendable () -> Void = {
  RawCalls.setBLASThreads(1)
  Benchmark.defaultConfiguration = .init(
    metrics: [.wallClock, .mallocCountTotal],
    timeUnits: .milliseconds,
    warmupIterations: 1,
    maxDuration: ciMode ? .milliseconds(200) : .seconds(5),
    maxIterations: ciMode ? 3 : 200,
    thresholds: [.mallocCountTotal: .init(relative: [.p90: 0], absolute: [.p90: 0])]
  )

  for n in [512, 2048] {
    var rng = SplitMix64(seed: UInt64(n))
    let a = Matrix.randomNormal(rows: n, columns: n, using: &rng)
    let b = Matrix.randomNormal(rows: n, columns: n, using: &rng)
    Benchmark("Matrix.multiply GEMM n=\(n)") { benchmark in
      for _ in benchmark.scaledIterations {
        let c = a * b
        precondition(c.rows == n)
        blackHole(c)
      }
    }
    let ae = a.elements
    let be = b.elements
    Benchmark("raw cblas_dgemm n=\(n)") { benchmark in
      var c = [Double](repeating: 0, count: n * n)
      benchmark.startMeasurement()
      for _ in benchmark.scaledIterations {
        RawCalls.dgemm(n, ae, be, &c)
        blackHole(c)
      }
    }
  }

  do {
    let n = 1000
    var rng = SplitMix64(seed: 1000)
    let a = Matrix.randomSPD(order: n, using: &rng)
    Benchmark("Cholesky n=\(n)") { benchmark in
      for _ in benchmark.scaledIterations {
        let chol = try Cholesky(a)
        precondition(chol.order == n)
        blackHole(chol)
      }
    }
    let ae = a.elements
    Benchmark("raw LAPACKE_dpotrf n=\(n)") { benchmark in
      var work = [Double](repeating: 0, count: n * n)
      benchmark.startMeasurement()
      for _ in benchmark.scaledIterations {
        precondition(RawCalls.dpotrf(n, ae, &work) == 0)
        blackHole(work)
      }
    }
  }

  do {
    let n = 500
    var rng = SplitMix64(seed: 500)
    let a = Matrix.randomSPD(order: n, using: &rng)
    Benchmark("SymmetricEigen n=\(n)") { benchmark in
      for _ in benchmark.scaledIterations {
        let e = try SymmetricEigen(a)
        precondition(e.values.count == n)
        blackHole(e)
      }
    }
    let ae = a.elements
    Benchmark("raw LAPACKE_dsyevr n=\(n)") { benchmark in
      var buffers = RawCalls.EigenBuffers(n: n)
      benchmark.startMeasurement()
      for _ in benchmark.scaledIterations {
        precondition(RawCalls.dsyevr(n, ae, &buffers) == 0)
        blackHole(buffers)
      }
    }
  }
}
