import Foundation
import Ingest
import Testing
import _TestSupport

@testable import MixedModels

/// Fits every reference model and compares with lme4 at the issue's tolerances: fixed effects
/// 1e-6 relative; standard errors and variance components 1e-4 relative; REML criterion and
/// log-likelihood 1e-3 absolute.
@Suite("Agreement with lme4")
struct AgreementWithLme4Tests {
  static let cases: [(model: String, data: String)] = [
    ("sleep-slope-reml", "sleepstudy.csv"), ("sleep-slope-ml", "sleepstudy.csv"),
    ("sleep-diag-reml", "sleepstudy.csv"), ("sleep-diag-ml", "sleepstudy.csv"),
    ("dyestuff-reml", "dyestuff.csv"), ("dyestuff-ml", "dyestuff.csv"),
    ("dyestuff2-reml", "dyestuff2.csv"), ("dyestuff2-ml", "dyestuff2.csv"),
    ("nested-reml", "teachers.csv"), ("nested-ml", "teachers.csv"),
    ("nested-slope-reml", "teachers.csv"), ("nested-slope-ml", "teachers.csv"),
    ("rank-deficient-reml", "teachers.csv"),
  ]

  /// Largest relative error per quantity over all checked values, printed for the record.
  final class Errors: @unchecked Sendable {
    var worst: [String: Double] = [:]
    func note(_ q: String, _ ours: Double, _ theirs: Double, floor: Double) {
      let e = abs(ours - theirs) / max(abs(theirs), floor)
      worst[q] = max(worst[q] ?? 0, e)
    }
  }

  func check(_ model: String, _ data: String) throws -> [String: Double] {
    printBLASConfigurationOnce()
    let ref = try #require(LmerReference.all[model], "no reference for \(model)")
    let formula = try ModelFormula(ref.formula)
    let table = try LmerReference.table(data)
    let fit = try LinearMixedModel(
      formula: formula, criterion: ref.criterion == "REML" ? .reml : .ml
    ).fit(table)
    let v = ref.values
    let errors = Errors()
    func near(
      _ q: String, _ ours: Double?, _ theirs: Double, rel: Double, abs absTol: Double = 0,
      floor: Double = 1e-300
    ) {
      guard let ours else {
        Issue.record("\(model) \(q): missing (lme4 \(theirs))")
        return
      }
      errors.note(q, ours, theirs, floor: floor)
      #expect(
        approximatelyEqual(ours, theirs, relativeTolerance: rel, absoluteTolerance: absTol),
        "\(model) \(q): \(ours) vs lme4 \(theirs)")
    }
    // Fixed effects.
    #expect(fit.fixedEffects.count == v["estimate"]?.count, "\(model): fixed-effect terms")
    for (term, e) in v["estimate"] ?? [:] {
      let ours = fit.fixedEffects.first { $0.term == term }
      near("estimate", ours?.estimate, e, rel: 1e-6, abs: 1e-9)
      near("stdError", ours?.standardError, v["stdError"]?[term] ?? .nan, rel: 1e-4)
      near("tValue", ours?.tValue, v["tValue"]?[term] ?? .nan, rel: 1e-4, abs: 1e-6)
    }
    // Variance components.
    func group(_ g: String) -> String {
      // lme4 numbers repeated groups ("Subject.1") in as.data.frame(VarCorr(...)).
      if let dot = g.lastIndex(of: "."), Int(g[g.index(after: dot)...]) != nil {
        return String(g[..<dot])
      }
      return g
    }
    for (key, sd) in v["sd"] ?? [:] {
      let parts = key.split(separator: "|").map(String.init)
      let block = fit.randomEffects.first {
        $0.group == group(parts[0]) && $0.terms.contains(parts[1])
      }
      let k = block?.terms.firstIndex(of: parts[1])
      near("sd", k.flatMap { block?.standardDeviations[$0] }, sd, rel: 1e-4, abs: 1e-5)
    }
    for (key, r) in v["correlation"] ?? [:] {
      let parts = key.split(separator: "|").map(String.init)
      let block = fit.randomEffects.first {
        $0.group == group(parts[0]) && $0.terms.contains(parts[1])
      }
      if let b = block, let i = b.terms.firstIndex(of: parts[1]),
        let j = b.terms.firstIndex(of: parts[2])
      {
        near("correlation", b.correlation[i][j], r, rel: 1e-4, abs: 1e-4)
      } else {
        Issue.record("\(model): no correlation \(key)")
      }
    }
    near("residualSD", fit.residualStandardDeviation, v["residualSD"]?[""] ?? .nan, rel: 1e-4)
    let theta = (v["theta"] ?? [:]).sorted { Int($0.key) ?? 0 < Int($1.key) ?? 0 }.map(\.value)
    #expect(fit.theta.count == theta.count, "\(model): θ count")
    for (a, b) in zip(fit.theta, theta) { near("theta", a, b, rel: 1e-3, abs: 1e-4) }
    near("logLikelihood", fit.logLikelihood, v["logLikelihood"]?[""] ?? .nan, rel: 0, abs: 1e-3)
    if let crit = v["remlCriterion"]?[""] {
      near("remlCriterion", fit.remlCriterion, crit, rel: 0, abs: 1e-3)
    }
    near("deviance", fit.deviance, v["deviance"]?[""] ?? .nan, rel: 0, abs: 1e-3)
    near("aic", fit.aic, v["aic"]?[""] ?? .nan, rel: 0, abs: 1e-3)
    near("bic", fit.bic, v["bic"]?[""] ?? .nan, rel: 0, abs: 1e-3)
    #expect(Double(fit.observationCount) == v["nobs"]?[""], "\(model): nobs")
    #expect(fit.isSingular == (v["singular"]?[""] == 1), "\(model): singular")
    // lme4 gives no convergence warning on these fits; neither may we (gradient and Hessian
    // checks run on the non-singular ones).
    let trouble = fit.diagnostics.filter {
      switch $0 {
      case .singular, .rankDeficient: return false
      default: return true
      }
    }
    #expect(trouble.isEmpty, "\(model): \(trouble)")
    #expect(fit.converged)
    for (g, n) in v["levels"] ?? [:] {
      #expect(fit.groups.first { $0.name == g }?.levels == Int(n), "\(model): levels of \(g)")
    }
    // Conditional modes and SDs, scaled by the residual SD (absolute 1e-4 of σ).
    let sigma = fit.residualStandardDeviation
    for q in ["conditionalMode", "conditionalSD"] {
      for (key, value) in v[q] ?? [:] {
        let parts = key.split(separator: "|").map(String.init)
        guard let modes = fit.conditionalModes.first(where: { $0.group == parts[0] }),
          let l = modes.levels.firstIndex(of: parts[1]),
          let t = modes.terms.firstIndex(of: parts[2])
        else {
          Issue.record("\(model): no \(q) \(key)")
          continue
        }
        let ours = q == "conditionalMode" ? modes.values[l][t] : modes.standardDeviations[l][t]
        near(q, ours, value, rel: 1e-4, abs: 1e-4 * sigma, floor: sigma)
      }
    }
    for (i, f) in v["fitted"] ?? [:] {
      near("fitted", fit.fittedValues[(Int(i) ?? 1) - 1], f, rel: 1e-6)
    }
    return errors.worst
  }

  @Test(arguments: AgreementWithLme4Tests.cases)
  func agrees(_ c: (model: String, data: String)) throws {
    let worst = try check(c.model, c.data)
    print(
      "\(c.model): "
        + worst.sorted { $0.key < $1.key }.map { "\($0.key) \(String(format: "%.1e", $0.value))" }
        .joined(separator: ", "))
  }
}
