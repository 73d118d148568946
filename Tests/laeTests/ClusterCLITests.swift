import Foundation
import Testing

@Suite("lae cluster", .serialized)
struct ClusterCLITests {
  static let blobs = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Fixtures/references/clustering/blobs.csv").path
  static let columns = "digital_leadership,teacher_practice,infrastructure"

  /// A file shaped like `lae score --by school,wave --layout wide --format csv` output.
  static func wideScores() throws -> String {
    let path = NSTemporaryDirectory() + "lae-cluster-wide-\(getpid()).csv"
    var text = "school,wave,cohort,leadership,practice,infrastructure\n"
    for s in 1...12 {
      for w in 1...2 {
        let base = s <= 6 ? 1.5 : 3.5
        let cells = [
          base + 0.1 * Double(w), base + 0.05 * Double(s % 3), base - 0.1 * Double(s % 2),
        ]
        text +=
          "S\(s),\(w),1," + cells.map { String(format: "%.6f", $0) }.joined(separator: ",") + "\n"
      }
    }
    text += "S13,1,1,,2.000000,2.000000\n"  // a missing area score
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    return path
  }

  func body(_ run: LAERun) throws -> [String: Any] {
    var dict = try #require(
      try JSONSerialization.jsonObject(with: Data(run.standardOutput.utf8)) as? [String: Any])
    dict["provenance"] = nil
    return dict
  }

  @Test func kMeansJSONNamesAndDeterminism() throws {
    let args = [
      "cluster", "--data", Self.blobs, "--columns", Self.columns, "--k", "4", "--seed", "7",
      "--format", "json",
    ]
    let run = try LAERun(args)
    #expect(run.status == 0, "\(run.standardError)")
    let dict = try body(run)
    for key in [
      "method", "k", "totalWithinSS", "withinSS", "sizes", "centers", "silhouette", "assignments",
    ] {
      #expect(dict[key] != nil, "missing \(key)")
    }
    #expect(dict["method"] as? String == "kmeans")
    #expect(abs((dict["totalWithinSS"] as? Double ?? 0) - 62.678844627757982) < 1e-8 * 62.68)
    // Bit-identical body (everything but provenance), with 1 or 2 BLAS threads.
    func canonical(_ d: [String: Any]) throws -> Data {
      try JSONSerialization.data(withJSONObject: d, options: [.sortedKeys])
    }
    let again = try body(try LAERun(args))
    #expect(try canonical(dict) == canonical(again))
    let twoThreads = try body(try LAERun(args + ["--blas-threads", "2"]))
    #expect(try canonical(dict) == canonical(twoThreads))
  }

  @Test func mixtureJSONHasFitsBestAndNulls() throws {
    let run = try LAERun([
      "cluster", "--data", Self.blobs, "--columns", Self.columns, "--method", "gmm", "--k", "1-4",
      "--models", "VII,VVV", "--format", "json",
    ])
    #expect(run.status == 0, "\(run.standardError)")
    let dict = try body(run)
    let fits = try #require(dict["fits"] as? [[String: Any]])
    #expect(fits.count == 8)
    for key in [
      "model", "k", "logLikelihood", "parameterCount", "bic", "mclustBIC", "icl", "entropy",
    ] {
      #expect(fits[0][key] != nil, "missing \(key)")
    }
    let best = try #require(dict["best"] as? [String: Any])
    #expect(best["model"] as? String == "VII" && best["k"] as? Int == 4)  // mclust: VII,4
  }

  @Test func readsWideScoresWithIdsAndCountsDroppedRows() throws {
    let path = try Self.wideScores()
    defer { try? FileManager.default.removeItem(atPath: path) }
    let run = try LAERun([
      "cluster", "--data", path, "--columns", "leadership,practice,infrastructure", "--id",
      "school", "--k", "2", "--standardize", "--format", "json",
    ])
    #expect(run.status == 0, "\(run.standardError)")
    let dict = try body(run)
    #expect(dict["droppedRows"] as? Int == 1)
    #expect(dict["units"] as? Int == 24)
    let assignments = try #require(dict["assignments"] as? [[String: Any]])
    #expect(assignments.first?["unit"] as? String == "S1")
    #expect(assignments.first?["cluster"] as? Int == 1)
    #expect(assignments.last?["cluster"] as? Int == 2)
    let csv = try LAERun([
      "cluster", "--data", path, "--columns", "leadership,practice,infrastructure", "--id",
      "school", "--k", "2", "--impute", "mean", "--format", "csv",
    ])
    #expect(csv.standardOutput.split(separator: "\n").count == 26)
  }

  @Test func errorsNameFileAndColumn() throws {
    let unknown = try LAERun(["cluster", "--data", Self.blobs, "--columns", "nope"])
    #expect(unknown.status == 1)
    #expect(unknown.standardError.contains("'nope'") && unknown.standardError.contains("blobs.csv"))
    let path = try Self.wideScores()
    defer { try? FileManager.default.removeItem(atPath: path) }
    let constant = try LAERun([
      "cluster", "--data", path, "--columns", "cohort,leadership", "--standardize", "--k", "2",
    ])
    #expect(constant.status == 1)
    #expect(constant.standardError.contains("'cohort'") && constant.standardError.contains(path))
    let tooMany = try LAERun(["cluster", "--data", path, "--columns", "leadership", "--k", "40"])
    #expect(tooMany.status == 1)
    #expect(
      try LAERun(["cluster", "--data", Self.blobs, "--columns", "a", "--k", "x"]).status == 64)
    #expect(
      try LAERun(["cluster", "--data", Self.blobs, "--columns", "a", "--models", "ABC"]).status
        == 64)
  }
}
