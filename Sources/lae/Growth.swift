import ArgumentParser
import Foundation
import LearningAnalytics

/// `lae growth`: a linear mixed-effects (growth) model fitted as lme4's `lmer`.
struct Growth: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "growth",
    abstract: "Linear mixed-effects growth models (as lme4's lmer): REML or ML, nested groups.",
    discussion: """
      The formula uses lme4's syntax, e.g. "score ~ wave + (wave | school)" or \
      "score ~ wave * sector + (1 | school/teacher)". Rows missing a value of a variable the \
      formula uses are dropped and counted. Text columns and grouping variables are \
      categorical (treatment contrasts, levels in code-point order). Singular fits and \
      convergence problems print as warnings and fail only with --strict.
      """)

  @Option(help: "Data CSV, one row per observation ('-' reads standard input).")
  var data: String

  @Option(help: "Model formula in lme4 syntax.")
  var formula: String

  @Flag(help: "Fit by maximum likelihood instead of REML.")
  var ml = false

  @Option(
    name: .customLong("reference"), parsing: .singleValue,
    help: ArgumentHelp(
      "Reference level of a categorical variable (repeatable).", valueName: "VAR=LEVEL"))
  var references: [String] = []

  @Option(
    name: .customLong("factor"), parsing: .singleValue,
    help: ArgumentHelp("Treat a numeric column as categorical (repeatable).", valueName: "VAR"))
  var factors: [String] = []

  @Option(help: "A nested model to compare by a likelihood-ratio test (both refitted by ML).")
  var compare: String?

  @Flag(help: "Fail (exit 1) on a singular fit or a convergence problem.")
  var strict = false

  @Option(help: "table, json or csv (tidy: one row per component, term and statistic).")
  var format: AggregateOutputOptions.Format = .table

  @Option(
    name: .customLong("blas-threads"),
    help: "Threads BLAS may use (default 1; raise only for single large dense operations).")
  var blasThreads: Int?

  @OptionGroup var progress: ProgressOptions

  func validate() throws {
    for r in references where !r.contains("=") {
      throw ValidationError("--reference takes VAR=LEVEL, got '\(r)'.")
    }
    if let n = blasThreads, n < 1 {
      throw ValidationError("--blas-threads must be at least 1, got \(n).")
    }
    if data == "-" && compare != nil {
      throw ValidationError("--compare needs a data file, not standard input.")
    }
  }

  func run() throws {
    BLASConfiguration.setThreadCount(blasThreads ?? 1)
    let bar = progress.enabled ? CountProgress(label: "growth") : nil
    defer { bar?.finish() }
    let steps = compare == nil ? 2 : 3
    do {
      bar?.update(0, of: steps, "reading \((data as NSString).lastPathComponent)")
      let parsed = try ModelFormula(formula)
      let other = try compare.map { try ModelFormula($0) }
      var referenceLevels: [String: String] = [:]
      for r in references {
        let parts = r.split(separator: "=", maxSplits: 1).map(String.init)
        referenceLevels[parts[0]] = parts.count > 1 ? parts[1] : ""
      }
      var columns = parsed.variables
      for v in other?.variables ?? [] where !columns.contains(v) { columns.append(v) }
      let text = Set(parsed.groupingVariables + (other?.groupingVariables ?? []) + factors)
      let table = try ColumnTableReader().read(data, columns: columns, textColumns: text)
      let checks = LinearMixedModel.Checks(
        singular: strict ? .fail : .record, convergence: strict ? .fail : .record)
      let model = LinearMixedModel(
        formula: parsed, criterion: ml ? .ml : .reml, categoricalVariables: Set(factors),
        referenceLevels: referenceLevels, checks: checks)
      bar?.update(1, of: steps, "fitting \(formula)")
      let fit = try model.fit(table)
      var test: LikelihoodRatioTest?
      if let other {
        bar?.update(2, of: steps, "refitting both models by ML")
        var small = model
        small.formula = other
        test = try LikelihoodRatioTest(smaller: small, larger: model, data: table)
      }
      bar?.finish()
      for d in fit.diagnostics { FileHandleOutput.standardError("lae: warning: \(d)") }
      switch format {
      case .table:
        print(fit.summary())
        if let test { print("\n" + GrowthOutput.lrtTable(test)) }
      case .csv:
        print(GrowthOutput.csv(fit, test: test), terminator: "")
      case .json:
        var inputs: [Provenance.InputFile] = []
        if data != "-" { inputs.append(try Provenance.InputFile(hashingFileAt: data)) }
        let body = GrowthOutput(fit, test: test)
        let document = ProvenancedDocument(
          provenance: Provenance(commandLine: CommandLine.arguments, inputs: inputs), body: body)
        // The conditional modes (one entry per group, 100,000s of numbers) are written by
        // hand: JSONEncoder takes seconds for them. Everything else goes through it.
        let text = try document.jsonString()
        print(
          text.replacingOccurrences(
            of: "\"\(GrowthOutput.modesPlaceholder)\"", with: body.modesJSON()))
      }
    } catch {
      throw fail(error)
    }
  }
}

/// The JSON body of `lae growth` (field names set by issue 7). NaN (a correlation of a term
/// with zero variance) is written as null, never as a number.
struct GrowthOutput: Encodable {
  /// Tidy CSV: `component,group,term,statistic,value`, statistics named as in the JSON
  /// (fixed effects, random-effect SDs, the residual SD, θ, the fit criteria, the LRT).
  static func csv(_ fit: LinearMixedModel.Fit, test: LikelihoodRatioTest?) -> String {
    var out = "component,group,term,statistic,value\n"
    func row(
      _ component: String, _ group: String, _ term: String, _ statistic: String, _ v: Double?
    ) {
      guard let v, v.isFinite else { return }
      out +=
        [component, csvField(group), csvField(term), statistic, "\(v)"].joined(separator: ",")
        + "\n"
    }
    for e in fit.fixedEffects {
      row("fixed", "", e.term, "estimate", e.estimate)
      row("fixed", "", e.term, "stdError", e.standardError)
      row("fixed", "", e.term, "tValue", e.tValue)
    }
    for r in fit.randomEffects {
      for (term, sd) in zip(r.terms, r.standardDeviations) {
        row("random", r.group, term, "sd", sd)
      }
      for i in r.terms.indices {
        for j in r.terms.indices where j > i {
          row("random", r.group, r.terms[i] + ":" + r.terms[j], "correlation", r.correlation[i][j])
        }
      }
    }
    row("residual", "", "", "sd", fit.residualStandardDeviation)
    for (i, t) in fit.theta.enumerated() { row("theta", "", "\(i + 1)", "theta", t) }
    row("fit", "", "", "nobs", Double(fit.observationCount))
    row("fit", "", "", "logLikelihood", fit.logLikelihood)
    row("fit", "", "", "remlCriterion", fit.remlCriterion)
    row("fit", "", "", "deviance", fit.deviance)
    row("fit", "", "", "aic", fit.aic)
    row("fit", "", "", "bic", fit.bic)
    if let test {
      row("lrt", "", "", "chisq", test.chiSquare)
      row("lrt", "", "", "df", Double(test.degreesOfFreedom))
      row("lrt", "", "", "pValue", test.pValue)
    }
    return out
  }

  struct Fixed: Encodable {
    let term: String
    let estimate: Double
    let stdError: Double
    let tValue: Double
  }
  struct Random: Encodable {
    let group: String
    let terms: [String]
    let sd: [Double]
    let correlation: [[Double?]]
  }
  struct Diagnostic: Encodable {
    let kind: String
    let message: String
  }
  /// Conditional modes of one grouping factor, column-wise (one array per term), which keeps
  /// the output compact and fast to write for 100,000 groups.
  struct Modes: Encodable {
    let group: String
    let terms: [String]
    let levels: [String]
    /// `values[term][level]`.
    let values: [[Double]]
    /// Conditional SDs, `sd[term][level]`.
    let sd: [[Double]]
  }
  struct LRT: Encodable {
    let smaller: String
    let larger: String
    let chisq: Double
    let df: Int
    let pValue: Double
  }
  struct Optimizer: Encodable {
    let algorithm: String
    let status: String
    let evaluations: Int
    let start: [Double]
  }

  let formula: String
  let criterion: String
  let nobs: Int
  let droppedRows: Int
  let groups: [String: Int]
  let fixedEffects: [Fixed]
  let droppedFixedEffects: [String]
  let randomEffects: [Random]
  let residualSD: Double
  let theta: [Double]
  let logLikelihood: Double
  let remlCriterion: Double?
  let deviance: Double
  let aic: Double
  let bic: Double
  let converged: Bool
  let singular: Bool
  let diagnostics: [Diagnostic]
  let optimizer: Optimizer
  let conditionalModes: String = GrowthOutput.modesPlaceholder
  let lrt: LRT?
  /// The modes themselves, written by ``modesJSON()``; not encoded.
  let modes: [Modes]
  static let modesPlaceholder = "@@conditionalModes@@"

  private enum CodingKeys: String, CodingKey {
    case formula, criterion, nobs, droppedRows, groups, fixedEffects, droppedFixedEffects
    case randomEffects, residualSD, theta, logLikelihood, remlCriterion, deviance, aic, bic
    case converged, singular, diagnostics, optimizer, conditionalModes, lrt
  }

  /// Compact JSON for ``modes`` (numbers in Swift's shortest round-trip form; non-finite as
  /// null).
  func modesJSON() -> String {
    func number(_ x: Double) -> String { x.isFinite ? "\(x)" : "null" }
    func string(_ s: String) -> String {
      var out = "\""
      for u in s.unicodeScalars {
        switch u {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        default:
          if u.value < 0x20 {
            out += String(format: "\\u%04x", u.value)
          } else {
            out.unicodeScalars.append(u)
          }
        }
      }
      return out + "\""
    }
    func array(_ xs: [String]) -> String { "[" + xs.joined(separator: ",") + "]" }
    let entries = modes.map { m in
      "{\"group\":\(string(m.group)),\"terms\":\(array(m.terms.map(string))),"
        + "\"levels\":\(array(m.levels.map(string))),"
        + "\"values\":\(array(m.values.map { array($0.map(number)) })),"
        + "\"sd\":\(array(m.sd.map { array($0.map(number)) }))}"
    }
    return array(entries)
  }

  init(_ fit: LinearMixedModel.Fit, test: LikelihoodRatioTest?) {
    formula = fit.formula
    criterion = fit.criterion.rawValue
    nobs = fit.observationCount
    droppedRows = fit.droppedRowCount
    groups = Dictionary(fit.groups.map { ($0.name, $0.levels) }, uniquingKeysWith: { a, _ in a })
    fixedEffects = fit.fixedEffects.map {
      Fixed(term: $0.term, estimate: $0.estimate, stdError: $0.standardError, tValue: $0.tValue)
    }
    droppedFixedEffects = fit.droppedFixedEffects
    randomEffects = fit.randomEffects.map { v in
      Random(
        group: v.group, terms: v.terms, sd: v.standardDeviations,
        correlation: v.correlation.map { row in row.map { $0.isFinite ? $0 : nil } })
    }
    residualSD = fit.residualStandardDeviation
    theta = fit.theta
    logLikelihood = fit.logLikelihood
    remlCriterion = fit.remlCriterion
    deviance = fit.deviance
    aic = fit.aic
    bic = fit.bic
    converged = fit.converged
    singular = fit.isSingular
    diagnostics = fit.diagnostics.map { d in
      let kind: String
      switch d {
      case .singular: kind = "singular"
      case .notConverged: kind = "notConverged"
      case .gradient: kind = "gradient"
      case .hessianNotPositiveDefinite: kind = "hessian"
      case .rankDeficient: kind = "rankDeficient"
      }
      return Diagnostic(kind: kind, message: "\(d)")
    }
    optimizer = Optimizer(
      algorithm: fit.optimization.optimizer, status: fit.optimization.status.rawValue,
      evaluations: fit.optimization.evaluationCount, start: fit.optimization.start)
    modes = fit.conditionalModes.map { m in
      Modes(
        group: m.group, terms: m.terms, levels: m.levels,
        values: m.terms.indices.map { t in m.values.map { $0[t] } },
        sd: m.terms.indices.map { t in m.standardDeviations.map { $0[t] } })
    }
    lrt = test.map {
      LRT(
        smaller: $0.smaller.formula, larger: $0.larger.formula, chisq: $0.chiSquare,
        df: $0.degreesOfFreedom, pValue: $0.pValue)
    }
  }

  /// lme4's `anova(m0, m1)` table.
  static func lrtTable(_ t: LikelihoodRatioTest) -> String {
    func f(_ x: Double, _ d: Int) -> String { String(format: "%.\(d)f", x) }
    func r(_ s: String, _ w: Int) -> String {
      s.count >= w ? " " + s : String(repeating: " ", count: w - s.count) + s
    }
    var lines = ["refitting model(s) with ML (instead of REML)"]
    lines.append(
      "    " + r("npar", 5) + r("AIC", 10) + r("BIC", 10) + r("logLik", 10) + r("deviance", 10)
        + r("Chisq", 8) + r("Df", 3) + r("Pr(>Chisq)", 11))
    for (fit, name) in [(t.smaller, "m0"), (t.larger, "m1")] {
      var line =
        name + "  " + r("\(fit.parameterCount)", 5) + r(f(fit.aic, 1), 10) + r(f(fit.bic, 1), 10)
        + r(f(fit.logLikelihood, 1), 10) + r(f(fit.deviance, 1), 10)
      if name == "m1" {
        line +=
          r(f(t.chiSquare, 3), 8) + r("\(t.degreesOfFreedom)", 3)
          + r(String(format: "%.4g", t.pValue), 11)
      }
      lines.append(line)
    }
    lines.append("m0: \(t.smaller.formula)")
    lines.append("m1: \(t.larger.formula)")
    return lines.joined(separator: "\n")
  }
}
