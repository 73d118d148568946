import Foundation
import Ingest
import Testing
import _TestSupport

@testable import Scoring

@Suite("Area scores and aggregates against R")
struct ScoringAgainstRTests {
  static let folder = PsychReference.root.deletingLastPathComponent().appendingPathComponent(
    "scores")

  func scores() throws -> RespondentScores {
    let instrument = try Instrument.bundled("school-self-reflection")
    let read = try SurveyReader().read(
      ScoringAgainstRTests.folder.appendingPathComponent("responses.csv").path,
      instrument: instrument)
    #expect(read.report.isClean)
    return AreaScorer().score(read.table)
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
}
