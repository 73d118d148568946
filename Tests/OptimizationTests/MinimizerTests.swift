import MatrixCore
import Testing
import _TestSupport

@testable import Optimization

@Suite("DerivativeFreeMinimizer")
struct MinimizerTests {
  func rosenbrock(_ x: MatrixCore.Vector) -> Double {
    let a = 1 - x[0]
    let b = x[1] - x[0] * x[0]
    return a * a + 100 * b * b
  }

  @Test(arguments: DerivativeFreeMinimizer.Algorithm.allCases)
  func findsRosenbrockMinimum(algorithm: DerivativeFreeMinimizer.Algorithm) throws {
    let minimizer = DerivativeFreeMinimizer(
      algorithm: algorithm, absoluteFunctionTolerance: 1e-14, relativeParameterTolerance: 1e-10,
      maxEvaluations: 50_000)
    let result = try minimizer.minimize(
      start: [-1.2, 1], lower: [-5, -5], upper: [5, 5],
      objective: rosenbrock)
    #expect(
      abs(result.minimizer[0] - 1) < 1e-3 && abs(result.minimizer[1] - 1) < 1e-3,
      "\(algorithm): \(result)")
    #expect(result.converged)
    #expect(result.evaluationCount > 0)
  }

  @Test func respectsBounds() throws {
    // Unconstrained minimum at (−1, 2); the box [0, 1] x [0, 1] puts it at (0, 1).
    let result = try DerivativeFreeMinimizer().minimize(
      start: [0.5, 0.5], lower: [0, 0], upper: [1, 1]
    ) { x in (x[0] + 1) * (x[0] + 1) + (x[1] - 2) * (x[1] - 2) }
    #expect(abs(result.minimizer[0]) < 1e-6 && abs(result.minimizer[1] - 1) < 1e-6)
    #expect(approximatelyEqual(result.minimum, 2, relativeTolerance: 1e-8))
  }

  @Test func quadraticInManyDimensions() throws {
    let target = (0..<6).map { Double($0) / 3 }
    let result = try DerivativeFreeMinimizer().minimize(start: [Double](repeating: 0, count: 6)) {
      x in zip(x, target).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
    }
    #expect(approximatelyEqual(result.minimizer, target, absoluteTolerance: 1e-6))
  }

  @Test func invalidSettingsThrow() {
    let m = DerivativeFreeMinimizer()
    #expect(throws: OptimizationError.self) { try m.minimize(start: []) { _ in 0 } }
    #expect(throws: OptimizationError.startOutsideBounds(index: 1, value: -1, lower: 0, upper: 1)) {
      try m.minimize(start: [0, -1], lower: [0, 0], upper: [1, 1]) { _ in 0 }
    }
    #expect(throws: OptimizationError.self) {
      try DerivativeFreeMinimizer(maxEvaluations: 0).minimize(start: [0, 0]) { _ in 0 }
    }
  }

  /// NLopt's BOBYQA accepts a single parameter (lme4 relies on it for one-θ models).
  @Test func bobyqaMinimizesOneParameter() throws {
    let r = try DerivativeFreeMinimizer().minimize(start: [1], lower: [0]) {
      ($0[0] - 0.3) * ($0[0] - 0.3)
    }
    #expect(r.converged)
    #expect(abs(r.minimizer[0] - 0.3) < 1e-6)
  }

  struct Boom: Error, Equatable {}

  @Test func objectiveErrorsAndNaNStopTheRun() {
    #expect(throws: Boom()) {
      try DerivativeFreeMinimizer().minimize(start: [1, 1]) { _ in throw Boom() }
    }
    #expect(throws: OptimizationError.self) {
      try DerivativeFreeMinimizer().minimize(start: [1, 1]) { x in x[0] < 0.9 ? .nan : x[0] }
    }
  }

  @Test func maxEvaluationsIsReportedAsNotConverged() throws {
    let result = try DerivativeFreeMinimizer(maxEvaluations: 10).minimize(
      start: [-1.2, 1],
      objective: rosenbrock)
    #expect(result.status == .maxEvaluationsReached)
    #expect(!result.converged)
    #expect(result.evaluationCount == 10)
  }

  @Test func versionIsReported() {
    #expect(NLoptLibrary.version.split(separator: ".").count == 3)
  }
}
