import Foundation
import MatrixCore
import Optimization

/// What `lae doctor` reports: versions, the BLAS/LAPACK/NLopt configuration, and a few quick
/// numerical self-checks that prove the linked libraries compute correctly here.
public struct EnvironmentReport: Codable, Sendable {
  /// One numerical self-check.
  public struct Check: Codable, Sendable {
    /// What was checked.
    public let name: String
    /// Whether it passed.
    public let passed: Bool
    /// The measured error or result, and the tolerance it was held to.
    public let detail: String
    /// Wall-clock milliseconds it took.
    public let milliseconds: Double
  }

  /// Engine version.
  public let laeVersion: String
  /// Operating system and machine (`uname`).
  public let platform: String
  /// The BLAS/LAPACK build and thread count.
  public let blas: BLASConfiguration
  /// NLopt's version.
  public let nloptVersion: String
  /// The self-checks run.
  public let checks: [Check]

  /// Whether every self-check passed.
  public var allPassed: Bool { checks.allSatisfy(\.passed) }

  /// Collects the report, running the self-checks (about 10 ms).
  public static func collect() -> EnvironmentReport {
    EnvironmentReport(
      laeVersion: EngineVersion.string, platform: platformDescription(),
      blas: .current, nloptVersion: NLoptLibrary.version,
      checks: [choleskyRoundTrip(), eigenCheck(), bobyqaCheck()])
  }

  /// A plain-text rendering for terminals.
  public var text: String {
    var lines = [
      "lae \(laeVersion)",
      "platform:        \(platform)",
      "BLAS build:      \(blas.buildConfiguration)",
      "BLAS core:       \(blas.coreName)",
      "BLAS threads:    \(blas.threadCount) of \(blas.processorCount) processors (\(blas.parallelism))",
      "LAPACK:          \(blas.lapackVersion) (LAPACKE, column-major)",
      "NLopt:           \(nloptVersion)",
      "self-checks:",
    ]
    for check in checks {
      let mark = check.passed ? "ok  " : "FAIL"
      lines.append(
        "  \(mark) \(check.name): \(check.detail) (\(String(format: "%.1f", check.milliseconds)) ms)"
      )
    }
    lines.append(allPassed ? "all checks passed" : "SOME CHECKS FAILED")
    return lines.joined(separator: "\n")
  }

  // MARK: - Checks

  static func timed(_ name: String, _ body: () -> (Bool, String)) -> Check {
    let start = DispatchTime.now().uptimeNanoseconds
    let (passed, detail) = body()
    let ms = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
    return Check(name: name, passed: passed, detail: detail, milliseconds: ms)
  }

  static func choleskyRoundTrip() -> Check {
    timed("Cholesky round trip, n = 200") {
      var rng = SplitMix64(seed: 20_261_129)
      let a = Matrix.randomSPD(order: 200, using: &rng)
      do {
        let chol = try Cholesky(a)
        let l = chol.factor
        let back = l.multiply(l, transposeOther: .transpose)
        let error = (back - a).maxAbsoluteElement / a.maxAbsoluteElement
        let x = Vector(count: 200, repeating: 1)
        let residual = (a * chol.solve(x) - x).maxAbsoluteElement
        let ok = error < 1e-12 && residual < 1e-10
        return (
          ok,
          "max |LLᵀ − A|/max|A| = \(sci(error)), solve residual \(sci(residual)) (tol 1e-12, 1e-10)"
        )
      } catch {
        return (false, "\(error)")
      }
    }
  }

  static func eigenCheck() -> Check {
    timed("symmetric eigen, n = 100") {
      var rng = SplitMix64(seed: 7)
      let a = Matrix.randomSPD(order: 100, using: &rng)
      do {
        let e = try SymmetricEigen(a)
        let av = a * e.vectors
        var vl = e.vectors
        for j in 0..<100 { for i in 0..<100 { vl[i, j] *= e.values[j] } }
        let error = (av - vl).maxAbsoluteElement / e.values.maxAbsoluteElement
        return (error < 1e-12, "max |AV − VΛ|/max|λ| = \(sci(error)) (tol 1e-12)")
      } catch {
        return (false, "\(error)")
      }
    }
  }

  static func bobyqaCheck() -> Check {
    timed("BOBYQA on Rosenbrock") {
      do {
        let result = try DerivativeFreeMinimizer(
          absoluteFunctionTolerance: 1e-14, absoluteParameterTolerance: 1e-10
        ).minimize(start: [-1.2, 1], lower: [-5, -5], upper: [5, 5]) { x in
          let a = 1 - x[0]
          let b = x[1] - x[0] * x[0]
          return a * a + 100 * b * b
        }
        let error = max(abs(result.minimizer[0] - 1), abs(result.minimizer[1] - 1))
        return (
          error < 1e-4,
          "|x − (1, 1)| = \(sci(error)) after \(result.evaluationCount) evaluations (tol 1e-4)"
        )
      } catch {
        return (false, "\(error)")
      }
    }
  }

  static func sci(_ x: Double) -> String { String(format: "%.2e", x) }

  static func platformDescription() -> String {
    var info = utsname()
    uname(&info)
    func field<T>(_ value: T) -> String {
      withUnsafeBytes(of: value) { raw in
        String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
      }
    }
    return "\(field(info.sysname)) \(field(info.release)) \(field(info.machine))"
  }
}
