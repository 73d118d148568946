import ArgumentParser
import Foundation
import LearningAnalytics

/// `lae`: the learning analytics engine's command-line tool.
///
/// Thin by design: each subcommand parses flags, calls the library, and prints. Exit codes:
/// 0 success, 1 a problem with the data or model (message on standard error), 64 a usage error.
@main
struct LAE: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "lae",
    abstract: "Learning analytics engine: survey and activity-log analytics for school programmes.",
    discussion: """
      Exit codes: 0 success; 1 a problem with the data or model (the message goes to standard \
      error); 64 a usage error (wrong or conflicting flags).
      """,
    version: EngineVersion.string,
    subcommands: [
      Validate.self, Simulate.self, Score.self, Merge.self, ReliabilityCommand.self,
      ClusterCommand.self, Growth.self, Mentor.self, ReportCommand.self, Analyze.self,
      ActivityCommand.self, Doctor.self,
    ]
  )
}
