import Foundation
import LearningAnalytics

/// A simulated growth panel for the mixed-model benchmarks: `schools` schools in three
/// sectors, `waves` waves each, `score = 3 + effect(sector) + (0.2 + u1)·wave + u0 + e` with
/// SD(u0) = 0.5, SD(u1) = 0.15, corr 0.3, SD(e) = 0.6. Deterministic for a seed.
public enum GrowthPanel {
  public static let formula = "score ~ wave * sector + (wave | school)"

  public static func table(schools: Int, waves: Int = 5, seed: UInt64 = 2026) -> ColumnTable {
    var rng = SplitMix64(seed: seed)
    func normal() -> Double {
      let u1 = max(Double.random(in: 0..<1, using: &rng), 1e-300)
      let u2 = Double.random(in: 0..<1, using: &rng)
      return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }
    let sectors = ["Catholic", "Charter", "Public"]
    let effects = [0.3, -0.2, 0.0]
    var school: [String] = []
    var sector: [String] = []
    var wave: [Double] = []
    var score: [Double] = []
    let n = schools * waves
    school.reserveCapacity(n)
    sector.reserveCapacity(n)
    wave.reserveCapacity(n)
    score.reserveCapacity(n)
    for s in 0..<schools {
      let k = Int(rng.next() % 3)
      let z0 = normal()
      let u0 = 0.5 * z0
      let u1 = 0.15 * (0.3 * z0 + (1 - 0.09).squareRoot() * normal())
      for w in 0..<waves {
        let t = Double(w)
        school.append("s\(s)")
        sector.append(sectors[k])
        wave.append(t)
        score.append(3 + effects[k] + (0.2 + u1) * t + u0 + 0.6 * normal())
      }
    }
    return ColumnTable(
      numeric: ["wave": wave, "score": score], text: ["school": school, "sector": sector])
  }
}
