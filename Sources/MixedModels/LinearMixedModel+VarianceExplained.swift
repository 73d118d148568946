import Foundation
import MatrixCore

extension LinearMixedModel {
  /// Nakagawa's R² and the intraclass correlation of a linear mixed model, as
  /// `performance::r2_nakagawa` and `performance::icc` compute them.
  ///
  /// With `σ²_f` the variance of the fixed-effect predictions `Xβ̂` (sample variance,
  /// denominator `n − 1`), `σ²_r` the random-effect variance and `σ²` the residual variance:
  ///
  /// - marginal R² = `σ²_f / (σ²_f + σ²_r + σ²)`, conditional R² = `(σ²_f + σ²_r) / (…)`;
  /// - adjusted ICC = `σ²_r / (σ²_r + σ²)`, conditional (unadjusted) ICC =
  ///   `σ²_r / (σ²_f + σ²_r + σ²)`.
  ///
  /// `σ²_r` sums, over the random-effect blocks, the mean over observations of `zᵢᵀΣzᵢ`
  /// (`Σ` the block's covariance, `zᵢ` its design row): for a random intercept this is the
  /// intercept variance; for random slopes it is the mean of the diagonal of `ZΣZᵀ`
  /// (Johnson 2014, *Methods Ecol Evol* 5:944; insight's `.compute_variance_random`).
  ///
  /// Reference: Nakagawa, Johnson and Schielzeth (2017), *J R Soc Interface* 14:20170213.
  /// One difference from performance 0.10.2 / insight 0.19: for a grouping factor with
  /// several blocks (`(x || g)`, or `(1 | g) + (0 + x | g)`), insight keeps only the first
  /// block (it looks blocks up by the factor's name, and R names the others `g.1`, …); we
  /// sum all blocks, as the formula says.
  public struct VarianceExplained: Sendable, Equatable, Codable {
    /// `σ²_f`, the variance of `Xβ̂`.
    public let fixedVariance: Double
    /// `σ²_r`, the random-effect variance over all blocks.
    public let randomVariance: Double
    /// `σ²`, the residual variance.
    public let residualVariance: Double
    /// Marginal R²: the share of variance explained by the fixed effects.
    public var r2Marginal: Double {
      fixedVariance / (fixedVariance + randomVariance + residualVariance)
    }
    /// Conditional R²: the share explained by fixed and random effects together.
    public var r2Conditional: Double {
      (fixedVariance + randomVariance) / (fixedVariance + randomVariance + residualVariance)
    }
    /// Adjusted ICC: the share of the random effects in the variance left by the fixed ones.
    public var iccAdjusted: Double { randomVariance / (randomVariance + residualVariance) }
    /// Conditional ICC: the share of the random effects in the total variance, fixed effects
    /// included (performance 0.10 calls it `ICC_unadjusted`; earlier versions
    /// `ICC_conditional`).
    public var iccConditional: Double {
      randomVariance / (fixedVariance + randomVariance + residualVariance)
    }
  }
}

extension LinearMixedModel.Fit {
  /// Nakagawa's R² and the ICC (performance's `r2_nakagawa` and `icc`).
  ///
  /// - Complexity: O(*n·(p + q²)*) for *n* observations; computed on each call.
  public var varianceExplained: LinearMixedModel.VarianceExplained {
    let n = frame.rowCount
    let p = fixedEffects.count
    let predictions = p > 0 ? frame.x.multiply(Vector(fixedEffects.map(\.estimate))).elements : []
    var fixed = 0.0
    if n > 1 && p > 0 {
      let mean = predictions.reduce(0, +) / Double(n)
      fixed = predictions.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n - 1)
    }
    var random = 0.0
    var component = 0
    for f in frame.factors {
      let q = f.q
      var start = 0
      for block in f.blocks {
        let w = block.count
        let v = randomEffects[component]
        component += 1
        // Σ of the block (a zero SD makes its correlations NaN: those covariances are 0).
        var sigma = [Double](repeating: 0, count: w * w)
        for a in 0..<w {
          for b in 0..<w {
            let c = a == b ? 1 : v.correlation[a][b]
            sigma[a + b * w] =
              c.isFinite ? v.standardDeviations[a] * v.standardDeviations[b] * c : 0
          }
        }
        var sum = 0.0
        for i in 0..<n {
          let z = i * q + start
          for a in 0..<w {
            let za = f.z[z + a]
            if za == 0 { continue }
            for b in 0..<w { sum += za * sigma[a + b * w] * f.z[z + b] }
          }
        }
        random += sum / Double(n)
        start += w
      }
    }
    return LinearMixedModel.VarianceExplained(
      fixedVariance: fixed, randomVariance: random,
      residualVariance: residualStandardDeviation * residualStandardDeviation)
  }
}
