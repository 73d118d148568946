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
      convergence problems print as warnings and fail only with --strict. Fixed effects come \
      with degrees of freedom, p-values and Wald intervals (Satterthwaite's df as lmerTest by \
      default), F tests per term (lmerTest's type III), and Nakagawa's R² and the ICC (as \
      performance::r2_nakagawa and performance::icc).
      """)

  /// `--residual`: the residual correlation structure.
  enum Residual: String, ExpressibleByArgument, CaseIterable {
    case independent
    case ar1
    case car1
  }

  /// `--weights`: the residual variance structure.
  enum Weights: String, ExpressibleByArgument, CaseIterable {
    case none
    case varident
  }

  /// `--ci`: how confidence intervals are computed.
  enum IntervalMethod: String, ExpressibleByArgument, CaseIterable {
    case wald
    case profile
  }

  /// `--df`: how the degrees of freedom of the tests are computed.
  enum DegreesOfFreedom: String, ExpressibleByArgument, CaseIterable {
    case satterthwaite
    case residual
    case kenwardRoger = "kenward-roger"
  }

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

  @Option(
    name: .customLong("df"),
    help: """
      Degrees of freedom of t and F tests: satterthwaite (as lmerTest), residual (n - p), or \
      kenward-roger (as pbkrtest: adjusted SEs and scaled F; REML, independent residuals, at \
      most 3,000 observations).
      """)
  var degreesOfFreedom: DegreesOfFreedom = .satterthwaite

  @Option(
    name: .customLong("confidence-level"),
    help: "Coverage of the confidence intervals (Wald or profile; see --ci).")
  var confidenceLevel = 0.95

  @Option(
    name: .customLong("ci"),
    help: """
      Confidence intervals: wald (fixed effects, t quantiles at the tests' df) or profile \
      (profile likelihood as lme4's confint(method = "profile"), for the fixed effects, the \
      random-effect SDs and correlations and the residual SD; independent residuals only).
      """)
  var intervals: IntervalMethod = .wald

  @Option(
    help: """
      Residual correlation within groups: independent (as lme4), ar1 (as nlme's corAR1, \
      integer times) or car1 (as nlme's corCAR1, any times); ar1 and car1 need --time.
      """)
  var residual: Residual = .independent

  @Option(help: ArgumentHelp("The time variable of --residual ar1 or car1."))
  var time: String?

  @Option(
    name: .customLong("residual-group"),
    help: "Grouping within which residuals are correlated (default: the finest grouping factor).")
  var residualGroup: String?

  @Option(
    help: """
      Residual variances: none (one variance, as lme4) or varident (one SD per value of --by, \
      as nlme's varIdent; reported as ratios to the first value).
      """)
  var weights: Weights = .none

  @Option(help: ArgumentHelp("The variable of --weights varident (e.g. wave).", valueName: "VAR"))
  var by: String?

  @Flag(help: "Fail (exit 1) on a singular fit or a convergence problem.")
  var strict = false

  @Option(help: "table, json or csv (tidy: one row per component, term and statistic).")
  var format: AggregateOutputOptions.Format = .table

  @Option(
    help: """
      Threads for the finite-difference derivatives (convergence checks, Satterthwaite's df) \
      and for fingerprinting the input beside the fit (default 1; the numbers do not depend \
      on it).
      """)
  var threads = 1

  @Option(
    name: .customLong("blas-threads"),
    help: "Threads BLAS may use (default 1; raise only for single large dense operations).")
  var blasThreads: Int?

  @OptionGroup var progress: ProgressOptions

  /// The parsed options as plain values.
  var settings: GrowthSettings {
    GrowthSettings(
      data: data, formula: formula, ml: ml, references: references, factors: factors,
      compare: compare, degreesOfFreedom: degreesOfFreedom, confidenceLevel: confidenceLevel,
      intervals: intervals, residual: residual, time: time, residualGroup: residualGroup,
      weights: weights, by: by, strict: strict, format: format, threads: threads,
      blasThreads: blasThreads, quiet: progress.quiet)
  }

  func validate() throws { try settings.validate() }

  func run() throws { try settings.run() }
}

/// The JSON body of `lae growth` (field names set by issue 7). NaN (a correlation of a term
/// with zero variance) is written as null, never as a number.
struct GrowthOutput: Encodable {
  /// Tidy CSV: `component,group,term,statistic,value`, statistics named as in the JSON
  /// (fixed effects, random-effect SDs, the residual SD, θ, the fit criteria, the LRT).
  static func csv(
    _ fit: LinearMixedModel.Fit, inference: LinearMixedModel.Inference,
    explained: LinearMixedModel.VarianceExplained, test: LikelihoodRatioTest?,
    confidenceLevel: Double = 0.95, profile: LinearMixedModel.ProfileConfidenceIntervals? = nil
  ) -> String {
    var out = "component,group,term,statistic,value\n"
    func row(
      _ component: String, _ group: String, _ term: String, _ statistic: String, _ v: Double?
    ) {
      guard let v, v.isFinite else { return }
      out +=
        [component, csvField(group), csvField(term), statistic, "\(v)"].joined(separator: ",")
        + "\n"
    }
    // The inference's SE and t: Kenward-Roger's are adjusted (the others equal the fit's).
    for c in inference.coefficients {
      row("fixed", "", c.term, "estimate", c.estimate)
      row("fixed", "", c.term, "stdError", c.standardError)
      row("fixed", "", c.term, "tValue", c.tValue)
    }
    for (j, c) in inference.coefficients.enumerated() {
      row("fixed", "", c.term, "df", c.degreesOfFreedom)
      row("fixed", "", c.term, "pValue", c.pValue)
      let p = profile?.fixedEffects[j]
      row("fixed", "", c.term, "ciLower", p.map { $0.lower.value } ?? c.confidenceInterval.lower)
      row("fixed", "", c.term, "ciUpper", p.map { $0.upper.value } ?? c.confidenceInterval.upper)
    }
    for t in inference.terms {
      row("anova", "", t.term, "numDF", Double(t.numeratorDegreesOfFreedom))
      row("anova", "", t.term, "denDF", t.denominatorDegreesOfFreedom)
      row("anova", "", t.term, "fValue", t.fValue)
      row("anova", "", t.term, "pValue", t.pValue)
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
    for v in profile?.varianceComponents ?? [] {
      let term = v.terms.joined(separator: ":")
      let name = v.kind == .correlation ? "correlation" : "sd"
      row("random", v.group ?? "", term, name + ".ciLower", v.lower.value)
      row("random", v.group ?? "", term, name + ".ciUpper", v.upper.value)
    }
    row("residual", "", "", "sd", fit.residualStandardDeviation)
    if let s = profile?.residualStandardDeviation {
      row("residual", "", "", "sd.ciLower", s.lower.value)
      row("residual", "", "", "sd.ciUpper", s.upper.value)
    }
    if let r = fit.residualStructure(confidenceLevel: confidenceLevel) {
      let names = (r.parameters["phi"] == nil ? [] : ["phi"]) + (r.levels ?? [])
      for name in names {
        row("residual", r.group ?? r.by ?? "", r.type, name, r.parameters[name])
        row(
          "residual", r.group ?? r.by ?? "", r.type, name + ".ciLower",
          r.confidenceIntervals[name]?.lower)
        row(
          "residual", r.group ?? r.by ?? "", r.type, name + ".ciUpper",
          r.confidenceIntervals[name]?.upper)
      }
    }
    for (i, t) in fit.theta.enumerated() { row("theta", "", "\(i + 1)", "theta", t) }
    row("fit", "", "", "nobs", Double(fit.observationCount))
    row("fit", "", "", "logLikelihood", fit.logLikelihood)
    row("fit", "", "", "remlCriterion", fit.remlCriterion)
    row("fit", "", "", "deviance", fit.deviance)
    row("fit", "", "", "aic", fit.aic)
    row("fit", "", "", "bic", fit.bic)
    row("fit", "", "", "r2Marginal", explained.r2Marginal)
    row("fit", "", "", "r2Conditional", explained.r2Conditional)
    row("fit", "", "", "iccAdjusted", explained.iccAdjusted)
    row("fit", "", "", "iccConditional", explained.iccConditional)
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
    let df: Double
    let pValue: Double
    let confidenceInterval: Interval
  }
  /// A confidence interval. With `--ci profile`, a bound is `null` when the profile does not
  /// cross the threshold within the search range (`lowerKind`/`upperKind` `open`), and the
  /// kinds and a note say how each bound was obtained.
  struct Interval: Encodable {
    let level: Double
    let lower: Double?
    let upper: Double?
    /// The two terms of a correlation's interval (`correlationIntervals` only).
    var terms: [String]? = nil
    /// `profile`, `parameterLimit` or `open` (profile intervals only).
    var lowerKind: String? = nil
    var upperKind: String? = nil
    var note: String? = nil

    func encode(to encoder: Encoder) throws {
      var c = encoder.container(keyedBy: JSONKey.self)
      try c.encodeIfPresent(terms, forKey: "terms")
      try c.encode(level, forKey: "level")
      try c.encode(lower, forKey: "lower")  // null when open
      try c.encode(upper, forKey: "upper")
      try c.encodeIfPresent(lowerKind, forKey: "lowerKind")
      try c.encodeIfPresent(upperKind, forKey: "upperKind")
      try c.encodeIfPresent(note, forKey: "note")
    }
  }
  /// How df, p-values and intervals were computed.
  struct Method: Encodable {
    /// `satterthwaite` or `residual`.
    let df: String
    /// `wald-t` or `profile`.
    let confidenceInterval: String
    let confidenceLevel: Double
    let description: String
  }
  struct TermTest: Encodable {
    let term: String
    let coefficients: [String]
    let numDF: Int
    let denDF: Double
    let fValue: Double
    let pValue: Double
  }
  struct LevelICC: Encodable {
    let group: String
    let icc: Double
  }
  struct ICC: Encodable {
    let adjusted: Double
    let conditional: Double
  }
  struct Random: Encodable {
    let group: String
    let terms: [String]
    let sd: [Double]
    let correlation: [[Double?]]
    /// Profile intervals of the SDs, one per term (`--ci profile` only).
    var sdInterval: [Interval]? = nil
    /// Profile intervals of the correlations, one per pair of terms (`--ci profile` only).
    var correlationIntervals: [Interval]? = nil
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
  let inference: Method
  let fixedEffects: [Fixed]
  let anova: [TermTest]
  let droppedFixedEffects: [String]
  let randomEffects: [Random]
  let residualSD: Double
  /// The profile interval of the residual SD (`--ci profile` only).
  let residualSDInterval: Interval?
  let residualStructure: LinearMixedModel.ResidualStructure?
  let theta: [Double]
  let logLikelihood: Double
  let remlCriterion: Double?
  let deviance: Double
  let aic: Double
  let bic: Double
  let r2Marginal: Double
  let r2Conditional: Double
  let icc: ICC
  /// Each grouping factor's intercept ICC (`Fit.intraclassCorrelations`).
  let iccByLevel: [LevelICC]
  let converged: Bool
  let singular: Bool
  let diagnostics: [Diagnostic]
  let optimizer: Optimizer
  /// The conditional modes (one entry per group, 100,000s of numbers), written by hand by
  /// ``modesJSON()``: encoding them value by value would take seconds.
  var conditionalModes = JSONText.Fragment("[]")
  let lrt: LRT?
  /// The modes themselves; not encoded.
  let modes: [Modes]

  /// Compact JSON for ``modes`` (numbers in Swift's shortest round-trip form; non-finite as
  /// null).
  func modesJSON() -> String {
    // Written into one string (a 10,000-school fit has 50,000 numbers here; building a
    // String per number and joining arrays of them cost three times as much).
    var w = CompactJSON(
      capacity: 64 + modes.reduce(0) { $0 + $1.levels.count * 24 * (1 + $1.values.count * 2) })
    w.array(modes) { w, m in
      w.raw("{\"group\":")
      w.string(m.group)
      w.raw(",\"terms\":")
      w.array(m.terms) { $0.string($1) }
      w.raw(",\"levels\":")
      w.array(m.levels) { $0.string($1) }
      w.raw(",\"values\":")
      w.array(m.values) { $0.array($1) { $0.number($1) } }
      w.raw(",\"sd\":")
      w.array(m.sd) { $0.array($1) { $0.number($1) } }
      w.raw("}")
    }
    return w.text
  }

  init(
    _ fit: LinearMixedModel.Fit, inference: LinearMixedModel.Inference,
    explained: LinearMixedModel.VarianceExplained, test: LikelihoodRatioTest?,
    confidenceLevel: Double = 0.95, profile: LinearMixedModel.ProfileConfidenceIntervals? = nil
  ) {
    formula = fit.formula
    criterion = fit.criterion.rawValue
    nobs = fit.observationCount
    droppedRows = fit.droppedRowCount
    groups = Dictionary(fit.groups.map { ($0.name, $0.levels) }, uniquingKeysWith: { a, _ in a })
    self.inference = Method(
      df: inference.method.rawValue, confidenceInterval: profile == nil ? "wald-t" : "profile",
      confidenceLevel: inference.confidenceLevel,
      description: inference.methodDescription
        + (profile.map { ". Reported intervals (not Wald): " + $0.methodDescription } ?? ""))
    fixedEffects = zip(fit.fixedEffects, inference.coefficients).enumerated().map { j, ec in
      let (e, c) = ec
      return Fixed(
        // The inference's SE and t: Kenward-Roger's are adjusted (the others equal the fit's).
        term: e.term, estimate: e.estimate, stdError: c.standardError, tValue: c.tValue,
        df: c.degreesOfFreedom, pValue: c.pValue,
        confidenceInterval: profile.map { Self.interval($0.fixedEffects[j], level: $0.level) }
          ?? Interval(
            level: c.confidenceInterval.level, lower: c.confidenceInterval.lower,
            upper: c.confidenceInterval.upper))
    }
    anova = inference.terms.map {
      TermTest(
        term: $0.term, coefficients: $0.coefficients, numDF: $0.numeratorDegreesOfFreedom,
        denDF: $0.denominatorDegreesOfFreedom, fValue: $0.fValue, pValue: $0.pValue)
    }
    r2Marginal = explained.r2Marginal
    r2Conditional = explained.r2Conditional
    icc = ICC(adjusted: explained.iccAdjusted, conditional: explained.iccConditional)
    iccByLevel = fit.intraclassCorrelations.map { LevelICC(group: $0.group, icc: $0.icc) }
    droppedFixedEffects = fit.droppedFixedEffects
    randomEffects = Self.random(fit, profile: profile)
    residualSD = fit.residualStandardDeviation
    residualSDInterval = profile.map {
      Self.interval($0.residualStandardDeviation, level: $0.level)
    }
    residualStructure = fit.residualStructure(confidenceLevel: confidenceLevel)
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
      case .residualParameterAtBoundary: kind = "residualBoundary"
      case .residualIntervalUnavailable: kind = "residualInterval"
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
    conditionalModes = JSONText.Fragment(modesJSON())
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

/// Compact JSON appended to one string: numbers in Swift's shortest round-trip form,
/// non-finite numbers as null, strings escaped as JSON requires.
struct CompactJSON {
  /// The UTF-8 written so far (bytes, not a String: appending to a String costs several
  /// times as much per piece).
  private(set) var bytes: [UInt8] = []

  init(capacity: Int = 0) { bytes.reserveCapacity(capacity) }

  /// The document.
  var text: String { String(decoding: bytes, as: UTF8.self) }

  /// JSON punctuation or a key, verbatim.
  mutating func raw(_ s: StaticString) {
    s.withUTF8Buffer { bytes.append(contentsOf: $0) }
  }

  /// Swift's shortest round-trip form; null when not finite.
  mutating func number(_ x: Double) {
    if x.isFinite { bytes.append(contentsOf: x.description.utf8) } else { raw("null") }
  }

  /// An integer.
  mutating func integer(_ x: Int) { bytes.append(contentsOf: x.description.utf8) }

  /// `[e, e, …]`, each element written by `element`.
  mutating func array<T>(_ xs: [T], _ element: (inout CompactJSON, T) -> Void) {
    raw("[")
    for (i, x) in xs.enumerated() {
      if i > 0 { raw(",") }
      element(&self, x)
    }
    raw("]")
  }

  /// A quoted string; names that need no escape (nearly all) are copied whole.
  mutating func string(_ s: String) {
    let copied =
      s.utf8.withContiguousStorageIfAvailable { u -> Bool in
        guard u.allSatisfy({ $0 >= 0x20 && $0 != 0x22 && $0 != 0x5C }) else { return false }
        bytes.append(0x22)
        bytes.append(contentsOf: u)
        bytes.append(0x22)
        return true
      } ?? false
    if !copied { bytes.append(contentsOf: JSONText.quoted(s).utf8) }
  }
}

/// `lae growth`'s options as plain values: what ArgumentParser parses into ``Growth``, or what
/// ``QuickArguments`` reads without it (see `LAE.main`). The defaults are those declared on
/// ``Growth``; `laeTests` checks that both parses agree.
struct GrowthSettings: Equatable, QuickCommand {
  var data: String
  var formula: String
  var ml = false
  var references: [String] = []
  var factors: [String] = []
  var compare: String? = nil
  var degreesOfFreedom = Growth.DegreesOfFreedom.satterthwaite
  var confidenceLevel = 0.95
  var intervals = Growth.IntervalMethod.wald
  var residual = Growth.Residual.independent
  var time: String? = nil
  var residualGroup: String? = nil
  var weights = Growth.Weights.none
  var by: String? = nil
  var strict = false
  var format = AggregateOutputOptions.Format.table
  var threads = 1
  var blasThreads: Int? = nil
  var quiet = false

  func validate() throws {
    for r in references where !r.contains("=") {
      throw ValidationError("--reference takes VAR=LEVEL, got '\(r)'.")
    }
    if let n = blasThreads, n < 1 {
      throw ValidationError("--blas-threads must be at least 1, got \(n).")
    }
    if threads < 1 { throw ValidationError("--threads must be at least 1, got \(threads).") }
    if degreesOfFreedom == .kenwardRoger && ml {
      throw ValidationError(
        "--df kenward-roger is defined for REML fits only (as lmerTest); drop --ml or use "
          + "--df satterthwaite.")
    }
    if degreesOfFreedom == .kenwardRoger && (residual != .independent || weights != .none) {
      throw ValidationError(
        "--df kenward-roger is implemented for independent, homoscedastic residuals only; use "
          + "--df satterthwaite with --residual or --weights.")
    }
    if residual != .independent && time == nil {
      throw ValidationError(
        "--residual \(residual.rawValue) needs --time VAR, the variable that orders waves.")
    }
    if residual == .independent && (time != nil || residualGroup != nil) {
      throw ValidationError("--time and --residual-group apply only with --residual ar1 or car1.")
    }
    if weights == .varident && by == nil {
      throw ValidationError("--weights varident needs --by VAR, e.g. --by wave.")
    }
    if weights == .none && by != nil {
      throw ValidationError("--by applies only with --weights varident.")
    }
    if !(confidenceLevel > 0 && confidenceLevel < 1) {
      throw ValidationError("--confidence-level must be between 0 and 1, got \(confidenceLevel).")
    }
    if intervals == .profile && (residual != .independent || weights != .none) {
      throw ValidationError(
        "--ci profile is not supported with --residual or --weights (lme4's profile covers "
          + "independent, homoscedastic residuals); use --ci wald.")
    }
    if data == "-" && compare != nil {
      throw ValidationError("--compare needs a data file, not standard input.")
    }
  }

  func run() throws {
    BLASConfiguration.setThreadCount(blasThreads ?? 1)
    let bar = ProgressOptions.enabled(quiet: quiet) ? CountProgress(label: "growth") : nil
    defer { bar?.finish() }
    let steps = compare == nil ? 2 : 3
    // The input's SHA-256 for the provenance block, computed beside the fit when a second
    // thread is allowed.
    let fingerprint =
      format == .json && data != "-"
      ? Deferred(inBackground: threads > 1) { [data] in
        try Provenance.InputFile(hashingFileAt: data)
      } : nil
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
      for v in [time, residualGroup, by].compactMap({ $0 }) where !columns.contains(v) {
        if !v.contains(":") { columns.append(v) }
      }
      for v in other?.variables ?? [] where !columns.contains(v) { columns.append(v) }
      let text = Set(parsed.groupingVariables + (other?.groupingVariables ?? []) + factors)
      let table = try ColumnTableReader().read(data, columns: columns, textColumns: text)
      let checks = LinearMixedModel.Checks(
        singular: strict ? .fail : .record, convergence: strict ? .fail : .record)
      let correlation: LinearMixedModel.ResidualCorrelation
      switch residual {
      case .independent: correlation = .independent
      case .ar1: correlation = .ar1(time: time ?? "", group: residualGroup)
      case .car1: correlation = .car1(time: time ?? "", group: residualGroup)
      }
      var model = LinearMixedModel(
        formula: parsed, criterion: ml ? .ml : .reml, categoricalVariables: Set(factors),
        referenceLevels: referenceLevels, checks: checks,
        residualCorrelation: correlation,
        residualVariance: weights == .varident ? .varIdent(by: by ?? "") : .homoscedastic)
      model.threads = threads
      bar?.update(1, of: steps, "fitting \(formula)")
      let fit = try model.fit(table)
      let inference: LinearMixedModel.Inference
      switch degreesOfFreedom {
      case .kenwardRoger:
        inference = try fit.kenwardRogerInference(confidenceLevel: confidenceLevel)
      case .residual:
        inference = fit.inference(degreesOfFreedom: .residual, confidenceLevel: confidenceLevel)
      case .satterthwaite:
        inference = fit.inference(confidenceLevel: confidenceLevel)
      }
      let profile =
        intervals == .profile ? try fit.profileConfidenceIntervals(level: confidenceLevel) : nil
      let explained = fit.varianceExplained
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
        print("\n" + inference.summary())
        if let profile { print("\n" + profile.description) }
        print("\n" + explained.description)
        let levels = fit.intraclassCorrelations
        if levels.count > 1 {
          print(
            "\nICC by level (intercept variance / (intercept variances + residual variance);\n"
              + "with random slopes, at 0 of the slope variables):")
          let width = levels.map(\.group.count).max() ?? 0
          for (group, icc) in levels {
            print(
              "  " + group.padding(toLength: width, withPad: " ", startingAt: 0) + "  "
                + String(format: "%.4f", icc))
          }
        }
        if let test { print("\n" + GrowthOutput.lrtTable(test)) }
      case .csv:
        print(
          GrowthOutput.csv(
            fit, inference: inference, explained: explained, test: test,
            confidenceLevel: confidenceLevel, profile: profile),
          terminator: "")
      case .json:
        let inputs = try fingerprint.map { [try $0.value()] } ?? []
        let body = GrowthOutput(
          fit, inference: inference, explained: explained, test: test,
          confidenceLevel: confidenceLevel, profile: profile)
        let document = ProvenancedDocument(
          provenance: Provenance(commandLine: CommandLine.arguments, inputs: inputs), body: body)
        print(try document.jsonString())
      }
    } catch {
      throw fail(error)
    }
  }
}

extension GrowthSettings {
  /// The kind of each long option, for ``QuickArguments``.
  static func quickKind(_ name: String) -> QuickArguments.Kind? {
    switch name {
    case "ml", "strict", "quiet": .flag
    case "reference", "factor": .repeated
    case "data", "formula", "compare", "df", "confidence-level", "ci", "residual", "time",
      "residual-group", "weights", "by", "format", "threads", "blas-threads":
      .value
    default: nil
    }
  }

  /// The settings read by ``QuickArguments``; nil when ArgumentParser should parse
  /// `arguments` (anything but the plain long forms, or settings that fail validation).
  init?(quick arguments: [String]) {
    guard let q = QuickArguments(arguments, kind: Self.quickKind),
      let data = q.value("data"), let formula = q.value("formula"),
      let degreesOfFreedom = q.value("df", or: Growth.DegreesOfFreedom.satterthwaite),
      let confidenceLevel = q.value("confidence-level", or: 0.95),
      let intervals = q.value("ci", or: Growth.IntervalMethod.wald),
      let residual = q.value("residual", or: Growth.Residual.independent),
      let weights = q.value("weights", or: Growth.Weights.none),
      let format = q.value("format", or: AggregateOutputOptions.Format.table),
      let threads = q.value("threads", or: 1),
      let blasThreads = q.optional("blas-threads", as: Int.self)
    else { return nil }
    self.init(
      data: data, formula: formula, ml: q.flag("ml"), references: q.all("reference"),
      factors: q.all("factor"), compare: q.value("compare"), degreesOfFreedom: degreesOfFreedom,
      confidenceLevel: confidenceLevel, intervals: intervals, residual: residual,
      time: q.value("time"), residualGroup: q.value("residual-group"), weights: weights,
      by: q.value("by"), strict: q.flag("strict"), format: format, threads: threads,
      blasThreads: blasThreads, quiet: q.flag("quiet"))
    do { try validate() } catch { return nil }
  }
}
