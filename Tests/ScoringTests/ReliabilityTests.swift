import Foundation
import MatrixCore
import Testing
import _TestSupport

@testable import Scoring

/// Reference values from psych::alpha (Fixtures/references/make_reliability.R).
struct PsychReference {
  let items: [String]
  let data: Matrix
  /// statistic -> item ("" for the scale) -> value
  let expected: [String: [String: Double]]

  static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Fixtures/references/reliability")

  static func csvRows(_ url: URL) throws -> [[String]] {
    let text = try String(contentsOf: url, encoding: .utf8)
    return text.split(separator: "\n").map { line in
      line.split(separator: ",", omittingEmptySubsequences: false).map {
        String($0).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
      }
    }
  }

  init(_ name: String) throws {
    let rows = try PsychReference.csvRows(PsychReference.root.appendingPathComponent("\(name).csv"))
    let names = rows[0]
    items = names
    let body = rows.dropFirst()
    var values: [Double] = []
    for row in body { values += row.map { Double($0) ?? .nan } }
    let width = names.count
    data = Matrix(rows: body.count, columns: width) { i, j in values[i * width + j] }
    var e: [String: [String: Double]] = [:]
    for row in try PsychReference.csvRows(
      PsychReference.root.appendingPathComponent("expected.csv")
    ).dropFirst()
    where row.count == 4 && row[0] == name {
      e[row[1], default: [:]][row[2]] = Double(row[3]) ?? .nan
    }
    expected = e
  }

  func value(_ statistic: String, _ item: String = "") -> Double {
    expected[statistic]?[item] ?? .nan
  }
}

@Suite("Reliability against psych::alpha")
struct ReliabilityTests {
  func check(_ name: String, keys: [Int], missingData: ReliabilityAnalysis.MissingData = .pairwise)
    throws
  {
    let ref = try PsychReference(name)
    let responses = ItemResponses(items: ref.items, values: ref.data).reversed(keys: keys)
    let fit = try ReliabilityAnalysis(missingData: missingData).fit(responses)
    let tol = 1e-8
    func near(_ a: Double, _ b: Double, _ what: String) {
      #expect(
        approximatelyEqual(a, b, relativeTolerance: tol, absoluteTolerance: 1e-12),
        "\(name) \(what): \(a) vs psych \(b)")
    }
    near(fit.rawAlpha, ref.value("raw_alpha"), "raw_alpha")
    near(fit.standardizedAlpha, ref.value("std.alpha"), "std.alpha")
    near(fit.g6, ref.value("G6(smc)"), "G6")
    near(fit.averageR, ref.value("average_r"), "average_r")
    near(fit.signalToNoise, ref.value("S/N"), "S/N")
    near(fit.alphaStandardError, ref.value("ase"), "ase")
    near(fit.meanScore, ref.value("mean"), "mean")
    near(fit.sdScore, ref.value("sd"), "sd")
    near(fit.medianR, ref.value("median_r"), "median_r")
    if let v = fit.varianceR {
      near(v, ref.value("var.r"), "var.r")
    } else {
      #expect(ref.value("var.r").isNaN)
    }
    near(fit.duhachekInterval[0], ref.value("duhachek.lower"), "Duhachek lower")
    near(fit.duhachekInterval[1], ref.value("duhachek.upper"), "Duhachek upper")
    near(fit.feldtInterval[0], ref.value("feldt.lower"), "Feldt lower")
    near(fit.feldtInterval[1], ref.value("feldt.upper"), "Feldt upper")
    for s in fit.itemStatistics {
      near(Double(s.n), ref.value("n", s.item), "\(s.item) n")
      near(s.rawR, ref.value("raw.r", s.item), "\(s.item) raw.r")
      near(s.stdR, ref.value("std.r", s.item), "\(s.item) std.r")
      near(s.rCor, ref.value("r.cor", s.item), "\(s.item) r.cor")
      near(s.rDrop, ref.value("r.drop", s.item), "\(s.item) r.drop")
      near(s.mean, ref.value("mean", s.item), "\(s.item) mean")
      near(s.sd, ref.value("sd", s.item), "\(s.item) sd")
      let d = s.alphaIfDropped
      near(d.rawAlpha, ref.value("drop.raw_alpha", s.item), "\(s.item) drop raw_alpha")
      near(d.standardizedAlpha, ref.value("drop.std.alpha", s.item), "\(s.item) drop std.alpha")
      near(d.g6, ref.value("drop.G6(smc)", s.item), "\(s.item) drop G6")
      near(d.averageR, ref.value("drop.average_r", s.item), "\(s.item) drop average_r")
      near(d.signalToNoise, ref.value("drop.S/N", s.item), "\(s.item) drop S/N")
      near(d.medianR, ref.value("drop.med.r", s.item), "\(s.item) drop med.r")
      if let v = d.varianceR {
        near(v, ref.value("drop.var.r", s.item), "\(s.item) drop var.r")
      } else {
        #expect(ref.value("drop.var.r", s.item).isNaN)
      }
      if let se = d.alphaStandardError {
        near(se, ref.value("drop.alpha se", s.item), "\(s.item) drop se")
      }
    }
    // Omega total and one-factor loadings: psych::omega (minres) and factanal (ML), 1e-5.
    guard fit.items.count >= 3 else {
      #expect(fit.omegaTotal == nil && fit.omegaTotalML == nil && fit.omegaNote != nil)
      return
    }
    func close(_ a: Double?, _ b: Double, _ what: String) {
      #expect(
        a.map { approximatelyEqual($0, b, relativeTolerance: 1e-5) } == true,
        "\(name) \(what): \(String(describing: a)) vs R \(b)")
    }
    close(fit.omegaTotal, ref.value("omega.tot"), "omega total")
    close(fit.omegaTotalML, ref.value("omegaML.tot"), "omega total ML")
    for s in fit.itemStatistics {
      close(s.loading, ref.value("omega.loading", s.item), "\(s.item) minres loading")
      close(s.loadingML, ref.value("ml.loading", s.item), "\(s.item) ML loading")
    }
    #expect(fit.omegaNote == nil, "\(fit.omegaNote ?? "")")
  }

  @Test func likertWithMissingAndReverseKeyed() throws {
    try check("likert6", keys: [1, 1, -1, 1, 1, 1])
  }

  @Test func completeCases() throws {
    try check("likert6-complete", keys: [1, 1, -1, 1, 1, 1])
  }

  @Test func twoItems() throws {
    try check("two-items", keys: [1, 1])
  }

  @Test func bfiAgreeableness() throws {
    try check("bfi-agreeableness", keys: [-1, 1, 1, 1, 1])
  }

  @Test func listwiseEqualsPsychOnCompleteCases() throws {
    // Listwise deletion of likert6 gives the statistics of its complete cases.
    let all = try PsychReference("likert6")
    let complete = try PsychReference("likert6-complete")
    let keys = [1, 1, -1, 1, 1, 1]
    let listwise = try ReliabilityAnalysis(missingData: .listwise)
      .fit(
        ItemResponses(items: all.items, values: all.data).reversed(
          keys: keys, minimum: 1, maximum: 5))
    #expect(
      approximatelyEqual(listwise.rawAlpha, complete.value("raw_alpha"), relativeTolerance: 1e-8))
    #expect(listwise.missingData == .listwise)
  }

  @Test func omegaFlipsAMisKeyedItemAsPsychDoes() throws {
    // Without the reverse key, item A3r loads negatively: omega reverses it (psych's
    // flip = TRUE) and says so; the value equals the keyed analysis.
    let ref = try PsychReference("likert6-complete")
    let unkeyed = try ReliabilityAnalysis().fit(ItemResponses(items: ref.items, values: ref.data))
    #expect(
      approximatelyEqual(unkeyed.omegaTotal ?? 0, ref.value("omega.tot"), relativeTolerance: 1e-5))
    #expect(unkeyed.omegaNote?.contains("negative loading): A3r") == true)
    let a3 = unkeyed.itemStatistics.first { $0.item == "A3r" }
    #expect((a3?.loading ?? 0) < 0)
  }

  @Test func degenerateCases() throws {
    // A constant item is excluded and named; one usable item throws with a clear message.
    let x = Matrix(rows: [[1, 3, 2], [2, 3, 4], [3, 3, 5], [4, 3, 5]])
    let fit = try ReliabilityAnalysis().fit(ItemResponses(items: ["a", "b", "c"], values: x))
    #expect(fit.zeroVarianceItems == ["b"] && fit.items == ["a", "c"])
    let one = Matrix(rows: [[1, 3], [2, 3], [3, 3]])
    #expect(throws: ScoringError.tooFewItems(usable: 1, zeroVariance: ["b"])) {
      try ReliabilityAnalysis().fit(ItemResponses(items: ["a", "b"], values: one))
    }
    #expect(
      ScoringError.tooFewItems(usable: 1, zeroVariance: ["b"]).description.contains(
        "do not vary: b"))
  }
}

@Suite("Reliability in place, by pattern counts, per scale")
struct ReliabilityPathsTests {
  /// Every number two fits report, compared to `tolerance` relative.
  func expectSame(_ a: Reliability, _ b: Reliability, tolerance: Double) {
    func near(_ x: Double, _ y: Double, _ what: String) {
      #expect(approximatelyEqual(x, y, relativeTolerance: tolerance), "\(what): \(x) vs \(y)")
    }
    #expect(a.items == b.items && a.respondentCount == b.respondentCount)
    near(a.rawAlpha, b.rawAlpha, "raw alpha")
    near(a.standardizedAlpha, b.standardizedAlpha, "std alpha")
    near(a.g6, b.g6, "G6")
    near(a.alphaStandardError, b.alphaStandardError, "ase")
    near(a.meanScore, b.meanScore, "mean")
    near(a.sdScore, b.sdScore, "sd")
    // Omega comes from an iterative factor fit, whose stopping point moves with the last bits
    // of its input: checked as the psych reference tests check it.
    #expect(
      approximatelyEqual(a.omegaTotal ?? 0, b.omegaTotal ?? 0, relativeTolerance: 1e-7),
      "omega: \(a.omegaTotal ?? 0) vs \(b.omegaTotal ?? 0)")
    for (s, t) in zip(a.itemStatistics, b.itemStatistics) {
      near(s.rawR, t.rawR, "raw r \(s.item)")
      near(s.stdR, t.stdR, "std r \(s.item)")
      near(s.rDrop, t.rDrop, "r.drop \(s.item)")
      near(s.mean, t.mean, "mean \(s.item)")
      near(s.sd, t.sd, "sd \(s.item)")
      near(s.alphaIfDropped.rawAlpha, t.alphaIfDropped.rawAlpha, "alpha if dropped \(s.item)")
      #expect(s.n == t.n)
    }
  }

  @Test func patternCountsEqualRowByRow() throws {
    // likert6 has missing answers and a reverse-keyed item: the pattern-count pass and the
    // row-by-row pass give the same statistics, and both equal the copied, reversed matrix.
    let ref = try PsychReference("likert6")
    let responses = ItemResponses(items: ref.items, values: ref.data)
    let keys = [1, 1, -1, 1, 1, 1]
    let columns = Array(0..<ref.items.count)
    let counted = try ReliabilityAnalysis().fit(
      responses, columns: columns, keys: keys, minimum: nil, maximum: nil, usePatternCounts: true)
    let rows = try ReliabilityAnalysis().fit(
      responses, columns: columns, keys: keys, minimum: nil, maximum: nil, usePatternCounts: false)
    let copied = try ReliabilityAnalysis().fit(responses.reversed(keys: keys))
    expectSame(counted, rows, tolerance: 1e-11)
    expectSame(counted, copied, tolerance: 1e-11)
    #expect(
      approximatelyEqual(counted.rawAlpha, ref.value("raw_alpha"), relativeTolerance: 1e-8))
  }

  @Test func answersBeyondTheFirstRowsRange() throws {
    // The pattern codes are guessed from the first 4,096 rows; answers outside that range
    // later (a 1 and a 7 after row 5,000, an item answered only late, a half point) must
    // give the row-by-row statistics all the same.
    var rng = SplitMix64(seed: 5)
    let n = 9_000
    func draw(_ i: Int, _ j: Int) -> Double {
      if rng.next() % 11 == 0 { return .nan }
      let base = 2 + Double(rng.next() % 3) + (j == 1 && rng.next() % 2 == 0 ? 1 : 0)
      return i > 5_000 && i % 97 == 0 ? (j == 0 ? 1 : 7) : base
    }
    var values: [[Double]] = (0..<n).map { i in (0..<4).map { j in draw(i, j) } }
    for i in 0..<n { values[i][3] = i < 6_000 ? .nan : values[i][3] }
    let cases: [(String, [[Double]])] = [
      ("late extremes", values),
      ("a late half point", values.enumerated().map { i, r in i == 8_000 ? [2.5] + r.dropFirst() : r }),
    ]
    for (label, rows) in cases {
      let responses = ItemResponses(items: ["a", "b", "c", "d"], values: Matrix(rows: rows))
      let counted = try ReliabilityAnalysis().fit(
        responses, columns: [0, 1, 2, 3], keys: [1, -1, 1, 1], minimum: nil, maximum: nil,
        usePatternCounts: true)
      let byRow = try ReliabilityAnalysis().fit(
        responses, columns: [0, 1, 2, 3], keys: [1, -1, 1, 1], minimum: nil, maximum: nil,
        usePatternCounts: false)
      expectSame(counted, byRow, tolerance: 1e-10)
      #expect(counted.itemStatistics.map(\.n) == byRow.itemStatistics.map(\.n), "\(label)")
    }
  }

  @Test func aConstantItemInPlace() throws {
    // The zero-variance item is dropped and the pass repeated over the other columns, with
    // the reversal bounds of the whole scale.
    let x = Matrix(rows: [
      [1, 3, 2, 5, .nan], [2, 3, 4, 4, .nan], [3, 3, 5, .nan, .nan], [4, 3, 5, 1, .nan],
      [5, 3, 1, 2, .nan],
    ])
    let responses = ItemResponses(items: ["a", "b", "c", "d", "e"], values: x)
    for patterns in [true, false] {
      let fit = try ReliabilityAnalysis().fit(
        responses, columns: [3, 1, 0], keys: [-1, 1, 1], minimum: nil, maximum: nil,
        usePatternCounts: patterns)
      // An item nobody answered is dropped too.
      let unanswered = try ReliabilityAnalysis().fit(
        responses, columns: [3, 4, 0], keys: [-1, 1, 1], minimum: nil, maximum: nil,
        usePatternCounts: patterns)
      #expect(unanswered.zeroVarianceItems == ["e"] && unanswered.items == ["d", "a"])
      let copied = try ReliabilityAnalysis().fit(
        ItemResponses(
          items: ["d", "b", "a"],
          values: Matrix(rows: 5, columns: 3) { i, j in x[i, [3, 1, 0][j]] }
        ).reversed(keys: [-1, 1, 1]))
      #expect(fit.zeroVarianceItems == ["b"] && fit.items == ["d", "a"])
      expectSame(fit, copied, tolerance: 1e-12)
    }
  }

  @Test func scalesInParallelEqualOneThread() throws {
    let ref = try PsychReference("likert6")
    let responses = ItemResponses(items: ref.items, values: ref.data)
    let names = ref.items
    let scales = [
      ItemScale(name: "first", items: Array(names[0..<3]), keys: [1, 1, -1]),
      ItemScale(name: "second", items: Array(names[3...]), keys: [1, 1, 1]),
      ItemScale(name: "all", items: names, keys: [1, 1, -1, 1, 1, 1]),
      ItemScale(name: "broken", items: ["nope", names[0]], keys: [1, 1]),
    ]
    let one = AreaReliability.compute(responses, scales: scales, threads: 1)
    let two = AreaReliability.compute(responses, scales: scales, threads: 2)
    #expect(one == two)
    #expect(one.map(\.area) == ["first", "second", "all", "broken"])
    #expect(one[3].problem == "no column for the items nope")
    #expect(
      approximatelyEqual(
        one[2].reliability?.rawAlpha ?? 0, ref.value("raw_alpha"), relativeTolerance: 1e-8))
  }
}
