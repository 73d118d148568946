import Foundation

extension LinearMixedModel.Inference {
  /// A description of the method, for output: which df and which intervals.
  public var methodDescription: String {
    let level = Self.percent(confidenceLevel)
    switch method {
    case .satterthwaite:
      return "Satterthwaite's degrees of freedom (as lmerTest); \(level) Wald intervals with "
        + "t quantiles at the same df; F tests with lmerTest's type III hypotheses"
    case .residual:
      return "residual degrees of freedom (n - p); \(level) Wald intervals with t quantiles "
        + "at n - p; F tests with lmerTest's type III hypotheses"
    case .kenwardRoger:
      return "Kenward-Roger's adjusted covariance and degrees of freedom (as pbkrtest and "
        + "lmerTest); \(level) Wald intervals with t quantiles at the same df; scaled F tests "
        + "with lmerTest's type III hypotheses"
    }
  }

  /// `level` as a percentage, as `String(format: "%.4g%%")` writes it. Levels with at most two
  /// decimals in percent (95, 97.5, 2.5, 99.95) are written directly: `String(format:)` casts
  /// each argument to `CVarArg` at run time, which is most of the work here.
  static func percent(_ level: Double) -> String {
    let x = level * 100
    let hundredths = (x * 100).rounded()
    guard x > 0, x < 100, abs(x * 100 - hundredths) < 1e-6 else {
      return String(format: "%.4g%%", x)
    }
    let c = Int(hundredths)
    let (whole, fraction) = (c / 100, c % 100)
    let decimals: String
    switch fraction {
    case 0: decimals = ""
    case _ where fraction % 10 == 0: decimals = ".\(fraction / 10)"
    case ..<10: decimals = ".0\(fraction)"
    default: decimals = ".\(fraction)"
    }
    return "\(whole)\(decimals)%"
  }

  /// The coefficient table (as lmerTest's `summary()`, with the intervals) and the type III
  /// table (as lmerTest's `anova()`).
  public func summary() -> String {
    func r(_ s: String, _ w: Int) -> String {
      s.count >= w ? " " + s : String(repeating: " ", count: w - s.count) + s
    }
    func g(_ x: Double) -> String { String(format: "%.6g", x) }
    func pValue(_ p: Double) -> String { p < 2.2e-16 ? "< 2.2e-16" : String(format: "%.4g", p) }
    let lowerName = Self.percent((1 - confidenceLevel) / 2)
    let upperName = Self.percent(1 - (1 - confidenceLevel) / 2)
    let width = max(12, (coefficients.map(\.term.count).max() ?? 0) + 1)
    func pad(_ s: String) -> String { s + String(repeating: " ", count: max(0, width - s.count)) }
    let heading: String
    switch method {
    case .satterthwaite: heading = "Satterthwaite's df (as lmerTest)"
    case .residual: heading = "residual df (n - p)"
    case .kenwardRoger: heading = "Kenward-Roger's df and SEs (as pbkrtest)"
    }
    var lines = [
      "Fixed effects with \(heading) and \(Self.percent(confidenceLevel)) Wald t intervals:"
    ]
    lines.append(
      pad("") + r("Estimate", 11) + r("Std. Error", 11) + r("df", 10) + r("t value", 9)
        + r("Pr(>|t|)", 11) + r(lowerName, 11) + r(upperName, 11))
    for c in coefficients {
      lines.append(
        pad(c.term) + r(g(c.estimate), 11) + r(g(c.standardError), 11)
          + r(String(format: "%.3f", c.degreesOfFreedom), 10)
          + r(String(format: "%.3f", c.tValue), 9)
          + r(pValue(c.pValue), 11) + r(g(c.confidenceInterval.lower), 11)
          + r(g(c.confidenceInterval.upper), 11))
    }
    if !terms.isEmpty {
      let name: String
      switch method {
      case .satterthwaite: name = "Satterthwaite's method"
      case .residual: name = "residual df"
      case .kenwardRoger: name = "Kenward-Roger's method"
      }
      lines.append("")
      lines.append("Type III Analysis of Variance Table with \(name)")
      let w = max(12, (terms.map(\.term.count).max() ?? 0) + 1)
      func padTerm(_ s: String) -> String { s + String(repeating: " ", count: max(0, w - s.count)) }
      lines.append(padTerm("") + r("NumDF", 6) + r("DenDF", 10) + r("F value", 9) + r("Pr(>F)", 11))
      for t in terms {
        lines.append(
          padTerm(t.term) + r("\(t.numeratorDegreesOfFreedom)", 6)
            + r(String(format: "%.3f", t.denominatorDegreesOfFreedom), 10)
            + r(String(format: "%.4f", t.fValue), 9) + r(pValue(t.pValue), 11))
      }
    }
    return lines.joined(separator: "\n")
  }
}

extension LinearMixedModel.VarianceExplained: CustomStringConvertible {
  /// One line: R² (marginal, conditional) and ICC (adjusted, conditional).
  public var description: String {
    String(
      format: "R2 (Nakagawa): marginal %.4f, conditional %.4f; ICC: adjusted %.4f, "
        + "conditional %.4f", r2Marginal, r2Conditional, iccAdjusted, iccConditional)
  }
}
