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

  /// `lae SUBCOMMAND ARGS…` reads ARGS as that subcommand's alone: by `QuickArguments` where
  /// the subcommand has a quick parse, otherwise by ArgumentParser with the subcommand as
  /// the root, which reflects one command, not the tree of twelve. Whatever these do not
  /// accept (help, a usage error, completion scripts, the version) goes through the whole
  /// tree instead, before anything runs, so messages and exit codes are ArgumentParser's
  /// own; errors of the run itself are reported as the whole tree reports them.
  static func main() {
    let arguments = Array(CommandLine.arguments.dropFirst())
    guard let name = arguments.first else { return main(nil) }
    if let quick = quickParse(name, Array(arguments.dropFirst())) {
      do {
        try quick.run()
      } catch {
        exit(withError: error)
      }
      return
    }
    guard
      let command = configuration.subcommands.first(where: {
        $0.configuration.commandName == name
      })
    else { return main(nil) }
    var parsed: ParsableCommand
    do {
      parsed = try command.parseAsRoot(Array(arguments.dropFirst()))
    } catch {
      return main(nil)
    }
    // Help comes back as ArgumentParser's own help command, for the subcommand as a root.
    guard ObjectIdentifier(type(of: parsed)) == ObjectIdentifier(command) else {
      return main(nil)
    }
    do {
      try parsed.run()
    } catch {
      exit(withError: error)
    }
  }
}
