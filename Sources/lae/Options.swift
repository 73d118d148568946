import ArgumentParser
import LearningAnalytics

/// Output format of a subcommand.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
  case table
  case json
}

/// Options every analysis subcommand shares.
struct CommonOptions: ParsableArguments {
  @Option(name: .customLong("format"), help: "Output format: table or json.")
  var format: OutputFormat = .table

  @Option(
    name: .customLong("blas-threads"),
    help: "Threads BLAS may use (default 1; raise only for single large dense operations).")
  var blasThreads: Int?

  func validate() throws {
    if let n = blasThreads, n < 1 {
      throw ValidationError("--blas-threads must be at least 1, got \(n).")
    }
  }

  /// Applies the BLAS threading policy: 1 thread unless asked for more.
  func applyThreading() {
    BLASConfiguration.setThreadCount(blasThreads ?? 1)
  }
}

/// Prints a library error the way compilers do and exits with code 1.
func fail(_ error: any Error) -> ExitCode {
  FileHandleOutput.standardError("lae: error: \(error)")
  return ExitCode(1)
}
