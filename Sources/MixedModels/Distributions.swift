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
