import Foundation
import Ingest
import Testing
import _TestSupport

@testable import Scoring

@Suite("Area scores and aggregates against R")
struct ScoringAgainstRTests {
  static let folder = PsychReference.root.deletingLastPathComponent().appendingPathComponent(
    "scores")

  func table() throws -> SurveyTable {
    let instrument = try Instrument.bundled("school-self-reflection")
    let read = try SurveyReader().read(
      ScoringAgainstRTests.folder.appendingPathComponent("responses.csv").path,
      instrument: instrument)
    #expect(read.report.isClean)
    return read.table
  }

  func scores() throws -> RespondentScores { AreaScorer().score(try table()) }

  func expected(_ name: String) throws -> [[String]] {
    Array(
      try PsychReference.csvRows(ScoringAgainstRTests.folder.appendingPathComponent(name))
        .dropFirst().filter { $0.count > 1 })
  }

  func near(_ a: Double?, _ b: String, _ what: String) {
    if b.isEmpty {
      #expect(a == nil, "\(what): expected missing, got \(String(describing: a))")
    } else {
      #expect(
        a.map {
          approximatelyEqual(
            $0, Double(b) ?? .nan, relativeTolerance: 1e-12, absoluteTolerance: 1e-12)
        } == true,
        "\(what): \(String(describing: a)) vs R \(b)")
    }
  }

  @Test func respondentScores() throws {
    let s = try scores()
    var index: [String: Int] = [:]
    for (row, u) in s.units.enumerated() { index["\(u.school)|\(u.wave)|\(u.respondent)"] = row }
    let rows = try PsychReference.csvRows(
      ScoringAgainstRTests.folder.appendingPathComponent("expected-respondents.csv"))
    #expect(rows.count > 800)
    for r in rows.dropFirst() where r.count == 6 {
      guard let row = index["\(r[0])|\(r[1])|\(r[2])"] else {
        Issue.record("missing respondent \(r)")
        continue
      }
      near(
        s.value(row: row, area: r[4]), r[5], "respondent \(r[0]) \(r[2]) wave \(r[1]) area \(r[4])")
    }
  }

  @Test func aggregatesPerSchoolGroupWave() throws {
    let rows = ScoreAggregation(defaultThreshold: 0).aggregate(try scores())
    var index: [String: ScoreAggregation.Row] = [:]
    for row in rows {
      index[
        "\(row.cell["school"] ?? "")|\(row.cell["group"] ?? "")|\(row.cell["wave"] ?? "")|\(row.area)"
      ] = row
    }
    let expected = try PsychReference.csvRows(
      ScoringAgainstRTests.folder.appendingPathComponent("expected-aggregates.csv"))
    #expect(rows.count == expected.count - 1)
    for e in expected.dropFirst() where e.count == 12 {
      guard let row = index["\(e[0])|\(e[1])|\(e[2])|\(e[3])"] else {
        Issue.record("missing cell \(e)")
        continue
      }
      let what = "\(e[0]) \(e[1]) wave \(e[2]) area \(e[3])"
      #expect(row.n == Int(e[4]), "\(what) n")
      near(row.mean, e[5], "\(what) mean")
      near(row.sd, e[6], "\(what) sd")
      near(row.se, e[7], "\(what) se")
      near(row.confidenceInterval?[0], e[8], "\(what) ci lower")
      near(row.confidenceInterval?[1], e[9], "\(what) ci upper")
      near(row.meanOfAllAnswers, e[10], "\(what) mean of all answers")
      #expect(row.answerCount == Int(e[11]), "\(what) answers")
    }
  }

  @Test func suppressionMarksSmallCells() throws {
    let rows = ScoreAggregation(suppressionThresholds: ["leader": 2]).aggregate(try scores())
    let leaders = rows.filter { $0.cell["group"] == "leader" }
    #expect(!leaders.isEmpty && leaders.allSatisfy { !$0.suppressed || $0.n < 2 })
    let students = rows.filter { $0.cell["group"] == "student" }
    #expect(students.allSatisfy { $0.n >= 5 || ($0.suppressed && $0.mean == nil) })
    #expect(rows.contains { $0.suppressed } || rows.allSatisfy { $0.n >= 5 })
  }

  @Test func maturityLevelCounts() throws {
    let rows = ScoreAggregation(defaultThreshold: 0).aggregate(try scores())
    var index: [String: [String: Int]] = [:]
    for row in rows {
      index[
        "\(row.cell["school"] ?? "")|\(row.cell["group"] ?? "")|\(row.cell["wave"] ?? "")|\(row.area)"
      ] =
        row.levelCounts
    }
    let expected = try expected("expected-levels.csv")
    #expect(expected.count > 100)
    var total = 0
    for e in expected {
      let counts = index["\(e[0])|\(e[1])|\(e[2])|\(e[3])"]
      #expect(counts?[e[4]] == Int(e[5]), "\(e)")
      total += Int(e[5]) ?? 0
    }
    // Every scored respondent has a level, and no other counts appear.
    #expect(total == rows.reduce(0) { $0 + $1.n })
    #expect(total == rows.reduce(0) { $0 + ($1.levelCounts?.values.reduce(0, +) ?? 0) })
  }

  @Test func itemDistributions() throws {
    let t = try table()
    let summary = ScoreSummary(AreaScorer().score(t), table: t)
    let items = ScoreAggregation(defaultThreshold: 0).itemDistributions(
      summary, instrument: t.instrument)
    var index: [String: ScoreAggregation.ItemDistribution] = [:]
    for d in items {
      index[
        "\(d.cell["school"] ?? "")|\(d.cell["group"] ?? "")|\(d.cell["wave"] ?? "")|\(d.item)"] = d
    }
    let expected = try expected("expected-items.csv")
    #expect(items.count == expected.count)
    for e in expected {
      guard let d = index["\(e[0])|\(e[1])|\(e[2])|\(e[3])"] else {
        Issue.record("missing item cell \(e)")
        continue
      }
      #expect(d.answered == Int(e[4]), "\(e) answered")
      near(d.shares?["1"], e[5], "\(e) share 1")
      near(d.shares?["3"], e[6], "\(e) share 3")
      near(d.shares?["5"], e[7], "\(e) share 5")
      near(d.topTwoBoxShare, e[8], "\(e) top-2-box")
      #expect(d.notApplicable == Int(e[9]) && d.preferNotToSay == Int(e[10]), "\(e) NA/PNS")
      #expect(d.skipped == Int(e[11]), "\(e) skipped")
    }
  }

  @Test func groupGaps() throws {
    let aggregation = ScoreAggregation(defaultThreshold: 0, divergenceThreshold: 0.5)
    let gaps = aggregation.groupGaps(ScoreSummary(try scores()))
    var index: [String: ScoreAggregation.GroupGap] = [:]
    for g in gaps {
      index[
        "\(g.cell["school"] ?? "")|\(g.cell["wave"] ?? "")|\(g.area)|\(g.groups[0])|\(g.groups[1])"] =
        g
    }
    let expected = try expected("expected-gaps.csv")
    #expect(gaps.count == expected.count)
    for e in expected {
      let g = index["\(e[0])|\(e[1])|\(e[2])|\(e[3])|\(e[4])"]
      near(g?.difference, e[5], "gap \(e)")
      #expect(g?.divergent == (abs(Double(e[5]) ?? 0) >= 0.5))
    }
  }

  @Test func waveChangesWithHedgesG() throws {
    let changes = ScoreAggregation(defaultThreshold: 0).waveChanges(ScoreSummary(try scores()))
    var index: [String: ScoreAggregation.WaveChange] = [:]
    for c in changes {
      index[
        "\(c.cell["school"] ?? "")|\(c.cell["group"] ?? "")|\(c.area)|\(c.fromWave)|\(c.toWave)"] =
        c
    }
    let expected = try expected("expected-changes.csv")
    #expect(changes.count == expected.count)
    for e in expected {
      let c = index["\(e[0])|\(e[1])|\(e[2])|\(e[3])|\(e[4])"]
      near(c?.difference, e[5], "change \(e)")
      near(c?.hedgesG, e[6], "g \(e)")
      near(c?.standardError, e[7], "se \(e)")
      near(c?.confidenceInterval?[0], e[8], "ci lower \(e)")
      near(c?.confidenceInterval?[1], e[9], "ci upper \(e)")
      if c?.hedgesG == nil { #expect(c?.note != nil) }
    }
  }

  @Test func mergedShardsEqualOnePassBitForBit() throws {
    // Shards by school, written as JSON and read back, merged in scrambled order: every
    // derived statistic equals the single pass exactly (==, not approximately).
    let t = try table()
    let whole = ScoreSummary(AreaScorer().score(t), table: t)
    var shards: [ScoreSummary] = []
    for school in t.schools {
      let text = try String(
        contentsOf: ScoringAgainstRTests.folder.appendingPathComponent("responses.csv"),
        encoding: .utf8)
      let lines = text.split(separator: "\n")
      let kept = [lines[0]] + lines.dropFirst().filter { $0.hasPrefix(school + ",") }
      let read = try SurveyReader().read(
        source: MemoryByteSource(
          Array((kept.joined(separator: "\n") + "\n").utf8), name: "shard-\(school).csv"),
        instrument: t.instrument)
      let summary = ScoreSummary(AreaScorer().score(read.table), table: read.table)
      let json = try JSONEncoder().encode(summary)
      shards.append(try JSONDecoder().decode(ScoreSummary.self, from: json))
    }
    #expect(shards.count == 4)
    var merged = shards[2]
    for i in [0, 3, 1] { try merged.merge(shards[i]) }
    #expect(merged == whole)
    let aggregation = ScoreAggregation(defaultThreshold: 0)
    #expect(aggregation.aggregate(merged) == aggregation.aggregate(whole))
    #expect(
      aggregation.itemDistributions(merged, instrument: t.instrument)
        == aggregation.itemDistributions(whole, instrument: t.instrument))
    #expect(aggregation.waveChanges(merged) == aggregation.waveChanges(whole))
    #expect(aggregation.groupGaps(merged) == aggregation.groupGaps(whole))
    // Partials of another grouping do not merge.
    let other = ScoreSummary(AreaScorer().score(t), levels: [.hub, .wave])
    #expect(throws: ScoringError.self) { try merged.merge(other) }
  }

  @Test func hubComparison() throws {
    let summary = ScoreSummary(try scores(), levels: [.hub, .school, .wave])
    let rows = ScoreAggregation(levels: [.hub, .school, .wave], defaultThreshold: 0).aggregate(
      summary)
    let comparison = HubComparison(rows)
    var index: [String: HubComparison.SchoolRow] = [:]
    for r in comparison.schools { index["\(r.school)|\(r.wave)|\(r.area)"] = r }
    let expected = try expected("expected-hub-comparison.csv")
    #expect(comparison.schools.count == expected.count)
    for e in expected {
      guard let r = index["\(e[0])|\(e[2])|\(e[3])"] else {
        Issue.record("missing \(e)")
        continue
      }
      #expect(r.hub == e[1])
      near(r.score, e[4], "\(e) score")
      near(r.hubMean, e[5], "\(e) hub mean")
      near(r.programmeMean, e[6], "\(e) programme mean")
      near(r.percentileInHub, e[7], "\(e) percentile in hub")
      near(r.percentileInProgramme, e[8], "\(e) percentile in programme")
      near(r.growth, e[9], "\(e) growth")
      near(r.growthRelativeToHub, e[10], "\(e) growth vs hub")
    }
    #expect(comparison.hubs.count == 2 * 2 * 8)
    #expect(comparison.hubs.allSatisfy { $0.schools == 2 && $0.sd != nil })
  }
}
