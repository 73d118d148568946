import Foundation
import Ingest
import MatrixCore
import MixedModels
import Scoring

/// The growth model behind the report's trajectories: each school's mean area score per wave,
/// `score ~ wave + (wave | school)` fitted by REML (as lme4's `lmer`), with `wave` counted
/// from 0 at the first wave. With two waves a school's slope is not identified beside its
/// intercept (lme4 refuses as many random effects as observations), so the model is then
/// `score ~ wave + (1 | school)`.
struct GrowthSection {
  let fit: LinearMixedModel.Fit
  let formula: String
  let waves: [String]
  /// Schools' overall scores per wave (`nil` where missing), by school id.
  let observed: [String: [Double?]]

  /// Fits the model to the comparison rows; `nil` with fewer than two waves.
  init?(_ comparison: HubComparison, waves: [String]) throws {
    guard waves.count >= 2 else { return nil }
    let rank = Dictionary(uniqueKeysWithValues: waves.enumerated().map { ($1, $0) })
    var sums: [String: [Double]] = [:]
    var counts: [String: [Int]] = [:]
    for r in comparison.schools {
      guard let w = rank[r.wave] else { continue }
      sums[r.school, default: Array(repeating: 0, count: waves.count)][w] += r.score
      counts[r.school, default: Array(repeating: 0, count: waves.count)][w] += 1
    }
    var school: [String] = []
    var wave: [Double] = []
    var score: [Double] = []
    var observed: [String: [Double?]] = [:]
    for id in sums.keys.sorted() {
      let s = sums[id] ?? []
      let c = counts[id] ?? []
      observed[id] = waves.indices.map { c[$0] > 0 ? s[$0] / Double(c[$0]) : nil }
      for w in waves.indices where c[w] > 0 {
        school.append(id)
        wave.append(Double(w))
        score.append(s[w] / Double(c[w]))
      }
    }
    guard Set(school).count >= 2 else { return nil }
    formula =
      waves.count >= 3 ? "score ~ wave + (wave | school)" : "score ~ wave + (1 | school)"
    let model = LinearMixedModel(formula: try ModelFormula(formula))
    fit = try model.fit(
      ColumnTable(numeric: ["wave": wave, "score": score], text: ["school": school]))
    self.waves = waves
    self.observed = observed
  }

  /// The population line `β₀ + β₁·w` with its 95% Wald band from the fixed effects'
  /// covariance.
  func populationLine() -> (mean: [Double?], lower: [Double?], upper: [Double?]) {
    let b = fit.fixedEffects.map(\.estimate)
    let v = fit.fixedEffectsCovariance
    guard b.count == 2, v.rows == 2 else { return ([], [], []) }
    var mean: [Double?] = []
    var lower: [Double?] = []
    var upper: [Double?] = []
    for w in waves.indices {
      let t = Double(w)
      let m = b[0] + b[1] * t
      let se = (v[0, 0] + 2 * t * v[0, 1] + t * t * v[1, 1]).squareRoot()
      mean.append(m)
      lower.append(m - 1.96 * se)
      upper.append(m + 1.96 * se)
    }
    return (mean, lower, upper)
  }

  /// A school's fitted line, `β + b̂_school`.
  func schoolLine(_ id: String) -> [Double?] {
    let b = fit.fixedEffects.map(\.estimate)
    guard b.count == 2, let modes = fit.conditionalModes.first,
      let i = modes.levels.firstIndex(of: id), !modes.values[i].isEmpty
    else { return waves.map { _ in nil } }
    // values[level][term]: the intercept's and (with random slopes) the slope's modes.
    let b0 = modes.values[i][0]
    let b1 = modes.values[i].count > 1 ? modes.values[i][1] : 0
    return waves.indices.map { (b[0] + b0) + (b[1] + b1) * Double($0) }
  }

  /// A table of the fixed effects and variance components, and what they mean.
  func html(_ number: (Double) -> String) -> String {
    var t =
      "<table><thead><tr><th>Term</th><th>Estimate</th><th>Std. error</th><th>t</th>"
      + "</tr></thead><tbody>"
    for e in fit.fixedEffects {
      t +=
        "<tr><td>\(escape(e.term))</td><td>\(number(e.estimate))</td>"
        + "<td>\(number(e.standardError))</td><td>\(number(e.tValue))</td></tr>"
    }
    t += "</tbody></table>"
    return t + "<p>\(escape(text(number)))</p>"
  }

  func text(_ number: (Double) -> String) -> String {
    let slope = fit.fixedEffects.first { $0.term == "wave" }
    var s =
      "Growth model (REML, as lme4): score ~ wave + (wave | school) on \(fit.observationCount) "
      + "school x wave means. "
    if let slope {
      s +=
        "Schools gain \(number(slope.estimate)) points per wave on average "
        + "(95% CI \(number(slope.estimate - 1.96 * slope.standardError)) to "
        + "\(number(slope.estimate + 1.96 * slope.standardError))). "
    }
    if let re = fit.randomEffects.first, re.standardDeviations.count == 2 {
      s +=
        "Between schools: SD \(number(re.standardDeviations[0])) in the starting level and "
        + "\(number(re.standardDeviations[1])) in the slope; residual SD "
        + "\(number(fit.residualStandardDeviation)). "
    }
    if fit.isSingular { s += "The fit is singular (a variance component is at zero). " }
    return s
  }
}
