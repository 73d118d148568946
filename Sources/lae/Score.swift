import ArgumentParser
import Foundation
import LearningAnalytics

/// `lae score`: area scores per respondent, and aggregates per school x group x wave.
struct Score: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract:
      "Area scores: per respondent, or aggregated per school x group x wave with suppression.",
    discussion: """
      Tidy output (default) has one row per cell and area: n, mean of respondent means, SD, SE, \
      95% t interval, mean of all answers, and whether the cell is suppressed (fewer than \
      --suppress respondents). --layout wide writes one row per cell with one column per area \
      (means, never suppressed: it is the input of lae cluster and lae growth).
      """)

  enum Layout: String, ExpressibleByArgument, CaseIterable {
    case tidy
    case wide
  }

  enum Format: String, ExpressibleByArgument, CaseIterable {
    case table
    case json
    case csv
  }

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

  @Option(help: "Smallest publishable cell (default 5).")
  var suppress: Int = 5

  @Option(help: "Per-group threshold, e.g. leader=3 (repeatable).")
  var suppressGroup: [String] = []

  @Option(help: "tidy (one row per cell and area) or wide (one column per area).")
  var layout: Layout = .tidy

  @Option(help: "table, json or csv.")
  var format: Format = .table

  func validate() throws {
    if let m = minItems, m < 1 { throw ValidationError("--min-items must be at least 1.") }
    guard suppress >= 0 else { throw ValidationError("--suppress must not be negative.") }
    for s in suppressGroup {
      let parts = s.split(separator: "=")
      guard parts.count == 2, Int(parts[1]) != nil else {
        throw ValidationError("--suppress-group takes GROUP=N, got '\(s)'.")
      }
    }
    if by != "respondent" {
      for level in by.split(separator: ",")
      where ScoreAggregation.Level(rawValue: String(level)) == nil {
        throw ValidationError("--by takes school, group, wave, hub or respondent; got '\(level)'.")
      }
    }
  }

  func run() throws {
    BLASConfiguration.setThreadCount(1)
    do {
      let definition = try Instrument.named(instrument)
      let read = try SurveyReader().read(responses, instrument: definition)
      if !read.report.isClean {
        FileHandleOutput.standardError(read.report.text)
        FileHandleOutput.standardError("lae: warning: rejected rows are left out of the scores.")
      }
      let scores = AreaScorer(minimumValidItems: minItems).score(read.table)
      if by == "respondent" {
        try emitRespondents(scores)
        return
      }
      var thresholds: [String: Int] = [:]
      for s in suppressGroup {
        let parts = s.split(separator: "=")
        thresholds[String(parts[0])] = Int(parts[1])
      }
      let levels = by.split(separator: ",").compactMap {
        ScoreAggregation.Level(rawValue: String($0))
      }
      let aggregation = ScoreAggregation(
        levels: levels, suppressionThresholds: thresholds,
        defaultThreshold: layout == .wide ? 0 : suppress)
      let rows = aggregation.aggregate(scores)
      try emit(
        rows, levels: levels.map(\.rawValue), areas: scores.areas, belowMinimum: scores.belowMinimum
      )
    } catch {
      throw fail(error)
    }
  }

  struct Output: Encodable {
    let instrument: String
    let aggregationRules: [String]
    let belowMinimum: [String: Int]
    let rows: [ScoreAggregation.Row]
  }

  func emit(
    _ rows: [ScoreAggregation.Row], levels: [String], areas: [String], belowMinimum: [String: Int]
  ) throws {
    func num(_ x: Double?) -> String { x.map { String(format: "%.6f", $0) } ?? "" }
    switch (format, layout) {
    case (.json, _):
      var inputs: [Provenance.InputFile] = []
      if responses != "-" { inputs.append(try Provenance.InputFile(hashingFileAt: responses)) }
      let body = Output(
        instrument: instrument,
        aggregationRules: [
          "mean: mean of respondent means", "meanOfAllAnswers: mean of all valid answers",
        ],
        belowMinimum: belowMinimum, rows: rows)
      print(
        try ProvenancedDocument(
          provenance: Provenance(commandLine: CommandLine.arguments, inputs: inputs), body: body
        ).jsonString())
    case (_, .wide):
      var table: [[String]: [String: Double?]] = [:]
      var order: [[String]] = []
      for row in rows {
        let key = levels.map { row.cell[$0] ?? "" }
        if table[key] == nil {
          table[key] = [:]
          order.append(key)
        }
        table[key]?[row.area] = row.mean
      }
      print((levels + areas).joined(separator: format == .csv ? "," : "\t"))
      for key in order {
        let values = areas.map { num((table[key]?[$0]) ?? nil) }
        print((key.map(csvField) + values).joined(separator: format == .csv ? "," : "\t"))
      }
    case (_, .tidy):
      let header =
        levels + [
          "area", "n", "mean", "sd", "se", "ci_lower", "ci_upper", "mean_of_all_answers",
          "answer_count", "suppressed",
        ]
      print(header.joined(separator: format == .csv ? "," : "\t"))
      for row in rows {
        let fields =
          levels.map { csvField(row.cell[$0] ?? "") } + [
            row.area, "\(row.n)", num(row.mean), num(row.sd), num(row.se),
            num(row.confidenceInterval?[0]),
            num(row.confidenceInterval?[1]), num(row.meanOfAllAnswers), "\(row.answerCount)",
            row.suppressed ? "true" : "false",
          ]
        print(fields.joined(separator: format == .csv ? "," : "\t"))
      }
    }
  }

  func emitRespondents(_ scores: RespondentScores) throws {
    let sep = format == .csv ? "," : "\t"
    print(
      (["school", "respondent", "group", "wave", "hub", "teacher"] + scores.areas).joined(
        separator: sep))
    for (row, unit) in scores.units.enumerated() {
      let ids = [
        unit.school, unit.respondent, unit.group, unit.wave, unit.hub ?? "", unit.teacher ?? "",
      ]
      let values = (0..<scores.areas.count).map { a -> String in
        let v = scores.values[row, a]
        return v.isNaN ? "" : String(format: "%.6f", v)
      }
      print((ids.map(csvField) + values).joined(separator: sep))
    }
  }

  func csvField(_ s: String) -> String {
    s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" })
      ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
  }
}
