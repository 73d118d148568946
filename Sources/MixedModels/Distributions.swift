import Foundation
import MatrixCore

/// Student's t and Fisher's F distributions, as R's `pt`, `qt` and `pf` compute them to
/// double precision, for the tests of fixed effects.
///
/// Both reduce to the regularized incomplete beta function `I_x(a, b)` (MatrixCore's
/// `BetaDistribution`); quantiles invert it by bisection to machine precision.
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

  /// The `p` quantile of the standard normal (R's `qnorm(p)`): Acklam's rational
  /// approximation refined by one Halley step on `erfc`, accurate to about 1e-15.
  static func normalQuantile(_ p: Double) -> Double {
    precondition(p > 0 && p < 1, "normalQuantile: p must be in (0, 1)")
    let a = [-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
             1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00]
    let b = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
             6.680131188771972e+01, -1.328068155288572e+01]
    let c = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
             -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00]
    let d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
             3.754408661907416e+00]
    let low = 0.02425
    var x: Double
    if p < low || p > 1 - low {
      let q = (-2 * log(p < low ? p : 1 - p)).squareRoot()
      let num = ((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]
      let den = (((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1
      x = p < low ? num / den : -num / den
    } else {
      let q = p - 0.5
      let r = q * q
      let num = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q
      let den = ((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1
      x = num / den
    }
    let e = 0.5 * erfc(-x / 2.0.squareRoot()) - p
    let u = e * (2 * Double.pi).squareRoot() * exp(x * x / 2)
    x -= u / (1 + x * u / 2)
    return x
  }

  /// `P(F > f)` for `F ~ F(d1, d2)` (R's `pf(f, d1, d2, lower.tail = FALSE)`).
  static func fSurvival(_ f: Double, _ d1: Double, _ d2: Double) -> Double {
    guard f > 0 else { return 1 }
    guard f.isFinite else { return 0 }
    return regularizedBeta(d2 / (d2 + d1 * f), d2 / 2, d1 / 2)
  }

  /// `I_x(a, b)`, the regularized incomplete beta function (MatrixCore's, shared with the
  /// reliability intervals).
  static func regularizedBeta(_ x: Double, _ a: Double, _ b: Double) -> Double {
    BetaDistribution.regularized(x, a, b)
  }
}
