import Foundation
import MatrixCore
import Optimization

/// The profile of the ML deviance in one parameter and the search for where its signed root ζ
/// crosses ±z (lme4's `profile.merMod` and `confint.thpr`, with exact roots in place of splines).
///
/// Variance parameters are on lme4's `sdcor` scale (`devfun2`): per block the SDs and the
/// correlations in θ's order (column by column of the lower triangle), then σ. The deviance
/// there is `log|L|² + r²(θ)/σ² + n·log(2πσ²)` with `θ = chol(Σ/σ²)` and β profiled out.
/// Fixed effect `j` held at `b` is profiled by fitting `y − b·xⱼ` on the other columns of X,
/// minimising the ML deviance over θ. Each search builds its own penalized least-squares
/// system, so searches run in parallel.
struct ProfileSearch: Sendable {
  struct Parameter: Sendable {
    let name: String
    let kind: LinearMixedModel.ProfileParameterKind
    let group: String?
    let terms: [String]
    let estimate: Double
    /// Index in the `sdcor` vector, or the column of X for a fixed effect.
    let index: Int
    let lower: Double
    let upper: Double
    /// A standard error for the first step (fixed effects), else 0.
    let standardError: Double
  }

  struct BoundResult: Sendable {
    let bound: LinearMixedModel.ProfileBound
    let note: String?
    let evaluations: Int
  }

  let frame: ModelFrame
  /// (size, θ offset) per covariance block, in θ order.
  let blocks: [(size: Int, offset: Int)]
  let theta: [Double]
  let sdcor: [Double]
  let beta: [Double]
  let base: Double
  let lowerSdcor: [Double]
  let upperSdcor: [Double]
  let evaluations: Int
  let names: [(group: String, terms: [String], kind: LinearMixedModel.ProfileParameterKind)]

  /// Inner re-optimisations: BOBYQA with tolerances tighter than lme4's, so that ζ is
  /// accurate to well below lme4's spline error.
  static let minimizer = DerivativeFreeMinimizer(
    absoluteFunctionTolerance: 1e-10, absoluteParameterTolerance: 1e-10,
    relativeParameterTolerance: 1e-7)

  /// Polishes the ML optimum from `theta` and records the estimates on the `sdcor` scale.
  init(frame: ModelFrame, theta start: [Double]) {
    self.frame = frame
    let pls = PenalizedLeastSquares(frame: frame)
    var count = 0
    let polished = Self.minimize(start: start, lower: pls.lowerBounds, upper: nil) { t in
      count += 1
      return pls.deviance(t, reml: false)
    }
    let d0 = pls.deviance(start, reml: false)
    var theta = start
    if let polished, polished.value < d0 { theta = polished.x }
    self.theta = theta
    base = pls.deviance(theta, reml: false)
    evaluations = count + 2
    let n = Double(pls.n)
    let sigma = (pls.penalizedRSS / n).squareRoot()
    // β̂ from Rₓβ̂ = c_β at θ̂.
    let p = pls.p
    let dense = pls.denseFactor
    let lx = Matrix(rows: p, columns: p) { i, j in dense[i, j] }
    let cb = Vector((0..<p).map { dense[p, $0] })
    beta =
      p > 0
      ? ((try? lx.solveTriangular(cb, triangle: .lower, transpose: .transpose))?.elements ?? [])
      : []
    var blocks: [(Int, Int)] = []
    var names: [(String, [String], LinearMixedModel.ProfileParameterKind)] = []
    var lower: [Double] = []
    var upper: [Double] = []
    var offset = 0
    for f in frame.factors {
      for block in f.blocks {
        let w = block.count
        blocks.append((w, offset))
        for c in 0..<w {
          for r in c..<w {
            if r == c {
              names.append((f.name, [block[r]], .standardDeviation))
              lower.append(0)
              upper.append(.infinity)
            } else {
              names.append((f.name, [block[c], block[r]], .correlation))
              lower.append(-1)
              upper.append(1)
            }
          }
        }
        offset += w * (w + 1) / 2
      }
    }
    names.append(("", [], .residualStandardDeviation))
    lower.append(0)
    upper.append(.infinity)
    self.blocks = blocks
    self.names = names
    lowerSdcor = lower
    upperSdcor = upper
    sdcor = Self.sdcor(theta: theta, sigma: sigma, blocks: blocks)
  }

  var varianceParameterCount: Int { sdcor.count }

  /// Every parameter in lme4's order: `.sig01`…, `.sigma`, then the fixed effects.
  func parameters(fixedEffects: [LinearMixedModel.FixedEffect]) -> [Parameter] {
    var out: [Parameter] = []
    for i in sdcor.indices {
      let last = i == sdcor.count - 1
      out.append(
        Parameter(
          name: last ? ".sigma" : String(format: ".sig%02d", i + 1), kind: names[i].kind,
          group: last ? nil : names[i].group, terms: names[i].terms, estimate: sdcor[i],
          index: i, lower: lowerSdcor[i], upper: upperSdcor[i], standardError: 0))
    }
    for (j, e) in fixedEffects.enumerated() where j < beta.count {
      out.append(
        Parameter(
          name: e.term, kind: .fixedEffect, group: nil, terms: [e.term], estimate: beta[j],
          index: j, lower: -.infinity, upper: .infinity, standardError: e.standardError))
    }
    return out
  }

  // MARK: - Scales

  /// θ from SDs, correlations and σ: per block `chol(D·C·D/σ²)`, semidefinite allowed (a zero
  /// pivot gives a zero column, as lme4's `safe_chol`).
  static func theta(sdcor v: [Double], blocks: [(size: Int, offset: Int)]) -> [Double] {
    let sigma = v[v.count - 1]
    var theta = [Double](repeating: 0, count: v.count - 1)
    for (w, o) in blocks {
      var index = [[Int]](repeating: [Int](repeating: 0, count: w), count: w)
      var t = o
      for c in 0..<w {
        for r in c..<w {
          index[r][c] = t
          index[c][r] = t
          t += 1
        }
      }
      var a = [Double](repeating: 0, count: w * w)
      for c in 0..<w {
        for r in c..<w {
          let sr = v[index[r][r]]
          let sc = v[index[c][c]]
          a[r + c * w] = (r == c ? sr * sr : sr * sc * v[index[r][c]]) / (sigma * sigma)
        }
      }
      for c in 0..<w {
        var d = a[c + c * w]
        for m in 0..<c { d -= a[c + m * w] * a[c + m * w] }
        let scale = max(a[c + c * w], 1e-300)
        let pivot = d > 1e-14 * scale ? d.squareRoot() : 0
        a[c + c * w] = pivot
        for r in (c + 1)..<max(c + 1, w) {
          var s = a[r + c * w]
          for m in 0..<c { s -= a[r + m * w] * a[c + m * w] }
          a[r + c * w] = pivot > 0 ? s / pivot : 0
        }
        for r in c..<w { theta[index[r][c]] = a[r + c * w] }
      }
    }
    return theta
  }

  /// SDs, correlations (0 where an SD is 0) and σ from θ and σ: lme4's `Cv_to_Sv`.
  static func sdcor(theta: [Double], sigma: Double, blocks: [(size: Int, offset: Int)])
    -> [Double]
  {
    var out = [Double](repeating: 0, count: theta.count + 1)
    for (w, o) in blocks {
      var lam = [Double](repeating: 0, count: w * w)
      var t = o
      for c in 0..<w {
        for r in c..<w {
          lam[r + c * w] = theta[t]
          t += 1
        }
      }
      func cov(_ r: Int, _ c: Int) -> Double {
        var s = 0.0
        for m in 0..<w { s += lam[r + m * w] * lam[c + m * w] }
        return s * sigma * sigma
      }
      let sd = (0..<w).map { cov($0, $0).squareRoot() }
      t = o
      for c in 0..<w {
        for r in c..<w {
          out[t] = r == c ? sd[r] : (sd[r] > 0 && sd[c] > 0 ? cov(r, c) / (sd[r] * sd[c]) : 0)
          t += 1
        }
      }
    }
    out[theta.count] = sigma
    return out
  }

  /// The ML deviance at SDs, correlations and σ (lme4's `devfun2`), β profiled out.
  static func deviance(
    _ pls: PenalizedLeastSquares, sdcor v: [Double], blocks: [(size: Int, offset: Int)]
  ) -> Double {
    let sigma = v[v.count - 1]
    guard sigma > 0, v.allSatisfy(\.isFinite) else { return .infinity }
    guard pls.factor(theta(sdcor: v, blocks: blocks)) else { return .infinity }
    let s2 = sigma * sigma
    return pls.logDetL + pls.penalizedRSS / s2 + Double(pls.n) * log(2 * Double.pi * s2)
  }

  /// BOBYQA (Nelder-Mead where NLopt refuses one parameter); `nil` if the optimizer fails.
  static func minimize(
    start: [Double], lower: [Double], upper: [Double]?, _ f: ([Double]) -> Double
  ) -> (x: [Double], value: Double)? {
    if start.isEmpty { return ([], f([])) }
    var settings = minimizer
    let objective: (Vector) -> Double = { f($0.elements) }
    do {
      let r = try settings.minimize(start: start, lower: lower, upper: upper, objective: objective)
      return (r.minimizer, r.minimum)
    } catch OptimizationError.invalidSetting where start.count == 1 {
      settings.algorithm = .nelderMead
      guard
        let r = try? settings.minimize(
          start: start, lower: lower, upper: upper, objective: objective)
      else { return nil }
      return (r.minimizer, r.minimum)
    } catch {
      return nil
    }
  }
}
