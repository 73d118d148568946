import ArgumentParser
import LearningAnalytics

/// `lae doctor`: versions, BLAS/LAPACK/NLopt configuration, and numerical self-checks.
struct Doctor: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "doctor",
    abstract: "Report versions, the BLAS/LAPACK/NLopt configuration, and run self-checks.",
    discussion: "Exits 1 when a self-check fails.")

  @OptionGroup var common: CommonOptions

  func run() throws {
    common.applyThreading()
    let report = EnvironmentReport.collect()
    switch common.format {
    case .table:
      print(report.text)
    case .json:
      let document = ProvenancedDocument(
        provenance: Provenance(commandLine: CommandLine.arguments), body: report)
      do { print(try document.jsonString()) } catch { throw fail(error) }
    }
    if !report.allPassed { throw ExitCode(1) }
  }
}
