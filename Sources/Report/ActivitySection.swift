import Activity
import Ingest

/// The report's "Activity over time": the share of teachers active in the learning tools each
/// ISO week, per hub (programme report) or for the school against its hub (school report),
/// from weekly ``ActivityIndicators`` rows.
///
/// The x axis lists the weeks that have any logged activity, in order; where weeks without
/// any activity separate two of them, a `…` position with no values breaks the lines (so a
/// holiday is not drawn as a slope). A week in the axis where a hub or school has no event
/// counts 0% active.
struct ActivitySection {
  let chart: LineChart
  let html: String
  let markdown: String

  /// `nil` when the rows hold no school or hub rows (no roster joined the log).
  init?(_ result: ActivityIndicators.Result, school: String?, hub: String?) {
    let units = result.rows.filter { $0.level == .hub || $0.level == .school }
    guard !units.isEmpty else { return nil }
    // Weeks with any activity, in order, with "…" between non-adjacent ones.
    let weeks = Set(units.filter { $0.events > 0 }.map(\.period)).sorted { a, b in
      (Self.weekIndex(a) ?? .max, a) < (Self.weekIndex(b) ?? .max, b)
    }
    guard !weeks.isEmpty else { return nil }
    var labels: [String] = []
    for w in weeks {
      if let last = labels.last, let i = Self.weekIndex(last), let j = Self.weekIndex(w),
        j > i + 1
      {
        labels.append("…")
      }
      labels.append(w)
    }
    func share(_ rows: [ActivityIndicators.Row]) -> [Double?] {
      var byWeek: [String: ActivityIndicators.Row] = [:]
      for r in rows { byWeek[r.period] = r }
      let teachers = rows.map(\.teachers).max() ?? 0
      return labels.map { label -> Double? in
        guard label != "…", teachers > 0 else { return nil }
        return 100 * Double(byWeek[label]?.activeTeachers ?? 0) / Double(teachers)
      }
    }
    var series: [LineChart.Series] = []
    let title: String
    if let school {
      let mine = units.filter { $0.level == .school && $0.unit == school }
      let hubRows = units.filter { $0.level == .hub && $0.unit == hub }
      guard !mine.isEmpty || !hubRows.isEmpty else { return nil }
      series.append(.init(name: school, values: share(mine)))
      if let hub { series.append(.init(name: "Hub \(hub)", values: share(hubRows), dashed: true)) }
      title =
        "\(school): teachers active in the learning tools per week (% of its teachers), "
        + "against hub \(hub ?? "")"
    } else {
      let hubs = Set(units.filter { $0.level == .hub }.map(\.unit)).sorted()
      for h in hubs {
        series.append(
          .init(name: "Hub \(h)", values: share(units.filter { $0.level == .hub && $0.unit == h })))
      }
      title = "Teachers active in the learning tools per week and hub (% of the hub's teachers)"
    }
    chart = LineChart(
      id: "activity", title: title, xLabels: labels, xName: "ISO week",
      series: series, domain: 0...100)
    // Summary per series: mean weekly share in the first and last runs of weeks.
    var runs: [[Int]] = [[]]
    for (i, l) in labels.enumerated() {
      if l == "…" { runs.append([]) } else { runs[runs.count - 1].append(i) }
    }
    func mean(_ values: [Double?], _ run: [Int]) -> Double? {
      let xs = run.compactMap { values[$0] }
      return xs.isEmpty ? nil : xs.reduce(0, +) / Double(xs.count)
    }
    let firstRun = runs.first ?? []
    let lastRun = runs.last ?? []
    let sentences = series.map { s -> String in
      let a = mean(s.values, firstRun).map { ProgrammeReport.number($0, 0) } ?? "–"
      let b = mean(s.values, lastRun).map { ProgrammeReport.number($0, 0) } ?? "–"
      return runs.count > 1
        ? "\(s.name): \(a)% of teachers active in an average week of the first period, \(b)% in the last"
        : "\(s.name): \(a)% of teachers active in an average week"
    }
    let shown =
      school.map { id in units.filter { $0.level == .school && $0.unit == id } }
      ?? units.filter { $0.level == .hub }
    let teachers = Set(
      result.rows.filter { r in
        r.level == .teacher && r.school != nil && (school == nil || r.school == school)
      }.map(\.unit))
    let text =
      sentences.joined(separator: "; ") + ". "
      + "Weeks are ISO weeks in each school's local time (… on the axis stands for weeks "
      + "without any activity); a teacher is active in a week with at "
      + "least one logged event (\(shown.reduce(0) { $0 + $1.events }) events from "
      + "\(teachers.count) teachers\(school == nil ? "" : " of the school"); "
      + "\(result.unmatchedActors) actor(s) not in the roster are left out)."
    html = chart.svg() + "<p>\(escape(text))</p>"
    markdown = text + "\n"
  }

  /// The index of the Monday of an ISO week label `YYYY-Www`, in weeks since 1970, or `nil`.
  static func weekIndex(_ label: String) -> Int? {
    let parts = label.split(separator: "-")
    guard parts.count == 2, let year = Int(parts[0]), parts[1].first == "W",
      let week = Int(parts[1].dropFirst())
    else { return nil }
    // ISO week 1 holds 4 January; 1970-01-01 was a Thursday, so day d is a Monday when
    // (d + 3) % 7 == 0.
    let jan4 = Timestamp.daysFromCivil(year, 1, 4)
    let monday = jan4 - ((jan4 + 3) % 7 + 7) % 7
    return (monday + 7 * (week - 1) + 3) / 7
  }
}
