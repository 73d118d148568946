// swift-tools-version: 6.1
// LearningAnalytics: a learning-analytics engine over OpenBLAS/LAPACKE and NLopt.
import PackageDescription

let package = Package(
  name: "LearningAnalytics",
  products: [
    .library(name: "LearningAnalytics", targets: ["LearningAnalytics"]),
    .executable(name: "lae", targets: ["lae"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
  ],
  targets: [
    // MARK: - C libraries (implementation details)
    // OpenBLAS and LAPACKE are linked from their static archives (see the module map).
    .systemLibrary(
      name: "_CLAPACK",
      providers: [.apt(["libopenblas-dev", "liblapacke-dev"])]),
    .systemLibrary(
      name: "_CNLopt", pkgConfig: "nlopt",
      providers: [.apt(["libnlopt-dev"])]),
    .target(name: "_CXAPI", linkerSettings: [.linkedLibrary("simdjson")]),
    // Clustering's inner loops in C over vector types, built for AVX2 and the SSE2 baseline.
    .target(name: "_CKernels"),
    .systemLibrary(name: "_CSIMD"),
    .systemLibrary(name: "_CMalloc"),

    // MARK: - Library modules
    .target(name: "MatrixCore", dependencies: ["_CLAPACK"]),
    .target(name: "Optimization", dependencies: ["MatrixCore", "_CNLopt"]),
    .target(name: "Ingest", dependencies: ["MatrixCore"]),
    .target(name: "Simulation", dependencies: ["Ingest", "MatrixCore"]),
    .target(name: "Scoring", dependencies: ["Ingest", "MatrixCore", "Optimization"]),
    .target(name: "Clustering", dependencies: ["Ingest", "MatrixCore", "_CKernels"]),
    .target(
      name: "Reporting",
      dependencies: [
        "MatrixCore", "Optimization", .product(name: "Crypto", package: "swift-crypto"),
      ]),
    .target(name: "Mentoring"),
    .target(
      name: "MixedModels", dependencies: ["MatrixCore", "Optimization", "Ingest", "_CSIMD"]),
    .target(
      name: "Report",
      dependencies: [
        "Ingest", "Scoring", "Mentoring", "Reporting", "MixedModels", "Clustering", "Activity",
      ]),
    .target(
      name: "Activity",
      dependencies: ["Ingest", "_CXAPI", .product(name: "Crypto", package: "swift-crypto")]),
    .target(
      name: "LearningAnalytics",
      dependencies: [
        "MatrixCore", "Optimization", "Ingest", "Simulation", "Scoring", "Reporting", "Mentoring",
        "Report", "MixedModels", "Clustering", "Activity",
      ]),

    // MARK: - Command-line tool
    .executableTarget(
      name: "lae",
      dependencies: [
        "LearningAnalytics", "_CMalloc",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]),

    // MARK: - Tests
    .target(name: "_TestSupport", dependencies: ["MatrixCore"], path: "Tests/_TestSupport"),
    .testTarget(name: "MatrixCoreTests", dependencies: ["MatrixCore", "_TestSupport"]),
    .testTarget(
      name: "OptimizationTests", dependencies: ["Optimization", "MatrixCore", "_TestSupport"]),
    .testTarget(name: "IngestTests", dependencies: ["Ingest", "MatrixCore", "_TestSupport"]),
    .testTarget(
      name: "SimulationTests",
      dependencies: ["Simulation", "Ingest", "MatrixCore", "Activity", "_TestSupport"]),
    .testTarget(
      name: "ScoringTests",
      dependencies: ["Scoring", "Simulation", "Ingest", "MatrixCore", "_TestSupport"]),
    .testTarget(
      name: "ClusteringTests",
      dependencies: [
        "Clustering", "Scoring", "Simulation", "Ingest", "MatrixCore", "_TestSupport", "_CKernels",
      ]),
    .testTarget(name: "ReportingTests", dependencies: ["Reporting", "MatrixCore", "_TestSupport"]),
    .testTarget(
      name: "MentoringTests",
      dependencies: [
        "Mentoring", "MatrixCore", "Simulation", "Scoring", "Clustering", "Ingest", "_TestSupport",
      ]),
    .testTarget(
      name: "ReportTests",
      dependencies: [
        "Report", "Scoring", "Mentoring", "Simulation", "Ingest", "Activity", "Clustering",
        "_TestSupport",
      ]),
    .testTarget(
      name: "MixedModelsTests",
      dependencies: ["MixedModels", "Ingest", "MatrixCore", "Simulation", "_TestSupport"]),
    .testTarget(name: "ActivityTests", dependencies: ["Activity", "Ingest", "_TestSupport"]),
    .testTarget(name: "laeTests", dependencies: ["lae", "_TestSupport"]),
  ]
)
