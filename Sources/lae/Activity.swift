import ArgumentParser
import Foundation
import LearningAnalytics

/// `lae activity`: activity indicators from xAPI statements or a Moodle log.
struct ActivityCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "activity",
    abstract: "Activity indicators from xAPI or Moodle logs: sessions, time on task, adoption.",
    discussion: """
      Actors are pseudonymised with HMAC-SHA-256 under the programme's secret key \
      (--pseudonym-key-file or LAE_PSEUDONYM_KEY_FILE); no e-mail address, name or IP enters \
      the output. Sessions end at an inactivity gap longer than --session-gap (a gap exactly at \
      the threshold continues the session); time on task sums the gaps within sessions, each \
      capped at --gap-cap; the settings are printed with the results. Rejected statements are \
      printed as warnings (FILE:LINE:COLUMN) and fail the command only with --strict.
      """)

  enum PeriodChoice: String, ExpressibleByArgument, CaseIterable {
    case week, wave, all
  }

  enum Format: String, ExpressibleByArgument, CaseIterable {
    case table, json, csv
  }

  @Option(help: "Log: xAPI JSON Lines or JSON array, or a Moodle standard log CSV.")
  var logs: String

  @Option(help: "Roster CSV (schools with hubs and time zones; teachers' log identities).")
  var roster: String?

  @Option(help: "table, json or csv.")
  var format: Format = .table

  @Option(help: "Inactivity gap that ends a session, in minutes.")
  var sessionGap: Double = 30

  @Option(help: "Most time-on-task credit for one gap, in minutes (default: the session gap).")
  var gapCap: Double?

  @Option(help: "Rows per week (ISO, local time), wave, or all.")
  var period: PeriodChoice = .week

  @Option(help: "Wave start dates, YYYY-MM-DD (UTC midnight), comma-separated; for --period wave.")
  var waveStarts: String?

  @Option(help: "Active days a teacher needs in a period to count as an adopter.")
  var adoptionDays: Int = 1

  @Option(help: "Threads sorting events by time (default 1; the results do not depend on it).")
  var threads: Int = 1

  @Option(help: "File holding the programme's secret pseudonym key (at least 16 bytes).")
  var pseudonymKeyFile: String?

  @Flag(help: "Plain SHA-256 pseudonyms without a key: reversible, for synthetic data only.")
  var unkeyed = false

  @Option(help: "Stop after this many problems in the log.")
  var maxErrors: Int = 100

  @Flag(help: "Fail (exit 1) when any statement or row is rejected.")
  var strict = false

  @Flag(help: "Print reading and indicator times to standard error.")
  var timing = false

  @Option(help: .hidden)
  var benchReplicate: Int = 1

  var keyFile: String? {
    pseudonymKeyFile
      ?? ProcessInfo.processInfo.environment["LAE_PSEUDONYM_KEY_FILE"].flatMap {
        $0.isEmpty ? nil : $0
      }
  }

  func validate() throws {
    guard sessionGap > 0 else { throw ValidationError("--session-gap must be positive.") }
    if let gapCap, gapCap < 0 { throw ValidationError("--gap-cap must be >= 0.") }
    guard adoptionDays >= 1 else { throw ValidationError("--adoption-days must be at least 1.") }
    guard maxErrors >= 1 else { throw ValidationError("--max-errors must be at least 1.") }
    guard threads >= 1 else { throw ValidationError("--threads must be at least 1.") }
    guard benchReplicate >= 1 else { throw ValidationError("--bench-replicate must be >= 1.") }
    if unkeyed && pseudonymKeyFile != nil {
      throw ValidationError("--unkeyed and --pseudonym-key-file exclude each other.")
    }
    if !unkeyed && keyFile == nil {
      throw ValidationError(
        "lae activity keeps pseudonymous actor ids, so it needs the programme's secret key: "
          + "pass --pseudonym-key-file FILE or set LAE_PSEUDONYM_KEY_FILE. Without a key, "
          + "ids could be reversed by hashing a list of e-mail addresses; for synthetic data "
          + "only, --unkeyed uses plain SHA-256.")
    }
    if period == .wave && waveStarts == nil {
      throw ValidationError("--period wave needs --wave-starts YYYY-MM-DD,YYYY-MM-DD,...")
    }
    if waveStarts != nil && period != .wave {
      throw ValidationError("--wave-starts goes with --period wave.")
    }
  }

  func parsedWaveStarts() throws -> [Int64] {
    try (waveStarts ?? "").split(separator: ",").map { part in
      let text = part.trimmingCharacters(in: .whitespaces) + "T00:00:00Z"
      guard let ms = Timestamp.millisecondsSinceEpoch(text) else {
        throw ValidationError("--wave-starts: '\(part)' is not a date YYYY-MM-DD.")
      }
      return ms
    }
  }

  struct Output: Encodable {
    let log: LogValidationReport
    let indicators: ActivityIndicators.Result
  }

  func run() throws {
    do {
      let pseudonymizer = try keyFile.map { try Pseudonymizer(keyFile: $0) } ?? .unkeyed
      var rosterValue: Roster?
      if let roster {
        let result = try RosterReader(maxErrors: maxErrors).read(roster)
        if !result.report.isClean { FileHandleOutput.standardError(result.report.text) }
        rosterValue = result.roster
      }
      let readStart = Date()
      let readCPU = processCPUSeconds()
      let log = try LogReader.read(
        logs, roster: rosterValue, pseudonymizer: pseudonymizer, maxErrors: maxErrors)
      let readSeconds = Date().timeIntervalSince(readStart)
      let readCPUSeconds = processCPUSeconds() - readCPU
      for issue in log.report.issues {
        FileHandleOutput.standardError(
          "\(issue.file):\(issue.line):\(issue.column): warning: \(issue.message)")
      }
      let periodSetting: ActivityIndicators.Period
      switch period {
      case .week: periodSetting = .week
      case .all: periodSetting = .all
      case .wave: periodSetting = .waves(starts: try parsedWaveStarts())
      }
      let indicators = ActivityIndicators(
        sessionGap: Int64((sessionGap * 60).rounded()),
        maxGapCredit: gapCap.map { Int64(($0 * 60).rounded()) }, period: periodSetting,
        adoptionDays: adoptionDays, threads: threads)
      let table = benchReplicate > 1 ? log.table._replicated(benchReplicate) : log.table
      let indicatorStart = Date()
      let indicatorCPU = processCPUSeconds()
      let result = try indicators.compute(table, roster: rosterValue)
      if timing {
        let bytes = (try? FileManager.default.attributesOfItem(atPath: logs)[.size] as? Int) ?? 0
        let indicatorSeconds = Date().timeIntervalSince(indicatorStart)
        let indicatorCPUSeconds = processCPUSeconds() - indicatorCPU
        FileHandleOutput.standardError(
          String(
            format: "timing: read %d statements (%.1f MB) into %d events in %.3f s = %.1f MB/s "
              + "(CPU %.3f s = %.1f MB/s); indicators for %d events (%d rows) in %.3f s (CPU %.3f s)",
            log.report.read, Double(bytes) / 1e6, log.table.count, readSeconds,
            Double(bytes) / readSeconds / 1e6, readCPUSeconds, Double(bytes) / readCPUSeconds / 1e6,
            table.count, result.rows.count, indicatorSeconds, indicatorCPUSeconds))
      }
      switch format {
      case .json:
        var files = [try Provenance.InputFile(hashingFileAt: logs)]
        if let roster { files.append(try Provenance.InputFile(hashingFileAt: roster)) }
        let document = ProvenancedDocument(
          provenance: Provenance(commandLine: CommandLine.arguments, inputs: files),
          body: Output(log: log.report, indicators: result))
        print(try document.jsonString())
      case .csv, .table:
        print(ActivityText.render(result, log: log, csv: format == .csv))
      }
      if strict && !log.report.isClean { throw ExitCode(1) }
    } catch let exit as ExitCode {
      throw exit
    } catch {
      throw fail(error)
    }
  }
}

/// Table and CSV rendering of activity indicators.
enum ActivityText {
  static let columns = [
    "level", "unit", "school", "hub", "period", "teachers", "active_teachers", "events",
    "active_days", "sessions", "time_on_task_h", "tools", "verbs", "regularity", "adoption",
    "completion", "success", "mean_scaled",
  ]

  static func cells(_ r: ActivityIndicators.Row) -> [String] {
    func f(_ x: Double?, _ digits: Int = 3) -> String {
      x.map { fixedPoint($0, digits: digits) } ?? ""
    }
    return [
      r.level.rawValue,
      r.unit.count > 16 && r.level == .teacher ? String(r.unit.prefix(16)) : r.unit,
      r.school ?? "", r.hub ?? "", r.period, "\(r.teachers)", "\(r.activeTeachers)", "\(r.events)",
      "\(r.activeDays)", "\(r.sessions)", f(r.timeOnTaskSeconds / 3600, 2), "\(r.distinctTools)",
      "\(r.distinctVerbs)", f(r.regularity), f(r.adoptionRate), f(r.completionRate),
      f(r.successRate), f(r.meanScaled),
    ]
  }

  static func render(_ result: ActivityIndicators.Result, log: ActivityLog, csv: Bool) -> String {
    let settings =
      "sessions end at gaps > \(minutes(result.sessionGapSeconds)) min; time on task credits "
      + "gaps up to \(minutes(result.maxGapCreditSeconds)) min within a session (last event "
      + "of a session adds 0); period: \(result.period); adopters: >= \(result.adoptionDays) "
      + "active day(s)"
    if csv {
      // One string grown in place: no per-row arrays of joined lines (a million rows).
      var out = (columns + ["session_gap_min", "gap_cap_min"]).joined(separator: ",")
      out.reserveCapacity(result.rows.count * 96)
      let tail = "," + minutes(result.sessionGapSeconds) + "," + minutes(result.maxGapCreditSeconds)
      for r in result.rows {
        var c = cells(r)
        c[1] = r.unit
        out += "\n"
        for (k, cell) in c.enumerated() {
          if k > 0 { out += "," }
          out += csvField(cell)
        }
        out += tail
      }
      return out
    }
    let body = [columns] + result.rows.map(cells)
    var widths = [Int](repeating: 0, count: columns.count)
    for row in body { for (k, c) in row.enumerated() { widths[k] = max(widths[k], c.count) } }
    var lines = [
      "\(log.report.file): \(log.table.count) events (\(log.report.format)); \(settings).",
      "\(result.unmatchedActors) actor(s) not in the roster.",
    ]
    for row in body {
      lines.append(
        row.enumerated().map { k, c in
          k < 5
            ? c + String(repeating: " ", count: widths[k] - c.count)
            : String(repeating: " ", count: widths[k] - c.count) + c
        }.joined(separator: "  "))
    }
    return lines.joined(separator: "\n")
  }

  static func minutes(_ seconds: Int64) -> String {
    seconds % 60 == 0 ? "\(seconds / 60)" : fixedPoint(Double(seconds) / 60, digits: 2)
  }
}

/// CPU time of this process so far (user + system), for --timing next to wall time: other
/// processes on the machine inflate wall time, much less CPU time.
func processCPUSeconds() -> Double {
  var t = timespec()
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
  return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
}
