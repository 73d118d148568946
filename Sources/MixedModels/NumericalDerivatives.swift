import Foundation
import MatrixCore

/// numDeriv's Richardson extrapolation (`hessian` via `genD`, and `jacobian`), step for step,
/// so that derivatives agree with R's to rounding.
enum NumericalDerivatives {
  static let zeroTolerance = (Double.ulpOfOne / 7e-7).squareRoot()

  static func steps(_ x: [Double], relative d: Double) -> [Double] {
    x.map { abs(d * $0) + (abs($0) < zeroTolerance ? 1e-4 : 0) }
  }

  /// Richardson extrapolation of `r` estimates at steps h, h/2, h/4, … (error O(h²) each).
  static func extrapolate(_ a: [Double]) -> Double {
    var a = a
    let r = a.count
    for m in 1..<r {
      let w = pow(4.0, Double(m))
      for k in 0..<(r - m) { a[k] = (a[k + 1] * w - a[k]) / (w - 1) }
    }
    return a[0]
  }

  /// numDeriv::hessian(f, x) with its defaults (d = 0.1, eps = 1e-4, r = 4, v = 2).
  static func hessian(_ f: ([Double]) -> Double, at x: [Double], r: Int = 4) -> Matrix {
    let n = x.count
    let f0 = f(x)
    let h0 = steps(x, relative: 0.1)
    var diagonal = [Double](repeating: 0, count: n)
    var out = Matrix(rows: n, columns: n)
    for i in 0..<n {
      var h = h0
      var estimates = [Double](repeating: 0, count: r)
      for k in 0..<r {
        var up = x
        var down = x
        up[i] += h[i]
        down[i] -= h[i]
        estimates[k] = (f(up) - 2 * f0 + f(down)) / (h[i] * h[i])
        h = h.map { $0 / 2 }
      }
      diagonal[i] = extrapolate(estimates)
      out[i, i] = diagonal[i]
    }
    for i in 0..<n {
      for j in 0..<i {
        var h = h0
        var estimates = [Double](repeating: 0, count: r)
        for k in 0..<r {
          var up = x
          var down = x
          up[i] += h[i]
          up[j] += h[j]
          down[i] -= h[i]
          down[j] -= h[j]
          estimates[k] =
            (f(up) - 2 * f0 + f(down) - diagonal[i] * h[i] * h[i] - diagonal[j] * h[j] * h[j])
            / (2 * h[i] * h[j])
          h = h.map { $0 / 2 }
        }
        let value = extrapolate(estimates)
        out[i, j] = value
        out[j, i] = value
      }
    }
    return out
  }

  /// numDeriv::jacobian(f, x) with its defaults (d = 1e-4, r = 4): one array of the
  /// derivatives of every output per input.
  static func jacobian(_ f: ([Double]) -> [Double], at x: [Double], r: Int = 4) -> [[Double]] {
    let n = x.count
    var h = steps(x, relative: 1e-4)
    var estimates: [[[Double]]] = Array(repeating: [], count: n)  // [input][k][output]
    for _ in 0..<r {
      for i in 0..<n {
        var up = x
        var down = x
        up[i] += h[i]
        down[i] -= h[i]
        let a = f(up)
        let b = f(down)
        estimates[i].append(zip(a, b).map { ($0 - $1) / (2 * h[i]) })
      }
      h = h.map { $0 / 2 }
    }
    return estimates.map { perStep in
      (0..<(perStep.first?.count ?? 0)).map { o in extrapolate(perStep.map { $0[o] }) }
    }
  }
}
