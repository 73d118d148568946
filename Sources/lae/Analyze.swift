import ArgumentParser
import Foundation
import LearningAnalytics

/// `lae analyze`: the whole pipeline on a programme's files, into one folder.
struct Analyze: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "analyze",
    abstract:
      "Run the whole analysis (validate, score, reliability, mentoring, activity, report) into a folder.",
    discussion: """
      Writes validation.txt, scores.csv, school-scores-wide.csv, score-details.json (group \
      gaps, wave changes), reliability.json, mentoring.json, report.html/.md/.json and \
      summary.txt; with --logs also activity-validation.txt and activity.csv (weekly \
      indicators per teacher, school and hub; actors pseudonymised with the key of \
      --pseudonym-key-file or LAE_PSEUDONYM_KEY_FILE), and the reports show activity over \
      time. Every choice has a default; --config C.json overrides any of them \
      (minimumValidItems, suppression, suppressionByGroup, divergence, mentoringCapacity, \
      mentoringMinimumGap, mentorShare, schoolReports, logs, pseudonymKeyFile, \
      sessionGapMinutes); options given here override the file.
      """)

  @Option(help: "Instrument: a JSON file or a bundled id.")
  var instrument: String

  @Option(help: "Responses CSV (long or wide layout).")
  var responses: String

  @Option(help: "Roster CSV (schools with hubs, teachers and their log identities).")
  var roster: String?

  @Option(help: "Activity log: xAPI JSON Lines or array, or a Moodle standard log CSV.")
  var logs: String?

  @Option(help: "File holding the programme's secret pseudonym key (for --logs).")
  var pseudonymKeyFile: String?

  @Flag(help: "Plain SHA-256 pseudonyms without a key: reversible, for synthetic data only.")
  var unkeyed = false

  @Option(help: "Configuration JSON (any subset of the settings).")
  var config: String?

  @Option(help: "Output folder.")
  var out: String

  @OptionGroup var progress: ProgressOptions

  func validate() throws {
    if unkeyed && pseudonymKeyFile != nil {
      throw ValidationError("--unkeyed and --pseudonym-key-file exclude each other.")
    }
  }

  func run() throws {
    BLASConfiguration.setThreadCount(1)
    do {
      var settings = try config.map { try ProgrammeAnalysis.Configuration.load($0) } ?? .init()
      if let logs { settings.logs = logs }
      let keyFile =
        pseudonymKeyFile ?? settings.pseudonymKeyFile
        ?? ProcessInfo.processInfo.environment["LAE_PSEUDONYM_KEY_FILE"].flatMap {
          $0.isEmpty ? nil : $0
        }
      var pseudonymizer: Pseudonymizer?
      if settings.logs != nil {
        if unkeyed {
          pseudonymizer = .unkeyed
        } else if let keyFile {
          pseudonymizer = try Pseudonymizer(keyFile: keyFile)
        } else {
          throw ValidationError(
            "--logs keeps pseudonymous actor ids, so it needs the programme's secret key: pass "
              + "--pseudonym-key-file FILE, set LAE_PSEUDONYM_KEY_FILE, or give pseudonymKeyFile "
              + "in the configuration. For synthetic data only, --unkeyed uses plain SHA-256.")
        }
      }
      let analysis = ProgrammeAnalysis(configuration: settings)
      let bar = progress.enabled ? StepProgress(label: "analyze") : nil
      defer { bar?.finish() }
      let summary = try analysis.run(
        instrument: instrument, responses: responses, roster: roster, logs: settings.logs,
        pseudonymizer: pseudonymizer, output: out,
        progress: bar.map { bar -> (String, Int, Int) -> Void in
          { step, index, count in bar.update(step, index, count) }
        })
      bar?.finish()
      print(summary.text)
    } catch let error as ValidationError {
      throw error
    } catch {
      throw fail(error)
    }
  }
}
