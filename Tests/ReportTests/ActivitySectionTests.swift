import Activity
import Foundation
import Ingest
import MatrixCore
import Simulation
import Testing

@testable import Report

@Suite("Report: activity over time")
struct ActivitySectionTests {
  @Test func programmeAndSchoolReportsChartWeeklyActiveTeachers() throws {
    var simulator = ProgrammeSimulator()
    simulator.schoolCount = 12
    simulator.hubCount = 3
    simulator.waveCount = 2
    simulator.studentsPerSchool = 5
    var rng = SplitMix64(seed: 33)
    let p = try simulator.simulate(
      instrument: try Instrument.bundled("school-self-reflection"), using: &rng)
    let log = try XAPIReader(pseudonymizer: .unkeyed).read(
      bytes: p.activity, name: "activity.jsonl", roster: p.roster)
    let weekly = try ActivityIndicators(period: .week).compute(log.table, roster: p.roster)
    let tests = ReportTests()
    // Programme report: one line per hub, in percent of the hub's teachers.
    let report = try ProgrammeReport(table: p.responses, activity: weekly)
    try tests.checkPage(report)
    #expect(report.html.contains("<h2>Activity over time</h2>"))
    let contents = try JSONDecoder().decode(ProgrammeReport.Contents.self, from: report.data)
    let chart = try #require(contents.lines.first { $0.id == "activity" })
    #expect(chart.series.map(\.name) == ["Hub H1", "Hub H2", "Hub H3"])
    // Two windows of 4 weeks with the summer between them: 4 weeks, "…", 4 weeks.
    #expect(chart.xLabels.count == 9 && chart.xLabels[4] == "…")
    #expect(chart.series.allSatisfy { $0.values[4] == nil })
    // The values are the hub rows' active teachers over the hub's roster teachers.
    let hubRows = weekly.rows.filter { $0.level == .hub && $0.unit == "H1" }
    for (i, week) in chart.xLabels.enumerated() where week != "…" {
      let row = hubRows.first { $0.period == week }
      let expected = 100 * Double(row?.activeTeachers ?? 0) / Double(hubRows[0].teachers)
      #expect(chart.series[0].values[i] == expected)
    }
    #expect(chart.svg().contains("<title id=\"activity-title\">"))
    // Nine week labels fit their share of the axis; twenty do not and are turned by 45
    // degrees. The percentage axis has grid lines every 20.
    #expect(!chart.svg().contains("rotate("))
    let crowded = LineChart(
      id: "c", title: "t", xLabels: (1...20).map { "2024-W\($0 < 10 ? "0" : "")\($0)" },
      xName: "ISO week", series: [.init(name: "s", values: Array(repeating: 50, count: 20))],
      domain: 0...100)
    #expect(crowded.svg().contains("transform=\"rotate(-45 "))
    #expect(chart.svg().contains(">20</text>") && !chart.svg().contains(">12.5</text>"))
    #expect(chart.textAlternative.contains("Hub H2: ISO week 20"))
    // School report: the school against its hub.
    let school = p.responses.schools[0]
    let mine = try ProgrammeReport(table: p.responses, school: school, activity: weekly)
    try tests.checkPage(mine)
    let schoolContents = try JSONDecoder().decode(ProgrammeReport.Contents.self, from: mine.data)
    let schoolChart = try #require(schoolContents.lines.first { $0.id == "activity" })
    let hub = try #require(p.roster.school(school)?.hub)
    #expect(schoolChart.series.map(\.name) == [school, "Hub \(hub)"])
    // Without activity, no section.
    #expect(!(try ProgrammeReport(table: p.responses)).html.contains("Activity over time"))
  }

  @Test func weekIndexFollowsISOWeeks() {
    #expect(ActivitySection.weekIndex("2024-W01")! + 1 == ActivitySection.weekIndex("2024-W02"))
    // 2020 has 53 ISO weeks; week 1 of 2021 follows week 53 of 2020.
    #expect(ActivitySection.weekIndex("2020-W53")! + 1 == ActivitySection.weekIndex("2021-W01"))
    #expect(ActivitySection.weekIndex("2023-W52")! + 1 == ActivitySection.weekIndex("2024-W01"))
    #expect(ActivitySection.weekIndex("wave 1") == nil)
  }
}
