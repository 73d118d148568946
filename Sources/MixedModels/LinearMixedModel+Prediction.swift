import Ingest
import MatrixCore

extension LinearMixedModel.Fit {
  /// Which random effects enter a prediction.
  public enum PredictionLevel: Sendable {
    /// Fixed effects only, `Xβ̂` (lme4's `predict(fit, re.form = NA)`).
    case population
    /// Fixed effects plus the conditional modes of the rows' groups, `Xβ̂ + Zb̂`
    /// (`predict(fit)`); a group not seen in the fit contributes 0 (as
    /// `allow.new.levels = TRUE`).
    case group
  }

  /// Predictions for new rows, coded as in the fit (same levels and reference levels).
  ///
  /// - Returns: One value per row of `data`; `nil` where a variable the prediction needs is
  ///   missing (never NaN).
  /// - Throws: ``MixedModelError/unknownColumn(_:)``, ``MixedModelError/nonNumericColumn(_:)``,
  ///   or ``MixedModelError/unknownLevel(variable:level:)`` for a category the fit never saw.
  /// - Complexity: O(*n·(p + q)*).
  public func predict(_ data: ColumnTable, level: PredictionLevel = .group) throws(MixedModelError)
    -> [Double?]
  {
    let formula = model.formula
    var needed: [String] = []
    func need(_ v: String) { if !needed.contains(v) { needed.append(v) } }
    formula.fixedTerms.joined().forEach(need)
    let randomTerms = level == .group ? formula.randomTerms : []
    for r in randomTerms {
      r.terms.joined().forEach(need)
      r.grouping.forEach(need)
    }
    var columns: [String: ColumnTable.Column] = [:]
    for v in needed {
      guard let c = data.column(v) else { throw MixedModelError.unknownColumn(v) }
      columns[v] = c
    }
    let rows = (0..<data.rowCount).filter { i in
      !needed.contains { columns[$0]?.isMissing(i) ?? true }
    }
    let n = rows.count
    let grouping = Set(formula.groupingVariables)
    var coded: [String: ModelFrame.Variable] = [:]
    var labelsOf: [String: [String]] = [:]
    for v in needed {
      guard let column = columns[v] else { continue }
      if let levels = categoricalLevels[v] {
        let (labels, codes) = ModelFrame.labels(column, rows: rows)
        var index: [String: Int32] = [:]
        for (k, l) in levels.enumerated() { index[l] = Int32(k) }
        var map = [Int32](repeating: -1, count: labels.count)
        for (k, l) in labels.enumerated() { map[k] = index[l] ?? -1 }
        var out = [Int32](repeating: 0, count: n)
        for i in 0..<n {
          let c = map[Int(codes[i])]
          guard c >= 0 else {
            throw MixedModelError.unknownLevel(variable: v, level: labels[Int(codes[i])])
          }
          out[i] = c
        }
        coded[v] = .categorical(out, levels)
      } else if grouping.contains(v) {
        let (labels, codes) = ModelFrame.labels(column, rows: rows)
        labelsOf[v] = codes.map { labels[Int($0)] }
      } else {
        guard case .numeric(let values) = column else {
          throw MixedModelError.nonNumericColumn(v)
        }
        coded[v] = .numeric(rows.map { values[$0] })
      }
    }
    // Fixed part with the fit's columns (dropped ones stay dropped).
    let design = try ModelFrame.design(
      terms: formula.fixedTerms, intercept: formula.hasIntercept, variables: coded, n: n)
    var values = [Double](repeating: 0, count: n)
    for e in fixedEffects {
      guard let j = design.names.firstIndex(of: e.term) else { continue }
      let column = design.columns[j]
      for i in 0..<n { values[i] += e.estimate * column[i] }
    }
    // Random part per grouping factor.
    for modes in conditionalModes where level == .group {
      let terms = randomTerms.filter { $0.groupingName == modes.group }
      guard let first = terms.first else { continue }
      var z: [[Double]] = []
      for t in terms {
        z += try ModelFrame.design(
          terms: t.terms, intercept: t.hasIntercept, variables: coded, n: n
        ).columns
      }
      var index: [String: Int] = [:]
      for (k, l) in modes.levels.enumerated() { index[l] = k }
      for i in 0..<n {
        let label = first.grouping.map { labelsOf[$0]?[i] ?? "" }.joined(separator: ":")
        guard let l = index[label] else { continue }
        for (c, column) in z.enumerated() where c < modes.terms.count {
          values[i] += column[i] * modes.values[l][c]
        }
      }
    }
    var out = [Double?](repeating: nil, count: data.rowCount)
    for (k, r) in rows.enumerated() { out[r] = values[k] }
    return out
  }
}
