import Foundation

extension LinearMixedModel.Fit {
  /// A text summary laid out as lme4's `summary(fit)` prints it: criterion, scaled residuals,
  /// random effects (variance, SD, correlations), group counts, fixed effects with SEs and t
  /// values, and their correlations. Numbers are rounded for reading; use the properties for
  /// exact values.
  public func summary() -> String {
    var out: [String] = []
    let reml = criterion == .reml
    out.append(
      reml
        ? "Linear mixed model fit by REML ['lmerMod']"
        : "Linear mixed model fit by maximum likelihood  ['lmerMod']")
    out.append("Formula: \(formula)")
    out.append("")
    if reml {
      out.append("REML criterion at convergence: " + format(remlCriterion ?? deviance, digits: 1))
    } else {
      let cells = [
        ("AIC", format(aic, digits: 1)), ("BIC", format(bic, digits: 1)),
        ("logLik", format(logLikelihood, digits: 1)), ("deviance", format(deviance, digits: 1)),
        ("df.resid", "\(observationCount - parameterCount)"),
      ]
      let w = cells.map { max($0.0.count, $0.1.count) + 1 }
      out.append(zip(cells, w).map { pad($0.0.0, $0.1, right: true) }.joined())
      out.append(zip(cells, w).map { pad($0.0.1, $0.1, right: true) }.joined())
    }
    out.append("")
    out.append("Scaled residuals: ")
    let scaled = residuals.map { $0 / residualStandardDeviation }.sorted()
    let q = [0, 0.25, 0.5, 0.75, 1].map { quantile(scaled, $0) }
    let labels = ["Min", "1Q", "Median", "3Q", "Max"]
    let qs = q.map { format($0, digits: 4) }
    let qw = zip(labels, qs).map { max($0.count, $1.count) + 1 }
    out.append(zip(labels, qw).map { pad($0.0, $0.1, right: true) }.joined() + " ")
    out.append(zip(qs, qw).map { pad($0.0, $0.1, right: true) }.joined() + " ")
    out.append("")

    // Random effects.
    out.append("Random effects:")
    var rows: [[String]] = [["Groups", "Name", "Variance", "Std.Dev.", "Corr"]]
    for v in randomEffects {
      for (i, term) in v.terms.enumerated() {
        let sd = v.standardDeviations[i]
        let corr = (0..<i).map { format(v.correlation[i][$0], digits: 2) }.joined(separator: " ")
        rows.append([
          i == 0 ? v.group : "", term, format(sd * sd, digits: 4), format(sd, digits: 4), corr,
        ])
      }
    }
    let s = residualStandardDeviation
    rows.append(["Residual", "", format(s * s, digits: 4), format(s, digits: 4), ""])
    let widths = (0..<5).map { c in rows.map { $0[c].count }.max() ?? 0 }
    for r in rows {
      let line =
        " " + pad(r[0], widths[0]) + " " + pad(r[1], widths[1]) + " "
        + pad(r[2], widths[2], right: true) + " " + pad(r[3], widths[3], right: true) + " " + r[4]
      out.append(line.replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression))
    }
    out.append(
      "Number of obs: \(observationCount), groups:  "
        + groups.map { "\($0.name), \($0.levels)" }.joined(separator: "; "))
    if droppedRowCount > 0 { out.append("(\(droppedRowCount) rows dropped for missing values)") }
    if let r = residualStructure {
      func interval(_ name: String) -> String {
        guard let ci = r.confidenceIntervals[name] else { return "" }
        return " (\(Int((ci.level * 100).rounded()))% CI " + format(ci.lower, digits: 4) + " to "
          + format(ci.upper, digits: 4) + ")"
      }
      if let phi = r.parameters["phi"] {
        let car1 = r.type.hasPrefix("car1")
        out.append(
          "Residual correlation: \(car1 ? "CAR(1)" : "AR(1)") within \(r.group ?? "") over "
            + "\(r.time ?? ""), Phi = " + format(phi, digits: 4) + interval("phi")
            + " (as nlme's \(car1 ? "corCAR1" : "corAR1"))")
      }
      if let levels = r.levels, let by = r.by {
        out.append("Residual variance: varIdent(~ 1 | \(by)), SD ratios to \(by) = \(levels[0]):")
        for level in levels {
          out.append(
            "  \(by) = \(level): " + format(r.parameters[level] ?? .nan, digits: 4)
              + interval(level))
        }
      }
    }
    out.append("")

    // Fixed effects.
    out.append("Fixed effects:")
    var fx: [[String]] = [["", "Estimate", "Std. Error", "t value"]]
    for e in fixedEffects {
      fx.append([
        e.term, format(e.estimate, digits: 4), format(e.standardError, digits: 4),
        format(e.tValue, digits: 3),
      ])
    }
    let fw = (0..<4).map { c in fx.map { $0[c].count }.max() ?? 0 }
    for r in fx {
      out.append(
        pad(r[0], fw[0]) + " " + pad(r[1], fw[1], right: true) + " " + pad(r[2], fw[2], right: true)
          + " " + pad(r[3], fw[3], right: true))
    }
    if !droppedFixedEffects.isEmpty {
      out.append(
        "fixed-effect model matrix is rank deficient so dropping \(droppedFixedEffects.count) "
          + "column(s): " + droppedFixedEffects.joined(separator: ", "))
    }
    if fixedEffects.count > 1 {
      out.append("")
      out.append("Correlation of Fixed Effects:")
      let names = fixedEffects.map { abbreviate($0.term) }
      let cw = max(names.map(\.count).max() ?? 0, 6)
      out.append(
        pad("", cw) + " " + names.dropLast().map { pad($0, 6, right: true) }.joined(separator: " "))
      let v = fixedEffectsCovariance
      for i in 1..<fixedEffects.count {
        let cells = (0..<i).map { j in
          format(v[i, j] / (v[i, i] * v[j, j]).squareRoot(), digits: 3)
        }
        out.append(
          pad(names[i], cw) + " " + cells.map { pad($0, 6, right: true) }.joined(separator: " "))
      }
    }
    for d in diagnostics {
      out.append("")
      out.append("note: \(d)")
    }
    return out.joined(separator: "\n")
  }

  private func format(_ x: Double, digits: Int) -> String {
    if x.isNaN { return "NaN" }
    return String(format: "%.\(digits)f", x)
  }

  private func pad(_ s: String, _ w: Int, right: Bool = false) -> String {
    s.count >= w
      ? s
      : (right
        ? String(repeating: " ", count: w - s.count) + s
        : s + String(repeating: " ", count: w - s.count))
  }

  /// R's `abbreviate(…, minlength = 6)` in spirit: `(Intercept)` → `(Intr)`.
  private func abbreviate(_ s: String) -> String {
    if s == "(Intercept)" { return "(Intr)" }
    return s.count <= 6 ? s : String(s.prefix(6))
  }

  /// R's default (type 7) quantile of sorted values.
  private func quantile(_ sorted: [Double], _ p: Double) -> Double {
    guard !sorted.isEmpty else { return .nan }
    let h = Double(sorted.count - 1) * p
    let lo = Int(h.rounded(.down))
    let hi = min(lo + 1, sorted.count - 1)
    return sorted[lo] + (h - Double(lo)) * (sorted[hi] - sorted[lo])
  }
}
