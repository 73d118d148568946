import Foundation
import MatrixCore

/// Per-stratum residual variances, nlme's `varIdent(form = ~ 1 | by)`:
/// `Var(εᵢ) = σ²·δ²_{s(i)}` with `δ = 1` for the reference stratum. Handled by scaling row `i`
/// of `y`, `X` and `Z` by `1/δ_{s(i)}` before any correlation transform, which adds
/// `2·Σᵢ log δ_{s(i)}` to the criterion (`log|V|` of the diagonal scale).
///
/// The strata are the values of `by` in order of first appearance in the data, the first one
/// the reference, as nlme orders them (`unique(strat)`); `δ` are SD ratios, as nlme prints
/// them (`coef(varStruct, unconstrained = FALSE)`).
struct VarIdentStructure: Sendable {
  let by: String
  /// Stratum labels, reference first.
  let levels: [String]
  /// Stratum of each row (index into ``levels``).
  let codes: [Int32]

  init(frame: ModelFrame, by: String) throws(MixedModelError) {
    self.by = by
    let n = frame.rowCount
    var labels: [String] = []
    var codes = [Int32](repeating: 0, count: n)
    switch frame.codedVariables[by] {
    case .numeric(let values)?:
      var index: [Double: Int32] = [:]
      for i in 0..<n {
        let v = values[i]
        guard v.isFinite else {
          throw MixedModelError.invalidResidualStructure(
            "the varIdent stratum '\(by)' has a non-finite value (\(v)) in row \(i + 1)")
        }
        if let k = index[v] {
          codes[i] = k
        } else {
          let k = Int32(labels.count)
          index[v] = k
          labels.append(v == v.rounded() && abs(v) < 1e15 ? String(Int64(v)) : "\(v)")
          codes[i] = k
        }
      }
    case .categorical(let c, let names)?:
      var index: [Int32: Int32] = [:]
      for i in 0..<n {
        if let k = index[c[i]] {
          codes[i] = k
        } else {
          let k = Int32(labels.count)
          index[c[i]] = k
          labels.append(names[Int(c[i])])
          codes[i] = k
        }
      }
    default:
      throw MixedModelError.invalidResidualStructure(
        "the varIdent stratum '\(by)' must be a variable of the formula (such as the time "
          + "variable 'wave')")
    }
    guard labels.count >= 2 else {
      throw MixedModelError.invalidResidualStructure(
        "varIdent needs at least two values of '\(by)', found \(labels.count)")
    }
    // A stratum with one observation has an unbounded likelihood (its SD can go to zero).
    var counts = [Int](repeating: 0, count: labels.count)
    for c in codes { counts[Int(c)] += 1 }
    if let k = counts.firstIndex(where: { $0 < 2 }) {
      throw MixedModelError.invalidResidualStructure(
        "varIdent needs at least two observations of each value of '\(by)'; '\(labels[k])' "
          + "has \(counts[k])")
    }
    levels = labels
    self.codes = codes
  }

  /// Free parameters: `log δ` of every stratum but the reference.
  var parameterCount: Int { levels.count - 1 }

  /// `1/δ_{s(i)}` per row from the free `log δ`.
  func rowScales(_ logDelta: ArraySlice<Double>) -> [Double] {
    let inverse = [1.0] + logDelta.map { exp(-$0) }
    return codes.map { inverse[Int($0)] }
  }

  /// `log|D²| = 2·Σᵢ log δ_{s(i)}`.
  func logDeterminant(_ logDelta: ArraySlice<Double>) -> Double {
    let values = [0.0] + Array(logDelta)
    return 2 * codes.reduce(0) { $0 + values[Int($1)] }
  }

  /// The frame with each row scaled by `1/δ_{s(i)}`.
  func scaled(_ frame: ModelFrame, logDelta: ArraySlice<Double>) -> ModelFrame {
    let n = frame.rowCount
    let w = rowScales(logDelta)
    var out = frame
    out.y = zip(frame.y, w).map { $0 * $1 }
    var x = frame.x.elements
    for j in 0..<frame.x.columns { for i in 0..<n { x[j * n + i] *= w[i] } }
    out.x = Matrix(rows: n, columns: frame.x.columns, columnMajor: x)
    for k in frame.factors.indices {
      let q = frame.factors[k].q
      var z = frame.factors[k].z
      for i in 0..<n { for c in 0..<q { z[i * q + c] *= w[i] } }
      out.factors[k].z = z
    }
    return out
  }
}
