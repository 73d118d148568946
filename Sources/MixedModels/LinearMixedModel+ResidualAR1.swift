import Foundation
import MatrixCore
import Optimization

/// AR(1) residuals within chains (one per group, rows ordered by time), handled by
/// prewhitening: with `R = CCᵀ` the AR(1) correlation of a chain (`φ^|tᵢ − tⱼ|`, a Markov
/// chain), `C⁻¹` maps the first row to itself and row k to `(r_k − ρ_k·r_{k−1})/√(1 − ρ_k²)`
/// with `ρ_k = φ^(t_k − t_{k−1})` (Prais-Winsten, gaps included). Transforming `y`, `X` and
/// `Z` this way gives a model with independent residuals, whose profiled PLS criterion plus
/// `log|R| = Σ_k log(1 − ρ_k²)` is the criterion of the AR(1) model (REML included:
/// `log|XᵀV⁻¹X|` is invariant). Because each chain lies within one level of every grouping
/// factor, the transformed `Z` keeps the nested block structure, so the blocked Cholesky
/// applies unchanged.
struct AR1Structure: Sendable {
  let time: String
  let group: String
  /// Row index of the previous observation of the same chain, −1 for a chain's first row.
  let previous: [Int32]
  /// Time since the previous observation of the chain (0 for the first; a positive integer
  /// unless `continuous`).
  let lag: [Double]
  let chainCount: Int
  /// The distinct nonzero lags with their row counts, for ``logDeterminant(phi:)``.
  let lagCounts: [(lag: Double, count: Int)]
  /// Continuous time (nlme's corCAR1): any positive gap, `0 < φ < 1`.
  let continuous: Bool

  init(
    frame: ModelFrame, time: String, group requested: String?, continuous: Bool = false
  ) throws(MixedModelError) {
    guard case .numeric(let t)? = frame.codedVariables[time] else {
      throw MixedModelError.invalidResidualStructure(
        "the time variable '\(time)' must be a numeric variable of the formula")
    }
    let n = frame.rowCount
    // The chain of each row: a grouping factor (by name) or a categorical variable.
    let name = requested ?? frame.factors.first?.name ?? ""
    var codes: [Int32]
    if let f = frame.factors.first(where: { $0.name == name }) {
      codes = f.codes
    } else if case .categorical(let c, _)? = frame.codedVariables[name] {
      codes = c
    } else {
      throw MixedModelError.invalidResidualStructure(
        "the group '\(name)' is not a grouping factor or categorical variable of the formula")
    }
    group = name
    self.time = time
    let levels = Int(codes.max() ?? -1) + 1
    var rows = [[Int]](repeating: [], count: levels)
    for i in 0..<n { rows[Int(codes[i])].append(i) }
    var previous = [Int32](repeating: -1, count: n)
    var lag = [Double](repeating: 0, count: n)
    var chains = 0
    for var chain in rows where !chain.isEmpty {
      chains += 1
      chain.sort { t[$0] != t[$1] ? t[$0] < t[$1] : $0 < $1 }
      for k in 1..<max(1, chain.count) {
        let (a, b) = (chain[k - 1], chain[k])
        if t[a] == t[b] {
          throw MixedModelError.invalidResidualStructure(
            "two observations of '\(name)' share the time \(t[a]); AR(1) needs one per time")
        }
        let gap = t[b] - t[a]
        guard gap.isFinite else {
          throw MixedModelError.invalidResidualStructure(
            "the time variable '\(time)' must be finite (found a gap of \(gap))")
        }
        guard continuous || (gap == gap.rounded() && gap < 1e6) else {
          throw MixedModelError.invalidResidualStructure(
            "the time variable '\(time)' must be integer-valued for AR(1), as nlme's corAR1 "
              + "requires (found a gap of \(gap)); use car1 for continuous time")
        }
        lag[b] = gap
        for f in frame.factors where f.codes[a] != f.codes[b] {
          throw MixedModelError.invalidResidualStructure(
            "the group '\(name)' is not nested in the grouping factor '\(f.name)'; correlate "
              + "residuals within the finest grouping factor")
        }
        previous[b] = Int32(a)
      }
    }
    self.previous = previous
    self.lag = lag
    var counts: [Double: Int] = [:]
    for l in lag where l != 0 { counts[l, default: 0] += 1 }
    lagCounts = counts.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    chainCount = chains
    self.continuous = continuous
  }

  /// `ρ_k = φ^lag` for each row.
  func rho(_ phi: Double) -> [Double] {
    lag.map { $0 == 0 ? 0 : ($0 == 1 ? phi : pow(phi, $0)) }
  }

  /// `log|R(φ)|`.
  func logDeterminant(phi: Double) -> Double {
    lagCounts.reduce(0) { sum, entry in
      let rho = entry.lag == 1 ? phi : pow(phi, entry.lag)
      return sum + Double(entry.count) * log1p(-rho * rho)
    }
  }

  /// The prewhitened frame `C⁻¹y`, `C⁻¹X`, `C⁻¹Z` (codes, names and levels unchanged).
  func transformed(_ frame: ModelFrame, phi: Double) -> ModelFrame {
    let n = frame.rowCount
    let rho = rho(phi)
    let scale = rho.map { 1 / (1 - $0 * $0).squareRoot() }
    var out = frame
    func apply(_ v: [Double], stride: Int, offset: Int, into w: inout [Double], columns: Int) {
      for i in 0..<n {
        let p = Int(previous[i])
        for c in 0..<columns {
          let value = v[offset + i * stride + c]
          w[offset + i * stride + c] =
            p < 0 ? value : (value - rho[i] * v[offset + p * stride + c]) * scale[i]
        }
      }
    }
    var y = frame.y
    apply(frame.y, stride: 1, offset: 0, into: &y, columns: 1)
    out.y = y
    var x = frame.x.elements
    for j in 0..<frame.x.columns {
      apply(frame.x.elements, stride: 1, offset: j * n, into: &x, columns: 1)
    }
    out.x = Matrix(rows: n, columns: frame.x.columns, columnMajor: x)
    for k in frame.factors.indices {
      let q = frame.factors[k].q
      var z = frame.factors[k].z
      apply(frame.factors[k].z, stride: q, offset: 0, into: &z, columns: q)
      out.factors[k].z = z
    }
    return out
  }
}

