import Foundation
import Testing

/// Runs the built `lae` binary and captures its output and exit code.
struct LAERun {
  let status: Int32
  let standardOutput: String
  let standardError: String

  static var binary: URL {
    // The test bundle sits in the same build folder as the `lae` executable.
    var url = Bundle.main.bundleURL
    for _ in 0..<4 {
      let candidate = url.appendingPathComponent("lae")
      if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
      url.deleteLastPathComponent()
    }
    return Bundle.main.bundleURL.appendingPathComponent("lae")
  }

  init(_ arguments: [String], standardInput: String? = nil) throws {
    try self.init(executable: LAERun.binary, arguments, standardInput: standardInput)
  }

  /// Runs another program (the first element) with the same environment.
  init(shell command: [String]) throws {
    try self.init(executable: URL(fileURLWithPath: command[0]), Array(command.dropFirst()))
  }

  init(executable: URL, _ arguments: [String], standardInput: String? = nil) throws {
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    var environment = ProcessInfo.processInfo.environment
    environment["COLUMNS"] = "100"  // stable help wrapping for snapshots
    process.environment = environment
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    let input = Pipe()
    if standardInput != nil { process.standardInput = input }
    try process.run()
    if let standardInput {
      input.fileHandleForWriting.write(Data(standardInput.utf8))
      try input.fileHandleForWriting.close()
    }
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    let errData = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    status = process.terminationStatus
    standardOutput = String(decoding: outData, as: UTF8.self)
    standardError = String(decoding: errData, as: UTF8.self)
  }
}

@Suite("lae command line", .serialized)
struct CLITests {
  @Test func version() throws {
    let run = try LAERun(["--version"])
    #expect(run.status == 0)
    #expect(run.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines) == "0.1.0")
  }

  @Test func doctorTable() throws {
    let run = try LAERun(["doctor"])
    #expect(run.status == 0, "\(run.standardError)")
    #expect(run.standardOutput.contains("BLAS build:      OpenBLAS"))
    #expect(run.standardOutput.contains("NLopt:"))
    #expect(run.standardOutput.contains("all checks passed"))
  }

  @Test func doctorJSONCarriesProvenance() throws {
    let run = try LAERun(["doctor", "--format", "json"])
    #expect(run.status == 0)
    let object = try JSONSerialization.jsonObject(with: Data(run.standardOutput.utf8))
    let dict = try #require(object as? [String: Any])
    let provenance = try #require(dict["provenance"] as? [String: Any])
    #expect(provenance["laeVersion"] as? String == "0.1.0")
    #expect((provenance["commandLine"] as? [String])?.suffix(3) == ["doctor", "--format", "json"])
    #expect((dict["checks"] as? [Any])?.count == 3)
  }

  @Test func usageErrorsExit64() throws {
    #expect(try LAERun(["doctor", "--bogus"]).status == 64)
    #expect(try LAERun(["doctor", "--format", "xml"]).status == 64)
    #expect(try LAERun(["doctor", "--blas-threads", "0"]).status == 64)
    #expect(try LAERun(["no-such-command"]).status == 64)
  }

  @Test func helpSnapshot() throws {
    let run = try LAERun(["--help"])
    #expect(run.status == 0)
    let expected = """
      OVERVIEW: Learning analytics engine: survey and activity-log analytics for school programmes.

      Exit codes: 0 success; 1 a problem with the data or model (the message goes to standard error); 64
      a usage error (wrong or conflicting flags).

      USAGE: lae <subcommand>

      OPTIONS:
        --version               Show the version.
        -h, --help              Show help information.

      SUBCOMMANDS:
        validate                Check survey responses against an instrument and a roster.
        simulate                Simulate a programme: instrument, roster, responses and the generating
                                truth.
        score                   Area scores: per respondent, or aggregated per school x group x wave with
                                suppression.
        merge                   Merge partial score results (lae score --partial) and print the
                                aggregates.
        reliability             Reliability per area: alpha, standardized alpha, G6, average r, item
                                statistics (as psych::alpha).
        cluster                 Cluster units into profiles: k-means, Gaussian mixtures (as mclust) or
                                Ward.
        growth                  Linear mixed-effects growth models (as lme4's lmer): REML or ML, nested
                                groups.
        mentor                  Propose mentor-mentee pairs within hubs (or schools) from area scores.
        report                  Write the programme report (or one school's): HTML with SVG charts,
                                Markdown, JSON.
        analyze                 Run the whole analysis (validate, score, reliability, mentoring,
                                activity, report) into a folder.
        activity                Activity indicators from xAPI or Moodle logs: sessions, time on task,
                                adoption.
        doctor                  Report versions, the BLAS/LAPACK/NLopt configuration, and run self-checks.

        See 'lae help <subcommand>' for detailed help.
      """
    #expect(run.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines) == expected)
  }

  @Test func growthHelpSnapshot() throws {
    let run = try LAERun(["growth", "--help"])
    #expect(run.status == 0)
    let expected = """
      OPTIONS:
        --data <data>           Data CSV, one row per observation ('-' reads standard input).
        --formula <formula>     Model formula in lme4 syntax.
        --ml                    Fit by maximum likelihood instead of REML.
        --reference <VAR=LEVEL> Reference level of a categorical variable (repeatable).
        --factor <VAR>          Treat a numeric column as categorical (repeatable).
        --compare <compare>     A nested model to compare by a likelihood-ratio test (both refitted by
                                ML).
        --df <df>               Degrees of freedom of t and F tests: satterthwaite (as lmerTest),
                                residual (n - p), or kenward-roger (as pbkrtest: adjusted SEs and scaled
                                F; REML, independent residuals, at most 3,000 observations). (values:
                                satterthwaite, residual, kenward-roger; default: satterthwaite)
        --confidence-level <confidence-level>
                                Coverage of the confidence intervals (Wald or profile; see --ci).
                                (default: 0.95)
        --ci <ci>               Confidence intervals: wald (fixed effects, t quantiles at the tests' df)
                                or profile (profile likelihood as lme4's confint(method = "profile"), for
                                the fixed effects, the random-effect SDs and correlations and the
                                residual SD; independent residuals only). (values: wald, profile;
                                default: wald)
        --residual <residual>   Residual correlation within groups: independent (as lme4), ar1 (as nlme's
                                corAR1, integer times) or car1 (as nlme's corCAR1, any times); ar1 and
                                car1 need --time. (values: independent, ar1, car1; default: independent)
        --time <time>           The time variable of --residual ar1 or car1.
        --residual-group <residual-group>
                                Grouping within which residuals are correlated (default: the finest
                                grouping factor).
        --weights <weights>     Residual variances: none (one variance, as lme4) or varident (one SD per
                                value of --by, as nlme's varIdent; reported as ratios to the first
                                value). (values: none, varident; default: none)
        --by <VAR>              The variable of --weights varident (e.g. wave).
        --strict                Fail (exit 1) on a singular fit or a convergence problem.
        --format <format>       table, json or csv (tidy: one row per component, term and statistic).
                                (values: table, json, csv; default: table)
        --threads <threads>     Threads for the finite-difference derivatives (convergence checks,
                                Satterthwaite's df) and for fingerprinting the input beside the fit
                                (default 1; the numbers do not depend on it). (default: 1)
        --blas-threads <blas-threads>
                                Threads BLAS may use (default 1; raise only for single large dense
                                operations).
        --quiet                 No progress bar (there is none anyway when standard error is not a
                                terminal).
        --version               Show the version.
        -h, --help              Show help information.
      """
    let options = run.standardOutput.components(separatedBy: "OPTIONS:").last ?? ""
    #expect(
      ("OPTIONS:" + options).trimmingCharacters(in: .whitespacesAndNewlines)
        == expected.trimmingCharacters(in: .whitespacesAndNewlines))
  }
}

@Suite("lae activity", .serialized)
struct ActivityCLITests {
  static let logs = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent(
      "Fixtures/logs")

  func path(_ name: String) -> String { Self.logs.appendingPathComponent(name).path }

  @Test func refusesWithoutAKey() throws {
    let run = try LAERun(["activity", "--logs", path("statements.jsonl")])
    #expect(run.status == 64)
    #expect(run.standardError.contains("needs the programme's secret key"))
  }

  @Test func indicatorsAsCSV() throws {
    let run = try LAERun([
      "activity", "--logs", path("moodle.csv"), "--roster", path("roster.csv"),
      "--pseudonym-key-file", path("test.key"), "--format", "csv",
    ])
    #expect(run.status == 0, "\(run.standardError)")
    #expect(
      run.standardOutput.contains("teacher,T001,S01,H1,2024-W10,1,1,2,1,1,0.25,2,2,1.000,,,,,30,30")
    )
    #expect(
      run.standardError.contains("moodle.csv:6:50: warning: crud 'x' is not one of c, r, u, d."))
  }

  @Test func moodleLogOnStandardInput() throws {
    // The reader decides the format from the bytes it read; standard input is not read twice.
    let csv = try String(contentsOfFile: path("moodle.csv"), encoding: .utf8)
    let run = try LAERun(
      [
        "activity", "--logs", "-", "--roster", path("roster.csv"),
        "--pseudonym-key-file", path("test.key"), "--format", "csv",
      ], standardInput: csv)
    #expect(run.status == 0, "\(run.standardError)")
    #expect(
      run.standardOutput.contains("teacher,T001,S01,H1,2024-W10,1,1,2,1,1,0.25,2,2,1.000,,,,,30,30")
    )
    #expect(run.standardError.contains("-:6:50: warning: crud 'x' is not one of c, r, u, d."))
  }

  @Test func validateLogsNeedsNoKey() throws {
    let run = try LAERun(["validate", "--logs", path("statements-array.json")])
    #expect(run.status == 1)
    #expect(
      run.standardOutput.contains(
        "statements-array.json:10:35: error: result.score.scaled 1.2 is outside [-1, 1]."))
  }
}

/// Progress bars are drawn on a terminal only, and never with --quiet.
@Suite("Progress bars", .serialized)
struct ProgressCLITests {
  static let blobs = ClusterCLITests.blobs
  static let sleepstudy = GrowthCLITests.folder.appendingPathComponent("sleepstudy.csv").path
  var grid: [String] {
    [
      "cluster", "--data", Self.blobs, "--columns", ClusterCLITests.columns, "--method", "gmm",
      "--k", "1-4", "--models", "VII,VVV",
    ]
  }
  var growth: [String] {
    [
      "growth", "--data", Self.sleepstudy, "--formula", "Reaction ~ Days + (Days | Subject)",
      "--compare", "Reaction ~ Days + (1 | Subject)",
    ]
  }

  @Test func silentWhenStandardErrorIsNotATerminal() throws {
    for args in [grid, growth, grid + ["--method", "kmeans", "--k", "2-5"]] {
      let run = try LAERun(args)
      #expect(run.status == 0, "\(run.standardError)")
      #expect(run.standardError.isEmpty, "\(args[0]): \(run.standardError)")
    }
  }

  /// Under a pseudo-terminal (util-linux `script`), the bar is drawn and cleared; `--quiet`
  /// removes it.
  @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/script")))
  func drawnOnATerminalUnlessQuiet() throws {
    func onTerminal(_ args: [String]) throws -> String {
      let command = ([LAERun.binary.path] + args).map { "'\($0)'" }.joined(separator: " ")
      return try LAERun(shell: ["/usr/bin/script", "-qec", command, "/dev/null"]).standardOutput
    }
    let drawn = try onTerminal(grid)
    #expect(drawn.contains("fitting [") && drawn.contains("8/8 fits"), "\(drawn)")
    let quiet = try onTerminal(grid + ["--quiet"])
    #expect(!quiet.contains("fitting ["), "\(quiet)")
    #expect(quiet.contains("mclustBIC") || quiet.contains("VII"))
    let growthDrawn = try onTerminal(growth)
    #expect(growthDrawn.contains("growth [") && growthDrawn.contains("refitting both models by ML"))
  }
}
