import Foundation
import Ingest
import MatrixCore
import Testing
import _TestSupport

@testable import MixedModels

@Suite("Formulas, data handling and errors")
struct FormulaAndDataTests {
  @Test func parsesLme4Syntax() throws {
    let f = try ModelFormula(
      "y ~ 1 + x + x:z + x*z + (1 + x | g) + (x || g) + (1 | g) + (0 + x | g) + (1 | g/h) + (1 | g:h)"
    )
    #expect(f.response == "y")
    #expect(f.hasIntercept)
    #expect(f.fixedTerms == [["x"], ["z"], ["x", "z"]])
    let r = f.randomTerms
    #expect(
      r.map(\.description) == [
        "(1 + x | g)", "(1 | g)", "(0 + x | g)", "(1 | g)", "(0 + x | g)", "(1 | g)", "(1 | h:g)",
        "(1 | g:h)",
      ])
    #expect(try ModelFormula("y ~ 0 + x + (1 | g)").hasIntercept == false)
    #expect(try ModelFormula("y ~ x - 1 + (1 | g)").hasIntercept == false)
    #expect(try ModelFormula("y ~ z:x + x + (1 | g)").fixedTerms == [["x"], ["z", "x"]])
  }

  @Test func formulaErrorsNameThePlace() {
    #expect(throws: MixedModelError.self) { try ModelFormula("y ~ x + (1 | )") }
    #expect(throws: MixedModelError.self) { try ModelFormula("~ x") }
    do {
      _ = try ModelFormula("y ~ x $ z")
      Issue.record("expected an error")
    } catch {
      #expect("\(error)".contains("character 7"))
    }
  }

  func teachers() throws -> ColumnTable { try LmerReference.table("teachers.csv") }

  @Test func readerMatchesPlainParser() throws {
    let path = LmerReference.root.appendingPathComponent("teachers.csv").path
    let read = try ColumnTableReader().read(path, columns: nil, textColumns: ["school", "teacher"])
    let plain = try teachers()
    #expect(read.rowCount == 600)
    guard case .numeric(let a) = read.column("score"), case .numeric(let b) = plain.column("score")
    else {
      Issue.record("score is not numeric")
      return
    }
    #expect(zip(a, b).allSatisfy { $0 == $1 || ($0.isNaN && $1.isNaN) })
    guard case .text(let codes, let levels) = read.column("sector") else {
      Issue.record("sector should be read as text (second pass)")
      return
    }
    #expect(Set(levels) == ["Public", "Catholic", "Charter"])
    #expect(codes.count == 600)
  }

  @Test func categoricalCodingAndReference() throws {
    let f = try ModelFormula("score ~ wave * sector + (1 | school)")
    let fit = try LinearMixedModel(formula: f, referenceLevels: ["sector": "Public"]).fit(
      try teachers())
    #expect(
      fit.fixedEffects.map(\.term) == [
        "(Intercept)", "wave", "sectorCatholic", "sectorCharter", "wave:sectorCatholic",
        "wave:sectorCharter",
      ])
    #expect(fit.droppedRowCount == 12)
    #expect(fit.observationCount == 588)
    #expect(fit.categoricalLevels["sector"] == ["Public", "Catholic", "Charter"])
  }

  @Test func rankDeficiencyIsReported() throws {
    let f = try ModelFormula("score ~ wave + wave2 + (1 | school)")
    let fit = try LinearMixedModel(formula: f).fit(try teachers())
    #expect(fit.droppedFixedEffects == ["wave2"])
    #expect(fit.diagnostics.contains(.rankDeficient(dropped: ["wave2"])))
  }

  @Test func singularFitIsADiagnosticNotAnError() throws {
    let fit = try LinearMixedModel(formula: try ModelFormula("Yield ~ 1 + (1 | Batch)")).fit(
      try LmerReference.table("dyestuff2.csv"))
    #expect(fit.isSingular)
    #expect(fit.diagnostics.contains(.singular(term: "(1 | Batch)")))
    #expect(fit.converged)
    let strict = LinearMixedModel(
      formula: try ModelFormula("Yield ~ 1 + (1 | Batch)"), checks: .init(singular: .fail))
    #expect(throws: LinearMixedModel.Diagnostic.self) {
      try strict.fit(try LmerReference.table("dyestuff2.csv"))
    }
  }

  @Test func dataErrorsNameTheColumn() throws {
    let data = try teachers()
    func error(_ text: String) -> MixedModelError? {
      do {
        _ = try LinearMixedModel(formula: try ModelFormula(text)).fit(data)
        return nil
      } catch {
        return error as? MixedModelError
      }
    }
    #expect(error("score ~ wave + (1 | district)") == .unknownColumn("district"))
    #expect(error("score ~ wavez + (1 | school)") == .unknownColumn("wavez"))
    #expect(error("sector ~ wave + (1 | school)") == .nonNumericColumn("sector"))
    #expect(error("score ~ wave") == .noRandomEffects)
    #expect(
      error("score ~ wave + (1 | school) + (1 | teacher)") == .crossedFactors("school", "teacher"))
    let constant = ColumnTable(
      numeric: ["y": [1, 1, 1, 1]], text: ["g": ["a", "a", "b", "b"]])
    #expect(throws: MixedModelError.constantResponse("y")) {
      try LinearMixedModel(formula: try ModelFormula("y ~ 1 + (1 | g)")).fit(constant)
    }
    let oneLevel = ColumnTable(numeric: ["y": [1, 2, 3, 4]], text: ["g": ["a", "a", "a", "a"]])
    #expect(throws: MixedModelError.singleLevelGrouping(term: "g", levels: 1)) {
      try LinearMixedModel(formula: try ModelFormula("y ~ 1 + (1 | g)")).fit(oneLevel)
    }
  }

  @Test func invariantToRowOrderAndScale() throws {
    let data = try LmerReference.table("sleepstudy.csv")
    let f = try ModelFormula("Reaction ~ Days + (Days | Subject)")
    let base = try LinearMixedModel(formula: f).fit(data)
    // Rows reversed.
    var rng = SplitMix64(seed: 11)
    let order = Array(0..<data.rowCount).shuffled(using: &rng)
    let permuted = ColumnTable(
      names: data.names,
      columns: data.columns.map { c in
        switch c {
        case .numeric(let v): return .numeric(order.map { v[$0] })
        case .text(let codes, let levels):
          return .text(codes: order.map { codes[$0] }, levels: levels)
        }
      })
    let p = try LinearMixedModel(formula: f).fit(permuted)
    #expect(
      approximatelyEqual(p.remlCriterion ?? 0, base.remlCriterion ?? 1, relativeTolerance: 1e-9))
    #expect(
      approximatelyEqual(
        p.fixedEffects.map(\.estimate), base.fixedEffects.map(\.estimate), relativeTolerance: 1e-6))
    // Response scaled by 10: σ and β scale, θ does not.
    let scaled = ColumnTable(
      names: data.names,
      columns: zip(data.names, data.columns).map { name, c in
        if name == "Reaction", case .numeric(let v) = c { return .numeric(v.map { $0 * 10 }) }
        return c
      })
    let s = try LinearMixedModel(formula: f).fit(scaled)
    #expect(
      approximatelyEqual(
        s.residualStandardDeviation, 10 * base.residualStandardDeviation, relativeTolerance: 1e-5))
    #expect(
      approximatelyEqual(s.theta, base.theta, relativeTolerance: 1e-4, absoluteTolerance: 1e-6))
  }
}

@Suite("Predictions")
struct PredictionTests {
  @Test func predictionsOnTheFittedDataAreTheFittedValues() throws {
    let data = try LmerReference.table("teachers.csv")
    let f = try ModelFormula("score ~ wave * sector + (wave | school) + (1 | school:teacher)")
    let fit = try LinearMixedModel(formula: f).fit(data)
    let group = try fit.predict(data)
    let population = try fit.predict(data, level: .population)
    #expect(group.compactMap { $0 }.count == 600)  // the response may be missing; predictors not
    for (k, row) in fit.rowIndices.enumerated() {
      #expect(approximatelyEqual(group[row] ?? .nan, fit.fittedValues[k], relativeTolerance: 1e-10))
    }
    let b = fit.fixedEffects.map(\.estimate)
    // Row 1 is school s01 (Public) at wave 0.
    #expect(approximatelyEqual(population[0] ?? .nan, b[0] + b[3], relativeTolerance: 1e-12))
    let unseen = ColumnTable(
      numeric: ["wave": [1]], text: ["sector": ["Charter"], "school": ["new"], "teacher": ["t9"]])
    let p = try fit.predict(unseen)
    #expect(approximatelyEqual(p[0] ?? .nan, b[0] + b[1] + b[2] + b[4], relativeTolerance: 1e-12))
    let bad = ColumnTable(numeric: ["wave": [1]], text: ["sector": ["Private"]])
    #expect(throws: MixedModelError.unknownLevel(variable: "sector", level: "Private")) {
      try fit.predict(bad, level: .population)
    }
  }
}
