import Foundation
import Testing

@Suite("lae growth", .serialized)
struct GrowthCLITests {
  static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Fixtures/references/growth")

  func path(_ name: String) -> String { GrowthCLITests.folder.appendingPathComponent(name).path }

  @Test func jsonCarriesTheIssueFields() throws {
    let run = try LAERun([
      "growth", "--data", path("sleepstudy.csv"), "--formula", "Reaction ~ Days + (Days | Subject)",
      "--compare", "Reaction ~ Days + (1 | Subject)", "--format", "json",
    ])
    #expect(run.status == 0, "\(run.standardError)")
    let object = try JSONSerialization.jsonObject(with: Data(run.standardOutput.utf8))
    let dict = try #require(object as? [String: Any])
    for key in [
      "formula", "criterion", "nobs", "droppedRows", "groups", "fixedEffects", "randomEffects",
      "residualSD", "theta", "logLikelihood", "remlCriterion", "deviance", "aic", "bic",
      "converged", "singular", "diagnostics", "conditionalModes", "lrt", "provenance",
    ] {
      #expect(dict[key] != nil, "missing \(key)")
    }
    #expect(dict["criterion"] as? String == "REML")
    #expect(dict["nobs"] as? Int == 180)
    let crit = try #require(dict["remlCriterion"] as? Double)
    #expect(abs(crit - 1743.6282719599519) < 1e-3)
    let fixed = try #require(dict["fixedEffects"] as? [[String: Any]])
    #expect(fixed.map { $0["term"] as? String } == ["(Intercept)", "Days"])
    #expect(fixed.allSatisfy { $0["stdError"] != nil && $0["tValue"] != nil })
    let random = try #require(dict["randomEffects"] as? [[String: Any]])
    #expect(random.first?["group"] as? String == "Subject")
    #expect((random.first?["correlation"] as? [[Double]])?.count == 2)
    let lrt = try #require(dict["lrt"] as? [String: Any])
    #expect(abs((lrt["chisq"] as? Double ?? 0) - 42.139) < 1e-2)
    #expect(lrt["df"] as? Int == 2)
  }

  /// Satterthwaite df, p-values and intervals (lmerTest), type III F tests, R² and ICC
  /// (performance) in the JSON; reference values from Fixtures/references/make_inference.R.
  @Test func jsonCarriesInference() throws {
    let run = try LAERun([
      "growth", "--data", path("sleepstudy.csv"), "--formula", "Reaction ~ Days + (Days | Subject)",
      "--format", "json",
    ])
    #expect(run.status == 0, "\(run.standardError)")
    let object = try JSONSerialization.jsonObject(with: Data(run.standardOutput.utf8))
    let dict = try #require(object as? [String: Any])
    let method = try #require(dict["inference"] as? [String: Any])
    #expect(method["df"] as? String == "satterthwaite")
    #expect(method["confidenceInterval"] as? String == "wald-t")
    let fixed = try #require(dict["fixedEffects"] as? [[String: Any]])
    let days = try #require(fixed.first { $0["term"] as? String == "Days" })
    let df = try #require(days["df"] as? Double)
    #expect(abs(df - 16.99998372559174) / 16.99998372559174 < 1e-4)
    let p = try #require(days["pValue"] as? Double)
    #expect(abs(p - 3.2638244699273644e-06) < 1e-6)
    let ci = try #require(days["confidenceInterval"] as? [String: Double])
    #expect(ci["level"] == 0.95)
    #expect(ci["lower"].map { abs($0 - 7.2059546509973487) < 1e-4 } == true)
    let anova = try #require(dict["anova"] as? [[String: Any]])
    #expect(anova.first?["term"] as? String == "Days")
    #expect(anova.first?["numDF"] as? Int == 1)
    let r2 = try #require(dict["r2Marginal"] as? Double)
    #expect(abs(r2 - 0.27865105816187524) < 1e-6)
    #expect(dict["r2Conditional"] as? Double != nil)
    let icc = try #require(dict["icc"] as? [String: Double])
    #expect(icc["adjusted"].map { abs($0 - 0.72166025958885738) < 1e-6 } == true)
    #expect(icc["conditional"].map { abs($0 - 0.52056886462104879) < 1e-6 } == true)
  }

  @Test func degreesOfFreedomOptions() throws {
    let base = [
      "growth", "--data", path("sleepstudy.csv"), "--formula", "Reaction ~ Days + (Days | Subject)",
    ]
    let residual = try LAERun(base + ["--df", "residual", "--format", "csv"])
    #expect(residual.status == 0, "\(residual.standardError)")
    #expect(residual.standardOutput.contains("fixed,,Days,df,178.0"))
    #expect(residual.standardOutput.contains("anova,,Days,denDF,178.0"))
    // Kenward-Roger as pbkrtest (Fixtures/references/make_kenward_roger.R: df 17 for Days).
    let kr = try LAERun(base + ["--df", "kenward-roger", "--format", "json"])
    #expect(kr.status == 0, "\(kr.standardError)")
    let object = try JSONSerialization.jsonObject(with: Data(kr.standardOutput.utf8))
    let dict = try #require(object as? [String: Any])
    #expect((dict["inference"] as? [String: Any])?["df"] as? String == "kenward-roger")
    let days = (dict["fixedEffects"] as? [[String: Any]])?.first { $0["term"] as? String == "Days" }
    #expect(abs((days?["df"] as? Double ?? 0) - 17) < 1e-6)
    #expect(abs((days?["stdError"] as? Double ?? 0) - 1.5457896439059837) < 1e-6)
    let ml = try LAERun(base + ["--df", "kenward-roger", "--ml"])
    #expect(ml.status == 64)
    #expect(ml.standardError.contains("REML fits only"))
    #expect(
      try LAERun(base + ["--df", "kenward-roger", "--residual", "ar1", "--time", "Days"]).status
        == 64)
    #expect(try LAERun(base + ["--confidence-level", "1.5"]).status == 64)
    let table = try LAERun(base)
    #expect(table.standardOutput.contains("Type III Analysis of Variance Table"))
    #expect(table.standardOutput.contains("R2 (Nakagawa): marginal 0.2787"))
  }

  /// AR(1) residuals as nlme's corAR1 (Fixtures/references/make_residual.R).
  @Test func ar1Residuals() throws {
    let base = [
      "growth", "--data", path("sleepstudy.csv"), "--formula", "Reaction ~ Days + (1 | Subject)",
    ]
    let run = try LAERun(base + ["--residual", "ar1", "--time", "Days", "--format", "json"])
    #expect(run.status == 0, "\(run.standardError)")
    let object = try JSONSerialization.jsonObject(with: Data(run.standardOutput.utf8))
    let dict = try #require(object as? [String: Any])
    let structure = try #require(dict["residualStructure"] as? [String: Any])
    #expect(structure["type"] as? String == "ar1")
    #expect(structure["group"] as? String == "Subject")
    let phi = try #require((structure["parameters"] as? [String: Double])?["phi"])
    #expect(abs(phi - 0.65313329469182135) / 0.65313329469182135 < 1e-4)
    let logLik = try #require(dict["logLikelihood"] as? Double)
    #expect(abs(logLik - -868.09553177994144) < 1e-3)
    let table = try LAERun(base + ["--residual", "ar1", "--time", "Days"])
    #expect(table.standardOutput.contains("Residual correlation: AR(1) within Subject over Days"))
    #expect(try LAERun(base + ["--residual", "ar1"]).status == 64)
    #expect(try LAERun(base + ["--residual", "car1"]).status == 64)
    #expect(try LAERun(base + ["--time", "Days"]).status == 64)
    #expect(try LAERun(base + ["--residual", "ar1", "--time", "Subject"]).status == 1)
    // The φ interval (Wald on the Fisher-z scale) against nlme's intervals().
    let ci = try #require(
      (structure["confidenceIntervals"] as? [String: Any])?["phi"] as? [String: Double])
    #expect(ci["level"] == 0.95)
    #expect(try #require(ci["lower"]) < phi && phi < (try #require(ci["upper"])))
  }

  /// varIdent per wave, with AR(1), as nlme (Fixtures/references/make_residual.R), and CAR(1).
  @Test func varIdentAndCAR1() throws {
    let base = [
      "growth", "--data", path("teachers.csv"), "--formula",
      "score ~ wave + sector + (1 | school/teacher)",
    ]
    let run = try LAERun(
      base + ["--weights", "varident", "--by", "wave", "--residual", "ar1", "--time", "wave",
        "--ml", "--format", "json"])
    #expect(run.status == 0, "\(run.standardError)")
    let object = try JSONSerialization.jsonObject(with: Data(run.standardOutput.utf8))
    let dict = try #require(object as? [String: Any])
    let structure = try #require(dict["residualStructure"] as? [String: Any])
    #expect(structure["type"] as? String == "ar1+varIdent")
    #expect(structure["by"] as? String == "wave")
    let parameters = try #require(structure["parameters"] as? [String: Double])
    #expect(parameters["0"] == 1)
    #expect(abs(try #require(parameters["1"]) - 0.78987589824334781) < 1e-4)
    #expect(abs(try #require(parameters["phi"]) - 0.10849069159037557) < 1e-4)
    let logLik = try #require(dict["logLikelihood"] as? Double)
    #expect(abs(logLik - -660.65908012135083) < 1e-3)
    let table = try LAERun(base + ["--weights", "varident", "--by", "wave"])
    #expect(table.standardOutput.contains("Residual variance: varIdent(~ 1 | wave)"))
    #expect(try LAERun(base + ["--weights", "varident"]).status == 64)
    #expect(try LAERun(base + ["--by", "wave"]).status == 64)
    let missing = try LAERun(base + ["--weights", "varident", "--by", "nothing"])
    #expect(missing.status == 1)
    let csv = try LAERun(
      base + ["--residual", "car1", "--time", "wave", "--format", "csv"])
    #expect(csv.status == 0, "\(csv.standardError)")
    #expect(csv.standardOutput.contains("residual,teacher:school,car1,phi,"))
  }

  @Test func tidyCSV() throws {
    let run = try LAERun([
      "growth", "--data", path("sleepstudy.csv"), "--formula", "Reaction ~ Days + (Days | Subject)",
      "--format", "csv",
    ])
    #expect(run.status == 0, "\(run.standardError)")
    let lines = run.standardOutput.split(separator: "\n")
    #expect(lines.first == "component,group,term,statistic,value")
    let days = lines.first { $0.hasPrefix("fixed,,Days,estimate,") }
    let estimate = days.flatMap { Double($0.split(separator: ",").last ?? "") }
    #expect(estimate.map { abs($0 - 10.467285959595) < 1e-6 } == true)
    #expect(lines.contains { $0.hasPrefix("random,Subject,Days,sd,") })
    #expect(lines.contains { $0.hasPrefix("fit,,,remlCriterion,1743.628") })
  }

  @Test func tablePrintsLikeLme4AndWarnsOnSingular() throws {
    let run = try LAERun([
      "growth", "--data", path("dyestuff2.csv"), "--formula", "Yield ~ 1 + (1 | Batch)",
    ])
    #expect(run.status == 0)
    #expect(run.standardOutput.contains("REML criterion at convergence: 161.8"))
    #expect(run.standardOutput.contains("Number of obs: 30, groups:  Batch, 6"))
    #expect(run.standardError.contains("warning: Singular fit"))
    let strict = try LAERun([
      "growth", "--data", path("dyestuff2.csv"), "--formula", "Yield ~ 1 + (1 | Batch)", "--strict",
    ])
    #expect(strict.status == 1)
  }

  @Test func readsStandardInputWithATextPredictor() throws {
    let csv = try String(contentsOfFile: path("teachers.csv"), encoding: .utf8)
    let run = try LAERun(
      ["growth", "--data", "-", "--formula", "score ~ wave + sector + (1 | school/teacher)"],
      standardInput: csv)
    #expect(run.status == 0, "\(run.standardError)")
    #expect(run.standardOutput.contains("REML criterion at convergence: 1341.7"))
    #expect(run.standardOutput.contains("sectorPublic"))
  }

  @Test func exitCodes() throws {
    let data = path("teachers.csv")
    #expect(
      try LAERun(["growth", "--data", data, "--formula", "score ~ wave + (1 | district)"]).status
        == 1)
    #expect(try LAERun(["growth", "--data", data, "--formula", "score ~ wave + (1 |"]).status == 1)
    #expect(
      try LAERun([
        "growth", "--data", data, "--formula", "score ~ wave + (1 | school)", "--reference", "x",
      ]).status == 64)
    #expect(try LAERun(["growth", "--formula", "y ~ 1 + (1 | g)"]).status == 64)
  }
}
