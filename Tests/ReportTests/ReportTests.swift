import Foundation
import Ingest
import MatrixCore
import Mentoring
import Scoring
import Simulation
import Testing
import _TestSupport

@testable import Report

@Suite("Programme and school reports")
struct ReportTests {
  static func programme() throws -> SurveyTable {
    var simulator = ProgrammeSimulator()
    simulator.schoolCount = 12
    simulator.hubCount = 3
    simulator.waveCount = 2
    var rng = SplitMix64(seed: 31)
    return try simulator.simulate(
      instrument: try Instrument.bundled("school-self-reflection"), using: &rng
    ).responses
  }

  /// The page loads nothing from elsewhere, and every chart is accessible and draws its data.
  func checkPage(_ report: ProgrammeReport) throws {
    let html = report.html
    for forbidden in ["<script", "<link", "<img", "@import", "url(", "src=", "@font-face"] {
      #expect(!html.contains(forbidden), "\(forbidden)")
    }
    let contents = try JSONDecoder().decode(ProgrammeReport.Contents.self, from: report.data)
    #expect(!contents.charts.isEmpty)
    for chart in contents.charts {
      let svg = chart.svg()
      #expect(html.contains(svg), "chart \(chart.id) in the page")
      #expect(svg.contains("<title id=\"\(chart.id)-title\">") && svg.contains("role=\"img\""))
      #expect(svg.contains("<desc id=\"\(chart.id)-desc\">"))
      // One mark per value, carrying the value.
      let marks = svg.components(separatedBy: "<rect class=\"mark\"").dropFirst()
      let values = chart.series.flatMap { $0.values.compactMap { $0 } }
      #expect(marks.count == values.count, "chart \(chart.id)")
      var markValues: [Double] = []
      for mark in marks {
        guard let range = mark.range(of: "data-value=\"") else { continue }
        let rest = mark[range.upperBound...]
        markValues.append(Double(rest.prefix { $0 != "\"" }) ?? .nan)
      }
      #expect(markValues.sorted() == values.sorted(), "chart \(chart.id) values")
      #expect(chart.textAlternative.contains(chart.title))
    }
    #expect(!contents.lines.isEmpty)
    for chart in contents.lines {
      let svg = chart.svg()
      #expect(html.contains(svg), "line chart \(chart.id) in the page")
      #expect(svg.contains("<title id=\"\(chart.id)-title\">") && svg.contains("<desc id="))
      let marks = svg.components(separatedBy: "<circle class=\"mark\"").count - 1
      #expect(marks == chart.series.flatMap { $0.values.compactMap { $0 } }.count)
    }
  }

  @Test func programmeReport() throws {
    let table = try Self.programme()
    let report = try ProgrammeReport(table: table)
    try checkPage(report)
    #expect(report.html.contains("<h2>Hubs</h2>") && report.html.contains("<h2>Reliability"))
    #expect(report.markdown.hasPrefix("# ") && report.markdown.contains("| Hub | Schools |"))
    // The growth section: the fitted line is β₀ + β₁·wave from the fit in the JSON.
    let contents = try JSONDecoder().decode(ProgrammeReport.Contents.self, from: report.data)
    let beta = try #require(contents.growthFixedEffects).map(\.estimate)
    #expect(beta.count == 2)
    let growth = try #require(contents.lines.first { $0.id == "growth" })
    let fitted = try #require(growth.series.first { $0.name.hasPrefix("Fitted") })
    for (w, v) in fitted.values.enumerated() {
      #expect(abs((v ?? .nan) - (beta[0] + beta[1] * Double(w))) < 1e-12)
      #expect((fitted.lower?[w] ?? .nan) < (v ?? 0) && (v ?? 0) < (fitted.upper?[w] ?? .nan))
    }
    #expect(report.html.contains("<h2>Growth model</h2>"))
    // Maturity profiles: three centres; the hub table counts every clustered school once.
    let profiles = try #require(contents.charts.first { $0.id == "profiles" })
    #expect(profiles.series.count == 3)
    let sizes = profiles.series.compactMap { s in
      Int(s.name.split(separator: "(").last?.split(separator: " ").first ?? "")
    }
    #expect(sizes.reduce(0, +) == 12)
    #expect(report.html.contains("<h2>Maturity profiles</h2>"))
  }

  @Test func schoolReportWithMentoring() throws {
    let table = try Self.programme()
    let school = table.schools[0]
    let scores = AreaScorer().score(table)
    let rows = ScoreAggregation(levels: [.hub, .school, .wave], defaultThreshold: 0)
      .aggregate(ScoreSummary(scores, levels: [.hub, .school, .wave]))
      .filter { $0.cell["wave"] == "2" }
    var units: [String: (hub: String, scores: [String: Double])] = [:]
    for r in rows {
      units[r.cell["school"] ?? "", default: (r.cell["hub"] ?? "", [:])].scores[r.area] = r.mean
    }
    let matching = MentorMatching(areas: scores.areas, capacity: 2, minimumGap: 0.2)
    let result = try matching.match(
      units.map { id, u in
        MentoringUnit(id: id, group: u.hub, scores: scores.areas.map { u.scores[$0] })
      })
    let report = try ProgrammeReport(table: table, mentoring: result, school: school)
    try checkPage(report)
    #expect(report.html.contains("<h2>Area profile</h2>"))
    #expect(report.html.contains("<h2>Mentoring pairs</h2>"))
    let contents = try JSONDecoder().decode(ProgrammeReport.Contents.self, from: report.data)
    #expect(contents.school == school && contents.wave == "2")
    #expect(contents.mentoring.allSatisfy { $0.mentor == school || $0.mentee == school })
    #expect(contents.hubComparison.schools.allSatisfy { $0.school == school })
    #expect(throws: ReportError.unknownSchool("nope")) {
      try ProgrammeReport(table: table, school: "nope")
    }
  }

  @Test func growthSectionFitsRandomSlopesFromThreeWaves() throws {
    var simulator = ProgrammeSimulator()
    simulator.schoolCount = 15
    simulator.hubCount = 3
    simulator.waveCount = 3
    var rng = SplitMix64(seed: 32)
    let table = try simulator.simulate(
      instrument: try Instrument.bundled("school-self-reflection"), using: &rng
    ).responses
    let scores = AreaScorer().score(table)
    let rows = ScoreAggregation(levels: [.hub, .school, .wave], defaultThreshold: 0)
      .aggregate(ScoreSummary(scores, levels: [.hub, .school, .wave]))
    let growth = try #require(try GrowthSection(HubComparison(rows), waves: ["1", "2", "3"]))
    #expect(growth.formula == "score ~ wave + (wave | school)")
    #expect(growth.fit.fixedEffects.map(\.term) == ["(Intercept)", "wave"])
    // A school's fitted line is the population line plus its own modes.
    let school = try #require(growth.observed.keys.sorted().first)
    let line = growth.schoolLine(school)
    #expect(line.count == 3 && line.allSatisfy { $0 != nil })
    // The simulator's schools grow: the fitted slope is positive.
    #expect((growth.fit.fixedEffects.last?.estimate ?? 0) > 0)
  }

  @Test func escapesText() {
    #expect(escape("a<b & \"c\"") == "a&lt;b &amp; &quot;c&quot;")
  }
}
