import Foundation
import Ingest

/// A likelihood-ratio test between two nested models, as lme4's `anova(m0, m1)`: both are
/// (re)fitted by maximum likelihood ("refitting model(s) with ML (instead of REML)").
///
/// ```swift
/// let test = try LikelihoodRatioTest(smaller: m0, larger: m1, data: table)
/// test.chiSquare; test.degreesOfFreedom; test.pValue
/// ```
///
/// The statistic is the difference in deviance, referred to χ² with the difference in the
/// number of parameters as degrees of freedom. A variance component tested at its boundary
/// makes the p-value conservative (as in lme4).
public struct LikelihoodRatioTest: Sendable {
  /// ML fit of the smaller model.
  public let smaller: LinearMixedModel.Fit
  /// ML fit of the larger model.
  public let larger: LinearMixedModel.Fit
  /// `deviance(smaller) − deviance(larger)`, at least 0.
  public let chiSquare: Double
  /// Difference in the number of parameters.
  public let degreesOfFreedom: Int
  /// Upper-tail χ² probability.
  public let pValue: Double

  /// Refits both models by ML on `data` and compares them.
  ///
  /// - Throws: ``MixedModelError/incomparableModels(_:)`` when the fits use different rows or
  ///   the models have the same number of parameters; any fitting error.
  public init(smaller: LinearMixedModel, larger: LinearMixedModel, data: ColumnTable) throws {
    var a = smaller
    var b = larger
    a.criterion = .ml
    b.criterion = .ml
    var fa = try a.fit(data)
    var fb = try b.fit(data)
    guard fa.rowIndices == fb.rowIndices else {
      throw MixedModelError.incomparableModels(
        "they use different rows (\(fa.observationCount) and \(fb.observationCount)); "
          + "drop rows with missing values in either model's variables first")
    }
    if fa.parameterCount > fb.parameterCount { swap(&fa, &fb) }
    guard fa.parameterCount != fb.parameterCount else {
      throw MixedModelError.incomparableModels("both have \(fa.parameterCount) parameters")
    }
    self.smaller = fa
    self.larger = fb
    chiSquare = max(0, fa.deviance - fb.deviance)
    degreesOfFreedom = fb.parameterCount - fa.parameterCount
    pValue = ChiSquare.survival(chiSquare, degreesOfFreedom: Double(degreesOfFreedom))
  }
}

/// The χ² distribution's upper tail through the regularized incomplete gamma function
/// (series below `a + 1`, Lentz's continued fraction above; Numerical Recipes §6.2).
enum ChiSquare {
  static func survival(_ x: Double, degreesOfFreedom k: Double) -> Double {
    guard x > 0 else { return 1 }
    let a = k / 2
    let z = x / 2
    let logPrefix = -z + a * log(z) - lgamma(a)
    if z < a + 1 {
      var sum = 1 / a
      var term = sum
      var n = a
      for _ in 0..<1000 {
        n += 1
        term *= z / n
        sum += term
        if abs(term) < abs(sum) * 1e-16 { break }
      }
      return max(0, 1 - sum * exp(logPrefix))
    }
    var b = z + 1 - a
    var c = 1 / 1e-300
    var d = 1 / b
    var h = d
    for i in 1..<1000 {
      let an = -Double(i) * (Double(i) - a)
      b += 2
      d = an * d + b
      if abs(d) < 1e-300 { d = 1e-300 }
      c = b + an / c
      if abs(c) < 1e-300 { c = 1e-300 }
      d = 1 / d
      let delta = d * c
      h *= delta
      if abs(delta - 1) < 1e-16 { break }
    }
    return exp(logPrefix) * h
  }
}
