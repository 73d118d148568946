import ArgumentParser
import Foundation
import LearningAnalytics

/// `lae score`: area scores per respondent, and aggregates per school x group x wave.
struct Score: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "score",
    abstract:
      "Area scores: per respondent, or aggregated per school x group x wave with suppression.",
    discussion: """
      Tidy output (default) has one row per cell and area: n, mean of respondent means, SD, SE, \
      95% t interval, mean of all answers, responses below the minimum of valid items, \
      respondents per maturity level, and whether the cell is suppressed (fewer than \
      --suppress respondents). --report items|gaps|changes|levels selects the other tables \
      (JSON has them all). --layout wide writes one row per cell with one column per area \
      (means, never suppressed: it is the input of lae cluster and lae growth). --partial \
      writes mergeable counts instead, for lae merge.
      """)

  @Option(help: "Instrument: a JSON file or a bundled id.")
  var instrument: String

  @Option(help: "Responses CSV (long or wide layout); '-' reads standard input.")
  var responses: String

  @Option(
    help:
      "Grouping, comma-separated from school, group, wave, hub; or 'respondent' for respondent scores."
  )
  var by: String = "school,group,wave"

  @Option(
    help: "Valid items an area score needs (default: half of the area's items for the group).")
  var minItems: Int?

  @Flag(help: "Write mergeable partial results (JSON) for lae merge instead of the aggregates.")
  var partial = false

  @Option(
    help: ArgumentHelp(
      "Pairs of lae mentor --format csv: adds a 'mentoring' column (mentor, mentee or neither "
        + "per school) to respondent scores.", valueName: "PAIRS.csv"))
  var mentoring: String?

  @OptionGroup var output: AggregateOutputOptions

  @OptionGroup var progress: ProgressOptions

  func validate() throws {
    if let m = minItems, m < 1 { throw ValidationError("--min-items must be at least 1.") }
    if by != "respondent" {
      for level in by.split(separator: ",")
      where ScoreAggregation.Level(rawValue: String(level)) == nil {
        throw ValidationError("--by takes school, group, wave, hub or respondent; got '\(level)'.")
      }
    } else if partial {
      throw ValidationError("--partial needs a grouping (--by), not respondent scores.")
    }
    if mentoring != nil && by != "respondent" {
      throw ValidationError(
        "--mentoring adds a column to respondent scores; use it with --by respondent.")
    }
  }

  /// Mentoring status per school from `lae mentor --format csv` pairs: a school that mentors
  /// anyone is a mentor, one that is paired with a mentor a mentee, any other (unmatched rows
  /// have no mentor) neither.
  static func mentoringStatus(_ path: String) throws -> [String: String] {
    let table = try ColumnTableReader().read(
      path, columns: ["mentor", "mentee"], textColumns: ["mentor", "mentee"])
    guard case .text(let mentorCodes, let mentorLevels)? = table.column("mentor"),
      case .text(let menteeCodes, let menteeLevels)? = table.column("mentee")
    else {
      throw LAEError.unreadable(
        path: path, reason: "the columns 'mentor' and 'mentee' must hold school ids (lae mentor's "
          + "pairs, --format csv)")
    }
    func id(_ code: Int32, _ levels: [String]) -> String? {
      code >= 0 && !levels[Int(code)].isEmpty ? levels[Int(code)] : nil
    }
    var status: [String: String] = [:]
    for i in mentorCodes.indices {
      guard let mentor = id(mentorCodes[i], mentorLevels) else { continue }
      if let mentee = id(menteeCodes[i], menteeLevels), status[mentee] == nil {
        status[mentee] = "mentee"
      }
      status[mentor] = "mentor"
    }
    return status
  }

  func run() throws {
    BLASConfiguration.setThreadCount(1)
    do {
      let definition = try Instrument.named(instrument)
      let read = try readResponses(responses, instrument: definition, progress: progress)
      if !read.report.isClean {
        FileHandleOutput.standardError(read.report.text)
        FileHandleOutput.standardError("lae: warning: rejected rows are left out of the scores.")
      }
      let scores = AreaScorer(minimumValidItems: minItems).score(read.table)
      if by == "respondent" {
        try emitRespondents(scores, mentoring: try mentoring.map(Self.mentoringStatus))
        return
      }
      let levels = by.split(separator: ",").compactMap {
        ScoreAggregation.Level(rawValue: String($0))
      }
      let summary = ScoreSummary(scores, table: read.table, levels: levels)
      if partial {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        print(String(decoding: try encoder.encode(summary), as: UTF8.self))
        return
      }
      var inputs: [Provenance.InputFile] = []
      if responses != "-" { inputs.append(try Provenance.InputFile(hashingFileAt: responses)) }
      try output.emit(summary, instrument: definition, inputs: inputs)
    } catch {
      throw fail(error)
    }
  }

  func emitRespondents(_ scores: RespondentScores, mentoring: [String: String]? = nil) throws {
    let sep = output.format == .csv ? "," : "\t"
    print(
      (["school", "respondent", "group", "wave", "hub", "teacher"]
        + (mentoring == nil ? [] : ["mentoring"]) + scores.areas).joined(separator: sep))
    for row in 0..<scores.count {
      let unit = scores.unit(row)
      let ids = [
        unit.school, unit.respondent, unit.group, unit.wave, unit.hub ?? "", unit.teacher ?? "",
      ] + (mentoring.map { [$0[unit.school] ?? "neither"] } ?? [])
      let values = (0..<scores.areas.count).map { a -> String in
        let v = scores.values[row, a]
        return v.isNaN ? "" : String(format: "%.6f", v)
      }
      print((ids.map(csvField) + values).joined(separator: sep))
    }
  }
}

/// `lae merge`: combines partial results of `lae score --partial`.
struct Merge: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "merge",
    abstract: "Merge partial score results (lae score --partial) and print the aggregates.",
    discussion: """
      Counts add exactly, so the aggregates equal those of one lae score run over all the \
      shards' responses, to the last digit. Shards must hold whole responses.
      """)

  @Argument(help: "Partial result files (JSON from lae score --partial).")
  var partials: [String]

  @Option(help: "Instrument (default: the bundled instrument the partials name).")
  var instrument: String?

  @OptionGroup var output: AggregateOutputOptions

  func validate() throws {
    if partials.isEmpty { throw ValidationError("Give at least one partial result file.") }
  }

  func run() throws {
    do {
      var merged: ScoreSummary?
      for path in partials {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
          throw LAEError.unreadable(path: path, reason: "\(error.localizedDescription)")
        }
        let summary: ScoreSummary
        do { summary = try JSONDecoder().decode(ScoreSummary.self, from: data) } catch {
          throw LAEError.unreadable(
            path: path, reason: "not a partial result of lae score --partial (\(error))")
        }
        if merged == nil { merged = summary } else { try merged?.merge(summary) }
      }
      guard let merged else { return }
      let definition = try Instrument.named(instrument ?? merged.instrument)
      let inputs = try partials.map { try Provenance.InputFile(hashingFileAt: $0) }
      try output.emit(merged, instrument: definition, inputs: inputs)
    } catch {
      throw fail(error)
    }
  }
}

/// A problem the command-line tool itself finds.
enum LAEError: Error, CustomStringConvertible {
  case unreadable(path: String, reason: String)

  var description: String {
    switch self {
    case .unreadable(let path, let reason): return "\(path): \(reason)"
    }
  }
}

/// Options and printing shared by `lae score` and `lae merge`.
struct AggregateOutputOptions: ParsableArguments {
  enum Layout: String, ExpressibleByArgument, CaseIterable {
    case tidy
    case wide
  }

  enum Format: String, ExpressibleByArgument, CaseIterable {
    case table
    case json
    case csv
  }

  enum Report: String, ExpressibleByArgument, CaseIterable {
    case areas
    case items
    case gaps
    case changes
    case levels
  }

  @Option(help: "Smallest publishable cell (default 5).")
  var suppress: Int = 5

  @Option(help: "Per-group threshold, e.g. leader=3 (repeatable).")
  var suppressGroup: [String] = []

  @Option(help: "Flag gaps between respondent groups of at least this many points (default 0.5).")
  var divergence: Double = 0.5

  @Option(help: "Table and CSV: areas, items, gaps, changes or levels (JSON has them all).")
  var report: Report = .areas

  @Option(help: "tidy (one row per cell and area) or wide (one column per area).")
  var layout: Layout = .tidy

  @Option(help: "table, json or csv.")
  var format: Format = .table

  func validate() throws {
    guard suppress >= 0 else { throw ValidationError("--suppress must not be negative.") }
    for s in suppressGroup {
      let parts = s.split(separator: "=")
      guard parts.count == 2, let n = Int(parts[1]), n >= 0 else {
        throw ValidationError("--suppress-group takes GROUP=N, got '\(s)'.")
      }
    }
    guard divergence >= 0, divergence.isFinite else {
      throw ValidationError("--divergence must be a non-negative number.")
    }
  }

  func aggregation(_ summary: ScoreSummary) -> ScoreAggregation {
    var thresholds: [String: Int] = [:]
    for s in suppressGroup {
      let parts = s.split(separator: "=")
      thresholds[String(parts[0])] = Int(parts[1])
    }
    return ScoreAggregation(
      levels: summary.levels, suppressionThresholds: layout == .wide ? [:] : thresholds,
      defaultThreshold: layout == .wide ? 0 : suppress, divergenceThreshold: divergence)
  }

  struct Output: Encodable {
    let instrument: String
    let aggregationRules: [String]
    let suppression: [String: Int]
    let divergenceThreshold: Double
    let levels: [String]
    let rows: [ScoreAggregation.Row]
    let items: [ScoreAggregation.ItemDistribution]
    let gaps: [ScoreAggregation.GroupGap]
    let changes: [ScoreAggregation.WaveChange]
  }

  func emit(_ summary: ScoreSummary, instrument: Instrument, inputs: [Provenance.InputFile])
    throws
  {
    let aggregation = aggregation(summary)
    let levels = summary.levels.map(\.rawValue)
    let sep = format == .csv ? "," : "\t"
    func num(_ x: Double?) -> String { x.map { String(format: "%.6f", $0) } ?? "" }
    func line(_ fields: [String]) { print(fields.joined(separator: sep)) }
    if format == .json {
      var suppression = aggregation.suppressionThresholds
      suppression["default"] = aggregation.defaultThreshold
      let body = Output(
        instrument: instrument.id,
        aggregationRules: [
          "mean: mean of respondent means", "meanOfAllAnswers: mean of all valid answers",
        ],
        suppression: suppression, divergenceThreshold: divergence, levels: levels,
        rows: aggregation.aggregate(summary),
        items: aggregation.itemDistributions(summary, instrument: instrument),
        gaps: aggregation.groupGaps(summary), changes: aggregation.waveChanges(summary))
      print(
        try ProvenancedDocument(
          provenance: Provenance(commandLine: CommandLine.arguments, inputs: inputs), body: body
        ).jsonString())
      return
    }
    let cellFields = { (cell: [String: String], names: [String]) in
      names.map { csvField(cell[$0] ?? "") }
    }
    switch report {
    case .areas where layout == .wide:
      var table: [[String]: [String: Double?]] = [:]
      var order: [[String]] = []
      for row in aggregation.aggregate(summary) {
        let key = levels.map { row.cell[$0] ?? "" }
        if table[key] == nil {
          table[key] = [:]
          order.append(key)
        }
        table[key]?[row.area] = row.mean
      }
      line(levels + summary.areas)
      for key in order {
        line(key.map(csvField) + summary.areas.map { num((table[key]?[$0]) ?? nil) })
      }
    case .areas:
      line(
        levels + [
          "area", "n", "mean", "sd", "se", "ci_lower", "ci_upper", "mean_of_all_answers",
          "answer_count", "below_minimum", "suppressed",
        ])
      for row in aggregation.aggregate(summary) {
        line(
          cellFields(row.cell, levels) + [
            row.area, "\(row.n)", num(row.mean), num(row.sd), num(row.se),
            num(row.confidenceInterval?[0]), num(row.confidenceInterval?[1]),
            num(row.meanOfAllAnswers), "\(row.answerCount)", "\(row.belowMinimum)",
            row.suppressed ? "true" : "false",
          ])
      }
    case .levels:
      line(levels + ["area", "level", "count", "suppressed"])
      for row in aggregation.aggregate(summary) {
        for label in summary.levelLabels {
          line(
            cellFields(row.cell, levels) + [
              row.area, csvField(label), row.levelCounts.map { "\($0[label] ?? 0)" } ?? "",
              row.suppressed ? "true" : "false",
            ])
        }
      }
    case .items:
      line(
        levels + [
          "item", "area", "option", "answered", "share", "top_two_box_share", "not_applicable",
          "prefer_not_to_say", "skipped", "suppressed",
        ])
      for d in aggregation.itemDistributions(summary, instrument: instrument) {
        let options = instrument.item(d.item).flatMap { instrument.scale($0.scale) }?.options ?? []
        for option in options {
          line(
            cellFields(d.cell, levels) + [
              csvField(d.item), csvField(d.area), csvField(option.value), "\(d.answered)",
              num(d.shares?[option.value]), num(d.topTwoBoxShare), "\(d.notApplicable)",
              "\(d.preferNotToSay)", "\(d.skipped)", d.suppressed ? "true" : "false",
            ])
        }
      }
    case .gaps:
      let names = levels.filter { $0 != "group" }
      line(
        names + [
          "area", "group_a", "group_b", "mean_a", "mean_b", "n_a", "n_b", "difference", "divergent",
        ])
      for gap in aggregation.groupGaps(summary) {
        line(
          cellFields(gap.cell, names) + [
            gap.area, csvField(gap.groups[0]), csvField(gap.groups[1]), num(gap.means[0]),
            num(gap.means[1]), "\(gap.n[0])", "\(gap.n[1])", num(gap.difference),
            gap.divergent ? "true" : "false",
          ])
      }
    case .changes:
      let names = levels.filter { $0 != "wave" }
      line(
        names + [
          "area", "from_wave", "to_wave", "n_from", "n_to", "mean_from", "mean_to", "difference",
          "hedges_g", "se", "ci_lower", "ci_upper", "note",
        ])
      for c in aggregation.waveChanges(summary) {
        line(
          cellFields(c.cell, names) + [
            c.area, csvField(c.fromWave), csvField(c.toWave), "\(c.n[0])", "\(c.n[1])",
            num(c.means[0]), num(c.means[1]), num(c.difference), num(c.hedgesG),
            num(c.standardError), num(c.confidenceInterval?[0]), num(c.confidenceInterval?[1]),
            csvField(c.note ?? ""),
          ])
      }
    }
  }
}

/// A CSV field, quoted when it contains a separator, quote or line break.
func csvField(_ s: String) -> String { PlainText.csvField(s) }

/// `String(format: "%.<digits>f", x)`, exactly and fast (see ``PlainText/fixed(_:digits:)``).
func fixedPoint(_ x: Double, digits: Int) -> String { PlainText.fixed(x, digits: digits) }
