import ArgumentParser
import Foundation
import LearningAnalytics
internal import _CMalloc

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
    keepFreedMemory()
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

/// Asks the C library's allocator to keep freed memory for reuse instead of returning it to the
/// kernel, and to serve blocks up to 32 MB from its heaps rather than from fresh mappings: the
/// analyses allocate and free many arrays of a few MB (per start, per fit), and every fresh
/// page costs a page fault and a clearing (k-means on 100,000 x 8 with 10 starts: 15,700 page
/// faults to about 10,400). A command-line process exits soon after, so nothing is held long.
func keepFreedMemory() {
  la_keep_freed_memory()
}
