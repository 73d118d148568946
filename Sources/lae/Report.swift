import ArgumentParser
import Foundation
import LearningAnalytics

/// `lae report`: the programme report, or one school's, as HTML, Markdown and JSON.
struct ReportCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "report",
    abstract: "Write the programme report (or one school's): HTML with SVG charts, Markdown, JSON.",
    discussion: """
      The HTML is one self-contained file (no scripts, external styles, images or fonts); \
      every chart has a title and a text alternative, and report.json holds the data behind \
      every chart. Mentoring pairs are proposed from the latest wave's school scores within \
      hubs (as lae mentor with its defaults) unless --no-mentoring is given.
      """)

  @Option(help: "Instrument: a JSON file or a bundled id.")
  var instrument: String

  @Option(help: "Responses CSV (long or wide layout).")
  var responses: String

  @Option(help: "Roster CSV (schools' hubs when the responses have no hub column).")
  var roster: String?

  @Option(help: "Write this school's report instead of the programme's.")
  var school: String?

  @Option(help: "Output folder.")
  var out: String = "report"

  @Option(help: "Smallest publishable cell (default 5).")
  var suppress: Int = 5

  @Flag(help: "Leave out the mentoring pairs.")
  var noMentoring = false

  @OptionGroup var progress: ProgressOptions

  func validate() throws {
    guard suppress >= 0 else { throw ValidationError("--suppress must not be negative.") }
  }

  func run() throws {
    BLASConfiguration.setThreadCount(1)
    do {
      let definition = try Instrument.named(instrument)
      let rosterValue = try roster.map { try RosterReader().read($0).roster }
      let read = try readResponses(
        responses, instrument: definition, roster: rosterValue, progress: progress)
      if !read.report.isClean {
        FileHandleOutput.standardError(read.report.text)
        FileHandleOutput.standardError("lae: warning: rejected rows are left out of the report.")
      }
      var pairs: MentorMatching.Result?
      if !noMentoring {
        let scores = AreaScorer().score(read.table)
        let rows = ScoreAggregation(levels: [.hub, .school, .wave], defaultThreshold: 0)
          .aggregate(ScoreSummary(scores, levels: [.hub, .school, .wave]))
        let latest = ScoreSummary.orderWaves(Set(rows.compactMap { $0.cell["wave"] })).last
        var units: [String: (hub: String, scores: [String: Double])] = [:]
        for r in rows where r.cell["wave"] == latest {
          let id = r.cell["school"] ?? ""
          units[id, default: (r.cell["hub"] ?? "", [:])].scores[r.area] = r.mean
        }
        let matching = MentorMatching(areas: scores.areas)
        pairs = try matching.match(
          units.filter { !$0.value.hub.isEmpty }.map { id, u in
            MentoringUnit(id: id, group: u.hub, scores: scores.areas.map { u.scores[$0] })
          })
      }
      let report = try ProgrammeReport(
        table: read.table, mentoring: pairs, school: school, suppression: suppress)
      try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
      let stem = school.map { "school-\($0)" } ?? "report"
      let base = URL(fileURLWithPath: out)
      let html = base.appendingPathComponent("\(stem).html")
      try Data(report.html.utf8).write(to: html)
      try Data(report.markdown.utf8).write(to: base.appendingPathComponent("\(stem).md"))
      try report.data.write(to: base.appendingPathComponent("\(stem).json"))
      print("wrote \(html.path) (and \(stem).md, \(stem).json)")
    } catch {
      throw fail(error)
    }
  }
}
