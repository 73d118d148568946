import Foundation

/// Student's t and Fisher's F distributions, as R's `pt`, `qt` and `pf` compute them to
/// double precision, for the tests of fixed effects.
///
/// Both reduce to the regularized incomplete beta function `I_x(a, b)`, evaluated with the
/// continued fraction of Numerical Recipes §6.4 (modified Lentz) on the side where it
/// converges fast; quantiles invert it by bisection to machine precision.
enum Distributions {
  /// `P(|T| > |t|)` for `T ~ t(df)`: the two-sided p-value `2·pt(|t|, df, lower = FALSE)`.
  static func studentTTwoSided(_ t: Double, degreesOfFreedom df: Double) -> Double {
    guard t.isFinite else { return t.isNaN ? .nan : 0 }
    guard df.isFinite else { return erfc(abs(t) / 2.0.squareRoot()) }
    return regularizedBeta(df / (df + t * t), df / 2, 0.5)
  }

  /// The `p` quantile of t(df) for p ≥ 0.5 (R's `qt(p, df)`), e.g. 0.975 for a 95% interval.
  static func studentTQuantile(_ p: Double, degreesOfFreedom df: Double) -> Double {
    precondition(p >= 0.5 && p < 1, "studentTQuantile: p must be in [0.5, 1)")
    if p == 0.5 { return 0 }
    // 2(1 − p) = I_x(df/2, 1/2) with x = df/(df + t²); I_x increases with x.
    let tail = 2 * (1 - p)
    var lo = 0.0
    var hi = 1.0
    for _ in 0..<1100 {
      let mid = (lo + hi) / 2
      if mid <= lo || mid >= hi { break }
      if regularizedBeta(mid, df / 2, 0.5) < tail { lo = mid } else { hi = mid }
    }
    let x = (lo + hi) / 2
    return (df * (1 - x) / x).squareRoot()
  }

  /// `P(F > f)` for `F ~ F(d1, d2)` (R's `pf(f, d1, d2, lower.tail = FALSE)`).
  static func fSurvival(_ f: Double, _ d1: Double, _ d2: Double) -> Double {
    guard f > 0 else { return 1 }
    guard f.isFinite else { return 0 }
    return regularizedBeta(d2 / (d2 + d1 * f), d2 / 2, d1 / 2)
  }

  /// `I_x(a, b)`, the regularized incomplete beta function (the beta CDF).
  static func regularizedBeta(_ x: Double, _ a: Double, _ b: Double) -> Double {
    if x <= 0 { return 0 }
    if x >= 1 { return 1 }
    let logFront = lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x)
    if x < (a + 1) / (a + b + 2) {
      return exp(logFront) * continuedFraction(x, a, b) / a
    }
    return 1 - exp(logFront) * continuedFraction(1 - x, b, a) / b
  }

  private static func continuedFraction(_ x: Double, _ a: Double, _ b: Double) -> Double {
    let tiny = 1e-300
    let qab = a + b
    let qap = a + 1
    let qam = a - 1
    var c = 1.0
    var d = 1 - qab * x / qap
    if abs(d) < tiny { d = tiny }
    d = 1 / d
    var h = d
    for m in 1...10_000 {
      let mm = Double(m)
      let m2 = 2 * mm
      var aa = mm * (b - mm) * x / ((qam + m2) * (a + m2))
      d = 1 + aa * d
      if abs(d) < tiny { d = tiny }
      c = 1 + aa / c
      if abs(c) < tiny { c = tiny }
      d = 1 / d
      h *= d * c
      aa = -(a + mm) * (qab + mm) * x / ((a + m2) * (qap + m2))
      d = 1 + aa * d
      if abs(d) < tiny { d = tiny }
      c = 1 + aa / c
      if abs(c) < tiny { c = tiny }
      d = 1 / d
      let delta = d * c
      h *= delta
      if abs(delta - 1) < 1e-16 { break }
    }
    return h
  }
}
