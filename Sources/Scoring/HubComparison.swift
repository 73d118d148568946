/// Each school against its hub and the whole programme, per area and wave, and hub summaries.
///
/// ```swift
/// let rows = ScoreAggregation(levels: [.hub, .school, .wave], defaultThreshold: 0)
///   .aggregate(ScoreSummary(scores, levels: [.hub, .school, .wave]))
/// let comparison = HubComparison(rows)
/// comparison.schools.first?.percentileInHub
/// ```
///
/// A school's score in an area is the mean of its respondents' area scores (all respondent
/// groups pooled; the rows' `mean`). The hub's and the programme's are the means of their
/// schools' scores (each school weighs the same). The percentile rank is
/// `100·(below + ½·equal)/n` among the schools of the hub (or programme) with a score in that
/// area and wave, the school included. Growth is the change since the school's previous wave
/// with a score; growth relative to the hub subtracts the hub's mean growth over the schools
/// with both waves.
public struct HubComparison: Sendable, Codable, Equatable {
  /// One school x area x wave.
  public struct SchoolRow: Sendable, Codable, Equatable {
    /// School id.
    public let school: String
    /// Hub id.
    public let hub: String
    /// Wave.
    public let wave: String
    /// Area id.
    public let area: String
    /// The school's score.
    public let score: Double
    /// Respondents behind it.
    public let n: Int
    /// Mean of the hub's schools.
    public let hubMean: Double
    /// Mean of all schools.
    public let programmeMean: Double
    /// School minus hub.
    public let differenceFromHub: Double
    /// School minus programme.
    public let differenceFromProgramme: Double
    /// Percentile rank within the hub.
    public let percentileInHub: Double
    /// Percentile rank within the programme.
    public let percentileInProgramme: Double
    /// Change since the school's previous wave (`nil` in its first wave).
    public let growth: Double?
    /// Growth minus the hub's mean growth between the same waves.
    public let growthRelativeToHub: Double?
  }

  /// One hub x area x wave.
  public struct HubRow: Sendable, Codable, Equatable {
    /// Hub id.
    public let hub: String
    /// Wave.
    public let wave: String
    /// Area id.
    public let area: String
    /// Schools with a score.
    public let schools: Int
    /// Mean of the schools' scores.
    public let mean: Double
    /// SD across schools (`nil` with one school).
    public let sd: Double?
    /// Lowest and highest school score.
    public let range: [Double]
    /// Mean growth since the previous wave over schools with both (`nil` in the first wave).
    public let meanGrowth: Double?
  }

  /// Schools, by hub, school, wave (analysis order) and area.
  public let schools: [SchoolRow]
  /// Hubs, by hub, wave and area.
  public let hubs: [HubRow]

  /// Compares the school rows of an aggregation by hub, school and wave (rows without a
  /// mean, such as suppressed ones, are skipped). Waves are ordered numerically when all are
  /// numbers, else by code points.
  public init(_ rows: [ScoreAggregation.Row]) {
    struct Entry {
      let school, hub, wave, area: String
      let score: Double
      let n: Int
    }
    let entries: [Entry] = rows.compactMap { row in
      guard let mean = row.mean, let school = row.cell["school"], let wave = row.cell["wave"]
      else { return nil }
      return Entry(
        school: school, hub: row.cell["hub"] ?? "", wave: wave, area: row.area, score: mean,
        n: row.n)
    }
    let waves = ScoreSummary.orderWaves(Set(entries.map(\.wave)))
    let waveRank = Dictionary(uniqueKeysWithValues: waves.enumerated().map { ($1, $0) })
    func mean(_ xs: [Double]) -> Double { xs.reduce(0, +) / Double(xs.count) }
    func percentile(_ x: Double, _ all: [Double]) -> Double {
      let below = all.filter { $0 < x }.count
      let equal = all.filter { $0 == x }.count
      return 100 * (Double(below) + 0.5 * Double(equal)) / Double(all.count)
    }
    // Scores by (area, wave) for the programme, and by (hub, area, wave).
    var programme: [String: [Double]] = [:]
    var hubScores: [String: [Double]] = [:]
    var byKey: [String: Entry] = [:]
    for e in entries {
      programme["\(e.area)\u{1}\(e.wave)", default: []].append(e.score)
      hubScores["\(e.hub)\u{1}\(e.area)\u{1}\(e.wave)", default: []].append(e.score)
      byKey["\(e.school)\u{1}\(e.area)\u{1}\(e.wave)"] = e
    }
    // Growth per school and area since its previous wave with a score.
    var growthOf: [String: Double] = [:]
    var hubGrowth: [String: [Double]] = [:]
    for (area, schoolEntries) in Dictionary(
      grouping: entries, by: { "\($0.school)\u{1}\($0.area)" })
    {
      _ = area
      let ordered = schoolEntries.sorted { (waveRank[$0.wave] ?? 0) < (waveRank[$1.wave] ?? 0) }
      for (previous, current) in zip(ordered, ordered.dropFirst()) {
        let g = current.score - previous.score
        growthOf["\(current.school)\u{1}\(current.area)\u{1}\(current.wave)"] = g
        hubGrowth["\(current.hub)\u{1}\(current.area)\u{1}\(current.wave)", default: []].append(g)
      }
    }
    let sorted = entries.sorted {
      ($0.hub, $0.school, waveRank[$0.wave] ?? 0, $0.area)
        < ($1.hub, $1.school, waveRank[$1.wave] ?? 0, $1.area)
    }
    schools = sorted.map { e in
      let inHub = hubScores["\(e.hub)\u{1}\(e.area)\u{1}\(e.wave)"] ?? [e.score]
      let all = programme["\(e.area)\u{1}\(e.wave)"] ?? [e.score]
      let key = "\(e.school)\u{1}\(e.area)\u{1}\(e.wave)"
      let growth = growthOf[key]
      let hubMeanGrowth = hubGrowth["\(e.hub)\u{1}\(e.area)\u{1}\(e.wave)"].map(mean)
      return SchoolRow(
        school: e.school, hub: e.hub, wave: e.wave, area: e.area, score: e.score, n: e.n,
        hubMean: mean(inHub), programmeMean: mean(all), differenceFromHub: e.score - mean(inHub),
        differenceFromProgramme: e.score - mean(all), percentileInHub: percentile(e.score, inHub),
        percentileInProgramme: percentile(e.score, all), growth: growth,
        growthRelativeToHub: growth.flatMap { g in hubMeanGrowth.map { g - $0 } })
    }
    var hubRows: [HubRow] = []
    for key in hubScores.keys {
      let parts = key.split(separator: "\u{1}", omittingEmptySubsequences: false).map(String.init)
      let xs = hubScores[key] ?? []
      let m = mean(xs)
      let sd =
        xs.count > 1
        ? (xs.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(xs.count - 1)).squareRoot() : nil
      hubRows.append(
        HubRow(
          hub: parts[0], wave: parts[2], area: parts[1], schools: xs.count, mean: m, sd: sd,
          range: [xs.min() ?? m, xs.max() ?? m], meanGrowth: hubGrowth[key].map(mean)))
    }
    hubs = hubRows.sorted {
      ($0.hub, waveRank[$0.wave] ?? 0, $0.area) < ($1.hub, waveRank[$1.wave] ?? 0, $1.area)
    }
  }
}
