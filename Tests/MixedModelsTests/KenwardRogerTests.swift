import Foundation
import Ingest
import Testing
import _TestSupport

@testable import MixedModels

/// Kenward-Roger against lmerTest 3.1-3 with pbkrtest 0.5.2
/// (Fixtures/references/make_kenward_roger.R): adjusted SEs, df, t, F (pbkrtest's scaled F)
/// within 1e-4 relative, p-values within 1e-6 absolute.
@Suite("Kenward-Roger against pbkrtest")
struct KenwardRogerTests {
  static let reference = LmerReference.load("inference/kenward-roger.csv")

  static let cases: [(model: String, data: String)] = [
    ("sleep-slope-reml", "sleepstudy.csv"), ("sleep-diag-reml", "sleepstudy.csv"),
    ("dyestuff-reml", "dyestuff.csv"), ("nested-reml", "teachers.csv"),
    ("nested-slope-reml", "teachers.csv"),
  ]

  static let errors = WorstErrors()

  @Test("Kenward-Roger t and F tests", arguments: cases)
  func agreement(_ c: (model: String, data: String)) throws {
    let ref = try #require(Self.reference[c.model], "no reference for \(c.model)")
    let fit = try LinearMixedModel(formula: try ModelFormula(ref.formula))
      .fit(LmerReference.table(c.data))
    let inference = try fit.kenwardRogerInference()
    #expect(inference.method == .kenwardRoger)
    let v = ref.values
    func check(_ q: String, _ ours: Double?, _ theirs: Double?, rel: Double = 0, abs a: Double = 0)
    {
      guard let ours, let theirs else {
        Issue.record("\(c.model) \(q): missing")
        return
      }
      let e = abs(ours - theirs) / (rel > 0 ? max(abs(theirs), 1e-300) : 1)
      Self.errors.note(q, e)
      #expect(e <= (rel > 0 ? rel : a), "\(c.model) \(q): \(ours) vs pbkrtest \(theirs)")
    }
    for (term, _) in v["estimate"] ?? [:] {
      let ours = inference.coefficients.first { $0.term == term }
      check("stdError", ours?.standardError, v["stdError"]?[term], rel: 1e-4)
      check("df", ours?.degreesOfFreedom, v["df"]?[term], rel: 1e-4)
      check("tValue", ours?.tValue, v["tValue"]?[term], rel: 1e-4)
      check("pValue", ours?.pValue, v["pValue"]?[term], abs: 1e-6)
    }
    for (term, ndf) in v["numDF"] ?? [:] {
      let ours = inference.terms.first { $0.term == term }
      check("numDF", ours.map { Double($0.numeratorDegreesOfFreedom) }, ndf, abs: 0)
      check("denDF", ours?.denominatorDegreesOfFreedom, v["denDF"]?[term], rel: 1e-4)
      check("fValue", ours?.fValue, v["fValue"]?[term], rel: 1e-4)
      check("fPValue", ours?.pValue, v["fPValue"]?[term], abs: 1e-6)
    }
  }

  @Test func unavailableCasesAreTypedErrorsOrFallBack() throws {
    let table = try LmerReference.table("sleepstudy.csv")
    let formula = try ModelFormula("Reaction ~ Days + (1 | Subject)")
    let ml = try LinearMixedModel(formula: formula, criterion: .ml).fit(table)
    #expect(throws: MixedModelError.self) { try ml.kenwardRogerInference() }
    // inference(degreesOfFreedom:) falls back to Satterthwaite and says so.
    #expect(ml.inference(degreesOfFreedom: .kenwardRoger).method == .satterthwaite)
    let ar1 = try LinearMixedModel(
      formula: formula, residualCorrelation: .ar1(time: "Days", group: nil)
    ).fit(table)
    #expect(throws: MixedModelError.self) { try ar1.kenwardRogerInference() }
  }

  @Test("Worst errors (printed)")
  func report() throws {
    for c in Self.cases { try? agreement(c) }
    for (q, e) in Self.errors.sorted {
      print("kenward-roger worst \(q): \(e)")
    }
  }
}
