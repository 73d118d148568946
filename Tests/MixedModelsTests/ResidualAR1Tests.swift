import Foundation
import Ingest
import Testing
import _TestSupport

@testable import MixedModels

/// Residual structures against nlme::lme with corAR1, corCAR1 and varIdent (alone and with
/// corAR1; Fixtures/references/make_residual.R): φ, varIdent SD ratios, fixed effects and SEs
/// to 1e-4 relative, log-likelihood, AIC and BIC to 1e-3 absolute (the issue's tolerances),
/// SDs to 1e-4. Intervals: against the curvature of nlme's profile log-likelihood (refits with
/// φ or each SD ratio fixed at ±0.02 on its unconstrained scale), φ to 5e-4 absolute and the
/// SD ratios to 2e-3 relative; against nlme's `intervals()`, whose `fdHess` Hessian is cruder,
/// φ to 5e-3 absolute and the SD ratios to 10% (they differ by up to 4% for REML fits).
/// nlme's conventions: ML standard errors scaled by √(n/(n−p)) (`adjustSigma`), REML BIC with
/// log(n − p). With random slopes nlme stops short of
/// the maximum (a correlation of 1, on the boundary): there the log-likelihood and φ are
/// checked against an independent maximisation of the dense likelihood in R, and ours must be
/// at least nlme's.
@Suite("AR(1) residuals against nlme")
struct ResidualAR1Tests {
  static let reference = LmerReference.load("residual/expected.csv")

  static let cases: [(model: String, data: String, time: String)] = [
    ("sleep-ar1-intercept-reml", "sleepstudy.csv", "Days"),
    ("sleep-ar1-intercept-ml", "sleepstudy.csv", "Days"),
    ("sleep-ar1-slope-reml", "sleepstudy.csv", "Days"),
    ("sleep-ar1-slope-ml", "sleepstudy.csv", "Days"),
    ("teachers-ar1-reml", "teachers.csv", "wave"), ("teachers-ar1-ml", "teachers.csv", "wave"),
    ("teachers-varident-reml", "teachers.csv", "wave"),
    ("teachers-varident-ml", "teachers.csv", "wave"),
    ("teachers-ar1-varident-reml", "teachers.csv", "wave"),
    ("teachers-ar1-varident-ml", "teachers.csv", "wave"),
    ("sleep-varident-reml", "sleepstudy.csv", "Days"),
    ("sleep-varident-ml", "sleepstudy.csv", "Days"),
    ("teachers-car1-reml", "../residual/teachers-months.csv", "months"),
    ("teachers-car1-ml", "../residual/teachers-months.csv", "months"),
  ]

  /// The model's residual settings from the case name.
  static func settings(_ c: (model: String, data: String, time: String)) -> (
    LinearMixedModel.ResidualCorrelation, LinearMixedModel.ResidualVariance
  ) {
    let correlation: LinearMixedModel.ResidualCorrelation =
      c.model.contains("car1")
      ? .car1(time: c.time, group: nil)
      : (c.model.contains("ar1") ? .ar1(time: c.time, group: nil) : .independent)
    let variance: LinearMixedModel.ResidualVariance =
      c.model.contains("varident") ? .varIdent(by: c.time) : .homoscedastic
    return (correlation, variance)
  }

  static let errors = WorstErrors()

  @Test("Agreement with nlme::lme(correlation = corAR1)", arguments: cases)
  func agreement(_ c: (model: String, data: String, time: String)) throws {
    printBLASConfigurationOnce()
    let ref = try #require(Self.reference[c.model], "no reference for \(c.model)")
    let (correlation, variance) = Self.settings(c)
    let fit = try LinearMixedModel(
      formula: try ModelFormula(ref.formula), criterion: ref.criterion == "REML" ? .reml : .ml,
      residualCorrelation: correlation, residualVariance: variance
    ).fit(LmerReference.table(c.data))
    let v = ref.values
    func check(_ q: String, _ ours: Double?, _ theirs: Double?, rel: Double = 0, abs a: Double = 0)
    {
      guard let ours, let theirs else {
        Issue.record("\(c.model) \(q): missing")
        return
      }
      let e = abs(ours - theirs) / (rel > 0 ? abs(theirs) : 1)
      Self.errors.note(q, e)
      #expect(e <= (rel > 0 ? rel : a), "\(c.model) \(q): \(ours) vs nlme \(theirs)")
    }
    let structure = try #require(fit.residualStructure)
    let phi = structure.parameters["phi"]
    let ratios = v["sdRatio"] ?? [:]
    let expectedType =
      [
        c.model.contains("car1") ? "car1" : (c.model.contains("ar1") ? "ar1" : nil),
        ratios.isEmpty ? nil : "varIdent",
      ].compactMap { $0 }.joined(separator: "+")
    #expect(structure.type == expectedType)
    #expect(
      fit.parameterCount
        == fit.fixedEffects.count + fit.theta.count + 1 + (phi == nil ? 0 : 1)
        + max(0, ratios.count - 1))
    for (level, ratio) in ratios {
      check("sdRatio", structure.parameters[level], ratio, rel: 1e-4)
      if let lower = v["sdRatioProfileLower"]?[level],
        let upper = v["sdRatioProfileUpper"]?[level]
      {
        check("sdRatioLower", structure.confidenceIntervals[level]?.lower, lower, rel: 2e-3)
        check("sdRatioUpper", structure.confidenceIntervals[level]?.upper, upper, rel: 2e-3)
      }
      if let lower = v["sdRatioLower"]?[level], let upper = v["sdRatioUpper"]?[level] {
        check("sdRatioLowerNlme", structure.confidenceIntervals[level]?.lower, lower, rel: 0.1)
        check("sdRatioUpperNlme", structure.confidenceIntervals[level]?.upper, upper, rel: 0.1)
      }
    }
    if !ratios.isEmpty {
      // The reference stratum (ratio 1) comes first, as in nlme.
      #expect(structure.levels?.first == ratios.first { $0.value == 1 }?.key)
    }
    if let independent = v["independentLogLikelihood"]?[""] {
      // nlme did not reach the maximum: the independent optimum is the reference.
      check("logLikelihood", fit.logLikelihood, independent, abs: 1e-3)
      check("phi", phi, v["independentPhi"]?[""], rel: 1e-4)
      #expect(fit.logLikelihood >= (v["logLikelihood"]?[""] ?? 0) - 1e-6)
      return
    }
    if v["phi"] != nil { check("phi", phi, v["phi"]?[""], rel: 1e-4) }
    if let lower = v["phiProfileLower"]?[""], let upper = v["phiProfileUpper"]?[""] {
      check("phiLower", structure.confidenceIntervals["phi"]?.lower, lower, abs: 5e-4)
      check("phiUpper", structure.confidenceIntervals["phi"]?.upper, upper, abs: 5e-4)
    }
    if let lower = v["phiLower"]?[""], let upper = v["phiUpper"]?[""] {
      check("phiLowerNlme", structure.confidenceIntervals["phi"]?.lower, lower, abs: 5e-3)
      check("phiUpperNlme", structure.confidenceIntervals["phi"]?.upper, upper, abs: 5e-3)
    }
    check("logLikelihood", fit.logLikelihood, v["logLikelihood"]?[""], abs: 1e-3)
    check("aic", fit.aic, v["aic"]?[""], abs: 1e-3)
    let n = Double(fit.observationCount)
    let p = Double(fit.fixedEffects.count)
    let bic =
      fit.criterion == .reml
      ? fit.deviance + Double(fit.parameterCount) * log(n - p) : fit.bic
    check("bic", bic, v["bic"]?[""], abs: 1e-3)
    check("residualSD", fit.residualStandardDeviation, v["residualSD"]?[""], rel: 1e-4)
    let seScale = fit.criterion == .ml ? (n / (n - p)).squareRoot() : 1
    for (term, e) in v["estimate"] ?? [:] {
      let ours = fit.fixedEffects.first { $0.term == term }
      check("estimate", ours?.estimate, e, rel: 1e-4)
      check("stdError", ours.map { $0.standardError * seScale }, v["stdError"]?[term], rel: 1e-4)
    }
    for (key, sd) in v["sd"] ?? [:] {
      let parts = key.split(separator: "|").map(String.init)
      let group = parts[0] == "teacher" ? "teacher:school" : parts[0]
      let block = fit.randomEffects.first { $0.group == group && $0.terms.contains(parts[1]) }
      let k = block?.terms.firstIndex(of: parts[1])
      check("sd", k.flatMap { block?.standardDeviations[$0] }, sd, rel: 1e-4)
    }
  }

  @Test("φ = 0 is the lme4 model; errors for unusable structures")
  func consistencyAndErrors() throws {
    let table = try LmerReference.table("sleepstudy.csv")
    let formula = try ModelFormula("Reaction ~ Days + (1 | Subject)")
    let plain = try LinearMixedModel(formula: formula).fit(table)
    let frame = plain.frame
    let structure = try AR1Structure(frame: frame, time: "Days", group: nil)
    let pls = PenalizedLeastSquares(frame: structure.transformed(frame, phi: 0))
    let d0 = pls.deviance(plain.theta, reml: true) + structure.logDeterminant(phi: 0)
    #expect(abs(d0 - (plain.remlCriterion ?? 0)) < 1e-9)
    #expect(throws: MixedModelError.self) {
      try LinearMixedModel(
        formula: formula, residualCorrelation: .ar1(time: "Subject", group: nil)
      ).fit(table)
    }
    #expect(throws: MixedModelError.self) {
      try LinearMixedModel(
        formula: formula, residualCorrelation: .ar1(time: "Days", group: "nothing")
      ).fit(table)
    }
  }

  @Test("Worst errors (printed)")
  func report() throws {
    for c in Self.cases { try? agreement(c) }
    for (q, e) in Self.errors.sorted {
      print("ar1 worst \(q): \(e)")
    }
  }
}
