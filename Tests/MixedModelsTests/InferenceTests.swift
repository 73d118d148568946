import Foundation
import Ingest
import Testing
import _TestSupport

@testable import MixedModels

/// Reference values from lmerTest and performance (Fixtures/references/make_inference.R).
enum InferenceReference {
  static let all = LmerReference.load("inference/expected.csv")
}

/// Satterthwaite df, t and F tests and intervals against lmerTest 3.1-3 (df 1e-4 relative,
/// p-values 1e-6 absolute: the issue's tolerances); R² and ICC against performance 0.10.2
/// (1e-6 relative).
@Suite("Inference against lmerTest and performance")
struct InferenceTests {
  static let cases: [(model: String, data: String, factors: Set<String>)] = [
    ("sleep-slope-reml", "sleepstudy.csv", []), ("sleep-slope-ml", "sleepstudy.csv", []),
    ("sleep-diag-reml", "sleepstudy.csv", []), ("dyestuff-reml", "dyestuff.csv", []),
    ("nested-reml", "teachers.csv", []), ("nested-slope-reml", "teachers.csv", []),
    ("nested-slope-ml", "teachers.csv", []), ("factorial-reml", "teachers.csv", ["wave"]),
  ]

  static let errors = WorstErrors()

  func fit(_ model: String, _ data: String, _ factors: Set<String>) throws -> (
    LinearMixedModel.Fit, [String: [String: Double]]
  ) {
    printBLASConfigurationOnce()
    let ref = try #require(InferenceReference.all[model], "no reference for \(model)")
    let fit = try LinearMixedModel(
      formula: try ModelFormula(ref.formula), criterion: ref.criterion == "REML" ? .reml : .ml,
      categoricalVariables: factors
    ).fit(LmerReference.table(data))
    return (fit, ref.values)
  }

  @Test("Satterthwaite t tests, F tests and intervals", arguments: cases)
  func satterthwaite(_ c: (model: String, data: String, factors: Set<String>)) throws {
    let (fit, v) = try fit(c.model, c.data, c.factors)
    let inference = fit.inference()
    #expect(inference.method == .satterthwaite)
    func relative(_ q: String, _ ours: Double, _ theirs: Double?, _ tol: Double) {
      guard let theirs else {
        Issue.record("\(c.model) \(q): no reference")
        return
      }
      let e = abs(ours - theirs) / abs(theirs)
      Self.errors.note(q, e)
      #expect(e <= tol, "\(c.model) \(q): \(ours) vs lmerTest \(theirs)")
    }
    func absolute(_ q: String, _ ours: Double, _ theirs: Double?, _ tol: Double) {
      guard let theirs else {
        Issue.record("\(c.model) \(q): no reference")
        return
      }
      let e = abs(ours - theirs)
      Self.errors.note(q, e)
      #expect(e <= tol, "\(c.model) \(q): \(ours) vs lmerTest \(theirs)")
    }
    #expect(inference.coefficients.count == v["df"]?.count)
    for t in inference.coefficients {
      relative("df", t.degreesOfFreedom, v["df"]?[t.term], 1e-4)
      absolute("pValue", t.pValue, v["pValue"]?[t.term], 1e-6)
      relative("tValue", t.tValue, v["tValue"]?[t.term], 1e-4)
      relative("ciLower", t.confidenceInterval.lower, v["ciLower"]?[t.term], 1e-4)
      relative("ciUpper", t.confidenceInterval.upper, v["ciUpper"]?[t.term], 1e-4)
    }
    #expect(inference.terms.count == (v["fValue"]?.count ?? 0), "\(c.model): F-test terms")
    for t in inference.terms {
      #expect(Double(t.numeratorDegreesOfFreedom) == v["numDF"]?[t.term], "\(c.model) \(t.term)")
      relative("denDF", t.denominatorDegreesOfFreedom, v["denDF"]?[t.term], 1e-4)
      relative("fValue", t.fValue, v["fValue"]?[t.term], 1e-4)
      absolute("fPValue", t.pValue, v["fPValue"]?[t.term], 1e-6)
    }
  }

  @Test("Residual degrees of freedom", arguments: cases.prefix(2))
  func residual(_ c: (model: String, data: String, factors: Set<String>)) throws {
    let (fit, v) = try fit(c.model, c.data, c.factors)
    let inference = fit.inference(degreesOfFreedom: .residual, confidenceLevel: 0.9)
    let df = try #require(v["residualDF"]?[""])
    for t in inference.coefficients {
      #expect(t.degreesOfFreedom == df)
      // The interval is t-based: it contains the estimate and is wider than the normal one.
      let half = (t.confidenceInterval.upper - t.confidenceInterval.lower) / 2
      #expect(half > 1.6448536269514722 * t.standardError)
      #expect(abs(t.confidenceInterval.lower + half - t.estimate) < 1e-9 * abs(t.estimate) + 1e-12)
    }
  }

  @Test("Two threads give the same df, checks and F tests, bit for bit", arguments: cases)
  func threads(_ c: (model: String, data: String, factors: Set<String>)) throws {
    let ref = try #require(InferenceReference.all[c.model])
    var model = LinearMixedModel(
      formula: try ModelFormula(ref.formula), criterion: ref.criterion == "REML" ? .reml : .ml,
      categoricalVariables: c.factors)
    let data = try LmerReference.table(c.data)
    let one = try model.fit(data)
    model.threads = 2
    let two = try model.fit(data)
    #expect(one.diagnostics == two.diagnostics)
    let a = one.inference()
    let b = two.inference()
    #expect(a.coefficients.map(\.degreesOfFreedom) == b.coefficients.map(\.degreesOfFreedom))
    #expect(a.coefficients.map(\.pValue) == b.coefficients.map(\.pValue))
    #expect(
      a.terms.map(\.denominatorDegreesOfFreedom) == b.terms.map(\.denominatorDegreesOfFreedom))
  }

  @Test("Nakagawa R² and ICC", arguments: cases)
  func varianceExplained(_ c: (model: String, data: String, factors: Set<String>)) throws {
    let (fit, v) = try fit(c.model, c.data, c.factors)
    let r = fit.varianceExplained
    // performance keeps only the first block of a factor with several (`||`): there the
    // reference is the formula over all blocks, computed in R from lme4's VarCorr.
    let prefix = c.model == "sleep-diag-reml" ? "allBlocks" : ""
    func key(_ q: String) -> String {
      prefix.isEmpty ? q : prefix + q.prefix(1).uppercased() + q.dropFirst()
    }
    let pairs: [(String, Double)] = [
      ("r2Marginal", r.r2Marginal), ("r2Conditional", r.r2Conditional),
      ("iccAdjusted", r.iccAdjusted), ("iccUnadjusted", r.iccConditional),
      ("varianceRandom", r.randomVariance),
    ]
    for (q, ours) in pairs {
      let theirs = try #require(v[key(q)]?[""], "\(c.model): no \(key(q))")
      let e = abs(ours - theirs) / max(abs(theirs), 1e-12)
      Self.errors.note(q, e)
      #expect(e <= 1e-6, "\(c.model) \(q): \(ours) vs \(theirs)")
    }
  }

  @Test("Type III contrasts of a factorial design are orthogonalised")
  func typeIIIContrasts() throws {
    let (fit, _) = try fit("factorial-reml", "teachers.csv", ["wave"])
    let contrasts = TypeIIIContrasts.make(fit.frame)
    let sector = try #require(contrasts.first { $0.term == "sector" })
    // sector is contained in sector:wave, so its hypothesis involves interaction columns.
    let interaction = fit.fixedEffects.indices.filter { fit.fixedEffects[$0].term.contains(":") }
    #expect(sector.rows.count == 2)
    #expect(sector.rows.contains { row in interaction.contains { row[$0] != 0 } })
  }

  @Test("Worst errors (printed)")
  func report() throws {
    for c in Self.cases { _ = try? satterthwaiteQuiet(c) }
    for (q, e) in Self.errors.sorted {
      print("inference worst \(q): \(e)")
    }
  }

  func satterthwaiteQuiet(_ c: (model: String, data: String, factors: Set<String>)) throws {
    try satterthwaite(c)
    try varianceExplained(c)
  }
}
