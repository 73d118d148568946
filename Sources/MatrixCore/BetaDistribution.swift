import Foundation

/// The regularized incomplete beta function and the quantiles built on it (F distribution),
/// shared by Feldt's interval of alpha (Scoring) and the t and F tests of mixed models.
///
/// `I_x(a, b)` is evaluated with the continued fraction of Numerical Recipes §6.4 (modified
/// Lentz), using the symmetry `I_x(a, b) = 1 − I_{1−x}(b, a)` where it converges faster;
/// quantiles invert it by bisection to machine precision.
package enum BetaDistribution {
  /// `I_x(a, b)`, the regularized incomplete beta function (the beta CDF).
  package static func regularized(_ x: Double, _ a: Double, _ b: Double) -> Double {
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

  /// The `p` quantile of the beta distribution with parameters `a`, `b`.
  package static func quantile(_ p: Double, _ a: Double, _ b: Double) -> Double {
    var lo = 0.0
    var hi = 1.0
    for _ in 0..<200 {
      let mid = (lo + hi) / 2
      if mid == lo || mid == hi { break }
      if regularized(mid, a, b) < p { lo = mid } else { hi = mid }
    }
    return (lo + hi) / 2
  }

  /// The `p` quantile of the F distribution with `d1` and `d2` degrees of freedom (R's `qf`).
  package static func fQuantile(_ p: Double, _ d1: Double, _ d2: Double) -> Double {
    let x = quantile(p, d1 / 2, d2 / 2)
    return d2 * x / (d1 * (1 - x))
  }
}
