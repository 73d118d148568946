import ArgumentParser
import Foundation
import LearningAnalytics

/// `lae analyze`: the whole pipeline on a programme's files, into one folder.
struct Analyze: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "analyze",
    abstract:
      "Run the whole analysis (validate, score, reliability, mentoring, report) into a folder.",
    discussion: """
      Writes validation.txt, scores.csv, school-scores-wide.csv, score-details.json (group \
      gaps, wave changes), reliability.json, mentoring.json, report.html/.md/.json and \
      summary.txt. Every choice has a default; --config C.json overrides any of them \
      (minimumValidItems, suppression, suppressionByGroup, divergence, mentoringCapacity, \
      mentoringMinimumGap, mentorShare, schoolReports).
      """)

  @Option(help: "Instrument: a JSON file or a bundled id.")
  var instrument: String

  @Option(help: "Responses CSV (long or wide layout).")
  var responses: String

  @Option(help: "Roster CSV (schools with hubs, teachers).")
  var roster: String?

  @Option(help: "Configuration JSON (any subset of the settings).")
  var config: String?

  @Option(help: "Output folder.")
  var out: String

  func run() throws {
    BLASConfiguration.setThreadCount(1)
    do {
      let settings = try config.map { try ProgrammeAnalysis.Configuration.load($0) }
      let analysis = ProgrammeAnalysis(configuration: settings ?? .init())
      let summary = try analysis.run(
        instrument: instrument, responses: responses, roster: roster, output: out)
      print(summary.text)
    } catch {
      throw fail(error)
    }
  }
}
