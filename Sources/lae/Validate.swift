import ArgumentParser
import Foundation
import LearningAnalytics

/// `lae validate`: check survey responses (and a roster) against an instrument.
struct Validate: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "validate",
    abstract: "Check survey responses against an instrument and a roster.",
    discussion: """
      Problems are printed as FILE:LINE:COLUMN: error: message, followed by rows read, \
      accepted and rejected. Exits 1 when any row is rejected. With --logs, checks xAPI \
      statements or a Moodle log; it keeps nothing, so it needs no pseudonym key.
      """)

  @Option(
    help:
      "Instrument: a JSON file, or a bundled id (school-self-reflection, teacher-self-reflection, school-maturity-mirror)."
  )
  var instrument: String?

  @Option(help: "Responses CSV (long or wide layout); '-' reads standard input.")
  var responses: String?

  @Option(help: "Activity log: xAPI JSON Lines or JSON array, or a Moodle standard log CSV.")
  var logs: String?

  @Option(help: "Roster CSV (schools with hubs, teachers).")
  var roster: String?

  @Option(help: "Layout of the responses: automatic, long or wide.")
  var layout: SurveyReader.Layout = .automatic

  @Option(help: "Field delimiter (one ASCII character).")
  var delimiter: String = ","

  @Flag(help: "Numbers use a decimal comma (3,5).")
  var decimalComma = false

  @Option(help: "Stop after this many problems (1 stops at the first).")
  var maxErrors: Int = 100

  @OptionGroup var common: CommonOptions

  func validate() throws {
    if logs == nil || instrument != nil || responses != nil {
      guard instrument != nil, responses != nil else {
        throw ValidationError("give --instrument and --responses, or --logs, or all three.")
      }
    }
    guard maxErrors >= 1 else { throw ValidationError("--max-errors must be at least 1.") }
    guard delimiter.count == 1, let c = delimiter.first, c.isASCII, c != "\"", c != "\n" else {
      throw ValidationError(
        "--delimiter must be one ASCII character other than a quote or a line break.")
    }
  }

  struct Output: Encodable {
    let instrument: String?
    let reports: [ValidationReport]
    let logReports: [LogValidationReport]?
  }

  func run() throws {
    common.applyThreading()
    do {
      var logReports: [LogValidationReport] = []
      if let logs {
        logReports.append(
          try LogReader.read(logs, pseudonymizer: nil, maxErrors: maxErrors).report)
      }
      guard let instrument, let responses else {
        switch common.format {
        case .table: print(logReports.map(\.text).joined(separator: "\n"))
        case .json:
          let files = try [logs].compactMap { $0 }.map {
            try Provenance.InputFile(hashingFileAt: $0)
          }
          let document = ProvenancedDocument(
            provenance: Provenance(commandLine: CommandLine.arguments, inputs: files),
            body: Output(instrument: nil, reports: [], logReports: logReports))
          print(try document.jsonString())
        }
        if logReports.contains(where: { !$0.isClean }) { throw ExitCode(1) }
        return
      }
      let definition = try Instrument.named(instrument)
      var reports: [ValidationReport] = []
      var rosterValue: Roster?
      var inputs: [String] = []
      if let roster {
        let result = try RosterReader(delimiter: delimiter.first ?? ",", maxErrors: maxErrors).read(
          roster)
        reports.append(result.report)
        rosterValue = result.roster
        inputs.append(roster)
      }
      let reader = SurveyReader(
        layout: layout, delimiter: delimiter.first ?? ",", decimalComma: decimalComma,
        maxErrors: maxErrors)
      let result = try reader.read(responses, instrument: definition, roster: rosterValue)
      reports.append(result.report)
      if responses != "-" { inputs.append(responses) }
      switch common.format {
      case .table:
        print((reports.map(\.text) + logReports.map(\.text)).joined(separator: "\n"))
      case .json:
        if let logs { inputs.append(logs) }
        var files = try inputs.map { try Provenance.InputFile(hashingFileAt: $0) }
        if FileManager.default.fileExists(atPath: instrument) {
          files.insert(try Provenance.InputFile(hashingFileAt: instrument), at: 0)
        }
        let document = ProvenancedDocument(
          provenance: Provenance(commandLine: CommandLine.arguments, inputs: files),
          body: Output(
            instrument: definition.id, reports: reports,
            logReports: logs == nil ? nil : logReports))
        print(try document.jsonString())
      }
      if reports.contains(where: { !$0.isClean }) || logReports.contains(where: { !$0.isClean }) {
        throw ExitCode(1)
      }
    } catch let exit as ExitCode {
      throw exit
    } catch {
      throw fail(error)
    }
  }
}

extension SurveyReader.Layout: ExpressibleByArgument {}
