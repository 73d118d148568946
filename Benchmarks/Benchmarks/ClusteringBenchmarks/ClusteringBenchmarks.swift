import Benchmark
import Foundation
import LearningAnalytics

// The clustering cases of Benchmarks/peers/cluster-vs-peers.sh, in process and without the
// CSV: 100,000 x 8 units from five Gaussian profiles (generated from a fixed seed), k-means
// k = 5 with 10 starts, the Gaussian mixture grid VVV k = 3..6 (mclust's initialisation),
// and the silhouette on a 10,000-unit sample. One and two threads. Wall-clock only
// (informational, never gated: the peers' ratios are in the README, from the peers script).

let ciMode = ProcessInfo.processInfo.environment["LAE_BENCH_CI"] != nil

/// Five profiles in 8 dimensions, 100,000 units (fewer in CI mode), unit variance noise.
func profiles(units n: Int) -> Matrix {
  var rng = SplitMix64(seed: 20_261_130)
  let d = 8
  let centres = (0..<5).map { _ in (0..<d).map { _ in 3 * rng.nextNormal() } }
  var x = Matrix(rows: n, columns: d)
  for i in 0..<n {
    let c = centres[Int(rng.next() % 5)]
    for j in 0..<d { x[i, j] = c[j] + rng.nextNormal() }
  }
  return x
}

let benchmarks: @Sendable () -> Void = {
  Benchmark.defaultConfiguration = .init(
    metrics: [.wallClock],
    timeUnits: .milliseconds,
    warmupIterations: ciMode ? 0 : 1,
    maxDuration: ciMode ? .milliseconds(300) : .seconds(10),
    maxIterations: ciMode ? 1 : 10
  )
  let n = ciMode ? 20_000 : 100_000
  let x = profiles(units: n)

  for threads in [1, 2] {
    Benchmark("KMeans k=5 starts=10 n=\(n) x 8 threads=\(threads)") { benchmark in
      for _ in benchmark.scaledIterations {
        var kmeans = KMeans(clusterCount: 5, startCount: 10)
        kmeans.threadCount = threads
        var rng = SplitMix64(seed: 1)
        let fit = try kmeans.fit(x, using: &rng)
        precondition(fit.sizes.count == 5)
        blackHole(fit)
      }
    }

    Benchmark("MixtureModelSelection VVV k=3..6 n=\(n) x 8 threads=\(threads)") { benchmark in
      for _ in benchmark.scaledIterations {
        var grid = MixtureModelSelection(models: [.VVV], componentCounts: [3, 4, 5, 6])
        grid.threadCount = threads
        var rng = SplitMix64(seed: 1)
        let table = try grid.fit(x, using: &rng)
        precondition(table.best != nil)
        blackHole(table)
      }
    }
  }

  let kmeans = KMeans(clusterCount: 5, startCount: 2)
  var seed = SplitMix64(seed: 1)
  guard let labels = try? kmeans.fit(x, using: &seed).assignments else {
    fatalError("benchmark setup: k-means failed")
  }
  for threads in [1, 2] {
    Benchmark("Silhouette 10,000-unit sample of n=\(n) threads=\(threads)") { benchmark in
      for _ in benchmark.scaledIterations {
        var rng = SplitMix64(seed: 1)
        let s = try Silhouette(maxExactUnits: 10_000, threadCount: threads).evaluate(
          x, assignments: labels, using: &rng)
        precondition(s.averageWidth > 0)
        blackHole(s)
      }
    }
  }
}
