// swift-tools-version: 6.1
// Benchmarks for LearningAnalytics. A separate package, so that users of the library never
// resolve or build the benchmark harness. Run from the repository root with `make bench`.
import Foundation
import PackageDescription

// A path dependency's identity is its folder's name, which differs between clones.
let library = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
  .deletingLastPathComponent().lastPathComponent.lowercased()

let package = Package(
  name: "LearningAnalyticsBenchmarks",
  dependencies: [
    .package(path: ".."),
    .package(
      url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
  ],
  targets: [
    // The raw C interface, so benchmarks can call cblas/LAPACKE directly beside the library.
    .systemLibrary(name: "CRawBLAS", path: "Sources/CRawBLAS"),
    .target(
      name: "BenchmarkSupport",
      dependencies: ["CRawBLAS", .product(name: "LearningAnalytics", package: library)],
      path: "Sources/BenchmarkSupport"),
    .executableTarget(
      name: "MatrixCoreBenchmarks",
      dependencies: [
        "BenchmarkSupport",
        .product(name: "LearningAnalytics", package: library),
        .product(name: "Benchmark", package: "benchmark"),
      ],
      path: "Benchmarks/MatrixCoreBenchmarks",
      plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]),
    .executableTarget(
      name: "IngestBenchmarks",
      dependencies: [
        .product(name: "LearningAnalytics", package: library),
        .product(name: "Benchmark", package: "benchmark"),
      ],
      path: "Benchmarks/IngestBenchmarks",
      plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]),
    .executableTarget(
      name: "ClusteringBenchmarks",
      dependencies: [
        .product(name: "LearningAnalytics", package: library),
        .product(name: "Benchmark", package: "benchmark"),
      ],
      path: "Benchmarks/ClusteringBenchmarks",
      plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]),
    .executableTarget(
      name: "MixedModelsBenchmarks",
      dependencies: [
        "BenchmarkSupport",
        .product(name: "LearningAnalytics", package: library),
        .product(name: "Benchmark", package: "benchmark"),
      ],
      path: "Benchmarks/MixedModelsBenchmarks",
      plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]),
    // Satterthwaite inference timed after the fit (the "under 1 s at 10,000 schools").
    .executableTarget(
      name: "growth-inference-timing",
      dependencies: ["BenchmarkSupport", .product(name: "LearningAnalytics", package: library)],
      path: "Sources/growth-inference-timing"),
    // Reliability timing after loading, for peers/reliability-vs-peers.sh.
    .executableTarget(
      name: "reliability-timing",
      dependencies: [.product(name: "LearningAnalytics", package: library)],
      path: "Sources/reliability-timing"),
    // Scoring timing after loading, for peers/scoring-vs-pandas.sh.
    .executableTarget(
      name: "scoring-timing",
      dependencies: [.product(name: "LearningAnalytics", package: library)],
      path: "Sources/scoring-timing"),
    // Interleaved library-vs-raw timing table (median ratios), for the acceptance numbers.
    .executableTarget(
      name: "compare-raw",
      dependencies: ["BenchmarkSupport", .product(name: "LearningAnalytics", package: library)],
      path: "Sources/compare-raw"),
  ]
)
