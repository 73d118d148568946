import Foundation
import Ingest
import MatrixCore
import Testing
import _TestSupport

@testable import MixedModels

/// lme4 1.1-31's `confint(fit, method = "profile")` (Fixtures/references/make_profile.R).
enum ProfileReference {
  static let all = LmerReference.load("inference/profile.csv")
}

/// Profile intervals against lme4's. lme4 interpolates the profile by splines through points
/// about z/8 apart and evaluates the inverse spline; our bounds are roots of the exactly
/// re-optimised profile. The error is measured relative to the larger of |bound| and the
/// half-width of the interval (a correlation's bound can be near 0). Against lme4's default
/// grid the tolerance is 5e-4, its spline error (which moves its bounds by up to 1.7e-4 when
/// the grid is made 8 times denser); against the dense grid (`delta.cutoff = 1/64`), whose
/// spline error is far smaller, it is 2e-5 (measured: 1.7e-4 and 4.7e-6; lme4's own
/// REML- and ML-started runs of one model differ by 2e-6, its optimizer tolerance).
@Suite("Profile confidence intervals against lme4")
struct ProfileTests {
  static let cases: [(model: String, data: String)] = [
    ("sleep-slope-reml", "sleepstudy.csv"), ("sleep-slope-ml", "sleepstudy.csv"),
    ("dyestuff-reml", "dyestuff.csv"), ("dyestuff2-reml", "dyestuff2.csv"),
    ("nested-ml", "teachers.csv"),
  ]
  static let tolerance = 5e-4
  static let fineTolerance = 2e-5

  func fit(_ model: String, _ data: String) throws -> (
    LinearMixedModel.Fit, [String: [String: Double]]
  ) {
    printBLASConfigurationOnce()
    let ref = try #require(ProfileReference.all[model], "no reference for \(model)")
    let fit = try LinearMixedModel(
      formula: try ModelFormula(ref.formula), criterion: ref.criterion == "REML" ? .reml : .ml
    ).fit(LmerReference.table(data))
    return (fit, ref.values)
  }

  @Test("Bounds agree with lme4's confint(method = \"profile\")", arguments: cases)
  func agreesWithLme4(model: String, data: String) throws {
    let (fit, ref) = try fit(model, data)
    for (level, suffix) in [(0.95, ""), (0.90, "90")] {
      let ci = try fit.profileConfidenceIntervals(level: level)
      let rows = ci.all
      #expect(rows.count == ref["estimate"]?.count, "\(model): \(rows.map(\.name))")
      var worst = 0.0
      var worstFine = 0.0
      for row in rows {
        let est = try #require(ref["estimate"]?[row.name], "\(model) \(row.name)")
        #expect(abs(row.estimate - est) <= 1e-4 * max(abs(est), 1e-3), "\(model) \(row.name)")
        let lo = try #require(ref["lower" + suffix]?[row.name])
        let hi = try #require(ref["upper" + suffix]?[row.name])
        let fineLo = try #require(ref["lowerFine" + suffix]?[row.name])
        let fineHi = try #require(ref["upperFine" + suffix]?[row.name])
        let scale = max(abs(hi - lo) / 2, 1e-12)
        for (ours, theirs, fine, side) in [
          (row.lower, lo, fineLo, "lower"), (row.upper, hi, fineHi, "upper"),
        ] {
          let value = try #require(ours.value, "\(model) \(row.name) \(side) is open")
          let error = abs(value - theirs) / max(abs(theirs), scale)
          let fineError = abs(value - fine) / max(abs(fine), scale)
          worst = max(worst, error)
          worstFine = max(worstFine, fineError)
          #expect(
            error <= Self.tolerance,
            "\(model) \(row.name) \(side) @\(level): \(value) vs lme4 \(theirs) (\(error))")
          #expect(
            fineError <= Self.fineTolerance,
            "\(model) \(row.name) \(side) @\(level): \(value) vs dense lme4 \(fine)")
        }
      }
      print(
        "profile \(model) level \(level): max relative error \(worst) (dense grid: \(worstFine))")
    }
  }

  @Test("A singular fit (Dyestuff2) has the lower bound 0 with a note, never NaN")
  func singularLowerBoundIsZero() throws {
    let (fit, _) = try fit("dyestuff2-reml", "dyestuff2.csv")
    #expect(fit.isSingular)
    let ci = try fit.profileConfidenceIntervals()
    let sd = try #require(ci.varianceComponents.first)
    #expect(sd.name == ".sig01" && sd.kind == .standardDeviation && sd.group == "Batch")
    #expect(sd.lower.value == 0 && sd.lower.kind == .parameterLimit)
    #expect(sd.note?.contains("singular") == true)
    #expect(sd.upper.kind == .profile && (sd.upper.value ?? 0) > 0)
    for row in ci.all {
      for b in [row.lower, row.upper] { #expect(b.value.map(\.isFinite) ?? true) }
    }
  }

  @Test("REML fits are profiled on the ML deviance (as lme4): REML and ML intervals agree")
  func remlUsesML() throws {
    let (reml, _) = try fit("sleep-slope-reml", "sleepstudy.csv")
    let (ml, _) = try fit("sleep-slope-ml", "sleepstudy.csv")
    let a = try reml.profileConfidenceIntervals().all
    let b = try ml.profileConfidenceIntervals().all
    for (x, y) in zip(a, b) {
      #expect(x.name == y.name)
      #expect(abs((x.lower.value ?? 0) - (y.lower.value ?? 0)) <= 1e-5 * abs(x.upper.value ?? 1))
      #expect(abs((x.upper.value ?? 0) - (y.upper.value ?? 0)) <= 1e-5 * abs(x.upper.value ?? 1))
    }
  }

  @Test("θ → SDs and correlations → θ is the identity (lme4's Cv_to_Sv and Sv_to_Cv)")
  func scaleRoundTrip() {
    let blocks: [(size: Int, offset: Int)] = [(3, 0), (1, 6)]
    for seed in 1...20 {
      var rng = SplitMix64(seed: UInt64(seed))
      var theta = (0..<7).map { _ in Double.random(in: -2...2, using: &rng) }
      for i in [0, 3, 5, 6] { theta[i] = abs(theta[i]) + 0.01 }  // positive diagonals
      let sigma = Double.random(in: 0.1...5, using: &rng)
      let v = ProfileSearch.sdcor(theta: theta, sigma: sigma, blocks: blocks)
      #expect(v.last == sigma)
      let back = ProfileSearch.theta(sdcor: v, blocks: blocks)
      for (a, b) in zip(theta, back) {
        #expect(abs(a - b) <= 1e-10 * max(1, abs(a)), "seed \(seed)")
      }
    }
  }

  @Test("Brent's root finder on a bracket")
  func brentFindsRoots() {
    let root = ProfileSearch.brent(a: 0, fa: -2, b: 2, fb: 2) { $0 * $0 - 2 }
    #expect(abs(root - 2.0.squareRoot()) < 1e-8)
    let cubic = ProfileSearch.brent(a: -1, fa: -1 - 0.5, b: 3, fb: 27 - 0.5) { $0 * $0 * $0 - 0.5 }
    #expect(abs(cubic - pow(0.5, 1.0 / 3)) < 1e-8)
  }

  @Test("A residual structure is reported as unsupported")
  func residualStructureUnsupported() throws {
    let model = LinearMixedModel(
      formula: try ModelFormula("Reaction ~ Days + (1 | Subject)"),
      residualCorrelation: .ar1(time: "Days", group: nil))
    let fit = try model.fit(LmerReference.table("sleepstudy.csv"))
    #expect(throws: MixedModelError.self) { try fit.profileConfidenceIntervals() }
  }
}
