import Foundation
import Ingest
import MatrixCore

/// Seeded growth panels with known generating values: teachers within schools measured wave
/// after wave, for checking growth models (``SimulationBuilder`` and ``ProgrammeSimulator``
/// generate survey answers on an ordinal scale, whose latent growth is not linear on the
/// score scale).
///
/// `score = β₀ + β₁·wave + u₀ₛ + u₁ₛ·wave + vₜ + ε`, with school effects `(u₀, u₁)` normal with
/// SDs ``schoolInterceptSD``, ``schoolSlopeSD`` and correlation ``schoolCorrelation``, a
/// teacher effect `v` with SD ``teacherSD`` (0 for one measurement per school and wave), and
/// residual SD ``residualSD``; `wave` runs 0, 1, …. With ``residualAutocorrelation`` φ ≠ 0 the
/// residuals of each teacher follow a stationary AR(1) over the waves,
/// `ε_w = φ·ε_{w−1} + σ·√(1 − φ²)·z_w` (nlme's corAR1 model; φ = 0 gives the same draws as
/// independent residuals).
///
/// ```swift
/// var panel = GrowthPanelSimulator()
/// panel.schoolCount = 40
/// let table = panel.simulate(seed: 7)      // columns school, teacher, wave, score
/// ```
public struct GrowthPanelSimulator: Sendable {
  /// Schools.
  public var schoolCount = 40
  /// Teachers per school (1: the school itself is measured).
  public var teachersPerSchool = 1
  /// Waves (0, 1, …).
  public var waveCount = 5
  /// Fixed intercept β₀.
  public var intercept = 3.0
  /// Fixed slope β₁ per wave.
  public var slope = 0.2
  /// SD of school intercepts.
  public var schoolInterceptSD = 0.5
  /// SD of school slopes.
  public var schoolSlopeSD = 0.15
  /// Correlation of school intercepts and slopes.
  public var schoolCorrelation = 0.3
  /// SD of teacher intercepts within schools.
  public var teacherSD = 0.0
  /// Residual SD.
  public var residualSD = 0.6
  /// Lag-1 autocorrelation φ of the residuals within a teacher, in (−1, 1) (default 0).
  public var residualAutocorrelation = 0.0

  /// Creates a simulator with the defaults above.
  public init() {}

  /// A panel as a column table (`school`, `teacher` as text; `wave`, `score` numeric).
  public func simulate(seed: UInt64) -> ColumnTable {
    var rng = SplitMix64(seed: seed)
    func normal() -> Double {
      let u1 = Double.random(in: Double.ulpOfOne..<1, using: &rng)
      let u2 = Double.random(in: 0..<1, using: &rng)
      return (-2 * Foundation.log(u1)).squareRoot() * Foundation.cos(2 * .pi * u2)
    }
    let rho = max(-1, min(1, schoolCorrelation))
    let phi = max(-0.999_999, min(0.999_999, residualAutocorrelation))
    let innovation = (1 - phi * phi).squareRoot()
    var score: [Double] = []
    var wave: [Double] = []
    var school: [String] = []
    var teacher: [String] = []
    for s in 0..<schoolCount {
      let z0 = normal()
      let z1 = normal()
      let u0 = schoolInterceptSD * z0
      let u1 = schoolSlopeSD * (rho * z0 + (1 - rho * rho).squareRoot() * z1)
      for t in 0..<max(1, teachersPerSchool) {
        let v = teacherSD * normal()
        var previous = 0.0
        for w in 0..<waveCount {
          let e =
            w == 0 || phi == 0
            ? residualSD * normal() : phi * previous + residualSD * innovation * normal()
          previous = e
          wave.append(Double(w))
          school.append(String(format: "S%04d", s + 1))
          teacher.append(String(format: "S%04d-T%02d", s + 1, t + 1))
          score.append(
            intercept + slope * Double(w) + u0 + u1 * Double(w) + v + e)
        }
      }
    }
    return ColumnTable(
      numeric: ["score": score, "wave": wave], text: ["school": school, "teacher": teacher])
  }
}
