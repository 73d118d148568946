import Foundation

/// The whole analysis of a programme in one call: validation, scores, reliability, mentoring,
/// activity indicators (with an activity log) and the report, written into a folder (`lae analyze`, and `make demo`).
///
/// ```swift
/// var config = ProgrammeAnalysis.Configuration()
/// config.mentoringCapacity = 3
/// let summary = try ProgrammeAnalysis(configuration: config).run(
///   instrument: "school-self-reflection", responses: "responses.csv", roster: "roster.csv",
///   output: "analysis")
/// print(summary.text)
/// ```
///
/// Every choice has a default that a researcher would pick and can be overridden in a JSON
/// configuration file (``Configuration``, every field optional).
public struct ProgrammeAnalysis: Sendable {
  /// Settings; a JSON file may give any subset of them.
  public struct Configuration: Sendable, Codable, Equatable {
    /// Valid items an area score needs (default: half of the area's items for the group).
    public var minimumValidItems: Int?
    /// Smallest publishable cell (default 5).
    public var suppression: Int
    /// Per-group thresholds (for example `{"leader": 3}`).
    public var suppressionByGroup: [String: Int]
    /// Gap between respondent groups flagged as divergent (default 0.5).
    public var divergence: Double
    /// Mentees per mentor (default 2).
    public var mentoringCapacity: Int
    /// Smallest lead for an area to count in mentoring (default 0.5).
    public var mentoringMinimumGap: Double
    /// Share of each hub proposed as mentors (default 1/3).
    public var mentorShare: Double
    /// Schools that get their own report (default: none; `["*"]` for every school).
    public var schoolReports: [String]
    /// Activity log (xAPI JSON Lines or array, or a Moodle log CSV), when not given to
    /// ``ProgrammeAnalysis/run(instrument:responses:roster:logs:pseudonymizer:output:progress:)``.
    public var logs: String?
    /// File holding the programme's secret pseudonym key, for the activity log (when no
    /// pseudonymizer is given to `run`).
    public var pseudonymKeyFile: String?
    /// Inactivity gap that ends an activity session, in minutes (default 30).
    public var sessionGapMinutes: Double

    /// The defaults.
    public init() {
      minimumValidItems = nil
      suppression = 5
      suppressionByGroup = [:]
      divergence = 0.5
      mentoringCapacity = 2
      mentoringMinimumGap = 0.5
      mentorShare = 1.0 / 3
      schoolReports = []
      logs = nil
      pseudonymKeyFile = nil
      sessionGapMinutes = 30
    }

    public init(from decoder: any Decoder) throws {
      let c = try decoder.container(keyedBy: CodingKeys.self)
      let d = Configuration()
      minimumValidItems = try c.decodeIfPresent(Int.self, forKey: .minimumValidItems)
      suppression = try c.decodeIfPresent(Int.self, forKey: .suppression) ?? d.suppression
      suppressionByGroup =
        try c.decodeIfPresent([String: Int].self, forKey: .suppressionByGroup) ?? [:]
      divergence = try c.decodeIfPresent(Double.self, forKey: .divergence) ?? d.divergence
      mentoringCapacity =
        try c.decodeIfPresent(Int.self, forKey: .mentoringCapacity) ?? d.mentoringCapacity
      mentoringMinimumGap =
        try c.decodeIfPresent(Double.self, forKey: .mentoringMinimumGap) ?? d.mentoringMinimumGap
      mentorShare = try c.decodeIfPresent(Double.self, forKey: .mentorShare) ?? d.mentorShare
      schoolReports = try c.decodeIfPresent([String].self, forKey: .schoolReports) ?? []
      logs = try c.decodeIfPresent(String.self, forKey: .logs)
      pseudonymKeyFile = try c.decodeIfPresent(String.self, forKey: .pseudonymKeyFile)
      sessionGapMinutes =
        try c.decodeIfPresent(Double.self, forKey: .sessionGapMinutes) ?? d.sessionGapMinutes
    }

    /// Reads a configuration file.
    ///
    /// - Throws: ``IngestError/invalidDefinition(path:reason:)`` naming the file and the
    ///   problem (unknown key, wrong type).
    public static func load(_ path: String) throws -> Configuration {
      let data: Data
      do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
        throw IngestError.unreadableFile(path: path, reason: error.localizedDescription)
      }
      if let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] {
        let known = Set(CodingKeys.allCases.map(\.rawValue))
        if let unknown = object.keys.sorted().first(where: { !known.contains($0) }) {
          throw IngestError.invalidDefinition(
            path: path,
            reason: "unknown setting '\(unknown)'; known: "
              + known.sorted().joined(separator: ", "))
        }
      }
      do { return try JSONDecoder().decode(Configuration.self, from: data) } catch {
        throw IngestError.invalidDefinition(path: path, reason: "\(error)")
      }
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
      case minimumValidItems, suppression, suppressionByGroup, divergence, mentoringCapacity
      case mentoringMinimumGap, mentorShare, schoolReports, logs, pseudonymKeyFile
      case sessionGapMinutes
    }
  }

  /// What was done and where it was written.
  public struct Summary: Sendable {
    /// Files written, relative to the output folder.
    public let files: [String]
    /// A short text for the terminal.
    public let text: String
  }

  /// The settings.
  public var configuration: Configuration

  /// Creates an analysis.
  public init(configuration: Configuration = Configuration()) {
    self.configuration = configuration
  }

  /// The steps of ``run(instrument:responses:roster:logs:pseudonymizer:output:progress:)``,
  /// in order, as its `progress` callback names them.
  public static let steps = [
    "reading responses", "scoring", "reliability", "mentoring", "activity indicators",
    "programme report", "school reports",
  ]

  /// Runs every step on the files given and writes the results into `output`.
  ///
  /// With an activity log (`logs`, or ``Configuration/logs``), actors are pseudonymised by
  /// `pseudonymizer` (or the key in ``Configuration/pseudonymKeyFile``); the log is
  /// validated (`activity-validation.txt`, rejected statements do not stop the analysis),
  /// weekly indicators per teacher, school and hub are written to `activity.csv`, and the
  /// reports get an "Activity over time" section. A log without the roster cannot be
  /// attributed to schools, so its section says so.
  ///
  /// - Parameter progress: called before each step with its name (one of ``steps``), its
  ///   index and the number of steps; the CLI draws a progress bar from it.
  /// - Throws: the first error of a step that cannot go on (unreadable or invalid inputs, a
  ///   log without a pseudonym key); rejected rows do not stop the analysis and are listed
  ///   in `validation.txt`.
  public func run(
    instrument instrumentPath: String, responses: String, roster rosterPath: String? = nil,
    logs logsArgument: String? = nil, pseudonymizer: Pseudonymizer? = nil, output: String,
    progress: ((_ step: String, _ index: Int, _ count: Int) -> Void)? = nil
  ) throws -> Summary {
    let config = configuration
    func step(_ name: String) {
      let i = Self.steps.firstIndex(of: name) ?? 0
      progress?(name, i, Self.steps.count)
    }
    let logs = logsArgument ?? config.logs
    var pseudonymizer = pseudonymizer
    if logs != nil && pseudonymizer == nil {
      guard let keyFile = config.pseudonymKeyFile else {
        throw ActivityError.invalidSetting(
          "the activity log needs the programme's secret pseudonym key: give a key file "
            + "(pseudonymKeyFile in the configuration, or --pseudonym-key-file); for synthetic "
            + "data only, lae analyze --unkeyed uses plain SHA-256.")
      }
      pseudonymizer = try Pseudonymizer(keyFile: keyFile)
    }
    guard config.sessionGapMinutes > 0 else {
      throw ActivityError.invalidSetting(
        "sessionGapMinutes must be positive, got \(config.sessionGapMinutes).")
    }
    step("reading responses")
    let instrument = try Instrument.named(instrumentPath)
    let roster = try rosterPath.map { try RosterReader().read($0).roster }
    let read = try SurveyReader().read(responses, instrument: instrument, roster: roster)
    try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
    let folder = URL(fileURLWithPath: output)
    var files: [String] = []
    func write(_ name: String, _ text: String) throws {
      try Data(text.utf8).write(to: folder.appendingPathComponent(name))
      files.append(name)
    }
    func json(_ value: some Encodable) throws -> String {
      let encoder = JSONEncoder()
      encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
      return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
    try write("validation.txt", read.report.text + "\n")
    // Scores: tidy school x group x wave, and wide school x wave.
    step("scoring")
    let scores = AreaScorer(minimumValidItems: config.minimumValidItems).score(read.table)
    let levels: [ScoreAggregation.Level] = [.school, .group, .wave]
    let aggregation = ScoreAggregation(
      levels: levels, suppressionThresholds: config.suppressionByGroup,
      defaultThreshold: config.suppression, divergenceThreshold: config.divergence)
    let summary = ScoreSummary(scores, table: read.table, levels: levels)
    let rows = aggregation.aggregate(summary)
    var tidy = "school,group,wave,area,n,mean,sd,se,ci_lower,ci_upper,suppressed\n"
    func num(_ x: Double?) -> String { x.map { String(format: "%.6f", $0) } ?? "" }
    for r in rows {
      tidy +=
        [
          r.cell["school"] ?? "", r.cell["group"] ?? "", r.cell["wave"] ?? "", r.area, "\(r.n)",
          num(r.mean), num(r.sd), num(r.se), num(r.confidenceInterval?[0]),
          num(r.confidenceInterval?[1]), r.suppressed ? "true" : "false",
        ].joined(separator: ",") + "\n"
    }
    try write("scores.csv", tidy)
    struct Details: Encodable {
      let gaps: [ScoreAggregation.GroupGap]
      let changes: [ScoreAggregation.WaveChange]
    }
    try write(
      "score-details.json",
      try json(
        Details(gaps: aggregation.groupGaps(summary), changes: aggregation.waveChanges(summary))))
    let schoolLevels: [ScoreAggregation.Level] = [.hub, .school, .wave]
    let schoolRows = ScoreAggregation(levels: schoolLevels, defaultThreshold: 0)
      .aggregate(ScoreSummary(scores, levels: schoolLevels))
    var wide = "school,hub,wave," + scores.areas.joined(separator: ",") + "\n"
    var byCell: [[String]: [String: Double]] = [:]
    var order: [[String]] = []
    for r in schoolRows {
      let key = [r.cell["school"] ?? "", r.cell["hub"] ?? "", r.cell["wave"] ?? ""]
      if byCell[key] == nil { order.append(key) }
      byCell[key, default: [:]][r.area] = r.mean
    }
    for key in order {
      wide += (key + scores.areas.map { num(byCell[key]?[$0]) }).joined(separator: ",") + "\n"
    }
    try write("school-scores-wide.csv", wide)
    // Reliability.
    step("reliability")
    let reliability = AreaReliability.compute(read.table, byGroup: false)
    try write("reliability.json", try json(reliability))
    // Mentoring on the latest wave, within hubs.
    step("mentoring")
    let latest = ScoreSummary.orderWaves(Set(schoolRows.compactMap { $0.cell["wave"] })).last
    var units: [MentoringUnit] = []
    for key in order where key[2] == latest && !key[1].isEmpty {
      units.append(
        MentoringUnit(
          id: key[0], group: key[1], scores: scores.areas.map { byCell[key]?[$0] }))
    }
    let matching = MentorMatching(
      areas: scores.areas, capacity: config.mentoringCapacity,
      minimumGap: config.mentoringMinimumGap, selection: .topShare(config.mentorShare))
    let pairs = try matching.match(units)
    try write("mentoring.json", try json(pairs))
    // Activity: weekly indicators per teacher, school and hub.
    var activity: ActivityIndicators.Result?
    var activityText = ""
    if let logs, let pseudonymizer {
      step("activity indicators")
      let log = try LogReader.read(logs, roster: roster, pseudonymizer: pseudonymizer)
      try write("activity-validation.txt", log.report.text + "\n")
      let result = try ActivityIndicators(
        sessionGap: Int64((config.sessionGapMinutes * 60).rounded()), period: .week
      ).compute(log.table, roster: roster)
      var csv =
        "level,unit,school,hub,period,teachers,active_teachers,events,active_days,sessions,"
        + "time_on_task_h,tools,verbs,regularity,adoption,completion,success,mean_scaled\n"
      for r in result.rows {
        csv +=
          [
            r.level.rawValue, r.unit, r.school ?? "", r.hub ?? "", r.period, "\(r.teachers)",
            "\(r.activeTeachers)", "\(r.events)", "\(r.activeDays)", "\(r.sessions)",
            num(r.timeOnTaskSeconds / 3600), "\(r.distinctTools)", "\(r.distinctVerbs)",
            num(r.regularity), num(r.adoptionRate), num(r.completionRate), num(r.successRate),
            num(r.meanScaled),
          ].joined(separator: ",") + "\n"
      }
      try write("activity.csv", csv)
      activity = result
      let matched = result.rows.filter { $0.level == .teacher && $0.school != nil }
      activityText =
        "\nActivity: \(log.report.accepted) of \(log.report.read) statements accepted, "
        + "\(Set(matched.map(\.unit)).count) roster teachers active, "
        + "\(result.unmatchedActors) actors not in the roster."
    }
    // Reports.
    step("programme report")
    let report = try ProgrammeReport(
      table: read.table, mentoring: pairs, suppression: config.suppression, activity: activity)
    try write("report.html", report.html)
    try write("report.md", report.markdown)
    try report.data.write(to: folder.appendingPathComponent("report.json"))
    files.append("report.json")
    let schools =
      config.schoolReports == ["*"] ? read.table.schools : config.schoolReports
    step("school reports")
    for school in schools {
      let r = try ProgrammeReport(
        table: read.table, mentoring: pairs, school: school, suppression: config.suppression,
        activity: activity)
      try write("school-\(school).html", r.html)
    }
    let alphas = reliability.compactMap { $0.reliability?.rawAlpha }
    let text = """
      \(read.report.rowsRead) rows read, \(read.report.rowsRejected) rejected; \
      \(read.table.schools.count) schools, \(scores.count) responses, \
      waves \(ScoreSummary.orderWaves(Set(read.table.waves)).joined(separator: ", ")).
      Reliability: alpha \(String(format: "%.2f", alphas.min() ?? .nan)) to \
      \(String(format: "%.2f", alphas.max() ?? .nan)) over \(alphas.count) areas.
      Mentoring: \(pairs.pairs.count) pairs, \(pairs.unmatched.count) mentees unmatched.\(activityText)
      Report: \(folder.appendingPathComponent("report.html").path)
      """
    try write("summary.txt", text + "\n")
    return Summary(files: files, text: text)
  }
}
