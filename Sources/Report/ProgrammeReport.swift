import Activity
import Foundation
import Ingest
import Mentoring
import MixedModels
import Reporting
import Scoring

/// The programme report (or one school's report): a self-contained HTML page with SVG charts,
/// a Markdown summary, and the data behind every chart.
///
/// ```swift
/// let report = try ProgrammeReport(table: read.table, mentoring: pairs, school: nil)
/// try report.html.write(toFile: "report.html", atomically: true, encoding: .utf8)
/// ```
///
/// The page loads nothing from elsewhere: styles are inline, charts are inline SVG drawn by
/// ``BarChart`` and ``LineChart``, there are no scripts, images or fonts. Each chart has a title and a text
/// alternative; the palette is colour-blind safe; a print stylesheet keeps charts whole on a
/// page. Published numbers follow the scoring rules: cells with fewer respondents than the
/// suppression threshold are left out and the page says so.
public struct ProgrammeReport: Sendable {
  /// The HTML page.
  public let html: String
  /// A Markdown summary of the same content.
  public let markdown: String
  /// The data behind every chart and table, for `report.json`.
  public let data: Data

  /// What the JSON holds.
  public struct Contents: Sendable, Codable, Equatable {
    /// Instrument id.
    public let instrument: String
    /// The school of a school report, else `nil`.
    public let school: String?
    /// Latest wave (the charts' wave).
    public let wave: String
    /// Suppression threshold used.
    public let suppressionThreshold: Int
    /// Every bar chart, with its data.
    public let charts: [BarChart]
    /// Every line chart, with its data.
    public let lines: [LineChart]
    /// Reliability per area.
    public let reliability: [AreaReliability]
    /// School comparison rows (school report) or hub rows (programme report).
    public let hubComparison: HubComparison
    /// Wave changes shown (school report).
    public let changes: [ScoreAggregation.WaveChange]
    /// Mentoring pairs shown.
    public let mentoring: [MentorMatching.Pair]
    /// The growth model's formula, when fitted.
    public let growthFormula: String?
    /// The growth model's fixed effects (`score ~ wave + (wave | school)`, or a random
    /// intercept only with two waves), when fitted.
    public let growthFixedEffects: [LinearMixedModel.FixedEffect]?
  }

  /// Builds the report from validated responses.
  ///
  /// - Parameters:
  ///   - table: responses (with hubs, from the data or a roster).
  ///   - mentoring: proposed pairs to show, if any.
  ///   - school: build this school's report instead of the programme's.
  ///   - suppression: smallest publishable cell (default 5).
  ///   - activity: weekly activity indicators (``ActivityIndicators`` with `period: .week`
  ///     and a roster), for the "Activity over time" section; `nil` leaves it out.
  /// - Throws: ``ReportError/unknownSchool(_:)`` when `school` has no responses.
  public init(
    table: SurveyTable, mentoring: MentorMatching.Result? = nil, school: String? = nil,
    suppression: Int = 5, activity: ActivityIndicators.Result? = nil
  ) throws {
    let instrument = table.instrument
    let areaNames = Dictionary(uniqueKeysWithValues: instrument.areas.map { ($0.id, $0.name) })
    let scores = AreaScorer().score(table)
    let areas = scores.areas
    let label = { (id: String) in "\(id) \(areaNames[id] ?? "")" }
    if let school, !table.schools.contains(school) { throw ReportError.unknownSchool(school) }
    // School-level comparison (groups pooled), and group means.
    let bySchool = ScoreAggregation(levels: [.hub, .school, .wave], defaultThreshold: suppression)
    let schoolRows = bySchool.aggregate(ScoreSummary(scores, levels: [.hub, .school, .wave]))
    let comparison = HubComparison(schoolRows)
    let waves = ScoreSummary.orderWaves(Set(schoolRows.compactMap { $0.cell["wave"] }))
    let wave = waves.last ?? ""
    let groupLevels: [ScoreAggregation.Level] = [.school, .group, .wave]
    let groupAggregation = ScoreAggregation(levels: groupLevels, defaultThreshold: suppression)
    let groupSummary = ScoreSummary(scores, levels: groupLevels)
    let reliability = AreaReliability.compute(table, byGroup: false)
    var charts: [BarChart] = []
    var lines: [LineChart] = []
    var growthFit: GrowthSection?
    // Mean over areas of a set of comparison rows, per wave.
    func overall(_ rows: [HubComparison.SchoolRow], _ value: (HubComparison.SchoolRow) -> Double)
      -> [Double?]
    {
      waves.map { w in
        let xs = rows.filter { $0.wave == w }.map(value)
        return xs.isEmpty ? nil : xs.reduce(0, +) / Double(xs.count)
      }
    }
    var sections: [(title: String, html: String, markdown: String)] = []
    var changes: [ScoreAggregation.WaveChange] = []
    var pairs = mentoring?.pairs ?? []
    let groups = instrument.groups.map(\.id)

    if let school {
      let rows = comparison.schools.filter { $0.school == school && $0.wave == wave }
      let byArea = Dictionary(uniqueKeysWithValues: rows.map { ($0.area, $0) })
      let hub = rows.first?.hub ?? ""
      let profile = BarChart(
        id: "profile",
        title: "\(school): area scores in wave \(wave), against hub \(hub) and the programme",
        categories: areas.map(label),
        series: [
          .init(name: school, values: areas.map { byArea[$0]?.score }),
          .init(name: "Hub \(hub)", values: areas.map { byArea[$0]?.hubMean }),
          .init(name: "Programme", values: areas.map { byArea[$0]?.programmeMean }),
        ], domain: Self.domain(instrument))
      charts.append(profile)
      var table =
        "<table><thead><tr><th>Area</th><th>School</th><th>vs hub</th>"
        + "<th>Percentile in hub</th><th>Growth vs hub</th></tr></thead><tbody>"
      var md =
        "| Area | School | vs hub | Percentile in hub | Growth vs hub |\n|---|---|---|---|---|\n"
      for area in areas {
        guard let r = byArea[area] else { continue }
        let growth = r.growthRelativeToHub.map { Self.signed($0) } ?? "–"
        table +=
          "<tr><td>\(escape(label(area)))</td><td>\(Self.number(r.score))</td>"
          + "<td>\(Self.signed(r.differenceFromHub))</td><td>\(Self.number(r.percentileInHub, 0))</td>"
          + "<td>\(growth)</td></tr>"
        md +=
          "| \(label(area)) | \(Self.number(r.score)) | \(Self.signed(r.differenceFromHub)) | "
          + "\(Self.number(r.percentileInHub, 0)) | \(growth) |\n"
      }
      table += "</tbody></table>"
      let missing = areas.filter { byArea[$0] == nil }
      let note =
        missing.isEmpty
        ? ""
        : "<p class=\"note\">Not shown (fewer than \(suppression) respondents, or not asked): "
          + missing.map(label).map(escape).joined(separator: ", ") + ".</p>"
      var profileNote = ""
      if let profiles = try? ProfileSection(comparison, wave: wave, areas: areas),
        let mine = profiles.profile(of: school)
      {
        profileNote =
          "<p>Maturity profile in wave \(escape(wave)): \(escape(mine)) of \(profiles.order.count) "
          + "(k-means on every school's area scores; Profile 1 is the least advanced).</p>"
      }
      sections.append(("Area profile", profile.svg() + table + note + profileNote, md))
      // Trajectory: the school's mean over areas per wave, against its hub and the programme.
      let mine = comparison.schools.filter { $0.school == school }
      let trajectory = LineChart(
        id: "trajectory",
        title: "\(school): mean area score per wave, against hub \(hub) and the programme",
        xLabels: waves, xName: "wave",
        series: [
          .init(name: school, values: overall(mine) { $0.score }),
          .init(name: "Hub \(hub)", values: overall(mine) { $0.hubMean }, dashed: true),
          .init(name: "Programme", values: overall(mine) { $0.programmeMean }, dashed: true),
        ], domain: Self.domain(instrument))
      lines.append(trajectory)
      let first = trajectory.series[0].values.compactMap { $0 }
      let progressText =
        first.count >= 2
        ? "Mean over areas: \(Self.number(first[0])) in wave \(waves[0]), \(Self.number(first[first.count - 1])) in wave \(wave)."
        : "One wave only."
      sections.append(
        (
          "Progress over waves", trajectory.svg() + "<p>\(escape(progressText))</p>",
          progressText + "\n"
        ))
      // Respondent groups in this school.
      let groupRows = groupAggregation.aggregate(groupSummary).filter {
        $0.cell["school"] == school && $0.cell["wave"] == wave
      }
      var means: [String: [String: Double]] = [:]
      for r in groupRows {
        if let m = r.mean { means[r.cell["group"] ?? "", default: [:]][r.area] = m }
      }
      let present = groups.filter { means[$0] != nil }
      let groupChart = BarChart(
        id: "groups",
        title: "\(school): how leaders, teachers and students see each area (wave \(wave))",
        categories: areas.map(label),
        series: present.map { g in .init(name: g, values: areas.map { means[g]?[$0] }) },
        domain: Self.domain(instrument))
      charts.append(groupChart)
      let gaps = groupAggregation.groupGaps(groupSummary).filter {
        $0.cell["school"] == school && $0.cell["wave"] == wave && $0.divergent
      }
      let gapText =
        gaps.isEmpty
        ? "No gap between respondent groups reaches \(groupAggregation.divergenceThreshold) points."
        : "Divergent views (at least \(groupAggregation.divergenceThreshold) points): "
          + gaps.map {
            "\(label($0.area)): \($0.groups[0]) \(Self.signed($0.difference)) vs \($0.groups[1])"
          }
          .joined(separator: "; ") + "."
      sections.append(
        ("Respondent groups", groupChart.svg() + "<p>\(escape(gapText))</p>", gapText + "\n"))
      // Change since the previous wave.
      changes = groupAggregation.waveChanges(groupSummary).filter {
        $0.cell["school"] == school && $0.toWave == wave
      }
      if !changes.isEmpty {
        var t =
          "<table><thead><tr><th>Group</th><th>Area</th><th>Change</th><th>Hedges' g</th>"
          + "<th>95% CI</th></tr></thead><tbody>"
        var m = "| Group | Area | Change | Hedges' g | 95% CI |\n|---|---|---|---|---|\n"
        for c in changes {
          let ci =
            c.confidenceInterval.map { "\(Self.number($0[0])) to \(Self.number($0[1]))" } ?? "–"
          let g = c.hedgesG.map { Self.number($0) } ?? "–"
          t +=
            "<tr><td>\(escape(c.cell["group"] ?? ""))</td><td>\(escape(label(c.area)))</td>"
            + "<td>\(Self.signed(c.difference))</td><td>\(g)</td><td>\(ci)</td></tr>"
          m +=
            "| \(c.cell["group"] ?? "") | \(label(c.area)) | \(Self.signed(c.difference)) | \(g) | \(ci) |\n"
        }
        t += "</tbody></table>"
        sections.append(("Change since wave \(changes[0].fromWave)", t, m))
      }
      pairs = pairs.filter { $0.mentor == school || $0.mentee == school }
    } else {
      let hubRows = comparison.hubs.filter { $0.wave == wave }
      let hubs = Array(Set(hubRows.map(\.hub))).sorted()
      var byHub: [String: [String: Double]] = [:]
      for r in hubRows { byHub[r.hub, default: [:]][r.area] = r.mean }
      let hubChart = BarChart(
        id: "hubs", title: "Mean school score per area and hub, wave \(wave)",
        categories: areas.map(label),
        series: hubs.map { h in .init(name: "Hub \(h)", values: areas.map { byHub[h]?[$0] }) },
        domain: Self.domain(instrument))
      charts.append(hubChart)
      var md =
        "| Hub | Schools | " + areas.joined(separator: " | ") + " |\n|---|---|"
        + String(repeating: "---|", count: areas.count) + "\n"
      for h in hubs {
        let n = hubRows.filter { $0.hub == h }.map(\.schools).max() ?? 0
        md +=
          "| \(h) | \(n) | "
          + areas.map { byHub[h]?[$0].map { Self.number($0) } ?? "–" }
          .joined(separator: " | ") + " |\n"
      }
      sections.append(("Hubs", hubChart.svg(), md))
      if let profiles = try? ProfileSection(comparison, wave: wave, areas: areas) {
        let order = profiles.order
        let chart = BarChart(
          id: "profiles",
          title:
            "Maturity profiles (k-means, k = \(order.count)) of schools in wave \(wave): profile centres",
          categories: areas.map(label),
          series: order.map { c in
            .init(
              name: "\(profiles.name(c)) (\(profiles.fit.sizes[c]) schools)",
              values: areas.indices.map { profiles.fit.centers[c, $0] })
          }, domain: Self.domain(instrument))
        charts.append(chart)
        var t =
          "<table><thead><tr><th>Hub</th>"
          + order.map { "<th>\(escape(profiles.name($0)))</th>" }.joined() + "</tr></thead><tbody>"
        var m =
          "| Hub | " + order.map { profiles.name($0) }.joined(separator: " | ") + " |\n|---|"
          + String(repeating: "---|", count: order.count) + "\n"
        for row in profiles.countsByHub() {
          t +=
            "<tr><td>\(escape(row.hub))</td>" + row.counts.map { "<td>\($0)</td>" }.joined()
            + "</tr>"
          m += "| \(row.hub) | " + row.counts.map(String.init).joined(separator: " | ") + " |\n"
        }
        t += "</tbody></table>"
        let note =
          "Schools with every area scored (\(profiles.schools.count)); profiles numbered from the "
          + "lowest mean centre; 20 seeded k-means++ starts (seed 2024), as lae cluster."
        sections.append(
          ("Maturity profiles", chart.svg() + t + "<p class=\"note\">\(escape(note))</p>", m))
      }
      let trajectory = LineChart(
        id: "trajectory", title: "Mean area score per wave and hub (mean of school scores)",
        xLabels: waves, xName: "wave",
        series: hubs.map { h in
          .init(
            name: "Hub \(h)",
            values: waves.map { w in
              let xs = comparison.hubs.filter { $0.hub == h && $0.wave == w }.map(\.mean)
              return xs.isEmpty ? nil : xs.reduce(0, +) / Double(xs.count)
            })
        }, domain: Self.domain(instrument))
      lines.append(trajectory)
      sections.append(("Progress over waves", trajectory.svg(), ""))
      if let growth = try? GrowthSection(comparison, waves: waves) {
        let band = growth.populationLine()
        let observedMean = waves.indices.map { w -> Double? in
          let xs = growth.observed.values.compactMap { $0[w] }
          return xs.isEmpty ? nil : xs.reduce(0, +) / Double(xs.count)
        }
        let chart = LineChart(
          id: "growth", title: "Growth model: fitted programme trajectory with its 95% band",
          xLabels: waves, xName: "wave",
          series: [
            .init(name: "Observed mean of schools", values: observedMean),
            .init(
              name: "Fitted (lme4-style REML)", values: band.mean, lower: band.lower,
              upper: band.upper, dashed: true),
          ], domain: Self.domain(instrument))
        lines.append(chart)
        growthFit = growth
        sections.append(
          (
            "Growth model", chart.svg() + growth.html { Self.number($0) },
            growth.text { Self.number($0) } + "\n"
          ))
      }
      // Respondent groups across the programme.
      let programmeGroups = ScoreAggregation(
        levels: [.group, .wave], defaultThreshold: suppression
      )
      .aggregate(ScoreSummary(scores, levels: [.group, .wave])).filter { $0.cell["wave"] == wave }
      var means: [String: [String: Double]] = [:]
      for r in programmeGroups {
        if let m = r.mean { means[r.cell["group"] ?? "", default: [:]][r.area] = m }
      }
      let present = groups.filter { means[$0] != nil }
      let groupChart = BarChart(
        id: "groups", title: "How leaders, teachers and students see each area, wave \(wave)",
        categories: areas.map(label),
        series: present.map { g in .init(name: g, values: areas.map { means[g]?[$0] }) },
        domain: Self.domain(instrument))
      charts.append(groupChart)
      let divergent = groupAggregation.groupGaps(groupSummary).filter {
        $0.cell["wave"] == wave && $0.divergent
      }
      let text =
        "\(divergent.count) school x area gaps between respondent groups reach "
        + "\(groupAggregation.divergenceThreshold) points in wave \(wave)."
      sections.append(
        ("Respondent groups", groupChart.svg() + "<p>\(escape(text))</p>", text + "\n"))
    }
    // Activity over time, from the logs.
    if let activity {
      let hub = school.flatMap { id in comparison.schools.first { $0.school == id }?.hub }
      if let section = ActivitySection(activity, school: school, hub: hub) {
        lines.append(section.chart)
        sections.append(("Activity over time", section.html, section.markdown))
      } else {
        let text =
          "The activity log has no events of roster teachers"
          + (school.map { " of school \($0)" } ?? "") + "; pass the roster with the log."
        sections.append(("Activity over time", "<p>\(escape(text))</p>", text + "\n"))
      }
    }
    // Reliability.
    var rt =
      "<table><thead><tr><th>Area</th><th>Items</th><th>Respondents</th><th>Alpha</th>"
      + "<th>Omega total</th></tr></thead><tbody>"
    var rm = "| Area | Items | Respondents | Alpha | Omega total |\n|---|---|---|---|---|\n"
    for a in reliability {
      if let r = a.reliability {
        let omega = r.omegaTotal.map { Self.number($0) } ?? "–"
        rt +=
          "<tr><td>\(escape(label(a.area)))</td><td>\(r.items.count)</td><td>\(r.respondentCount)</td>"
          + "<td>\(Self.number(r.rawAlpha))</td><td>\(omega)</td></tr>"
        rm +=
          "| \(label(a.area)) | \(r.items.count) | \(r.respondentCount) | \(Self.number(r.rawAlpha)) | \(omega) |\n"
      } else {
        rt +=
          "<tr><td>\(escape(label(a.area)))</td><td colspan=\"4\">\(escape(a.problem ?? ""))</td></tr>"
        rm += "| \(label(a.area)) | – | – | – | \(a.problem ?? "") |\n"
      }
    }
    rt += "</tbody></table>"
    sections.append(("Reliability (psych::alpha, psych::omega)", rt, rm))
    // Mentoring.
    if mentoring != nil {
      var mt =
        "<table><thead><tr><th>Hub</th><th>Mentor</th><th>Mentee</th><th>Areas (lead)</th>"
        + "</tr></thead><tbody>"
      var mm = "| Hub | Mentor | Mentee | Areas (lead) |\n|---|---|---|---|\n"
      for p in pairs {
        let why = p.areas.prefix(4).map { "\($0.area) +\(Self.number($0.gap))" }.joined(
          separator: ", ")
        mt +=
          "<tr><td>\(escape(p.group))</td><td>\(escape(p.mentor))</td><td>\(escape(p.mentee))</td>"
          + "<td>\(escape(why))</td></tr>"
        mm += "| \(p.group) | \(p.mentor) | \(p.mentee) | \(why) |\n"
      }
      mt += "</tbody></table>"
      sections.append(("Mentoring pairs", pairs.isEmpty ? "<p>No pairs.</p>" : mt, mm))
    }
    let title =
      school.map { "\(instrument.name): report for school \($0)" }
      ?? "\(instrument.name): programme report"
    let overview =
      "\(table.schools.count) schools, \(scores.count) responses, waves \(waves.joined(separator: ", ")). "
      + "Cells with fewer than \(suppression) respondents are not shown."
    html = Self.page(
      title: title, overview: overview, sections: sections.map { ($0.title, $0.html) })
    markdown =
      "# \(title)\n\n\(overview)\n\n"
      + sections.map { "## \($0.title)\n\n\($0.markdown)" }.joined(separator: "\n")
      + "\nMade by LearningAnalytics \(EngineVersion.string).\n"
    let contents = Contents(
      instrument: instrument.id, school: school, wave: wave, suppressionThreshold: suppression,
      charts: charts, lines: lines, reliability: reliability,
      hubComparison: school == nil
        ? comparison : HubComparison(schoolRows.filter { r in r.cell["school"] == school }),
      changes: changes, mentoring: pairs, growthFormula: growthFit?.formula,
      growthFixedEffects: growthFit?.fit.fixedEffects)
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    encoder.nonConformingFloatEncodingStrategy = .throw
    data = try encoder.encode(contents)
  }

  static func domain(_ instrument: Instrument) -> ClosedRange<Double> {
    let ranges = instrument.scales.map(\.scoreRange)
    let low = ranges.map(\.lowerBound).min() ?? 0
    let high = ranges.map(\.upperBound).max() ?? 1
    return low < high ? low...high : low...(low + 1)
  }

  static func number(_ x: Double, _ digits: Int = 2) -> String {
    String(format: "%.\(digits)f", x)
  }

  static func signed(_ x: Double) -> String { (x >= 0 ? "+" : "−") + number(abs(x)) }

  static func page(title: String, overview: String, sections: [(String, String)]) -> String {
    let style = """
      body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;margin:2rem auto;\
      max-width:62rem;padding:0 1rem;color:#111;line-height:1.45}
      h1{font-size:1.6rem}h2{font-size:1.25rem;margin-top:2rem;border-bottom:1px solid #ddd}
      table{border-collapse:collapse;margin:.8rem 0;font-size:.92rem}
      th,td{border:1px solid #ccc;padding:.25rem .5rem;text-align:left}th{background:#f3f3f3}
      .note{color:#444;font-size:.9rem}svg.chart{max-width:100%;height:auto}
      footer{margin-top:3rem;font-size:.8rem;color:#555}
      @media print{body{margin:0;max-width:none}section{break-inside:avoid}h2{break-after:avoid}}
      """
    var body = ""
    for (heading, content) in sections {
      body += "<section>\n<h2>\(escape(heading))</h2>\n\(content)\n</section>\n"
    }
    return """
      <!DOCTYPE html>
      <html lang="en">
      <head>
      <meta charset="utf-8">
      <meta name="viewport" content="width=device-width, initial-scale=1">
      <title>\(escape(title))</title>
      <style>
      \(style)
      </style>
      </head>
      <body>
      <h1>\(escape(title))</h1>
      <p>\(escape(overview))</p>
      \(body)<footer>Made by LearningAnalytics \(escape(EngineVersion.string)). Every chart's data \
      is in the accompanying report.json.</footer>
      </body>
      </html>

      """
  }
}

/// A problem building a report.
public enum ReportError: Error, Equatable, Sendable, CustomStringConvertible {
  /// The school has no responses.
  case unknownSchool(String)

  /// A full sentence.
  public var description: String {
    switch self {
    case .unknownSchool(let id):
      return "School '\(id)' has no responses in the data; check the id (case matters)."
    }
  }
}
