import Foundation
import Testing

/// `lae growth --ci profile`: lme4's `confint(method = "profile")` in the JSON, CSV and table
/// (reference values from Fixtures/references/make_profile.R; the library tests compare every
/// bound, these check the wiring).
@Suite("lae growth --ci profile", .serialized)
struct GrowthProfileCLITests {
  func path(_ name: String) -> String {
    GrowthCLITests.folder.appendingPathComponent(name).path
  }

  @Test func jsonCarriesProfileIntervals() throws {
    let run = try LAERun([
      "growth", "--data", path("sleepstudy.csv"), "--formula", "Reaction ~ Days + (Days | Subject)",
      "--ci", "profile", "--format", "json",
    ])
    #expect(run.status == 0, "\(run.standardError)")
    let object = try JSONSerialization.jsonObject(with: Data(run.standardOutput.utf8))
    let dict = try #require(object as? [String: Any])
    let method = try #require(dict["inference"] as? [String: Any])
    #expect(method["confidenceInterval"] as? String == "profile")
    let fixed = try #require(dict["fixedEffects"] as? [[String: Any]])
    let days = try #require(fixed.first { $0["term"] as? String == "Days" })
    let ci = try #require(days["confidenceInterval"] as? [String: Any])
    // lme4: Days 7.358653 13.575919.
    #expect(abs((ci["lower"] as? Double ?? 0) - 7.3586532751169935) < 1e-3)
    #expect(abs((ci["upper"] as? Double ?? 0) - 13.575918751708203) < 1e-3)
    #expect(ci["lowerKind"] as? String == "profile")
    let random = try #require((dict["randomEffects"] as? [[String: Any]])?.first)
    let sd = try #require(random["sdInterval"] as? [[String: Any]])
    #expect(sd.count == 2)
    // lme4: .sig01 14.381473 37.715992, .sig03 3.801164 8.753385.
    #expect(abs((sd[0]["lower"] as? Double ?? 0) - 14.381473226452481) < 1e-2)
    #expect(abs((sd[1]["upper"] as? Double ?? 0) - 8.7533850633131713) < 1e-3)
    let cor = try #require(random["correlationIntervals"] as? [[String: Any]])
    #expect(cor.first?["terms"] as? [String] == ["(Intercept)", "Days"])
    #expect(abs((cor.first?["lower"] as? Double ?? 0) - -0.4815007593806867) < 1e-3)
    let sigma = try #require(dict["residualSDInterval"] as? [String: Any])
    #expect(abs((sigma["upper"] as? Double ?? 0) - 28.857996511408729) < 1e-3)
  }

  @Test func singularFitHasLowerBoundZeroInTableAndCSV() throws {
    let table = try LAERun([
      "growth", "--data", path("dyestuff2.csv"), "--formula", "Yield ~ 1 + (1 | Batch)",
      "--ci", "profile",
    ])
    #expect(table.status == 0, "\(table.standardError)")
    #expect(table.standardOutput.contains("Profile-likelihood confidence intervals"))
    #expect(table.standardOutput.contains("0*"))
    let csv = try LAERun([
      "growth", "--data", path("dyestuff2.csv"), "--formula", "Yield ~ 1 + (1 | Batch)",
      "--ci", "profile", "--format", "csv",
    ])
    #expect(csv.status == 0)
    #expect(csv.standardOutput.contains("random,Batch,(Intercept),sd.ciLower,0.0"))
    #expect(csv.standardOutput.contains("residual,,,sd.ciUpper,"))
  }

  @Test func profileWithResidualStructureIsAUsageError() throws {
    let run = try LAERun([
      "growth", "--data", path("sleepstudy.csv"), "--formula", "Reaction ~ Days + (1 | Subject)",
      "--residual", "ar1", "--time", "Days", "--ci", "profile",
    ])
    #expect(run.status == 64)
    #expect(run.standardError.contains("--ci profile is not supported with --residual"))
  }
}
