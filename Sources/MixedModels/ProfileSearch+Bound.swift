import Foundation
import MatrixCore

extension ProfileSearch {
  /// Steps at most this many times away from the estimate before an interval is called open.
  static let maxSteps = 40

  /// One end of the interval of `p`: steps from the estimate towards `side` (−1 lower, +1
  /// upper) by secants of ζ (each step at most 10 times the previous one, as lme4's
  /// `maxmult`) until |ζ| ≥ z or the parameter's limit is reached, then Brent's root finder on
  /// the bracket. Every ζ is an exact re-optimisation, warm-started from the previous point.
  func bound(_ p: Parameter, side: Double, z: Double) -> BoundResult {
    let limit = side < 0 ? p.lower : p.upper
    var evaluations = 0
    let what: String
    switch p.kind {
    case .standardDeviation: what = "SD of \(p.terms.first ?? "") | \(p.group ?? "")"
    case .correlation: what = "correlation of \(p.terms.joined(separator: " and "))"
    case .residualStandardDeviation: what = "residual SD"
    case .fixedEffect: what = "coefficient \(p.name)"
    }
    if p.estimate == limit || (limit.isFinite && abs(p.estimate - limit) < 1e-10) {
      let note =
        p.kind == .correlation
        ? "The \(what) is estimated at \(limit) (a singular fit): that limit is its bound."
        : "The \(what) is estimated at 0 (a singular fit): the lower bound is 0, as lme4 "
          + "reports it."
      return BoundResult(
        bound: .init(value: limit, kind: .parameterLimit, searchedTo: nil), note: note,
        evaluations: 0)
    }
    // The re-optimised |ζ| at x; warm starts follow the last point evaluated.
    let pls: PenalizedLeastSquares
    var warm: [Double]
    var lower: [Double]
    var upper: [Double]?
    var xFixed: [Double] = []
    if p.kind == .fixedEffect {
      pls = PenalizedLeastSquares(frame: frame)  // only for its bounds
      warm = theta
      lower = pls.lowerBounds
      upper = nil
      let n = frame.rowCount
      xFixed = Array(frame.x.elements[(p.index * n)..<((p.index + 1) * n)])
    } else {
      pls = PenalizedLeastSquares(frame: frame)
      warm = sdcor
      warm.remove(at: p.index)
      lower = lowerSdcor
      lower.remove(at: p.index)
      var u = upperSdcor
      u.remove(at: p.index)
      upper = u
    }
    let reduced = p.kind == .fixedEffect ? dropColumn(p.index) : frame
    func zeta(_ x: Double) -> Double? {
      let result: (x: [Double], value: Double)?
      if p.kind == .fixedEffect {
        var f = reduced
        f.y = zip(frame.y, xFixed).map { $0 - x * $1 }
        let system = PenalizedLeastSquares(frame: f)
        result = Self.minimize(start: warm, lower: lower, upper: upper) { t in
          evaluations += 1
          return system.deviance(t, reml: false)
        }
      } else {
        result = Self.minimize(start: warm, lower: lower, upper: upper) { others in
          evaluations += 1
          var v = others
          v.insert(x, at: p.index)
          return Self.deviance(pls, sdcor: v, blocks: blocks)
        }
      }
      guard let result, result.value.isFinite else { return nil }
      warm = zip(result.x, lower).map { max($0, $1) }
      return max(0, result.value - base).squareRoot()
    }
    func finish(_ bound: LinearMixedModel.ProfileBound, _ note: String?) -> BoundResult {
      BoundResult(bound: bound, note: note, evaluations: evaluations)
    }
    var step: Double
    switch p.kind {
    case .fixedEffect: step = z * max(p.standardError, 1e-8 * max(abs(p.estimate), 1))
    case .correlation: step = 0.25 * abs(limit - p.estimate)
    case .standardDeviation: step = p.estimate > 0 ? 0.25 * p.estimate : 0.1 * sdcor.last!
    case .residualStandardDeviation: step = 0.1 * p.estimate
    }
    func clamp(_ x: Double) -> Double { side < 0 ? max(x, limit) : min(x, limit) }
    var (xa, za) = (p.estimate, 0.0)
    var x = clamp(p.estimate + side * step)
    for _ in 0..<Self.maxSteps {
      guard x.isFinite, let zx = zeta(x) else { break }
      if zx >= z {
        let root = Self.brent(a: xa, fa: za - z, b: x, fb: zx - z) { t in
          (zeta(t) ?? .infinity) - z
        }
        return finish(.init(value: root, kind: .profile, searchedTo: nil), nil)
      }
      if x == limit {
        let note =
          "The profile of the \(what) stays below the threshold up to \(limit), the end of its "
          + "range: that is the bound, as lme4 reports it."
        return finish(.init(value: limit, kind: .parameterLimit, searchedTo: nil), note)
      }
      let width = abs(x - xa)
      let slope = (zx - za) / width
      var next = slope > 0 ? 1.1 * (z - zx) / slope : 2 * width
      next = min(max(next, 0.1 * width), 10 * width)
      (xa, za) = (x, zx)
      x = clamp(x + side * next)
    }
    let note =
      "The profile of the \(what) does not reach the threshold within the search range "
      + "(up to \(xa)): the interval is open on this side."
    return finish(.init(value: nil, kind: .open, searchedTo: xa), note)
  }

  /// The frame without fixed-effect column `j` (the response is replaced per profile point).
  func dropColumn(_ j: Int) -> ModelFrame {
    var f = frame
    let n = frame.rowCount
    let p = frame.x.columns
    var elements = frame.x.elements
    elements.removeSubrange((j * n)..<((j + 1) * n))
    f.x = Matrix(rows: n, columns: p - 1, columnMajor: elements)
    return f
  }

  /// Brent's root finder (zeroin) on a bracket with `fa < 0 ≤ fb`, to a relative tolerance
  /// of 1e-9 of the bracket's scale.
  static func brent(
    a a0: Double, fa fa0: Double, b b0: Double, fb fb0: Double, _ f: (Double) -> Double
  ) -> Double {
    var (a, fa, b, fb) = (a0, fa0, b0, fb0)
    if fb == 0 { return b }
    var (c, fc) = (a, fa)
    var d = b - a
    var e = d
    let tolerance = 1e-9 * max(abs(a0), abs(b0), abs(b0 - a0))
    for _ in 0..<100 {
      if (fb > 0) == (fc > 0) {
        (c, fc) = (a, fa)
        d = b - a
        e = d
      }
      if abs(fc) < abs(fb) {
        (a, fa) = (b, fb)
        (b, fb) = (c, fc)
        (c, fc) = (a, fa)
      }
      let tol = 2 * Double.ulpOfOne * abs(b) + 0.5 * tolerance
      let m = 0.5 * (c - b)
      if abs(m) <= tol || fb == 0 { return b }
      if abs(e) >= tol && abs(fa) > abs(fb) {
        let s = fb / fa
        var pp: Double
        var q: Double
        if a == c {
          pp = 2 * m * s
          q = 1 - s
        } else {
          let qa = fa / fc
          let r = fb / fc
          pp = s * (2 * m * qa * (qa - r) - (b - a) * (r - 1))
          q = (qa - 1) * (r - 1) * (s - 1)
        }
        if pp > 0 { q = -q } else { pp = -pp }
        if 2 * pp < min(3 * m * q - abs(tol * q), abs(e * q)) {
          e = d
          d = pp / q
        } else {
          d = m
          e = m
        }
      } else {
        d = m
        e = m
      }
      (a, fa) = (b, fb)
      b += abs(d) > tol ? d : (m > 0 ? tol : -tol)
      fb = f(b)
    }
    return b
  }
}
